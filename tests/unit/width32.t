#!/usr/bin/env bash
# The portal parsers on a 32-bit build (issue: '--port 4294970556' was
# port 3260 where unsigned long is 32 bits): built with gcc -m32, each
# value past 2^32 is refused, not wrapped onto a small one.
. "$(dirname "$0")/../lib/testlib.sh"
[ "$(uname -m)" = x86_64 ] || skip_all "no 32-bit target on $(uname -m)"
new_tmpdir WORK
gcc -m32 -std=gnu11 -Wall -Wextra -Werror -I"$TOP/include" -I"$TOP/user" \
	"$TOP/tests/unit/width32/parse32.c" "$TOP/user/portal.c" -o "$WORK/width32" 2>"$WORK/cc"
rc=$?
is "the parsers build for a 32-bit target (gcc-multilib)" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/#   /' "$WORK/cc"
w32() { "$WORK/width32" "$@" 2>&1; }

is "the build's long has 32 bits" "$(w32 long-bits)" 32
is "port 3260 is 3260" "$(w32 ports 3260)" 3260
is "port 4294970556 (2^32 + 3260) is refused" "$(w32 ports 4294970556)" refused
is "range end 4294968166 (2^32 + 870) is refused" "$(w32 ports 860:4294968166)" refused
is "port 18446744073709555876 (2^64 + 3260) is refused" "$(w32 ports 18446744073709555876)" refused
is "prefix /4294967320 (2^32 + 24) is refused" "$(w32 prefix 198.18.0.1/4294967320)" refused
is "endpoint port 4294970556 is refused" "$(w32 endpoint 198.18.0.2:4294970556)" refused
is "leading zeros are only zeros" "$(w32 ports 0000000000003260)" 3260

done_testing
