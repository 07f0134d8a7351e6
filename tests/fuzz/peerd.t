#!/usr/bin/env bash
# portfence-peerd's message decoder, its list and the store's text under
# libFuzzer (tests/fuzz/fuzz_peerd.c), fed any bytes: no crash, no
# sanitizer report, every list written parses back with the tickle file
# parser.
. "$(dirname "$0")/fuzzlib.sh"
fuzz peerd 8192 "the peer messages"
