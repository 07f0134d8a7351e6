#!/usr/bin/env bash
# A pin dir from another layout (docs/reference.md, Pins and map layouts):
# maps stamped with another PF_LAYOUT_VERSION, or unstamped maps of another
# shape, are never written nor their programs replaced (which would lift
# every fence): load and block refuse, naming both layouts and what to do;
# unload detaches and removes them all the same. Unstamped maps of this
# layout's shape (what portfence pinned before the stamp) are adopted,
# fences included, and stamped.
. "$(dirname "$0")/../net/netlib.sh"
net_bed
command -v bpftool >/dev/null || skip_all "bpftool is missing"
# on clsact, where tc names each filter's program id: a replaced program
# shows (the layout is the same on tcx)
export PORTFENCE_ATTACH=clsact
for p in 3260 3261 3262; do serve "$VIP" $p; done

pins() { ls "$PIN" | grep -cv debug; }
filter_ids() { tc_filters "$SRV" | grep -oE ' id [0-9]+' | sort | tr -d '\n'; }
# stamp N: the layout map says N (little-endian u32)
stamp() {
	bpftool map update pinned "$PIN/layout" key hex 00 00 00 00 \
		value hex "$(printf %02x $(($1 & 255)))" "$(printf %02x $(($1 >> 8 & 255)))" 00 00
}

# --- a stamp of another layout under a live fence
pf block --ip "$VIP" --port 3260 --drain 0 >/dev/null
is "status: this build's layout" "$(pf_json 'd["layout"], d["layout_ours"]' status --json)" "(3, 3)"
ok "the stamp can be rewritten (as another build would have left it)" stamp 99
before=$(filter_ids)
ok "(tc names the filters' programs)" test -n "$before"
pf block --ip "$VIP" --port 3261 --drain 0 >/dev/null 2>"$WORK/err"
is "block over layout 99: exit 1" "$?" 1
ok "... naming both layouts" grep -q "are of layout 99, this portfence's of layout 3" "$WORK/err"
ok "... and what to do" grep -q "'portfence unload' detaches and removes them" "$WORK/err"
ok "... nothing fenced" connects "$VIP" 3261
ok "... the old fence holds" syn_dropped "$VIP" 3260
is "... the filters are not replaced" "$(filter_ids)" "$before"
pf load >/dev/null 2>"$WORK/err"
is "load over layout 99: exit 1" "$?" 1
ok "... naming both layouts" grep -q "of layout 99, this portfence's of layout 3" "$WORK/err"
is "... the filters are not replaced" "$(filter_ids)" "$before"
is "status: says the layout" "$(pf_json 'd["layout"], d["loaded"]' status --json)" "(99, True)"
ok "status text: says it is not ours" sh -c "ip netns exec '$SRV' '$PORTFENCE' --pin-dir '$PIN' status | grep -q '^layout: *99 (not this portfence'"
pf check --ip "$VIP" --port 3260 >/dev/null 2>"$WORK/err"
is "check reads a fence table of the same shape: fenced" "$?" 0
ok "... with a warning naming the layouts" grep -q "layout 99, this portfence's of layout 3" "$WORK/err"
pf metrics >"$WORK/metrics" 2>/dev/null
is "metrics reads it too: exit 0" "$?" 0
ok "... with the fence" grep -q '^portfence_portal_fenced_seconds{.*port="3260"' "$WORK/metrics"
pf unload >/dev/null 2>"$WORK/err"
is "unload of layout 99: exit 0" "$?" 0
is "... every filter detached" "$(fence_hooks "$SRV")" 0
is "... every pin removed" "$(pins)" 0
ok "... the fence lifted" connects "$VIP" 3260

# --- unstamped maps of another shape (an older build's, its programs gone)
bpftool map create "$PIN/portals" type lpm_trie key 24 value 32 entries 1024 \
	name portals flags 1 || diag "cannot create an old-shaped fence table"
bpftool map create "$PIN/stats" type percpu_array key 4 value 48 entries 1 name stats
pf block --ip "$VIP" --port 3261 --drain 0 >/dev/null 2>"$WORK/err"
is "block over an older shape: exit 1" "$?" 1
ok "... naming the layouts and the map that differs" \
	grep -q "of layout 0 (unstamped), this portfence's of layout 3 (map '[a-z_]*' differs)" "$WORK/err"
is "... nothing attached" "$(fence_hooks "$SRV")" 0
is "... its maps left as they were" "$(pins)" 2
pf unblock --ip "$VIP" --port 3261 >/dev/null 2>"$WORK/err"
is "unblock cannot read it: exit 1" "$?" 1
ok "... saying why" grep -q "they are not read" "$WORK/err"
pf check --ip "$VIP" --port 3261 >/dev/null 2>&1
is "check cannot read it: exit 5 (neither fenced nor open)" "$?" 5
pf list >/dev/null 2>&1
is "list cannot read it: exit 1" "$?" 1
pf metrics >/dev/null 2>&1
is "metrics cannot read it: exit 1" "$?" 1
pf status >/dev/null 2>&1
is "status still reports it: exit 0" "$?" 0
pf unload >/dev/null 2>&1
is "unload of an older shape: exit 0" "$?" 0
is "... every pin removed" "$(pins)" 0
pf block --ip "$VIP" --port 3261 --drain 0 >/dev/null 2>&1
is "then block loads afresh" "$?" 0
ok "... and fences" syn_dropped "$VIP" 3261
pf unload >/dev/null 2>&1

# --- unstamped maps of this shape: adopted with their fence, then stamped
bpftool map create "$PIN/portals" type lpm_trie key 24 value 56 entries 262144 \
	name portals flags 1
# every address, tcp port 3260 (0x0cbc), direction both, method drop
bpftool map update pinned "$PIN/portals" \
	key hex 18 00 00 00 0c bc 06 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \
	value hex 03 00 00 00 00 00 00 00 $(printf "00 %.0s" $(seq 48))
pf block --ip "$VIP" --port 3261 --drain 0 >/dev/null 2>"$WORK/err"
is "block over unstamped maps of this shape: exit 0" "$?" 0
ok "... their fence is in force" syn_dropped "$VIP" 3260
ok "... and the new one" syn_dropped "$VIP" 3261
is "... stamped with this layout" "$(pf_json 'd["layout"]' status --json)" 3
is "one filter per hook per interface" "$(fence_hooks "$SRV")" 4

# --- another layout whose pins were lost: its stamp is read through the
# programs still attached (it is bound to them)
stamp 99 && rm -f "$PIN"/* 2>/dev/null
before=$(filter_ids)
pf block --ip "$VIP" --port 3262 --drain 0 >/dev/null 2>"$WORK/err"
is "block over lost pins of layout 99: exit 1" "$?" 1
ok "... naming both layouts" grep -q "of layout 99, this portfence's of layout 3" "$WORK/err"
is "... the filters are not replaced" "$(filter_ids)" "$before"
ok "... the fence holds" syn_dropped "$VIP" 3260
is "... nothing pinned again" "$(pins)" 0
pf unload >/dev/null 2>&1
is "unload: exit 0" "$?" 0
is "... every filter detached" "$(fence_hooks "$SRV")" 0

done_testing
