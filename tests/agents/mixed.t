#!/usr/bin/env bash
# portblock and fence-portblock on one portal, and fence-portblock's state
# files under portblock's names.
#
# 1. A group mixing the two agents, both ways: the block instance run by
#    one, the unblock instance by the other. portblock is Debian 12's own,
#    as resource-agents installs it (4.12), on iptables inside the test's
#    namespace. 4.12 keeps its state under the instance's name
#    ($HA_RSCTMP/$OCF_RESOURCE_INSTANCE), so neither agent sees the other's
#    state: the test shows what each monitor reports at each step of the
#    group's order (block starts first and stops last), and that each agent
#    lifts only the fence it set (an iptables rule, a portfence entry), so a
#    mixed pair keeps the portal closed; the test lifts the other kind's
#    fence by hand where the partner of the same kind would have.
#
# 2. portblock releases newer than 4.12 name their state from the parameters,
#    $HA_RSCTMP/portblock_<protocol>_<portno>_<ip>_<direction>__<action>
#    (every character but [0-9a-zA-Z._] made '_', defaults ip=0.0.0.0/0 and
#    direction=in, a port list spelled "{ 3260, 3261 }" on nftables), and
#    an action=block instance sees its unblock partner started from that
#    partner's file. The names below are written out by hand from that rule;
#    fence-portblock must write exactly them, and its block monitor must see
#    an empty file of its partner's name (what portblock touches) as a
#    started partner. Those versions are not run here: Debian 12 does not
#    ship them, the tests reach no network, and code from elsewhere is not
#    copied into this repository.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup
PORTBLOCK=$OCF_ROOT/resource.d/heartbeat/portblock
[ -x "$PORTBLOCK" ] || skip_all "$PORTBLOCK (resource-agents) is missing"
command -v iptables > /dev/null || skip_all "iptables is not installed"

ra_node_client
STATE=$(ra_state "$pin")
mkdir -p "$STATE"
tb_bg "$node" "$PY" "$TCP_PY" serve 198.18.0.1 3260
tb_wait 5 tcp_probe "$client" 198.18.0.1 3260 || diag "server did not come up"

# One configuration for both agents, as a group written for portblock has it.
P=(protocol=tcp ip=198.18.0.1 portno=3260)
NAME=$STATE/portblock_tcp_3260_198.18.0.1_in_

# pb INSTANCE ACTION [PARAM=VALUE...]: portblock's exit code.
pb() {
	local inst=$1 action=$2 kv envs=()
	shift 2
	for kv in "${P[@]}" "$@"; do envs+=("OCF_RESKEY_$kv"); done
	ip netns exec "$node" env OCF_ROOT="$OCF_ROOT" HA_RSCTMP="$STATE" \
		OCF_RESOURCE_INSTANCE="$inst" "${envs[@]}" \
		"$PORTBLOCK" "$action" >"$RA_DIR/stdout" 2>"$RA_ERR"
}
pb_is() { is_rc "$1" "$2" "$RA_ERR" pb "${@:3}"; }
fp() { local inst=$1 action=$2; shift 2; RA_NAME=$inst ra "$node" "$pin" "$action" "$@"; }
fp_is() { is_rc "$1" "$2" "$RA_ERR" fp "${@:3}"; }
drop_rule() { ip netns exec "$node" iptables -n -L INPUT | grep -q 'DROP.*198\.18\.0\.1 .*dports 3260'; }
fenced_here() { fenced "$node" "$pin" --ip 198.18.0.1 --port 3260; }
no_state() { [ -z "$(find "$STATE" -type f)" ]; }
# state_files: the names in the state dir, in C order, on one line.
state_files() { find "$STATE" -mindepth 1 -printf '%f\n' | LC_ALL=C sort | xargs; }

