#!/usr/bin/env bash
# The account resource without target_iqn (the clone beside tgtd) and the
# target resources together: the clone's hold keeps the account when the
# last target leaves the node (so the clone's monitor stays green through a
# failover), the clone's stop never deletes an account a target binds, and
# without the hold the last target's stop deletes it.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tgtlib.sh"
tgt_setup
for n in 1 2 3; do tgt_target "$n" || diag "cannot create target $n"; done
HOLD=$TGT_USER.portfence-hold

ta_is "clone: probe before start is 7" 7 monitor
ta_is "clone: start" 0 start
ok "clone: the account exists" account_exists "$TGT_USER"
ok "clone: so does its hold" account_exists "$HOLD"
is "clone: the account is bound to nothing yet" "$(bindings "$TGT_USER" | xargs)" ""
is "clone: the hold is never bound" "$(bindings "$HOLD" | xargs)" ""
ok "clone: an unbound account does not protect a target (tgtd: no CHAP)" login 1
ta_is "clone: monitor is 0" 0 monitor
ta_is "clone: start again is 0" 0 start
ta_is "clone: monitor is still 0" 0 monitor

for n in 1 2 3; do ta_is "t$n: start" 0 start $(t $n); done
is "targets bound" "$(bindings "$TGT_USER" | xargs)" "1 2 3"
ok "t2: login with the account" login "$TGT_USER" "$TGT_PASS" 2
for n in 1 2 3; do ta_is "t$n: stop" 0 stop $(t $n); done
ok "every target gone from this node: the clone keeps the account" account_exists "$TGT_USER"
ta_is "... and the clone's monitor stays 0" 0 monitor

ta_is "t1: start again" 0 start $(t 1)
ta_is "clone: stop while t1 binds the account" 0 stop
ok "clone stop: the hold is gone" no_account "$HOLD"
ok "clone stop: the account t1 binds stays" bound "$TGT_USER" 1
ok "clone stop: t1 still refuses logins without CHAP" refused 1
ok "clone stop: t1 still accepts the account" login "$TGT_USER" "$TGT_PASS" 1
ta_is "clone: monitor after stop is 7" 7 monitor
ta_is "clone: stop again is 0" 0 stop
ta_is "t1: stop, the last binding, no clone" 0 stop $(t 1)
ok "... deletes the account" no_account "$TGT_USER"
is "... and tgtd holds no account at all" "$(accounts | xargs)" ""

ta_is "clone: start" 0 start
ta_is "clone: stop with no target bound" 0 stop
is "... deletes the account and its hold" "$(accounts | xargs)" ""

# The clone restarted while targets bind the account (a parameter change):
# the bindings survive.
ta_is "t1: start (creates the account)" 0 start $(t 1)
ta_is "t3: start" 0 start $(t 3 direction=outgoing)
ta_is "clone: start with the account bound" 0 start
is "... t1 still bound incoming, t3 outgoing" "$(bindings "$TGT_USER" | xargs)" "1 3 outgoing"
ok "... t1 still refuses logins without CHAP" refused 1
ok "... t1 accepts the account" login "$TGT_USER" "$TGT_PASS" 1
is "... no placeholder account left" "$(accounts | sort | xargs)" "$TGT_USER $HOLD"
ta_is "clone: monitor is 0" 0 monitor
for r in t1 t3 clone; do
	case $r in
	t1) ta_is "stop t1" 0 stop $(t 1);;
	t3) ta_is "stop t3" 0 stop $(t 3 direction=outgoing);;
	clone) ta_is "stop clone" 0 stop;;
	esac
done
is "all stopped: no account left" "$(accounts | xargs)" ""

# The hold deleted behind the clone: its monitor reports it, so the cluster
# recovers it before a last target's stop deletes the account.
ta start
tgtadm_q --mode account --op delete --user "$HOLD"
ta_is "hold deleted behind the clone: monitor is 7" 7 monitor
ta_is "clone: start recovers" 0 start
ta_is "clone: monitor is 0" 0 monitor
ta_is "clone: stop" 0 stop

# A control port with no tgtd behind it (another tgtd, not started).
other=$(tgt_free_port)
ta_is "clone on a control port with no tgtd: start fails (1)" 1 start control_port="$other"
ta_is "... its monitor is 7" 7 monitor control_port="$other"
ta_is "... its stop is 0" 0 stop control_port="$other"

done_testing
