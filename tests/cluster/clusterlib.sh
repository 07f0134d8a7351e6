# shellcheck shell=bash
# A real two-node corosync 3 + Pacemaker 2.1 cluster on one machine, for
# tests/cluster/*.t.
#
#   . tests/lib/testlib.sh; . tests/cluster/clusterlib.sh
#   cl_need                  # root and the packages, or skip
#   cl_up                    # namespaces, nodes, corosync, pacemaker; waits for a DC
#   CL_COROSYNC_ONLY=1 cl_up # the same without pacemaker: waits for both members
#   cl_exec NODE CMD...      # CMD inside NODE (its network, mount and UTS namespaces)
#   cl_crm NODE ARGS...      # crm ARGS on NODE
#   cl_ini CMD...            # CMD in the initiator's namespace
#   cl_wait SECONDS CMD...   # CMD until it succeeds, SECONDS of wall time
#   cl_idle NODE             # no transition under way (the DC is S_IDLE)
#   cl_crash NODE            # NODE dies: its switch port down, every process killed
#   cl_node_up NODE          # NODE boots again (after a crash) and rejoins
#
# Each node (node1, node2) is one process, its holder, started by
# `ip netns exec NS unshare -m -u`: a network namespace with eth0 on a
# bridge, a mount namespace where the node's private directories are
# mounted over the host's, and a hostname of its own. Every daemon of the
# node (corosync, pacemakerd and its children, tgtd, the agents) runs in
# the holder's namespaces, entered with nsenter. What the node sees in
# place of the host's:
#   /etc                          overlay: host /etc + corosync.conf, /etc/portfence
#   /usr/lib/ocf/resource.d       overlay: + portfence/ (agents/), linbit/drbd
#                                 and pfbed/tgtd (tests/cluster/agents/)
#   /usr/local/sbin               portfence, portfence-peerd (build/), found by PATH
#   /usr/sbin                     overlay: + fence_pfbed (tests/cluster/agents/),
#                                 where pacemaker-fenced looks for fence agents
#   /var/lib/{pacemaker,corosync}, /var/log/{pacemaker,corosync,crmsh,pcsd}
#   /run, /dev/shm                private tmpfs (tgtd's socket, HA_RSCTMP, libqb)
#   /sys/fs/bpf                   a bpffs of the node's own
# so the host's directories are never written and the nodes never meet
# but over corosync's knet link and the portal addresses.
#
# Fencing: the bed's power switch (pdu.py) runs in the bridge's network
# namespace, on the host's side of every node, and listens on one "BMC"
# address per node on br0 (CL_BMC: 198.18.0.21 powers node1, .22 node2),
# as a node's IPMI controller does on a management network. The fence
# agent (agents/fence_pfbed, stonith:fence_pfbed) runs on the survivor
# inside its namespaces and reaches the switch over TCP like fence_ipmilan
# reaches a BMC: nothing of the host is mounted into a node for it, and the
# switch works whatever state the node it powers is in. off takes the
# node's port p-NODE down and kills by pid every process in its mount
# namespace (the one _cl_holder wrote to $CL_DIR/NODE/mnt) and its network
# namespace, as _cl_pids_in finds them; on gives its eth0
# its boot state (its own address alone) and brings the port up, the node
# running nothing until cl_node_up. Every request is logged with the wall
# clock in ms to $CL_DIR/pdu.log.
#
# Cleanup (registered before testlib's): every process in a node's mount
# namespace is killed by pid, which also drops that namespace's mounts.

CL_NODES="node1 node2"
declare -A CL_NS CL_ADDR CL_HOLDER CL_MNT CL_COROSYNC CL_PCMKD
CL_ADDR[ini]=198.18.0.1 CL_ADDR[node1]=198.18.0.11 CL_ADDR[node2]=198.18.0.12
declare -A CL_BMC=([node1]=198.18.0.21 [node2]=198.18.0.22)
CL_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CL_BOOT_TIMEOUT=${CL_BOOT_TIMEOUT:-180}
CL_HERE=$TOP/tests/cluster

