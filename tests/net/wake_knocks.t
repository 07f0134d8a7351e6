#!/usr/bin/env bash
# The knocks' bookkeeping: a knock not renewed for PF_KNOCK_MAX_AGE_S
# (130 s) is not woken, a segment as much as a SYN; more knocks than one
# unblock wakes (4096): the most recently seen are woken first; a knock
# still fenced by another entry is left exactly as the ingress program
# wrote it (never a copy written back), and that entry's unblock wakes it.
# Old or many knocks are forged into the real map through bpftool, their
# fields placed by the map's BTF.
. "$(dirname "$0")/netlib.sh"
net_bed
command -v bpftool >/dev/null || skip_all "bpftool is missing"
ip netns exec "$CLI" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null
KMAP=$TOP/tests/net/knockmap.py

status() { awk '{ print $1 }' "$WORK/$1" 2>/dev/null; }
status_is() { [ "$(status "$1")" = "$2" ]; }
connector() { tb_bg "$CLI" "$PY" "$PEER" connect "$1" "$2" "$WORK/$3"; }
knocks() { pf_json "sum(e['counters']['knocks'] for e in d if e['port'] == $1)" list --json; }
knocks_at_least() { [ "$(knocks "$1")" -ge "$2" ]; }
woken() { pf_json 'd["counters"]["woken"]' status --json; }
kmap() { "$PY" "$KMAP" "$1" "$PIN/knocks" "${@:2}"; }

# --- a segment knock not renewed for 130 s is not woken
serve "$VIP" 7920
pf block --ip "$VIP" --port 7920 >/dev/null
connector "$VIP" 7920 a1
ok "aged: the SYN is recorded" tb_wait 3 knocks_at_least 7920 1
ok "aged: forge a segment knock beside it" kmap forge 7920 "$CLIENT" 1
ok "aged: both last seen 200 s ago" kmap age 7920 200
before=$(woken)
pf unblock --ip "$VIP" --port 7920 >"$WORK/out"
ok "aged: the segment is not woken, and says why" \
	grep -qE "^not woken $VIP:7920	$CLIENT:20000 \(its peer stopped retrying\)$" "$WORK/out"
ok "aged: nor the SYN" \
	grep -qE "^not woken $VIP:7920	$CLIENT:[0-9]+ \(its peer stopped retrying\)$" "$WORK/out"
is "aged: woken unchanged" "$(woken)" "$before"
is "aged: the records are gone" "$(pf conns --knocked | wc -l)" 0

# --- more knocks than one unblock wakes: the newest first
N=5000
serve "$VIP" 7921
pf block --ip "$VIP" --port 7921 >/dev/null
connector "$VIP" 7921 n1
ok "newest: the real peer's SYN is recorded" tb_wait 3 knocks_at_least 7921 1
ok "newest: forge $N older knocks" kmap forge 7921 "$CLIENT" $N
pf unblock --ip "$VIP" --port 7921 >"$WORK/out"
is "newest: unblock exits 0" "$?" 0
ok "newest: the real peer (the most recent) is woken" \
	grep -qE "^woke $VIP:7921	$CLIENT:[0-9]+ \(SYN replayed\)$" "$WORK/out"
ok "newest: and connected" tb_wait 1 status_is n1 connected
grep -oE "	$CLIENT:2[0-9]{4} " "$WORK/out" | sed "s/.*:\([0-9]*\) /\1/" | sort -n >"$WORK/ports"
seq $((20000 + N - 4095)) $((20000 + N - 1)) >"$WORK/want"
ok "newest: the other 4095 answered are exactly the newest forged ones" \
	cmp -s "$WORK/ports" "$WORK/want"
is "newest: the older $((N - 4095)) stay recorded" "$(pf conns --knocked --port 7921 | wc -l)" \
	$((N - 4095))
pf unblock --ip "$VIP" --port 7921 --no-wake >/dev/null

# --- still fenced by another entry: left as recorded, woken by that one
serve "$VIP" 7922
pf block --port 7922 >/dev/null 2>&1
pf block --ip "$VIP" --port 7922 >/dev/null 2>&1
connector "$VIP" 7922 f1
ok "fenced: the SYN is recorded" tb_wait 3 knocks_at_least 7922 1
kmap dump 7922 >"$WORK/before"
pf unblock --ip "$VIP" --port 7922 >"$WORK/out"
ok "fenced: the narrower unblock wakes nobody" bash -c '! grep -q "woke.*:7922	" "$1"' _ "$WORK/out"
kmap dump 7922 >"$WORK/after"
ok "fenced: the knock is left byte for byte as recorded" \
	bash -c '[ -s "$1" ] && cmp -s "$1" "$2"' _ "$WORK/before" "$WORK/after"
pf unblock --port 7922 >"$WORK/out"
ok "fenced: the wider entry's unblock wakes it" \
	grep -qE "^woke $VIP:7922	$CLIENT:[0-9]+ \(SYN replayed\)$" "$WORK/out"
ok "fenced: and it connects" tb_wait 1 status_is f1 connected

done_testing
