# shellcheck shell=bash
# The two-node iSCSI test bed (issue 5), for tests/e2e/*.t, bench and the demo.
#
#   . tests/lib/testlib.sh; . tests/e2e/bed.sh
#   bed_up FENCE          # FENCE: portfence | portblock | none
#   bed_start_all a       # every group started on node a
#   bed_load_start 0      # the initiator load in the background (0: until stopped)
#   bed_move a b          # all groups a -> b, in parallel, as Pacemaker would
#   bed_load_stop         # ends the load; its report is in $BED_DIR/load.report
#
# Knobs (environment), defaults first:
#   E2E_RECONNECT=own|libiscsi  who reconnects the initiator: its own loop,
#                               or libiscsi's built-in reconnect (as QEMU's)
#   E2E_TICKLE=1|0              tickle_dir on the unblock resources
#   E2E_WAKE=1|0                0: wake=false on portfence's resources
#   E2E_DRAIN=1|0               0: drain=0 on portfence's resources (destroy at once)
#   E2E_PRELOAD=0|1             1: `portfence load` on both nodes before any
#                               agent runs, so no fence operation pays it
#   E2E_PORTBLOCK_FIREWALL=     portblock's firewall parameter (resource-agents'
#                               current one: nft or iptables); unset: not passed
#
# Namespaces: the initiator, node a, node b, and a bridge joining them. Each
# node has its own tgtd, /run/tgtd (a bind mount made inside every command
# run on the node, so resource-agents' tgtadm without a control port finds
# that node's tgtd), HA_RSCTMP and bpffs pin dir. The LUNs are files both
# nodes open, standing in for DRBD; only the active node serves a target.
#
# Everything made here is registered with testlib's cleanup (namespaces,
# mounts, pids, dirs), so it goes away at exit even when a test fails.

BED_GROUPS=${BED_GROUPS:-6}
BED_OP_TIMEOUT=${BED_OP_TIMEOUT:-20}     # seconds, every agent operation
BED_LUN_MB=${BED_LUN_MB:-8}
BED_CHAP_USER=pfinitiator
BED_CHAP_PASSWORD=pfsecret2026
BED_INITIATOR=iqn.2026-01.test.portfence:initiator
BED_IQN_PREFIX=iqn.2026-01.test.portfence
BED_RA=${OCF_ROOT:-/usr/lib/ocf}/resource.d/heartbeat
BED_LOAD=${BED_LOAD:-$TOP/build/tests/iscsi-load}
BED_E2E=$TOP/tests/e2e
BED_RECONNECT=${E2E_RECONNECT:-own}
BED_TICKLE=${E2E_TICKLE:-1}
BED_WAKE=${E2E_WAKE:-1}
BED_DRAIN=${E2E_DRAIN:-1}
BED_PRELOAD=${E2E_PRELOAD:-0}
BED_PB_FIREWALL=${E2E_PORTBLOCK_FIREWALL:-}

declare -A BED_NS BED_ADDR BED_PIN BED_CPORT BED_TGTD

# testlib cleans up on EXIT; make TERM and INT exit too, so it runs.
trap 'exit 143' TERM
trap 'exit 130' INT

bed_vip() { echo "198.18.0.$((100 + $1))"; }
bed_iqn() { echo "$BED_IQN_PREFIX:t$1"; }
bed_lun_file() { echo "$BED_DIR/luns/t$1-lun$2.img"; }
bed_ms() { echo $(($(date +%s%N) / 1000000)); }

# The agent that fences the portal in FENCE mode; empty for none.
bed_fence_agent() {
	case $BED_FENCE in
	portfence) echo "$TOP/agents/fence-portblock" ;;
	portblock) echo "${PORTBLOCK_AGENT:-$BED_RA/portblock}" ;;
	none) ;;
	esac
}

