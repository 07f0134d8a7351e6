# shellcheck shell=bash
# The configurations of docs/README-iscsi.md, as the test bed applies them.
#
#   doc_crm N      the crm shell configuration for N targets, and fencing
#   doc_pcs N      the pcs commands for N targets, and fencing
#   doc_crm_peers N [P]  the portfence-peers clone for N targets (crm)
#
# The documented text is taken as it stands. Targets beyond those written
# out are made from t1's lines by the rule the document gives for t2 (r0,
# /dev/drbd0, /dev/drbd1, .101, t1, tid=1 renumbered). Then the bed's map,
# and nothing else:
#   systemd:tgt     -> ocf:pfbed:tgtd   the bed runs no systemd
#   fence_ipmilan   -> fence_pfbed      the bed's power switch (clusterlib.sh)
#   192.0.2.x       -> 198.18.0.x       the test-bed address range
#   path=/dev/drbdK -> path=$CL_DIR/luns/drbdK.img
#                                       a file both nodes reach, for DRBD
# ocf:linbit:drbd keeps its name: the bed's stand-in is installed under it.
# CL_DOC names another copy of the document (to try a change to it).

DOC=${CL_DOC:-$TOP/docs/README-iscsi.md}

# doc_block HEADING [N]: the first (Nth) code block after the line
# "## HEADING".
doc_block() {
	awk -v h="## $1" -v want="${2:-1}" '
		$0 == h { in_sec = 1; next }
		in_sec && /^```/ { if (in_code) { if (n == want) exit; in_code = 0; next } n++; in_code = 1; next }
		in_code && n == want { print }' "$DOC"
}

# doc_renumber N: t1's lines as target N's.
doc_renumber() {
	local n=$1
	sed -e "s/_r0\b/_r$((n - 1))/g; s/=r0\b/=r$((n - 1))/g" \
		-e "s,/dev/drbd1\b,/dev/drbd$((2 * n - 1)),g; s,/dev/drbd0\b,/dev/drbd$((2 * n - 2)),g" \
		-e "s/192\.0\.2\.101\b/192.0.2.$((100 + n))/g" \
		-e "s/t1\b/t$n/g; s/_t1_/_t${n}_/g; s/\btid=1\b/tid=$n/g"
}

doc_bed_map() {
	sed -e 's/\bsystemd:tgt\b/ocf:pfbed:tgtd/g' -e 's/\bfence_ipmilan\b/fence_pfbed/g' \
		-e 's/\b192\.0\.2\./198.18.0./g' \
		-e "s,path=/dev/drbd\([0-9]*\)\b,path=$CL_DIR/luns/drbd\1.img,g"
}

# doc_crm_t1: the crm lines of target t1 (from its DRBD resource to its
# last constraint).
doc_crm_t1() {
	doc_block "crm shell" | awk '/^primitive p_drbd_r0 /, /^order o_t1_after_account /'
}

doc_crm() {
	local n
	{
		doc_block "crm shell"
		for n in $(seq 3 "$1"); do
			echo
			doc_crm_t1 | doc_renumber "$n"
		done
		echo
		doc_block Fencing
	} | doc_bed_map
}

doc_pcs() {
	local n block
	block=$(doc_block pcs)
	{
		echo "$block" | awk '/^# per target/ { exit } { print }'
		for n in $(seq 1 "$1"); do
			echo "$block" | awk '/^# per target/ { on = 1; next } /^# t2 / { exit } on' |
				doc_renumber "$n"
		done
		doc_block Fencing 2
	} | doc_bed_map
}

# doc_crm_promotable N: target N with the promotable fence, as the
# document's recipe gives it for t1: t1's lines but its fence members and
# group (the recipe replaces them), then the recipe.
doc_crm_promotable() {
	{
		doc_crm_t1 | sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' |
			grep -v -e '^primitive p_t1_block ' -e '^primitive p_t1_unblock ' -e '^group g_t1 '
		doc_block "A promotable fence instead of block and unblock"
	} | doc_renumber "$1" | doc_bed_map
}

# doc_pcs_promotable N: target N with the promotable fence in pcs form:
# t1's pcs resources without the fence members and without their --group
# (the recipe makes the group), the recipe's pcs block, then t1's
# constraints (they name the group).
doc_pcs_promotable() {
	local t1
	t1=$(doc_block pcs | awk '/^# per target/ { on = 1; next } /^# t2 / { exit } on' |
		sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}')
	{
		grep '^pcs resource create ' <<<"$t1" |
			grep -v -e '^pcs resource create p_t1_block ' -e '^pcs resource create p_t1_unblock ' |
			sed 's/ --group g_t1$//'
		awk -v h="## A promotable fence instead of block and unblock" '
			$0 == h { in_sec = 1; next }
			in_sec && /^## / { exit }
			in_sec && /^```/ { n++; next }
			in_sec && n == 3 { print }' "$DOC"
		grep '^pcs constraint ' <<<"$t1"
	} | doc_renumber "$1" | doc_bed_map
}

# doc_crm_peers, doc_pcs_peers: the portfence-peers clone and its order
# before the unblock resources, in crm and in pcs form (the first and the
# second code block of its section).
_doc_peers_block() {
	awk -v h="## Peers of a node that died: portfence-peers" -v want="$1" '
		$0 == h { in_sec = 1; next }
		in_sec && /^## / { exit }
		in_sec && /^```/ { n++; next }
		in_sec && n == want { print }' "$DOC" | doc_bed_map
}
# doc_crm_peers N [P]: the crm form for N targets: the portals of P targets
# (default N: a promotable target has a portal but no unblock member), and
# the order before each target's unblock (t2's line renumbered from t1's).
doc_crm_peers() {
	local n portals=""
	for n in $(seq "${2:-$1}"); do
		portals="$portals 198.18.0.$((100 + n)):3260"
	done
	_doc_peers_block 1 | sed "s/portals=\"[^\"]*\"/portals=\"${portals# }\"/"
	for n in $(seq 3 "$1"); do
		_doc_peers_block 1 | grep '^order o_peers_before_t1_unblock ' | doc_renumber "$n"
	done
}
doc_pcs_peers() { _doc_peers_block 3; }
