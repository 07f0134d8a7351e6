#!/usr/bin/env bash
# A real two-node Pacemaker cluster serving three iSCSI targets with the
# configuration of docs/README-iscsi.md, loaded as it is written (issue 12),
# moving targets under a verifying libiscsi initiator load.
#
#   CLUSTER_SCENARIO=short   start-up, g_t1 node1 -> node2 -> node1 (default)
#   CLUSTER_SCENARIO=full    start-up, then ROUNDS times: every group moved
#                            away and back one by one, each node put in
#                            standby and back online; then tgtd killed on
#                            the node serving g_t1
#   ROUNDS=N                 rounds of the full scenario (default 1)
#   CL_KEEP=DIR              keep the nodes' logs, the load report, the moves
#
# STONITH is disabled (stonith-enabled=false; the bed has no fence device),
# so a failed stop is not recovered by fencing: it stays a failed action in
# crm_mon, and every step checks there is none.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/clusterlib.sh"
. "$(dirname "$0")/docconf.sh"
cl_need

SCENARIO=${CLUSTER_SCENARIO:-short}
ROUNDS=${ROUNDS:-1}
CL_TARGETS=3 CL_LUN_MB=8
CL_CHAP_USER=initiators CL_CHAP_PASSWORD=pfbed-chap-2026
CL_INITIATOR=iqn.2026-01.test.portfence:cluster-initiator
MOVE_TIMEOUT=${CL_MOVE_TIMEOUT:-150}
SETTLE=${CL_SETTLE:-3}
LOAD=$TOP/build/tests/iscsi-load
declare -A PREFERRED=([g_t1]=node1 [g_t2]=node2 [g_t3]=node1) WANT

case $SCENARIO in short | full) ;; *) skip_all "bad CLUSTER_SCENARIO '$SCENARIO' (short|full)" ;; esac
ok "the initiator load generator is built (build/tests/iscsi-load)" test -x "$LOAD"
ok "portfence is built (build/portfence)" test -x "$PORTFENCE"
[ -x "$LOAD" ] && [ -x "$PORTFENCE" ] || { done_testing; exit; }

mon() { cl_exec node1 crm_mon --output-as=xml 2>/dev/null; }
clmon() { "$CL_HERE/clmon.py" "$@"; }

# all_placed: every group Started where WANT says, member by member.
all_placed() {
	local x g
	x=$CL_DIR/mon.xml
	mon >"$x" || return 1
	for g in "${!WANT[@]}"; do
		clmon placed "$x" "$g" "${WANT[$g]}" || return 1
	done
}

failures() { mon >"$CL_DIR/fail.xml" && clmon failures "$CL_DIR/fail.xml"; }
no_failures() {
	local f
	f=$(failures) || { diag "crm_mon failed"; return 1; }
	[ -z "$f" ] && return 0
	echo "$f" | sed 's/^/#   failed action: /'
	return 1
}

# step NAME CMD...: CMD (a cluster command) then wait until every group is
# where WANT says; logs "move" with the time from the command to all
# Started and the agents' operations in that time (executor records).
step() {
	local name=$1 t0 t1 rc=0 nops maxop
	shift
	t0=$(cl_ms)
	"$@" >>"$CL_DIR/commands.log" 2>&1 || { diag "$name: '$*' failed"; rc=1; }
	if [ "$rc" = 0 ] && ! tb_wait "$MOVE_TIMEOUT" all_placed; then
		diag "$name: not every group where wanted after ${MOVE_TIMEOUT}s"
		clmon where "$CL_DIR/mon.xml" | sed 's/^/#   /'
		rc=1
	fi
	t1=$(cl_ms)
	clmon ops "$t0" "$t1" "$CL_DIR"/node*/log-pacemaker/pacemaker.log >"$CL_DIR/step.ops"
	sed "s/^/step=$STEP_N /" "$CL_DIR/step.ops" >>"$CL_DIR/ops.log"
	nops=$(grep -vc ' action=monitor ' "$CL_DIR/step.ops")
	maxop=$(grep -v ' action=monitor ' "$CL_DIR/step.ops" | sed 's/.* ms=//' | sort -n | tail -1)
	sleep "$SETTLE"
	[ -n "${LOAD_PID:-}" ] && kill -USR1 "$LOAD_PID" && sleep 0.3
	echo "move step=$STEP_N name=$name ms=$((t1 - t0)) ops=$nops max_op_ms=${maxop:-0}" >>"$CL_DIR/moves.log"
	STEP_N=$((STEP_N + 1))
	return "$rc"
}
STEP_N=0

