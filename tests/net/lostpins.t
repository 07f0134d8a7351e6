#!/usr/bin/env bash
# Lost pins never make a fence invisible or lift it in silence. With the
# pins removed (or the bpffs unmounted) the tc filters keep programs and
# maps alive and the fence in force: check, list and status still see it,
# unblock really lifts it, block adopts the fence table instead of loading
# a new one (which would lift every other fence), and unload detaches the
# filters. A second pin dir in the same namespace is refused while the
# first still holds its pins.
. "$(dirname "$0")/netlib.sh"
net_bed

for p in 3260 3261 3262; do serve "$VIP" $p; done
pf block --ip "$VIP" --port 3260 --drain 0 >/dev/null
pf block --ip "$VIP" --port 3261 --drain 0 >/dev/null

# --- the pins removed, the bpffs still there
rm -f "$PIN"/* 2>/dev/null	# (maps.debug and progs.debug are the kernel's)
is "the pins are gone" "$(ls "$PIN" | grep -cv debug)" 0
pf status --json >"$WORK/status"
st() { "$PY" -c 'import json, sys; d = json.load(open(sys.argv[2])); print(eval(sys.argv[1]))' "$1" "$WORK/status"; }
is "status: not loaded from this pin dir" "$(st 'd["loaded"]')" False
is "status: but the filters it left are shown" \
	"$(st '" ".join(sorted(f["name"] for f in d["other_filters"]))')" "lo srv0"
is "status: with their fence table's two entries" "$(st 'd["portals"]')" 2
pf check --ip "$VIP" --port 3260 >/dev/null 2>"$WORK/err"
is "check: still fenced (exit 0)" "$?" 0
ok "check: says where it found the fence" grep -q "no pins in '$PIN'" "$WORK/err"
ok "the fence is in force: SYNs are dropped" syn_dropped "$VIP" 3260
pf unblock --ip "$VIP" --port 3260 >/dev/null 2>&1
is "unblock: exit 0" "$?" 0
ok "unblock really lifted it: a connection succeeds" connects "$VIP" 3260
ok "the other fence holds" syn_dropped "$VIP" 3261

pf block --ip "$VIP" --port 3262 --drain 0 >"$WORK/out" 2>&1
is "block: exit 0" "$?" 0
ok "block: adopted the fence table rather than load a new one" grep -q "^adopted the fence table" "$WORK/out"
ok "block: the fence lifted by no one still holds" syn_dropped "$VIP" 3261
ok "block: and the new one holds" syn_dropped "$VIP" 3262
is "the pins are back" "$(pf status --json | "$PY" -c 'import json, sys; d = json.load(sys.stdin); print(d["loaded"], len(d["other_filters"]), d["portals"])')" \
	"True 0 2"
is "one filter per hook per interface" "$(fence_hooks "$SRV")" 4

# --- another pin dir while this one holds its pins: refused
new_bpffs second
ip netns exec "$SRV" "$PORTFENCE" --pin-dir "$second" block --ip "$VIP" --port 3263 >/dev/null 2>"$WORK/err"
is "a second pin dir: exit 1" "$?" 1
ok "... naming the pin dir in charge" grep -qF "fenced from the pin dir '$PIN'" "$WORK/err"
ok "... whose fences hold" syn_dropped "$VIP" 3261
is "... nothing pinned in the second" "$(ls "$second" | grep -cv debug)" 0
ip netns exec "$SRV" "$PORTFENCE" --pin-dir "$second" unload >/dev/null 2>&1
ok "unload of the empty second pin dir leaves the first one's filters" syn_dropped "$VIP" 3261

# --- the bpffs unmounted: the pin dir is no bpffs any more
umount "$PIN"
pf check --ip "$VIP" --port 3261 >/dev/null 2>&1
is "unmounted: check still sees the fence" "$?" 0
pf list --json >"$WORK/list" 2>/dev/null
is "unmounted: list shows both entries" "$("$PY" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$WORK/list")" 2
pf unload >/dev/null 2>&1
is "unmounted: unload exits 0" "$?" 0
is "unmounted: unload detached every filter" "$(fence_hooks "$SRV")" 0
ok "unmounted: the fences are gone with them" connects "$VIP" 3261
mount -t bpf -o mode=0700 bpf "$PIN"	# for the test bed's own cleanup

done_testing
