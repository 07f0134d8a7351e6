#!/usr/bin/env bash
# A narrower entry with a weaker policy wins over a broader fence for the
# addresses it covers (the most specific entry decides): block says so,
# naming both entries, whichever of the two came first; an entry that is
# as strong, or on another port, draws no warning.
. "$(dirname "$0")/netlib.sh"
net_bed

# warns NAME TEXT ARGS...: block ARGS succeeds and its stderr has TEXT.
warns() {
	local name=$1 text=$2
	shift 2
	pf block "$@" >"$WORK/out" 2>"$WORK/err"
	is "$name: block exits 0" "$?" 0
	ok "$name: warns naming both entries" grep -qF -- "$text" "$WORK/err"
	grep -qF -- "$text" "$WORK/err" || sed 's/^/#   /' "$WORK/err"
}
# silent NAME ARGS...: block ARGS succeeds without a warning.
silent() {
	local name=$1
	shift
	pf block "$@" >"$WORK/out" 2>"$WORK/err"
	is "$name: block exits 0" "$?" 0
	is "$name: no warning" "$(cat "$WORK/err")" ""
}

pf block --ip 198.18.0.0/24 --port 3260 >/dev/null
warns "narrower in under a wider both" \
	"warning: tcp 198.18.0.1 port 3260 (direction in) is more specific than tcp 198.18.0.0/24 port 3260 (direction both)" \
	--ip "$VIP" --port 3260 --direction in
silent "as strong a narrower entry" --ip "$OTHER" --port 3260 --direction both --method reject
silent "another port" --ip "$VIP" --port 3261 --direction in

# the broader one second: the warning comes all the same
pf block --ip "$VIP" --port 3262 --keep-established >/dev/null
warns "a wider fence over a keep-established one" \
	"tcp 198.18.0.1 port 3262 (direction both, keep-established) is more specific than tcp * port 3262 (direction both)" \
	--port 3262
ok "and the wider one is fenced" grep -q '^fenced tcp \* port 3262' "$WORK/out"

# a range names each port where it happens
pf block --ip "$VIP6" --port 860 --direction out >/dev/null
warns "a range over an IPv6 entry" \
	"tcp 2001:db8::1 port 860 (direction out) is more specific than tcp 2001:db8::/64 port 860 (direction both)" \
	--ip 2001:db8::/64 --port 860:870

done_testing
