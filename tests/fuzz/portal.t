#!/usr/bin/env bash
# The portal parsers under libFuzzer (tests/fuzz/fuzz_portal.c): no crash,
# no sanitizer report, no broken invariant.
. "$(dirname "$0")/fuzzlib.sh"
fuzz portal 256 "the portal parsers"
