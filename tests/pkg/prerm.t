#!/usr/bin/env bash
# The package's prerm refuses to remove portfence while fences are held
# (they would stay in force with nothing left to lift them), and lets an
# upgrade, a node without fences and PORTFENCE_FORCE_REMOVE=1 through. Run
# as dpkg runs it, against a live fence in a namespace of the test's own.
. "$(dirname "$0")/../lib/testlib.sh"
need_root
[ -x "$PORTFENCE" ] || skip_all "$PORTFENCE is missing: run make"
PRERM=$TOP/debian/portfence.prerm
new_netns NS prerm
new_bpffs PIN
new_tmpdir WORK
ip -n "$NS" link set lo up
# prerm [VAR=VALUE]... ARG: the script as dpkg runs it, with ARG
prerm() {
	local envs=()
	while [[ $1 == *=* ]]; do envs+=("$1"); shift; done
	ip netns exec "$NS" env PORTFENCE_BIN="$PORTFENCE" PORTFENCE_PIN_DIR="$PIN" "${envs[@]}" sh "$PRERM" "$@"
}

is_rc "no fence held: remove goes ahead" 0 "$WORK/err" prerm remove 2>"$WORK/err"
ip netns exec "$NS" "$PORTFENCE" --pin-dir "$PIN" block --ip 198.18.0.1 --port 3260,3261 >/dev/null
is_rc "two fence entries held: remove is refused" 1 "$WORK/err" prerm remove 2>"$WORK/err"
ok "... saying how many and what to do" grep -q "2 fence entries are held.*portfence unload" <(tr '\n' ' ' <"$WORK/err")
is_rc "... an upgrade goes ahead (the fences stay)" 0 "$WORK/err" prerm upgrade 2>"$WORK/err"
is_rc "... PORTFENCE_FORCE_REMOVE=1 goes ahead" 0 "$WORK/err" prerm PORTFENCE_FORCE_REMOVE=1 remove 2>"$WORK/err"
still_fenced() { ip netns exec "$NS" "$PORTFENCE" --pin-dir "$PIN" check --ip 198.18.0.1 --port 3260 >/dev/null; }
ok "... and the fence is still in force" still_fenced
ip netns exec "$NS" "$PORTFENCE" --pin-dir "$PIN" unblock --ip 198.18.0.1 --port 3260,3261 >/dev/null
is_rc "lifted: remove goes ahead" 0 "$WORK/err" prerm remove 2>"$WORK/err"
ok "the RPM's %preun makes the same check" grep -q 'PORTFENCE_FORCE_REMOVE' "$TOP/rpm/portfence.spec"
done_testing
