#!/usr/bin/env bash
# list shows a fenced portal's failover timeline, the figures metrics
# exports for it: how long its last fence held, and how soon after that
# fence's unblock a connection was established to it again (JSON
# last_fence_duration_seconds / last_reconnect_seconds, text LASTFENCE /
# RECONNECT). A portal never lifted has none.
. "$(dirname "$0")/netlib.sh"
net_bed

# entry PORT EXPR: EXPR over list --json's entry e of VIP:PORT.
entry() { pf_json "[$2 for e in d if e['address'] == '$VIP' and e['port'] == $1][0]" list --json; }
# metric NAME PORT: the metrics sample NAME of VIP:PORT, as printed.
metric() {
	pf metrics | awk -v n="$1" -v p="port=\"$2\"" -v a="address=\"$VIP\"" \
		'index($0, n "{") == 1 && index($0, p) && index($0, a) { print $2 }'
}
in_range() { "$PY" -c 'import sys; v, lo, hi = map(float, sys.argv[1:]); sys.exit(not lo <= v <= hi)' "$@"; }

serve "$VIP" 3270
pf block --ip "$VIP" --port 3280 >/dev/null
pf block --ip "$VIP" --port 3270 >/dev/null
sleep 1
pf unblock --ip "$VIP" --port 3270 >/dev/null
sleep 0.3
ok "a client connects again" connects "$VIP" 3270
# fenced again: list shows it, with the timeline of the fence before
pf block --ip "$VIP" --port 3270 >/dev/null

# as metrics and the text print them, three decimals (Python would print
# JSON's 1.010 as 1.01)
fence=$(entry 3270 '"%.3f" % e["last_fence_duration_seconds"]')
back=$(entry 3270 '"%.3f" % e["last_reconnect_seconds"]')
ok "list --json: its last fence held about 1 s ($fence)" in_range "${fence:-0}" 0.95 1.6
ok "list --json: its initiators back about 0.3 s after the unblock ($back)" in_range "${back:-0}" 0.28 0.9
is "list --json: the figures metrics exports" "$fence $back" \
	"$(metric portfence_portal_last_fence_duration_seconds 3270) $(metric portfence_portal_last_reconnect_seconds 3270)"
is "list --json: a portal never lifted has no timeline" \
	"$(entry 3280 '"last_fence_duration_seconds" in e or "last_reconnect_seconds" in e')" False
is "list (text): LASTFENCE and RECONNECT" \
	"$(pf list | awk -v a="$VIP" '$2 == a && $3 == 3270 { print $(NF - 1), $NF }')" "$fence $back"
is "list (text): '-' for a portal never lifted" \
	"$(pf list | awk -v a="$VIP" '$2 == a && $3 == 3280 { print $(NF - 1), $NF }')" "- -"
ok "list (text): the header names them" grep -qE ' LASTFENCE +RECONNECT$' <(pf list | head -1)

# lifted and fenced again before any connection: no reconnect yet
pf unblock --ip "$VIP" --port 3280 >/dev/null
pf block --ip "$VIP" --port 3280 >/dev/null
is "list --json: fenced again before a reconnect: its reconnect is null" \
	"$(entry 3280 'e.get("last_fence_duration_seconds", -1) >= 0 and e["last_reconnect_seconds"] is None')" True
is "list --json still parses as the fences it holds" "$(pf_json 'len(d)' list --json)" 2

done_testing
