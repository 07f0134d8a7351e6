#!/usr/bin/env bash
# portfence metrics: the Prometheus text exposition format, strictly (every
# line a HELP, a TYPE or a sample; HELP and TYPE before the samples; label
# values escaped), saying what list --json and status --json say: loaded,
# interfaces, mechanism, global counters, one series per fenced portal with
# its labels, counters and age. Counters are named and explained by the
# one list in include/portfence.h.
. "$(dirname "$0")/netlib.sh"
net_bed
PROM=$TOP/tests/net/prom.py
# an interface name with the characters a label value must escape
ODD='pf"q\x'
ip -n "$SRV" link add "$ODD" type veth peer name pfodd || exit 1

# snapshot: list, status and metrics into $WORK, taken until the counters
# held still around them (a late retransmission would make them disagree).
snapshot() {
	local i
	for i in 1 2 3 4 5; do
		pf list --json >"$WORK/list.before" &&
			pf status --json >"$WORK/status.json" &&
			pf metrics >"$WORK/metrics.prom" &&
			pf list --json >"$WORK/list.json" || return 1
		cmp -s "$WORK/list.before" "$WORK/list.json" && break
	done
	"$PY" "$PROM" "$WORK/metrics.prom" >"$WORK/metrics.json" 2>"$WORK/prom.err"
}
# q PYTHON-EXPR: EXPR over the snapshot: m (metrics by name), l (list
# --json), s (status --json), c (the counters and help texts of
# include/portfence.h, in order), portal(e) (a list entry as labels).
q() {
	"$PY" - "$1" "$WORK" "$TOP/include/portfence.h" <<'PYEOF'
import json, re, sys, time, calendar
expr, work, header = sys.argv[1:4]
m = json.load(open(f'{work}/metrics.json'))
l = json.load(open(f'{work}/list.json'))
s = json.load(open(f'{work}/status.json'))
src = open(header).read()
def xmacro(name):
    body = re.search(rf'#define {name}\(X\)(.*?)\n\n', src, re.S).group(1)
    return re.findall(r'X\((\w+), "([^"]*)"\)', body)
c = xmacro('PF_COUNTERS')
cli = xmacro('PF_CLI_COUNTERS')
def portal(e):
    return {k: str(e[k]) for k in ('proto', 'address', 'port', 'direction', 'method')}
def samples(name):
    return m[name]['samples'] if name in m else []
def value(name, labels={}):
    v = [x['value'] for x in samples(name) if x['labels'] == labels]
    return int(v[0]) if len(v) == 1 else None
def seconds(name, labels={}):
    v = [x['value'] for x in samples(name) if x['labels'] == labels]
    return float(v[0]) if len(v) == 1 else None
def since(e):
    return calendar.timegm(time.strptime(e['since'], '%Y-%m-%dT%H:%M:%SZ'))
print(eval(expr))
PYEOF
}
is_rc_quiet() { "$@" >/dev/null 2>&1; }

# --- nothing loaded
ok "before: metrics exits 0" is_rc_quiet pf metrics
snapshot
ok "before: the output parses" test ! -s "$WORK/prom.err"
is "before: portfence_loaded 0" "$(q 'value("portfence_loaded")')" 0
is "before: no interface series" "$(q 'len(samples("portfence_interface_attached"))')" 0
is "before: mechanism none" "$(q '[x["labels"] for x in samples("portfence_sock_destroy_mechanism")]')" \
	"[{'mechanism': 'none'}]"
is "before: no portal series" "$(q 'sum(len(v["samples"]) for k, v in m.items() if k.startswith("portfence_portal_"))')" 0
is "before: the global counters are there, zero" \
	"$(q 'sorted(value(f"portfence_{n}_total") for n, h in c + cli)')" \
	"$(q '[0] * len(c + cli)')"

