#!/usr/bin/env bash
# Bad parameters: start and validate-all exit 6 (OCF_ERR_CONFIGURED) with a
# message naming the value, and change nothing in tgtd; a missing tgtadm is
# 5 (a probe 7, a stop 0). Values are never run through a shell: names
# holding shell syntax are used literally.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/tgtlib.sh"
tgt_setup
tgt_target 1 || diag "cannot create target 1"
ta start $(t 1) || diag "cannot start t1"
new_tmpdir dir
new_tmpdir trap_dir
# A value is never run; if a regression ran one, "reboot" and "touch" land
# here instead of on the machine.
for c in reboot touch; do
	printf '#!/bin/sh\necho "$0 $*" >> %s/ran\n' "$trap_dir" >"$trap_dir/$c"
	chmod +x "$trap_dir/$c"
done
export PATH=$trap_dir:$PATH

BEFORE=$(tgt_state)
unchanged() {
	[ -e "$trap_dir/ran" ] && { diag "ran: $(cat "$trap_dir/ran")"; return 1; }
	[ "$(tgt_state)" = "$BEFORE" ] || { diag "tgtd changed: $(tgt_state | xargs)"; return 1; }
}

# bad WANT SHOWN PARAM=VALUE...: start and validate-all exit WANT, the
# message contains SHOWN, tgtd is unchanged.
bad() {
	local want=$1 shown=$2 a rc
	shift 2
	for a in start validate-all; do
		ta "$a" "$@"
		rc=$?
		is "$*: $a exits $want" "$rc" "$want"
		ok "$*: $a names '$shown'" grep -qF -- "$shown" "$TA_ERR_FILE"
	done
	ok "$*: nothing changed" unchanged
}

bad 6 "username is empty" username=
bad 6 "'a b'" 'username=a b'
bad 6 "'a	b'" "username=$(printf 'a\tb')"
bad 6 "'o'neil'" "username=o'neil"
bad 6 "'say\"hi'" 'username=say"hi'
bad 6 "'a\`id\`'" 'username=a`id`'
bad 6 "'back\\slash'" 'username=back\slash'
bad 6 "'x.portfence-hold'" username=x.portfence-hold
bad 6 "'x.portfence-rotate'" username=x.portfence-rotate
bad 6 "neither password nor password_file" password=
bad 6 "'$dir/secret'" password_file="$dir/secret"
bad 6 "'relative/secret'" password= password_file=relative/secret
bad 6 "'$dir/missing'" password= password_file="$dir/missing"
bad 6 "'$dir' is not a regular file" password= password_file="$dir"
printf 'file-secret-1\n' >"$dir/secret"
chmod 640 "$dir/secret"
bad 6 "has mode 640" password= password_file="$dir/secret"
chmod 604 "$dir/secret"
bad 6 "has mode 604" password= password_file="$dir/secret"
chmod 600 "$dir/secret"
chown 65534 "$dir/secret"
bad 6 "'$dir/secret' is not owned by root" password= password_file="$dir/secret"
chown 0 "$dir/secret"
: >"$dir/empty"
chmod 600 "$dir/empty"
bad 6 "'$dir/empty' is empty" password= password_file="$dir/empty"
printf '\nsecret-on-line-2\n' >"$dir/blank-first"
chmod 600 "$dir/blank-first"
bad 6 "'$dir/blank-first' has an empty first line" password= password_file="$dir/blank-first"
bad 6 "'sideways'" direction=sideways
bad 6 "'iqn.2026-01.test:a b'" 'target_iqn=iqn.2026-01.test:a b'
bad 6 "'iqn.2026-01.test:\"q\"'" 'target_iqn=iqn.2026-01.test:"q"'
bad 6 "'target-one'" target_iqn=target-one
bad 6 "'abc'" control_port=abc
bad 6 "'-1'" control_port=-1
bad 6 "'32768'" control_port=32768
bad 6 "'0x10'" control_port=0x10
bad 6 "'1;reboot'" 'control_port=1;reboot'
bad 6 "'07'" control_port=07
bad 6 "'' (want 0-32767)" control_port=
bad 5 "'/nonexistent/tgtadm'" tgtadm=/nonexistent/tgtadm
bad 5 "'sbin/tgtadm'" tgtadm=sbin/tgtadm
bad 5 "'no-such-tgtadm'" tgtadm=no-such-tgtadm

ta start password=
ok "the 'neither' message does not leak the password of another resource" \
	bash -c '! grep -qF -- "$1" "$2"' _ "$TGT_PASS" "$TA_ERR_FILE"
ta start password_file="$dir/secret"
ok "the 'both set' message names the file, never the password" \
	bash -c '! grep -qF -- "$1" "$2"' _ "$TGT_PASS" "$TA_ERR_FILE"

ta_is "tgtadm missing: probe is 7" 7 monitor $(t 1) tgtadm=/nonexistent/tgtadm
ta_is "tgtadm missing: stop is 0" 0 stop $(t 1) tgtadm=/nonexistent/tgtadm
ok "... and changed nothing" unchanged
ta_is "an unreadable password_file does not fail a stop" 0 stop $(t 9) password= password_file="$dir/missing"
ta_is "... nor a monitor" 7 monitor $(t 9) password= password_file="$dir/missing"
ta_is "tgtadm by absolute path" 0 validate-all tgtadm="$(command -v tgtadm)"

# Shell syntax in a name is a name, never code.
weird='$(reboot)'
ta_is "username '$weird': start with it" 0 start username="$weird" $(t 1)
ok "... the account is named literally" account_exists "$weird"
ta_is "... stop" 0 stop username="$weird" $(t 1)
ok "... deleted" no_account "$weird"
ta_is "target_iqn with ';reboot': start is 1 (no such target)" 1 start target_iqn='iqn.2026-01.test:x;reboot'
ok "nothing was ever run" test ! -e "$trap_dir/ran"
ok "tgtd is as before" unchanged

done_testing
