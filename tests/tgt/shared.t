#!/usr/bin/env bash
# Three tgtd targets share one CHAP account through tgt-account (issue 4):
# the libiscsi initiator logs in with it and is refused without it or with
# a wrong password; stopping two of the three keeps the account and the
# third target still refuses logins without CHAP; stopping the last one
# deletes it. Idempotent starts and stops, a target or tgtd already gone,
# a target missing at start, an account made by hand, outgoing binding.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tgtlib.sh"
tgt_setup
for n in 1 2 3; do tgt_target "$n" || diag "cannot create target $n"; done

ok "without any account bound, tgtd lets anyone log in (what the binding must prevent)" login 1

for n in 1 2 3; do
	ta_is "t$n: probe before start is 7" 7 monitor $(t $n)
done
ta_is "account clone probe before start is 7" 7 monitor

for n in 1 2 3; do
	ta_is "t$n: start" 0 start $(t $n)
done
ok "the account exists" account_exists "$TGT_USER"
is "it is bound to the three targets, incoming" "$(bindings "$TGT_USER" | xargs)" "1 2 3"
is "the agent made no other account" "$(accounts | xargs)" "$TGT_USER"
for n in 1 2 3; do
	ok "t$n: login with the shared account" login "$TGT_USER" "$TGT_PASS" "$n"
	ok "t$n: login without CHAP refused" refused "$n"
	ok "t$n: login with a wrong password refused" refused "$TGT_USER" wrong-password-1 "$n"
	ta_is "t$n: monitor is 0" 0 monitor $(t $n)
	ta_is "t$n: status is 0" 0 status $(t $n)
done
ta_is "t1: start again is 0" 0 start $(t 1)
is "t1: ... and binds once" "$(bindings "$TGT_USER" | xargs)" "1 2 3"

ta_is "t1: stop" 0 stop $(t 1)
ta_is "t2: stop" 0 stop $(t 2)
ok "two of three stopped: the account stays" account_exists "$TGT_USER"
is "... bound to the third target only" "$(bindings "$TGT_USER" | xargs)" "3"
ok "t3: still refuses a login without CHAP" refused 3
ok "t3: still refuses a wrong password" refused "$TGT_USER" wrong-password-1 3
ok "t3: still accepts the account" login "$TGT_USER" "$TGT_PASS" 3
ta_is "t1: monitor after stop is 7" 7 monitor $(t 1)
ta_is "t2: stop again is 0" 0 stop $(t 2)
ta_is "t3: monitor is 0" 0 monitor $(t 3)
ta_is "t3: stop (the last)" 0 stop $(t 3)
ok "the last stop deleted the account" no_account "$TGT_USER"
is "no binding left" "$(bindings "$TGT_USER" | xargs)" ""
ta_is "t3: stop again is 0" 0 stop $(t 3)
ta_is "t3: monitor is 7" 7 monitor $(t 3)

# A target that iSCSITarget already removed.
ta_is "t1: start" 0 start $(t 1)
ta_is "t2: start" 0 start $(t 2)
tgt_target_delete 2
ta_is "t2 deleted behind the agent: monitor is 7" 7 monitor $(t 2)
ta_is "t2 deleted: stop is 0" 0 stop $(t 2)
ok "t2 deleted: the account stays for t1" bound "$TGT_USER" 1
ta_is "t1: stop" 0 stop $(t 1)
ok "... the last binding gone, the account is deleted" no_account "$TGT_USER"
tgt_target 2

# A target missing at start: iSCSITarget should have made it.
before=$(tgt_state)
ta_is "start with a target that does not exist: generic error (1), not 6" 1 start $(t 9)
ok "... the message names the IQN" grep -qF "'$(tgt_iqn 9)'" "$TA_ERR_FILE"
is "... and nothing changed in tgtd" "$(tgt_state)" "$before"
ta_is "monitor of a target that does not exist is 7" 7 monitor $(t 9)
ta_is "stop of a target that does not exist is 0" 0 stop $(t 9)

# An account that exists already (made by hand) is used, not re-created.
tgtadm_q --mode account --op new --user "$TGT_USER" --password "$TGT_PASS"
tgtadm_q --mode account --op bind --tid 3 --user "$TGT_USER"
ta_is "account already there: start t1 is 0" 0 start $(t 1)
is "... bound to t1 and still to t3" "$(bindings "$TGT_USER" | xargs)" "1 3"
ta_is "t1: stop" 0 stop $(t 1)
ok "... keeps the account t3 binds" bound "$TGT_USER" 3
tgtadm_q --mode account --op unbind --tid 3 --user "$TGT_USER"
tgtadm_q --mode account --op delete --user "$TGT_USER"

# Outgoing: the target's own credentials for mutual CHAP.
ta_is "outgoing: start t2" 0 start $(t 2 direction=outgoing)
ok "outgoing: bound with --outgoing" bound "$TGT_USER" 2 outgoing
ok "outgoing: not bound incoming" not_bound "$TGT_USER" 2
ta_is "outgoing: monitor is 0" 0 monitor $(t 2 direction=outgoing)
ta_is "outgoing: the incoming resource's monitor is 7" 7 monitor $(t 2)
ta_is "incoming on the same target too: start" 0 start $(t 2)
ta_is "outgoing: stop" 0 stop $(t 2 direction=outgoing)
is "outgoing: unbound, the incoming binding stays" "$(bindings "$TGT_USER" | xargs)" 2
ta_is "incoming: stop" 0 stop $(t 2)
ok "both stopped: the account is gone" no_account "$TGT_USER"
tgtadm_q --mode account --op new --user other-out --password other-secret-1
tgtadm_q --mode account --op bind --tid 3 --user other-out --outgoing
before=$(tgt_state)
ta_is "outgoing: a target with another outgoing account: start fails (1)" 1 start $(t 3 direction=outgoing)
ok "... naming that account" grep -qF "'other-out'" "$TA_ERR_FILE"
ok "... leaving the other account bound" bound other-out 3 outgoing
tgtadm_q --mode account --op delete --user other-out
ta_is "stop after the failed start is 0" 0 stop $(t 3 direction=outgoing)
ok "... and deletes the account it created" no_account "$TGT_USER"

# tgtd gone (crashed, or stopped before us): stopped.
ta_is "t1: start" 0 start $(t 1)
tgtd_kill
ta_is "tgtd killed: monitor is 7" 7 monitor $(t 1)
ta_is "tgtd killed: account clone monitor is 7" 7 monitor
ta_is "tgtd killed: stop is 0" 0 stop $(t 1)
ta_is "tgtd killed: account clone stop is 0" 0 stop
ta_is "tgtd killed: start fails (1)" 1 start $(t 1)
ok "... saying tgtd is not running" grep -q "tgtd is not running" "$TA_ERR_FILE"
rm -f "/run/tgtd/socket.$TGT_PORT"
ta_is "tgtd gone without a socket: monitor is 7" 7 monitor $(t 1)
ta_is "tgtd gone without a socket: stop is 0" 0 stop $(t 1)

ok "the agent logged its actions (to HA_LOGFILE)" grep -q "bind account '$TGT_USER'" "$TGT_DIR/agent.log"
ok "the password never appears in the agent's output or log" \
	bash -c '! grep -qF -- "$1" "$2" "$3"' _ "$TGT_PASS" "$TGT_DIR/all-output" "$TGT_DIR/agent.log"

done_testing
