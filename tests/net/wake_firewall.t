#!/usr/bin/env bash
# The wake-up never admits what the host's firewall refuses, and never
# speaks for an address the node no longer holds: a replayed SYN comes in
# on the interface the original came in on, so an INPUT rule that drops
# the peer drops the replay too (the usual "-i lo -j ACCEPT" does not let
# it through), while an allowed peer is still woken at once; a knock whose
# portal address was removed before the unblock emits nothing and is
# reported as not woken; strict rp_filter drops the replay of a source
# whose route back leaves by another interface, as it drops the original.
. "$(dirname "$0")/netlib.sh"
net_bed
command -v iptables >/dev/null || skip_all "iptables is missing"
ip netns exec "$CLI" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null
ipt() { ip netns exec "$SRV" iptables -w "$@"; }

status() { awk '{ print $1 }' "$WORK/$1" 2>/dev/null; }
status_is() { [ "$(status "$1")" = "$2" ]; }
connector() { tb_bg "$CLI" "$PY" "$PEER" connect "$1" "$2" "$WORK/$3"; }
knocks() { pf_json "sum(e['counters']['knocks'] for e in d if e['port'] == $1)" list --json; }
knocks_at_least() { [ "$(knocks "$1")" -ge "$2" ]; }
# packets: the counter of the (only) rule of CHAIN in TABLE
packets() { ipt -t "$1" -L "$2" -nvx | awk 'NR > 2 { n += $1 } END { print n + 0 }'; }

# --- a peer the firewall drops is not let in by the wake
ok "the firewall accepts lo" ipt -A INPUT -i lo -j ACCEPT
ok "and drops the client on 7903" ipt -A INPUT -s "$CLIENT" -p tcp --dport 7903 -j DROP
serve "$VIP" 7903
serve "$VIP" 7904
pf block --ip "$VIP" --port 7903 >/dev/null
pf block --ip "$VIP" --port 7904 >/dev/null
connector "$VIP" 7903 denied
connector "$VIP" 7904 allowed
ok "firewall: the SYN to the dropped peer's portal is recorded" \
	tb_wait 3 knocks_at_least 7903 1
ok "firewall: and to the allowed one's" tb_wait 3 knocks_at_least 7904 1
pf unblock --ip "$VIP" --port 7903 >"$WORK/out"
is "firewall: unblock of the dropped peer's portal exits 0" "$?" 0
pf unblock --ip "$VIP" --port 7904 >>"$WORK/out"
ok "firewall: the allowed peer is connected at once" tb_wait 1 status_is allowed connected
sleep 1
ok "firewall: the dropped peer is not connected by the wake" status_is denied connecting
ipt -F INPUT

# --- a knock whose portal address left the node emits nothing
GONE=198.18.0.5
ip netns exec "$SRV" ip addr add "$GONE/24" dev srv0
serve 0.0.0.0 7905
pf block --port 7905 >/dev/null
connector "$GONE" 7905 moved
ok "moved: the SYN to the wildcard portal is recorded" tb_wait 3 knocks_at_least 7905 1
ip netns exec "$SRV" ip addr del "$GONE/24" dev srv0
ok "moved: count SYNs sent out" ipt -t raw -A OUTPUT -p tcp -d "$GONE" --dport 7905
ok "moved: count SYNs replayed in" ipt -t raw -A PREROUTING -p tcp -d "$GONE" --dport 7905 -m mac --mac-source \
	"$(ip netns exec "$SRV" ip -br link show srv0 | awk '{ print $3 }')"
pf unblock --port 7905 >"$WORK/out"
is "moved: unblock exits 0" "$?" 0
ok "moved: not woken, and says why" \
	grep -qE "^not woken $GONE:7905	$CLIENT:[0-9]+ \(its portal address is not local now\)$" "$WORK/out"
is "moved: no SYN sent out" "$(packets raw OUTPUT)" 0
is "moved: no SYN replayed in" "$(packets raw PREROUTING)" 0
ipt -t raw -F

# --- strict rp_filter: a source whose route back leaves by another
# interface is dropped by rp_filter on srv0, its replay too
SPOOF=198.18.9.2
ip netns exec "$SRV" ip link add rpf0 type veth peer name rpf1
ip netns exec "$SRV" ip link set rpf1 up
ip netns exec "$SRV" ip link set rpf0 up
ip netns exec "$SRV" ip route add 198.18.9.0/24 dev rpf0
ip netns exec "$SRV" sysctl -qw net.ipv4.conf.srv0.rp_filter=1
ip netns exec "$CLI" ip addr add "$SPOOF/32" dev cli0
serve "$VIP" 7908
pf block --ip "$VIP" --port 7908 >/dev/null
tb_bg "$CLI" "$PY" -c 'import socket, sys, time
s = socket.socket(); s.bind((sys.argv[1], 0)); s.setblocking(False)
s.connect_ex((sys.argv[2], 7908)); time.sleep(60)' "$SPOOF" "$VIP"
ok "rp_filter: the SYN from the source routed elsewhere is recorded" tb_wait 3 knocks_at_least 7908 1
rpf() { ip netns exec "$SRV" nstat -az TcpExtIPReversePathFilter | awk '$1 == "TcpExtIPReversePathFilter" { print $2 }'; }
before=$(rpf)
pf unblock --ip "$VIP" --port 7908 >/dev/null
sleep 0.5
is "rp_filter: the replay makes no half-open connection" \
	"$(ip netns exec "$SRV" ss -Htn state syn-recv "( sport = :7908 )" | wc -l)" 0
ok "rp_filter: rp_filter dropped it" test "$(rpf)" -gt "$before"

done_testing
