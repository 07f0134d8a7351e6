#!/usr/bin/env bash
# Password changes (issue 4). tgtd has no password update, and deleting the
# account unbinds it from every target, which then accept logins without
# CHAP. The account resource's start applies a changed password through a
# placeholder account bound meanwhile: the targets keep refusing logins
# without CHAP throughout. password_file as the source; secrets with
# separators in them; secrets never in the agent's output or log.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tgtlib.sh"
tgt_setup
for n in 1 2 3; do tgt_target "$n" || diag "cannot create target $n"; done
ROTATIONS=${ROTATIONS:-20}
PW_A=first-secret-A1
PW_B=second-secret-B2
PW_E=file-secret-E5
PW_F=file-secret-F6
PW_ODD='odd,pass=word;$x y'
SECRETS=("$PW_A" "$PW_B" "$PW_E" "$PW_F" "$PW_ODD")
new_tmpdir dir

# restart_clone PARAM=VALUE...: what Pacemaker does when the clone's
# parameters change (stop, then start with the new ones).
restart_clone() { ta stop "$@" && ta start "$@"; }

ta_is "clone: start with password A" 0 start password="$PW_A"
for n in 1 2 3; do ta_is "t$n: start" 0 start $(t $n password="$PW_A"); done
ok "t1: login with A" login "$TGT_USER" "$PW_A" 1

# What a plain delete and re-create would do, by hand: the window.
tgtadm_q --mode account --op delete --user "$TGT_USER"
ok "by hand: between delete and re-create, t1 lets a login without CHAP in" login 1
tgtadm_q --mode account --op new --user "$TGT_USER" --password "$PW_A"
for n in 1 2 3; do tgtadm_q --mode account --op bind --tid "$n" --user "$TGT_USER"; done
ok "by hand: t1 refuses it again once re-bound" refused 1

ok "clone restarted with password B" restart_clone password="$PW_B"
for n in 1 2 3; do
	ok "t$n: login with B" login "$TGT_USER" "$PW_B" "$n"
	ok "t$n: login with A refused" refused "$TGT_USER" "$PW_A" "$n"
	ok "t$n: login without CHAP refused" refused "$n"
done
is "the bindings survived the change" "$(bindings "$TGT_USER" | xargs)" "1 2 3"
is "no placeholder left" "$(accounts | sort | xargs)" "$TGT_USER $TGT_USER.portfence-hold"
for n in 1 2 3; do ta_is "t$n: monitor is 0" 0 monitor $(t $n); done

# Logins without CHAP hammer t1 and t2 while the password changes again
# and again: not one gets in.
probe_loop() {
	local n=$1 tries=0 in=0
	while [ ! -e "$dir/stop" ]; do
		tries=$((tries + 1))
		login "$n" && in=$((in + 1))
	done
	echo "$tries $in" >"$dir/loop.$n"
}
rm -f "$dir/stop"
probe_loop 1 & l1=$!
probe_loop 2 & l2=$!
good=0
for r in $(seq "$ROTATIONS"); do
	if [ $((r % 2)) = 1 ]; then pw=$PW_A; else pw=$PW_B; fi
	ta start password="$pw" && good=$((good + 1))
done
touch "$dir/stop"
wait "$l1" "$l2"
is "$ROTATIONS password changes under login attempts: every start 0" "$good" "$ROTATIONS"
read -r tries1 in1 <"$dir/loop.1"
read -r tries2 in2 <"$dir/loop.2"
diag "logins without CHAP attempted meanwhile: $tries1 on t1, $tries2 on t2"
is "... not one login without CHAP got in" "$((in1 + in2))" 0
ok "... the last password is in force" login "$TGT_USER" "$PW_B" 3
ok "... the one before is not" refused "$TGT_USER" "$PW_A" 3
is "... bindings intact" "$(bindings "$TGT_USER" | xargs)" "1 2 3"

# A placeholder left bound by a change that failed half-way: the next start
# completes the change and removes it.
tgtadm_q --mode account --op new --user "$TGT_USER.portfence-rotate" --password leftover-secret-9
tgtadm_q --mode account --op bind --tid 2 --user "$TGT_USER.portfence-rotate"
ta_is "leftover placeholder: clone start is 0" 0 start password="$PW_B"
ok "... the placeholder is gone" no_account "$TGT_USER.portfence-rotate"
ok "... t2 accepts the account" login "$TGT_USER" "$PW_B" 2

# password_file: first line of a root-only file.
printf '%s\n' "$PW_E" >"$dir/secret"
chmod 600 "$dir/secret"
ok "clone restarted with password_file (E)" restart_clone password= password_file="$dir/secret"
ok "t1: login with the file's secret" login "$TGT_USER" "$PW_E" 1
ok "t1: login with B refused" refused "$TGT_USER" "$PW_B" 1
printf '%s' "$PW_F" >"$dir/secret"
ok "file changed (F, no newline) and clone restarted" restart_clone password= password_file="$dir/secret"
ok "t1: login with F" login "$TGT_USER" "$PW_F" 1
ok "t1: login with E refused" refused "$TGT_USER" "$PW_E" 1

# A target resource never changes an existing account's password.
ta_is "t1: restart with another password" 0 stop $(t 1 password="$PW_A")
ta_is "... start" 0 start $(t 1 password="$PW_A")
ok "... the account keeps the clone's (F)" login "$TGT_USER" "$PW_F" 1
ok "... the target resource's is refused" refused "$TGT_USER" "$PW_A" 1

# Separators and shell characters reach tgtd as one argument.
ok "clone restarted with a password holding , = ; \$ and a space" restart_clone password="$PW_ODD"
ok "t3: login with it" login "$TGT_USER" "$PW_ODD" 3

for n in 1 2 3; do ta stop $(t $n); done
ta_is "clone: stop" 0 stop
is "everything stopped: no account left" "$(accounts | xargs)" ""

ok "the agent logged its actions (to HA_LOGFILE)" grep -q "applied the password" "$TGT_DIR/agent.log"
leaks=""
for s in "${SECRETS[@]}"; do
	grep -qF -- "$s" "$TGT_DIR/all-output" "$TGT_DIR/agent.log" && leaks="$leaks '$s'"
done
is "no password ever appears in the agent's output or log" "$leaks" ""

done_testing
