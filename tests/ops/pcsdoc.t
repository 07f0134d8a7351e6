#!/usr/bin/env bash
# The pcs form of docs/README-iscsi.md, without a cluster: the pcs
# commands for two targets, a third with the promotable fence recipe and
# the portfence-peers clone,
# as tests/cluster applies them (tests/cluster/docconf.sh), applied with
# pcs -f to an empty CIB file in a mount namespace of this test's own
# (portfence's agents and the bed's stand-ins for DRBD and tgtd laid over
# /usr/lib/ocf/resource.d there, the bed's fence agent over /usr/sbin, as
# tests/cluster does), and crm_verify -x accepts the result.
. "$(dirname "$0")/../lib/testlib.sh"
need_root
for tool in pcs cibadmin crm_verify unshare xmllint; do
	command -v "$tool" >/dev/null || skip_all "needs $tool (make deps)"
done
[ -x /usr/lib/ocf/resource.d/heartbeat/iSCSITarget ] || skip_all "needs resource-agents"
new_tmpdir WORK
CL_DIR=$WORK
. "$TOP/tests/cluster/docconf.sh"

rd=$WORK/ocf.up
mkdir -p "$rd/portfence" "$rd/linbit" "$rd/pfbed" "$WORK/ocf.work"
ln -s "$TOP/agents/fence-portblock" "$rd/portfence/fence-portblock"
ln -s "$TOP/agents/tgt-account" "$rd/portfence/tgt-account"
ln -s "$TOP/agents/portfence-peers" "$rd/portfence/portfence-peers"
ln -s "$TOP/tests/cluster/agents/drbd" "$rd/linbit/drbd"
ln -s "$TOP/tests/cluster/agents/tgtd" "$rd/pfbed/tgtd"
mkdir -p "$WORK/usbin.up" "$WORK/usbin.work"
ln -s "$TOP/tests/cluster/agents/fence_pfbed" "$WORK/usbin.up/fence_pfbed"

{ doc_pcs 2; doc_pcs_promotable 3; doc_pcs_peers; } >"$WORK/doc.pcs"
ok "the promotable recipe has a pcs form" grep -q '^pcs resource create p_t3_portal .*promotable' \
	<(sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' "$WORK/doc.pcs")
cib=$WORK/cib.xml
cibadmin --empty >"$cib"
# shellcheck disable=SC2016
ok "the documented pcs commands apply to an empty CIB file (pcs -f)" bash -c '
	unshare -m bash -c "mount --make-rprivate / && mount -t overlay overlay -o lowerdir=/usr/lib/ocf/resource.d,upperdir=\"\$1\",workdir=\"\$1/../ocf.work\" /usr/lib/ocf/resource.d &&
		mount -t overlay overlay -o lowerdir=/usr/sbin,upperdir=\"\$1/../usbin.up\",workdir=\"\$1/../usbin.work\" /usr/sbin &&
		f=\$2; set -e; pcs() { command pcs -f \"\$f\" \"\$@\"; }; . \"\$3\"" _ "$1" "$2" "$3" \
		>"$4" 2>&1 || { tail -5 "$4" | sed "s/^/#   /"; exit 1; }' _ "$rd" "$cib" "$WORK/doc.pcs" "$WORK/pcs.log"
ok "crm_verify -x accepts the CIB pcs made" bash -c 'crm_verify -x "$1" 2>&1 | sed "s/^/#   /"; [ "${PIPESTATUS[0]}" = 0 ]' _ "$cib"
# x XPATH: whether the CIB pcs made has a node matching XPATH.
x() { [ "$(xmllint --xpath "count($1)" "$cib" 2>/dev/null)" -gt 0 ] 2>/dev/null; }
ok "the portfence-peers clone" \
	x '//clone[@id="cl_peers"]/primitive[@id="p_peers"][@type="portfence-peers"]'
for t in t1 t2; do
	ok "the clone ordered before p_${t}_unblock, Optional" \
		x "//rsc_order[@first=\"cl_peers\"][@then=\"p_${t}_unblock\"][@kind=\"Optional\"]"
done
ok "t3's fence is one promotable clone" \
	x '//clone[@id="p_t3_portal-clone"][meta_attributes/nvpair[@name="promotable"][@value="true"]]/primitive[@id="p_t3_portal"]'
ok "its promoted instance is colocated with t3's group" \
	x '//rsc_colocation[@rsc="p_t3_portal-clone"][@rsc-role="Promoted" or @rsc-role="Master"][@with-rsc="g_t3"]'
ok "t3's group has no block or unblock member" bash -c '! grep -q "p_t3_block\|p_t3_unblock" "$1"' _ "$cib"
ok "the promote follows the group's start" \
	x '//rsc_order[@first="g_t3"][@first-action="start"][@then="p_t3_portal-clone"][@then-action="promote"]'
ok "one fence device per node, kept off the node it powers" bash -c '
	for n in 1 2; do
		[ "$(xmllint --xpath "count(//primitive[@id=\"st_node$n\"][@class=\"stonith\"][instance_attributes/nvpair[@name=\"pcmk_host_list\"][@value=\"node$n\"]])" "$1")" = 1 ] &&
		[ "$(xmllint --xpath "count(//rsc_location[@rsc=\"st_node$n\"][@node=\"node$n\"][@score=\"-INFINITY\"])" "$1")" = 1 ] || exit 1
	done' _ "$cib"
done_testing
