#!/usr/bin/env bash
# The node's other tc and tcx programs keep running behind the fence: a
# firewall's drop-all behind portfence (a tcx program appended after ours,
# or a clsact direct-action filter at priority 5) still drops what it drops once
# portfence is loaded and a portal is fenced, on tcx and on clsact, in
# both directions. The programs pass what they do not decide with
# TC_ACT_UNSPEC (TCX_NEXT); TC_ACT_OK would end the chain there.
. "$(dirname "$0")/netlib.sh"
net_setup

pings() { ip netns exec "$CLI" ping -c1 -W1 "$VIP" >/dev/null 2>&1; }
no_ping() { ! pings; }
# bed N: net_bed's two nodes, named for case N
bed() {
	new_netns SRV "srv$1"
	new_netns CLI "cli$1"
	new_bpffs PIN
	ip link add srv0 netns "$SRV" type veth peer name cli0 netns "$CLI" || exit 1
	net_addr "$SRV" srv0 "$VIP/24" "$VIP6/64"
	net_addr "$CLI" cli0 "$CLIENT/24" "$CLIENT6/64"
	ip -n "$SRV" link set srv0 up && ip -n "$CLI" link set cli0 up || exit 1
}
n=0
# foreign KIND DIR: a drop-all of another tool on srv0's DIR hook
foreign() {
	case $1 in
	tcx) ip netns exec "$SRV" "$TCXPROG" add srv0 "$2" drop;;
	clsact) ip netns exec "$SRV" "$TCXPROG" tc srv0 "$2" drop;;
	esac || { diag "cannot add the foreign $1 $2 drop-all"; exit 1; }
}

# case ATTACH FOREIGN DIR WHEN: portfence on ATTACH, the other tool's
# drop-all on FOREIGN's DIR hook, added before or after portfence's load
case_run() {
	local attach=$1 kind=$2 dir=$3 when=$4 what="$1 fence, $2 drop-all on $3 ($4 load)"
	n=$((n + 1))
	bed "$n"
	serve "$VIP" 3260
	serve "$VIP" 3261
	ok "$what: ping answered before anything" pings
	[ "$when" = before ] && foreign "$kind" "$dir"
	[ "$when" = before ] && ok "$what: the drop-all drops ping" no_ping
	PORTFENCE_ATTACH=$attach pf block --ip "$VIP" --port 3260 --drain 0 >/dev/null
	is "$what: block exits 0" "$?" 0
	is "$what: attached on $attach" "$(pf_json 'd["attach"]' status --json)" "$attach"
	[ "$when" = after ] && foreign "$kind" "$dir"
	ok "$what: ping still dropped with the fence loaded" no_ping
	ok "$what: a connection to the unfenced portal still dropped" syn_dropped "$VIP" 3261
	pf unload >/dev/null
	is "$what: unload exits 0" "$?" 0
	ok "$what: ping still dropped after unload" no_ping
}

for dir in ingress egress; do
	case_run tcx tcx "$dir" before
	case_run tcx tcx "$dir" after
	case_run tcx clsact "$dir" before
	case_run clsact clsact "$dir" before
done

# what the fence decides it still decides, whoever passes packets on
bed last
serve "$VIP" 3260
serve "$VIP" 3261
pf block --ip "$VIP" --port 3260 --drain 0 >/dev/null
ip netns exec "$SRV" "$TCXPROG" add srv0 ingress next || exit 1
ok "TCX_NEXT programs on both sides: the fence still holds" syn_dropped "$VIP" 3260
ok "... and the portal next door connects" connects "$VIP" 3261
ok "... and ping is answered" pings

done_testing
