# shellcheck shell=bash
# Running one libFuzzer harness of tests/fuzz (built with ASan and UBSan
# into build/fuzz/NAME) for FUZZ_SECONDS (20 in make test, 300 in make
# fuzz) from its seed corpus tests/fuzz/corpus/NAME.
#
#   . "$(dirname "$0")/fuzzlib.sh"
#   fuzz NAME MAX_LEN "what survives"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

fuzz() {
	local name=$1 max_len=$2 what=$3 fuzzer=$TOP/build/fuzz/$1 work rc f
	[ -x "$fuzzer" ] || skip_all "$fuzzer is missing: make $fuzzer (clang)"
	new_tmpdir work
	cp -r "$TOP/tests/fuzz/corpus/$name" "$work/corpus"
	"$fuzzer" -max_total_time="${FUZZ_SECONDS:-20}" -max_len="$max_len" -timeout=5 \
		-artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1
	rc=$?
	is "$what survive ${FUZZ_SECONDS:-20} s of fuzzing" "$rc" 0
	if [ "$rc" != 0 ]; then
		grep -E "ERROR|SUMMARY|runtime error|crash-|Test unit" "$work/log" | head -20 | sed 's/^/#   /'
		for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
			[ -e "$f" ] && diag "input: $(od -An -c "$f" | head -3 | tr -s ' ')"
		done
	fi
	ok "it ran inputs" grep -qE "^#[0-9]+" "$work/log"
	done_testing
}
