#!/usr/bin/env bash
# The drain (block's default with direction both/out): a server's reply
# of several MB, queued when the fence goes up, reaches a client that
# keeps reading, to the last byte, before its connection is reset; what
# the client sends once the fence is up never reaches the server; a
# client that reads nothing is cut when its queue stops moving; --drain 0
# discards at once. What block prints and the counters agree. Drained
# means answered: a request the server read, or has still to read, before
# the cut is answered before its socket goes (within --drain-quiet); one
# never read ends at the deadline, said so with the bytes left unread.
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
ok "their queues are full" tb_wait 10 queues_all_full "$SRV" "$VIP" 3261 3 65536
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
ok "their queues are full" tb_wait 10 queues_all_full "$SRV" "$VIP" 3262 2 65536
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

# --- drained means answered: a request the server read (or has still to
# read) before the cut is answered before its socket goes, each socket's
# ending (drained, deadline) is said, and --drain-quiet is honoured
mono() { "$PY" -c 'import time; print("%.3f" % time.monotonic())'; }
# late PORT READ_MS ANSWER_MS: a server that reads its one request READ_MS
# after it arrived and answers ANSWER_MS later, its client asking.
late() {
	tb_bg "$SRV" "$PY" "$PEER" late-server "$VIP" "$1" "$2" "$3" "$WORK/late$1" 2>"$WORK/late$1.err"
	tb_wait 3 grep -qs listening "$WORK/late$1" || diag "late server $1 did not start"
	tb_bg "$CLI" "$PY" "$PEER" ask "$VIP" "$1" "$WORK/ask$1" 2>"$WORK/ask$1.err"
	tb_wait 3 grep -qsE '^(sent|answer)' "$WORK/ask$1" || diag "client of $1 did not send"
}
# timed_block OUT ARGS...: block, its wall time in seconds in $took.
timed_block() {
	local out=$1 t0
	shift
	t0=$(mono)
	pf block --ip "$VIP" "$@" >"$out" 2>&1
	rc=$?
	took=$("$PY" -c "print('%.3f' % ($(mono) - $t0))")
	sed 's/^/# /' "$out"
	diag "block took $took s"
}
within() { "$PY" -c "import sys; sys.exit(not ($2 <= $1 <= $3))"; }
answered() { tb_wait 3 bash -c 'grep -q "^answer " "$1" && grep -q "^reset " "$1"' _ "$WORK/ask$1"; }
unread_at() { [ "$(ip netns exec "$SRV" ss -Htn state established "( sport = :$1 )" | awk '{ s += $1 } END { print s + 0 }')" -ge 1 ]; }

# the defaults: a command of 60 ms is inside the 100 ms window
late 3277 0 60
ok "answer pending: the server has read the request" tb_wait 3 grep -qs '^read' "$WORK/late3277"
timed_block "$WORK/out3277" --port 3277
is "answer pending: block exits 0" "$rc" 0
ok "answer pending: the client received the answer, then the reset" answered 3277
ok "answer pending: block says drained" \
	grep -qE "^drained $VIP:3277	$CLIENT:[0-9]+	0 bytes discarded$" "$WORK/out3277"

# a connection whose peer last acknowledged data long ago: a large answer
# written after the cut is not taken for a stalled queue
tb_bg "$SRV" "$PY" "$PEER" late-server "$VIP" 3278 0 60 "$WORK/late3278" $((4 * 1024 * 1024)) 2>"$WORK/late3278.err"
tb_wait 3 grep -qs listening "$WORK/late3278" || diag "late server 3278 did not start"
tb_bg "$CLI" "$PY" "$PEER" ask "$VIP" 3278 "$WORK/ask3278" 300 2>"$WORK/ask3278.err"
ok "second request: the server has read it, 300 ms after the first answer" \
	tb_wait 5 grep -qs '^read2' "$WORK/late3278"
timed_block "$WORK/out3278" --port 3278
is "second request: block exits 0" "$rc" 0
ok "second request: block says drained, nothing discarded" \
	grep -qE "^drained $VIP:3278	$CLIENT:[0-9]+	0 bytes discarded$" "$WORK/out3278"
ok "second request: the client received all of both answers, then the reset" \
	tb_wait 5 bash -c 'grep -q "^answer .* $2$" "$1" && grep -q "^reset " "$1"' _ "$WORK/ask3278" $((4 * 1024 * 1024 + 7))

