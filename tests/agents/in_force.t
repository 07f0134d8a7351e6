#!/usr/bin/env bash
# fence-portblock's block counts its fence only where it is in force: an
# entry on an interface the programs do not run on (one left out of the
# interfaces portfence was loaded on) fails monitor, naming the interface
# and the address; once the programs run there, monitor is 0.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup
ra_node_client
dev=$(ip -n "$node" -o link show type veth | awk -F'[ :@]+' '{print $2}')
P=(action=block ip=198.18.0.1 portno=3260)

pf "$node" "$pin" load --dev lo >/dev/null
is "portfence loaded on lo alone" "$?" 0
ra_is "start: the entry is written (0)" 0 "$node" "$pin" start "${P[@]}"
ra_is "monitor: a failure (1), the fence not in force through $dev" 1 "$node" "$pin" monitor "${P[@]}"
ok "... the reason names the interface and the address" \
	grep -q "tcp 198.18.0.1 port 3260 is fenced but the portfence programs are not attached on $dev, which holds 198.18.0.1" "$RA_ERR"

pf "$node" "$pin" load --dev "$dev" >/dev/null
is "portfence attached to $dev as well" "$?" 0
ra_is "monitor: 0 once the programs run there" 0 "$node" "$pin" monitor "${P[@]}"
ra_is "stop: 0" 0 "$node" "$pin" stop "${P[@]}"
pf "$node" "$pin" unload >/dev/null

done_testing
