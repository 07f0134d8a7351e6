#!/usr/bin/env bash
# Peers another node held are reset as their portal opens here: a client
# holding a connection to a node that died (its retransmissions into the
# void backing off, the next one seconds away) is reset within 1 s of the
# survivor's unblock, which reads the store the cluster daemon keeps (one
# file per other node, "local<TAB>remote" lines), even when the client's
# ARP cache names the dead node for the first 0.3 s; IPv4 and IPv6, a
# wildcard portal matching on port. A peer already reconnected to the
# survivor on the same four-tuple, a local address and an address not
# local now are left alone; each reset is counted (status, metrics, list
# --lifted). unblock returns after its first round; the retries end
# within about a second. A missing store resets nothing and says nothing;
# a bad one is warned of, file by file, and never fails the unblock.
. "$(dirname "$0")/netlib.sh"
net_setup
new_netns SW sw
new_netns CLI cli
new_netns DEAD dead
new_netns SRV surv
new_bpffs PIN
SURV=198.18.0.12 SURV6=2001:db8::12
ip -n "$SW" link add br0 type bridge && ip -n "$SW" link set br0 up || exit 1
for n in CLI DEAD SRV; do
	ip link add "${n,,}0" netns "${!n}" type veth peer name "sw-${n,,}" netns "$SW" || exit 1
	ip -n "$SW" link set "sw-${n,,}" master br0 up && ip -n "${!n}" link set "${n,,}0" up || exit 1
done
net_addr "$CLI" cli0 "$CLIENT/24" "$CLIENT6/64"
net_addr "$DEAD" dead0 "$VIP/24" "$VIP6/64"
net_addr "$SRV" srv0 "$SURV/24" "$SURV6/64"
mac() { ip -n "$1" -br link show dev "$2" | awk '{ print $3 }'; }

mono() { "$PY" -c 'import time; print("%.3f" % time.monotonic())'; }
status() { awk '{ print $1 }' "$WORK/$1" 2>/dev/null; }
at() { awk '{ print $NF }' "$WORK/$1"; }
status_is() { [ "$(status "$1")" = "$2" ]; }
within() { "$PY" -c 'import sys; sys.exit(not float(sys.argv[1]) - float(sys.argv[2]) <= float(sys.argv[3]))' \
	"$(at "$1")" "$2" "$3"; }
# lport_to ADDR: the client's local port of its connection to ADDR:3260
lport_to() {
	local a=$1
	case $a in *:*) a="[$a]";; esac
	ip netns exec "$CLI" ss -Htn state established "( dst $a:3260 )" |
		awk '{ n = split($3, p, ":"); print p[n]; exit }'
}
# next_retransmit ADDR: how long until the client's next retransmission
# toward ADDR:3260, in ms, and how many it has made: "MS N" (ss writes
# "872ms", "6.524ms" for 6.5 s, "1min2.3ms")
next_retransmit() {
	local a=$1
	case $a in *:*) a="[$a]";; esac
	ip netns exec "$CLI" ss -Htno state established "( dst $a:3260 )" |
		grep -o 'timer:(on,[^)]*)' | "$PY" -c '
import re, sys
m = re.search(r"on,(?:(\d+)min)?([\d.]+)(?:ms|sec),(\d+)", sys.stdin.read())
if m:
    v = m.group(2)
    ms = float(v) * 1000 if "." in v else float(v)
    print(int(int(m.group(1) or 0) * 60000 + ms), m.group(3))'
}
retransmitted_times() { local r; r=$(next_retransmit "$1"); [ "${r#* }" -ge "$2" ] 2>/dev/null; }
unblock_children() {
	local p
	for p in $(ip netns pids "$SRV"); do tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null; echo; done |
		grep -c ' unblock '
}

# --- clients of the node that is about to die
tb_bg "$DEAD" "$PY" "$PEER" quiet-server "$VIP" 3260 "$WORK/q4"
tb_bg "$DEAD" "$PY" "$PEER" quiet-server "$VIP6" 3260 "$WORK/q6"
tb_wait 3 test -s "$WORK/q4" && tb_wait 3 test -s "$WORK/q6" || { diag "the dead node's servers did not start"; exit 1; }
tb_bg "$CLI" "$PY" "$PEER" stale "$VIP" 3260 "$WORK/s4"
S4=$TB_PID
tb_bg "$CLI" "$PY" "$PEER" stale "$VIP6" 3260 "$WORK/s6"
S6=$TB_PID
ok "the IPv4 client is connected to the node" tb_wait 3 status_is s4 connected
ok "the IPv6 client too" tb_wait 3 status_is s6 connected
P4=$(lport_to "$VIP") P6=$(lport_to "$VIP6")

