#!/usr/bin/env bash
# make demo: the fence at work, in two network namespaces made for it.
#
# A "target" namespace runs a server that keeps every connection's send
# queue full (what tgtd looks like when its initiators stop reading); an
# "initiator" namespace opens 8 connections and never reads. Then:
# fence the portal, watch the connections die at once and new ones be held
# off, lift the fence, see service back (about 10 s). Then the iSCSI
# failover of tests/e2e, without a fence and with portfence (about 2 min).
# Everything is removed at the end.
set -u
start=$SECONDS
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "demo: run as root (sudo make demo)" >&2; exit 3; }

PF=$PWD/build/portfence
HOLD=$PWD/build/tcphold
TGT=pfdemo-target-$$
INI=pfdemo-initiator-$$
VIP=198.18.0.1
PORT=3260
pids=()
pin=""

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "$pin" ] && { umount "$pin"; rmdir "$pin"; }
	ip netns del "$TGT" 2>/dev/null
	ip netns del "$INI" 2>/dev/null
	rm -f "/tmp/$TGT.log"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
in_target() { ip netns exec "$TGT" "$@"; }

step "two namespaces joined by a veth pair: target $VIP, initiator 198.18.0.2"
ip netns add "$TGT" && ip netns add "$INI" || exit 1
ip link add pfd-t netns "$TGT" type veth peer name pfd-i netns "$INI"
ip -n "$TGT" addr add $VIP/24 dev pfd-t
ip -n "$INI" addr add 198.18.0.2/24 dev pfd-i
for ns in "$TGT" "$INI"; do ip -n "$ns" link set lo up; done
ip -n "$TGT" link set pfd-t up
ip -n "$INI" link set pfd-i up
# a private bpffs per node, as on a real node where it is /sys/fs/bpf
pin=$(mktemp -d /tmp/pfdemo-bpffs.XXXXXX) && mount -t bpf -o mode=0700 bpf "$pin" || exit 1
PFN=(ip netns exec "$TGT" "$PF" --pin-dir "$pin")

step "a target that keeps its send queues full, 8 initiator connections that never read"
# started directly (not through a shell function) so $! is the process itself
ip netns exec "$TGT" "$HOLD" server $VIP $PORT >"/tmp/$TGT.log" 2>&1 &
pids+=($!)
sleep 0.3
ip netns exec "$INI" "$HOLD" client $VIP $PORT 8 >/dev/null 2>&1 &
pids+=($!)
sleep 1.5
run in_target ss -tn state established "( sport = :$PORT )"

step "fence the portal (loads and attaches the programs on first use)"
run "${PFN[@]}" block --ip $VIP --port $PORT
sleep 0.2

step "the target's connections are gone, Send-Q and all; its server saw them die"
run in_target ss -tn state established "( sport = :$PORT )"
sed 's/^/  server: /' "/tmp/$TGT.log" | grep -v listening

step "a new initiator connection is held off (SYN dropped: no error, no answer)"
if ip netns exec "$INI" "$HOLD" probe $VIP $PORT 1000; then
	echo "  connected?! the fence did not hold" >&2
else
	echo "  connect timed out after 1 s, as it should while fenced"
fi

step "the kernel's view: fence table and counters"
run "${PFN[@]}" list
run "${PFN[@]}" status

step "lift the fence: service is back"
run "${PFN[@]}" unblock --ip $VIP --port $PORT
if ip netns exec "$INI" "$HOLD" probe $VIP $PORT 1000; then
	echo "  new connection established"
else
	echo "  connect failed after unblock" >&2
	exit 1
fi

step "unload: no programs, no pins, no filters left"
run "${PFN[@]}" unload

if command -v tgtd >/dev/null && [ -x tests/e2e/demo.sh ]; then
	step "the iSCSI failover itself: real tgtd, resource-agents and an initiator"
	tests/e2e/demo.sh
else
	step "the iSCSI failover: skipped, it needs tgt and resource-agents (make deps)"
fi
echo
echo "demo done in $((SECONDS - start)) s."
