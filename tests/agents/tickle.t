#!/usr/bin/env bash
# Tickles, as portblock does them: node A's unblock monitor records the
# VIP's established connections in tickle_dir (portblock's file format,
# written atomically, or handed to sync_script); A dies; on node B taking
# over, unblock start sends tickle ACKs, and the client holding a dead
# connection resets it at once instead of waiting for a timeout.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup

# client, A and B on one switch (a bridge in its own namespace)
new_netns sw sw
new_netns a a
new_netns b b
new_netns client client
ip -n "$sw" link add br0 type bridge
ip -n "$sw" link set br0 up
port() { # port NS SWITCH-PORT IPV4 IPV6: the namespace's eth0 on the switch
	local ns=$1 swport=$2
	ip link add eth0 netns "$ns" type veth peer name "$swport" netns "$sw"
	ip -n "$sw" link set "$swport" master br0 up
	ip -n "$ns" addr add "$3" dev eth0
	ip -n "$ns" addr add "$4" dev eth0 nodad
	ip -n "$ns" link set eth0 up
}
port "$a" sw-a 198.18.0.11/24 2001:db8::11/64
port "$b" sw-b 198.18.0.12/24 2001:db8::12/64
port "$client" sw-client 198.18.0.2/24 2001:db8::2/64
new_bpffs pin_a
new_bpffs pin_b
new_tmpdir tickle
for ns in "$a" "$b"; do
	tb_bg "$ns" "$PY" "$TCP_PY" serve 198.18.0.100 3260
	tb_bg "$ns" "$PY" "$TCP_PY" serve 2001:db8::100 3260
done

# takeover VIP LEN NODE PIN UNBLOCK-PARAMS...: the group on NODE: block,
# IP (with the gratuitous ARP/NA done by hand: the client forgets the old
# owner's MAC), unblock.
takeover() {
	local vip=$1 len=$2 ns=$3 pin=$4
	shift 4
	RA_NAME=b ra "$ns" "$pin" start action=block ip="$vip" portno=3260 || return 1
	case $vip in
	*:*) ip -n "$ns" addr add "$vip/$len" dev eth0 nodad || return 1;;
	*) ip -n "$ns" addr add "$vip/$len" dev eth0 || return 1;;
	esac
	ip -n "$client" neigh flush to "$vip"
	RA_NAME=u ra "$ns" "$pin" start action=unblock ip="$vip" portno=3260 "$@"
}
state() { cat "$1" 2>/dev/null; }
is_reset() { [ "$(state "$1")" = reset ]; }
is_connected() { case "$(state "$1")" in connected*) return 0;; esac; return 1; }