# --- the node dies; the survivor takes the addresses over
ip -n "$DEAD" link set dead0 down
net_addr "$SRV" srv0 "$VIP/24" "$VIP6/64"
# it knows the client already: no ARP request of its own tells the client
# where the address went
ip -n "$SRV" neigh replace "$CLIENT" lladdr "$(mac "$CLI" cli0)" dev srv0 nud permanent
pf load >/dev/null || exit 1
tb_bg "$SRV" "$PY" "$PEER" quiet-server "$VIP6" 3260 "$WORK/k-srv"
K_SRV=$TB_PID
tb_wait 3 test -s "$WORK/k-srv" || { diag "the survivor's server did not start"; exit 1; }

# --- the clients' data is retransmitted into the void
kill -USR1 "$S4" "$S6"
ok "the clients sent data" tb_wait 2 status_is s4 sent
ok "... and retransmit it (5 times, through 6 s)" tb_wait 12 retransmitted_times "$VIP" 5
ok "... both of them" tb_wait 2 retransmitted_times "$VIP6" 5

# --- after their last retransmission, the move reaches the client's IPv6
# neighbour entry (not yet its ARP cache), and a peer reconnects to the
# survivor on a tuple the dead node's file lists
ip -n "$CLI" neigh replace "$VIP6" lladdr "$(mac "$SRV" srv0)" dev cli0 nud permanent
tb_bg "$CLI" "$PY" "$PEER" steady "$VIP6" 3260 "$WORK/k"
K=$TB_PID
ok "a client reconnected to the survivor" tb_wait 3 status_is k connected
PK=$(awk '{ print $2 }' "$WORK/k")
pf block --port 3260 --keep-established --drain 0 >/dev/null
is "block on the survivor exits 0" "$?" 0

PEERS=$WORK/peers
mkdir -p "$PEERS"
printf '%s\t%s\n' "$VIP:3260" "$CLIENT:$P4" "[$VIP6]:3260" "[$CLIENT6]:$P6" \
	"[$VIP6]:3260" "[$CLIENT6]:$PK" "$VIP:3260" "$SURV:5555" \
	"198.18.0.99:3260" "$CLIENT:5556" "$VIP:3261" "$CLIENT:5557" >"$PEERS/dead"
printf 'being written\n' >"$PEERS/.dead.tmp"

r=$(next_retransmit "$VIP")
ok "the IPv4 client's own next retransmission is 3 s away or more (${r% *} ms)" test "${r% *}" -ge 3000
r=$(next_retransmit "$VIP6")
ok "... the IPv6 client's too (${r% *} ms)" test "${r% *}" -ge 3000

# the client's ARP cache names the dead node for another 0.3 s
( sleep 0.3; ip -n "$CLI" neigh replace "$VIP" lladdr "$(mac "$SRV" srv0)" dev cli0 nud permanent ) &
ARP=$!
t0=$(mono)
start=$EPOCHREALTIME
pf unblock --port 3260 --peers-dir "$PEERS" >"$WORK/out" 2>"$WORK/err"
is_rc "unblock exits 0" 0 "$WORK/err" test $? = 0
took=$("$PY" -c 'import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 3))' "$start" "$EPOCHREALTIME")
children=$(unblock_children)
wait "$ARP"
ok "... and returns after its first round ($took s; the retries take 1 s)" \
	"$PY" -c 'import sys; sys.exit(not float(sys.argv[1]) < 0.5)' "$took"
ok "... its retries go on in the background" test "$children" -ge 1
ok "... it says nothing on stderr" test ! -s "$WORK/err"
ok "unblock resets the IPv4 peer" grep -qxF "reset $VIP:3260	$CLIENT:$P4 (a peer of node 'dead')" "$WORK/out"
ok "... and the IPv6 peer" grep -qxF "reset [$VIP6]:3260	[$CLIENT6]:$P6 (a peer of node 'dead')" "$WORK/out"
ok "... not the peer reconnected here" \
	grep -qxF "not reset [$VIP6]:3260	[$CLIENT6]:$PK (connection held here)" "$WORK/out"
ok "... nor a local address" grep -qxF "not reset $VIP:3260	$SURV:5555 (a local address)" "$WORK/out"
ok "... nor for an address not local here" \
	grep -qxF "not reset 198.18.0.99:3260	$CLIENT:5556 (its portal address is not local now)" "$WORK/out"
ok "... nor on another portal's port" bash -c '! grep -q ":3261	" "$1"' _ "$WORK/out"
ok "... and counts two" grep -qxF "2 peers of other nodes reset" "$WORK/out"
ok "the IPv4 client sees the reset" tb_wait 2 status_is s4 reset
ok "... within 1 s of unblock (its ARP cache was wrong for 0.3 s)" within s4 "$t0" 1
ok "the IPv6 client sees the reset" tb_wait 2 status_is s6 reset
ok "... within 1 s of unblock" within s6 "$t0" 1
ok "the reconnected client's connection still works: it receives" bash -c '
	kill -USR1 "$1"; for i in $(seq 40); do
		[ "$(awk "{ print \$3 }" "$2")" -gt 0 ] 2>/dev/null && exit 0; sleep 0.05; done; exit 1' \
	_ "$K_SRV" "$WORK/k"