# --- block by portblock 4.12, unblock by fence-portblock
pb_is "pb block -> fp unblock: portblock block starts" 0 p_block start action=block
ok "... its state under the instance's name, as 4.12 keeps it" test -e "$STATE/p_block"
ok "... its DROP rule closes the portal" tcp_blocked "$client" 198.18.0.1 3260
fp_is "fp unblock: monitor before start is 7" 7 p_unblock monitor "${P[@]}" action=unblock
fp_is "fp unblock: start" 0 p_unblock start "${P[@]}" action=unblock
ok "fp unblock: state under portblock's name" test -e "${NAME}_unblock"
ok "mixed pair: portblock's rule still closes the portal" tcp_blocked "$client" 198.18.0.1 3260
fp_is "fp unblock: monitor is 0 (no fence of its own)" 0 p_unblock monitor "${P[@]}" action=unblock
pb_is "portblock block: monitor is 0 (its rule)" 0 p_block monitor action=block
ip netns exec "$node" iptables -D INPUT -p tcp -d 198.18.0.1 -m multiport --dports 3260 -j DROP
ok "(the rule lifted by hand, as portblock's unblock would)" tcp_probe "$client" 198.18.0.1 3260
pb_is "portblock block: monitor is 0 without its rule (4.12: from its own state)" 0 \
	p_block monitor action=block
fp_is "fp unblock: stop" 0 p_unblock stop "${P[@]}" action=unblock
ok "fp unblock: stop fenced the portal" fenced_here
ok "fp unblock: stop removed its state" test ! -e "${NAME}_unblock"
pb_is "portblock block: monitor is 0 once the unblock stopped" 0 p_block monitor action=block
pb_is "portblock block: stop" 0 p_block stop action=block
ok "portblock block: state gone" test ! -e "$STATE/p_block"
ok "each lifts only its own fence: fp unblock's stays after the group stopped" fenced_here
ok "... and closes the portal" tcp_blocked "$client" 198.18.0.1 3260
pf "$node" "$pin" unblock --ip 198.18.0.1 --port 3260 > /dev/null
ok "no state left" no_state

# --- block by fence-portblock, unblock by portblock 4.12
fp_is "fp block -> pb unblock: fence-portblock block starts" 0 p_block start "${P[@]}" action=block
ok "... its state under portblock's name" test -e "${NAME}_block"
ok "... the portal fenced" fenced_here
pb_is "portblock unblock: monitor before start is 7" 7 p_unblock monitor action=unblock
pb_is "portblock unblock: start" 0 p_unblock start action=unblock
ok "... its state under the instance's name, as 4.12 keeps it" test -e "$STATE/p_unblock"
ok "mixed pair: fence-portblock's fence still closes the portal" tcp_blocked "$client" 198.18.0.1 3260
pb_is "portblock unblock: monitor is 0 (no rule)" 0 p_unblock monitor action=unblock
fp_is "fp block: monitor is 0 (its fence)" 0 p_block monitor "${P[@]}" action=block
pf "$node" "$pin" unblock --ip 198.18.0.1 --port 3260 > /dev/null
ok "(the fence lifted by hand, as fence-portblock's unblock would)" tcp_probe "$client" 198.18.0.1 3260
fp_is "fp block: monitor fails with the portal open: 4.12's unblock state is not seen" 1 \
	p_block monitor "${P[@]}" action=block
pf "$node" "$pin" block --ip 198.18.0.1 --port 3260 > /dev/null
fp_is "(fenced again by hand) fp block: monitor is 0" 0 p_block monitor "${P[@]}" action=block
pb_is "portblock unblock: stop" 0 p_unblock stop action=unblock
ok "portblock unblock: stop set its rule" drop_rule
ok "portblock unblock: state gone" test ! -e "$STATE/p_unblock"
fp_is "fp block: monitor is 0 once the unblock stopped" 0 p_block monitor "${P[@]}" action=block
fp_is "fp block: stop" 0 p_block stop "${P[@]}" action=block
ok "fp block: state gone" test ! -e "${NAME}_block"
ok "fp block: stop lifted its fence" not_fenced "$node" "$pin" --ip 198.18.0.1 --port 3260
ok "each lifts only its own fence: portblock unblock's rule stays after the group stopped" drop_rule
ok "... and closes the portal" tcp_blocked "$client" 198.18.0.1 3260
ip netns exec "$node" iptables -F INPUT
ok "no state left" no_state

