# shellcheck shell=bash
# The tests/net bed: a server node and a client node (two network
# namespaces) joined by a veth pair, real TCP between them, the server's
# private bpffs as its pin dir (docs/reference.md, The test bed).
#
#   . "$(dirname "$0")/netlib.sh"    # sources testlib.sh
#   net_bed                          # SRV CLI PIN WORK, addresses below
#   pf block --ip "$VIP" --port 3260 # portfence in the server node
#   serve "$VIP" 3260; hold "$VIP" 3260 4; reader "$VIP" 3260 r1
#
# Server side: srv0 with VIP and OTHER (and their IPv6 twins); client side:
# cli0 with CLIENT. Servers are tcphold (every send queue kept full, every
# death reported as reset/abort or closed); clients are tcphold (never
# read) or peer.py readers (read slowly, so the server sends GSO-sized
# segments and keeps hundreds of KB queued).
. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

HOLD=$TOP/build/tcphold
PEER=$TOP/tests/net/peer.py
PY=/usr/bin/python3
VIP=198.18.0.1 OTHER=198.18.0.3 CLIENT=198.18.0.2
VIP6=2001:db8::1 OTHER6=2001:db8::3 CLIENT6=2001:db8::2
# how tcphold reports a socket killed by an RST or by sock_destroy (which
# aborts it: ECONNABORTED); a clean close is reported as "closed"
KILLED='^(Connection reset by peer|Software caused connection abort) '

net_setup() {
	need_root
	local f
	for f in "$PORTFENCE" "$HOLD" "$TCXPROG"; do
		[ -x "$f" ] || skip_all "$f is missing: run make"
	done
	[ -x "$PY" ] || skip_all "$PY is missing"
	new_tmpdir WORK
	chmod 755 "$WORK"
}

# net_bed: the two nodes, the link, the addresses, the server's pin dir.
net_bed() {
	net_setup
	new_netns SRV srv
	new_netns CLI cli
	new_bpffs PIN
	ip link add srv0 netns "$SRV" type veth peer name cli0 netns "$CLI" || exit 1
	net_addr "$SRV" srv0 "$VIP/24" "$OTHER/24" "$VIP6/64" "$OTHER6/64"
	net_addr "$CLI" cli0 "$CLIENT/24" "$CLIENT6/64"
	ip -n "$SRV" link set srv0 up && ip -n "$CLI" link set cli0 up || exit 1
}

# net_addr NS DEV ADDR/LEN...: addresses usable at once (no IPv6 DAD wait).
net_addr() {
	local ns=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		case $a in
		*:*) ip -n "$ns" addr add "$a" dev "$dev" nodad;;
		*) ip -n "$ns" addr add "$a" dev "$dev";;
		esac || exit 1
	done
}

# pf ARGS...: portfence in the server node with its pin dir.
pf() { ip netns exec "$SRV" "$PORTFENCE" --pin-dir "$PIN" "$@"; }

# pf_json PYTHON-EXPR ARGS...: run pf ARGS (a --json command) and print
# EXPR evaluated with the parsed document as d.
pf_json() {
	local expr=$1
	shift
	pf "$@" | "$PY" -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$expr"
}

# fenced PORTAL-ARGS...: check says fenced (0); not_fenced: it says not
# fenced (exactly 1, not a usage or runtime error).
fenced() { pf check "$@" >/dev/null 2>&1; }
not_fenced() { pf check "$@" >/dev/null 2>&1; [ $? -eq 1 ]; }

# quietly CMD...: CMD with its output discarded (ok's own line is kept).
quietly() { "$@" >/dev/null 2>&1; }

# ge A B: A >= B, for ok "..." ge "$(count)" 1
ge() { [ -n "$1" ] && [ "$1" -ge "$2" ]; }

# --- endpoints; each started in the background, its pid killed at exit.
# Logs and status files are under $WORK, named by the caller's NAME.

# serve ADDR PORT: a tcphold server in the server node; log $WORK/srv-ADDR-PORT.
serve() {
	local log=$WORK/srv-$1-$2
	tb_bg "$SRV" "$HOLD" server "$1" "$2" >"$log" 2>&1
	tb_wait 3 grep -q listening "$log" || { diag "server $1 $2 did not start"; exit 1; }
}
srv_log() { echo "$WORK/srv-$1-$2"; }

# hold ADDR PORT N [NAME]: N tcphold connections from the client node that
# never read (nor send anything: a stale one stays stale); log
# $WORK/hold-NAME (NAME defaults to ADDR-PORT), pid in HOLD_PID.
hold() {
	local log=$WORK/hold-${4:-$1-$2}
	tb_bg "$CLI" "$HOLD" client "$1" "$2" "$3" >"$log" 2>&1
	HOLD_PID=$TB_PID
	tb_wait 3 grep -q "^connections $3" "$log" || { diag "client $1 $2 did not connect"; exit 1; }
}
# hold_lport PID: the local port of the (one) connection of a hold.
hold_lport() {
	ip netns exec "$CLI" ss -Htnp state established | awk -v p="pid=$1," '
		index($0, p) { n = split($3, a, ":"); print a[n]; exit }'
}

