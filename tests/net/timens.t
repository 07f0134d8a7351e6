#!/usr/bin/env bash
# In a time namespace CLOCK_MONOTONIC is shifted while the programs' clock
# (bpf_ktime_get_ns) is not: portfence takes the namespace's offset off
# (user/bpfclock.c), so a drain deadline set from inside one ends within
# its bound, not a day later nor at once, and knock ages are true.
. "$(dirname "$0")/netlib.sh"
net_bed
command -v unshare >/dev/null || skip_all "unshare (util-linux) is missing"
unshare --time --monotonic 86400 --fork true 2>/dev/null || skip_all "no time namespaces"

# pft OFFSET ARGS...: portfence in the server node, in a time namespace
# whose monotonic clock is OFFSET seconds off the kernel's
pft() {
	local off=$1
	shift
	ip netns exec "$SRV" unshare --time --monotonic "$off" --fork \
		"$PORTFENCE" --pin-dir "$PIN" "$@"
}
pf load >/dev/null

for off in 86400 -3; do
	port=$((3260 + ${off#-} % 7))
	serve "$VIP" $port
	hold "$VIP" $port 2 "c$port"
	ok "offset $off: their queues are full" tb_wait 10 queues_all_full "$SRV" "$VIP" $port 2 65536
	start=$(date +%s%N)
	pft "$off" block --ip "$VIP" --port $port --drain 1500 --drain-stall 60000 >"$WORK/out$port" 2>&1
	is "offset $off: block exits 0" "$?" 0
	ms=$((($(date +%s%N) - start) / 1000000))
	sed 's/^/# /' "$WORK/out$port"
	ok "offset $off: the drain ends at its deadline, not at once ($ms ms)" test "$ms" -ge 1300
	ok "... nor much later" test "$ms" -le 4000
	ok "... both at the deadline" grep -qE "^2 connections destroyed .*: 0 drained, 0 stalled, 2 at the deadline" "$WORK/out$port"
	is "... none left" "$(established "$SRV" "$VIP" $port)" 0
done

# a knock's age, read in a time namespace
pf block --ip "$VIP" --port 3270 --drain 0 >/dev/null
probe "$VIP" 3270 300 >/dev/null
pft 86400 conns --knocked --json >"$WORK/knocked"
age=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["age_ms"])' "$WORK/knocked")
ok "a knock's age read in a time namespace is true ($age ms)" test -n "$age" -a "${age:-99999999}" -le 5000

is "list in a time namespace: since is now, on the wall clock" \
	"$(pft 86400 list --json | "$PY" -c 'import json, sys, time, calendar; d = json.load(sys.stdin); print(all(abs(time.time() - calendar.timegm(time.strptime(e["since"], "%Y-%m-%dT%H:%M:%SZ"))) < 120 for e in d))')" True

done_testing
