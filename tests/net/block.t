#!/usr/bin/env bash
# block tears down the portal's established sockets before it returns:
# servers with full send queues (hundreds of KB, sent as GSO super-packets
# to slow readers) see each socket killed, not closed; block names each
# connection it destroyed and the counters say so. --drain 0: at once, as
# this is about (the drain has its own test, drain.t).
. "$(dirname "$0")/netlib.sh"
net_bed

serve "$VIP" 3260
hold "$VIP" 3260 4
reader "$VIP" 3260 r1
reader "$VIP" 3260 r2
log=$(srv_log "$VIP" 3260)
ok "the servers' send queues are full (>= 256 KiB queued)" tb_wait 5 queues_full "$SRV" "$VIP" 3260 262144
is "6 established sockets on the portal before" "$(established "$SRV" "$VIP" 3260)" 6
ip netns exec "$SRV" ss -Htn state established "( sport = :3260 )" | awk '{ print $3 "\t" $4 }' | sort >"$WORK/before"

pf block --ip "$VIP" --port 3260 --drain 0 >"$WORK/out" 2>"$WORK/err"
is "block exits 0" "$?" 0
is "when block returns, the portal has no established socket" "$(established "$SRV" "$VIP" 3260)" 0
ok "the servers saw all 6 sockets killed" tb_wait 3 killed_at_least "$log" 6
is "... none closed cleanly" "$(closed "$log")" 0
[ -s "$WORK/err" ] && sed 's/^/# stderr: /' "$WORK/err"

# The entry is live before the sweep runs: a server transmitting in
# between has its socket reset by the egress program (ECONNRESET) instead
# of destroyed by the sweep (ECONNABORTED). Between them, all 6.
sed -n 's/^destroyed //p' "$WORK/out" | sort >"$WORK/destroyed"
swept=$(wc -l <"$WORK/destroyed")
aborted=$(grep -c '^Software caused connection abort' "$log")
reset=$(grep -c '^Connection reset by peer' "$log")
diag "$swept destroyed by the sweep, $reset reset on egress"
ok "block destroyed at least one (the clients never read)" ge "$swept" 1
is "block prints only connections that were there" "$(comm -23 "$WORK/destroyed" "$WORK/before")" ""
ok "block prints the count and the mechanism" grep -qE "^$swept connections? destroyed \((bpf_sock_destroy|sock_diag)\)" "$WORK/out"
ok "block says what it fenced" grep -qF "fenced tcp $VIP port 3260 (direction both, method drop)" "$WORK/out"
is "the server saw as many aborted as block destroyed" "$aborted" "$swept"
is "... and the others reset" "$reset" $((6 - swept))
is "status --json: socks_destroyed" "$(pf_json 'd["counters"]["socks_destroyed"]' status --json)" "$swept"
is "list --json: the portal's socks_destroyed" "$(pf_json 'd[0]["counters"]["socks_destroyed"]' list --json)" "$swept"
ok "list --json: a local reset for each socket reset on egress" \
	ge "$(pf_json 'd[0]["counters"]["local_resets"]' list --json)" "$reset"
ok "status names the sweep mechanism" bash -c '[[ $1 =~ ^(bpf_sock_destroy|sock_diag)$ ]]' _ \
	"$(pf_json 'd["sock_destroy"]' status --json)"

# method drop: the RSTs of the destroyed sockets never reach the clients,
# which see neither an error nor an answer (docs/reference.md, Fence
# semantics)
is "drop: the clients were not told (6 sockets still established there)" \
	"$(ip netns exec "$CLI" ss -Htn state established "( dst $VIP:3260 )" | wc -l)" 6
ok "drop: reader r1 saw no reset" grep -q '^connected' "$WORK/r1"
ok "a new connection attempt gets no answer" syn_dropped "$VIP" 3260
ok "... and is counted in syns_dropped" ge \
	"$(pf_json 'd[0]["counters"]["syns_dropped"]' list --json)" 1
is "the portal still has no established socket" "$(established "$SRV" "$VIP" 3260)" 0

done_testing