# --- fenced, with traffic on some portals
pf block --ip "$VIP" --port 3260 --method reject >/dev/null &&
	pf block --port 860:861 --proto udp --direction in >/dev/null &&
	pf block --ip 2001:db8::/64 --port 3260 --direction out >/dev/null
is "three blocks exit 0" "$?" 0
serve "$OTHER" 3270
hold "$OTHER" 3270 2
pf block --ip "$OTHER" --port 3270 >/dev/null
syn_dropped "$OTHER" 3270
refused "$VIP" 3260
tb_wait 3 killed_at_least "$(srv_log "$OTHER" 3270)" 2
snapshot
ok "the output parses strictly" test ! -s "$WORK/prom.err"
[ -s "$WORK/prom.err" ] && diag "$(cat "$WORK/prom.err")"
ok "every line is a HELP, a TYPE or a sample, nothing else" \
	bash -c '! grep -vE "^(# (HELP|TYPE) portfence_[a-z_]+ .+|portfence_[a-z_]+(\{.*\})? [0-9]+)$" "$1"' _ "$WORK/metrics.prom"
is "every metric is named portfence_*" "$(q 'all(k.startswith("portfence_") for k in m)')" True
is "every counter is a counter, named *_total" \
	"$(q 'all(v["type"] == "counter" for k, v in m.items() if k.endswith("_total"))')" True

is "loaded 1, as status says" "$(q 'value("portfence_loaded")')" "$(q 'int(s["loaded"])')"
is "the attached interfaces and hooks, as status says" \
	"$(q 'sorted((x["labels"]["interface"], x["labels"]["hook"]) for x in samples("portfence_interface_attached"))')" \
	"$(q 'sorted([(i["name"], h) for i in s["interfaces"] for h in ("ingress", "egress") if i[h]])')"
ok "the odd interface name is among them, escaped in the text" \
	grep -qF 'portfence_interface_attached{interface="pf\"q\\x",hook="ingress"} 1' "$WORK/metrics.prom"
is "the socket-destroy mechanism, as status says" \
	"$(q '[x["labels"]["mechanism"] for x in samples("portfence_sock_destroy_mechanism")]')" \
	"$(q '[s["sock_destroy"]]')"
is "the number of fence entries, as status says" "$(q 'value("portfence_portals")')" "$(q 's["portals"]')"

is "one global counter per counter of include/portfence.h, with its help text" \
	"$(q '[(n, m[f"portfence_{n}_total"]["help"]) for n, h in c + cli]')" "$(q 'c + cli')"
is "the global counters, as status says" \
	"$(q '{n: value(f"portfence_{n}_total") for n, h in c + cli}')" "$(q 's["counters"]')"
ok "some global counter moved (the test saw traffic)" \
	test "$(q 'value("portfence_socks_destroyed_total")')" -ge 2

is "one portal series per list entry, labelled proto, address, port, direction, method" \
	"$(q 'sorted(sorted(x["labels"].items()) for x in samples("portfence_portal_fenced_seconds"))')" \
	"$(q 'sorted(sorted(portal(e).items()) for e in l)')"
is "5 portals, the wildcard UDP ones as *" \
	"$(q 'sorted((x["labels"]["address"], x["labels"]["port"], x["labels"]["proto"]) for x in samples("portfence_portal_fenced_seconds"))')" \
	"[('*', '860', 'udp'), ('*', '861', 'udp'), ('198.18.0.1', '3260', 'tcp'), ('198.18.0.3', '3270', 'tcp'), ('2001:db8::/64', '3260', 'tcp')]"
is "each per-portal counter, with its help text, one series per portal" \
	"$(q '[(n, len(samples(f"portfence_portal_{n}_total")), m[f"portfence_portal_{n}_total"]["help"].startswith(h)) for n, h in c]')" \
	"$(q '[(n, len(l), True) for n, h in c]')"
is "the per-portal counters, as list says" \
	"$(q 'sorted((sorted(portal(e).items()), {n: value(f"portfence_portal_{n}_total", portal(e)) for n, h in c}) for e in l)')" \
	"$(q 'sorted((sorted(portal(e).items()), e["counters"]) for e in l)')"
