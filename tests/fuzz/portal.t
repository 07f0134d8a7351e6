#!/usr/bin/env bash
# The portal parsers under libFuzzer (tests/fuzz/fuzz_portal.c, built with
# ASan and UBSan) for FUZZ_SECONDS (20 in make test, 300 in make fuzz),
# from the seed corpus in tests/fuzz/corpus/portal: no crash, no sanitizer
# report, no broken invariant.
. "$(dirname "$0")/../lib/testlib.sh"
FUZZER=$TOP/build/fuzz/portal
[ -x "$FUZZER" ] || skip_all "$FUZZER is missing: make $FUZZER (clang)"
new_tmpdir WORK
cp -r "$TOP/tests/fuzz/corpus/portal" "$WORK/corpus"
"$FUZZER" -max_total_time="${FUZZ_SECONDS:-20}" -max_len=256 -timeout=5 \
	-artifact_prefix="$WORK/" "$WORK/corpus" >"$WORK/log" 2>&1
rc=$?
is "the portal parsers survive ${FUZZ_SECONDS:-20} s of fuzzing" "$rc" 0
if [ "$rc" != 0 ]; then
	grep -E "ERROR|SUMMARY|runtime error|crash-|Test unit" "$WORK/log" | head -20 | sed 's/^/#   /'
	for f in "$WORK"/crash-* "$WORK"/leak-* "$WORK"/timeout-*; do
		[ -e "$f" ] && diag "input: $(od -An -c "$f" | head -3 | tr -s ' ')"
	done
fi
ok "it ran inputs" grep -qE "^#[0-9]+" "$WORK/log"
done_testing