# bed_up FENCE: namespaces, bridge, tgtd per node, LUN backing files.
bed_up() {
	BED_FENCE=$1
	case $BED_FENCE in
	portfence | portblock | none) ;;
	*) echo "bad fence mode '$BED_FENCE' (portfence|portblock|none)" >&2; return 2 ;;
	esac
	case $BED_RECONNECT in
	own | libiscsi) ;;
	*) echo "bad E2E_RECONNECT '$BED_RECONNECT' (own|libiscsi)" >&2; return 2 ;;
	esac
	tb_var BED_DIR tb_tmpdir || return 1
	mkdir -p "$BED_DIR/luns" "$BED_DIR/tickle" || return 1
	tb_var 'BED_NS[br]' tb_netns br || return 1
	ip -n "${BED_NS[br]}" link add br0 type bridge || return 1
	ip -n "${BED_NS[br]}" link set br0 up || return 1
	BED_ADDR[ini]=198.18.0.1 BED_ADDR[a]=198.18.0.11 BED_ADDR[b]=198.18.0.12
	local node
	for node in ini a b; do
		tb_var "BED_NS[$node]" tb_netns "$node" || return 1
		_bed_port "$node" || return 1
	done
	[ -d /run/tgtd ] || mkdir -p /run/tgtd
	local g l
	for g in $(seq "$BED_GROUPS"); do
		for l in 1 2; do
			truncate -s "${BED_LUN_MB}M" "$(bed_lun_file "$g" "$l")" || return 1
		done
	done
	# tgtadm takes control ports up to 32767.
	BED_CPORT[a]=$((20000 + $$ % 6000 * 2)) BED_CPORT[b]=$((20001 + $$ % 6000 * 2))
	for node in a b; do
		mkdir -p "$BED_DIR/$node/run-tgtd" "$BED_DIR/$node/rsctmp" || return 1
		# resource-agents run tgtadm without --control-port (port 0).
		ln -s "socket.${BED_CPORT[$node]}" "$BED_DIR/$node/run-tgtd/socket.0" || return 1
		tb_var "BED_PIN[$node]" tb_bpffs || return 1
		bed_tgtd_start "$node" || return 1
	done
	: >"$BED_DIR/ops.log"
	# A fresh pin dir has nothing loaded: the first block start on each
	# node pays the load, as on a node just booted, unless preloaded.
	if [ "$BED_FENCE" = portfence ] && [ "$BED_PRELOAD" = 1 ]; then
		for node in a b; do
			ip netns exec "${BED_NS[$node]}" "$PORTFENCE" --pin-dir "${BED_PIN[$node]}" \
				load >>"$BED_DIR/$node/agents.out" 2>&1 || return 1
		done
	fi
	echo "bed fence=$BED_FENCE reconnect=$BED_RECONNECT tickle=$BED_TICKLE" \
		"wake=$BED_WAKE drain=$BED_DRAIN preload=$BED_PRELOAD" >>"$BED_DIR/ops.log"
}

# _bed_port NODE: a veth from NODE's eth0 to a port of the bridge.
_bed_port() {
	local node=$1 ns=${BED_NS[$1]} tmp=pf$$$1
	ip link add "$tmp" netns "$ns" type veth peer name "p-$node" netns "${BED_NS[br]}" || return 1
	ip -n "$ns" link set "$tmp" name eth0 || return 1
	ip -n "$ns" addr add "${BED_ADDR[$node]}/24" dev eth0 || return 1
	ip -n "$ns" link set eth0 up || return 1
	ip -n "${BED_NS[br]}" link set "p-$node" master br0 up
}

# bed_exec NODE CMD...: CMD in NODE's network namespace with NODE's
# /run/tgtd. `ip netns exec` gives every call a fresh mount namespace, so
# the bind mount never leaks to the host or to the other node.
bed_exec() {
	local node=$1; shift
	ip netns exec "${BED_NS[$node]}" /bin/sh -c \
		'mount --bind "$0" /run/tgtd && exec "$@"' "$BED_DIR/$node/run-tgtd" "$@"
}

bed_tgtadm() { local node=$1; shift; bed_exec "$node" tgtadm -C "${BED_CPORT[$node]}" "$@"; }

# bed_tgtd_start NODE: a fresh tgtd (killed by pid at exit; -f ignores TERM).
bed_tgtd_start() {
	local node=$1
	rm -f "$BED_DIR/$node/run-tgtd/socket.${BED_CPORT[$node]}"*
	# Not through bed_exec: a function in the background is a subshell,
	# and its pid is not tgtd's.
	ip netns exec "${BED_NS[$node]}" /bin/sh -c \
		'mount --bind "$0" /run/tgtd && exec "$@"' "$BED_DIR/$node/run-tgtd" \
		tgtd -f -C "${BED_CPORT[$node]}" >>"$BED_DIR/$node/tgtd.log" 2>&1 &
	BED_TGTD[$node]=$!
	_tb_pids+=("$!")
	tb_wait 10 bed_tgtadm "$node" --op show --mode sys >/dev/null 2>&1
}

