# shellcheck shell=bash
# TAP helpers and test-bed plumbing for tests/*/*.t (docs/reference.md,
# The test bed).
#
#   . "$(dirname "$0")/../lib/testlib.sh"
#   need_root                       # skip all (or fail under CI=true) if not root
#   new_netns ns a                   # a network namespace in $ns, removed at exit
#   new_bpffs pin                    # a private bpffs mount, unmounted at exit
#   new_tmpdir dir                   # a temp dir, removed at exit
#   tb_bg ns CMD...                  # start CMD in ns; its pid is killed at exit
#   ok "name" CMD...                 # one test: passes if CMD exits 0
#   is "name" GOT WANT
#   is_rc "name" WANT LOG CMD...    # one test: CMD exits WANT; LOG shown if not
#   hooks ns; fence_hooks ns         # programs on tc and tcx hooks; how many are ours
#   done_testing
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PORTFENCE=${PORTFENCE:-$TOP/build/portfence}
TCXPROG=$TOP/build/tests/tcxprog
TB_ID=pft$$
_tb_n=0 _tb_failed=0 _tb_netns=() _tb_mounts=() _tb_pids=() _tb_dirs=()

_tb_cleanup() {
	local p m n d
	for p in "${_tb_pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for p in "${_tb_pids[@]}"; do wait "$p" 2>/dev/null; done
	for m in "${_tb_mounts[@]}"; do umount -l "$m" 2>/dev/null; rmdir "$m" 2>/dev/null; done
	for n in "${_tb_netns[@]}"; do ip netns del "$n" 2>/dev/null; done
	for d in "${_tb_dirs[@]}"; do rm -rf "$d"; done
}
trap _tb_cleanup EXIT

diag() { printf '# %s\n' "$*"; }

ok() {
	local name=$1; shift
	_tb_n=$((_tb_n + 1))
	if "$@"; then
		echo "ok $_tb_n - $name"
	else
		echo "not ok $_tb_n - $name"
		_tb_failed=$((_tb_failed + 1))
	fi
}

is() {
	local name=$1 got=$2 want=$3
	_tb_n=$((_tb_n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $_tb_n - $name"
	else
		echo "not ok $_tb_n - $name"
		diag "got:  '$got'"
		diag "want: '$want'"
		_tb_failed=$((_tb_failed + 1))
	fi
}

# is_rc NAME WANT LOG CMD...: run CMD, test its exit code against WANT; on
# a mismatch show LOG (what CMD wrote to stderr) as diagnostics.
is_rc() {
	local name=$1 want=$2 log=$3 rc
	shift 3
	"$@"
	rc=$?
	is "$name" "$rc" "$want"
	[ "$rc" = "$want" ] || sed 's/^/#   /' "$log"
	return 0
}

skip_all() {
	if [ "${CI:-}" = true ]; then
		echo "1..1"; echo "not ok 1 - cannot run under CI: $*"; exit 1
	fi
	echo "1..0 # SKIP $*"; exit 0
}

need_root() { [ "$(id -u)" = 0 ] || skip_all "needs root"; }

done_testing() { echo "1..$_tb_n"; [ "$_tb_failed" -eq 0 ]; }

# tb_netns SUFFIX: create a namespace with lo up; prints its name.
tb_netns() {
	local n=$TB_ID-$1
	ip netns add "$n" && ip -n "$n" link set lo up || return 1
	_tb_netns+=("$n")
	echo "$n"
}

# tb_link NS_A ADDR_A NS_B ADDR_B: a veth pair between two namespaces,
# addresses with prefix (198.18.0.0/15 or 2001:db8::/32 only).
tb_link() {
	local a=$1 aaddr=$2 b=$3 baddr=$4 ia ib
	ia=v$_tb_n${RANDOM}a ib=v$_tb_n${RANDOM}b
	ip link add "$ia" netns "$a" type veth peer name "$ib" netns "$b" || return 1
	ip -n "$a" addr add "$aaddr" dev "$ia" nodad 2>/dev/null || ip -n "$a" addr add "$aaddr" dev "$ia"
	ip -n "$b" addr add "$baddr" dev "$ib" nodad 2>/dev/null || ip -n "$b" addr add "$baddr" dev "$ib"
	ip -n "$a" link set "$ia" up && ip -n "$b" link set "$ib" up
}

# tb_bpffs: a private bpffs mount to use as a pin dir; prints its path.
tb_bpffs() {
	local d
	d=$(mktemp -d /tmp/$TB_ID-bpffs.XXXXXX) || return 1
	mount -t bpf -o mode=0700 bpf "$d" || return 1
	_tb_mounts+=("$d")
	echo "$d"
}

# tb_tmpdir: a temp dir removed at exit.
tb_tmpdir() {
	local d
	d=$(mktemp -d /tmp/$TB_ID.XXXXXX) || return 1
	_tb_dirs+=("$d")
	echo "$d"
}

# tb_var VAR CMD...: CMD's output into VAR, CMD run in this shell. The
# tb_netns/tb_bpffs/tb_tmpdir above register what they make for cleanup;
# called as $(...) they would register it in a subshell, and the cleanup
# at exit would never see it.
tb_var() {
	local __v=$1 __f __rc
	shift
	__f=$(mktemp "/tmp/$TB_ID.var.XXXXXX") || return 1
	"$@" >"$__f"
	__rc=$?
	printf -v "$__v" %s "$(cat "$__f")"
	rm -f "$__f"
	return "$__rc"
}

# new_netns VAR SUFFIX, new_bpffs VAR, new_tmpdir VAR: tb_netns, tb_bpffs
# and tb_tmpdir into VAR; the test ends at once if one cannot be made.
new_netns() { tb_var "$1" tb_netns "$2" || { diag "cannot create netns $2"; exit 1; }; }
new_bpffs() { tb_var "$1" tb_bpffs || { diag "cannot mount a bpffs"; exit 1; }; }
new_tmpdir() { tb_var "$1" tb_tmpdir || { diag "cannot create a temp dir"; exit 1; }; }

# tb_bg NS CMD...: run CMD in the background inside NS; sets TB_PID.
tb_bg() {
	local n=$1; shift
	ip netns exec "$n" "$@" &
	TB_PID=$!
	_tb_pids+=("$TB_PID")
}

# tb_wait SECONDS CMD...: poll CMD every 50 ms until it succeeds.
tb_wait() {
	local t=$(( $1 * 20 )); shift
	while [ "$t" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05; t=$((t - 1))
	done
	return 1
}

# hooks NS: every program attached to an interface of NS, as a tc filter
# (clsact) or on tcx: one "DEV HOOK NAME" line each, tcx in run order.
hooks() {
	local dev h
	for dev in $(ip -n "$1" -o link show | awk -F'[ :@]+' '{ print $2 }'); do
		for h in ingress egress; do
			ip netns exec "$1" tc filter show dev "$dev" "$h" 2>/dev/null |
				awk -v d="$dev" -v h="$h" '/ handle / {
					for (i = 1; i < NF; i++) if ($i == "name") print d, h, $(i + 1) }'
		done
	done
	ip netns exec "$1" "$TCXPROG" list
}
# fence_hooks NS: how many portfence programs are attached in NS.
fence_hooks() { hooks "$1" | grep -c ' fence_'; }
