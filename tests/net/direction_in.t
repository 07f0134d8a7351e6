#!/usr/bin/env bash
# --direction in is portblock's semantics: new SYNs and every other
# incoming segment of the portal are dropped, established sockets are not
# destroyed, and what the portal sends still goes out.
. "$(dirname "$0")/netlib.sh"
net_bed

quiet "$VIP" 3260 q
server=$QUIET_PID
reader "$VIP" 3260 r1
sender=$READER_PID
reader "$VIP" 3260 r2
quiet "$VIP" 3261 control
reader "$VIP" 3261 rc
control_sender=$READER_PID
tb_wait 3 quiet_has q accepted 2 || diag "the server did not accept 2"

pf block --ip "$VIP" --port 3260 --direction in >"$WORK/out"
is "block --direction in exits 0" "$?" 0
is "... destroyed nothing" "$(grep -c '^destroyed' "$WORK/out")" 0
is "the 2 established sockets are still there" "$(established "$SRV" "$VIP" 3260)" 2
is "the server saw none die" "$(quiet_count q reset) $(quiet_count q aborted) $(quiet_count q closed)" "0 0 0"
ok "a new connection attempt gets no answer (SYN dropped)" syn_dropped "$VIP" 3260

kill -USR1 "$control_sender"
ok "control: 1000 bytes from a client of an unfenced port arrive" tb_wait 3 quiet_has control received 1000
kill -USR1 "$sender"
ok "a client sends 1000 bytes to the fenced portal: they are retransmitted, never acked" \
	tb_wait 5 retransmitted "$(reader_lport r1)"
is "... and the server never received them" "$(quiet_count q received)" 0

kill -USR1 "$server"
ok "outgoing passes: the server writes, client 1 receives" tb_wait 3 reader_grew r1 0
ok "... client 2 too" tb_wait 3 reader_grew r2 0
is "the server's sockets are not reset by writing" "$(quiet_count q reset) $(quiet_count q aborted)" "0 0"
is "still 2 established sockets" "$(established "$SRV" "$VIP" 3260)" 2
ok "the dropped segments are counted" ge \
	"$(pf_json '[e["counters"]["segs_dropped"] for e in d if e["port"] == 3260][0]' list --json)" 1
is "no local reset, no socket destroyed" \
	"$(pf_json 'd["counters"]["local_resets"] + d["counters"]["socks_destroyed"]' status --json)" 0

done_testing
