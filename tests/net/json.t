#!/usr/bin/env bash
# Every --json output is valid JSON whatever the strings in it: interface
# names are bytes to the kernel (a quote, a backslash, a byte that is not
# UTF-8), and status shows them escaped (valid UTF-8 kept, any other byte
# as \u00XX, the character of its value), so a strict parser reads the
# document and gets the name back.
. "$(dirname "$0")/netlib.sh"
net_bed

quote=$'q"\\z' raw=$'a\xffb'
ip -n "$SRV" link add "$quote" type veth peer name pq || exit 1
ip -n "$SRV" link add "$raw" type veth peer name pr || exit 1
for d in "$quote" pq "$raw" pr; do ip -n "$SRV" link set "$d" up; done
serve "$VIP" 3260
pf block --ip "$VIP" --port 3260 --drain 0 >/dev/null
is "block attached to them too" "$?" 0

# strict: bytes in, UTF-8 decoding errors fatal
parse() { "$PY" -c 'import json, sys; d = json.loads(sys.stdin.buffer.read()); print(eval(sys.argv[1]))' "$1"; }
names='sorted(i["name"] for i in d["interfaces"])'
is "status --json parses, a quote and a backslash in a name read back" \
	"$(pf status --json | parse "'$quote' in $names")" True
is "... a byte that is not UTF-8 reads back as the character of its value" \
	"$(pf status --json | parse "'a\\xffb' in $names and all(n.encode('latin-1') in (b'$quote', b'a\\xffb', b'pq', b'pr', b'lo', b'srv0') for n in $names)")" True
is "list --json parses" "$(pf list --json | parse 'd[0]["address"], d[0]["port"]')" "('$VIP', 3260)"
is "conns --json parses" "$(pf conns --port 3260 --json | parse 'type(d).__name__')" list
is "conns --knocked --json parses" "$(pf conns --knocked --json | parse 'type(d).__name__')" list

done_testing
