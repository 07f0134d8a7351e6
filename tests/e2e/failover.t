#!/usr/bin/env bash
# Six iSCSI targets move between two nodes under initiator load, with each
# fence (issue 5): `none` and `portblock` show the failures portfence exists
# for, `portfence` shows that nothing but a pause reaches the initiators.
# `portfence-libiscsi` is what a real initiator feels (issue 10): libiscsi
# reconnects by itself, with its own backoff, no tickle_dir, nothing
# loaded on either node before the first block start; the pause must be
# little more than the move itself.
#
#   ROUNDS=N           moves a->b->a per mode (default 2)
#   E2E_MODES="..."    the modes to run (default: none portblock portfence
#                      portfence-libiscsi)
#   E2E_KEEP=DIR       keep each mode's ops.log, load report and summary
. "$(dirname "$0")/../lib/testlib.sh"
need_root

E2E=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-2}
MODES=${E2E_MODES:-none portblock portfence portfence-libiscsi}
OP_TIMEOUT_MS=20000

for bin in tgtd tgtadm iptables; do
	command -v "$bin" >/dev/null || skip_all "needs $bin (tgt, iptables)"
done
for ra in IPaddr2 iSCSITarget iSCSILogicalUnit portblock; do
	[ -x "/usr/lib/ocf/resource.d/heartbeat/$ra" ] || skip_all "needs resource-agents ($ra)"
done

ok "the initiator load generator is built (build/tests/iscsi-load)" \
	test -x "$TOP/build/tests/iscsi-load"
[ -x "$TOP/build/tests/iscsi-load" ] || { done_testing; exit; }

if [ -n "${E2E_KEEP:-}" ]; then
	out=$E2E_KEEP
	mkdir -p "$out"
else
	out=$(mktemp -d "/tmp/$TB_ID-failover.XXXXXX")
	_tb_dirs+=("$out")
fi

