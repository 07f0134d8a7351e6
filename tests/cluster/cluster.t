#!/usr/bin/env bash
# A real two-node Pacemaker cluster serving iSCSI targets with the
# configuration of docs/README-iscsi.md, loaded as it is written (issue 12),
# moving and recovering targets under a verifying libiscsi initiator load.
#
#   CLUSTER_SCENARIO=short   start-up, g_t1 node1 -> node2 -> node1, then
#                            tgtd killed on node1: the cluster recovers
#                            every group and clone instance by itself;
#                            then node1, holding every target, crashes
#                            (default; what `make test` runs)
#   CLUSTER_SCENARIO=full    start-up with a fourth target made from the
#                            document's promotable fence recipe, then
#                            ROUNDS times: every group moved away and back
#                            one by one, each node put in standby and back
#                            online, every group moved at once (a swap, and
#                            back); then tgtd killed on node1, and one LUN's
#                            backing path gone on node2. Crashes: node1
#                            within 3 s of the initiators' login (it holds
#                            half the targets) and back, node2 holding the
#                            other half while node1 keeps serving its own,
#                            and back, and last node1 holding every target
#   CLUSTER_SCENARIO=crash   crashes alone (bench/case-crash): every target
#                            on node1, which crashes within 3 s of the
#                            initiators' login, comes back, and crashes
#                            again after LATE seconds of load (default 20)
#   CL_TICKLE=1              the unblock members with a tickle_dir both
#                            nodes reach ($CL_DIR/tickle)
#   CL_PEERS=0               without the document's peers' publisher
#                            (the portfence-peers clone, cl_peers; default
#                            1: loaded, and every crash's stall must end
#                            within 0.5 s of the takeover)
#   ROUNDS=N                 rounds of the full scenario (default 1)
#   CL_RESULTS=FILE          write the figures as JSON (bench/report.py)
#   CL_KEEP=DIR              keep the nodes' logs, the load report, the moves
#
# Fencing is the document's (one fence_ipmilan device per node), on the
# bed's power switch (clusterlib.sh: stonith:fence_pfbed). A crash is a
# node's switch port down and every process of it killed, nothing asked
# to move: the survivor must fence it (its agent's requests in the
# switch's log, a success in stonith_admin --history) and start every
# group; per crash the times of each stage go to moves.log (CL_RESULTS).
# A failed stop would also be fenced: every step checks there is no
# failed action (a failure step, none but the injected kind).
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
# A failure is noticed within a monitor interval, and a clone instance
# whose restart failed starts again when its failure-timeout expires.
RECOVER_TIMEOUT=${CL_RECOVER_TIMEOUT:-150}
SETTLE=${CL_SETTLE:-3}
LOAD=$TOP/build/tests/iscsi-load
declare -A PREFERRED=([g_t1]=node1 [g_t2]=node2 [g_t3]=node1) WANT
# The full scenario's fourth target has the promotable fence.
PROMOTABLE=
case $SCENARIO in
short) ;;
full) PROMOTABLE=t$((CL_TARGETS + 1)) PREFERRED[g_$PROMOTABLE]=node2 ;;
crash) PREFERRED[g_t2]=node1 ;;
*) skip_all "bad CLUSTER_SCENARIO '$SCENARIO' (short|full|crash)" ;;
esac
NTARGETS=$CL_TARGETS
[ -n "$PROMOTABLE" ] && NTARGETS=$((CL_TARGETS + 1))
CL_LUN_FILES=$((2 * NTARGETS))
T_START=$(cl_ms)
LATE=${LATE:-20}
# The node whose view the test reads: node1, the survivor after a crash.
VIEW=node1

ok "the initiator load generator is built (build/tests/iscsi-load)" test -x "$LOAD"
ok "portfence is built (build/portfence)" test -x "$PORTFENCE"
[ -x "$LOAD" ] && [ -x "$PORTFENCE" ] || { done_testing; exit; }
PEERS=${CL_PEERS:-1}
if [ "$PEERS" = 1 ]; then
	ok "portfence-peerd is built (build/portfence-peerd)" test -x "${PORTFENCE_PEERD:-$TOP/build/portfence-peerd}"
fi

mon() { cl_exec "$VIEW" crm_mon --output-as=xml 2>/dev/null; }
clmon() { "$CL_HERE/clmon.py" "$@"; }