# a command of 300 ms needs a window past it
late 3270 0 300
ok "answer in 300 ms: the server has read the request" tb_wait 3 grep -qs '^read' "$WORK/late3270"
timed_block "$WORK/out3270" --port 3270 --drain-quiet 500
is "answer in 300 ms: block exits 0" "$rc" 0
ok "answer in 300 ms: block waited for the answer (>= 0.25 s), within the deadline" within "$took" 0.25 1.5
ok "answer in 300 ms: the client received the answer, then the reset" answered 3270
ok "answer in 300 ms: block says drained" \
	grep -qE "^drained $VIP:3270	$CLIENT:[0-9]+	0 bytes discarded$" "$WORK/out3270"

late 3271 400 0
ok "unread request: it sits in the server's receive queue" tb_wait 3 unread_at 3271
timed_block "$WORK/out3271" --port 3271
is "unread request: block exits 0" "$rc" 0
ok "unread request: block waited for the server to read and answer it" within "$took" 0.3 1.5
ok "unread request: the client received the answer, then the reset" answered 3271
ok "unread request: block says drained" \
	grep -qE "^drained $VIP:3271	$CLIENT:[0-9]+	0 bytes discarded$" "$WORK/out3271"

late 3272 60000 0
ok "never read: the request sits in the receive queue" tb_wait 3 unread_at 3272
timed_block "$WORK/out3272" --port 3272 --drain 500
is "never read: block exits 0" "$rc" 0
ok "never read: the deadline bounds the drain (0.45 to 1.5 s)" within "$took" 0.45 1.5
ok "never read: block says deadline and the bytes left unread" \
	grep -qE "^deadline $VIP:3272	$CLIENT:[0-9]+	0 bytes discarded, 8 unread$" "$WORK/out3272"
ok "... and sums it up" grep -qE "^1 connection destroyed \(bpf_sock_destroy\): 0 drained, 0 stalled, 1 at the deadline, 0 bytes discarded$" "$WORK/out3272"

late 3273 0 300
tb_wait 3 grep -qs '^read' "$WORK/late3273" || diag "late server 3273 did not read"
timed_block "$WORK/out3273" --port 3273 --drain 5000 --drain-quiet 1000
is "--drain-quiet 1000: block exits 0" "$rc" 0
ok "--drain-quiet 1000: block waited a second past the answer (>= 1.2 s)" within "$took" 1.2 4
ok "--drain-quiet 1000: the client received the answer" answered 3273

late 3274 0 300
tb_wait 3 grep -qs '^read' "$WORK/late3274" || diag "late server 3274 did not read"
timed_block "$WORK/out3274" --port 3274 --drain-quiet 0
is "--drain-quiet 0: block exits 0" "$rc" 0
ok "--drain-quiet 0: an empty send queue is drained at once, as without the window" within "$took" 0 0.25
ok "--drain-quiet 0: block says drained" \
	grep -qE "^drained $VIP:3274	$CLIENT:[0-9]+	0 bytes discarded$" "$WORK/out3274"
ok "--drain-quiet 0: so the client was reset without its answer" \
	tb_wait 3 bash -c 'grep -q "^reset " "$1" && ! grep -q "^answer " "$1"' _ "$WORK/ask3274"

late 3275 0 0
ok "idle: the client got its answer" tb_wait 3 grep -qs '^answer' "$WORK/ask3275"
sleep 2.5
timed_block "$WORK/out3275" --port 3275 --drain 5000 --drain-quiet 2000
ok "idle for longer than the window: drained at once (< 1 s)" within "$took" 0 1
ok "idle: block says drained" grep -qE "^drained $VIP:3275	$CLIENT:[0-9]+	0 bytes discarded$" "$WORK/out3275"

ok "--drain-quiet takes milliseconds: a bad value is refused" bash -c '
	"$@" block --ip 198.18.0.1 --port 3276 --drain-quiet 5x >/dev/null 2>"$0"; [ $? -eq 2 ]' \
	"$WORK/badq" ip netns exec "$SRV" "$PORTFENCE" --pin-dir "$PIN"
ok "... naming it" grep -q "'5x'" "$WORK/badq"

done_testing
