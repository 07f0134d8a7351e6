#!/usr/bin/env bash
# Wake on unblock: a peer whose SYN the fence dropped is connected within
# 1 s of unblock, although its own next SYN is seconds away; a peer holding
# a connection the node lost is reset within 1 s, although its next
# retransmission is seconds away; a connection the node holds (direction
# in keeps them) is left alone; --no-wake sends nothing; only the lifted portal's peers are woken;
# a peer with a local address is never sent anything.
#
# The waits are arranged so that TCP's own retry comes at least 2 s after
# unblock (SYNs are retried at 1, 3, 7 s; data at 0.2, 0.6, 1.4, 3, 6.2 s):
# "within 1 s" then tells the wake-up from the retry. Kernels since 6.18
# retry the first SYNs every second (tcp_syn_linear_timeouts): the client
# node gets the exponential schedule every other kernel has.
. "$(dirname "$0")/netlib.sh"
net_bed
ip netns exec "$CLI" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null

mono() { "$PY" -c 'import time; print("%.3f" % time.monotonic())'; }
# status NAME: the first word of a peer.py status file; at NAME: its time.
status() { awk '{ print $1 }' "$WORK/$1" 2>/dev/null; }
at() { awk '{ print $NF }' "$WORK/$1"; }
status_is() { [ "$(status "$1")" = "$2" ]; }
# within NAME T0 S: the peer's status changed at most S seconds after T0.
within() { "$PY" -c 'import sys; sys.exit(not float(sys.argv[1]) - float(sys.argv[2]) <= float(sys.argv[3]))' \
	"$(at "$1")" "$2" "$3"; }
# connector ADDR PORT NAME [NS]: a blocking connect() (from the client node).
connector() { tb_bg "${4:-$CLI}" "$PY" "$PEER" connect "$1" "$2" "$WORK/$3"; }
knocks() { pf_json "sum(e['counters']['knocks'] for e in d if e['port'] == $1)" list --json; }
knocks_at_least() { [ "$(knocks "$1")" -ge "$2" ]; }
woken() { pf_json 'd["counters"]["woken"]' status --json; }

# --- a pending connect() is completed at once
serve "$VIP" 3260
pf block --ip "$VIP" --port 3260 >/dev/null
connector "$VIP" 3260 c1
ok "syn: the first three SYNs (0, 1, 3 s) are recorded" tb_wait 6 knocks_at_least 3260 3
ok "syn: the connect is still pending while fenced" status_is c1 connecting
pf conns --knocked --port 3260 >"$WORK/knocked"
ok "syn: conns --knocked lists the peer as a SYN" \
	grep -qE "^$VIP:3260	$CLIENT:[0-9]+	syn	[0-9]+ms$" "$WORK/knocked"
t0=$(mono)
pf unblock --ip "$VIP" --port 3260 >"$WORK/out"
is "syn: unblock exits 0" "$?" 0
ok "syn: unblock says it replayed the SYN" grep -qE "^woke $VIP:3260	$CLIENT:[0-9]+ \(SYN replayed\)$" "$WORK/out"
ok "syn: and counts one peer" grep -qx "1 peer woken" "$WORK/out"
ok "syn: the client is connected" tb_wait 2 status_is c1 connected
ok "syn: within 1 s of unblock (its own next SYN was 4 s away)" within c1 "$t0" 1
is "syn: status counts it in woken" "$(woken)" 1
is "syn: the record is gone" "$(pf conns --knocked | wc -l)" 0

# --- --no-wake: nothing is sent; the peer waits for its own retry
pf block --ip "$VIP" --port 3260 >/dev/null
connector "$VIP" 3260 c2
ok "no-wake: three SYNs recorded" tb_wait 6 knocks_at_least 3260 3
pf unblock --ip "$VIP" --port 3260 --no-wake >"$WORK/out"
is "no-wake: unblock exits 0" "$?" 0
ok "no-wake: unblock wakes nobody" bash -c '! grep -q woke "$1"' _ "$WORK/out"
sleep 1.5
ok "no-wake: 1.5 s later the connect is still pending" status_is c2 connecting
is "no-wake: woken unchanged" "$(woken)" 1
is "no-wake: the records are forgotten" "$(pf conns --knocked | wc -l)" 0
ok "no-wake: the client connects at its own retry (the fence is lifted)" \
	tb_wait 6 status_is c2 connected

