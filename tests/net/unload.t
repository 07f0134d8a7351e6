#!/usr/bin/env bash
# load attaches (idempotently, every interface or the named ones); unload
# removes every pin and every tc filter on every interface, lifts the
# fences, and is idempotent.
. "$(dirname "$0")/netlib.sh"
net_bed

# a fresh bpffs is not empty: the kernel's own maps.debug/progs.debug
fresh=$(ls -A "$PIN")
pins() { ls -A "$PIN"; }
filters() { hooks "$SRV" | grep -c .; }
# attached_to NS DEV: a tc filter on both hooks of DEV
attached_to() {
	hooks "$SRV" | grep -q "^$1 ingress fence_" && hooks "$SRV" | grep -q "^$1 egress fence_"
}

is "no tc filter before load" "$(filters)" 0
pf load --dev srv0 >/dev/null
is "load --dev srv0 exits 0" "$?" 0
ok "srv0 has filters on ingress and egress" attached_to srv0
ok "lo has none" test -z "$(hooks "$SRV" | grep '^lo ')"
is "status: attached to srv0 only" "$(pf_json '[i["name"] for i in d["interfaces"]]' status --json)" "['srv0']"
pf load >/dev/null
is "load (every interface) exits 0" "$?" 0
ok "lo has filters now" attached_to lo
n=$(filters)
pf load >/dev/null
is "load again exits 0" "$?" 0
is "... and adds no filter" "$(filters)" "$n"
ok "the fence table is pinned" test -e "$PIN/portals"
ok "the counters are pinned" test -e "$PIN/stats"

serve "$VIP" 3260
hold "$VIP" 3260 2
pf block --ip "$VIP" --port 3260 >/dev/null
ok "a fence holds" syn_dropped "$VIP" 3260

pf unload >"$WORK/out" 2>&1
is "unload exits 0" "$?" 0
is "unload leaves no pin (the dir is as freshly mounted)" "$(pins)" "$fresh"
is "unload leaves no tc filter on any interface" "$(hooks "$SRV")" ""
is "status: not loaded" "$(pf_json 'd["loaded"], d["interfaces"], d["portals"]' status --json)" "(False, [], 0)"
ok "check: not fenced" not_fenced --ip "$VIP" --port 3260
is "list --json: empty" "$(pf_json 'd' list --json)" "[]"
ok "the fence is lifted: new connections succeed" connects "$VIP" 3260

pf unload >/dev/null 2>&1
is "unload again exits 0" "$?" 0
is "... still no pin" "$(pins)" "$fresh"

new_bpffs spare
ip netns exec "$SRV" "$PORTFENCE" --pin-dir "$spare" unload >/dev/null 2>&1
is "unload of a pin dir never loaded exits 0" "$?" 0
is "... and creates nothing" "$(ls -A "$spare")" "$fresh"

# block loads on demand: unload must undo that too
pf block --ip "$VIP" --port 3260 >/dev/null && pf unload >/dev/null
is "block (loading on demand), then unload: no pin" "$(pins)" "$fresh"
is "... no tc filter" "$(hooks "$SRV")" ""

done_testing
