#!/usr/bin/env bash
# tgtd restarted (killed by its pid, started again: it comes back empty)
# under tgt-account: the monitor reports the lost account and binding as
# not running (7), never as running; once the target is made again (as
# iSCSITarget's restart does), start binds it again and the target again
# refuses logins without CHAP. (tests/tgt/shared.t covers tgtd killed and
# not started again.)
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../tgt/tgtlib.sh"
tgt_setup
tgt_target 1 || diag "cannot create target 1"

ta_is "account clone: start" 0 start
ta_is "t1: start" 0 start $(t 1)
ok "t1: login with the shared account" login "$TGT_USER" "$TGT_PASS" 1
ok "t1: login without CHAP refused" refused 1

for round in 1 2 3; do
	tgtd_kill
	tgtd_start || { diag "tgtd did not start again"; exit 1; }
	ok "round $round: the restarted tgtd holds no account" no_account "$TGT_USER"
	ta_is "round $round: account clone monitor is 7 (the account is gone)" 7 monitor
	ta_is "round $round: t1 monitor is 7 (the binding is gone with its target)" 7 monitor $(t 1)
	tgt_target 1 || diag "cannot create target 1 again"
	ok "round $round: the target made again lets anyone in (what the binding must prevent)" login 1
	ta_is "round $round: t1 monitor is still 7 (target back, binding not)" 7 monitor $(t 1)
	ta_is "round $round: account clone start" 0 start
	ta_is "round $round: t1 start binds again" 0 start $(t 1)
	ok "round $round: ... bound once" test "$(bindings "$TGT_USER" | xargs)" = 1
	ta_is "round $round: t1 monitor is 0" 0 monitor $(t 1)
	ok "round $round: login with the shared account" login "$TGT_USER" "$TGT_PASS" 1
	ok "round $round: login without CHAP refused again" refused 1
done

ta_is "t1: stop" 0 stop $(t 1)
ta_is "account clone: stop" 0 stop
ok "the account is deleted" no_account "$TGT_USER"

done_testing
