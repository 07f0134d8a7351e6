#!/usr/bin/env bash
# The tickle file parser under libFuzzer (tests/fuzz/fuzz_tickle.c), fed
# whole files of any bytes: no crash, no sanitizer report, no broken
# invariant.
. "$(dirname "$0")/fuzzlib.sh"
fuzz tickle 4096 "the tickle file parser"
