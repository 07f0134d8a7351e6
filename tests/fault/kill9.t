#!/usr/bin/env bash
# kill -9 of load, block, unblock and unload at random points of their run
# (FAULT_ROUNDS times each, 50 by default; delays drawn in microseconds up
# to the command's own run time). Whatever point it died at, the state it
# left is consistent (check and list agree, a fence in the table is in
# force, never two filters on a hook, the other fences untouched), and the
# command run again succeeds and leaves exactly one filter per hook.
. "$(dirname "$0")/faultlib.sh"
net_bed
command -v perl >/dev/null || skip_all "needs perl"
ROUNDS=${FAULT_ROUNDS:-50}
PFCMD=(ip netns exec "$SRV" "$PORTFENCE" --pin-dir "$PIN")
for p in 3260 3261; do serve "$VIP" $p; done

# The states the rounds start from; each round's recovery leaves the next
# one close to it.
unloaded() { pf unload; }
fenced_3260() { pf block --ip "$VIP" --port 3260 --drain 0; }
fenced_both() { fenced_3260 && pf block --ip "$VIP" --port 3261 --drain 0; }
beside_3260() { pf unblock --ip "$VIP" --port 3261 && fenced_3260; }

pf load >/dev/null
full_pins=$(pins)

# The point the random rounds found: a load killed after pinning its
# programs but before recording which interfaces it selects (or attaching)
# left a block that fenced nothing and exited 0. Made on purpose here (on
# clsact, where tc can take the filters away).
pf unload >/dev/null
PORTFENCE_ATTACH=clsact pf load >/dev/null
bpftool map delete pinned "$PIN/devices" key hex 2a $(printf '00 %.0s' $(seq 15))
ip netns exec "$SRV" sh -c 'for d in lo srv0; do for h in ingress egress; do
	tc filter del dev $d $h pref 1 handle 0x5046 bpf; done; done'
ok "(a load killed before selecting: no selection, no program attached)" no_filters
pf block --ip "$VIP" --port 3261 --drain 0 >/dev/null
is "block after it: exit 0" "$?" 0
ok "... attached to every interface, once per hook" one_per_hook
ok "... and the fence is in force" syn_dropped "$VIP" 3261
pf unload >/dev/null

# fault WHAT SETUP ROUND CMD...: ROUNDS times: SETUP, CMD killed at a random
# point, then ROUND (a function of the round number) checks what is left
# and recovers; it prints why when it fails. One test line for all rounds.
# The delays go up to CMD's run time from SETUP (or from MEASURE_FROM).
fault() {
	local what=$1 setup=$2 round=$3 max r killed=0 failures=$WORK/fail-$1 why
	shift 3
	max=$(median_us "${MEASURE_FROM:-$setup}" "${PFCMD[@]}" "$@")
	: >"$failures"
	for r in $(seq "$ROUNDS"); do
		"$setup" >/dev/null 2>&1 || { echo "round $r: setup $setup failed" >>"$failures"; continue; }
		kill_after "$(random_us "$max")" "${PFCMD[@]}" "$@" || killed=$((killed + 1))
		why=$("$round" "$r" 2>&1) || echo "round $r: ${why//$'\n'/ }" >>"$failures"
	done
	diag "$what: run time $max us; killed mid-run $killed of $ROUNDS"
	is "$what killed at random points $ROUNDS times: every state consistent, every recovery clean" \
		"$(wc -l <"$failures")" 0
	[ -s "$failures" ] && head -5 "$failures" | while read -r l; do diag "$l"; done
	ok "$what: most rounds interrupted it mid-run ($killed of $ROUNDS)" ge "$killed" $((ROUNDS / 4))
}

# --- load, from nothing
after_load() {
	pf load >/dev/null || { echo "load again failed"; return 1; }
	one_per_hook || return 1
	[ "$(pins)" = "$full_pins" ] || { echo "$(pins) pins, want $full_pins: $(ls "$PIN" | xargs)"; return 1; }
	[ "$(agree 3260)" = no ] || { echo "port 3260 fenced after a load"; return 1; }
}
fault load unloaded after_load load

# --- block, half the rounds from nothing (it loads), half beside a fence
block_setup() { if [ $((RANDOM % 2)) = 0 ]; then unloaded; else beside_3260; fi; }
after_block() {
	local other state
	other=$(agree 3260) || { echo "$other"; return 1; }
	state=$(agree 3261) || { echo "$state"; return 1; }
	if [ "$state" = yes ]; then
		one_per_hook || { echo "(fenced but not in force)"; return 1; }
	fi
	[ "$(agree 3260)" = "$other" ] || { echo "the fence of 3260 changed: was $other"; return 1; }
	pf block --ip "$VIP" --port 3261 --drain 0 >/dev/null || { echo "block again failed"; return 1; }
	one_per_hook || { echo "(after block again)"; return 1; }
	[ "$(agree 3261)" = yes ] || { echo "3261 not fenced after block"; return 1; }
	[ "$(agree 3260)" = "$other" ] || { echo "the fence of 3260 changed: was $other"; return 1; }
}
MEASURE_FROM=unloaded fault block block_setup after_block block --ip "$VIP" --port 3261 --drain 0

# --- unblock, beside another fence
after_unblock() {
	local state
	one_per_hook || return 1
	state=$(agree 3261) || { echo "$state"; return 1; }
	[ "$(agree 3260)" = yes ] || { echo "the fence of 3260 was lifted"; return 1; }
	pf unblock --ip "$VIP" --port 3261 >/dev/null || { echo "unblock again failed"; return 1; }
	one_per_hook || return 1
	[ "$(agree 3261)" = no ] || { echo "3261 still fenced after unblock"; return 1; }
	[ "$(agree 3260)" = yes ] || { echo "the fence of 3260 was lifted"; return 1; }
}
fault unblock fenced_both after_unblock unblock --ip "$VIP" --port 3261

# --- unload, of a fence; recovered by unload (odd rounds) or load (even)
after_unload() {
	local state
	hooks_at_most 1 || return 1
	state=$(agree 3260) || { echo "$state"; return 1; }
	if [ $(($1 % 2)) = 1 ]; then
		pf unload >/dev/null || { echo "unload again failed"; return 1; }
		no_filters || return 1
		[ "$(pins)" = 0 ] || { echo "$(pins) pins left"; return 1; }
		return 0
	fi
	pf load >/dev/null || { echo "load after it failed"; return 1; }
	one_per_hook || return 1
	state=$(agree 3260) || { echo "after load: $state"; return 1; }
	pf unload >/dev/null	# the next round's fence is a fresh load
}
fault unload fenced_3260 after_unload unload

# --- and the fence still does what it says
fenced_3260 >/dev/null 2>&1
ok "after it all, a fence drops SYNs" syn_dropped "$VIP" 3260
ok "... and the unfenced port connects" connects "$VIP" 3261
pf unload >/dev/null
is "unload leaves no pin" "$(pins)" 0
ok "... and no filter" no_filters

done_testing
