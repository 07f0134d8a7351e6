#!/usr/bin/env bash
# Bad input exits 2 with a message naming the offending value, and applies
# nothing: on a fresh pin dir nothing is loaded or pinned; on a loaded one
# the fence table is unchanged (no port of "3260,70000" gets fenced).
. "$(dirname "$0")/netlib.sh"
net_bed

# rejected NAME TEXT COMMAND ARGS...: COMMAND exits 2 and its message
# contains TEXT (the offending value, quoted as the CLI quotes it).
rejected() {
	local name=$1 value=$2 rc
	shift 2
	pf "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	is "$name: exit 2" "$rc" 2
	ok "$name: the message names $value" grep -qF -- "$value" "$WORK/err"
	if [ "$rc" != 2 ] || ! grep -qF -- "$value" "$WORK/err"; then
		sed 's/^/#   /' "$WORK/err"
	fi
}

# every bad block, as NAME|VALUE|ARGS (ARGS split on spaces)
cases=(
	"bad IPv4 address|'999.1.1.1'|--ip 999.1.1.1 --port 3260"
	"IPv4 prefix /33|'33'|--ip 198.18.0.1/33 --port 3260"
	"IPv6 prefix /129|'129'|--ip 2001:db8::1/129 --port 3260"
	"port 0|'0'|--ip $VIP --port 0"
	"port 70000|'70000'|--ip $VIP --port 70000"
	"port abc|'abc'|--ip $VIP --port abc"
	"reversed range|'870:860'|--ip $VIP --port 870:860"
	"one bad port in a list|'70000'|--ip $VIP --port 3260,70000"
	"protocol sctp|'sctp'|--ip $VIP --port 3260 --proto sctp"
	"direction sideways|'sideways'|--ip $VIP --port 3260 --direction sideways"
	"method bounce|'bounce'|--ip $VIP --port 3260 --method bounce"
	"drain -1|'-1'|--ip $VIP --port 3260 --drain -1"
	"drain 1s|'1s'|--ip $VIP --port 3260 --drain 1s"
	"drain past an hour|'3600001'|--ip $VIP --port 3260 --drain 3600001"
	"drain-stall 0x10|'0x10'|--ip $VIP --port 3260 --drain-stall 0x10"
	"drain-quiet past an hour|'3600001'|--ip $VIP --port 3260 --drain-quiet 3600001"
	"unknown option|'--frobnicate'|--ip $VIP --port 3260 --frobnicate"
	"missing --port|missing --port|--ip $VIP"
)
run_cases() {
	local c name value args
	for c in "${cases[@]}"; do
		IFS='|' read -r name value args <<<"$c"
		# shellcheck disable=SC2086
		rejected "$1: block: $name" "$value" block $args
	done
}

fresh=$(ls -A "$PIN")
run_cases fresh
is "fresh: nothing was loaded or pinned" "$(ls -A "$PIN")" "$fresh"
is "fresh: no tc filter anywhere" "$(hooks "$SRV")" ""

pf block --ip "$OTHER" --port 3260 >/dev/null || diag "cannot fence a valid portal"
pf list --json >"$WORK/table"
run_cases loaded
is "loaded: the fence table is unchanged" "$(pf list --json)" "$(cat "$WORK/table")"
ok "loaded: port 3260 of '3260,70000' was not fenced" not_fenced --ip "$VIP" --port 3260

rejected "unblock: bad port" "'70000'" unblock --ip "$OTHER" --port 70000
rejected "unblock: bad protocol" "'sctp'" unblock --ip "$OTHER" --port 3260 --proto sctp
ok "... and the fence it was not given a valid portal for stays" fenced --ip "$OTHER" --port 3260
rejected "check: bad port (2, not 1: not a 'not fenced')" "'70000'" check --ip "$VIP" --port 70000
rejected "check: bad address" "'999.1.1.1'" check --ip 999.1.1.1 --port 3260
rejected "conns: bad port" "'abc'" conns --port abc
rejected "load: no such interface" "'nosuch0'" load --dev nosuch0
rejected "unknown command" "'bogus'" bogus
rejected "unblock takes no --exact (it said nothing before)" "--exact" unblock --ip "$OTHER" --port 3260 --exact
rejected "check takes no --no-wake" "--no-wake" check --ip "$OTHER" --port 3260 --no-wake
rejected "an IPv4-mapped prefix shorter than 96 bits" "96-128" block --ip ::ffff:198.18.0.9/64 --port 3270

# a pin dir that is a plain directory, not a bpffs mount: a state of the
# node, not bad input (tests/net/pindir.t has the other untrusted dirs)
new_tmpdir plain
chmod 0700 "$plain"
ip netns exec "$SRV" "$PORTFENCE" --pin-dir "$plain" block --ip "$VIP" --port 3261 >/dev/null 2>"$WORK/err"
is "pin dir not on bpffs: exit 1" "$?" 1
ok "... the message names the dir" grep -qF "'$plain'" "$WORK/err"
is "... nothing was created in it" "$(ls -A "$plain")" ""
ok "... and nothing fenced in the real pin dir" not_fenced --ip "$VIP" --port 3261
is "... nor anything attached elsewhere" "$(fence_hooks "$SRV")" 4

done_testing
