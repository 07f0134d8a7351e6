# shellcheck shell=bash
# The tgt-account tests' bed: a real tgtd in a node namespace of the test's
# own, on a control port of its own, with targets backed by files in a temp
# dir; a client namespace running the libiscsi initiator; the agent run as
# Pacemaker's executor would (one action per process, OCF_RESKEY_*), with a
# private HA_RSCTMP (its lock dir).
#
#   . "$(dirname "$0")/../lib/testlib.sh"
#   . "$(dirname "$0")/tgtlib.sh"
#   tgt_setup                      # root, tools, namespaces, tgtd
#   tgt_target N                   # target N (tid N, LUN 1, ACL ALL)
#   ta ACTION [PARAM=VALUE...]     # exit code of the agent
#   ta_is NAME WANT ACTION [PARAM=VALUE...]
#   login [USER PASSWORD] N        # iscsi-inq on target N; 0 if logged in
#   account_exists USER; bound USER N [outgoing]
AGENT=$TOP/agents/tgt-account
export OCF_ROOT=/usr/lib/ocf
TGT_USER=pfshared
TGT_PASS=shared-secret-2026
TGT_NODE_ADDR=198.18.40.1
TGT_CLIENT_ADDR=198.18.40.2
TGT_IQN_PREFIX=iqn.2026-01.test.portfence.account

tgt_iqn() { echo "$TGT_IQN_PREFIX:t$1"; }

# tgt_free_port: a control port no tgtd on this machine uses (its socket
# lives in the shared /run/tgtd, whatever the netns). Below the e2e bed's
# range (20000-31999).
tgt_free_port() {
	local p=$((10000 + $$ % 9000))
	while [ -e "/run/tgtd/socket.$p" ]; do p=$((p + 1)); done
	echo "$p"
}

tgt_setup() {
	local bin
	need_root
	for bin in tgtd tgtadm iscsi-inq flock xmllint; do
		command -v "$bin" >/dev/null || skip_all "needs $bin (tgt, libiscsi-bin, util-linux, libxml2-utils)"
	done
	[ -r "$OCF_ROOT/lib/heartbeat/ocf-shellfuncs" ] || skip_all "resource-agents is not installed"
	new_tmpdir TGT_DIR
	chmod 755 "$TGT_DIR"
	mkdir -p "$TGT_DIR/rsctmp" "$TGT_DIR/luns"
	TGT_RSCTMP=$TGT_DIR/rsctmp
	TA_ERR_FILE=$TGT_DIR/stderr
	new_netns TGT_NODE node
	new_netns TGT_CLIENT client
	tb_link "$TGT_NODE" "$TGT_NODE_ADDR/24" "$TGT_CLIENT" "$TGT_CLIENT_ADDR/24" ||
		{ diag "cannot link the namespaces"; exit 1; }
	TGT_PORT=$(tgt_free_port)
	tgtd_start || { diag "tgtd did not start on control port $TGT_PORT"; exit 1; }
}

# tgtd_start: a fresh tgtd in the node namespace (killed by pid at exit:
# `tgtd -f` ignores SIGTERM). Its socket files go at exit too.
tgtd_start() {
	[ -d /run/tgtd ] || mkdir -p /run/tgtd
	tb_bg "$TGT_NODE" tgtd -f -C "$TGT_PORT" >>"$TGT_DIR/tgtd.log" 2>&1
	TGT_PID=$TB_PID
	_tb_dirs+=("/run/tgtd/socket.$TGT_PORT" "/run/tgtd/socket.$TGT_PORT.lock")
	tb_wait 10 tgtadm_q --op show --mode sys
}

# tgtd_kill: tgtd dies (as in a crash); its stale socket file stays.
tgtd_kill() {
	kill -9 "$TGT_PID" 2>/dev/null
	wait "$TGT_PID" 2>/dev/null
}

tgtadm_() { tgtadm -C "$TGT_PORT" --lld iscsi "$@"; }
tgtadm_q() { tgtadm_ "$@" >/dev/null 2>&1; }