ok "... and sends" bash -c '
	kill -USR1 "$1"; for i in $(seq 40); do
		grep -qE "received (1[0-9]{3}|[2-9][0-9]{3}|[0-9]{5,})" "$2" && exit 0; sleep 0.05; done; exit 1' \
	_ "$K" "$WORK/k-srv"
ok "... still connected" status_is k connected
sleep "$("$PY" -c 'import sys, time; print(max(0, float(sys.argv[1]) + 1.5 - time.monotonic()))' "$t0")"
is "the retries are over 1.5 s after unblock" "$(unblock_children)" 0

# --- counted
is "status --json counts them in peers_reset" "$(pf_json 'd["counters"]["peers_reset"]' status --json)" 2
ok "status text too" sh -c "ip netns exec '$SRV' '$PORTFENCE' --pin-dir '$PIN' status | grep -q 'peers_reset 2'"
pf metrics >"$WORK/metrics"
ok "metrics: portfence_peers_reset_total 2" grep -qx "portfence_peers_reset_total 2" "$WORK/metrics"
ok "... with its HELP" grep -q "^# HELP portfence_peers_reset_total peers another node held" "$WORK/metrics"
ok "... and per portal, at its last unblock" \
	grep -qE '^portfence_portal_last_peers_reset\{proto="tcp",address="\*",port="3260",.*\} 2$' "$WORK/metrics"
is "list --lifted: the portal's timeline with its peers reset" \
	"$(pf_json '[(e["address"], e["port"], e["peers_reset"]) for e in d]' list --lifted --json)" \
	"[('*', 3260, 2)]"
ok "list --lifted text: a PEERSRST column" sh -c \
	"ip netns exec '$SRV' '$PORTFENCE' --pin-dir '$PIN' list --lifted | awk 'NR == 1 && /PEERSRST/ { h = 1 } NR == 2 && \$NF == 2 { v = 1 } END { exit !(h && v) }'"

# --- a missing store resets nothing and says nothing
pf block --port 3262 --drain 0 >/dev/null
pf unblock --port 3262 --peers-dir "$WORK/none" >"$WORK/out" 2>"$WORK/err"
is "a missing store: unblock exits 0" "$?" 0
ok "... silently" test ! -s "$WORK/err"
ok "... resetting nobody" bash -c '! grep -q reset "$1"' _ "$WORK/out"

# --- a bad store: each file warned of, never a failed unblock
BAD=$WORK/bad
mkdir -p "$BAD/subdir"
printf 'garbage\n' >"$BAD/node-a"
printf '%s\t%s\n' "$VIP:3262" "$CLIENT:6000" >"$BAD/node-b"
chown nobody "$BAD/node-b"
ln -s "$PEERS/dead" "$BAD/node-c"
pf block --port 3262 --drain 0 >/dev/null
pf unblock --port 3262 --peers-dir "$BAD" >"$WORK/out" 2>"$WORK/err"
is "a bad store: unblock exits 0" "$?" 0
ok "... a bad line is named" grep -qF "peers of node 'node-a' not reset: $BAD/node-a: line 1: bad line 'garbage'" "$WORK/err"
ok "... a file not owned by root is refused" grep -qF "'$BAD/node-b' is not owned by root: refused" "$WORK/err"
ok "... a link is refused" grep -qF "'$BAD/node-c': it is a symbolic link: refused" "$WORK/err"
ok "... a directory is refused" grep -qF "'$BAD/subdir' is not a regular file: refused" "$WORK/err"
ok "... nobody is reset" bash -c '! grep -q reset "$1"' _ "$WORK/out"
ok "... the portal is open" not_fenced --port 3262
chmod 777 "$BAD"
pf block --port 3262 --drain 0 >/dev/null
pf unblock --port 3262 --peers-dir "$BAD" >"$WORK/out" 2>"$WORK/err"
is "a store others can write to: unblock exits 0" "$?" 0
ok "... it is not read" grep -qF "'$BAD' is not a directory only root can write to" "$WORK/err"
printf 'x' >"$WORK/file"
pf unblock --port 3262 --peers-dir "$WORK/file" >"$WORK/out" 2>"$WORK/err"
is "a store that is a file: unblock exits 0" "$?" 0
ok "... saying so" grep -qF "cannot read '$WORK/file': Not a directory" "$WORK/err"

done_testing
