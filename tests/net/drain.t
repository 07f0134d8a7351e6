#!/usr/bin/env bash
# The drain (block's default with direction both/out): a server's reply
# of several MB, queued when the fence goes up, reaches a client that
# keeps reading, to the last byte, before its connection is reset; what
# the client sends once the fence is up never reaches the server; a
# client that reads nothing is cut when its queue stops moving; --drain 0
# discards at once. What block prints and the counters agree.
. "$(dirname "$0")/netlib.sh"
net_bed

REPLY=$((6 * 1024 * 1024))
status_field() { awk -v f="$2" '{ for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }' "$WORK/$1"; }
steady_state() { awk '{ print $1 }' "$WORK/$1"; }
steady_received() { awk '{ print $3 }' "$WORK/$1"; }
steady_sent() { awk '{ print $4 }' "$WORK/$1"; }
counter() { pf_json "[e['counters']['$2'] for e in d if e['port'] == $1][0]" list --json; }
# printed_bytes OUT: the bytes discarded block printed, socket by socket.
printed_bytes() { awk -F'\t' '/ bytes discarded$/ { split($3, a, " "); s += a[1] } END { print s + 0 }' "$1"; }

# --- a reader: everything written arrives, nothing new gets in
tb_bg "$SRV" "$PY" "$PEER" reply-server "$VIP" 3260 "$REPLY" "$WORK/srv" 2>"$WORK/srv.err"
tb_wait 3 grep -qs listening "$WORK/srv" || diag "reply server did not start"
tb_bg "$CLI" "$PY" "$PEER" steady "$VIP" 3260 "$WORK/cli" 2>"$WORK/cli.err"
client=$TB_PID
ok "the client is connected and has sent its request" tb_wait 3 grep -qs '^connected' "$WORK/cli"
ok "a large reply is queued on the server (>= 1 MiB)" tb_wait 5 queues_full "$SRV" "$VIP" 3260 1048576
received_before=$(status_field srv received)
diag "server got $received_before request bytes; Send-Q $(send_q_max "$SRV" "$VIP" 3260)"

# Generous limits: the client reads at its own pace, the outcome (not the
# time) is what is checked.
pf block --ip "$VIP" --port 3260 --drain 60000 --drain-stall 5000 >"$WORK/out1" 2>"$WORK/err1" &
block=$!
tb_wait 3 fenced --ip "$VIP" --port 3260 || diag "the fence did not appear"
kill -USR1 "$client"
ok "the client sent a new request after the fence went up" tb_wait 3 bash -c '[ "$(awk "{ print \$4 }" "$1")" -gt 16 ]' _ "$WORK/cli"
wait "$block"
is "block exits 0" "$?" 0
sed 's/^/# /' "$WORK/out1" "$WORK/err1"
is "when block returns, the portal has no established socket" "$(established "$SRV" "$VIP" 3260)" 0
ok "block says the socket drained, nothing discarded" \
	grep -qE "^drained $VIP:3260	$CLIENT:[0-9]+	0 bytes discarded$" "$WORK/out1"
ok "... and sums it up" grep -qE "^1 connection destroyed \(bpf_sock_destroy\): 1 drained, 0 stalled, 0 at the deadline, 0 bytes discarded$" "$WORK/out1"
ok "the server wrote its whole reply" tb_wait 3 grep -q "^written $REPLY " "$WORK/srv"
ok "the client received every byte the server wrote, then was reset" tb_wait 10 bash -c \
	'[ "$(awk "{ print \$1, \$3 }" "$1")" = "reset $2" ]' _ "$WORK/cli" "$REPLY"
diag "client: $(cat "$WORK/cli")"
is "the server never received what the client sent after the fence" \
	"$(status_field srv received)" "$received_before"
ok "... though the client did send it" ge "$(steady_sent cli)" 1016
is "counters: drained 1" "$(counter 3260 drained)" 1
is "counters: discarded_bytes 0" "$(counter 3260 discarded_bytes)" 0
ok "counters: the request's payload cut away is counted" ge "$(counter 3260 segs_dropped)" 1
ok "a new connection attempt gets no answer" syn_dropped "$VIP" 3260

# --- the same over IPv6
tb_bg "$SRV" "$PY" "$PEER" reply-server "$VIP6" 3264 "$REPLY" "$WORK/srv6" 2>"$WORK/srv6.err"
tb_wait 3 grep -qs listening "$WORK/srv6" || diag "IPv6 reply server did not start"
tb_bg "$CLI" "$PY" "$PEER" steady "$VIP6" 3264 "$WORK/cli6" 2>"$WORK/cli6.err"
client6=$TB_PID
ok "IPv6: a large reply is queued" tb_wait 5 queues_full "$SRV" "$VIP6" 3264 1048576
received6=$(status_field srv6 received)
pf block --ip "$VIP6" --port 3264 --drain 60000 --drain-stall 5000 >"$WORK/out6" 2>&1 &
block=$!
tb_wait 3 fenced --ip "$VIP6" --port 3264 || diag "the IPv6 fence did not appear"
kill -USR1 "$client6"
wait "$block"
is "IPv6: block exits 0" "$?" 0
ok "IPv6: the socket drained" grep -qE "^drained \[$VIP6\]:3264	\[$CLIENT6\]:[0-9]+	0 bytes discarded$" "$WORK/out6"
ok "IPv6: the server wrote its whole reply" tb_wait 3 grep -q "^written $REPLY " "$WORK/srv6"
ok "IPv6: the client received all of it, then was reset" tb_wait 10 bash -c \
	'[ "$(awk "{ print \$1, \$3 }" "$1")" = "reset $2" ]' _ "$WORK/cli6" "$REPLY"
