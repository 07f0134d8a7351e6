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
# the action's timeout bounds the drain: a block killed by it would fail
# the action
ra_is "start with drain=3600000 and a 4 s timeout" 0 "$node" "$pin" start "${P[@]}" portno=3264 \
	drain=3600000 CRM_meta_timeout=4000
ok "... passes --drain 2000 (half the timeout)" bash -c '[[ "$1" == *" --drain 2000 "* ]]' _ "$(block_call)"
ok "... and logs the cut" grep -q "drain=3600000 ms cut to 2000 ms: the start timeout is 4000 ms" "$RA_ERR"
ra_is "start with drain=3600000 and a 20 s timeout" 0 "$node" "$pin" start "${P[@]}" portno=3265 \
	drain=3600000 CRM_meta_timeout=20000
ok "... passes --drain 15000 (the timeout less 5 s)" bash -c '[[ "$1" == *" --drain 15000 "* ]]' _ "$(block_call)"
ra_is "start with drain=250 and a 20 s timeout" 0 "$node" "$pin" start "${P[@]}" portno=3266 \
	drain=250 CRM_meta_timeout=20000
ok "... passes --drain 250 as it is" bash -c '[[ "$1" == *" --drain 250 "* ]]' _ "$(block_call)"
PORTFENCE=$PORTFENCE_REAL
is "the portals are fenced" "$(pf "$node" "$pin" list | grep -c 198.18.0.1)" 7

done_testing
