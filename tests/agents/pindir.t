#!/usr/bin/env bash
# A pin dir portfence does not trust (not on a bpffs, a symbolic link,
# another user's) is a state of this node, not a configuration wrong on
# every node: the agent answers OCF_ERR_GENERIC (1), never
# OCF_ERR_CONFIGURED (6), which would ban the resource cluster-wide.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup

new_netns node node
new_tmpdir plain
chmod 0700 "$plain"
new_bpffs pin
ln -s "$pin" "$RA_DIR/link"

for dir in "$plain" "$RA_DIR/link"; do
	ra_is "start, pin_dir $dir: 1" 1 "$node" "$dir" start action=block ip=198.18.0.1 portno=3260
	ok "... the reason names the dir" grep -qF "$dir" "$RA_ERR"
	ra_is "monitor, pin_dir $dir: 1" 1 "$node" "$dir" monitor action=block ip=198.18.0.1 portno=3260
done

done_testing
