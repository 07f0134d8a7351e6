#!/usr/bin/env bash
# demo.sh [ROUNDS]: the failover scenario without a fence and with portfence,
# the initiator's counters side by side (for `make demo`; needs root, tgt,
# resource-agents, build/portfence and build/tests/iscsi-load).
#
#   DEMO_MODES="none portfence"   the columns (portblock also works)
set -u
E2E=$(cd "$(dirname "$0")" && pwd)
rounds=${1:-1}
modes=${DEMO_MODES:-none portfence}
top=$(cd "$E2E/../.." && pwd)
for need in "$top/build/tests/iscsi-load" "$top/build/portfence" "$top/agents/fence-portblock"; do
	if [ ! -x "$need" ]; then
		echo "demo.sh: needs $need (make build/tests/iscsi-load build/portfence)" >&2
		exit 1
	fi
done
[ "$(id -u)" = 0 ] || { echo "demo.sh: needs root" >&2; exit 1; }
out=$(mktemp -d /tmp/portfence-demo.XXXXXX) || exit 1
trap 'rm -rf "$out"' EXIT

for mode in $modes; do
	echo "== $mode: six targets, $rounds round(s) a->b->a under initiator load"
	"$E2E/scenario" "$mode" "$rounds" "$out/$mode" 2>&1 >/dev/null |
		grep -E 'round .* done|fencing node' | sed 's/^/   /'
done

value() { grep "^total " "$out/$1/summary" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p"; }

echo
printf '%-34s' ""
for mode in $modes; do printf '%14s' "$mode"; done
echo
for row in "completed:I/O completed" "errors:errors to the application" \
	"lu_not_supported:LOGICAL UNIT NOT SUPPORTED" "mismatches:data mismatches" \
	"max_stall_ms:longest stall (ms)" "max_move_ms:longest move (ms)" \
	"stop_failures:stops failed/timed out" "fenced:nodes fenced" \
	"final_verified:blocks read back at end" "written_blocks:blocks written"; do
	printf '%-34s' "${row#*:}"
	for mode in $modes; do printf '%14s' "$(value "$mode" "${row%%:*}")"; done
	echo
done

# The table in a sentence per column: what reached the application and the
# cluster.
echo
echo "summary:"
for mode in $modes; do
	stall=$(value "$mode" max_stall_ms)
	printf '  %-10s %s I/O errors reached the application (%s of them LOGICAL UNIT NOT SUPPORTED),\n' \
		"$mode:" "$(value "$mode" errors)" "$(value "$mode" lu_not_supported)"
	printf '  %-10s %s target stops failed, %s nodes fenced, longest stall %s s, %s of %s blocks read back intact\n' \
		"" "$(value "$mode" stop_failures)" "$(value "$mode" fenced)" \
		"$(awk -v ms="${stall:-0}" 'BEGIN { printf "%.1f", ms / 1000 }')" \
		"$(value "$mode" final_verified)" "$(value "$mode" written_blocks)"
done