# --- newer portblock releases' names, by hand from its rule
# names PARAMS BLOCK UNBLOCK: an action=block and an action=unblock instance
# with PARAMS (protocol tcp unless given) each write exactly the files BLOCK
# and UNBLOCK (space-separated, in C order: a port list has its nftables
# spelling too), and the block instance, its fence lifted, reports running
# exactly while an empty file of one of UNBLOCK's names exists.
names() {
	local -a kv portal=(--proto tcp)
	local block=$2 unblock=$3 p f
	read -ra kv <<< "$1"
	for p in "${kv[@]}"; do
		case $p in
		ip=*) portal+=(--ip "${p#ip=}");;
		portno=*) portal+=(--port "${p#portno=}");;
		protocol=*) portal+=(--proto "${p#protocol=}");;
		esac
	done
	fp_is "$1 unblock: start" 0 q start "${kv[@]}" action=unblock
	is "... state files" "$(state_files)" "$unblock"
	fp_is "... stop" 0 q stop "${kv[@]}" action=unblock
	ok "... none left" no_state
	pf "$node" "$pin" unblock "${portal[@]}" > /dev/null
	fp_is "$1 block: start" 0 q start "${kv[@]}" action=block
	is "... state files" "$(state_files)" "$block"
	pf "$node" "$pin" unblock "${portal[@]}" > /dev/null
	fp_is "... fence lifted, no partner: monitor fails" 1 q monitor "${kv[@]}" action=block
	for f in $unblock; do
		: > "$STATE/$f"
		fp_is "... partner $f: monitor is 0" 0 q monitor "${kv[@]}" action=block
		rm "$STATE/$f"
	done
	fp_is "... partner gone: monitor fails" 1 q monitor "${kv[@]}" action=block
	fp_is "... stop" 0 q stop "${kv[@]}" action=block
	ok "... none left" no_state
}

names "portno=3260 ip=198.18.0.1" \
	"portblock_tcp_3260_198.18.0.1_in__block" \
	"portblock_tcp_3260_198.18.0.1_in__unblock"
names "portno=3260" \
	"portblock_tcp_3260_0.0.0.0_0_in__block" \
	"portblock_tcp_3260_0.0.0.0_0_in__unblock"
names "portno=3260 ip=0.0.0.0/0 direction=in" \
	"portblock_tcp_3260_0.0.0.0_0_in__block" \
	"portblock_tcp_3260_0.0.0.0_0_in__unblock"
names "portno=860:870 ip=198.18.0.0/24 direction=out" \
	"portblock_tcp_860_870_198.18.0.0_24_out__block" \
	"portblock_tcp_860_870_198.18.0.0_24_out__unblock"
names "portno=3260,3261 ip=2001:db8::/64 direction=both" \
	"portblock_tcp_3260_3261_2001_db8___64_both__block portblock_tcp___3260__3261___2001_db8___64_both__block" \
	"portblock_tcp_3260_3261_2001_db8___64_both__unblock portblock_tcp___3260__3261___2001_db8___64_both__unblock"
names "protocol=udp portno=3260,860:870 ip=198.18.0.1/32" \
	"portblock_udp_3260_860_870_198.18.0.1_32_in__block portblock_udp___3260__860_870___198.18.0.1_32_in__block" \
	"portblock_udp_3260_860_870_198.18.0.1_32_in__unblock portblock_udp___3260__860_870___198.18.0.1_32_in__unblock"

ok "no state files left" bash -c '[ -z "$(find "$1" -type f)" ]' _ "$RA_STATE"
done_testing
