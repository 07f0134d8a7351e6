#!/usr/bin/env bash
# Devices without a MAC header (tun here; ipip, sit, ip6tnl and WireGuard
# frame the same way) are fenced too, by the programs' build that parses
# from the IP header: over a tun link between two nodes, a fenced portal's
# SYNs are dropped (IPv4 and IPv6), its established sockets destroyed with
# their RSTs kept from the client; with reject, the egress RST is handed
# back to the local socket (a redirect to ingress of a device with no MAC)
# and sent to the peer, and new SYNs are refused; other portals are
# untouched; the wake-up replays no SYN that came in there. The L3 build is loaded with the first such device, here by
# portfence attach once the tun exists.
. "$(dirname "$0")/netlib.sh"
net_setup
new_netns SRV srv
new_netns CLI cli
new_bpffs PIN
TVIP=198.18.6.1 TCLIENT=198.18.6.2 TVIP6=2001:db8:6::1 TCLIENT6=2001:db8:6::2

# loaded before the tun link exists: no L3 device, no L3 build yet
pf load >/dev/null
is "load exits 0" "$?" 0
ok "load without an L3 device leaves the L3 build unloaded" test ! -e "$PIN/prog_l3_ingress"
ip -n "$SRV" tuntap add mode tun name tun0 && ip -n "$CLI" tuntap add mode tun name tun0 || exit 1
net_addr "$SRV" tun0 "$TVIP/24" "$TVIP6/64"
net_addr "$CLI" tun0 "$TCLIENT/24" "$TCLIENT6/64"
ip -n "$SRV" link set tun0 up && ip -n "$CLI" link set tun0 up || exit 1
tb_bg "$SRV" "$PY" "$TOP/tests/net/tunpipe.py" "$SRV" tun0 "$CLI" tun0 >"$WORK/pipe" 2>&1
tb_wait 3 grep -q joined "$WORK/pipe" || { diag "tunpipe: $(cat "$WORK/pipe")"; exit 1; }

for p in 3260 3261 3263; do serve "$TVIP" $p; done
serve "$TVIP6" 3260
ok "the tun link carries TCP" connects "$TVIP" 3261
hold "$TVIP" 3260 2
reader "$TVIP" 3260 r1

pf attach >"$WORK/attach"
is "attach exits 0" "$?" 0
ok "attach: the tun created since load" grep -qx "attached tun0" "$WORK/attach"
ok "... with the L3 build, loaded for it" test -e "$PIN/prog_l3_ingress"
is "status: tun0 attached, both hooks, as an L3 device" \
	"$(pf_json "[(i['ingress'], i['egress'], i['framing']) for i in d['interfaces'] if i['name'] == 'tun0']" status --json)" \
	"[(True, True, 'l3')]"
is "one program per hook on tun0 and lo" "$(fence_hooks "$SRV")" 4

pf block --ip "$TVIP" --port 3260 --drain 0 >/dev/null
is "block exits 0" "$?" 0
is "the portal lost its sockets" "$(established "$SRV" "$TVIP" 3260)" 0
ok "its server saw them killed" tb_wait 3 killed_at_least "$(srv_log "$TVIP" 3260)" 3
ok "their RSTs were dropped on tun0: the client is unaware" grep -q '^connected' "$WORK/r1"
ok "new SYNs over tun0 are dropped" syn_dropped "$TVIP" 3260
ok "... counted" ge "$(pf_json 'd["counters"]["syns_dropped"]' status --json)" 1
ok "the portal next door still connects" connects "$TVIP" 3261
pf block --ip "$TVIP6" --port 3260 --drain 0 >/dev/null
ok "IPv6 over tun0: SYNs dropped" syn_dropped "$TVIP6" 3260

# reject, keep-established: the server's next write comes back as an RST
# to its own socket, through ingress of tun0; the peer gets one too
quiet "$TVIP" 3262 q
reader "$TVIP" 3262 rj
tb_wait 3 quiet_has q accepted 1 || diag "q did not accept"
pf block --ip "$TVIP" --port 3262 --direction out --keep-established --method reject >/dev/null
is "reject, keep-established: the socket survives the block" "$(established "$SRV" "$TVIP" 3262)" 1
kill -USR1 "$QUIET_PID"
ok "reject: the server's write resets its socket (RST redirected to ingress of tun0)" tb_wait 3 quiet_has q reset 1
ok "reject: the peer is reset too" tb_wait 3 reader_is rj reset
pf block --ip "$TVIP" --port 3263 --method reject >/dev/null
ok "reject: a new SYN over tun0 is refused at once" refused "$TVIP" 3263

# wake: a SYN that came in on a device without a MAC header is not
# replayed (never through lo, which would pass the host's firewall by)
serve "$TVIP" 3264
pf block --ip "$TVIP" --port 3264 >/dev/null
tb_bg "$CLI" "$PY" "$PEER" connect "$TVIP" 3264 "$WORK/w1"
ok "wake: the SYN over tun0 is recorded" tb_wait 3 sh -c "ip netns exec '$SRV' '$PORTFENCE' --pin-dir '$PIN' conns --knocked --port 3264 | grep -q syn"
pf unblock --ip "$TVIP" --port 3264 >"$WORK/out"
ok "wake: not replayed, and says why" \
	grep -qE "^not woken $TVIP:3264	$TCLIENT:[0-9]+ \(no MAC header to replay its SYN under\)$" "$WORK/out"

pf unload >/dev/null
is "unload exits 0" "$?" 0
is "unload: nothing left on tun0" "$(hooks "$SRV" | grep -c '^tun0 ')" 0
ok "unfenced again" connects "$TVIP" 3260

done_testing
