#!/usr/bin/env bash
# The RSTs the programs write carry valid TCP checksums on a device that
# does not offload them. A segment the local stack sends is
# CHECKSUM_PARTIAL: the NIC, or skb_checksum_help() when the device cannot,
# sums the TCP header into the checksum field; a full sum written there
# would be summed again. veth offloads by default (and trusts a partial
# sum), so the server's veth has TX checksumming turned off here, as on a
# NIC that computes checksums itself: the client must be reset, and count
# no checksum error.
. "$(dirname "$0")/netlib.sh"
net_bed
command -v ethtool >/dev/null || skip_all "needs ethtool"
ip netns exec "$SRV" ethtool -K srv0 tx off >/dev/null || { diag "ethtool -K srv0 tx off failed"; exit 1; }
ok "the server's device computes no TCP checksum" bash -c \
	'ip netns exec "$1" ethtool -k srv0 | grep -qx "tx-checksumming: off"' _ "$SRV"

# csum_errors: TCP segments the client dropped for a bad checksum (IPv4
# and IPv6 share the TCP counters).
csum_errors() {
	ip netns exec "$CLI" awk '/^Tcp:/ { if (!n++) { for (i = 1; i <= NF; i++) col[$i] = i } else print $col["InCsumErrors"] }' /proc/net/snmp
}
before=$(csum_errors)

# --keep-established: no sweep, so the server's next segment is what the
# fence answers: an RST back to the server and, with reject, one to the
# client, written by the program into a locally sent skb.
for addr in "$VIP" "$VIP6"; do
	serve "$addr" 3260
	reader "$addr" 3260 "r-$addr"
done
pf block --port 3260 --method reject --keep-established >/dev/null
ok "IPv4: the reading client is reset by the program's RST" tb_wait 3 reader_is "r-$VIP" reset
ok "IPv6: the reading client is reset too" tb_wait 3 reader_is "r-$VIP6" reset
ok "the RSTs were the program's (peer_resets counted)" ge \
	"$(pf_json 'd["counters"]["peer_resets"]' status --json)" 2
is "the client counted no TCP checksum error" "$(csum_errors)" "$before"

# The answer to a SYN goes out the same device: a new connection attempt
# is refused at once.
serve "$VIP" 3261
pf block --ip "$VIP" --port 3261 --direction in --method reject >/dev/null
ok "a SYN to a rejecting portal is refused at once" refused "$VIP" 3261
is "still no checksum error" "$(csum_errors)" "$before"

done_testing
