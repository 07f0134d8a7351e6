#!/usr/bin/env bash
# 64 fence-portblock resources on 64 different VIPs, started at once,
# monitored at once, stopped at once (what a node taking over 64 targets
# does): every action succeeds and the kernel state is right for each.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup

N=64
new_netns node node
new_netns client client
tb_link "$node" 198.18.0.1/24 "$client" 198.18.0.2/24
dev=$(ip -n "$node" -o link show type veth | awk -F'[ :@]+' '{ print $2 }')
for i in $(seq 1 $N); do
	ip -n "$node" addr add 198.18.1.$i/24 dev "$dev"
done
ip -n "$client" addr add 198.18.1.200/24 dev "$(ip -n "$client" -o link show type veth | awk -F'[ :@]+' '{ print $2 }')"
new_bpffs pin
tb_bg "$node" "$PY" "$TCP_PY" serve 0.0.0.0 3260
tb_wait 5 tcp_probe "$client" 198.18.1.1 3260 || diag "server did not come up"
new_tmpdir out

# all ACTION AGENT-ACTION: run N agents at once, one VIP each; wait; the
# number that exited 0; the wall time in ms goes to $out/elapsed.
all() {
	local action=$1 kind=$2 i t0 pids=()
	t0=$(date +%s%N)
	for i in $(seq 1 $N); do
		( RA_NAME=$kind$i RA_OUT=/dev/null RA_ERR=$out/$kind$action.$i.err \
			ra "$node" "$pin" "$action" action="$kind" ip=198.18.1.$i portno=3260
		  echo $? > "$out/$kind$action.$i.rc" ) &
		pids+=($!)
	done
	wait "${pids[@]}"
	echo $(( ($(date +%s%N) - t0) / 1000000 )) > "$out/elapsed"
	grep -lx 0 "$out/$kind$action".*.rc | wc -l
}
# count_fenced: how many of the N portals have their entry.
count_fenced() {
	local i n=0
	for i in $(seq 1 $N); do
		fenced "$node" "$pin" --ip 198.18.1.$i --port 3260 && n=$((n + 1))
	done
	echo $n
}
failures() { grep -vlx 0 "$out"/*.rc 2>/dev/null | head -3 | while read -r f; do diag "$f: $(cat "$f")"; sed 's/^/#   /' "${f%.rc}.err"; done; }

is "block: $N concurrent starts succeed" "$(all start block)" $N
diag "$N concurrent block starts: $(cat "$out/elapsed") ms"
is "block: all $N portals fenced" "$(count_fenced)" $N
ok "block: a fenced VIP drops connections" tcp_blocked "$client" 198.18.1.17 3260
is "block: $N concurrent monitors succeed" "$(all monitor block)" $N
diag "$N concurrent monitors: $(cat "$out/elapsed") ms"
is "block: $N concurrent stops succeed" "$(all stop block)" $N
diag "$N concurrent block stops: $(cat "$out/elapsed") ms"
is "block: no portal fenced after the stops" "$(count_fenced)" 0
ok "block: a VIP serves again" tcp_probe "$client" 198.18.1.17 3260

is "unblock: $N concurrent stops (fence) succeed" "$(all stop unblock)" $N
is "unblock: all $N portals fenced" "$(count_fenced)" $N
is "unblock: $N concurrent starts (lift) succeed" "$(all start unblock)" $N
diag "$N concurrent unblock starts: $(cat "$out/elapsed") ms"
is "unblock: no portal fenced" "$(count_fenced)" 0
is "unblock: $N concurrent monitors succeed" "$(all monitor unblock)" $N
is "unblock: $N concurrent stops succeed" "$(all stop unblock)" $N
is "unblock: all $N portals fenced again" "$(count_fenced)" $N
failures
# clean up as the block resources would
for i in $(seq 1 $N); do pf "$node" "$pin" unblock --ip 198.18.1.$i --port 3260 >/dev/null; done
ok "no state files left" bash -c '[ -z "$(find "$1" -type f)" ]' _ "$RA_STATE"

done_testing
