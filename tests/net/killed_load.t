#!/usr/bin/env bash
# A first load killed at any point is made whole by the next one. The
# load is killed (SIGKILL, through strace's fault injection) at its first
# bpf() call, then at its second, and so on until it runs to its end
# untouched. After each kill, a block (what an agent's next start runs)
# must leave exactly what a load that was never killed leaves (programs
# pinned and attached on every interface, the sweep program pinned), with
# its fence in force, and unload must leave no pin and no program behind.
. "$(dirname "$0")/netlib.sh"
net_bed
command -v strace >/dev/null || { diag "strace is missing"; exit 1; }

STATE='d["loaded"], d["sock_destroy"], d["other_filters"], sorted((i["name"], i["ingress"], i["egress"]) for i in d["interfaces"])'
pins_left() { ls "$PIN" | grep -cv debug; }

pf load >/dev/null || exit 1
whole=$(pf_json "$STATE" status --json)
diag "a load never killed: $whole"
pf unload >/dev/null || exit 1

# LeakSanitizer cannot run under ptrace: with the ASan build (tests/run's
# ASan pass) the traced load alone runs without it; every other load in
# this test is still checked for leaks.
traced_asan=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

bad="" kills=0
for k in $(seq 1 400); do
	# (in a subshell: bash's own "Killed" report goes to its stderr)
	(ASAN_OPTIONS=$traced_asan ip netns exec "$SRV" strace -f -qq -o /dev/null -e trace=bpf \
		-e inject=bpf:signal=KILL:when="$k" "$PORTFENCE" --pin-dir "$PIN" load) >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && break
	[ "$rc" -eq 137 ] || { bad="$bad k=$k:killed-load-rc=$rc"; break; }
	kills=$((kills + 1))
	pf block --ip "$VIP" --port 3260 --drain 0 >/dev/null 2>"$WORK/err" ||
		bad="$bad k=$k:block($(head -c 200 "$WORK/err"))"
	got=$(pf_json "$STATE" status --json)
	[ "$got" = "$whole" ] || bad="$bad k=$k:state($got)"
	pf check --attached --ip "$VIP" --port 3260 >/dev/null 2>&1 || bad="$bad k=$k:not-in-force"
	pf unload >/dev/null 2>&1 || bad="$bad k=$k:unload"
	[ "$(pins_left)" -eq 0 ] || bad="$bad k=$k:pins-left($(ls "$PIN" | tr '\n' ' '))"
	[ "$(fence_hooks "$SRV")" -eq 0 ] || bad="$bad k=$k:programs-left"
done
diag "the load was killed at each of its first $kills bpf() calls"
ok "the load was killed at every point up to its end (more than 50)" [ "$kills" -gt 50 ]
is "after every kill: the next block made it whole and its fence held, unload left nothing" "$bad" ""

# the load strace let finish is a load like any other
is "the untouched load left the whole state" "$(pf_json "$STATE" status --json)" "$whole"
serve "$VIP" 3260
pf block --ip "$VIP" --port 3260 --drain 0 >/dev/null
ok "a fence on it holds: SYNs are dropped" syn_dropped "$VIP" 3260

done_testing