# bed_fence_node NODE: what STONITH does to a node whose stop failed — it
# reboots: tgtd dies, addresses, firewall rules, fences and agent state go.
bed_fence_node() {
	local node=$1 ns=${BED_NS[$1]} g
	diag "fencing node $node (a stop failed)"
	kill -9 "${BED_TGTD[$node]}" 2>/dev/null
	wait "${BED_TGTD[$node]}" 2>/dev/null
	for g in $(seq "$BED_GROUPS"); do
		ip -n "$ns" addr del "$(bed_vip "$g")/24" dev eth0 2>/dev/null
	done
	ip netns exec "$ns" iptables -F 2>/dev/null
	command -v nft >/dev/null && ip netns exec "$ns" nft delete table inet portblock 2>/dev/null
	[ -x "$PORTFENCE" ] && ip netns exec "$ns" "$PORTFENCE" --pin-dir "${BED_PIN[$node]}" unload >/dev/null 2>&1
	rm -rf "${BED_DIR:?}/$node/rsctmp" && mkdir -p "$BED_DIR/$node/rsctmp"
	echo "fence node=$node" >>"$BED_DIR/ops.log"
	bed_tgtd_start "$node"
}

# The resources of one group, in start order.
bed_resources() {
	local -a r=()
	[ "$BED_FENCE" != none ] && r+=(block)
	r+=(ip target account lun1 lun2)
	[ "$BED_FENCE" != none ] && r+=(unblock)
	echo "${r[@]}"
}

# _bed_agent NODE GROUP RES: prints the agent path, then its environment
# (OCF_RESKEY_* and friends), one per line.
_bed_agent() {
	local node=$1 g=$2 res=$3 vip iqn
	vip=$(bed_vip "$g") iqn=$(bed_iqn "$g")
	case $res in
	block | unblock)
		bed_fence_agent
		echo "OCF_RESKEY_protocol=tcp"
		echo "OCF_RESKEY_portno=3260"
		echo "OCF_RESKEY_ip=$vip"
		echo "OCF_RESKEY_action=$res"
		# The connections the unblock resource records on stop, and the
		# node taking over tickles (a directory both nodes share).
		[ "$res" = unblock ] && [ "$BED_TICKLE" = 1 ] &&
			echo "OCF_RESKEY_tickle_dir=$BED_DIR/tickle"
		if [ "$BED_FENCE" = portfence ]; then
			echo "OCF_RESKEY_direction=both"
			echo "OCF_RESKEY_pin_dir=${BED_PIN[$node]}"
			echo "OCF_RESKEY_binary=$PORTFENCE"
			# A block resource's stop lifts a fence too: off means both.
			[ "$BED_WAKE" = 0 ] && echo "OCF_RESKEY_wake=false"
			[ "$BED_DRAIN" = 0 ] && echo "OCF_RESKEY_drain=0"
		fi
		# nft's path comes from resource-agents' ocf-binaries since it
		# has an nft backend; an older installed one does not set it.
		if [ "$BED_FENCE" = portblock ] && [ -n "$BED_PB_FIREWALL" ]; then
			echo "OCF_RESKEY_firewall=$BED_PB_FIREWALL"
			echo "NFTABLES=nft"
		fi
		;;
	ip)
		echo "$BED_RA/IPaddr2"
		echo "OCF_RESKEY_ip=$vip"
		echo "OCF_RESKEY_cidr_netmask=24"
		echo "OCF_RESKEY_nic=eth0"
		;;
	target)
		echo "$BED_RA/iSCSITarget"
		echo "OCF_RESKEY_implementation=tgt"
		echo "OCF_RESKEY_iqn=$iqn"
		echo "OCF_RESKEY_tid=$g"
		echo "OCF_RESKEY_allowed_initiators=ALL"
		;;
	account)
		echo "$TOP/agents/tgt-account"
		echo "OCF_RESKEY_username=$BED_CHAP_USER"
		echo "OCF_RESKEY_password=$BED_CHAP_PASSWORD"
		echo "OCF_RESKEY_target_iqn=$iqn"
		echo "OCF_RESKEY_control_port=${BED_CPORT[$node]}"
		;;
	lun1 | lun2)
		echo "$BED_RA/iSCSILogicalUnit"
		echo "OCF_RESKEY_implementation=tgt"
		echo "OCF_RESKEY_target_iqn=$iqn"
		echo "OCF_RESKEY_lun=${res#lun}"
		echo "OCF_RESKEY_path=$(bed_lun_file "$g" "${res#lun}")"
		;;
	esac
}

