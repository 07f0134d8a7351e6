#!/usr/bin/env bash
# UDP portals: datagrams to the portal are dropped when "in" is fenced,
# datagrams from it when "out" is, both by default; other UDP ports and a
# TCP service on the same port number are untouched. A unicast datagram in
# a broadcast or multicast frame is fenced like any other.
. "$(dirname "$0")/netlib.sh"
net_bed

# udp_recv NS ADDR PORT NAME: count datagrams into $WORK/NAME.
udp_recv() {
	tb_bg "$1" "$PY" "$PEER" udp-recv "$2" "$3" "$WORK/$4" 2>"$WORK/$4.err"
	tb_wait 3 test -s "$WORK/$4" || { diag "udp receiver $4 did not start"; exit 1; }
}
# udp_send NS SADDR SPORT DADDR DPORT N
udp_send() { ip netns exec "$1" "$PY" "$PEER" udp-send "$2" "$3" "$4" "$5" "$6"; }
datagrams() { awk '{ print $2 }' "$WORK/$1"; }
has_datagrams() { [ "$(datagrams "$1")" -ge "$2" ]; }

# sent_then_barrier NS SADDR SPORT DADDR DPORT: 10 datagrams to the
# portal, then 10 to an unfenced control port on the same path; once the
# control has them all, whatever of the first 10 would arrive has arrived.
sent_then_barrier() {
	local ns=$1 s=$2 sp=$3 d=$4 dp=$5 ctl=$6
	udp_send "$ns" "$s" "$sp" "$d" "$dp" 10 || return 1
	udp_send "$ns" "$s" $((sp + 100)) "$d" "$ctl" 10 || return 1
	tb_wait 3 has_datagrams "ctl-$ctl" "$want_ctl"
}

# inbound: client -> server, barrier port 5999 on the server
udp_recv "$SRV" "$VIP" 5999 ctl-5999
for p in 5000 5001 5002; do udp_recv "$SRV" "$VIP" $p in-$p; done
# outbound: server port P -> client port 6000 + (P - 5000)
udp_recv "$CLI" "$CLIENT" 6999 ctl-6999
for p in 5000 5001 5002; do udp_recv "$CLI" "$CLIENT" $((p + 1000)) out-$p; done

want_ctl=10
for p in 5000 5001 5002; do
	sent_then_barrier "$CLI" "$CLIENT" 7000 "$VIP" $p 5999
	want_ctl=$((want_ctl + 10))
done
for p in 5000 5001 5002; do
	is "before the fence: $p receives" "$(datagrams in-$p)" 10
done

pf block --ip "$VIP" --port 5000 --proto udp --direction in >/dev/null
is "block --proto udp --direction in exits 0" "$?" 0
pf block --ip "$VIP" --port 5001 --proto udp --direction out >/dev/null
is "block --proto udp --direction out exits 0" "$?" 0

for p in 5000 5001 5002; do
	ok "in: datagrams to $p sent, control received" sent_then_barrier "$CLI" "$CLIENT" 7000 "$VIP" $p 5999
	want_ctl=$((want_ctl + 10))
done
is "direction in: datagrams to the portal are dropped" "$(datagrams in-5000)" 10
is "direction out: datagrams to the portal pass" "$(datagrams in-5001)" 20
is "unfenced port: datagrams pass" "$(datagrams in-5002)" 20

want_ctl=10
for p in 5000 5001 5002; do
	ok "out: datagrams from $p sent, control received" sent_then_barrier "$SRV" "$VIP" $p "$CLIENT" $((p + 1000)) 6999
	want_ctl=$((want_ctl + 10))
done
is "direction in: datagrams from the portal pass" "$(datagrams out-5000)" 10
is "direction out: datagrams from the portal are dropped" "$(datagrams out-5001)" 0
is "unfenced port: datagrams from it pass" "$(datagrams out-5002)" 10

pf block --ip "$VIP" --port 5002 --proto udp >/dev/null
is "block --proto udp (both) exits 0" "$?" 0
want_ctl=40
ok "both: datagrams to the portal sent" sent_then_barrier "$CLI" "$CLIENT" 7000 "$VIP" 5002 5999
want_ctl=40
ok "both: datagrams from the portal sent" sent_then_barrier "$SRV" "$VIP" 5002 "$CLIENT" 6002 6999
is "both: datagrams to the portal are dropped" "$(datagrams in-5002)" 20
is "both: datagrams from the portal are dropped" "$(datagrams out-5002)" 10
ok "the drops are counted" ge \
	"$(pf_json 'sum(e["counters"]["segs_dropped"] for e in d if e["proto"] == "udp")' list --json)" 30

# Unicast datagrams in broadcast and multicast frames: the client's
# neighbour entry for the server names a group MAC, the stack delivers
# them (the control port receives its share), and the fence drops them.
want_ctl=$(datagrams ctl-5999)
for mac in ff:ff:ff:ff:ff:ff 01:00:5e:00:00:01; do
	ip -n "$CLI" neigh replace "$VIP" lladdr "$mac" dev cli0 nud permanent || exit 1
	want_ctl=$((want_ctl + 10))
	ok "frames to $mac: datagrams sent, the control port received them" \
		sent_then_barrier "$CLI" "$CLIENT" 7000 "$VIP" 5000 5999
	is "frames to $mac: datagrams to the fenced portal are dropped" "$(datagrams in-5000)" 10
done
ip -n "$CLI" neigh del "$VIP" dev cli0

serve "$VIP" 5000
ok "a TCP service on a UDP-fenced port number takes connections" connects "$VIP" 5000
ok "check --proto udp: fenced" fenced --ip "$VIP" --port 5000 --proto udp
ok "check (tcp): not fenced" not_fenced --ip "$VIP" --port 5000

done_testing
