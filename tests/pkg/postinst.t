#!/usr/bin/env bash
# The package's postinst replaces the running programs on an upgrade, in
# place, keeping every fence (docs/packaging.md, Upgrades): where
# portfence.service is enabled it runs "portfence load"; where it is not,
# it says what to run and changes nothing; a fresh install loads nothing.
# Run as dpkg runs it, against a live fence of another build of the
# programs, in a namespace of the test's own.
. "$(dirname "$0")/../lib/testlib.sh"
need_root
[ -x "$PORTFENCE" ] || skip_all "$PORTFENCE is missing: run make"
command -v bpftool >/dev/null || skip_all "bpftool is missing"
OLD=$TOP/build/tests/variant/portfence
[ -x "$OLD" ] || skip_all "$OLD is missing: run make"
POSTINST=$TOP/debian/portfence.postinst
new_netns NS postinst
new_bpffs PIN
new_tmpdir WORK
ip -n "$NS" link set lo up
# a systemctl that says portfence.service is enabled (ENABLED=0) or not
mkdir "$WORK/bin"
printf '#!/bin/sh\n[ "$1 $2 $3" = "is-enabled --quiet portfence.service" ] && exit "${ENABLED:-1}"\nexit 1\n' >"$WORK/bin/systemctl"
chmod 755 "$WORK/bin/systemctl"
# postinst [VAR=VALUE]... ARGS: the script as dpkg runs it
postinst() {
	local envs=()
	while [[ $1 == *=* ]]; do envs+=("$1"); shift; done
	ip netns exec "$NS" env PATH="$WORK/bin:$PATH" PORTFENCE_BIN="$PORTFENCE" PORTFENCE_PIN_DIR="$PIN" \
		"${envs[@]}" sh "$POSTINST" "$@"
}
postinst_out() { postinst "$@" >"$WORK/out" 2>"$WORK/err"; }
tag() { bpftool prog show pinned "$PIN/prog_ingress" | awk 'NR == 1 { print $6 }'; }
pf() { ip netns exec "$NS" "$1" --pin-dir "$PIN" "${@:2}"; }
quietly() { "$@" >/dev/null 2>&1; }

is_rc "nothing loaded: an upgrade loads nothing" 0 "$WORK/err" postinst ENABLED=0 configure 0.0.1 2>"$WORK/err"
is "... nothing pinned" "$(ls "$PIN" | grep -cv debug)" 0
pf "$OLD" block --ip 198.18.0.1 --port 3260 >/dev/null
old=$(tag)
is_rc "a fresh install: exit 0" 0 "$WORK/err" postinst_out ENABLED=0 configure
is "... replaces nothing" "$(tag)" "$old"
is_rc "an upgrade, the unit disabled: exit 0" 0 "$WORK/err" postinst ENABLED=1 configure 0.0.1 2>"$WORK/err"
ok "... says what to run" grep -q "'portfence load' replaces them in place, keeping every fence" "$WORK/err"
is "... replaces nothing" "$(tag)" "$old"
is_rc "an upgrade, the unit enabled: exit 0" 0 "$WORK/err" postinst_out ENABLED=0 configure 0.0.1
ok "... replaces the programs in place, keeping the fence" \
	grep -qx "replaced the programs in place (1 interface), fences kept: 1" "$WORK/out"
ok "... another program pinned" test "$(tag)" != "$old"
ok "... the fence is in force" quietly pf "$PORTFENCE" check --ip 198.18.0.1 --port 3260
ok "the RPM's %post does the same" grep -q "portfence load ||" "$TOP/rpm/portfence.spec"
done_testing
