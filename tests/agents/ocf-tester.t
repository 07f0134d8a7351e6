#!/usr/bin/env bash
# resource-agents' own ocf-tester passes for fence-portblock: action=block,
# action=unblock (with a tickle_dir), and both as promotable clones; each
# in a namespace of its own with a private pin dir (unloaded after it).
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup
command -v ocf-tester > /dev/null || skip_all "ocf-tester (resource-agents) is not installed"

new_netns node node
new_netns peer peer
tb_link "$node" 198.18.0.1/24 "$peer" 198.18.0.2/24
new_tmpdir tickle

# tester NAME OPTION...: ocf-tester in the node namespace; passes if it
# says so, else its output becomes diagnostics.
tester() {
	local name=$1 pin out rc
	shift
	new_bpffs pin
	out=$(ip netns exec "$node" env HA_RSCTMP="$RA_STATE" ocf-tester -n "$name" \
		-o pin_dir="$pin" -o binary="$PORTFENCE" -o protocol=tcp "$@" "$AGENT" 2>&1)
	rc=$?
	# one pin dir per namespace: the next run's is refused while this
	# one's programs are attached
	pf "$node" "$pin" unload >/dev/null 2>&1
	if [ $rc -ne 0 ] || ! grep -q "passed all tests" <<<"$out"; then
		sed 's/^/#   /' <<<"$out"
		return 1
	fi
}

ok "ocf-tester: action=block" tester fpb -o action=block -o portno=3260 -o ip=198.18.0.1
ok "ocf-tester: action=unblock, tickle_dir" \
	tester fpu -o action=unblock -o portno=3260 -o ip=198.18.0.1 -o tickle_dir="$tickle"
ok "ocf-tester: action=block, IPv6, port list, reject" \
	tester fpb6 -o action=block -o portno=3260,3261 -o ip=2001:db8::1 -o method=reject
ok "ocf-tester: action=unblock, every address, range, direction=in" \
	tester fpu4 -o action=unblock -o portno=860:870 -o direction=in
ok "ocf-tester: promotable action=block" \
	tester fpmb -o action=block -o portno=3260 -o ip=198.18.0.1 -o CRM_meta_promotable=true
ok "ocf-tester: promotable action=unblock" \
	tester fpmu -o action=unblock -o portno=3260 -o ip=198.18.0.1 -o CRM_meta_promotable=true

done_testing
