#!/usr/bin/env bash
# portfence-peerd on two corosync nodes (no pacemaker): node2's store
# follows node1's portal peers within a second of each connection opening
# or closing, keeps node1's list when node1's daemon is SIGKILLed, and a
# restarted node2 daemon learns it again; IPv6; the bound past a flood.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/clusterlib.sh"
cl_need
PEERD=${PORTFENCE_PEERD:-$TOP/build/portfence-peerd}
# res RC NAME: a test passed when RC is 0.
res() {
	local rc=$1; shift
	ok "$*" test "$rc" = 0
	[ "$rc" = 0 ] || { diag "node2's store:"; store | sed 's/^/#   /'; }
}
ok "portfence-peerd is built ($PEERD)" test -x "$PEERD"
[ -x "$PEERD" ] || { done_testing; exit; }

CL_LUN_FILES=0 CL_CHAP_PASSWORD=unused
CONNS=$CL_HERE/tcpconns.py
V6_1=2001:db8:19::11 V6_INI=2001:db8:19::1
MAX=50
declare -A CL_PEERD CL_SERVER

CL_COROSYNC_ONLY=1 cl_up
up=$?
res $up "two corosync nodes members of each other (${CL_FORM_MS:-?} ms)"
[ "$up" = 0 ] || { done_testing; exit; }
ip -n "${CL_NS[node1]}" addr add "$V6_1/64" dev eth0 nodad &&
	ip -n "${CL_NS[ini]}" addr add "$V6_INI/64" dev eth0 nodad

root2=/proc/${CL_HOLDER[node2]}/root
store() { cat "$root2/run/portfence/peers/node1" 2>/dev/null; }
state() { sed -n "s/^$2 //p" "/proc/${CL_HOLDER[$1]}/root/run/portfence/peerd.state" 2>/dev/null; }
joined() { [ "$(state "$1" joined)" = 1 ] && [ "$(state "$1" members)" = 2 ]; }
peerd() {
	_cl_daemon "$1" PEERD portfence-peerd --max-peers "$MAX" "$2:3260" "[$3]:3260"
	_tb_pids+=("${CL_PEERD[$1]}")
}
# within MS CMD...: CMD within MS milliseconds, polled every 20 ms; the
# time taken in $took.
within() {
	local limit=$1 t0
	shift
	t0=$(cl_ms)
	while ! "$@"; do
		took=$(($(cl_ms) - t0))
		[ "$took" -le "$limit" ] || return 1
		sleep 0.02
	done
	took=$(($(cl_ms) - t0))
}
listed() { store | grep -qxF "$1"; }
unlisted() { ! listed "$1"; }
lines_are() { [ "$(store | wc -l)" = "$1" ]; }
store_is() { [ "$(store)" = "$1" ]; }
v4_peers_are() { [ "$(store | grep -c "^${CL_ADDR[node1]}:3260	")" = "$1" ]; }
# client ADDR N OUT: N connections from the initiator's namespace, held;
# their local ends in OUT, the pid in $client.
client() {
	: >"$3"
	ip netns exec "${CL_NS[ini]}" python3 "$CONNS" client "$1" 3260 "$2" >"$3" &
	client=$!
	_tb_pids+=("$client")
	tb_wait 20 grep -qx ready "$3"
}

_cl_daemon node1 SERVER python3 "$CONNS" server "${CL_ADDR[node1]}" 3260 "$V6_1" 3260
_tb_pids+=("${CL_SERVER[node1]}")
peerd node1 "${CL_ADDR[node1]}" "$V6_1"
peerd node2 "${CL_ADDR[node2]}" 2001:db8:19::12
cl_wait 20 joined node1 && cl_wait 20 joined node2
res $? "both daemons joined the group"
cl_wait 5 test -f "$root2/run/portfence/peers/node1"
res $? "node2's store has node1's (empty) list: $(store | wc -l) lines"

