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
# Two portblocks: the one the distribution's resource-agents installed
# (Debian 12: 4.12, iptables only), and, with make bench
# PORTBLOCK_AGENT=/path/to/portblock, another one beside it: resource-agents'
# current one (its `firewall` parameter picks nft or iptables) is measured
# on both backends. An agent without that parameter replaces the installed
# one instead.
PORTBLOCK=$OCF_ROOT/resource.d/heartbeat/portblock
PORTBLOCK_NEW=
if [ -n "${PORTBLOCK_AGENT:-}" ]; then
	if OCF_ROOT=$OCF_ROOT bash "$PORTBLOCK_AGENT" meta-data 2>/dev/null | grep -q '<parameter name="firewall"'; then
		PORTBLOCK_NEW=$PORTBLOCK_AGENT
	else
		PORTBLOCK=$PORTBLOCK_AGENT
	fi
fi
FENCE_PORTBLOCK=$TOP/agents/fence-portblock
PORTAL_PORT=3260

# quick FULL QUICK: the value for this pass.
quick() { if [ -n "${QUICK:-}" ] && [ "${QUICK:-0}" != 0 ]; then echo "$2"; else echo "$1"; fi; }

bench_setup() {
	BENCH_CASE=$1
	need_root
	[ -x "$PORTFENCE" ] || { echo "bench: $PORTFENCE is missing: run make" >&2; exit 1; }
	[ -x "$PORTBLOCK" ] || { echo "bench: no portblock agent at $PORTBLOCK (PORTBLOCK_AGENT)" >&2; exit 1; }
	[ -n "$PORTBLOCK_NEW" ] && ! command -v nft >/dev/null &&
		echo "bench: no nft (scripts/deps.sh): $PORTBLOCK_NEW on iptables only" >&2
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

# fences: the fence kinds the cases compare: portfence; the installed
# portblock on each iptables backend present (portblock-debian-ipt-nft,
# portblock-debian-ipt-legacy); the current portblock, if given, with its
# own nft backend (portblock-nft) and its iptables one on iptables' nft
# backend (portblock-iptables).
fences() {
	echo portfence
	[ -n "${IPT_PATH[nft]:-}" ] && echo portblock-debian-ipt-nft
	[ -n "${IPT_PATH[legacy]:-}" ] && echo portblock-debian-ipt-legacy
	if [ -n "$PORTBLOCK_NEW" ]; then
		command -v nft >/dev/null && echo portblock-nft
		[ -n "${IPT_PATH[nft]:-}" ] && echo portblock-iptables
	fi
}

# pb_agent FENCE: the portblock agent FENCE runs.
pb_agent() {
	case $1 in
	portblock-debian-*) echo "$PORTBLOCK" ;;
	*) echo "$PORTBLOCK_NEW" ;;
	esac
}

# pb_env FENCE: VAR=VALUE words FENCE's agent runs with: the iptables
# backend first in PATH; for the current portblock its firewall, and nft's
# path, which its own ocf-binaries would set and the installed
# resource-agents' does not.
pb_env() {
	case $1 in
	portblock-debian-ipt-*) echo "PATH=${IPT_PATH[${1#portblock-debian-ipt-}]}:$PATH" ;;
	portblock-iptables) echo "PATH=${IPT_PATH[nft]}:$PATH OCF_RESKEY_firewall=iptables" ;;
	portblock-nft) echo "PATH=$PATH OCF_RESKEY_firewall=nft NFTABLES=nft" ;;
	esac
}

# pb_ipt FENCE: the iptables backend FENCE writes to; empty for nft.
pb_ipt() {
	case $1 in
	portblock-debian-ipt-*) echo "${1#portblock-debian-ipt-}" ;;
	portblock-iptables) echo nft ;;
	esac
}

# agent_cmd VAR FENCE PIN STATE INSTANCE ACTION [PARAM=VALUE...]: the argv
# (into array VAR) of one agent action as Pacemaker's executor runs it:
# parameters in OCF_RESKEY_*, a private HA_RSCTMP. Run it inside the node's
# namespace (a timer there, or in_ns).
agent_cmd() {
	local -n __argv=$1
	local fence=$2 pin=$3 state=$4 inst=$5 action=$6 kv agent path=$PATH
	local -a extra=()
	shift 6
	__argv=(env OCF_ROOT="$OCF_ROOT" HA_RSCTMP="$state"
		OCF_RESOURCE_INSTANCE="$inst" OCF_RESKEY_protocol=tcp
		OCF_RESKEY_portno=$PORTAL_PORT OCF_RESKEY_action=block)
	case $fence in
	portfence)
		agent=$FENCE_PORTBLOCK
		__argv+=(OCF_RESKEY_pin_dir="$pin" OCF_RESKEY_binary="$PORTFENCE") ;;
	portblock-*)
		agent=$(pb_agent "$fence")
		read -r -a extra <<<"$(pb_env "$fence")" ;;
	esac
	for kv in "$@"; do __argv+=("OCF_RESKEY_$kv"); done
	__argv+=(PATH="$path" "${extra[@]}" "$agent" "$action")
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

# fw_rules NS FENCE: rules FENCE's portblock left in NS (iptables: in
# INPUT and OUTPUT; nft: in its table inet portblock).
fw_rules() {
	local b
	b=$(pb_ipt "$2")
	if [ -n "$b" ]; then
		ipt_rules "$1" "$b"
	else
		ip netns exec "$1" nft list table inet portblock 2>/dev/null | grep -cE ' (drop|reject)'
	fi
}

# fw_flush NS FENCE: remove what FENCE's portblock wrote in NS (our own
# namespace only).
fw_flush() {
	local b
	b=$(pb_ipt "$2")
	if [ -n "$b" ]; then
		ip netns exec "$1" env PATH="${IPT_PATH[$b]}:$PATH" iptables -w -F 2>/dev/null
	else
		ip netns exec "$1" nft delete table inet portblock 2>/dev/null
	fi
	return 0
}
