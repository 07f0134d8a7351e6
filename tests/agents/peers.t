#!/usr/bin/env bash
# portfence-peers (the OCF agent of portfence-peerd): meta-data valid
# against ra-api-1.dtd, validate-all refusing bad parameters, and
# resource-agents' ocf-tester passing on a node of a corosync-only bed
# (tests/cluster/clusterlib.sh), where monitor needs the daemon joined.
. "$(dirname "$0")/../lib/testlib.sh"
. "$TOP/tests/cluster/clusterlib.sh"
cl_need
command -v ocf-tester >/dev/null || skip_all "ocf-tester (resource-agents) is not installed"
AGENT=$TOP/agents/portfence-peers
DTD=/usr/share/resource-agents/ra-api-1.dtd
export OCF_ROOT=/usr/lib/ocf
new_tmpdir tmp

ok "the agent exists" test -x "$AGENT"
[ -x "$AGENT" ] || { done_testing; exit; }
"$AGENT" meta-data >"$tmp/meta.xml"
ok "meta-data validates against ra-api-1.dtd" \
	bash -c 'cd "$(dirname "$2")" && xmllint --noout --dtdvalid "$2" - < "$1"' _ "$tmp/meta.xml" "$DTD"
params=$(xmllint --xpath '//parameters/parameter/@name' "$tmp/meta.xml" | sed 's/ name="\([^"]*\)"/\1 /g' | tr -d '\n')
is "its parameters" "$params" "portals store group max_peers rate binary "

# va PARAM=VALUE...: validate-all's exit code with those parameters.
va() {
	local envs=() p
	for p in "$@"; do envs+=("OCF_RESKEY_$p"); done
	env HA_RSCTMP="$tmp" OCF_RESKEY_binary="$TOP/build/portfence-peerd" \
		"${envs[@]}" "$AGENT" validate-all >/dev/null 2>&1
	echo $?
}
is "validate-all: a portal and its port" "$(va portals=198.18.0.11:3260)" 0
is "validate-all: two portals, IPv6" "$(va 'portals=198.18.0.11:3260,[2001:db8::11]:3260')" 0
is "validate-all: no portal" "$(va portals=)" 6
is "validate-all: a portal without a port" "$(va portals=198.18.0.11)" 6
is "validate-all: max_peers 0" "$(va portals=198.18.0.11:3260 max_peers=0)" 6
is "validate-all: max_peers not a number" "$(va portals=198.18.0.11:3260 max_peers=x)" 6
is "validate-all: rate 0" "$(va portals=198.18.0.11:3260 rate=0)" 6
is "validate-all: rate 101" "$(va portals=198.18.0.11:3260 rate=101)" 6
is "validate-all: a relative store" "$(va portals=198.18.0.11:3260 store=peers)" 6
is "validate-all: no binary" "$(va portals=198.18.0.11:3260 binary=/nonexistent)" 5

CL_LUN_FILES=0 CL_CHAP_PASSWORD=unused
CL_COROSYNC_ONLY=1 cl_up
up=$?
ok "the corosync bed is up" test "$up" = 0
[ "$up" = 0 ] || { done_testing; exit; }

# ra NODE ACTION [PARAM=VALUE...]: the agent's exit code on NODE.
ra() {
	local node=$1 action=$2 p
	shift 2
	local envs=()
	for p in "$@"; do envs+=("OCF_RESKEY_$p"); done
	cl_exec "$node" env OCF_ROOT=$OCF_ROOT OCF_RESOURCE_INSTANCE=p_peers \
		OCF_RESKEY_portals="${CL_ADDR[$node]}:3260" "${envs[@]}" \
		$OCF_ROOT/resource.d/portfence/portfence-peers "$action" >/dev/null 2>&1
	echo $?
}
out=$(cl_exec node1 ocf-tester -n p_peers -o portals="${CL_ADDR[node1]}:3260 [2001:db8::11]:3260" \
	$OCF_ROOT/resource.d/portfence/portfence-peers 2>&1)
ok "ocf-tester passes on node1" grep -q "passed all tests" <<<"$out" ||
	sed 's/^/#   /' <<<"$out"
is "monitor on a stopped node: not running" "$(ra node1 monitor)" 7
is "start" "$(ra node1 start)" 0
is "monitor: running and joined" "$(ra node1 monitor)" 0
is "start again: already running" "$(ra node1 start)" 0
is "node2 starts too" "$(ra node2 start)" 0
cl_wait 5 test -f "/proc/${CL_HOLDER[node2]}/root/run/portfence/peers/node1"
ok "node2's store has node1's file" test -f "/proc/${CL_HOLDER[node2]}/root/run/portfence/peers/node1"
pid=$(cl_exec node1 cat /run/resource-agents/portfence-peers-p_peers.pid)
kill -9 "$pid"
sleep 0.3
is "monitor after the daemon's SIGKILL: not running" "$(ra node1 monitor)" 7
is "stop after it: stopped" "$(ra node1 stop)" 0
is "stop on node2" "$(ra node2 stop)" 0
ok "node2's store kept after the stop" test -f "/proc/${CL_HOLDER[node2]}/root/run/portfence/peers/node1"
is "monitor after stop: not running" "$(ra node2 monitor)" 7
done_testing
