# shellcheck shell=bash
# Fault injection on the tests/net bed: a portfence command killed with
# SIGKILL at a random point of its run, then the state it left checked.
#
#   . "$(dirname "$0")/faultlib.sh"     # sources netlib.sh
#   run_us CMD...; median_us RESET CMD...  # CMD's run time, microseconds
#   kill_after US CMD...                 # CMD killed US us after its start
#   one_per_hook, no_filters, hooks_at_most N   # programs on lo's and srv0's hooks
#   agree PORT                           # check and list agree: yes or no
. "$(dirname "${BASH_SOURCE[0]}")/../net/netlib.sh"

# spawn US CMD...: start CMD (output discarded); unless US is "never",
# SIGKILL it by its pid US microseconds later; reap it and print how long
# it ran, in microseconds. Exit 1 if it was killed, 0 if it ended first.
spawn() {
	perl -MTime::HiRes=time,usleep -e '
		my $us = shift; my $t = time; my $pid = fork // die "fork: $!";
		if (!$pid) { open STDOUT, ">", "/dev/null"; open STDERR, ">", "/dev/null"; exec @ARGV or exit 127 }
		if ($us ne "never") { usleep($us); kill 9, $pid }
		waitpid($pid, 0); printf "%d\n", (time - $t) * 1e6; exit(($? & 127) == 9 ? 1 : 0)' "$@"
}
# run_us CMD...: how long CMD takes from fork to exit, in microseconds.
run_us() { spawn never "$@"; }
# kill_after US CMD...: CMD killed US microseconds after its start; exit 1
# if it was killed, 0 if it had ended before.
kill_after() { spawn "$@" >/dev/null; }

# random_us MAX: a random delay in [0, MAX] microseconds.
random_us() { echo $(( (RANDOM * 32768 + RANDOM) % ($1 + 1) )); }

# median_us RESET CMD...: the median run time of CMD (run_us) over three
# runs, each after the function RESET.
median_us() {
	local reset=$1 i
	shift
	for i in 1 2 3; do
		"$reset" >/dev/null 2>&1
		run_us "$@"
	done | sort -n | sed -n 2p
}

# hook_counts: "DEV HOOK N" for lo and srv0 of the server node, N the
# programs on that hook, tc filters and tcx alike (testlib's hooks).
hook_counts() {
	hooks "$SRV" | awk '{ n[$1 " " $2]++ } END {
		split("lo srv0", d, " "); split("ingress egress", h, " ")
		for (i = 1; i <= 2; i++) for (j = 1; j <= 2; j++) print d[i], h[j], n[d[i] " " h[j]] + 0 }'
}

# hooks_at_most N: no hook of lo or srv0 has more than N programs (says
# which one has, if one has).
hooks_at_most() { hook_counts | awk -v n="$1" '$3 > n { print $1, $2 ": " $3 " programs"; bad = 1 } END { exit bad }'; }
# no_filters, one_per_hook: exactly 0 or 1 program on every hook; with one,
# status sees them as its own, on both interfaces, and no other.
no_filters() { hook_counts | awk '$3 != 0 { print $1, $2 ": " $3 " programs"; bad = 1 } END { exit bad }'; }
one_per_hook() {
	local st
	hook_counts | awk '$3 != 1 { print $1, $2 ": " $3 " programs"; bad = 1 } END { exit bad }' || return 1
	st=$(pf status 2>&1)
	case $st in
	*"other filters:"*) echo "status: other filters"; return 1;;
	esac
	printf '%s\n' "$st" | grep -qx 'loaded: *yes' &&
		printf '%s\n' "$st" | grep -qx 'interfaces: *lo srv0' ||
		{ echo "status: ${st//$'\n'/; }"; return 1; }
}

# pins: pins in the pin dir (the kernel's maps.debug and progs.debug aside).
pins() { ls "$PIN" | grep -cv debug; }

# listed PORT: list holds an entry for VIP:PORT ("yes"/"no").
listed() {
	pf list 2>/dev/null | awk -v a="$VIP" -v p="$1" '$2 == a && $3 == p { f = 1 } END { print f ? "yes" : "no" }'
}
# checked PORT: check says VIP:PORT is fenced ("yes"/"no").
checked() { if fenced --ip "$VIP" --port "$1"; then echo yes; else echo no; fi; }
# agree PORT: check and list agree on PORT; prints the answer.
agree() {
	local c l
	c=$(checked "$1") l=$(listed "$1")
	[ "$c" = "$l" ] || { echo "check says $c, list says $l for port $1"; return 1; }
	echo "$c"
}
