#!/usr/bin/env bash
# The pin dir is trusted only when root's: not reached through a symbolic
# link, owned by root, writable by no one else, on a bpffs. Otherwise every
# command exits 1 (a runtime state, not bad input: the agent must not ban
# the resource everywhere) naming the dir, and nothing is loaded or
# fenced. The load lock is waited for a bounded time.
. "$(dirname "$0")/netlib.sh"
net_bed

# refused NAME DIR WORDS: a block with pin dir DIR exits 1 naming it and
# saying WORDS, nothing created there, nothing attached.
refused() {
	local name=$1 dir=$2 words=$3
	ip netns exec "$SRV" "$PORTFENCE" --pin-dir "$dir" block --ip "$VIP" --port 3260 \
		>/dev/null 2>"$WORK/err"
	is "$name: exit 1" "$?" 1
	ok "$name: the message names the dir and says why" \
		bash -c 'grep -qF "'"'"'$1'"'"'" "$3" && grep -qF "$2" "$3"' _ "$dir" "$words" "$WORK/err"
	is "$name: nothing attached" "$(fence_hooks "$SRV")" 0
}

ln -s "$PIN" "$WORK/link"
refused "a symbolic link" "$WORK/link" "symbolic link"
mkdir "$WORK/realdir" && ln -s "$WORK/realdir" "$WORK/via"
refused "a path through a symbolic link" "$WORK/via/pins" "symbolic link '$WORK/via'"
mkdir -m 0700 "$PIN/other" && chown 65534 "$PIN/other"
refused "owned by another user" "$PIN/other" "owned by uid 65534"
mkdir -m 0700 "$PIN/wide" && chmod 1777 "$PIN/wide"
refused "writable by others" "$PIN/wide" "writable by others"
new_tmpdir plain
chmod 0700 "$plain"
refused "not on a bpffs" "$plain" "not on a bpffs"
is "... nothing was created in it" "$(ls -A "$plain")" ""
new_tmpdir open
mount -t bpf bpf "$open" && _tb_mounts+=("$open")
refused "a bpffs mounted with the default mode (1777)" "$open" "mode=0700"
pf status >/dev/null
is "the trusted pin dir still works" "$?" 0

# The lock: a holder that never lets go makes load give up, not hang.
mkdir -m 0700 "$PIN/locked"
# one process, its pid cleaned up: it takes the lock, then becomes sleep
(exec 9<"$PIN/locked" && flock 9 && touch "$WORK/held" && exec sleep 60) &
_tb_pids+=("$!")
tb_wait 3 test -e "$WORK/held" || diag "the lock holder did not start"
SECONDS=0
PORTFENCE_LOCK_WAIT_MS=500 ip netns exec "$SRV" "$PORTFENCE" --pin-dir "$PIN/locked" load \
	>/dev/null 2>"$WORK/err"
is "locked: load exits 1" "$?" 1
ok "locked: within the bound, not forever" test "$SECONDS" -le 5
ok "locked: says so" grep -q "locked by another process for 500 ms" "$WORK/err"

# A wrong pin dir (a typo) never reaches the fence of the pin dir in
# charge: every command that would fall back to the programs attached here
# (meant for pins that were lost) refuses, naming both dirs, and creates
# nothing: no directory, no lock, no pin.
serve "$VIP" 3270; serve "$VIP" 3271
pf block --ip "$VIP" --port 3270 --drain 0 >/dev/null
typo=$PIN/typo
wrong() { ip netns exec "$SRV" "$PORTFENCE" --pin-dir "$typo" "$@" >/dev/null 2>"$WORK/err"; }
names_both() { grep -qF "no fence is pinned in '$typo'" "$WORK/err" && grep -qF "fenced from the pin dir '$PIN'" "$WORK/err"; }
for cmd in "unblock --ip $VIP --port 3270" "unblock --ip $VIP --port 3270 --no-wake" \
	"block --ip $VIP --port 3271 --drain 0" "load" "attach" "list --json" "status --json" \
	"metrics" "conns --knocked" "unload"; do
	# shellcheck disable=SC2086 # the command's words
	wrong $cmd
	is "wrong pin dir: $cmd exits 1" "$?" 1
	ok "... naming both pin dirs" names_both
	ok "... creating nothing" test ! -e "$typo"
	ok "... the fence of the pin dir in charge holds" fenced --ip "$VIP" --port 3270
done
wrong check --ip "$VIP" --port 3270
rc=$?
is "wrong pin dir: check could not tell: exit 5" "$rc" 5
ok "... naming both pin dirs" names_both
ok "... creating nothing" test ! -e "$typo"
ok "the fence still holds: SYNs are dropped" syn_dropped "$VIP" 3270
ok "... nothing fenced through the wrong pin dir" connects "$VIP" 3271

done_testing
