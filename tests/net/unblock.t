#!/usr/bin/env bash
# unblock restores service: new connections succeed and move data, for an
# address, an IPv6 prefix, a port range and a wildcard portal; unblock is
# idempotent.
. "$(dirname "$0")/netlib.sh"
net_bed

# cycle NAME ADDR PORT BLOCK-PORTAL-ARGS...: fence, see it hold, lift it,
# see service back (a new connection, then data to a new reader).
cycle() {
	local name=$1 addr=$2 port=$3
	shift 3
	pf block "$@" >/dev/null
	ok "$name: block" fenced "$@"
	ok "$name: a new connection attempt gets no answer" syn_dropped "$addr" "$port"
	pf unblock "$@" >"$WORK/out"
	is "$name: unblock exits 0" "$?" 0
	ok "$name: unblock says what it lifted" grep -q '^unfenced ' "$WORK/out"
	ok "$name: check says not fenced" not_fenced "$@"
	ok "$name: a new connection succeeds" connects "$addr" "$port"
	reader "$addr" "$port" "r-$name"
	ok "$name: a new client receives data" reader_moves "r-$name"
}

serve "$VIP" 3260
cycle address "$VIP" 3260 --ip "$VIP" --port 3260
serve "$VIP6" 3261
cycle prefix "$VIP6" 3261 --ip 2001:db8::/64 --port 3261
serve "$OTHER" 3263
cycle range "$OTHER" 3263 --ip "$OTHER" --port 3262:3264
cycle wildcard "$VIP" 3260 --port 3260
is "the fence table is empty" "$(pf_json 'len(d)' list --json)" 0

pf unblock --ip "$VIP" --port 3260 >/dev/null
is "unblock of a portal no longer fenced exits 0" "$?" 0
pf unblock --ip "$OTHER" --port 9999 --proto udp >/dev/null
is "unblock of a portal never fenced exits 0" "$?" 0
is "the programs stay loaded after unblock" "$(pf_json 'd["loaded"]' status --json)" True

done_testing