is "IPv6: nothing sent after the fence reached the server" "$(status_field srv6 received)" "$received6"

# --- two portals drained by two blocks at once: each says what it ended
# of its own portal and nothing of the other's (a pass of either block
# may end sockets of both: each is told once, or by neither)
for p in 3265 3266; do serve "$VIP" $p; hold "$VIP" $p 3 "c$p"; done
pf block --ip "$VIP" --port 3265 >"$WORK/out3265" 2>&1 &
b1=$!
pf block --ip "$VIP" --port 3266 >"$WORK/out3266" 2>&1 &
b2=$!
wait "$b1"; r1=$?
wait "$b2"; r2=$?
is "concurrent: both blocks exit 0" "$r1 $r2" "0 0"
for p in 3265 3266; do
	sed 's/^/# /' "$WORK/out$p"
	is "concurrent $p: no established socket left" "$(established "$SRV" "$VIP" $p)" 0
	is "concurrent $p: block speaks only of its own portal" \
		"$(grep -E '^(destroyed|drained|stalled|deadline) ' "$WORK/out$p" | grep -cv " $VIP:$p	")" 0
	is "concurrent $p: the counters saw 3 destroyed" "$(counter $p socks_destroyed)" 3
done
is "concurrent: no socket told twice" \
	"$(cat "$WORK/out3265" "$WORK/out3266" | grep -E '^(destroyed|drained|stalled|deadline) ' | cut -f2 | sort | uniq -d)" ""

# --- clients that never read: cut when their queues stop moving
serve "$VIP" 3261
hold "$VIP" 3261 3
ok "their queues are full" tb_wait 5 queues_full "$SRV" "$VIP" 3261 65536
pf block --ip "$VIP" --port 3261 --drain 60000 >"$WORK/out2" 2>"$WORK/err2"
is "block exits 0" "$?" 0
sed 's/^/# /' "$WORK/out2" "$WORK/err2"
is "no established socket left" "$(established "$SRV" "$VIP" 3261)" 0
is "block says all 3 stalled" "$(grep -cE "^stalled $VIP:3261	$CLIENT:[0-9]+	[1-9][0-9]* bytes discarded$" "$WORK/out2")" 3
ok "... and sums it up" grep -qE "^3 connections destroyed \(bpf_sock_destroy\): 0 drained, 3 stalled, 0 at the deadline, $(printed_bytes "$WORK/out2") bytes discarded$" "$WORK/out2"
is "counters: discarded_bytes is what block printed" "$(counter 3261 discarded_bytes)" "$(printed_bytes "$WORK/out2")"
is "counters: drained 0" "$(counter 3261 drained)" 0
is "counters: socks_destroyed 3" "$(counter 3261 socks_destroyed)" 3

# --- --drain 0: at once, as without the drain
serve "$VIP" 3262
hold "$VIP" 3262 2
ok "their queues are full" tb_wait 5 queues_full "$SRV" "$VIP" 3262 65536
pf block --ip "$VIP" --port 3262 --drain 0 >"$WORK/out3" 2>"$WORK/err3"
is "block --drain 0 exits 0" "$?" 0
sed 's/^/# /' "$WORK/out3" "$WORK/err3"
is "no established socket left" "$(established "$SRV" "$VIP" 3262)" 0
swept=$(grep -cE "^destroyed $VIP:3262	$CLIENT:[0-9]+$" "$WORK/out3")
discarded=$(sed -nE 's/^[0-9]+ connections? destroyed \(bpf_sock_destroy\): ([0-9]+) bytes discarded$/\1/p' "$WORK/out3")
ok "block names what it destroyed at once" ge "$swept" 1
ok "... and the bytes discarded" ge "$discarded" 1
is "counters: discarded_bytes is what block printed" "$(counter 3262 discarded_bytes)" "$discarded"
is "counters: drained 0" "$(counter 3262 drained)" 0
is "drop: the clients were not told" "$(killed "$WORK/hold-$VIP-3262")" 0

# --- a portal with no connection: nothing to wait for
pf block --ip "$VIP" --port 3263 >"$WORK/out4"
is "block of an idle portal exits 0" "$?" 0
ok "... destroying nothing" grep -qE '^0 connections destroyed \(bpf_sock_destroy\)' "$WORK/out4"
# PF_F_DRAINING (2) is off in every entry once its block has returned
drain_flags() {
	ip netns exec "$SRV" bpftool -j map dump pinned "$PIN/portals" |
		"$PY" -c 'import json, sys; print(sum(1 for e in json.load(sys.stdin) if e["formatted"]["value"]["flags"] & 2))'
}
is "the drains have ended: every entry is a plain fence again" "$(drain_flags)" 0

# the global counters are the sum of the portals'
is "status: drained (the 2 readers)" "$(pf_json 'd["counters"]["drained"]' status --json)" 2
is "status: discarded_bytes is the portals' sum" "$(pf_json 'd["counters"]["discarded_bytes"]' status --json)" \
	"$(pf_json 'sum(e["counters"]["discarded_bytes"] for e in d)' list --json)"
if command -v bpftool >/dev/null; then
	ip netns exec "$SRV" bpftool map dump pinned "$PIN/stats" >"$WORK/stats"
	ok "bpftool shows the drained counter by name" grep -q '"drained": ' "$WORK/stats"
	ok "... and discarded_bytes" grep -q '"discarded_bytes": ' "$WORK/stats"
fi

done_testing