move() { WANT[$1]=$2; cl_crm node1 resource move "$1" "$2"; }
clear_move() { WANT[$1]=${PREFERRED[$1]}; cl_crm node1 resource clear "$1"; }
standby() {
	local node=$1 other g
	other=node1; [ "$node" = node1 ] && other=node2
	for g in "${!WANT[@]}"; do WANT[$g]=$other; done
	cl_crm node1 node standby "$node"
}
online() {
	local g
	for g in "${!WANT[@]}"; do WANT[$g]=${PREFERRED[$g]}; done
	cl_crm node1 node online "$1"
}

# --- the cluster ---
ok "corosync and pacemaker form a two-node cluster (node1, node2) in their own namespaces" cl_up
[ -n "${CL_FORM_MS:-}" ] || { done_testing; exit; }
diag "cluster formed (a DC, both nodes online) $CL_FORM_MS ms after corosync's start"

# --- the pcs configuration, applied offline to a CIB file ---
doc_pcs "$CL_TARGETS" >"$CL_DIR/doc.pcs"
pcs_cib=$CL_DIR/pcs-cib.xml
cl_exec node1 cibadmin --empty >"$pcs_cib"
# apply_pcs: the documented commands, each with -f.
apply_pcs() {
	# shellcheck disable=SC2016
	cl_exec node1 bash -c 'set -e; f=$1; pcs() { command pcs -f "$f" "$@"; }; . "$0"' \
		"$CL_DIR/doc.pcs" "$pcs_cib" >>"$CL_DIR/pcs.log" 2>&1 || { sed 's/^/#   /' "$CL_DIR/pcs.log" | tail; return 1; }
}
ok "the documented pcs commands apply to a CIB file (pcs -f)" apply_pcs
cl_exec node1 pcs -f "$pcs_cib" property set stonith-enabled=false >>"$CL_DIR/pcs.log" 2>&1
ok "crm_verify accepts the CIB pcs made" eval 'cl_exec node1 crm_verify -x "$pcs_cib" 2>&1 | sed "s/^/#   /"; [ "${PIPESTATUS[0]}" = 0 ]'
ok "the pcs CIB has every group in the documented order" eval \
	"[ \"\$(grep -o '<primitive id=\"p_t[0-9]_[a-z0-9]*\"' '$pcs_cib' | sed 's/.*p_t[0-9]_//; s/\"//' | tr '\n' ' ')\" = \
	\"$(printf 'block ip target account lun1 lun2 unblock %.0s' $(seq "$CL_TARGETS"))\" ]"

# --- the crm configuration, loaded as written ---
doc_crm "$CL_TARGETS" >"$CL_DIR/doc.crm"
# Nothing starts until the probes have run and the bed's placement is in.
cl_crm node1 configure property stonith-enabled=false stop-all-resources=true >>"$CL_DIR/commands.log" 2>&1
# crm_q ARGS: crm ARGS on node1, its chatter to commands.log.
crm_q() { cl_crm node1 "$@" >>"$CL_DIR/commands.log" 2>&1 || { tail -5 "$CL_DIR/commands.log" | sed 's/^/#   /'; return 1; }; }
ok "crm configure load update of the documented configuration" \
	crm_q configure load update "$CL_DIR/doc.crm"
{
	for g in "${!PREFERRED[@]}"; do echo "location l_bed_$g $g 100: ${PREFERRED[$g]}"; done
} >"$CL_DIR/bed.crm"
ok "the bed's preferred nodes load (crm configure load update)" \
	crm_q configure load update "$CL_DIR/bed.crm"

