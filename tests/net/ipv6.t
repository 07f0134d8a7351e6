#!/usr/bin/env bash
# IPv6 portals: an address, a /64 prefix, drop and reject, over 2001:db8::.
# The same teardown and SYN checks as for IPv4, and the IPv4 twin of a
# fenced IPv6 portal is left alone.
. "$(dirname "$0")/netlib.sh"
net_bed

serve "$VIP6" 3260
hold "$VIP6" 3260 3
reader "$VIP6" 3260 r1
ok "the server's send queue is full (>= 256 KiB queued)" tb_wait 5 queues_full "$SRV" "$VIP6" 3260 262144
# --drain 0: the teardown at once, as in block.t
pf block --ip "$VIP6" --port 3260 --drain 0 >"$WORK/out"
is "block --ip $VIP6 exits 0" "$?" 0
is "no established socket left on the portal" "$(established "$SRV" "$VIP6" 3260)" 0
ok "the server saw its 4 sockets killed" tb_wait 3 killed_at_least "$(srv_log "$VIP6" 3260)" 4
is "... none closed cleanly" "$(closed "$(srv_log "$VIP6" 3260)")" 0
# (those a server transmitted on before the sweep are reset on egress
# instead: block.t)
ok "block destroyed some" ge "$(grep -c '^destroyed ' "$WORK/out")" 1
is "block prints them with IPv6 in brackets" \
	"$(grep -cE "^destroyed \[$VIP6\]:3260	\[$CLIENT6\]:[0-9]+$" "$WORK/out")" "$(grep -c '^destroyed ' "$WORK/out")"
ok "a new connection attempt gets no answer" syn_dropped "$VIP6" 3260

# a prefix covers every address in it, and no IPv4 address
for a in "$VIP6" "$OTHER6" "$VIP"; do serve "$a" 3261; hold "$a" 3261 2; done
pf block --ip 2001:db8::/64 --port 3261 >/dev/null
is "block --ip 2001:db8::/64 exits 0" "$?" 0
for a in "$VIP6" "$OTHER6"; do
	is "/64: $a lost its sockets" "$(established "$SRV" "$a" 3261)" 0
	ok "/64: $a: new connection attempts get no answer" syn_dropped "$a" 3261
done
is "/64: the IPv4 address on the same port keeps its 2 sockets" "$(established "$SRV" "$VIP" 3261)" 2
ok "/64: ... and takes new connections" connects "$VIP" 3261
ok "check: an address inside the prefix is fenced" fenced --ip "$OTHER6" --port 3261
ok "check: one outside is not" not_fenced --ip 2001:db9::1 --port 3261

serve "$VIP6" 3262
reader "$VIP6" 3262 r2
# --drain 0: reject's reset at once (a drain would first deliver the
# megabytes the server queued, then reset)
pf block --ip "$VIP6" --port 3262 --method reject --drain 0 >/dev/null
is "block --method reject exits 0" "$?" 0
ok "reject: the peer's connection is reset" tb_wait 3 reader_is r2 reset
ok "reject: a new connection attempt is refused" refused "$VIP6" 3262

done_testing
