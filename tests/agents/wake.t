#!/usr/bin/env bash
# wake: when the unblock resource starts (the fence lifts), a client whose
# connection attempt the fence dropped is connected at once; with
# wake=false it waits for its own next SYN. A bad value is a configuration
# error.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup

PEER=$TOP/tests/net/peer.py
VIP=198.18.0.100
new_netns node node
new_netns client client
ip link add eth0 netns "$node" type veth peer name eth0 netns "$client" || exit 1
ip -n "$node" addr add "$VIP/24" dev eth0
ip -n "$client" addr add 198.18.0.2/24 dev eth0
ip -n "$node" link set eth0 up
ip -n "$client" link set eth0 up
# the classic SYN schedule (1, 3, 7 s): the next retry is seconds away
ip netns exec "$client" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null
new_bpffs pin
tb_bg "$node" "$PY" "$TCP_PY" serve "$VIP" 3260

mono() { "$PY" -c 'import time; print("%.3f" % time.monotonic())'; }
first() { awk '{ print $1 }' "$RA_DIR/$1" 2>/dev/null; }
is_state() { [ "$(first "$1")" = "$2" ]; }
within() { "$PY" -c 'import sys; sys.exit(not float(sys.argv[1]) - float(sys.argv[2]) <= float(sys.argv[3]))' \
	"$(awk '{ print $NF }' "$RA_DIR/$1")" "$2" "$3"; }
knocks() { pf "$node" "$pin" list --json | "$PY" -c 'import json, sys; print(sum(e["counters"]["knocks"] for e in json.load(sys.stdin)))'; }
knocks_at_least() { [ "$(knocks)" -ge "$1" ]; }

# lift NAME UNBLOCK-PARAMS...: fence with the block resource, let a client
# knock three times (0, 1, 3 s), then start the unblock resource.
lift() {
	local name=$1
	shift
	RA_NAME=b ra "$node" "$pin" start action=block ip="$VIP" portno=3260 || return 1
	tb_bg "$client" "$PY" "$PEER" connect "$VIP" 3260 "$RA_DIR/$name"
	tb_wait 6 knocks_at_least 3 || return 1
	T0=$(mono)
	RA_NAME=u ra "$node" "$pin" start action=unblock ip="$VIP" portno=3260 "$@"
}

ok "wake (default): the unblock start succeeds" lift c1
ok "wake: the pending connect completes" tb_wait 2 is_state c1 connected
ok "wake: within 1 s of the start (its own next SYN was 4 s away)" within c1 "$T0" 1
ok "wake: the agent logged the wake-up" grep -q "woke" "$RA_ERR"
RA_NAME=u ra_is "wake: unblock stop fences again" 0 "$node" "$pin" stop action=unblock ip="$VIP" portno=3260
RA_NAME=b ra "$node" "$pin" stop action=block ip="$VIP" portno=3260

ok "wake=false: the unblock start succeeds" lift c2 wake=false
sleep 1.5
ok "wake=false: 1.5 s later the connect is still pending" is_state c2 connecting
ok "wake=false: it completes at its own retry" tb_wait 6 is_state c2 connected
RA_NAME=u ra "$node" "$pin" stop action=unblock ip="$VIP" portno=3260
RA_NAME=b ra "$node" "$pin" stop action=block ip="$VIP" portno=3260

RA_NAME=u ra_is "wake=maybe is a configuration error" 6 "$node" "$pin" validate-all \
	action=unblock ip="$VIP" portno=3260 wake=maybe
ok "... naming the value" grep -q "bad wake 'maybe'" "$RA_ERR"

done_testing