# Every primitive on both nodes: the groups' members, tgtd, the account, DRBD.
want_probes=$((2 * (CL_TARGETS * 7 + 2 + CL_TARGETS)))
probes_done() {
	cl_exec node1 cibadmin -Q >"$CL_DIR/cib.xml" 2>/dev/null &&
		[ "$(clmon probes "$CL_DIR/cib.xml" | wc -l)" -ge "$want_probes" ]
}
ok "every resource probed on both nodes" tb_wait 120 probes_done
running=$(clmon probes "$CL_DIR/cib.xml" | awk '$3 != 7')
is "the probes find nothing running (rc 7 everywhere)" "$running" ""

for g in "${!PREFERRED[@]}"; do WANT[$g]=${PREFERRED[$g]}; done
ok "start-up: every group starts on its preferred node" \
	step start-up cl_crm node1 configure property stop-all-resources=false
diag "start-up: $(tail -1 "$CL_DIR/moves.log" | cut -d' ' -f3-)"
ok "start-up: no failed action" no_failures

# --- the load ---
targets=()
for n in $(seq "$CL_TARGETS"); do
	targets+=("198.18.0.$((100 + n)):3260/iqn.2026-01.com.example:t$n/1,2")
done
# Not through cl_ini: a function in the background is a subshell, and its
# pid is not the load's.
ip netns exec "${CL_NS[ini]}" "$LOAD" -i "$CL_INITIATOR" -u "$CL_CHAP_USER" -p "$CL_CHAP_PASSWORD" -d 0 \
	-n $((CL_LUN_MB * 1024 * 1024 / 512 / 2)) -o "$CL_DIR/load.report" \
	--libiscsi-reconnect --verify --drain-timeout 20 --progress 1 \
	"${targets[@]}" 2>"$CL_DIR/load.log" &
LOAD_PID=$!
_tb_pids+=("$LOAD_PID")
sleep "$SETTLE"
kill -USR1 "$LOAD_PID"
sleep 0.3

# --- the moves ---
ok "move g_t1 to node2 under load" step "move g_t1 node2" move g_t1 node2
ok "move g_t1 back to node1 under load" step "move g_t1 node1" move g_t1 node1
cl_crm node1 resource clear g_t1 >>"$CL_DIR/commands.log" 2>&1
WANT[g_t1]=node1
if [ "$SCENARIO" = full ]; then
	for r in $(seq "$ROUNDS"); do
		for g in g_t1 g_t2 g_t3; do
			p=${PREFERRED[$g]} o=node2
			[ "$p" = node2 ] && o=node1
			ok "round $r: move $g to $o" step "move $g $o" move "$g" "$o"
			ok "round $r: move $g back to $p" step "move $g $p" move "$g" "$p"
			ok "round $r: clear $g's move (it stays)" step "clear $g" clear_move "$g"
		done
		for node in node1 node2; do
			ok "round $r: standby $node (every group to the other node)" step "standby $node" standby "$node"
			ok "round $r: $node online (the groups return)" step "online $node" online "$node"
		done
		ok "round $r: no failed action" no_failures
	done
fi
ok "no failed action after the moves" no_failures