# field KEY FILE [LINE_PREFIX]: a value from a key=value line.
field() {
	grep "^${3:-total} " "$2" | tail -1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# run_mode MODE [VAR=VALUE...]: the scenario on a fresh bed, with MODE's
# fence (its name up to the first -) and the bed knobs given; its summary
# in $out/MODE.
run_mode() {
	local mode=$1 t0=$SECONDS
	shift
	diag "mode $mode: $ROUNDS round(s) a->b->a under load${*:+ ($*)}"
	env "$@" "$E2E/scenario" "${mode%%-*}" "$ROUNDS" "$out/$mode" >"$out/$mode.log" 2>&1
	diag "mode $mode took $((SECONDS - t0)) s"
	[ -s "$out/$mode/summary" ] || { sed 's/^/#   /' "$out/$mode.log" | tail -20; return 1; }
	sed -n 's/^/#   /; /^#   \(move\|total\) /p' "$out/$mode/summary" | cut -c1-220
}

# every_move FILE KEY=VALUE: each move line of the summary has it.
every_move() {
	local n
	n=$(grep -c '^move ' "$1")
	[ "$n" -gt 0 ] && [ "$(grep '^move ' "$1" | grep -c " $2\( \|$\)")" -eq "$n" ]
}

gt() { [ "${1:-0}" -gt "${2:-0}" ]; }
le() { [ "${1:-0}" -le "${2:-0}" ]; }
eq() { [ "${1:-x}" = "${2:-y}" ]; }

for mode in $MODES; do
	case $mode in
	none)
		ok "none: the scenario ran" run_mode none
		s=$out/none/summary
		errors=$(field errors "$s") lu_ns=$(field lu_not_supported "$s")
		stop_fail=$(field stop_failures "$s") fenced=$(field fenced "$s")
		diag "none: errors=$errors lu_not_supported=$lu_ns stop_failures=$stop_fail fenced=$fenced"
		ok "none: LUNs torn down under load return errors to the application ($errors, $lu_ns LOGICAL UNIT NOT SUPPORTED)" \
			gt "$errors" 0
		ok "none: a stop under load does not finish within ${OP_TIMEOUT_MS} ms, the node is fenced ($stop_fail stops)" \
			gt "$stop_fail" 0
		;;
	portblock)
		# Debian 12's portblock never removes its rule, so the portal
		# stays blocked and the initiators never come back: the scenario
		# stays short because every wait in it is bounded.
		ok "portblock: the scenario ran" run_mode portblock
		s=$out/portblock/summary
		stall=$(field max_stall_ms "$s") move=$(field max_move_ms "$s")
		errors=$(field errors "$s") stop_fail=$(field stop_failures "$s")
		rules=$(field rules_left "$s") written=$(field written_blocks "$s")
		diag "portblock: max_stall_ms=$stall max_move_ms=$move errors=$errors stop_failures=$stop_fail DROP rules left after unblock=$rules"
		ok "portblock: the initiators do not come back cleanly (stall ${stall} ms vs move ${move} ms, $stop_fail failed stops, $errors errors, $rules rules left)" \
			eval "gt $stop_fail 0 || gt $errors 0 || gt $stall $((move + 5000)) || gt $rules 0"
		;;
	portfence)
		if [ ! -x "$TOP/agents/fence-portblock" ] || [ ! -x "$PORTFENCE" ]; then
			ok "portfence: needs agents/fence-portblock and build/portfence (missing)" false
			continue
		fi
		ok "portfence: the scenario ran" run_mode portfence
		s=$out/portfence/summary
		moves=$(field moves "$s")
		is "portfence: every round completed ($((2 * ROUNDS)) moves)" "$moves" $((2 * ROUNDS))
		ok "portfence: no operation failed or timed out, no node fenced" \
			eval "eq $(field op_failures "$s") 0 && eq $(field fenced "$s") 0"
		max_op=$(field max_op_ms "$s") max_fence=$(field max_fence_op_ms "$s")
		ok "portfence: every operation well inside its timeout (longest $max_op ms < $((OP_TIMEOUT_MS / 2)) ms)" \
			le "$max_op" $((OP_TIMEOUT_MS / 2))
		diag "portfence: longest fence-portblock operation $max_fence ms (aim < 100 ms, including ~the driver's netns exec)"
		is "portfence: zero errors returned to the application" "$(field errors "$s")" 0
		is "portfence: zero LOGICAL UNIT NOT SUPPORTED" "$(field lu_not_supported "$s")" 0
		is "portfence: zero data mismatches" "$(field mismatches "$s")" 0
		is "portfence: zero writes executed twice (the drain answers every command tgtd executed)" \
			"$(field reexecuted "$s")" 0
		ok "portfence: I/O completed after every move" eval "! grep -q '^move .* completed=0 ' $s"
		written=$(field written_blocks "$s") verified=$(field final_verified "$s")
		ok "portfence: every block written before the moves reads back after them ($verified of $written)" \
			eval "gt $written 0 && eq $verified $written"
		stall=$(field max_stall_ms "$s") move=$(field max_move_ms "$s")
		ok "portfence: the longest initiator stall ($stall ms) is no longer than the move ($move ms) + 2 s" \
			le "$stall" $((move + 2000))
		;;
	portfence-libiscsi)
		if [ ! -x "$TOP/agents/fence-portblock" ] || [ ! -x "$PORTFENCE" ]; then
			ok "$mode: needs agents/fence-portblock and build/portfence (missing)" false
			continue
		fi
		ok "$mode: the scenario ran" run_mode "$mode" \
			E2E_RECONNECT=libiscsi E2E_TICKLE=0 E2E_PRELOAD=0 E2E_WAKE=1
		s=$out/$mode/summary
		is "$mode: every round completed ($((2 * ROUNDS)) moves)" "$(field moves "$s")" $((2 * ROUNDS))
		ok "$mode: no operation failed or timed out, no node fenced" \
			eval "eq $(field op_failures "$s") 0 && eq $(field fenced "$s") 0"
		max_fence=$(field max_fence_op_ms "$s")
		first_a=$(field first_block_start_ms_a "$s") first_b=$(field first_block_start_ms_b "$s")
		diag "$mode: first block start (loads the programs) a ${first_a} ms, b ${first_b} ms; longest fence operation ${max_fence} ms"
		ok "$mode: every fence operation, the loading first block starts included, well inside its timeout (longest $max_fence ms < $((OP_TIMEOUT_MS / 2)) ms)" \
			eval "[ -n '$max_fence' ] && [ -n '$first_a' ] && [ -n '$first_b' ] && le $max_fence $((OP_TIMEOUT_MS / 2))"
		is "$mode: zero errors returned to the application" "$(field errors "$s")" 0
		is "$mode: zero LOGICAL UNIT NOT SUPPORTED" "$(field lu_not_supported "$s")" 0
		is "$mode: zero data mismatches" "$(field mismatches "$s")" 0
		is "$mode: zero writes executed twice (the drain answers every command tgtd executed)" \
			"$(field reexecuted "$s")" 0
		last=$(grep '^move ' "$s" | tail -1)
		ok "$mode: every reader progresses at the end (idle LUNs in the last window: $(field idle_luns <(echo "$last") move), completed $(field completed <(echo "$last") move))" \
			eval "[ -n '$last' ] && eq '$(field idle_luns <(echo "$last") move)' 0 && gt '$(field completed <(echo "$last") move)' 0"
		written=$(field written_blocks "$s") verified=$(field final_verified "$s")
		ok "$mode: every block written before the moves reads back after them ($verified of $written)" \
			eval "gt $written 0 && eq $verified $written"
		diag "$mode: per move: move ms, longest stall ms, stall - move ms; re-sent commands, of them executed twice"
		worst=-999999 over=0
		while read -r line; do
			m=$(field ms <(echo "$line") move) st=$(field stall_ms <(echo "$line") move)
			diag "  $(field from <(echo "$line") move)->$(field to <(echo "$line") move): move=${m} stall=${st} stall-move=$((st - m))" \
				"reissued=$(field reissued <(echo "$line") move) reexecuted=$(field reexecuted <(echo "$line") move)"
			[ $((st - m)) -gt "$worst" ] && worst=$((st - m))
			[ $((st - m)) -gt 1000 ] && over=$((over + 1))
		done < <(grep '^move ' "$s")
		ok "$mode: after every move the longest initiator stall is no longer than the move + 1000 ms (worst stall - move: $worst ms, $over of $(field moves "$s") moves over)" \
			eval "gt $(field moves "$s") 0 && eq $over 0"
		;;
	*)
		ok "unknown mode '$mode' in E2E_MODES (none|portblock|portfence|portfence-libiscsi)" false
		;;
	esac
done

done_testing