# One IPv4 connection, opened and closed.
tmp=$CL_DIR/conns
client "${CL_ADDR[node1]}" 1 "$tmp.a"
a=$(head -1 "$tmp.a")
line="${CL_ADDR[node1]}:3260	$a"
within 1000 listed "$line"
res $? "a new connection ($a) in node2's store within 1 s (${took} ms)"
st=$(stat -c '%U %F %a' "$root2/run/portfence/peers/node1")
is "the store's file is root's, a regular file" "$st" "root regular file 644"
kill "$client"
within 1000 unlisted "$line"
res $? "the closed connection gone from node2's store within 1 s (${took} ms)"

# IPv6.
client "$V6_1" 1 "$tmp.b"
b=$(head -1 "$tmp.b")
line6="[$V6_1]:3260	$b"
within 1000 listed "$line6"
res $? "an IPv6 connection ($b) listed within 1 s (${took} ms): $(store | grep -F "$b")"

# Several, then node1's daemon SIGKILLed: node2 keeps node1's list.
client "${CL_ADDR[node1]}" 5 "$tmp.c"
within 1000 lines_are 6
res $? "five more connections listed within 1 s (${took} ms)"
before=$(store)
kill -9 "${CL_PEERD[node1]}"
cl_wait 10 test "$(state node2 members)" = 1
is "node2 saw node1's daemon leave" "$(state node2 members)" 1
sleep 1
is "node1's list kept in node2's store after its daemon's death" "$(store)" "$before"
ok "node2 logged the leave and kept the list" \
	grep -q 'node 1 left the group: its last list is kept' "$CL_DIR/node2/PEERD.out"

# node1 back, then node2 restarted on an empty store: it relearns the list.
peerd node1 "${CL_ADDR[node1]}" "$V6_1"
cl_wait 20 joined node1
kill "${CL_PEERD[node2]}"
cl_wait 5 test ! -e "$root2/run/portfence/peerd.state"
rm -f "$root2/run/portfence/peers/node1"
peerd node2 "${CL_ADDR[node2]}" 2001:db8:19::12
within 3000 store_is "$before"
res $? "a restarted node2 daemon relearned node1's list ($(store | wc -l) lines) in ${took} ms"
store | python3 -c '
import re, sys
ep = r"(\d+\.\d+\.\d+\.\d+:\d+|\[[0-9a-f:]+\]:\d+)"
bad = [l for l in sys.stdin if not re.fullmatch(ep + "\t" + ep + "\n", l)]
sys.exit(1 if bad else 0)'
res $? "every line LOCAL<TAB>REMOTE in the tickle file format"
# portfence's own tickle file parser reads the store's file: every line
# checked before any peer is tickled (exit 2 on a bad one); on node1,
# where the local ends are, each peer gets its tickle ACK.
cp "$root2/run/portfence/peers/node1" "$CL_DIR/store.copy"
out=$(cl_exec node1 portfence tickle --file "$CL_DIR/store.copy" --count 1 2>&1)
res $? "portfence tickle --file takes node2's file of node1 ($(echo "$out" | tail -1))"

# A flood: 80 connections at once on a portal bounded to $MAX peers.
pub0=$(state node1 published)
t0=$(cl_ms)
client "${CL_ADDR[node1]}" 80 "$tmp.d"
within 2000 v4_peers_are "$MAX"
res $? "the flood: node2 lists $MAX of node1's IPv4 peers, the bound ($(store | wc -l) lines, ${took} ms)"
sleep 1.5
v4=$(store | grep -c "^${CL_ADDR[node1]}:3260	")
is "still $MAX after the flood settled" "$v4" "$MAX"
ok "the other portal's peer still listed" listed "$line6"
dropped_is() { [ "$(state node1 dropped)" = "$1" ]; }
within 3000 dropped_is $((5 + 80 - MAX))
dropped=$(state node1 dropped)
is "node1 counts the connections past the bound" "$dropped" $((5 + 80 - MAX))
ok "and logs them" grep -q 'past the bound' "$CL_DIR/node1/PEERD.out"
pub=$(( $(state node1 published) - pub0 )) secs=$(( ($(cl_ms) - t0 + 999) / 1000 ))
ok "node1 published $pub times in ${secs} s (at most 10 a second)" \
	test "$pub" -le $((10 * secs + 1))
done_testing
