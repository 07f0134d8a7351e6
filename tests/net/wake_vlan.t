#!/usr/bin/env bash
# Over a VLAN the wake-up's replayed SYN comes in on the VLAN device the
# original was received on, not on its parent: an INPUT rule naming the
# VLAN device drops the replay of a peer it drops, and an allowed peer is
# woken at once. Needs 802.1Q VLAN devices in the kernel.
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

# --- over a VLAN: the replay comes in on the VLAN device, not its parent
ip netns exec "$SRV" ip link add link srv0 name srv0.100 type vlan id 100 2>/dev/null &&
	ip netns exec "$CLI" ip link add link cli0 name cli0.100 type vlan id 100 2>/dev/null ||
	skip_all "the kernel has no 802.1Q VLAN devices"
ip netns exec "$SRV" ip addr add 198.18.1.1/24 dev srv0.100
ip netns exec "$CLI" ip addr add 198.18.1.2/24 dev cli0.100
ip netns exec "$SRV" ip link set srv0.100 up
ip netns exec "$CLI" ip link set cli0.100 up
ok "vlan: the firewall drops the VLAN's client on 7906" \
	ipt -A INPUT -i srv0.100 -s 198.18.1.2 -p tcp --dport 7906 -j DROP
serve 198.18.1.1 7906
serve 198.18.1.1 7907
pf block --ip 198.18.1.1 --port 7906 >/dev/null
pf block --ip 198.18.1.1 --port 7907 >/dev/null
connector 198.18.1.1 7906 vdenied
connector 198.18.1.1 7907 vallowed
ok "vlan: the SYNs are recorded" tb_wait 3 knocks_at_least 7906 1
ok "vlan: (both)" tb_wait 3 knocks_at_least 7907 1
pf unblock --ip 198.18.1.1 --port 7906 >/dev/null
pf unblock --ip 198.18.1.1 --port 7907 >"$WORK/out"
ok "vlan: the allowed peer's SYN is replayed" grep -q "^woke 198.18.1.1:7907	.*(SYN replayed)$" "$WORK/out"
ok "vlan: the allowed peer is connected at once" tb_wait 1 status_is vallowed connected
sleep 1
ok "vlan: the dropped peer is not connected by the wake" status_is vdenied connecting
ipt -F INPUT

done_testing
