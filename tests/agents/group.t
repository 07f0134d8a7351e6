#!/usr/bin/env bash
# The portblock group pattern, block -> IP -> service -> unblock, with real
# TCP from another namespace: block-start fences the portal before the IP
# comes up, unblock-start opens the service, unblock-stop fences it again
# and tears the established connections down, block-stop lifts the fence.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup

new_netns node node
new_netns client client
tb_link "$node" 198.18.0.1/24 "$client" 198.18.0.2/24
dev=$(ip -n "$node" -o link show type veth | awk -F'[ :@]+' '{ print $2 }')
VIP=198.18.0.100
new_bpffs pin
tb_bg "$node" "$PY" "$TCP_PY" serve "$VIP" 3260
status=$RA_DIR/hold

vip_up() { ip -n "$node" addr add "$VIP/24" dev "$dev"; }
vip_down() { ip -n "$node" addr del "$VIP/24" dev "$dev"; }
connected() { grep -q '^connected' "$status" 2>/dev/null; }
client_reset() { grep -qx reset "$status" 2>/dev/null; }
server_conns() { established "$node" 3260; }
no_server_conns() { [ "$(server_conns)" = 0 ]; }

# group NAME UNBLOCK-PARAM...: one pass through the group, start to stop.
group() {
	local name=$1
	shift
	local B=(action=block ip=$VIP portno=3260) U=(action=unblock ip=$VIP portno=3260 "$@")
	rm -f "$status"
	RA_NAME=b ra_is "$name: block start" 0 "$node" "$pin" start "${B[@]}"
	ok "$name: fenced before the IP is up" fenced "$node" "$pin" --ip $VIP --port 3260
	vip_up
	ok "$name: clients cannot reach the half-started service" tcp_blocked "$client" $VIP 3260
	RA_NAME=u ra_is "$name: unblock start" 0 "$node" "$pin" start "${U[@]}"
	ok "$name: service open" tcp_probe "$client" $VIP 3260
	tb_bg "$client" "$PY" "$TCP_PY" hold $VIP 3260 "$status"
	ok "$name: a client holds a connection" tb_wait 3 connected
	ok "$name: the server side has it" tb_wait 3 bash -c "[ \$(ip netns exec $node ss -Htn state established '( sport = :3260 )' | wc -l) -ge 1 ]"
	RA_NAME=u ra_is "$name: unblock monitor" 0 "$node" "$pin" monitor "${U[@]}"
	RA_NAME=b ra_is "$name: block monitor (partner started)" 0 "$node" "$pin" monitor "${B[@]}"
	RA_NAME=u ra_is "$name: unblock stop" 0 "$node" "$pin" stop "${U[@]}"
	ok "$name: fenced again" fenced "$node" "$pin" --ip $VIP --port 3260
	case " $* " in
	*" method=reject "*) ok "$name: new connections are refused" tcp_refused "$client" $VIP 3260;;
	*) ok "$name: new connections are dropped" tcp_blocked "$client" $VIP 3260;;
	esac
}

group default
ok "default: established connections are torn down by unblock stop" no_server_conns
vip_down
RA_NAME=b ra_is "default: block stop" 0 "$node" "$pin" stop action=block ip=$VIP portno=3260
ok "default: block stop lifted the fence" not_fenced "$node" "$pin" --ip $VIP --port 3260
vip_up
ok "default: the portal is open after the whole group stopped" tcp_probe "$client" $VIP 3260
vip_down

group reject method=reject
ok "reject: server side torn down" no_server_conns
ok "reject: the client is reset at once" tb_wait 2 client_reset
vip_down
RA_NAME=b ra_is "reject: block stop" 0 "$node" "$pin" stop action=block ip=$VIP portno=3260

group in direction=in
ok "direction=in: established connections stay (portblock's semantics)" \
	bash -c "[ \$(ip netns exec $node ss -Htn state established '( sport = :3260 )' | wc -l) -ge 1 ]"
vip_down
RA_NAME=b ra_is "direction=in: block stop" 0 "$node" "$pin" stop action=block ip=$VIP portno=3260
ip -n "$node" addr flush dev "$dev" to "$VIP" 2>/dev/null
# the survivor from the direction=in pass: gone before the next pass
ip netns exec "$node" ss -K state established '( sport = :3260 )' >/dev/null 2>&1

group reset-local direction=in reset_local_on_unblock_stop=true
ok "reset_local_on_unblock_stop: established connections torn down despite direction=in" no_server_conns
ok "reset_local_on_unblock_stop: the fence keeps direction=in" \
	bash -c "ip netns exec $node $PORTFENCE --pin-dir $pin list | grep -q ' in '"
vip_down
RA_NAME=b ra_is "reset-local: block stop" 0 "$node" "$pin" stop action=block ip=$VIP portno=3260
ok "no state files left" bash -c '[ -z "$(find "$1" -type f)" ]' _ "$RA_STATE"

done_testing
