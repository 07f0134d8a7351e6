#!/usr/bin/env bash
# The same fences on the clsact hook, where kernels without tcx put them:
# block, lost pins, unload and a late interface, each of those tests run
# whole with PORTFENCE_ATTACH=clsact (the rest of tests/net runs on tcx
# where the kernel has it). Each must pass, and must really have used
# clsact: the tc filters they count are then the hooks they see.
. "$(dirname "$0")/netlib.sh"
net_setup

for t in block lostpins unload late_iface; do
	PORTFENCE_ATTACH=clsact "$TOP/tests/net/$t.t" >"$WORK/$t.log" 2>&1
	rc=$?
	is "$t.t passes on clsact (exit 0)" "$rc" 0
	is "$t.t: no test failed" "$(grep -c '^not ok' "$WORK/$t.log")" 0
	[ "$rc" -eq 0 ] || sed 's/^/#   /' "$WORK/$t.log" | grep -E '^#   (not ok|#)' | head -20
done

# ... and clsact is what they used: a fence made the same way here
new_netns SRV srv
new_bpffs PIN
PORTFENCE_ATTACH=clsact pf load >/dev/null
is "status says clsact" "$(pf_json 'd["attach"]' status --json)" clsact
is "a tc filter on lo's two hooks, nothing on tcx" \
	"$(tc_filters "$SRV" | grep -c ' handle .*fence_') $(ip netns exec "$SRV" "$TCXPROG" list | wc -l)" "2 0"

done_testing
