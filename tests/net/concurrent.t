#!/usr/bin/env bash
# 64 portfence block processes at once on 64 different portals (32 ports
# of one address, 32 addresses on one port), starting from nothing loaded
# so they also race to load: all exit 0 and all 64 entries are there; then
# 64 unblocks at once: all exit 0 and the table is empty.
. "$(dirname "$0")/netlib.sh"
net_bed

portals=()
for i in $(seq 0 31); do portals+=("--ip $VIP --port $((4000 + i))"); done
for i in $(seq 1 32); do
	net_addr "$SRV" srv0 198.18.1.$i/24
	portals+=("--ip 198.18.1.$i --port 3260")
done
ip -n "$CLI" route add 198.18.1.0/24 dev cli0

# all COMMAND: run COMMAND on every portal at once; print how many exit 0
# (failures' messages go to TAP diagnostics).
all() {
	local cmd=$1 i pids=()
	for i in "${!portals[@]}"; do
		# shellcheck disable=SC2086
		( pf "$cmd" ${portals[$i]} >/dev/null 2>"$WORK/$cmd.$i.err"; echo $? >"$WORK/$cmd.$i.rc" ) &
		pids+=($!)
	done
	wait "${pids[@]}"
	grep -lvx 0 "$WORK/$cmd".*.rc 2>/dev/null | head -3 | while read -r f; do
		diag "$f: exit $(cat "$f"): $(cat "${f%.rc}.err")"
	done
	grep -lx 0 "$WORK/$cmd".*.rc | wc -l
}
count_fenced() {
	local i n=0
	# shellcheck disable=SC2086
	for i in "${!portals[@]}"; do fenced ${portals[$i]} --exact && n=$((n + 1)); done
	echo $n
}

is "64 concurrent blocks all exit 0" "$(all block)" 64
is "list: 64 entries" "$(pf_json 'len(d)' list --json)" 64
is "check --exact: each of the 64 portals is fenced" "$(count_fenced)" 64
is "loaded once, attached to both interfaces" "$(pf_json 'd["loaded"], sorted(i["name"] for i in d["interfaces"])' status --json)" \
	"(True, ['lo', 'srv0'])"
is "one tc filter per hook, not one per racing process" "$(fence_hooks "$SRV")" 4
serve "$VIP" 4031
serve 198.18.1.32 3260
ok "a port portal holds" syn_dropped "$VIP" 4031
ok "an address portal holds" syn_dropped 198.18.1.32 3260

is "64 concurrent unblocks all exit 0" "$(all unblock)" 64
is "list: empty" "$(pf_json 'd' list --json)" "[]"
is "check: none of the 64 is fenced" "$(count_fenced)" 0
ok "the port portal takes connections again" connects "$VIP" 4031
ok "the address portal too" connects 198.18.1.32 3260

done_testing
