# shellcheck shell=bash
# Running fence-portblock in the tests as Pacemaker's executor would: one
# action per process, parameters in OCF_RESKEY_*, inside a test namespace
# with that node's private pin dir, and a private state dir (HA_RSCTMP,
# one per pin dir, i.e. per simulated node, as /run is per node) so the
# tests leave nothing in /run/resource-agents.
#
#   . "$(dirname "$0")/../lib/testlib.sh"
#   . "$(dirname "$0")/agentlib.sh"
#   ra_setup                                # root, build/portfence, state dir
#   new_netns VAR SUFFIX; new_bpffs VAR      # namespaces and pin dirs
#   ra NS PIN ACTION [PARAM=VALUE...]       # exit code of the agent (protocol=tcp
#                                           # unless given; protocol= unsets it)
#   ra_is NAME WANT NS PIN ACTION [PARAM=VALUE...]
#   pf NS PIN COMMAND ARGS...               # portfence in NS with PIN
#   ra_node_client                          # $node (198.18.0.1) linked to $client
#                                           # (198.18.0.2), $pin: node's pin dir
AGENT=$TOP/agents/fence-portblock
TCP_PY=$TOP/tests/agents/tcp.py
PY=/usr/bin/python3
export OCF_ROOT=/usr/lib/ocf

ra_setup() {
	need_root
	[ -x "$PORTFENCE" ] || skip_all "$PORTFENCE is missing: run make"
	[ -r "$OCF_ROOT/lib/heartbeat/ocf-shellfuncs" ] || skip_all "resource-agents is not installed"
	new_tmpdir RA_DIR
	chmod 755 "$RA_DIR"
	RA_STATE=$RA_DIR/rsctmp
	RA_ERR=$RA_DIR/stderr
	mkdir -p "$RA_STATE"
	export HA_RSCTMP=$RA_STATE
	: "${RA_NAME:=fp}"
}

ra_node_client() {
	new_netns node node
	new_netns client client
	tb_link "$node" 198.18.0.1/24 "$client" 198.18.0.2/24
	new_bpffs pin
}

ra() {
	local ns=$1 pin=$2 action=$3 kv envs=()
	shift 3
	for kv in "$@"; do envs+=("OCF_RESKEY_$kv"); done
	ip netns exec "$ns" env OCF_ROOT="$OCF_ROOT" HA_RSCTMP="$(ra_state "$pin")" \
		OCF_RESOURCE_INSTANCE="$RA_NAME" OCF_RESKEY_pin_dir="$pin" \
		OCF_RESKEY_binary="$PORTFENCE" OCF_RESKEY_protocol=tcp "${envs[@]}" \
		"$AGENT" "$action" >"${RA_OUT:-$RA_DIR/stdout}" 2>"$RA_ERR"
}

# ra_state PIN: the state dir (HA_RSCTMP) of the node with that pin dir.
ra_state() { echo "$RA_STATE/${1##*/}"; }

ra_is() { is_rc "$1" "$2" "$RA_ERR" ra "${@:3}"; }

pf() {
	local ns=$1 pin=$2
	shift 2
	ip netns exec "$ns" "$PORTFENCE" --pin-dir "$pin" "$@"
}

# fenced NS PIN PORTAL-ARGS...: exit 0 if exactly that portal has its entry.
fenced() {
	local ns=$1 pin=$2
	shift 2
	pf "$ns" "$pin" check --exact "$@" >/dev/null 2>&1
}

not_fenced() { ! fenced "$@"; }

# tcp_probe NS ADDR PORT: a connection succeeds within 1 s.
tcp_probe() { ip netns exec "$1" "$PY" "$TCP_PY" probe "$2" "$3" 1000; }
# tcp_blocked NS ADDR PORT: a connection attempt times out (dropped).
tcp_blocked() {
	ip netns exec "$1" "$PY" "$TCP_PY" probe "$2" "$3" 500
	[ $? -eq 1 ]
}
# tcp_refused NS ADDR PORT: a connection attempt is refused or reset.
tcp_refused() {
	ip netns exec "$1" "$PY" "$TCP_PY" probe "$2" "$3" 500
	[ $? -eq 2 ]
}
# established NS PORT: count established TCP sockets with local port PORT.
established() {
	ip netns exec "$1" ss -Htn state established "( sport = :$2 )" | wc -l
}
