#!/usr/bin/env bash
# tickle: clients holding stale connections (the server's sockets gone,
# the clients told nothing) reset at once when tickled, from a file
# written by conns or one --peer at a time; a connection not tickled stays
# stale, and tickling a live connection does no harm.
. "$(dirname "$0")/netlib.sh"
net_bed

serve "$VIP" 3260
serve "$VIP6" 3260
declare -A lport
for h in a b c; do hold "$VIP" 3260 1 $h; lport[$h]=$(hold_lport "$HOLD_PID"); done
hold "$VIP6" 3260 1 v6
lport[v6]=$(hold_lport "$HOLD_PID")
tickles=$WORK/tickles
pf conns --port 3260 >"$tickles"
is "conns recorded the 4 connections" "$(wc -l <"$tickles")" 4
is "... one per client" "$(grep -cE "[:]($(IFS='|'; echo "${lport[*]}"))\$" "$tickles")" 4
reset_once() { [ "$(killed "$WORK/hold-$1")" = 1 ]; }
stale() { [ "$(killed "$WORK/hold-$1") $(closed "$WORK/hold-$1")" = "0 0" ]; }

pf tickle --ip "$VIP" --port 3260 --peer "$CLIENT:${lport[a]}" >/dev/null
is "tickling a live connection exits 0" "$?" 0
ok "... the client keeps it" stale a
is "... the server too" "$(established "$SRV" "$VIP" 3260)" 3

# stale: the server's sockets destroyed, their RSTs dropped on the way out
# (at once: a drain would end with each client told)
pf block --port 3260 --drain 0 >/dev/null && pf unblock --port 3260 >/dev/null
is "the server node has no connection left" "$(pf conns --port 3260)" ""
for h in a b c v6; do ok "$h: the client still believes in its connection" stale $h; done

# A client answers an out-of-window segment (a tickle, the server's zero
# window probes) at most once per tcp_invalid_ratelimit ms per socket; a
# real client has not heard from the dead node for longer than that.
sleep "$(ip netns exec "$CLI" sysctl -n net.ipv4.tcp_invalid_ratelimit | awk '{ print $1 / 1000 + 0.1 }')"

# c is left out of the file: the control
grep -v "	$CLIENT:${lport[c]}\$" "$tickles" >"$tickles.without-c"
pf tickle --file "$tickles.without-c" >"$WORK/out"
is "tickle --file exits 0" "$?" 0
is "... and says what it tickled" "$(sed -n 's/^tickled //p' "$WORK/out")" "$(cat "$tickles.without-c")"
for h in a b v6; do ok "$h (in the file): reset at once" tb_wait 2 reset_once $h; done
ok "c (not in the file): still stale" stale c

pf tickle --ip "$VIP" --port 3260 --peer "$CLIENT:${lport[c]}" --count 1 >/dev/null
is "tickle --peer --count 1 exits 0" "$?" 0
ok "c: reset at once" tb_wait 2 reset_once c
ok "the clients can reconnect" connects "$VIP" 3260

done_testing
