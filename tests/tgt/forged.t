#!/usr/bin/env bash
# tgtd prints initiator aliases as they came: an initiator logged in to one
# target, with line breaks in its alias, forges "Target" and "Account
# information" lines in `tgtadm --op show`. tgt-account must not act on
# them: not skip the bind of a target the forgery says is bound already
# (which would leave it open without CHAP), not bind the wrong target.
# It refuses (OCF_ERR_GENERIC: the group does not start, the fence stays
# up) and works again once the forging session is gone.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tgtlib.sh"
tgt_setup
LOAD=$TOP/build/tests/iscsi-load
[ -x "$LOAD" ] || skip_all "$LOAD is missing: make $LOAD"
tgt_target 1
tgt_target 2

# forger ALIAS: a session to target 1 (no CHAP there) sending ALIAS.
forger() {
	tb_bg "$TGT_CLIENT" "$LOAD" --alias "$1" -d 60 -o "$TGT_DIR/forger.report" \
		"$TGT_NODE_ADDR:3260/$(tgt_iqn 1)/1" 2>"$TGT_DIR/forger.log"
	FORGER=$TB_PID
	tb_wait 10 bash -c 'tgtadm -C "$1" --lld iscsi --op show --mode target 2>/dev/null | grep -q "alias: evil"' \
		_ "$TGT_PORT"
}
forger_gone() { kill "$FORGER" 2>/dev/null; wait "$FORGER" 2>/dev/null; }
no_login() { ! login "$@"; }

# 1. "target 2 already has the account": the agent would skip the bind
ok "a session forging 'target 2 binds the account' is logged in" \
	forger $'evil\nTarget 2: '"$(tgt_iqn 2)"$'\n    Account information:\n        '"$TGT_USER"
ta_is "start of target 2's binding under the forgery: 1, not a start that binds nothing" \
	1 start $(t 2)
ok "... saying why" grep -q "not tgtd's" "$TA_ERR_FILE"
forger_gone
ta_is "with the forging session gone, start: 0" 0 start $(t 2)
ok "target 2 now refuses a login without CHAP" no_login 2
ok "... and takes the shared account" login "$TGT_USER" "$TGT_PASS" 2
ta_is "stop: 0" 0 stop $(t 2)

# 2. a made-up target that takes target 1's real account lines
tgtadm_q --mode account --op new --user "$TGT_USER" --password "$TGT_PASS"
ok "a session forging a made-up target is logged in" \
	forger $'evil\nTarget 7: iqn.2026-01.test.portfence.account:made-up'
ta_is "a made-up target line: 1" 1 start $(t 1)
ok "... saying which" grep -q "(target 7)" "$TA_ERR_FILE"
forger_gone

done_testing
