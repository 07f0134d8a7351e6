#!/usr/bin/env bash
# An upgrade onto maps of another layout (docs/reference.md, Upgrades):
# another build of the programs is loaded and fencing, and the maps it
# pinned are not of this build's layout, by their stamp or by the shape of
# one of them (made as tests/fault/oldlayout.t makes them). This build's
# `portfence load` refuses (exit 1) naming both layouts and the way out,
# and changes nothing: the same pins, the same programs pinned and
# attached, the fence in force, the stream next door moving.
. "$(dirname "$0")/netlib.sh"
net_bed
command -v bpftool >/dev/null || skip_all "bpftool is missing"
OLD=$TOP/build/tests/variant/portfence
[ -x "$OLD" ] || skip_all "$OLD is missing: run make"

serve "$VIP" 3260
serve "$OTHER" 3261
pf_old() { ip netns exec "$SRV" "$OLD" --pin-dir "$PIN" "$@"; }
# stamp N: the layout map says N (little-endian u32)
stamp() {
	bpftool map update pinned "$PIN/layout" key hex 00 00 00 00 \
		value hex "$(printf %02x $(($1 & 255)))" "$(printf %02x $(($1 >> 8 & 255)))" 00 00
}
# what a load must leave as it was: the pins, the programs pinned (id and
# tag), the programs attached
snapshot() {
	ls "$PIN"
	for p in prog_ingress prog_egress prog_sweep; do bpftool prog show pinned "$PIN/$p" | head -1; done
	ip netns exec "$SRV" "$TCXPROG" ids
}

reader "$OTHER" 3261 stream
pf_old block --ip "$VIP" --port 3260 --drain 0 >/dev/null
is "the other build fences" "$?" 0
ours=$(pf_json 'd["layout_ours"]' status --json)
ok "(this build's layout is a number)" test "$ours" -ge 1
before=$(snapshot)

# --- stamped with another layout
other=$((ours + 97))
ok "(the stamp rewritten, as another build's)" stamp "$other"
pf load >/dev/null 2>"$WORK/err"
is "load over layout $other: exit 1" "$?" 1
ok "... naming both layouts" grep -q "are of layout $other, this portfence's of layout $ours" "$WORK/err"
ok "... saying nothing was changed" grep -q "nothing was changed" "$WORK/err"
ok "... and the way out: unload when no fence is held, or a reboot" \
	grep -q "when no fence is held, 'portfence unload' detaches and removes them.*reboot the node" "$WORK/err"
is "... the same pins and programs" "$(snapshot)" "$before"
ok "... the fence holds" syn_dropped "$VIP" 3260
ok "... check says fenced" fenced --ip "$VIP" --port 3260
ok "... the stream next door moves" reader_moves stream
stamp "$ours"

# --- this layout's stamp, one map of another shape
shape=$(bpftool -j map show pinned "$PIN/knocks" |
	"$PY" -c 'import json, sys; m = json.load(sys.stdin); print(m["bytes_key"], m["bytes_value"], m["max_entries"])')
read -r key value entries <<<"$shape"
ok "(knocks: $key-byte keys, $value-byte values, $entries entries)" test -n "$entries"
rm "$PIN/knocks"
bpftool map create "$PIN/knocks" type lru_hash key "$key" value "$value" entries 128 name knocks
before=$(snapshot)
pf load >/dev/null 2>"$WORK/err"
is "load over a knocks map of another size: exit 1" "$?" 1
ok "... naming the layouts and the map that differs" \
	grep -q "are of layout $ours, this portfence's of layout $ours (map 'knocks' differs)" "$WORK/err"
ok "... and both shapes" grep -q "map 'knocks' pinned as type [0-9]*, key $key, value $value bytes, 128 entries.*this portfence's type [0-9]*, key $key, value $value bytes, $entries entries" "$WORK/err"
ok "... and the way out" grep -q "when no fence is held, 'portfence unload'.*reboot the node" "$WORK/err"
is "... the same pins and programs" "$(snapshot)" "$before"
ok "... the fence holds" syn_dropped "$VIP" 3260
ok "... the stream next door moves" reader_moves stream

pf unload >/dev/null 2>&1
is "unload: exit 0" "$?" 0
is "... every program detached" "$(fence_hooks "$SRV")" 0

done_testing
