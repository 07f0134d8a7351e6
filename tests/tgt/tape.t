#!/usr/bin/env bash
# Commands that must not run twice: tgtd's virtual tape (bs-type ssc)
# appends each WRITE where the last one ended, so a write the target
# executed but whose answer was lost shows as a record on tape the
# initiator never had acknowledged (and, sent again, as a duplicate).
# A libiscsi initiator (build/tests/tapeio) writes numbered records while
# the portal is fenced (portfence block, its default drain) and unfenced
# again and again; after each cut it logs in again and counts the records
# on tape (it reads them: tgtd answers READ POSITION "location unknown"):
# records on tape == records acknowledged, every time, and the tape read
# back holds each acknowledged record once, none missing.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tgtlib.sh"
tgt_setup
TAPEIO=$TOP/build/tests/tapeio
[ -x "$TAPEIO" ] || skip_all "needs build/tests/tapeio (make)"
command -v tgtimg >/dev/null || skip_all "needs tgtimg (tgt)"
CUTS=${TAPE_CUTS:-8}

tape=$TGT_DIR/luns/tape.img
iqn=$(tgt_iqn 1)
ok "a virtual tape cartridge is made" eval 'tgtimg --op new --device-type tape --barcode PF0001 \
	--size 64 --type data --file "$tape" >"$TGT_DIR/tgtimg.out" 2>&1'
ok "tgtd serves it as a tape (bs-type ssc)" eval '
	tgtadm_q --mode target --op new --tid 1 --targetname "$iqn" &&
	tgtadm_q --mode logicalunit --op new --tid 1 --lun 1 --device-type tape --bstype ssc \
		--backing-store "$tape" &&
	tgtadm_q --mode target --op bind --tid 1 --initiator-address ALL'
new_bpffs pin
pf() { ip netns exec "$TGT_NODE" "$PORTFENCE" --pin-dir "$pin" "$@"; }
ok "portfence loads in the target's node" eval 'pf load >/dev/null 2>&1'

status=$TGT_DIR/tape.status
written() { sed -n 's/^written //p' "$status" 2>/dev/null; }
# moved_past N: the initiator has had a record past N acknowledged.
moved_past() { local w; w=$(written); [ -n "$w" ] && [ "$w" -gt "$1" ]; }
tb_bg "$TGT_CLIENT" "$TAPEIO" "iscsi://$TGT_NODE_ADDR/$iqn/1" 100000000 "$status" \
	>"$TGT_DIR/tape.out" 2>"$TGT_DIR/tape.err"
writer=$TB_PID
ok "the initiator writes records" tb_wait 10 moved_past 10
for i in $(seq "$CUTS"); do
	w=$(written)
	tb_wait 10 moved_past $((w + 20)) || diag "cut $i: no progress after $w records"
	pf block --ip "$TGT_NODE_ADDR" --port 3260 >"$TGT_DIR/block.$i" 2>&1 ||
		diag "cut $i: block failed: $(cat "$TGT_DIR/block.$i")"
	sleep 0.2
	pf unblock --ip "$TGT_NODE_ADDR" --port 3260 >/dev/null 2>&1 || diag "cut $i: unblock failed"
done
w=$(written)
ok "the initiator writes again after the last cut" tb_wait 20 moved_past $((w + 20))
touch "$status.stop"
ok "the initiator finishes and reads the tape back" tb_wait 60 grep -q '^end ' "$TGT_DIR/tape.out"
wait "$writer" 2>/dev/null
sed 's/^/# /' "$TGT_DIR/tape.out" "$TGT_DIR/tape.err"
cuts=$(grep -c '^cut ' "$TGT_DIR/tape.out")
ok "the fence cut the initiator's connection ($cuts of $CUTS blocks)" [ "$cuts" -ge $((CUTS / 2)) ]
is "after every cut, records on tape == records acknowledged" \
	"$(awk '$1 == "cut" { split($2, a, "="); split($3, p, "="); if (a[2] != p[2]) print }' "$TGT_DIR/tape.out")" ""
end=$(grep '^end ' "$TGT_DIR/tape.out")
val() { tr ' ' '\n' <<<"$end" | sed -n "s/^$1=//p"; }
is "at the end, the tape's position is the records acknowledged" "$(val position)" "$(val acked)"
is "the tape reads back as many records as were acknowledged" "$(val read)" "$(val acked)"
is "no record on tape twice" "$(val duplicates)" 0
is "no acknowledged record missing" "$(val gaps)" 0

done_testing