# tgt_target N: what iSCSITarget and iSCSILogicalUnit make: target N with
# tid N, LUN 1 on a file, every initiator address allowed, no account.
tgt_target() {
	local n=$1 lun=$TGT_DIR/luns/t$1.img
	[ -e "$lun" ] || truncate -s 4M "$lun"
	tgtadm_q --mode target --op new --tid "$n" --targetname "$(tgt_iqn "$n")" &&
	tgtadm_q --mode logicalunit --op new --tid "$n" --lun 1 --backing-store "$lun" &&
	tgtadm_q --mode target --op bind --tid "$n" --initiator-address ALL
}

tgt_target_delete() { tgtadm_q --mode target --op delete --force --tid "$1"; }

# ta ACTION [PARAM=VALUE...]: the agent with the shared account's
# parameters (overridden by later ones); output in $TGT_DIR/stdout, errors
# in $TA_ERR_FILE (or $TA_ERR_FILE_OVERRIDE).
ta() {
	local action=$1 kv envs=()
	shift
	for kv in username="$TGT_USER" password="$TGT_PASS" control_port="$TGT_PORT" "$@"; do
		envs+=("OCF_RESKEY_$kv")
	done
	ip netns exec "$TGT_NODE" env OCF_ROOT="$OCF_ROOT" HA_RSCTMP="${TA_RSCTMP:-$TGT_RSCTMP}" \
		OCF_RESOURCE_INSTANCE="${TA_NAME:-acct}" HA_LOGFACILITY=none \
		HA_LOGFILE="$TGT_DIR/agent.log" HA_DEBUGLOG=/dev/null \
		"${envs[@]}" "$AGENT" "$action" >"$TGT_DIR/stdout" 2>"${TA_ERR_FILE_OVERRIDE:-$TA_ERR_FILE}" 8>&-
	local rc=$?
	# Everything the agent ever printed, to look for secrets in.
	cat "$TGT_DIR/stdout" "${TA_ERR_FILE_OVERRIDE:-$TA_ERR_FILE}" >>"$TGT_DIR/all-output" 2>/dev/null
	return $rc
}

# t N [PARAM=VALUE...]: parameters of the resource of target N, for an
# unquoted $(t ...): values must hold no white space or glob characters.
t() { local n=$1; shift; echo "target_iqn=$(tgt_iqn "$n")"; printf '%s\n' "$@"; }

ta_is() { is_rc "$1" "$2" "${TA_ERR_FILE_OVERRIDE:-$TA_ERR_FILE}" ta "${@:3}"; }

# login [USER PASSWORD] N: the libiscsi initiator logs in to target N and
# reads LUN 1's inquiry data; 0 if it did.
login() {
	local url
	if [ $# -eq 3 ]; then
		url="iscsi://$1%$2@$TGT_NODE_ADDR/$(tgt_iqn "$3")/1"
	else
		url="iscsi://$TGT_NODE_ADDR/$(tgt_iqn "$1")/1"
	fi
	ip netns exec "$TGT_CLIENT" timeout 10 iscsi-inq "$url" >/dev/null 2>&1
}
refused() { ! login "$@"; }

# accounts: tgtd's account list, one per line.
accounts() { tgtadm_ --op show --mode account | sed -n 's/^    //p'; }
account_exists() { accounts | grep -qxF -- "$1"; }
no_account() { ! account_exists "$1"; }

# bindings USER: "tid[ outgoing]" per target binding USER, read from tgtd
# (the test's own parser, not the agent's).
bindings() {
	tgtadm_ --op show --mode target | awk -v u="$1" '
		/^Target [0-9]+:/ { tid = $2; sub(/:/, "", tid); acc = 0; next }
		/^    [A-Z]/ { acc = /Account information:/; next }
		acc && $0 == "        " u { print tid }
		acc && $0 == "        " u " (outgoing)" { print tid " outgoing" }'
}
bound() { bindings "$1" | grep -qx "$2${3:+ $3}"; }
not_bound() { ! bound "$@"; }

# tgt_state: everything tgtd holds about accounts, to compare before and
# after an action that must change nothing.
tgt_state() {
	accounts | sort
	tgtadm_ --op show --mode target | awk '
		/^Target [0-9]+:/ { print; acc = 0; next }
		/^    [A-Z]/ { acc = /Account information:/; next }
		acc'
}
