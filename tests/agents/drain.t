#!/usr/bin/env bash
# drain, drain_stall and drain_quiet reach portfence block as --drain,
# --drain-stall and --drain-quiet (defaults 1000, 50 and 100), and keep_established, which destroys nothing,
# passes neither. portfence is wrapped to record how it was called.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup

new_netns node node
new_bpffs pin
new_tmpdir wrap_dir
calls=$wrap_dir/calls
printf '#!/bin/sh\necho "$*" >> %s\nexec %s "$@"\n' "$calls" "$PORTFENCE" >"$wrap_dir/portfence"
chmod 755 "$wrap_dir" "$wrap_dir/portfence"
PORTFENCE_REAL=$PORTFENCE
block_call() { grep -E "(^| )block " "$calls" | tail -n 1; }

P=(action=block ip=198.18.0.1)
PORTFENCE=$wrap_dir/portfence	# what ra passes as binary
ra_is "start with the default drain" 0 "$node" "$pin" start "${P[@]}" portno=3260
ok "... passes --drain 1000 --drain-stall 50 --drain-quiet 100" bash -c '[[ "$1" == *" --drain 1000 --drain-stall 50 --drain-quiet 100"* ]]' _ "$(block_call)"
ra_is "start with drain=250 drain_stall=20 drain_quiet=30" 0 "$node" "$pin" start "${P[@]}" portno=3261 drain=250 drain_stall=20 drain_quiet=30
ok "... passes --drain 250 --drain-stall 20 --drain-quiet 30" bash -c '[[ "$1" == *" --drain 250 --drain-stall 20 --drain-quiet 30"* ]]' _ "$(block_call)"
ra_is "start with drain=0" 0 "$node" "$pin" start "${P[@]}" portno=3262 drain=0
ok "... passes --drain 0" bash -c '[[ "$1" == *" --drain 0 "* ]]' _ "$(block_call)"
ra_is "start with keep_established" 0 "$node" "$pin" start "${P[@]}" portno=3263 keep_established=true drain=250
ok "... passes no drain (nothing is destroyed)" bash -c '[[ "$1" != *--drain* && "$1" == *--keep-established* ]]' _ "$(block_call)"
PORTFENCE=$PORTFENCE_REAL
is "the portals are fenced" "$(pf "$node" "$pin" list | grep -c 198.18.0.1)" 4

done_testing
