#!/usr/bin/env bash
# --direction out --keep-established: block leaves established sockets
# alone; each then dies on its next transmit (a 1 MiB write, sent as GSO
# super-packets) by the RST the egress program hands back to it. The peer
# keeps its socket with method drop and is reset with method reject.
. "$(dirname "$0")/netlib.sh"
net_bed

declare -A server
for p in 3260 3261; do
	quiet "$VIP" $p q$p
	server[$p]=$QUIET_PID
	for i in 1 2 3; do reader "$VIP" $p r$p-$i; done
	tb_wait 3 quiet_has q$p accepted 3 || diag "q$p did not accept 3"
done

pf block --ip "$VIP" --port 3260 --direction out --keep-established >"$WORK/out"
is "block --direction out --keep-established exits 0" "$?" 0
ok "... says so" grep -qF "fenced tcp $VIP port 3260 (direction out, method drop, keep-established)" "$WORK/out"
is "... and destroyed nothing" "$(grep -c '^destroyed' "$WORK/out")" 0
pf block --ip "$VIP" --port 3261 --direction out --keep-established --method reject >/dev/null
is "the same with --method reject exits 0" "$?" 0
for p in 3260 3261; do
	is "$p: the 3 established sockets survived the block" "$(established "$SRV" "$VIP" $p)" 3
	is "$p: the server saw no socket die" "$(quiet_count q$p reset) $(quiet_count q$p aborted) $(quiet_count q$p closed)" "0 0 0"
done

kill -USR1 "${server[3260]}" "${server[3261]}"
for p in 3260 3261; do
	ok "$p: the server writes: its 3 sockets are reset (ECONNRESET)" tb_wait 3 quiet_has q$p reset 3
	is "$p: no socket left established" "$(established "$SRV" "$VIP" $p)" 0
	is "$p: none died another way" "$(quiet_count q$p aborted) $(quiet_count q$p closed)" "0 0"
done
for i in 1 2 3; do
	ok "drop: client $i keeps its socket, unaware" grep -q '^connected' "$WORK/r3260-$i"
	ok "reject: client $i is reset" tb_wait 3 reader_is r3261-$i reset
done
is "drop: the clients never got a byte of the 1 MiB" "$(for i in 1 2 3; do read_bytes r3260-$i; done | sort -u)" 0
ok "local resets are counted" ge \
	"$(pf_json "[e['counters']['local_resets'] for e in d if e['port'] == 3260][0]" list --json)" 3
is "no socket was destroyed by a sweep" "$(pf_json 'd["counters"]["socks_destroyed"]' status --json)" 0

# A peer that stopped reading: its window is shut, so the server's next
# transmit is a zero-window probe, whose sequence number is one below what
# the peer expects. The RST that reject sends the peer must still be one
# it accepts.
quiet "$VIP" 3262 q3262
hold "$VIP" 3262 2 zw
tb_wait 3 quiet_has q3262 accepted 2 || diag "q3262 did not accept 2"
kill -USR1 "$QUIET_PID"
zero_window() { [ "$(ip netns exec "$CLI" ss -Htn state established "( dport = :3262 )" | awk '$1 > 0' | wc -l)" -eq 2 ]; }
ok "zero window: the clients' receive queues are full, they read nothing" tb_wait 3 zero_window
pf block --ip "$VIP" --port 3262 --direction out --keep-established --method reject >/dev/null
ok "zero window: the server's next transmits (window probes) reset its sockets" tb_wait 5 quiet_has q3262 reset 2
ok "zero window, reject: the clients are reset too" tb_wait 2 killed_at_least "$WORK/hold-zw" 2
is "zero window, reject: no client socket left" "$(ip netns exec "$CLI" ss -Htn state established "( dport = :3262 )" | wc -l)" 0

done_testing
