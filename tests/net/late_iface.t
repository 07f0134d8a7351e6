#!/usr/bin/env bash
# An interface that appears after load (a new link, a VLAN for a new VIP)
# gets the programs when the next block runs, and the fence works through
# it: SYNs dropped, sockets destroyed, their RSTs kept from the client.
. "$(dirname "$0")/netlib.sh"
net_bed
LATE=198.18.2.1 LATE_CLIENT=198.18.2.2 LATE6=2001:db8:2::1

pf load >/dev/null
is "load exits 0" "$?" 0
ip link add srv1 netns "$SRV" type veth peer name cli1 netns "$CLI" || exit 1
net_addr "$SRV" srv1 "$LATE/24" "$LATE6/64"
net_addr "$CLI" cli1 "$LATE_CLIENT/24" 2001:db8:2::2/64
ip -n "$SRV" link set srv1 up && ip -n "$CLI" link set cli1 up || exit 1

attached() { pf_json "[(i['ingress'], i['egress']) for i in d['interfaces'] if i['name'] == '$1']" status --json; }
is "the new interface is not attached yet" "$(attached srv1)" "[]"
is "... no program on it" "$(hooks "$SRV" | grep '^srv1 ')" ""

serve "$LATE" 3260
hold "$LATE" 3260 2
reader "$LATE" 3260 r1
serve "$LATE6" 3260
hold "$LATE6" 3260 2
# --drain 0: a socket the drain ends as answered sends its RST to the
# peer by design (it has nothing left to say); here every RST must meet
# the new interface's egress program.
pf block --ip "$LATE" --port 3260 --drain 0 >"$WORK/out"
is "block exits 0" "$?" 0
ok "block says it attached the new interface" grep -qx "attached srv1" "$WORK/out"
is "status: the new interface is attached, ingress and egress" "$(attached srv1)" "[(True, True)]"
is "a program on its ingress and one on its egress" "$(hooks "$SRV" | grep -c '^srv1 .* fence_')" 2
is "the old ones stay attached" "$(attached srv0) $(attached lo)" "[(True, True)] [(True, True)]"

is "the portal behind it lost its sockets" "$(established "$SRV" "$LATE" 3260)" 0
ok "its server saw them killed" tb_wait 3 killed_at_least "$(srv_log "$LATE" 3260)" 3
grep -q '^connected' "$WORK/r1" ||
	diag "the reader says: $(cat "$WORK/r1"); block said: $(tr '\n' ';' <"$WORK/out")"
ok "the RSTs were dropped on the new interface: the client is unaware" grep -q '^connected' "$WORK/r1"
ok "new SYNs through it are dropped" syn_dropped "$LATE" 3260

pf block --ip "$LATE6" --port 3260 >"$WORK/out6"
is "block of an IPv6 portal behind it exits 0" "$?" 0
is "... attaches nothing more" "$(grep -c '^attached' "$WORK/out6")" 0
ok "... and holds" syn_dropped "$LATE6" 3260
is "... its sockets are gone" "$(established "$SRV" "$LATE6" 3260)" 0

done_testing
