#!/usr/bin/env bash
# On a kernel with tcx the programs attach there, in front of every other
# tcx program: another tool's program that ends processing (TCX_PASS, as a
# CNI's policy does for traffic it accepts) or passes it on (TCX_NEXT)
# cannot skip the fence. status says tcx; PORTFENCE_ATTACH=clsact forces
# the tc filter, which such a program does skip; a bad value is refused
# before anything is loaded; unload leaves the other tool's programs alone.
. "$(dirname "$0")/netlib.sh"
net_bed

ip netns exec "$SRV" "$TCXPROG" add srv0 ingress pass || exit 1
ip netns exec "$SRV" "$TCXPROG" add srv0 egress pass || exit 1
serve "$VIP" 3260
serve "$VIP" 3261
hold "$VIP" 3260 2
ok "before the fence, the other tool's programs pass traffic" connects "$VIP" 3260

pf block --ip "$VIP" --port 3260 --drain 0 >/dev/null
is "block exits 0" "$?" 0
is "status: attached on tcx" "$(pf_json 'd["attach"]' status --json)" tcx
is "status: every interface on tcx" "$(pf_json 'sorted(set(i["hook"] for i in d["interfaces"]))' status --json)" "['tcx']"
ok "status (text) says so" sh -c "ip netns exec '$SRV' '$PORTFENCE' --pin-dir '$PIN' status | grep -qx 'attach: *tcx (ordered first)'"
is "srv0 ingress: ours first, then the other tool's" "$(hooks "$SRV" | awk '$1 == "srv0" && $2 == "ingress" { print $3 }' | paste -sd' ')" \
	"fence_ingress foreign_pass"
is "srv0 egress: ours first, then the other tool's" "$(hooks "$SRV" | awk '$1 == "srv0" && $2 == "egress" { print $3 }' | paste -sd' ')" \
	"fence_egress foreign_pass"
is "no tc filter: nothing on clsact" "$(tc_filters "$SRV" | grep -c ' handle ')" 0
ok "a TCX_PASS program behind ours does not lift the fence: SYNs dropped" syn_dropped "$VIP" 3260
ok "... established sockets were reset on egress, through it" tb_wait 3 killed_at_least "$(srv_log "$VIP" 3260)" 2
ok "the portal next door is untouched" connects "$VIP" 3261

# another tool attaching in front of us later, with TCX_NEXT, passes the
# packet on to the fence
ip netns exec "$SRV" "$TCXPROG" add srv0 ingress next || exit 1
is "a TCX_NEXT program in front of ours" "$(hooks "$SRV" | awk '$1 == "srv0" && $2 == "ingress" { print $3 }' | paste -sd' ')" \
	"foreign_next fence_ingress foreign_pass"
ok "... the fence still holds" syn_dropped "$VIP" 3260
pf block --ip "$VIP" --port 3262 >/dev/null
is "a second block attaches nothing twice" "$(fence_hooks "$SRV")" 4

pf unload >/dev/null
is "unload exits 0" "$?" 0
is "unload: none of ours left" "$(fence_hooks "$SRV")" 0
is "unload: the other tool's three stay" "$(hooks "$SRV" | grep -c ' foreign_')" 3

# --- forced clsact
PORTFENCE_ATTACH=bogus pf load >/dev/null 2>"$WORK/err"
is "PORTFENCE_ATTACH=bogus: exit 2" "$?" 2
ok "... naming the value" grep -qF "bad PORTFENCE_ATTACH 'bogus'" "$WORK/err"
is "... nothing pinned" "$(ls "$PIN" | grep -cv debug)" 0
is "... nothing attached" "$(fence_hooks "$SRV")" 0
PORTFENCE_ATTACH=clsact pf block --ip "$VIP" --port 3260 >/dev/null
is "PORTFENCE_ATTACH=clsact: block exits 0" "$?" 0
is "status: attached on clsact" "$(pf_json 'd["attach"]' status --json)" clsact
is "one tc filter per hook: lo and srv0" "$(tc_filters "$SRV" | grep -c ' handle .*fence_')" 4
ok "clsact runs after tcx: the TCX_PASS program skips it (why tcx is the default)" connects "$VIP" 3260
ok "on lo, with no other program, the fence holds" sh -c "ip netns exec '$SRV' '$HOLD' probe '$VIP' 3260 500; [ \$? -eq 1 ]"
pf block --ip "$VIP" --port 3261 >/dev/null
is "a later block without the variable stays on clsact" "$(pf_json 'd["attach"]' status --json)" clsact
is "... nothing on tcx of ours" "$(ip netns exec "$SRV" "$TCXPROG" list | grep -c ' fence_')" 0
pf unload >/dev/null
is "unload on clsact: nothing left" "$(fence_hooks "$SRV")" 0

done_testing
