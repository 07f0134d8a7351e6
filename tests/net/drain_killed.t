#!/usr/bin/env bash
# A block killed mid-drain (its action's timeout, an operator's ^C) leaves
# the full fence within the drain's one-second lease, not at its deadline:
# the server's next segment to its peers (a window probe) resets its
# socket, and new connections stay held off. A block that runs renews the
# lease (tests/net/drain.t: drains of several seconds).
. "$(dirname "$0")/netlib.sh"
net_bed
pf load >/dev/null

serve "$VIP" 3277
hold "$VIP" 3277 2 kill3277
# (the queues grow with the send buffer's autotuning: give a loaded
# machine time, and say what they hold if they never fill)
tb_wait 10 queues_full "$SRV" "$VIP" 3277 65536 ||
	diag "send queues: $(ip netns exec "$SRV" ss -Htn state established "( sport = :3277 )" | awk '{ print $2 }' | tr '\n' ' ')"
ok "the queues are full" queues_full "$SRV" "$VIP" 3277 65536
tb_bg "$SRV" "$PORTFENCE" --pin-dir "$PIN" block --ip "$VIP" --port 3277 \
	--drain 60000 --drain-stall 60000 --drain-quiet 60000 >/dev/null
sleep 0.5
kill -9 "$TB_PID"
is "no socket was reset while the block ran" "$(killed "$(srv_log "$VIP" 3277)")" 0
ok "the killed block's portal stays fenced" fenced --ip "$VIP" --port 3277
ok "within 5 s of the kill the drain has lapsed: the server's sockets are reset" \
	tb_wait 5 killed_at_least "$(srv_log "$VIP" 3277)" 2
ok "new connections are still held off" syn_dropped "$VIP" 3277

done_testing