# bed_op NODE GROUP RES ACTION: one agent action, with the environment
# Pacemaker gives it, under the operation timeout. Logs one `op` line.
bed_op() {
	local node=$1 g=$2 res=$3 action=$4 agent t0 rc
	local -a env
	mapfile -t env < <(_bed_agent "$node" "$g" "$res")
	agent=${env[0]}
	env=("${env[@]:1}"
		OCF_ROOT="${OCF_ROOT:-/usr/lib/ocf}"
		OCF_RESOURCE_INSTANCE="g$g-$res"
		OCF_RESOURCE_TYPE="$(basename "$agent")"
		OCF_RESKEY_CRM_meta_timeout=$((BED_OP_TIMEOUT * 1000))
		HA_RSCTMP="$BED_DIR/$node/rsctmp"
		HA_LOGFACILITY=none
		HA_LOGFILE="$BED_DIR/$node/agents.log"
		HA_DEBUG=0
		PORTFENCE_PIN_DIR="${BED_PIN[$node]}")
	t0=$(bed_ms)
	if [ -z "$agent" ] || [ ! -x "$agent" ]; then
		echo "missing agent '$agent' for $res" >>"$BED_DIR/$node/agents.out"
		rc=5
	else
		# timeout signals its whole process group: the agent and its sleeps.
		timeout -k 2 "$BED_OP_TIMEOUT" ip netns exec "${BED_NS[$node]}" /bin/sh -c \
			'mount --bind "$0" /run/tgtd && exec "$@"' "$BED_DIR/$node/run-tgtd" \
			env "${env[@]}" "$agent" "$action" >>"$BED_DIR/$node/agents.out" 2>&1
		rc=$?
	fi
	echo "op node=$node group=$g res=$res action=$action rc=$rc ms=$(($(bed_ms) - t0))" >>"$BED_DIR/ops.log"
	return "$rc"
}

# bed_exec_overhead NODE: what running a no-op "agent" through bed_op's
# path costs (netns exec, mount namespace, bind mount), mean ms of 5 runs:
# to subtract from the operation times bed_op records.
bed_exec_overhead() {
	local node=$1 t0 i
	t0=$(bed_ms)
	for i in 1 2 3 4 5; do
		ip netns exec "${BED_NS[$node]}" /bin/sh -c \
			'mount --bind "$0" /run/tgtd && exec "$@"' "$BED_DIR/$node/run-tgtd" \
			env OCF_ROOT=/usr/lib/ocf /bin/true
	done
	echo $(((($(bed_ms) - t0)) / 5))
}

# bed_group NODE GROUP start|stop: the group's resources in order (stop:
# the exact reverse); stops at the first failure, as Pacemaker does.
bed_group() {
	local node=$1 g=$2 action=$3 res
	local -a order
	read -r -a order <<<"$(bed_resources)"
	if [ "$action" = stop ]; then
		local -a rev=()
		for res in "${order[@]}"; do rev=("$res" "${rev[@]}"); done
		order=("${rev[@]}")
	fi
	for res in "${order[@]}"; do
		bed_op "$node" "$g" "$res" "$action" || return 1
	done
}

# bed_all NODE start|stop: every group at once; prints the failed groups.
bed_all() {
	local node=$1 action=$2 g
	local -A pid=()
	for g in $(seq "$BED_GROUPS"); do
		bed_group "$node" "$g" "$action" &
		pid[$g]=$!
	done
	for g in $(seq "$BED_GROUPS"); do
		wait "${pid[$g]}" || echo "$g"
	done
}

