# shellcheck shell=bash
# Plumbing shared by the bench cases (bench/case-*): the test bed of
# tests/lib/testlib.sh (namespaces, private bpffs, cleanup by pid at exit),
# the two fences as Pacemaker's executor runs them, the iptables backend
# switch, and the raw result lines bench/report turns into JSON and docs.
#
#   . "$(dirname "$0")/lib.sh"
#   bench_setup latency              # root, results file, QUICK-dependent sizes
#   rec SERIES X VALUE [NOTE]        # one measurement (VALUE may be dnf:S / fail:RC)
#   agent_cmd VAR FENCE PIN ...      # argv of one agent action, in an array
#   timer NS pair|burst|teardown ... # bench/timer.py inside NS
#   new_netns / new_bpffs / new_tmpdir (from tests/lib/testlib.sh)
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$BENCH/../tests/lib/testlib.sh"
. "$BENCH/../tests/agents/agentlib.sh"
PY=/usr/bin/python3
TIMER=$BENCH/timer.py
# make bench PORTBLOCK_AGENT=/path/to/portblock compares any portblock
# version; the one resource-agents installed by default.
PORTBLOCK=${PORTBLOCK_AGENT:-$OCF_ROOT/resource.d/heartbeat/portblock}
FENCE_PORTBLOCK=$TOP/agents/fence-portblock
PORTAL_PORT=3260

# quick FULL QUICK: the value for this pass.
quick() { if [ -n "${QUICK:-}" ] && [ "${QUICK:-0}" != 0 ]; then echo "$2"; else echo "$1"; fi; }

bench_setup() {
	BENCH_CASE=$1
	need_root
	[ -x "$PORTFENCE" ] || { echo "bench: $PORTFENCE is missing: run make" >&2; exit 1; }
	[ -x "$PORTBLOCK" ] || { echo "bench: no portblock agent at $PORTBLOCK (PORTBLOCK_AGENT)" >&2; exit 1; }
	: "${BENCH_RAW:=$TOP/bench/results/raw}"
	mkdir -p "$BENCH_RAW"
	RAW_FILE=$BENCH_RAW/$BENCH_CASE.tsv
	: >"$RAW_FILE"
	new_tmpdir BENCH_TMP
	chmod 755 "$BENCH_TMP"
	iptables_backends
}

rec() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >>"$RAW_FILE"; }
say() { echo "bench[$BENCH_CASE]: $*" >&2; }

# iptables_backends: dirs to put first in PATH so that `iptables` (and
# -save/-restore, ip6tables) is the legacy or the nft backend, leaving the
# system's alternatives as they are. Sets IPT_PATH[nft], IPT_PATH[legacy].
declare -A IPT_PATH
iptables_backends() {
	local b multi t
	for b in nft legacy; do
		multi=/usr/sbin/xtables-$b-multi
		[ -x "$multi" ] || continue
		IPT_PATH[$b]=$BENCH_TMP/iptables-$b
		mkdir -p "${IPT_PATH[$b]}"
		for t in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
			ln -sf "$multi" "${IPT_PATH[$b]}/$t"
		done
	done
}

# fences: the fence kinds the cases compare: portfence, and portblock on
# each iptables backend present.
fences() {
	echo portfence
	[ -n "${IPT_PATH[nft]:-}" ] && echo portblock-nft
	[ -n "${IPT_PATH[legacy]:-}" ] && echo portblock-legacy
}

# agent_cmd VAR FENCE PIN STATE INSTANCE ACTION [PARAM=VALUE...]: the argv
# (into array VAR) of one agent action as Pacemaker's executor runs it:
# parameters in OCF_RESKEY_*, a private HA_RSCTMP. Run it inside the node's
# namespace (a timer there, or in_ns).
agent_cmd() {
	local -n __argv=$1
	local fence=$2 pin=$3 state=$4 inst=$5 action=$6 kv agent path=$PATH
	shift 6
	__argv=(env OCF_ROOT="$OCF_ROOT" HA_RSCTMP="$state"
		OCF_RESOURCE_INSTANCE="$inst" OCF_RESKEY_protocol=tcp
		OCF_RESKEY_portno=$PORTAL_PORT OCF_RESKEY_action=block)
	case $fence in
	portfence)
		agent=$FENCE_PORTBLOCK
		__argv+=(OCF_RESKEY_pin_dir="$pin" OCF_RESKEY_binary="$PORTFENCE") ;;
	portblock-*)
		agent=$PORTBLOCK
		path=${IPT_PATH[${fence#portblock-}]}:$PATH ;;
	esac
	for kv in "$@"; do __argv+=("OCF_RESKEY_$kv"); done
	__argv+=(PATH="$path" "$agent" "$action")
}

# in_ns NS CMD...: CMD inside NS. The timers run there themselves, so
# ip netns exec's own cost stays outside what they measure.
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# timer NS SUBCOMMAND ARGS...: bench/timer.py inside NS.
timer() { local ns=$1; shift; ip netns exec "$ns" "$PY" "$TIMER" "$@"; }

# ipt_rules NS BACKEND: rules iptables shows in NS's INPUT and OUTPUT.
ipt_rules() {
	ip netns exec "$1" env PATH="${IPT_PATH[$2]}:$PATH" iptables -w -S 2>/dev/null | grep -c '^-A'
}

# ipt_flush NS BACKEND: empty NS's filter table (our own namespace only).
ipt_flush() {
	ip netns exec "$1" env PATH="${IPT_PATH[$2]}:$PATH" iptables -w -F 2>/dev/null
}