# reader ADDR PORT NAME: a slow reader from the client node; status file
# $WORK/NAME, pid in READER_PID.
reader() {
	tb_bg "$CLI" "$PY" "$PEER" reader "$1" "$2" "$WORK/$3" 2>"$WORK/$3.err"
	READER_PID=$TB_PID
	tb_wait 3 grep -qs connected "$WORK/$3" || { diag "reader $3 did not connect"; exit 1; }
}
# quiet ADDR PORT NAME: a server that sends nothing until sent SIGUSR1
# (pid in QUIET_PID); status file $WORK/NAME: "accepted N received BYTES
# reset R aborted A closed C".
quiet() {
	tb_bg "$SRV" "$PY" "$PEER" quiet-server "$1" "$2" "$WORK/$3" 2>"$WORK/$3.err"
	QUIET_PID=$TB_PID
	tb_wait 3 grep -qs accepted "$WORK/$3" || { diag "quiet server $3 did not start"; exit 1; }
}
# quiet_count NAME FIELD: one counter of a quiet server.
quiet_count() { awk -v f="$2" '{ for (i = 1; i < NF; i += 2) if ($i == f) print $(i + 1) }' "$WORK/$1"; }
quiet_has() { [ "$(quiet_count "$1" "$2")" -ge "$3" ]; }

read_bytes() { awk '$1 == "connected" { print $3 }' "$WORK/$1"; }
reader_lport() { awk '$1 == "connected" { print $2 }' "$WORK/$1"; }
reader_is() { grep -qx "$2" "$WORK/$1"; }
# reader_moves NAME: the reader receives more data from now on.
reader_moves() {
	local before
	before=$(read_bytes "$1")
	[ -n "$before" ] && tb_wait 3 reader_grew "$1" "$before"
}
reader_grew() { local n; n=$(read_bytes "$1"); [ -n "$n" ] && [ "$n" -gt "$2" ]; }

# --- observing sockets with ss in a node

# established NS ADDR PORT: ESTAB sockets whose local end is ADDR:PORT.
established() {
	local a=$2
	case $a in *:*) a="[$a]";; esac
	ip netns exec "$1" ss -Htn state established "( src $a:$3 )" | wc -l
}

# send_qs NS ADDR PORT: the Send-Q of each established socket of ADDR:PORT
# in NS, bytes, a line each.
send_qs() {
	local a=$2
	case $a in *:*) a="[$a]";; esac
	ip netns exec "$1" ss -Htn state established "( src $a:$3 )" | awk '{ print $2 }'
}
# send_q_max NS ADDR PORT: the largest Send-Q among those sockets, bytes.
send_q_max() { send_qs "$@" | awk 'BEGIN { m = 0 } $1 > m { m = $1 } END { print m }'; }
# queues_full NS ADDR PORT BYTES: some socket has at least BYTES queued.
queues_full() { [ "$(send_q_max "$1" "$2" "$3")" -ge "$4" ]; }
# queues_all_full NS ADDR PORT N BYTES: N sockets each have at least BYTES
# queued (a busy machine's server may not have written to the last one yet).
queues_all_full() {
	[ "$(send_qs "$1" "$2" "$3" | awk -v b="$5" '$1 >= b { n++ } END { print n + 0 }')" -ge "$4" ]
}

# killed LOG: how many sockets tcphold saw reset or aborted; closed LOG:
# how many it saw closed cleanly.
killed() { grep -cE "$KILLED" "$1"; }
closed() { grep -c '^closed ' "$1"; }
killed_at_least() { [ "$(killed "$1")" -ge "$2" ]; }

# retransmitted PORT: the client's socket with local port PORT has had to
# retransmit (what it sent was not acknowledged in time).
retransmitted() {
	ip netns exec "$CLI" ss -Htni state established "( sport = :$1 )" | grep -qE 'retrans:[0-9]+/[1-9]'
}

# --- connection attempts from the client node (tcphold probe)

probe() { ip netns exec "$CLI" "$HOLD" probe "$1" "$2" "${3:-1000}"; }
# connects ADDR PORT: a new connection succeeds.
connects() { probe "$1" "$2" 2000; }
# syn_dropped ADDR PORT: the attempt gets no answer (times out).
syn_dropped() { probe "$1" "$2" 500; [ $? -eq 1 ]; }
# refused ADDR PORT: the attempt is answered with an RST within the timeout.
refused() { probe "$1" "$2" 2000; [ $? -eq 2 ]; }

# tc_filters NS: every tc filter on every interface of NS, ingress and egress.
tc_filters() {
	local dev
	for dev in $(ip -n "$1" -o link show | awk -F'[ :@]+' '{ print $2 }'); do
		ip netns exec "$1" tc filter show dev "$dev" ingress
		ip netns exec "$1" tc filter show dev "$dev" egress
	done 2>/dev/null
}

