#!/usr/bin/env bash
# fence-portblock run as drbd-reactor's promoter runs OCF agents (and so
# LINSTOR Gateway): each start-list item "ocf:VENDOR:AGENT NAME k=v ..."
# becomes a systemd unit ocf.rs@NAME_RES whose wrapper (ocf-rs-wrapper)
# runs the agent with the unit's environment only: OCF_ROOT,
# OCF_RESOURCE_INSTANCE=NAME_RES, OCF_RESKEY_k=v, systemd's PATH, no
# HA_RSCTMP and no CRM_meta variables. It runs start, then monitor every
# few seconds (any non-zero monitor fails the unit), and stop when the
# unit stops; units start in list order and stop in reverse, each unit's
# monitor loop running while the others start and stop. The node's /run is
# a tmpfs of its own, where HA_RSCTMP (/run/resource-agents) lives.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup

ra_node_client
new_tmpdir tickle
new_tmpdir slow_dir
# A portfence whose fences take a second (as a drain of reading initiators
# may): the window in which a partner's monitor can run.
printf '#!/bin/sh\n[ "$3" = block ] && sleep 1\nexec %s "$@"\n' "$PORTFENCE" > "$slow_dir/portfence"
chmod 755 "$slow_dir" "$slow_dir/portfence"

# the node's mount namespace, with a /run of its own
tb_bg "$node" unshare -m --propagation slave sh -c \
	'mount -t tmpfs -o mode=0755 run /run && touch /run/.node && exec sleep 100000'
NODE_PID=$TB_PID
tb_wait 5 nsenter -t "$NODE_PID" -m test -e /run/.node || { diag "node mount namespace not ready"; exit 1; }
tb_bg "$node" "$PY" "$TCP_PY" serve :: 3260

VIP=198.18.0.10
# The promoter's start list for DRBD resource r0 (the VIP and the service
# between the two are added and removed by hand here).
BLOCK="ocf:portfence:fence-portblock p_block action=block ip=$VIP portno=3260 protocol=tcp pin_dir=$pin binary=$PORTFENCE"
UNBLOCK="ocf:portfence:fence-portblock p_unblock action=unblock ip=$VIP portno=3260 protocol=tcp tickle_dir=$tickle pin_dir=$pin binary=$slow_dir/portfence"

# unit VAR ITEM: into array VAR, the environment ocf.rs@NAME_r0 gives the
# agent for start-list item ITEM (its words hold no quotes here).
unit() {
	local -n __env=$1
	local words kv
	read -ra words <<<"$2"
	__env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin OCF_ROOT=/usr/lib/ocf
		OCF_RESOURCE_INSTANCE="${words[1]}_r0" monitor_inverval=30)
	for kv in "${words[@]:2}"; do __env+=("OCF_RESKEY_$kv"); done
}
unit U_BLOCK "$BLOCK"
unit U_UNBLOCK "$UNBLOCK"

# run UNIT ACTION: the agent as the wrapper runs it, on the node.
run() {
	local -n __e=$1
	nsenter -t "$NODE_PID" -m -n env -i "${__e[@]}" "$AGENT" "$2" \
		</dev/null >"$RA_DIR/stdout" 2>"$RA_ERR"
}
run_is() { is_rc "$1" "$2" "$RA_ERR" run "${@:3}"; }
# monitors UNIT N: the wrapper's loop, N rounds; all must be 0.
monitors() {
	local i
	for i in $(seq "$2"); do run "$1" monitor || return 1; done
}
state() { nsenter -t "$NODE_PID" -m test -e "/run/resource-agents/portblock_tcp_3260_${VIP}_in__$1"; }

# --- start: the list in order
run_is "block unit: start" 0 U_BLOCK start
ok "block unit: state in the node's /run/resource-agents, portblock's name" state block
ok "block unit: monitor loop, 3 rounds of 0" monitors U_BLOCK 3
ip -n "$node" addr add "$VIP/32" dev lo
ok "the portal is closed while the group comes up" tcp_blocked "$client" "$VIP" 3260
run_is "unblock unit: start" 0 U_UNBLOCK start
ok "the portal is open" tcp_probe "$client" "$VIP" 3260
ok "unblock unit: monitor loop, 3 rounds of 0" monitors U_UNBLOCK 3
ok "block unit: monitor loop, 3 rounds of 0 with the portal open (its own state and its partner's)" \
	monitors U_BLOCK 3

# --- stop: the list in reverse, the block unit's loop still running
run U_UNBLOCK stop & stop_pid=$!
sleep 0.5
run_is "block unit: monitor while the unblock unit fences the portal is 0" 0 U_BLOCK monitor
wait "$stop_pid"
is "unblock unit: stop" "$?" 0
ok "the portal is closed" tcp_blocked "$client" "$VIP" 3260
run_is "unblock unit: monitor after stop is 7" 7 U_UNBLOCK monitor
run_is "unblock unit: ExecStopPost's stop again is 0" 0 U_UNBLOCK stop
run_is "block unit: monitor after the unblock stopped is 0 (fenced)" 0 U_BLOCK monitor
ip -n "$node" addr del "$VIP/32" dev lo
run_is "block unit: stop" 0 U_BLOCK stop
run_is "block unit: monitor after stop is 7" 7 U_BLOCK monitor
run_is "block unit: ExecStopPost's stop again is 0" 0 U_BLOCK stop
ok "no fence left" not_fenced "$node" "$pin" --ip "$VIP" --port 3260
ok "no state left in the node's /run/resource-agents" \
	bash -c '[ -z "$(nsenter -t "$1" -m find /run/resource-agents -type f)" ]' _ "$NODE_PID"

pf "$node" "$pin" unload > /dev/null
done_testing
