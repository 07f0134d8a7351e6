#!/usr/bin/env bash
# Frames whose headers are not in the skb's linear data (a driver that
# leaves them in page fragments; here a packet socket with a virtio-net
# header that keeps only the Ethernet header linear): the programs read
# headers in place, so they must pull them in first. Fenced frames are
# still recognised and dropped, and a frame the fence passes arrives with
# every byte as it was sent.
. "$(dirname "$0")/netlib.sh"
net_bed
ip -n "$SRV" link set srv0 mtu 9000 && ip -n "$CLI" link set cli0 mtu 9000 || exit 1
MAC=$(ip netns exec "$SRV" cat /sys/class/net/srv0/address)
SIZE=6000	# over a page: the packet socket splits it

udp_recv() {
	tb_bg "$SRV" "$PY" "$PEER" udp-recv "$VIP" "$1" "$WORK/u$1" 2>"$WORK/u$1.err"
	tb_wait 3 test -s "$WORK/u$1" || { diag "udp receiver $1 did not start"; exit 1; }
}
# raw PORT udp|syn: one SIZE-byte frame to VIP:PORT; prints its data's SHA
raw() { ip netns exec "$CLI" "$PY" "$PEER" raw-send cli0 "$MAC" "$CLIENT" "$VIP" "$1" $SIZE "$2"; }
status() { cat "$WORK/u$1"; }
counter() { pf_json "[e['counters']['$2'] for e in d if e['port'] == $1][0]" list --json; }

udp_recv 5100
udp_recv 5101
pf block --ip "$VIP" --port 5100 --proto udp --direction in >/dev/null
is "block udp 5100 --direction in exits 0" "$?" 0
pf block --ip "$VIP" --port 5200 >/dev/null
is "block tcp 5200 exits 0" "$?" 0

sha=$(raw 5101 udp)
ok "a $SIZE-byte datagram to an open port is sent" test -n "$sha"
ok "... and arrives" tb_wait 3 grep -q '^datagrams 1 ' "$WORK/u5101"
is "... with every byte as sent" "$(status 5101)" "datagrams 1 last $sha"

raw 5100 udp >/dev/null
raw 5101 udp >/dev/null
ok "a datagram sent after one to the fenced port arrives (barrier)" \
	tb_wait 3 grep -q '^datagrams 2 ' "$WORK/u5101"
is "the datagram to the fenced port was dropped" "$(status 5100)" "datagrams 0 last none"
is "... and counted as a dropped segment of its portal" "$(counter 5100 segs_dropped)" 1

raw 5200 syn >/dev/null
ok "a $SIZE-byte SYN to the fenced TCP portal is counted as dropped" \
	tb_wait 3 eval '[ "$(counter 5200 syns_dropped)" = 1 ]'

done_testing