# all_placed: every group Started where WANT says, member by member, and
# every clone instance running.
all_placed() {
	local x g
	x=$CL_DIR/mon.xml
	mon >"$x" || return 1
	for g in "${!WANT[@]}"; do
		clmon placed "$x" "$g" "${WANT[$g]}" || return 1
	done
	clmon started "$x"
}
all_started() { mon >"$CL_DIR/mon.xml" && clmon started "$CL_DIR/mon.xml" "$@"; }
# settled: everything runs and no transition is under way (a restart in
# progress can show every instance Started for a moment).
settled() { cl_idle "$VIEW" && all_started && cl_idle "$VIEW"; }

failures() { mon >"$CL_DIR/fail.xml" && clmon failures "$CL_DIR/fail.xml"; }
no_failures() {
	local f
	f=$(failures) || { diag "crm_mon failed"; return 1; }
	[ -z "$f" ] && return 0
	echo "$f" | sed 's/^/#   failed action: /'
	return 1
}

# record KIND NAME T0 T1 [KEY=VALUE...]: the step's line in moves.log
# (the pairs appended) and its agent
# operations (the CIB's records) in ops.log; a mark in the load's report
# for the longest stall since the previous step.
record() {
	local kind=$1 name=$2 t0=$3 t1=$4 nops maxop
	shift 4
	cl_exec "$VIEW" cibadmin -Q >"$CL_DIR/cib.xml" 2>/dev/null
	clmon ops "$t0" "$CL_DIR/cib.xml" >"$CL_DIR/step.ops"
	sed "s/^/step=$STEP_N /" "$CL_DIR/step.ops" >>"$CL_DIR/ops.log"
	nops=$(grep -c . "$CL_DIR/step.ops")
	maxop=$(sed 's/.* ms=\([0-9]*\).*/\1/' "$CL_DIR/step.ops" | sort -n | tail -1)
	sleep "$SETTLE"
	[ -n "${LOAD_PID:-}" ] && kill -USR1 "$LOAD_PID" && sleep 0.3
	echo "move step=$STEP_N kind=$kind name=$name ms=$((t1 - t0)) ops=$nops max_op_ms=${maxop:-0}${*:+ $*}" \
		>>"$CL_DIR/moves.log"
	STEP_N=$((STEP_N + 1))
}
STEP_N=0

# step KIND NAME CMD...: CMD (a cluster command) then wait until every
# group is where WANT says; records the time from the command to that.
step() {
	local kind=$1 name=$2 t0 t1 rc=0
	shift 2
	t0=$(cl_ms)
	"$@" >>"$CL_DIR/commands.log" 2>&1 || { diag "$name: '$*' failed"; rc=1; }
	if [ "$rc" = 0 ] && ! cl_wait "$MOVE_TIMEOUT" all_placed; then
		diag "$name: not every group where wanted after ${MOVE_TIMEOUT}s"
		clmon where "$CL_DIR/mon.xml" | sed 's/^/#   /'
		rc=1
	fi
	t1=$(cl_ms)
	record "$kind" "${name// /+}" "$t0" "$t1"
	return "$rc"
}

