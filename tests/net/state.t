#!/usr/bin/env bash
# check, list and status tell the truth (text and --json) before anything
# is loaded, while portals are fenced and after they are lifted; the
# pinned fence table carries BTF (bpftool prints named fields).
. "$(dirname "$0")/netlib.sh"
net_bed

st() { pf_json "$1" status --json; }
ls_() { pf_json "$1" list --json; }
# entry ADDRESS PORT PROTO: the list --json entry of that portal, as a dict
entry() { ls_ "[{k: e[k] for k in ('direction', 'method', 'keep_established')} for e in d if (e['address'], e['port'], e['proto']) == ('$1', $2, '$3')]"; }

# --- nothing loaded
is "before: status --json: not loaded" "$(st 'd["loaded"]')" False
is "before: no interface attached" "$(st 'd["interfaces"]')" "[]"
is "before: no sweep mechanism" "$(st 'd["sock_destroy"]')" none
ok "before: status (text) says not loaded" bash -c 'grep -qE "^loaded: +no$" <<<"$1"' _ "$(pf status)"
is "before: list --json is empty" "$(ls_ 'd')" "[]"
is "before: list (text) is its header only" "$(pf list | wc -l)" 1
ok "before: check exits 1" not_fenced --ip "$VIP" --port 3260

# --- fenced
pf block --ip "$VIP" --port 3260 --method reject >/dev/null &&
	pf block --port 860:862 --proto udp --direction in --keep-established >/dev/null &&
	pf block --ip 2001:db8::/64 --port 3260 --direction out >/dev/null
is "three blocks exit 0" "$?" 0

is "status: loaded" "$(st 'd["loaded"]')" True
is "status: the programs are attached to every interface, ingress and egress" \
	"$(st '" ".join("%s:%s:%s" % (i["name"], i["ingress"], i["egress"]) for i in sorted(d["interfaces"], key=lambda i: i["name"]))')" \
	"lo:True:True srv0:True:True"
ok "status: the sweep mechanism is named" bash -c '[[ $1 =~ ^(bpf_sock_destroy|sock_diag)$ ]]' _ "$(st 'd["sock_destroy"]')"
is "status: 5 fence entries (one per port)" "$(st 'd["portals"]')" 5
is "status: the global counters" "$(st 'sorted(d["counters"])')" \
	"['discarded_bytes', 'drained', 'knocks', 'local_resets', 'peer_resets', 'peers_reset', 'segs_dropped', 'socks_destroyed', 'syns_dropped', 'woken']"
pf status >"$WORK/status"
ok "status (text): loaded" grep -qE '^loaded: +yes$' "$WORK/status"
ok "status (text): interfaces" grep -qE '^interfaces: +lo srv0$' "$WORK/status"

is "list: 5 entries" "$(ls_ 'len(d)')" 5
is "list: the IPv4 portal's policy" "$(entry "$VIP" 3260 tcp)" \
	"[{'direction': 'both', 'method': 'reject', 'keep_established': False}]"
is "list: the IPv6 prefix portal's policy" "$(entry 2001:db8::/64 3260 tcp)" \
	"[{'direction': 'out', 'method': 'drop', 'keep_established': False}]"
is "list: the wildcard UDP range, one entry per port" \
	"$(ls_ '[e["port"] for e in d if e["proto"] == "udp" and e["address"] == "*" and e["direction"] == "in" and e["keep_established"]]')" \
	"[860, 861, 862]"
ok "list: since is a UTC time" bash -c '[[ $1 =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]' _ "$(ls_ 'd[0]["since"]')"
ok "list (text): the IPv4 portal's line" grep -qE "^tcp +$VIP +3260 +both +reject +no " <(pf list)

ok "check: the fenced portal" fenced --ip "$VIP" --port 3260
ok "check: another address on its port is not fenced" not_fenced --ip "$OTHER" --port 3260
ok "check: another port on its address is not fenced" not_fenced --ip "$VIP" --port 3261
ok "check: an address of the prefix" fenced --ip "$OTHER6" --port 3260
ok "check: the whole UDP range" fenced --port 860:862 --proto udp
ok "check: one address under the wildcard" fenced --ip "$VIP" --port 861 --proto udp
ok "check --exact: not by a wider entry" not_fenced --ip "$VIP" --port 861 --proto udp --exact
ok "check: a range reaching past the fence is not fenced" not_fenced --port 860:863 --proto udp
ok "check: TCP on the UDP ports is not fenced" not_fenced --port 860

# --- counters follow the traffic, per portal and globally
serve "$OTHER" 3270
hold "$OTHER" 3270 2
pf block --ip "$OTHER" --port 3270 >/dev/null
syn_dropped "$OTHER" 3270
tb_wait 3 killed_at_least "$(srv_log "$OTHER" 3270)" 2
is "list: the portal's sockets destroyed (by the sweep, not reset on egress first)" \
	"$(ls_ "[e['counters']['socks_destroyed'] for e in d if e['port'] == 3270][0]")" \
	"$(grep -c '^Software caused connection abort' "$(srv_log "$OTHER" 3270)")"
ok "list: the portal's dropped SYN" ge "$(ls_ "[e['counters']['syns_dropped'] for e in d if e['port'] == 3270][0]")" 1
is "status: the global counters are the sum of the portals' (woken and peers_reset are the CLI's, global only)" \
	"$(st '{k: v for k, v in d["counters"].items() if k not in ("woken", "peers_reset")}')" \
	"$(ls_ '{k: sum(e["counters"][k] for e in d) for k in d[0]["counters"]}')"

# --- the pinned table, through bpftool
bpftool map dump pinned "$PIN/portals" >"$WORK/dump"
is "bpftool map dump pinned PIN/portals exits 0" "$?" 0
for field in prefixlen port proto direction method flags since; do
	ok "bpftool shows the named field \"$field\"" grep -q "\"$field\": " "$WORK/dump"
done
ok "bpftool map dump pinned PIN/stats works too" quietly bpftool map dump pinned "$PIN/stats"

# --- lifted
for a in "--ip $VIP --port 3260" "--port 860:862 --proto udp" "--ip 2001:db8::/64 --port 3260" "--ip $OTHER --port 3270"; do
	pf unblock $a >/dev/null
done
is "after: list --json is empty" "$(ls_ 'd')" "[]"
is "after: status: no entries" "$(st 'd["portals"]')" 0
is "after: still loaded and attached" "$(st 'd["loaded"], len(d["interfaces"])')" "(True, 2)"
ok "after: check exits 1" not_fenced --ip "$VIP" --port 3260
ok "after: the UDP range neither" not_fenced --port 861 --proto udp
ok "after: bpftool finds the table empty" grep -q '^\[\]$\|^Found 0 elements' <(bpftool map dump pinned "$PIN/portals")

done_testing