bed_start_all() {
	local t0 failed
	t0=$(bed_ms)
	failed=$(bed_all "$1" start)
	echo "start node=$1 ms=$(($(bed_ms) - t0)) failed=$(echo $failed | tr ' ' ,)" >>"$BED_DIR/ops.log"
	[ -z "$failed" ]
}

# bed_move FROM TO: stop every group on FROM, fence FROM if a stop failed
# (as Pacemaker would), start every group on TO. Logs one `move` line.
bed_move() {
	local from=$1 to=$2 t0 stop_failed start_failed fenced=0
	t0=$(bed_ms)
	stop_failed=$(bed_all "$from" stop)
	if [ -n "$stop_failed" ]; then
		bed_fence_node "$from"
		fenced=1
	fi
	start_failed=$(bed_all "$to" start)
	echo "move from=$from to=$to ms=$(($(bed_ms) - t0))" \
		"stop_failed=$(echo $stop_failed | tr ' ' ,)" \
		"start_failed=$(echo $start_failed | tr ' ' ,) fenced=$fenced" >>"$BED_DIR/ops.log"
	[ -z "$stop_failed$start_failed" ]
}

# bed_load_start SECONDS [ARGS...]: the initiator load on every LUN of
# every group, in the initiator namespace; report in $BED_DIR/load.report.
bed_load_start() {
	local duration=$1 g; shift
	local -a targets=()
	[ "$BED_RECONNECT" = libiscsi ] && set -- --libiscsi-reconnect "$@"
	for g in $(seq "$BED_GROUPS"); do
		targets+=("$(bed_vip "$g"):3260/$(bed_iqn "$g")/1,2")
	done
	ip netns exec "${BED_NS[ini]}" "$BED_LOAD" -i "$BED_INITIATOR" \
		-u "$BED_CHAP_USER" -p "$BED_CHAP_PASSWORD" -d "$duration" \
		-n $((BED_LUN_MB * 1024 * 1024 / 512 / 2)) -o "$BED_DIR/load.report" \
		"$@" "${targets[@]}" 2>"$BED_DIR/load.log" &
	BED_LOAD_PID=$!
	_tb_pids+=("$!")
}

bed_load_mark() { kill -USR1 "$BED_LOAD_PID"; sleep 0.2; }

# bed_load_stop: end the load (it drains and verifies) and wait for it.
bed_load_stop() {
	kill -TERM "$BED_LOAD_PID" 2>/dev/null
	wait "$BED_LOAD_PID"
}

# bed_report_get KEY [LINE_PREFIX]: a value from the load report's total line.
bed_report_get() {
	local key=$1 prefix=${2:-total}
	grep "^$prefix " "$BED_DIR/load.report" | tail -1 | tr ' ' '\n' | sed -n "s/^$key=//p"
}

# bed_ops_max ACTION RES...: the longest operation of those resources, in
# ms; ACTION "any" for every action.
bed_ops_max() {
	local action=$1; shift
	awk -v action="$action" -v want=" $* " '
		$1 == "op" {
			r = ""; a = ""; ms = 0
			for (i = 2; i <= NF; i++) {
				split($i, kv, "=")
				if (kv[1] == "res") r = kv[2]
				if (kv[1] == "action") a = kv[2]
				if (kv[1] == "ms") ms = kv[2] + 0
			}
			if ((action == "any" || a == action) && index(want, " " r " ") && ms > max)
				max = ms
		}
		END { print max + 0 }' "$BED_DIR/ops.log"
}

# bed_ops_breakdown: per resource and action, how many operations, their
# mean and longest time: where a move spends its time.
bed_ops_breakdown() {
	awk '
		$1 == "op" {
			for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
			k = f["res"] " " f["action"]
			n[k]++; sum[k] += f["ms"]; if (f["ms"] > max[k]) max[k] = f["ms"]
		}
		END {
			for (k in n) {
				split(k, p, " ")
				printf "ops res=%s action=%s n=%d mean_ms=%d max_ms=%d\n", p[1], p[2], n[k], sum[k] / n[k], max[k]
			}
		}' "$BED_DIR/ops.log" | sort
}

# bed_ops_count PATTERN: how many op lines match (grep -E).
bed_ops_count() { grep -cE "$1" "$BED_DIR/ops.log"; }
