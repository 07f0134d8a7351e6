#!/usr/bin/env bash
# A live TCP connection under a fence whose pins are lost (removed, then
# the bpffs unmounted): it stays fenced (what its peer sends never reaches
# the server), and unblock, run without pins, opens it: the retransmitted
# bytes arrive. (tests/net/lostpins.t covers new connections, check, list,
# status, block and unload without pins.)
. "$(dirname "$0")/../net/netlib.sh"
net_bed

quiet "$VIP" 3260 q
reader "$VIP" 3260 r1
sender=$READER_PID
tb_wait 3 quiet_has q accepted 1 || diag "the server did not accept"
pf block --ip "$VIP" --port 3260 --direction in >/dev/null
is "block --direction in: exit 0" "$?" 0
is "the connection is kept" "$(established "$SRV" "$VIP" 3260)" 1

rm -f "$PIN"/* 2>/dev/null	# (maps.debug and progs.debug are the kernel's)
umount "$PIN"
ok "pins removed and bpffs unmounted" sh -c "! mountpoint -q '$PIN'"
kill -USR1 "$sender"
ok "the client sends: retransmitted, never acked" tb_wait 5 retransmitted "$(reader_lport r1)"
is "... the server received nothing" "$(quiet_count q received)" 0
is "... and the connection lives on" "$(established "$SRV" "$VIP" 3260)" 1

pf unblock --ip "$VIP" --port 3260 >"$WORK/out" 2>"$WORK/err"
is "unblock without pins: exit 0" "$?" 0
ok "... says where it found the fence" grep -q "no pins in '$PIN'" "$WORK/err"
ok "the connection opens: the retransmitted bytes arrive" tb_wait 15 quiet_has q received 1000
is "... on the same connection, never reset" "$(quiet_count q reset) $(quiet_count q aborted) $(established "$SRV" "$VIP" 3260)" "0 0 1"
pf check --ip "$VIP" --port 3260 >/dev/null 2>&1
is "check: not fenced" "$?" 1
pf unload >/dev/null 2>&1
is "unload without pins: exit 0" "$?" 0
is "... no program left on a hook" "$(fence_hooks "$SRV")" 0
mount -t bpf -o mode=0700 bpf "$PIN"	# for the test bed's own cleanup

done_testing