move() { WANT[$1]=$2; cl_crm "$VIEW" resource move "$1" "$2"; }
clear_move() { WANT[$1]=${PREFERRED[$1]}; cl_crm "$VIEW" resource clear "$1"; }
other() { [ "$1" = node1 ] && echo node2 || echo node1; }
standby() {
	local g
	for g in "${!WANT[@]}"; do WANT[$g]=$(other "$1"); done
	cl_crm "$VIEW" node standby "$1"
}
online() {
	local g
	for g in "${!WANT[@]}"; do WANT[$g]=${PREFERRED[$g]}; done
	cl_crm "$VIEW" node online "$1"
}
# swap_all: every group to the node it does not prefer, in one CIB update,
# so that all of them stop and start at once.
swap_all() {
	local g
	for g in "${!WANT[@]}"; do
		WANT[$g]=$(other "${PREFERRED[$g]}")
		echo "location l_bed_swap_$g $g inf: ${WANT[$g]}"
	done >"$CL_DIR/swap.crm"
	cl_crm "$VIEW" configure load update "$CL_DIR/swap.crm"
}
unswap_all() {
	local g ids=()
	for g in "${!WANT[@]}"; do WANT[$g]=${PREFERRED[$g]} ids+=("l_bed_swap_$g"); done
	cl_crm "$VIEW" configure delete "${ids[@]}"
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
ok "crm_verify accepts the CIB pcs made" eval 'cl_exec node1 crm_verify -x "$pcs_cib" 2>&1 | sed "s/^/#   /"; [ "${PIPESTATUS[0]}" = 0 ]'
ok "the pcs CIB has every group in the documented order" eval \
	"[ \"\$(grep -o '<primitive id=\"p_t[0-9]_[a-z0-9]*\"' '$pcs_cib' | sed 's/.*p_t[0-9]_//; s/\"//' | tr '\n' ' ')\" = \
	\"$(printf 'block ip target account lun1 lun2 unblock %.0s' $(seq "$CL_TARGETS"))\" ]"
is "the pcs CIB has a recurring monitor on every primitive" "$(clmon unmonitored "$pcs_cib")" ""

# --- the crm configuration, loaded as written ---
doc_crm "$CL_TARGETS" >"$CL_DIR/doc.crm"
[ -n "$PROMOTABLE" ] && doc_crm_promotable "${PROMOTABLE#t}" >>"$CL_DIR/doc.crm"
[ "$PEERS" = 1 ] && doc_crm_peers "$CL_TARGETS" "$NTARGETS" >>"$CL_DIR/doc.crm"
# Nothing starts until the probes have run and the bed's placement is in.
cl_crm "$VIEW" configure property stop-all-resources=true >>"$CL_DIR/commands.log" 2>&1
# crm_q ARGS: crm ARGS on node1, its chatter to commands.log.
crm_q() { cl_crm "$VIEW" "$@" >>"$CL_DIR/commands.log" 2>&1 || { tail -5 "$CL_DIR/commands.log" | sed 's/^/#   /'; return 1; }; }
ok "crm configure load update of the documented configuration" \
	crm_q configure load update "$CL_DIR/doc.crm"
{
	for g in "${!PREFERRED[@]}"; do echo "location l_bed_$g $g 100: ${PREFERRED[$g]}"; done
} >"$CL_DIR/bed.crm"
ok "the bed's preferred nodes load (crm configure load update)" \
	crm_q configure load update "$CL_DIR/bed.crm"
is "fencing is enabled as documented" "$(cl_exec "$VIEW" crm_attribute -t crm_config -n stonith-enabled -G -q 2>/dev/null)" true
if [ -n "${CL_TICKLE:-}" ]; then
	mkdir -p "$CL_DIR/tickle"
	tickle_all() {
		local n
		for n in $(seq "$NTARGETS"); do
			[ "t$n" = "$PROMOTABLE" ] && continue
			cl_exec "$VIEW" crm_resource -r "p_t${n}_unblock" --set-parameter tickle_dir \
				--parameter-value "$CL_DIR/tickle" >>"$CL_DIR/commands.log" 2>&1 || return 1
		done
	}
	ok "CL_TICKLE: the unblock members record to a tickle_dir both nodes reach" tickle_all
fi

cl_exec "$VIEW" cibadmin -Q >"$CL_DIR/cib.xml" 2>/dev/null
is "the loaded configuration has a recurring monitor on every primitive" "$(clmon unmonitored "$CL_DIR/cib.xml")" ""

# Every primitive on both nodes: per target its seven members and DRBD
# (the promotable target has one fence clone for two members), tgtd, the
# account, the two fence devices.
want_probes=$((2 * (NTARGETS * 8 + 2 + 2)))
[ -n "$PROMOTABLE" ] && want_probes=$((want_probes - 2))
[ "$PEERS" = 1 ] && want_probes=$((want_probes + 2))
# A probe still under way is recorded with rc 193 (pending): not done.
probes_done() {
	cl_exec "$VIEW" cibadmin -Q >"$CL_DIR/cib.xml" 2>/dev/null &&
		[ "$(clmon probes "$CL_DIR/cib.xml" | awk '$3 != 193' | wc -l)" -ge "$want_probes" ]
}
ok "every resource probed on both nodes ($want_probes probes)" cl_wait 120 probes_done
running=$(clmon probes "$CL_DIR/cib.xml" | awk '$3 != 7')
is "the probes find nothing running (rc 7 everywhere)" "$running" ""

for g in "${!PREFERRED[@]}"; do WANT[$g]=${PREFERRED[$g]}; done
ok "start-up: every group starts on its preferred node" \
	step start-up start-up cl_crm "$VIEW" configure property stop-all-resources=false
diag "start-up: $(tail -1 "$CL_DIR/moves.log" | cut -d' ' -f3-)"
ok "start-up: no failed action" no_failures

# --- the promotable fence: Promoted with its group, the portal open there
# and fenced on the other node, as the kernel itself says ---
portal_fenced() { cl_exec "$1" portfence check --ip "$2" --port 3260 >/dev/null 2>&1; }
promotable_follows() {
	local g=g_$PROMOTABLE ip=198.18.0.$((100 + ${PROMOTABLE#t})) here there
	here=${WANT[$g]} there=$(other "${WANT[$g]}")
	mon >"$CL_DIR/prom.xml" || return 1
	clmon promoted "$CL_DIR/prom.xml" "ms_${PROMOTABLE}_portal" "$here" || { diag "ms_${PROMOTABLE}_portal not Promoted on $here alone"; return 1; }
	! portal_fenced "$here" "$ip" || { diag "$ip:3260 fenced on $here, where $g runs"; return 1; }
	portal_fenced "$there" "$ip" || { diag "$ip:3260 open on $there, where $g does not run"; return 1; }
}
[ -n "$PROMOTABLE" ] &&
	ok "start-up: the promotable fence is Promoted with g_$PROMOTABLE (portal open there, fenced on the other node)" promotable_follows

# --- crashes ---
# crash_taken NODE T0: every group where WANT says (on the survivor); the
# first poll that shows NODE offline is kept in CRASH_OFFLINE (ms after T0).
crash_taken() {
	local rc=1
	all_placed && rc=0
	[ -z "$CRASH_OFFLINE" ] && ! grep -q "<node name=\"$1\" [^>]*online=\"true\"" "$CL_DIR/mon.xml" &&
		CRASH_OFFLINE=$(($(cl_ms) - $2))
	return "$rc"
}

# pdu_ms T0 WORD: epoch ms of the power switch's first log line after T0
# with WORD (a request or its answer).
pdu_ms() { awk -v t0="$1" -v w="$2" '{ t = substr($1, 6) + 0 } t >= t0 && index($0, w) { print t; exit }' "$CL_DIR/pdu.log"; }
# since T0 MS: MS - T0, or - when MS is empty.
since() { [ -n "$1" ] && [ -n "$2" ] && echo $(($2 - $1)) || echo -; }

# crash NAME NODE: NODE dies (cl_crash), nothing asked to move; the
# survivor must fence it and start every group. Recorded: the time to the
# first poll showing NODE offline, to corosync's token loss and new
# membership (the survivor's corosync.log), to the fence agent's power
# cut and to its reboot done (the switch's log), to the last group
# member's start (the takeover: the survivor's pacemaker.log), the
# transition (reboot done to that); the step's time is the crash to every
# group Started as crm_mon is polled; the agents' operations and the stall
# as for every step.
crash() {
	local name=$1 node=$2 surv t0 t1 g rc=0 log tok memb off on started
	surv=$(other "$node")
	for g in "${!WANT[@]}"; do WANT[$g]=$surv; done
	CRASH_OFFLINE=
	[ "$PEERS" = 1 ] && diag "$name: $surv's store lists $(cl_exec "$surv" cat "/run/portfence/peers/$node" 2>/dev/null | grep -c .) peers of $node; $node's own connections: $(cl_exec "$node" ss -Htn state established '( sport = :3260 )' 2>/dev/null | grep -c .)"
	t0=$(cl_ms)
	cl_crash "$node" >>"$CL_DIR/commands.log" 2>&1 || { diag "$name: $node's processes not all killed"; rc=1; }
	VIEW=$surv
	if [ "$rc" = 0 ] && ! cl_wait "$MOVE_TIMEOUT" crash_taken "$node" "$t0"; then
		diag "$name: not every group on $surv after ${MOVE_TIMEOUT}s"
		clmon where "$CL_DIR/mon.xml" | sed 's/^/#   /'
		rc=1
	fi
	t1=$(cl_ms)
	log=$CL_DIR/$surv/log-corosync/corosync.log
	tok=$(clmon logms "$log" "$t0" 'A processor failed')
	memb=$(clmon logms "$log" "$t0" 'A new membership .* was formed')
	# The last group member's start (or promote) as the survivor's
	# controller logged it: the takeover, free of crm_mon's polling.
	started=$(clmon loglast "$CL_DIR/$surv/log-pacemaker/pacemaker.log" "$t0" "$t1" \
		"Result of (start|promote) operation for p_t[0-9]+_[a-z0-9]+ on $surv: ok")
	off=$(pdu_ms "$t0" "done=off node=$node result=ok")
	on=$(pdu_ms "$t0" "done=on node=$node result=ok")
	CRASH_FENCE=$(cl_exec "$surv" stonith_admin --history "$node" --output-as=xml 2>/dev/null >"$CL_DIR/fence.xml" &&
		clmon fenced "$CL_DIR/fence.xml" "$node")
	echo "crash name=${name// /+} t0=$t0 $CRASH_FENCE" >>"$CL_DIR/fences.log"
	record crash "${name// /+}" "$t0" "$t1" "node=$node" "offline_ms=${CRASH_OFFLINE:--}" \
		"token_ms=$(since "$t0" "$tok")" "membership_ms=$(since "$t0" "$memb")" \
		"fence_off_ms=$(since "$t0" "$off")" "fenced_ms=$(since "$t0" "$on")" \
		"started_ms=$(since "$t0" "$started")" "transition_ms=$(since "$on" "$started")"
	CRASH_T0=$t0
	diag "$name: $(tail -1 "$CL_DIR/moves.log" | cut -d' ' -f3-)"
	return "$rc"
}

# fenced_ok NODE SURV: the survivor's fence agent cut NODE's power and
# reported success: the switch logged its off and on after the crash, and
# stonith_admin's history has NODE's fencing done by SURV, successfully.
fenced_ok() {
	local f=$CRASH_FENCE
	[ -n "$(pdu_ms "$CRASH_T0" "done=off node=$1 result=ok")" ] || { diag "the switch logged no off of $1"; return 1; }
	[ -n "$(pdu_ms "$CRASH_T0" "done=on node=$1 result=ok")" ] || { diag "the switch logged no on of $1"; return 1; }
	diag "stonith_admin --history $1: $f"
	grep -qw "status=success" <<<"$f" && grep -qw "delegate=$2" <<<"$f" && grep -qw "action=reboot" <<<"$f"
}

# crash_checks NAME NODE: after crash NAME of NODE.
crash_checks() {
	local surv
	surv=$(other "$2")
	ok "$1: $surv fenced $2 (its fence agent ran, stonith_admin --history: success)" fenced_ok "$2" "$surv"
	ok "$1: no failed action" no_failures
}

# rejoin NODE: NODE boots and rejoins; the groups return to their
# preferred nodes.
rejoin() {
	local g
	for g in "${!WANT[@]}"; do WANT[$g]=${PREFERRED[$g]}; done
	ok "$1 boots and rejoins: every group returns to its preferred node" step rejoin "$1 back" cl_node_up "$1"
	VIEW=node1
	ok "$1 back: no failed action" no_failures
}

# logged_in: the load's progress line says every session is up and
# commands complete.
logged_in() { grep -q 'completed=[1-9][0-9]* .*down=0$' "$CL_DIR/load.log"; }

# to_node NODE: every group to NODE (planned moves), so that it holds all.
to_node() {
	local g
	for g in $(printf '%s\n' "${!WANT[@]}" | sort); do
		[ "${WANT[$g]}" = "$1" ] && continue
		ok "move $g to $1 (it holds every target)" step move "move $g $1" move "$g" "$1"
	done
}

# --- the load ---
targets=()
for n in $(seq "$NTARGETS"); do
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
# And an initiator without CHAP logging in again and again all along: a
# target is reachable only once the shared account is bound to it (and
# its LUNs are there), so none of its logins may ever succeed.
ip netns exec "${CL_NS[ini]}" "$LOAD" -i "$CL_INITIATOR-nochap" -d 0 -o "$CL_DIR/nochap.report" \
	--retry-delay 0.1 --login-timeout 1 "${targets[@]}" 2>"$CL_DIR/nochap.log" &
NOCHAP_PID=$!
_tb_pids+=("$NOCHAP_PID")
if [ "$SCENARIO" = short ]; then
	sleep "$SETTLE"
	kill -USR1 "$LOAD_PID"
	sleep 0.3
else
	# An early crash: node1 dies within 3 s of the initiators' login (the
	# load's progress, every second, shows every session up).
	ok "the initiators logged in to every target" cl_wait 60 logged_in
	t_login=$(cl_ms)
	kill -USR1 "$LOAD_PID"
	sleep 0.3
	early=$(($(cl_ms) - t_login))
	ok "early crash of node1 (${early} ms after the login was seen, within 3 s): every group on node2" \
		crash "early crash of node1" node1
	ok "... it came within 3 s of the login" test "$early" -lt 3000
	crash_checks "early crash" node1
	rejoin node1
fi

# --- planned moves ---
if [ "$SCENARIO" != crash ]; then
	ok "move g_t1 to node2 under load" step move "move g_t1 node2" move g_t1 node2
	ok "move g_t1 back to node1 under load" step move "move g_t1 node1" move g_t1 node1
	cl_crm "$VIEW" resource clear g_t1 >>"$CL_DIR/commands.log" 2>&1
	WANT[g_t1]=node1
fi
if [ "$SCENARIO" = full ]; then
	for r in $(seq "$ROUNDS"); do
		for g in $(printf '%s\n' "${!PREFERRED[@]}" | sort); do
			p=${PREFERRED[$g]} o=$(other "${PREFERRED[$g]}")
			ok "round $r: move $g to $o" step move "move $g $o" move "$g" "$o"
			ok "round $r: move $g back to $p" step move "move $g $p" move "$g" "$p"
			ok "round $r: clear $g's move (it stays)" step clear "clear $g" clear_move "$g"
		done
		for node in node1 node2; do
			ok "round $r: standby $node (every group to the other node)" step standby "standby $node" standby "$node"
			[ "$node" = node1 ] &&
				ok "round $r: standby node1: the promotable fence followed" promotable_follows
			ok "round $r: $node online (the groups return)" step online "online $node" online "$node"
		done
		ok "round $r: every group moves at once (all swap nodes)" step all "swap all" swap_all
		ok "round $r: swapped: the promotable fence followed" promotable_follows
		ok "round $r: every group moves back at once" step all "swap back" unswap_all
		ok "round $r: back: the promotable fence followed" promotable_follows
		ok "round $r: no failed action" no_failures
	done
	ops_of() { grep -c " rsc=p_${PROMOTABLE}_portal action=$1 rc=0 " "$CL_DIR/ops.log"; }
	ok "Pacemaker promoted and demoted the promotable fence ($(ops_of promote) promotes, $(ops_of demote) demotes recorded)" \
		eval '[ "$(ops_of promote)" -ge 2 ] && [ "$(ops_of demote)" -ge 2 ]'
fi
ok "no failed action after the moves" no_failures
if [ "$SCENARIO" = crash ]; then
	sleep "$LATE"
	ok "late crash of node1 holding every target ($LATE s of load after it came back): every group on node2" \
		crash "late crash of node1" node1
	crash_checks "late crash" node1
fi

# --- a failed component: the cluster recovers by itself ---
# recovered_yet: settled; every failed action seen meanwhile is kept in
# seen (a failure whose failure-timeout expires leaves crm_mon's list).
recovered_yet() {
	local rc=1
	settled && rc=0
	clmon failures "$CL_DIR/mon.xml" >>"$CL_DIR/seen"
	return "$rc"
}

# failure NAME CMD...: CMD breaks something, the cluster notices it (a
# group or a clone instance leaves Started) and recovers every group and
# clone instance without a cleanup; the time from CMD to that is recorded.
failure() {
	local name=$1 t0 t1 rc=0
	shift
	t0=$(cl_ms)
	"$@" >>"$CL_DIR/commands.log" 2>&1 || { diag "$name: '$*' failed"; return 1; }
	cl_wait 60 eval '! all_started' || { diag "$name: the cluster noticed nothing in 60 s"; rc=1; }
	: >"$CL_DIR/seen"
	if [ "$rc" = 0 ] && ! cl_wait "$RECOVER_TIMEOUT" recovered_yet; then
		diag "$name: not recovered after ${RECOVER_TIMEOUT}s"
		clmon where "$CL_DIR/mon.xml" | sed 's/^/#   /'
		rc=1
	fi
	t1=$(cl_ms)
	record failure "${name// /+}" "$t0" "$t1"
	clmon where "$CL_DIR/mon.xml" | sed 's/^/#   now: /'
	return "$rc"
}

# injected: the failed actions seen since the failure, none of them a
# stop (a stop that fails would need fencing, which the bed has not).
injected() {
	local f
	f=$(failures) || return 1
	f=$( { echo "$f"; cat "$CL_DIR/seen"; } | grep . | sort -u)
	echo "$f" >"$CL_DIR/injected"
	echo "$f" | sed 's/^/#   injected: /'
	[ -n "$f" ] || { diag "no failed action recorded"; return 1; }
	! echo "$f" | grep -q 'task=stop'
}

# recovered NAME: cleanup of the injected failure; every group returns to
# its preferred node and no failed action is left.
recovered() {
	local g
	for g in "${!WANT[@]}"; do WANT[$g]=${PREFERRED[$g]}; done
	ok "$1: after a cleanup every group returns to its preferred node" \
		step cleanup "cleanup after $1" cl_crm "$VIEW" resource cleanup
	ok "$1: no failed action left" cl_wait 30 no_failures
}

# kill_tgtd NODE: tgtd dies on NODE, as a crash would, right after its
# own monitor ran: the account clone and the targets see it first, and
# their restarts fail while tgtd is still down.
tgtd_monitored() { cl_exec "$1" cat /run/resource-agents/pfbed-tgtd.monitored; }
monitored_since() { [ "$(tgtd_monitored "$1")" != "$2" ]; }
kill_tgtd() {
	local pid last
	last=$(tgtd_monitored "$1") || return 1
	cl_wait 30 monitored_since "$1" "$last" || return 1
	pid=$(cl_exec "$1" cat /run/resource-agents/pfbed-tgtd.pid) || return 1
	kill -9 "$pid"
}
if [ "$SCENARIO" != crash ]; then
	ok "tgtd killed on node1: every group and clone instance runs again, no cleanup" \
		failure "tgtd killed on node1" kill_tgtd node1
	ok "tgtd killed: the failed actions are the injected ones, no failed stop" injected
	grep -q 'op_key=p_account_start_0 .*task=start' "$CL_DIR/injected" &&
		diag "the account clone's restart on node1 failed while tgtd was down (the case its failure-timeout is for)"
	recovered "tgtd killed"
fi

# hide_lun NODE FILE: FILE's path gone on NODE alone (its DRBD volume lost
# there): the shared dir is covered by a tmpfs holding bind mounts of the
# other files, whose inodes tgtd keeps using.
hide_lun() {
	# shellcheck disable=SC2016
	cl_exec "$1" sh -c 'set -e; d=$1; f=$2
		mkdir -p /run/pfbed-luns
		mount --bind "$d" /run/pfbed-luns
		mount -t tmpfs -o mode=0755 tmpfs "$d"
		for x in /run/pfbed-luns/*; do
			[ "${x##*/}" = "$f" ] && continue
			: >"$d/${x##*/}"
			mount --bind "$x" "$d/${x##*/}"
		done' sh "$CL_DIR/luns" "$2"
}
unhide_luns() { cl_exec "$1" sh -c 'umount -R -l "$1" && umount -l /run/pfbed-luns' sh "$CL_DIR/luns"; }
if [ "$SCENARIO" = full ]; then
	ok "t2's first LUN gone on node2: every group and clone instance runs again, no cleanup" \
		failure "lun path gone on node2" hide_lun node2 drbd2.img
	is "the LUN's group left node2" "$(clmon where "$CL_DIR/mon.xml" | awk '$1 == "g_t2" { print $2 }')" node1
	ok "LUN gone: the failed actions are the injected ones, no failed stop" injected
	ok "the LUN's path is back on node2" unhide_luns node2
	recovered "LUN gone"
	# node2 dies holding half the targets; node1 serves the other half all
	# along, and the groups from node2 join them there.
	ok "crash of node2 holding half the targets, node1 serving the rest: every group on node1" \
		crash "crash of node2 (half)" node2
	crash_checks "half crash" node2
	rejoin node2
fi
if [ "$SCENARIO" != crash ]; then
	to_node node1
	ok "crash of node1 holding every target: every group on node2" \
		crash "crash of node1 (all)" node1
	crash_checks "crash" node1
fi

kill -TERM "$LOAD_PID" "$NOCHAP_PID" 2>/dev/null
wait "$LOAD_PID" "$NOCHAP_PID"
diag "load: $(grep '^total ' "$CL_DIR/load.report" | cut -c1-400)"
nochap() { grep "^total " "$CL_DIR/nochap.report" | tail -1 | tr ' ' '\n' | sed -n "s/^$1=//p"; }
ok "the initiator without CHAP tried all along ($(nochap login_failures) logins refused or fenced)" \
	eval '[ "$(nochap login_failures)" -gt 100 ]'
is "the initiator without CHAP never logged in" "$(nochap logins)" 0

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
# With the peers published, a crash's initiators are reset as each portal
# opens on the survivor: none waits on its own backed-off retransmission
# past the takeover (the last group member's start) by more than 0.5 s.
# stall_past: "name excess_ms" for each crash, excess = stall - takeover.
stall_past() {
	awk '$3 == "kind=crash" {
		name = ""; s = ""; st = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^name=/) name = substr($i, 6)
			if ($i ~ /^started_ms=/) s = substr($i, 12)
			if ($i ~ /^stall_ms=/) st = substr($i, 10)
		}
		print name, (s ~ /^[0-9]+$/ && st ~ /^[0-9]+$/) ? st - s : "unknown"
	}' "$CL_DIR/summary"
}
if [ "$PEERS" = 1 ]; then
	while read -r name excess; do
		ok "${name//+/ }: the stall ends within 0.5 s of the takeover (stall - takeover: $excess ms)" \
			eval "[ '$excess' != unknown ] && [ '$excess' -le 500 ]"
	done < <(stall_past)
	ok "... and there were crashes to measure" eval '[ -n "$(stall_past)" ]'