is "the reject portal's refused SYN: syns_dropped and peer_resets" \
	"$(q '[value(f"portfence_portal_{n}_total", {"proto": "tcp", "address": "'"$VIP"'", "port": "3260", "direction": "both", "method": "reject"}) >= 1 for n in ("syns_dropped", "peer_resets")]')" \
	"[True, True]"
is "seconds since each fence began, against list's since" \
	"$(q 'all(0 <= value("portfence_portal_fenced_seconds", portal(e)) <= time.time() - since(e) + 1 for e in l)')" True

# --- --output: one file, replaced whole, readable by node_exporter
out=$WORK/textfile
mkdir -p "$out"
ok "metrics --output FILE exits 0" pf metrics --output "$out/portfence.prom"
is "it wrote only that file (the temporary one renamed)" "$(ls "$out")" portfence.prom
is "mode 0644" "$(stat -c %a "$out/portfence.prom")" 644
is "the same series as on stdout" \
	"$(sed 's/ [0-9]*$//' "$out/portfence.prom")" "$(pf metrics | sed 's/ [0-9]*$//')"
is_rc "metrics --output into a missing directory: exit 1" 1 "$WORK/err" \
	pf metrics --output "$out/missing/portfence.prom" 2>"$WORK/err"
is_rc "metrics with an argument: exit 2" 2 "$WORK/err" pf metrics extra 2>"$WORK/err"

# --- lifted: its series go
pf unblock --ip "$VIP" --port 3260 >/dev/null
snapshot
is "unblock: that portal's series are gone, but for its timeline" \
	"$(q 'sum(1 for k, v in m.items() if k.startswith("portfence_portal_") and not k.startswith("portfence_portal_last_") for x in v["samples"] if x["labels"]["address"] == "'"$VIP"'")')" 0

is "a portal never lifted has no timeline" \
	"$(q 'sum(1 for k in ("portfence_portal_last_fence_duration_seconds", "portfence_portal_last_reconnect_seconds") for x in m[k]["samples"] if x["labels"]["port"] == "3270")')" 0

# --- the failover timeline: a fence held about 1 s, a client back about
# 0.3 s after the unblock
serve "$VIP" 3270
pf block --ip "$VIP" --port 3270 >/dev/null
sleep 1
pf unblock --ip "$VIP" --port 3270 >/dev/null
sleep 0.3
ok "a client connects again" connects "$VIP" 3270
ok "... and once more (the first one counts)" connects "$VIP" 3270
snapshot
tl() { q 'seconds("portfence_portal_'"$1"'_seconds", {"proto": "tcp", "address": "'"$VIP"'", "port": "3270", "direction": "both", "method": "drop"})'; }
in_range() { "$PY" -c 'import sys; v, lo, hi = map(float, sys.argv[1:]); sys.exit(not lo <= v <= hi)' "$@"; }
ok "last fence duration: about 1 s ($(tl last_fence_duration))" in_range "$(tl last_fence_duration)" 0.95 1.6
ok "last reconnect: about 0.3 s after the unblock ($(tl last_reconnect))" in_range "$(tl last_reconnect)" 0.28 0.9
is "node-wide: the figures of the portal lifted last" \
	"$(q '(seconds("portfence_last_fence_duration_seconds"), seconds("portfence_last_reconnect_seconds"))')" \
	"($(tl last_fence_duration), $(tl last_reconnect))"
first=$(tl last_reconnect)
sleep 0.3
ok "a later connection does not move it" connects "$VIP" 3270
snapshot
is "... still the first one's" "$(q 'seconds("portfence_last_reconnect_seconds")')" "$first"
pf unload >/dev/null
snapshot
is "unload: portfence_loaded 0 again" "$(q 'value("portfence_loaded")')" 0

done_testing