trap 'exit 143' TERM
trap 'exit 130' INT
trap 'cl_cleanup; _tb_cleanup' EXIT

cl_ms() { echo $(($(date +%s%N) / 1000000)); }

# cl_wait SECONDS CMD...: CMD every 0.2 s until it succeeds, for at
# most SECONDS of wall time (a poll of the cluster takes a while itself).
cl_wait() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# cl_idle NODE: the cluster's controller (DC) has no transition under way.
cl_idle() {
	local dc
	dc=$(cl_exec "$1" crmadmin -q -D 2>/dev/null) && [ -n "$dc" ] &&
		[ "$(cl_exec "$1" crmadmin -q -S "$dc" 2>&1)" = S_IDLE ]
}

cl_need() {
	local bin
	need_root
	for bin in corosync pacemakerd crm pcs crm_verify crm_mon tgtd tgtadm nsenter unshare; do
		command -v "$bin" >/dev/null || skip_all "needs $bin (corosync, pacemaker, crmsh, pcs, tgt, util-linux)"
	done
	[ -x /usr/lib/ocf/resource.d/heartbeat/iSCSITarget ] || skip_all "needs resource-agents"
	getent passwd hacluster >/dev/null || skip_all "needs the hacluster user (pacemaker)"
}

# _cl_pids_in NODE: every process in NODE's mount namespace and its
# network namespace: a dead node's mount namespace number can be reused by
# another's, its named network namespace's cannot.
_cl_pids_in() {
	local mnt=${CL_MNT[$1]:-} net p
	[ -n "$mnt" ] || return 0
	net="net:[$(stat -L -c %i "/run/netns/${CL_NS[$1]}" 2>/dev/null)]"
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$mnt" ] &&
			[ "$(readlink "$p/ns/net" 2>/dev/null)" = "$net" ] && echo "${p#/proc/}"
	done
}

# cl_kill_node NODE: every process of NODE, killed by pid until none is
# left (the daemons respawn children while they die).
cl_kill_node() {
	local node=$1 i pids
	for i in $(seq 50); do
		pids=$(_cl_pids_in "$node")
		[ -n "$pids" ] || return 0
		# shellcheck disable=SC2086
		kill -9 $pids 2>/dev/null
		sleep 0.1
	done
	diag "processes of $node still alive: $(_cl_pids_in "$node" | tr '\n' ' ')"
	return 1
}

cl_cleanup() {
	local node
	[ -n "${CL_KEEP:-}" ] && [ -n "${CL_DIR:-}" ] && cl_save "$CL_KEEP"
	for node in $CL_NODES; do
		[ -n "${CL_HOLDER[$node]:-}" ] && cl_kill_node "$node"
	done
	[ -n "${CL_PDU:-}" ] && kill "$CL_PDU" 2>/dev/null
	return 0
}

# cl_exec NODE CMD...: CMD inside NODE's namespaces, with the PATH and
# environment the node's daemons have.
cl_exec() {
	local node=$1; shift
	nsenter -t "${CL_HOLDER[$node]}" -m -n -u -- env PATH="$CL_PATH" HOME=/root "$@"
}
cl_crm() { local node=$1; shift; cl_exec "$node" timeout 120 crm "$@"; }
cl_ini() { ip netns exec "${CL_NS[ini]}" "$@"; }

# _cl_port NODE: NODE's eth0 on the bridge.
_cl_port() {
	local node=$1 ns=${CL_NS[$1]} tmp=pc$$${1: -1}
	[ "$node" = ini ] && tmp=pc$$i
	ip link add "$tmp" netns "$ns" type veth peer name "p-$node" netns "${CL_NS[br]}" || return 1
	ip -n "$ns" link set "$tmp" name eth0 || return 1
	ip -n "$ns" addr add "${CL_ADDR[$node]}/24" dev eth0 || return 1
	ip -n "$ns" link set eth0 up || return 1
	ip -n "${CL_NS[br]}" link set "p-$node" master br0 up
}