# --- IPv6
serve "$VIP6" 3261
pf block --ip "$VIP6" --port 3261 >/dev/null
connector "$VIP6" 3261 c6
ok "ipv6: three SYNs recorded" tb_wait 6 knocks_at_least 3261 3
t0=$(mono)
pf unblock --ip "$VIP6" --port 3261 >"$WORK/out"
ok "ipv6: unblock replays the SYN" grep -qE "^woke \[$VIP6\]:3261	\[$CLIENT6\]:[0-9]+ \(SYN replayed\)$" "$WORK/out"
ok "ipv6: the client is connected" tb_wait 2 status_is c6 connected
ok "ipv6: within 1 s of unblock" within c6 "$t0" 1

# --- a connection the node lost: the peer is reset at once
quiet "$VIP" 3262 q1
tb_bg "$CLI" "$PY" "$PEER" stale "$VIP" 3262 "$WORK/s1"
STALE_PID=$TB_PID
ok "lost: the client is connected" tb_wait 3 status_is s1 connected
pf block --ip "$VIP" --port 3262 --keep-established >/dev/null
# The node loses the connection without telling the peer: destroyed here,
# its RST dropped by the fence (method drop).
ip netns exec "$SRV" ss -K state established "( sport = :3262 )" >/dev/null 2>&1
ok "lost: the server's socket is gone" tb_wait 2 quiet_has q1 aborted 1
kill -USR1 "$STALE_PID"
ok "lost: the client sent data" tb_wait 2 status_is s1 sent
ok "lost: its retransmissions are recorded (through 3 s)" tb_wait 10 knocks_at_least 3262 6
ok "lost: the client still waits" status_is s1 sent
pf conns --knocked --port 3262 >"$WORK/knocked"
ok "lost: conns --knocked lists it as a segment" \
	grep -qE "^$VIP:3262	$CLIENT:[0-9]+	segment	" "$WORK/knocked"
t0=$(mono)
pf unblock --ip "$VIP" --port 3262 >"$WORK/out"
ok "lost: unblock resets the peer" grep -qE "^woke $VIP:3262	$CLIENT:[0-9]+ \(reset\)$" "$WORK/out"
ok "lost: the client sees the reset" tb_wait 2 status_is s1 reset
ok "lost: within 1 s of unblock (its next retransmission was 3 s away)" within s1 "$t0" 1

# --- connections the node holds are left alone
serve "$VIP" 3263
reader "$VIP" 3263 r1
pf block --ip "$VIP" --port 3263 --direction in >/dev/null
sleep 1
is "held (in): the reader's dropped ACKs are no knock" "$(knocks 3263)" 0
pf unblock --ip "$VIP" --port 3263 >"$WORK/out"
ok "held (in): unblock wakes nobody" bash -c '! grep -q woke "$1"' _ "$WORK/out"
ok "held (in): the connection goes on" reader_moves r1
# --- only the lifted portal's peers
serve "$VIP" 3265
serve "$VIP" 3266
pf block --ip "$VIP" --port 3265,3266 >/dev/null
connector "$VIP" 3265 c3
connector "$VIP" 3266 c4
ok "two portals: 3265 records SYNs" tb_wait 6 knocks_at_least 3265 3
ok "two portals: 3266 records SYNs" tb_wait 6 knocks_at_least 3266 3
t0=$(mono)
pf unblock --ip "$VIP" --port 3265 >"$WORK/out"
ok "two portals: only 3265's peer is woken" bash -c \
	'grep -q ":3265	" "$1" && ! grep -q ":3266	" "$1"' _ "$WORK/out"
ok "two portals: its client connects" tb_wait 2 status_is c3 connected
ok "two portals: within 1 s of unblock" within c3 "$t0" 1
sleep 1
ok "two portals: the other is still pending" status_is c4 connecting
pf conns --knocked >"$WORK/knocked"
ok "two portals: and still recorded" grep -q ":3266	" "$WORK/knocked"
pf unblock --ip "$VIP" --port 3266 >/dev/null
ok "two portals: the other connects once its portal opens" tb_wait 2 status_is c4 connected

# --- a local peer is never sent anything
serve "$VIP" 3267
pf block --ip "$VIP" --port 3267 >/dev/null
connector "$VIP" 3267 l1 "$SRV"
ok "local: the node's own SYN through lo is recorded" tb_wait 3 knocks_at_least 3267 1
before=$(woken)
pf unblock --ip "$VIP" --port 3267 >"$WORK/out"
ok "local: not woken, and says why" grep -qE "^not woken $VIP:3267	$VIP:[0-9]+ \(a local address\)$" "$WORK/out"
is "local: woken unchanged" "$(woken)" "$before"

done_testing