# fail_over FAMILY VIP LEN PEER: one full run for an address family.
fail_over() {
	local fam=$1 vip=$2 len=$3 peer=$4 st=$RA_DIR/hold-$1 st2=$RA_DIR/hold2-$1 f lport
	f=$tickle/$vip
	ok "$fam: A takes the VIP" takeover "$vip" "$len" "$a" "$pin_a" tickle_dir="$tickle"
	tb_bg "$client" "$PY" "$TCP_PY" hold "$vip" 3260 "$st"
	tb_bg "$client" "$PY" "$TCP_PY" hold "$vip" 3260 "$st2"
	ok "$fam: the client holds two connections to A" tb_wait 3 bash -c "grep -qs connected '$st' && grep -qs connected '$st2'"
	RA_NAME=u ra_is "$fam: A's unblock monitor" 0 "$a" "$pin_a" monitor action=unblock ip="$vip" portno=3260 tickle_dir="$tickle"
	lport=$(awk '{ print $2 }' "$st")
	if [ "$fam" = ipv4 ]; then want="$vip:3260	$peer:$lport"; else want="[$vip]:3260	[$peer]:$lport"; fi
	ok "$fam: the tickle file records the connection, portblock's format" grep -qxF "$want" "$f"
	is "$fam: ... and both connections" "$(wc -l < "$f")" 2
	ok "$fam: the file was written atomically (no temp file left)" \
		bash -c '[ -z "$(find "$1" -name "*.new.*")" ]' _ "$tickle"
	# A dies: its link goes down with its sockets still established.
	ip -n "$a" link set eth0 down
	ok "$fam: B takes over, unblock start tickles" takeover "$vip" "$len" "$b" "$pin_b" tickle_dir="$tickle"
	ok "$fam: the client's dead connection is reset at once" tb_wait 2 is_reset "$st"
	ok "$fam: ... both of them" tb_wait 2 is_reset "$st2"
	ok "$fam: the client reconnects to B" tcp_probe "$client" "$vip" 3260
	# B hands back (clean stop), A returns empty-handed
	RA_NAME=u ra_is "$fam: B unblock stop" 0 "$b" "$pin_b" stop action=unblock ip="$vip" portno=3260 tickle_dir="$tickle"
	ip -n "$b" addr del "$vip/$len" dev eth0
	RA_NAME=b ra_is "$fam: B block stop" 0 "$b" "$pin_b" stop action=block ip="$vip" portno=3260
	RA_NAME=u ra "$a" "$pin_a" stop action=unblock ip="$vip" portno=3260 tickle_dir="$tickle"
	ip -n "$a" addr del "$vip/$len" dev eth0 2>/dev/null  # IPv6 went with the link
	RA_NAME=b ra "$a" "$pin_a" stop action=block ip="$vip" portno=3260
	ip -n "$a" link set eth0 up
}

fail_over ipv4 198.18.0.100 24 198.18.0.2
fail_over ipv6 2001:db8::100 64 2001:db8::2

# Control: without the tickle, the dead connection stays for the client.
st=$RA_DIR/hold-control
ok "control: A takes the VIP (no tickle_dir)" takeover 198.18.0.100 24 "$a" "$pin_a"
tb_bg "$client" "$PY" "$TCP_PY" hold 198.18.0.100 3260 "$st"
ok "control: client connected" tb_wait 3 is_connected "$st"
ip -n "$a" link set eth0 down
ok "control: B takes over without tickles" takeover 198.18.0.100 24 "$b" "$pin_b"
sleep 2
ok "control: the client still believes in its dead connection" is_connected "$st"
RA_NAME=u ra "$a" "$pin_a" stop action=unblock ip=198.18.0.100 portno=3260
RA_NAME=b ra "$a" "$pin_a" stop action=block ip=198.18.0.100 portno=3260

# sync_script: a local tickle_dir, replicated by a command (here cp -t).
new_tmpdir local_dir
new_tmpdir replica
RA_NAME=u ra_is "sync_script: monitor" 0 "$b" "$pin_b" monitor action=unblock ip=198.18.0.100 portno=3260 \
	tickle_dir="$local_dir" sync_script="cp -t $replica"
ok "sync_script: the file is written locally" test -e "$local_dir/198.18.0.100"
ok "sync_script: and replicated by the command, file name last" tb_wait 3 test -e "$replica/198.18.0.100"
RA_NAME=u ra_is "sync_script: a value with ';' is only words for the command" 0 "$b" "$pin_b" monitor \
	action=unblock ip=198.18.0.100 portno=3260 tickle_dir="$local_dir" sync_script="cp -t $replica;touch $RA_DIR/injected"
sleep 0.5
ok "sync_script: nothing injected ran" test ! -e "$RA_DIR/injected"
RA_NAME=u ra "$b" "$pin_b" stop action=unblock ip=198.18.0.100 portno=3260
ip -n "$b" addr del 198.18.0.100/24 dev eth0
RA_NAME=b ra "$b" "$pin_b" stop action=block ip=198.18.0.100 portno=3260
ok "no state files left" bash -c '[ -z "$(find "$1" -type f)" ]' _ "$RA_STATE"

done_testing