# tgtd dies on the node serving g_t1: the groups' monitors see it, their
# stops must succeed (tgtd's state died with it), and every group must run
# again somewhere; the failed monitors (and starts, until tgtd's own
# monitor restarts it) are the injected failure, a failed stop is not.
all_started() { mon >"$CL_DIR/mon.xml" && clmon started "$CL_DIR/mon.xml" "$@"; }
kill_tgtd() {
	local pid
	pid=$(cl_exec "$1" cat /run/resource-agents/pfbed-tgtd.pid) || return 1
	kill -9 "$pid"
	# Every group leaves Started first, or the wait below ends at once.
	tb_wait 60 eval '! all_started groups'
}
if [ "$SCENARIO" = full ]; then
	victim=${WANT[g_t1]}
	t0=$(cl_ms)
	ok "tgtd killed on $victim is noticed" kill_tgtd "$victim"
	# The account clone's restart there fails while tgtd is down (start
	# failures are fatal): it stays stopped on $victim until a cleanup.
	ok "after tgtd's death on $victim every group runs again" tb_wait "$MOVE_TIMEOUT" all_started groups
	t1=$(cl_ms)
	clmon ops "$t0" "$t1" "$CL_DIR"/node*/log-pacemaker/pacemaker.log | sed 's/^/step=tgtd /' >>"$CL_DIR/ops.log"
	sleep "$SETTLE"
	kill -USR1 "$LOAD_PID" && sleep 0.3
	echo "move step=$STEP_N name=tgtd-killed-on-$victim ms=$((t1 - t0))" \
		"ops=$(grep -c '^step=tgtd .* action=\(start\|stop\)' "$CL_DIR/ops.log")" >>"$CL_DIR/moves.log"
	clmon where "$CL_DIR/mon.xml" | sed 's/^/#   now: /'
	failed=$(failures)
	echo "$failed" | sed 's/^/#   injected: /'
	is "after tgtd's death: no failed stop" "$(echo "$failed" | grep -c 'task=stop')" 0
	crm_q resource cleanup
	ok "after a cleanup, no failed action is left and every group runs" \
		eval 'tb_wait 60 all_started && tb_wait 60 eval "[ -z \"\$(failures)\" ]"'
fi

kill -TERM "$LOAD_PID" 2>/dev/null
wait "$LOAD_PID"
diag "load: $(grep '^total ' "$CL_DIR/load.report" | cut -c1-400)"

field() { grep "^total " "$CL_DIR/load.report" | tail -1 | tr ' ' '\n' | sed -n "s/^$1=//p"; }
is "zero errors returned to the application" "$(field errors)" 0
is "zero LOGICAL UNIT NOT SUPPORTED" "$(field lu_not_supported)" 0
is "zero data mismatches" "$(field mismatches)" 0
written=$(field written_blocks) verified=$(field final_verified)
ok "every block written reads back at the end ($verified of $written)" \
	eval "[ '${written:-0}' -gt 0 ] && [ '$written' = '$verified' ]"

# Per move: time to all Started, longest stall in its window, agent ops.
paste -d' ' <(grep '^move ' "$CL_DIR/moves.log" | tail -n +2) \
	<(grep '^mark ' "$CL_DIR/load.report" | tail -n +2 | grep -o 'stall_ms=[0-9]*') >"$CL_DIR/summary"
diag "per move: time from the command to all Started, longest initiator stall after it, agent operations"
sed 's/^move step=[0-9]* /#   /' "$CL_DIR/summary"
diag "agent operations (executor records, ms): mean / max per kind and action"
awk '$1 ~ /^step=/ && $5 != "action=monitor" {
		split($4, r, "="); split($5, a, "="); split($7, m, "=")
		k = r[2]; sub(/^p_t[0-9]+_/, "", k); sub(/^p_drbd_r[0-9]+$/, "drbd", k)
		k = k " " a[2]; n[k]++; s[k] += m[2]; if (m[2] > x[k]) x[k] = m[2]
	}
	END { for (k in n) printf "#   %-18s n=%-3d mean=%-5d max=%d\n", k, n[k], s[k] / n[k], x[k] }' \
	"$CL_DIR/ops.log" | sort
[ -n "${CL_KEEP:-}" ] && cp "$CL_DIR"/{moves.log,ops.log,summary,doc.crm,doc.pcs} "$CL_KEEP/" 2>/dev/null
done_testing