fi
# The drain answers every command the target executed before the cut: in
# the window of a planned move (kind=move) no write is executed twice. A
# tgtd killed or a LUN removed loses answers by its nature (the target
# dies with them), so those windows are not held to it.
grep '^mark ' "$CL_DIR/load.report" | grep -o 'reexecuted=[0-9]*' | cut -d= -f2 >"$CL_DIR/reexec"
paste -d' ' <(grep '^move ' "$CL_DIR/moves.log" | tail -n +2 | grep -o 'kind=[a-z_-]*') \
	<(paste -d' ' <(tail -n +2 "$CL_DIR/reexec") <(head -n -1 "$CL_DIR/reexec") | awk '{ print $1 - $2 }') \
	>"$CL_DIR/reexec.moves"
[ "$SCENARIO" != crash ] &&
is "zero writes executed twice in the windows of the planned moves ($(grep -c '^kind=move ' "$CL_DIR/reexec.moves") moves)" \
	"$(awk '$1 == "kind=move" { n += $2 } END { print n + 0 }' "$CL_DIR/reexec.moves")" 0
[ "$SCENARIO" != crash ] &&
ok "... and there were moves to count" grep -q '^kind=move ' "$CL_DIR/reexec.moves"
diag "agent operations (the CIB's records, ms): mean / max per kind and action"
"$CL_HERE/clreport.py" table "$CL_DIR/ops.log" | sed 's/^/#   /'
if [ -n "${CL_RESULTS:-}" ]; then
	ok "the figures are written to $CL_RESULTS" "$CL_HERE/clreport.py" json "$CL_DIR" "$CL_RESULTS" \
		"scenario=$SCENARIO" "rounds=$ROUNDS" "form_ms=$CL_FORM_MS" "wall_s=$((($(cl_ms) - T_START) / 1000))" \
		"targets=$NTARGETS" "promotable=${PROMOTABLE:-none}"
fi
[ -n "${CL_KEEP:-}" ] && cp "$CL_DIR"/{moves.log,ops.log,summary,doc.crm,doc.pcs} "$CL_KEEP/" 2>/dev/null
done_testing
