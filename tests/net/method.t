#!/usr/bin/env bash
# --method drop (default) against --method reject, side by side on two
# ports of one address: a new SYN gets no answer / an RST, and the peers of
# the sockets block destroyed are left unaware / reset. --drain 0: a drain
# ends with each peer told (drain.t).
. "$(dirname "$0")/netlib.sh"
net_bed

for p in 3260 3261; do
	serve "$VIP" $p
	hold "$VIP" $p 2
	reader "$VIP" $p r$p
done
pf block --ip "$VIP" --port 3260 --drain 0 >/dev/null
is "block (drop) exits 0" "$?" 0
pf block --ip "$VIP" --port 3261 --method reject --drain 0 >"$WORK/out"
is "block --method reject exits 0" "$?" 0
ok "... and says so" grep -qF "fenced tcp $VIP port 3261 (direction both, method reject)" "$WORK/out"
for p in 3260 3261; do
	is "$p: no established socket left on the server" "$(established "$SRV" "$VIP" $p)" 0
	ok "$p: the server saw its 3 sockets killed" tb_wait 3 killed_at_least "$(srv_log "$VIP" $p)" 3
done

ok "drop: a new connection attempt times out (SYN dropped)" syn_dropped "$VIP" 3260
ok "reject: a new connection attempt is refused at once (RST)" refused "$VIP" 3261

ok "drop: the reader keeps its connection, unaware" grep -q '^connected' "$WORK/r3260"
is "drop: the never-reading clients too" "$(killed "$WORK/hold-$VIP-3260")" 0
ok "reject: the reader's connection is reset" tb_wait 3 reader_is r3261 reset
# (a server socket whose window probe goes out before the sweep reaches it
# is reset on egress instead; its peer must be reset all the same: see the
# zero-window case in keep_established.t)
ok "reject: the never-reading clients' too" tb_wait 3 killed_at_least "$WORK/hold-$VIP-3261" 2

peer_resets() { pf_json "[e['counters']['peer_resets'] for e in d if e['port'] == $1][0]" list --json; }
is "drop: no RST sent to peers" "$(peer_resets 3260)" 0
ok "reject: RSTs sent to peers are counted" ge "$(peer_resets 3261)" 1
ok "drop: the dropped SYN is counted" ge \
	"$(pf_json "[e['counters']['syns_dropped'] for e in d if e['port'] == 3260][0]" list --json)" 1

done_testing
