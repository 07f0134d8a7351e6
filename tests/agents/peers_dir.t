#!/usr/bin/env bash
# peers_dir: node A dies holding a client's connections; the cluster
# daemon had published them (one file per node in peers_dir); node B's
# unblock start resets them at once, logging each, and counts them, with
# tickle_dir working beside it. peers_dir is validated: an absolute path,
# only with action=unblock and protocol tcp; a directory not there yet is
# a warning, never a failed start.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup

VIP=198.18.0.100
new_netns sw sw
new_netns a a
new_netns b b
new_netns client client
ip -n "$sw" link add br0 type bridge
ip -n "$sw" link set br0 up
port() { # port NS SWITCH-PORT IPV4: the namespace's eth0 on the switch
	ip link add eth0 netns "$1" type veth peer name "$2" netns "$sw"
	ip -n "$sw" link set "$2" master br0 up
	ip -n "$1" addr add "$3" dev eth0
	ip -n "$1" link set eth0 up
}
port "$a" sw-a 198.18.0.11/24
port "$b" sw-b 198.18.0.12/24
port "$client" sw-client 198.18.0.2/24
new_bpffs pin_a
new_bpffs pin_b
new_tmpdir tickle
new_tmpdir peers
for ns in "$a" "$b"; do tb_bg "$ns" "$PY" "$TCP_PY" serve "$VIP" 3260; done

u() { local ns=$1 pin=$2 action=$3; shift 3; RA_NAME=u ra "$ns" "$pin" "$action" action=unblock ip="$VIP" portno=3260 "$@"; }
takeover() { # takeover NS PIN UNBLOCK-PARAMS...: block, IP, unblock on NS
	local ns=$1 pin=$2
	shift 2
	RA_NAME=b ra "$ns" "$pin" start action=block ip="$VIP" portno=3260 || return 1
	ip -n "$ns" addr add "$VIP/24" dev eth0 || return 1
	ip -n "$client" neigh flush to "$VIP"
	u "$ns" "$pin" start "$@"
}
state() { cat "$1" 2>/dev/null; }
is_reset() { [ "$(state "$1")" = reset ]; }

# --- validation
u "$b" "$pin_b" validate-all peers_dir=relative/dir
is "peers_dir 'relative/dir': OCF_ERR_CONFIGURED" "$?" 6
ok "... naming it" grep -qF "bad peers_dir 'relative/dir' (want an absolute path)" "$RA_ERR"
RA_NAME=b ra "$b" "$pin_b" validate-all action=block ip="$VIP" portno=3260 peers_dir="$peers"
is "peers_dir with action=block: OCF_ERR_CONFIGURED" "$?" 6
ok "... saying why" grep -qF "peers_dir '$peers' is only useful with action=unblock, not action 'block'" "$RA_ERR"
u "$b" "$pin_b" validate-all protocol=udp peers_dir="$peers"
is "peers_dir with protocol udp: OCF_ERR_CONFIGURED" "$?" 6
ok "... saying why" grep -qF "peers_dir '$peers' needs protocol tcp, not 'udp'" "$RA_ERR"
u "$b" "$pin_b" validate-all peers_dir="$peers"
is "peers_dir, an absolute path: valid" "$?" 0
ok "meta-data describes peers_dir" bash -c '"$1" meta-data | grep -q "<parameter name=\"peers_dir\""' _ "$AGENT"

# --- A holds the VIP and two connections; the daemon publishes them
ok "A takes the VIP" takeover "$a" "$pin_a" tickle_dir="$tickle"
tb_bg "$client" "$PY" "$TCP_PY" hold "$VIP" 3260 "$RA_DIR/h1"
tb_bg "$client" "$PY" "$TCP_PY" hold "$VIP" 3260 "$RA_DIR/h2"
ok "the client holds two connections to A" \
	tb_wait 3 bash -c "grep -qs connected '$RA_DIR/h1' && grep -qs connected '$RA_DIR/h2'"
p1=$(awk '{ print $2 }' "$RA_DIR/h1") p2=$(awk '{ print $2 }' "$RA_DIR/h2")
# tickle_dir records the first (as A's monitor would), the daemon the second
printf '%s\t%s\n' "$VIP:3260" "198.18.0.2:$p1" >"$tickle/$VIP"
printf '%s\t%s\n' "$VIP:3260" "198.18.0.2:$p2" >"$peers/node-a"

# --- A dies; B takes over
ip -n "$a" link set eth0 down
ok "B takes over: unblock start with peers_dir and tickle_dir" \
	takeover "$b" "$pin_b" tickle_dir="$tickle" peers_dir="$peers"
ok "the connection the daemon published is reset at once" tb_wait 1 is_reset "$RA_DIR/h2"
ok "... and the one in tickle_dir too" tb_wait 2 is_reset "$RA_DIR/h1"
ok "the start logs the reset" grep -qF "reset $VIP:3260	198.18.0.2:$p2 (a peer of node 'node-a')" "$RA_ERR"
ok "... and the count" grep -qF "1 peer of other nodes reset" "$RA_ERR"
is "portfence counts it" "$(pf "$b" "$pin_b" status --json | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["counters"]["peers_reset"])')" 1
ok "the client reconnects to B" tcp_probe "$client" "$VIP" 3260
u "$b" "$pin_b" stop tickle_dir="$tickle" peers_dir="$peers"
is "B's unblock stop" "$?" 0

# --- a peers_dir not there yet: a warning, not a failure
u "$b" "$pin_b" start peers_dir="$peers/not-yet"
is "start with a peers_dir that does not exist: 0" "$?" 0
ok "... warned of" grep -qF "peers_dir '$peers/not-yet' is not a directory (yet)" "$RA_ERR"
ok "... the portal is open" not_fenced "$b" "$pin_b" --ip "$VIP" --port 3260
u "$b" "$pin_b" stop peers_dir="$peers/not-yet"
ip -n "$b" addr del "$VIP/24" dev eth0
RA_NAME=b ra "$b" "$pin_b" stop action=block ip="$VIP" portno=3260
RA_NAME=u ra "$a" "$pin_a" stop action=unblock ip="$VIP" portno=3260
RA_NAME=b ra "$a" "$pin_a" stop action=block ip="$VIP" portno=3260

done_testing
