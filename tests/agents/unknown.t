#!/usr/bin/env bash
# A monitor that cannot read the fence reports an error (OCF_ERR_GENERIC,
# logged), never running or not running: portfence check exits 5 then
# (docs/reference.md, Exit codes), and an action=unblock monitor must not
# take "could not tell" for "open". The unreadable state is real: a fence
# table of another shape pinned where the agent's pin dir is, as an older
# build would have left it.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup
command -v bpftool >/dev/null || skip_all "bpftool is missing"
ra_node_client

P=(ip=198.18.0.1 portno=3260)
ra_is "unblock start: 0" 0 "$node" "$pin" start action=unblock "${P[@]}"
ra_is "unblock monitor: 0" 0 "$node" "$pin" monitor action=unblock "${P[@]}"
ra_is "block start: 0" 0 "$node" "$pin" start action=block "${P[@]}" ip=198.18.0.1 portno=3261
pf "$node" "$pin" unload >/dev/null 2>&1
# an older shape: unstamped maps that are not this layout's
bpftool map create "$pin/portals" type lpm_trie key 24 value 32 entries 1024 \
	name portals flags 1 || diag "cannot create an old-shaped fence table"
pf "$node" "$pin" check --ip 198.18.0.1 --port 3260 >/dev/null 2>&1
is "portfence check could not tell: 5" "$?" 5
ra_is "unblock monitor, fence unreadable: 1 (OCF_ERR_GENERIC)" 1 "$node" "$pin" monitor \
	action=unblock "${P[@]}"
ok "... logged with the reason" grep -q "cannot check the fence" "$RA_ERR"
ra_is "unblock status, fence unreadable: 1" 1 "$node" "$pin" status action=unblock "${P[@]}"
# the block instance's partner state gone: its monitor asks the kernel too
rm -f "$(ra_state "$pin")"/*unblock*
ra_is "block monitor without its state, fence unreadable: 1" 1 "$node" "$pin" monitor \
	action=block ip=198.18.0.1 portno=3262
ra_is "block monitor of a started block, fence unreadable: 1" 1 "$node" "$pin" monitor \
	action=block ip=198.18.0.1 portno=3261

done_testing