# _cl_node_dirs NODE: the node's private directories, in $CL_DIR/NODE.
_cl_node_dirs() {
	local d=$CL_DIR/$1 x
	for x in etc.up etc.work ocf.up ocf.work sbin lib-pacemaker lib-corosync \
		log-pacemaker log-corosync log-crmsh log-pcsd usbin.up usbin.work; do
		mkdir -p "$d/$x" || return 1
	done
	mkdir -p "$d/etc.up/corosync" "$d/etc.up/portfence" \
		"$d/ocf.up/portfence" "$d/ocf.up/linbit" "$d/ocf.up/pfbed" \
		"$d/lib-pacemaker/cib" "$d/lib-pacemaker/pengine" \
		"$d/lib-pacemaker/blackbox" "$d/lib-pacemaker/cores" || return 1
	chown -R hacluster:haclient "$d/lib-pacemaker" "$d/log-pacemaker" || return 1
	chmod 750 "$d/lib-pacemaker"/* && chmod 770 "$d/log-pacemaker" || return 1
	ln -s "$TOP/agents/fence-portblock" "$d/ocf.up/portfence/fence-portblock" &&
	ln -s "$TOP/agents/tgt-account" "$d/ocf.up/portfence/tgt-account" &&
	ln -s "$CL_HERE/agents/drbd" "$d/ocf.up/linbit/drbd" &&
	ln -s "$CL_HERE/agents/tgtd" "$d/ocf.up/pfbed/tgtd" &&
	ln -s "$PORTFENCE" "$d/sbin/portfence" &&
	ln -s "$TOP/agents/portfence-peers" "$d/ocf.up/portfence/portfence-peers" &&
	ln -s "${PORTFENCE_PEERD:-$TOP/build/portfence-peerd}" "$d/sbin/portfence-peerd" &&
	ln -s "$CL_HERE/agents/fence_pfbed" "$d/usbin.up/fence_pfbed" || return 1
	_cl_corosync_conf >"$d/etc.up/corosync/corosync.conf" || return 1
	# crmsh pings a node by name before `crm node standby`.
	{ cat /etc/hosts; echo "${CL_ADDR[node1]} node1"; echo "${CL_ADDR[node2]} node2"; } \
		>"$d/etc.up/hosts" || return 1
	# The documented password_file: root's, mode 600, the same on both nodes.
	printf '%s\n' "$CL_CHAP_PASSWORD" >"$d/etc.up/portfence/chap-secret" &&
	chmod 600 "$d/etc.up/portfence/chap-secret"
}

_cl_corosync_conf() {
	cat <<-EOF
	totem {
		version: 2
		cluster_name: pfbed
		transport: knet
		crypto_cipher: none
		crypto_hash: none
	}
	nodelist {
		node {
			ring0_addr: ${CL_ADDR[node1]}
			name: node1
			nodeid: 1
		}
		node {
			ring0_addr: ${CL_ADDR[node2]}
			name: node2
			nodeid: 2
		}
	}
	quorum {
		provider: corosync_votequorum
		two_node: 1
	}
	logging {
		to_logfile: yes
		logfile: /var/log/corosync/corosync.log
		to_syslog: no
		to_stderr: no
		timestamp: hires
	}
	EOF
}

# The node's mounts, run by its holder before it settles: after this the
# holder's mount namespace is the node's.
# shellcheck disable=SC2016
_CL_MOUNTS='set -e
d=$1
hostname "$2"
mount --make-rprivate /
mount -t overlay overlay -o lowerdir=/etc,upperdir=$d/etc.up,workdir=$d/etc.work /etc
mount -t overlay overlay -o lowerdir=/usr/lib/ocf/resource.d,upperdir=$d/ocf.up,workdir=$d/ocf.work /usr/lib/ocf/resource.d
mount -t overlay overlay -o lowerdir=/usr/sbin,upperdir=$d/usbin.up,workdir=$d/usbin.work /usr/sbin
mount --bind $d/sbin /usr/local/sbin
mount --bind $d/lib-pacemaker /var/lib/pacemaker
mount --bind $d/lib-corosync /var/lib/corosync
mount --bind $d/log-pacemaker /var/log/pacemaker
for x in corosync crmsh pcsd; do
	[ -d /var/log/$x ] && mount --bind $d/log-$x /var/log/$x
done
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/tgtd /run/resource-agents /run/crm /run/lock /run/pcsd
chmod 1777 /run/lock
chown hacluster:haclient /run/crm
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t bpf -o mode=0700 bpf /sys/fs/bpf
: >$d/ready
exec sleep infinity'

# _cl_holder NODE: NODE's holder, its namespaces ready.
_cl_holder() {
	local node=$1
	rm -f "$CL_DIR/$node/ready" "$CL_DIR/$node/mnt"
	ip netns exec "${CL_NS[$node]}" unshare -m -u /bin/sh -c "$_CL_MOUNTS" sh "$CL_DIR/$node" "$node" \
		>>"$CL_DIR/$node/holder.log" 2>&1 &
	CL_HOLDER[$node]=$!
	_tb_pids+=("$!")
	# Killed with everything in its mount namespace at exit; disowned so
	# bash does not report each death.
	disown "$!"
	tb_wait 20 test -e "$CL_DIR/$node/ready" || return 1
	CL_MNT[$node]=$(readlink "/proc/${CL_HOLDER[$node]}/ns/mnt")
	echo "${CL_MNT[$node]}" >"$CL_DIR/$node/mnt"
}

# _cl_daemon NODE VAR CMD...: CMD in the background inside NODE; its pid
# into CL_<VAR>[NODE].
_cl_daemon() {
	local node=$1 var=$2
	shift 2
	nsenter -t "${CL_HOLDER[$node]}" -m -n -u -- env -i PATH="$CL_PATH" HOME=/root LANG=C.UTF-8 \
		PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_logfacility=none \
		"$@" >>"$CL_DIR/$node/$var.out" 2>&1 &
	eval "CL_$var[\$node]=\$!"
	disown "$!"
}

# _cl_pdu: the power switch, its BMC addresses on br0.
_cl_pdu() {
	local node args=()
	for node in $CL_NODES; do
		ip -n "${CL_NS[br]}" addr add "${CL_BMC[$node]}/24" dev br0 || return 1
		args+=("${CL_BMC[$node]}=$node" "$node=${CL_NS[$node]}:${CL_ADDR[$node]}/24")
	done
	ip netns exec "${CL_NS[br]}" python3 "$CL_HERE/pdu.py" "$CL_DIR" "${CL_NS[br]}" "${args[@]}" \
		>>"$CL_DIR/pdu.out" 2>&1 &
	CL_PDU=$!
	_tb_pids+=("$!")
	disown "$!"
	tb_wait 20 test -e "$CL_DIR/pdu.ready"
}

# cl_crash NODE: NODE dies at once, as a machine whose power fails: its
# switch port down first (nothing it sends after that leaves it), then
# every one of its processes killed. Its network namespace stays, with
# whatever addresses it held, cut off; the fence agent's on resets it.
cl_crash() {
	ip -n "${CL_NS[br]}" link set dev "p-$1" down || return 1
	cl_kill_node "$1"
}

# cl_node_up NODE: NODE boots after a crash (its port up, its network as
# a boot leaves it, as the switch's on does) and starts its cluster
# services; returns once a DC sees both nodes online.
cl_node_up() {
	local node=$1 n
	cl_kill_node "$node" || return 1
	ip -n "${CL_NS[$node]}" addr flush dev eth0 &&
		ip -n "${CL_NS[$node]}" addr add "${CL_ADDR[$node]}/24" dev eth0 &&
		ip -n "${CL_NS[br]}" link set dev "p-$node" up || return 1
	_cl_holder "$node" || { diag "$node's namespaces: $(tail -3 "$CL_DIR/$node/holder.log")"; return 1; }
	_cl_daemon "$node" COROSYNC corosync -f
	_cl_daemon "$node" PCMKD pacemakerd
	for n in $CL_NODES; do
		cl_wait "$CL_BOOT_TIMEOUT" cl_dc_and_online "$n" ||
			{ diag "$n: no DC with both nodes online after ${CL_BOOT_TIMEOUT}s"; return 1; }
	done
}

# cl_dc_and_online NODE: NODE sees a DC and both nodes online.
cl_dc_and_online() {
	local x
	x=$(cl_exec "$1" crm_mon --output-as=xml 2>/dev/null) || return 1
	echo "$x" | grep -q '<current_dc present="true"' &&
		[ "$(echo "$x" | grep -c '<node name="node[12]" .*online="true"')" = 2 ]
}

# cl_members NODE: NODE's corosync counts both nodes as members.
cl_members() {
	[ "$(cl_exec "$1" corosync-quorumtool -l 2>/dev/null | grep -cE ' node[12]( |$)')" = 2 ]
}

# cl_up: the bed, the cluster formed; CL_FORM_MS the time from corosync's
# start to a DC with both nodes online (with CL_COROSYNC_ONLY set: to both
# nodes members, no pacemaker started).
cl_up() {
	local node g t0
	tb_var CL_DIR tb_tmpdir || return 1
	chmod 755 "$CL_DIR"
	mkdir -p "$CL_DIR/luns" || return 1
	tb_var 'CL_NS[br]' tb_netns br || return 1
	ip -n "${CL_NS[br]}" link add br0 type bridge || return 1
	ip -n "${CL_NS[br]}" link set br0 up || return 1
	for node in ini $CL_NODES; do
		tb_var "CL_NS[$node]" tb_netns "$node" || return 1
		_cl_port "$node" || return 1
	done
	# The DRBD devices the documentation names, as files both nodes reach.
	for g in $(seq 0 $((${CL_LUN_FILES:-$((2 * CL_TARGETS))} - 1))); do
		truncate -s "${CL_LUN_MB}M" "$CL_DIR/luns/drbd$g.img" || return 1
	done
	_cl_pdu || { diag "the power switch did not start: $(cat "$CL_DIR/pdu.out")"; return 1; }
	for node in $CL_NODES; do
		_cl_node_dirs "$node" || { diag "cannot prepare $node's directories"; return 1; }
		_cl_holder "$node" || { diag "$node's namespaces: $(cat "$CL_DIR/$node/holder.log")"; return 1; }
	done
	t0=$(cl_ms)
	for node in $CL_NODES; do
		_cl_daemon "$node" COROSYNC corosync -f
	done
	if [ -n "${CL_COROSYNC_ONLY:-}" ]; then
		for node in $CL_NODES; do
			cl_wait "$CL_BOOT_TIMEOUT" cl_members "$node" ||
				{ diag "$node: not both members after ${CL_BOOT_TIMEOUT}s"; return 1; }
		done
		CL_FORM_MS=$(($(cl_ms) - t0))
		return 0
	fi
	for node in $CL_NODES; do
		_cl_daemon "$node" PCMKD pacemakerd
	done
	for node in $CL_NODES; do
		cl_wait "$CL_BOOT_TIMEOUT" cl_dc_and_online "$node" ||
			{ diag "$node: no DC with both nodes online after ${CL_BOOT_TIMEOUT}s"; return 1; }
	done
	CL_FORM_MS=$(($(cl_ms) - t0))
}

# cl_save DIR: the nodes' logs and CIBs, for a look after the test.
cl_save() {
	local out=$1 node
	mkdir -p "$out" || return 1
	for node in $CL_NODES; do
		mkdir -p "$out/$node"
		cp -r "$CL_DIR/$node"/log-* "$CL_DIR/$node"/*.out "$out/$node/" 2>/dev/null
		[ -n "${CL_HOLDER[$node]:-}" ] && kill -0 "${CL_HOLDER[$node]}" 2>/dev/null &&
			cl_exec "$node" crm_mon --output-as=xml >"$out/$node/crm_mon.xml" 2>/dev/null
	done
	cp "$CL_DIR"/*.log "$CL_DIR"/*.crm "$CL_DIR"/*.report "$out/" 2>/dev/null
	return 0
}
