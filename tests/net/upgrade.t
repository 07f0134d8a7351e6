#!/usr/bin/env bash
# An upgrade under a live fence (docs/reference.md, Upgrades): another
# build of the programs is loaded and fencing; this build's `portfence
# load` replaces them in place on tcx and on clsact, the build for devices
# without a MAC header (a tun) too. The pinned and the attached programs
# change (ids and tags), every map and fence is kept: no SYN reaches the
# fenced portal meanwhile and no fenced connection comes back, while a
# stream on the portal next door never stalls nor drops; this build's
# unblock lifts the fence. Loading the same build again replaces nothing;
# the other build loads back in the same way.
. "$(dirname "$0")/netlib.sh"
net_bed
command -v bpftool >/dev/null || skip_all "bpftool is missing"
OLD=$TOP/build/tests/variant/portfence
[ -x "$OLD" ] || skip_all "$OLD is missing: run make"

serve "$VIP" 3260
serve "$OTHER" 3261

pf_old() { ip netns exec "$SRV" "$OLD" --pin-dir "$PIN" "$@"; }
# pinned NAME: "ID TAG" of the program pinned as NAME
pinned() { bpftool prog show pinned "$PIN/$1" | awk 'NR == 1 { sub(":", "", $1); print $1, $6 }'; }
# attached HOOK [DEV]: the ids of the programs on DEV's HOOK (ingress,
# egress; DEV srv0 unless given)
attached() {
	local dev=${2:-srv0}
	ip netns exec "$SRV" "$TCXPROG" ids | awk -v d="$dev" -v h="$1" '$1 == d && $2 == h && $3 ~ /^fence_/ { print $4 }'
	ip netns exec "$SRV" tc filter show dev "$dev" "$1" 2>/dev/null | grep -oE ' id [0-9]+' | awk '{ print $2 }'
}
# all_ids [DEV], pinned_ids [l3_]: what DEV runs, what is pinned (for L3 devices)
all_ids() { echo "$(attached ingress "${1:-srv0}") $(attached egress "${1:-srv0}")"; }
pinned_ids() { echo "$(pinned "prog_${1:-}ingress" | cut -d' ' -f1) $(pinned "prog_${1:-}egress" | cut -d' ' -f1)"; }
# the longest run of samples (every 0.1 s) in which the stream did not move
longest_stall() {
	awk 'NR > 1 && $1 == last { run++; if (run > max) max = run } $1 != last { run = 0 } { last = $1 } END { print max + 0 }' "$1"
}

# more_lines FILE N: FILE has at least N lines
more_lines() { [ "$(wc -l <"$1")" -ge "$2" ]; }
load_into() { pf load >"$1" 2>"$WORK/err"; }

upgrade_under_fence() {
	local mode=$1 old_in old_eg old_l3 ids l3_ids sweep n
	export PORTFENCE_ATTACH=$mode
	# a device without a MAC header, so the L3 build is loaded and replaced too
	ip -n "$SRV" tuntap add mode tun name tun0 && ip -n "$SRV" link set tun0 up || exit 1
	reader "$OTHER" 3261 "stream-$mode"
	hold "$VIP" 3260 2 "held-$mode"
	pf_old block --ip "$VIP" --port 3260 --drain 0 >/dev/null
	is "$mode: the other build fences" "$?" 0
	is "... on $mode" "$(pf_json 'd["attach"]' status --json)" "$mode"
	ok "... its held connections were torn down" tb_wait 3 killed_at_least "$(srv_log "$VIP" 3260)" 2
	old_in=$(pinned prog_ingress) old_eg=$(pinned prog_egress) sweep=$(pinned prog_sweep)
	old_l3=$(pinned prog_l3_ingress)
	ids=$(all_ids) l3_ids=$(all_ids tun0)
	is "... srv0 runs the pinned programs" "$ids" "$(pinned_ids)"
	is "... tun0 the pinned L3 build" "$l3_ids" "$(pinned_ids l3_)"

	# a client kept trying the fenced portal, the stream sampled, throughout
	tb_bg "$CLI" bash -c "while :; do '$HOLD' probe '$VIP' 3260 200; echo \$?; done" >"$WORK/probes-$mode"
	local prober=$TB_PID
	tb_bg "$CLI" bash -c "while :; do awk '\$1 == \"connected\" { print \$3 }' '$WORK/stream-$mode'; sleep 0.1; done" >"$WORK/samples-$mode"
	local sampler=$TB_PID
	local lport probes samples
	lport=$(reader_lport "stream-$mode")
	tb_wait 10 more_lines "$WORK/probes-$mode" 2 && tb_wait 10 more_lines "$WORK/samples-$mode" 5
	probes=$(wc -l <"$WORK/probes-$mode") samples=$(wc -l <"$WORK/samples-$mode")
	is_rc "$mode: this build's load over the other's" 0 "$WORK/err" load_into "$WORK/out"
	n=$(tc_filters "$SRV" | grep -c ' handle ')
	ok "... says what it replaced: every interface, the fence kept" \
		grep -qx "replaced the programs in place (3 interfaces), fences kept: 1" "$WORK/out"
	ok "(the client tried before and after it)" tb_wait 10 more_lines "$WORK/probes-$mode" $((probes + 2))
	ok "(the stream was sampled before and after it)" tb_wait 10 more_lines "$WORK/samples-$mode" $((samples + 5))
	kill -9 "$prober" "$sampler" 2>/dev/null
	wait "$prober" "$sampler" 2>/dev/null

	isnt_same() { [ "$1" != "$2" ] && [ -n "$1" ]; }
	ok "... the pinned ingress program is another (id and tag)" isnt_same "$(pinned prog_ingress)" "$old_in"
	ok "... its tag too" isnt_same "$(pinned prog_ingress | cut -d' ' -f2)" "${old_in#* }"
	ok "... the pinned egress program is another" isnt_same "$(pinned prog_egress | cut -d' ' -f2)" "${old_eg#* }"
	ok "... the sweep program was pinned anew" isnt_same "$(pinned prog_sweep | cut -d' ' -f2)" "${sweep#* }"
	ok "... srv0 runs other programs" isnt_same "$(all_ids)" "$ids"
	is "... the pinned ones" "$(all_ids)" "$(pinned_ids)"
	ok "... the L3 build pinned is another" isnt_same "$(pinned prog_l3_ingress | cut -d' ' -f2)" "${old_l3#* }"
	ok "... tun0 runs other programs" isnt_same "$(all_ids tun0)" "$l3_ids"
	is "... the pinned L3 build" "$(all_ids tun0)" "$(pinned_ids l3_)"
	is "... still on $mode" "$(pf_json 'd["attach"]' status --json)" "$mode"
	is "... one program per hook per interface" "$(fence_hooks "$SRV")" 6
	if [ "$mode" = clsact ]; then
		is "... the filters replaced in place, none added" "$n" 6
		ok "... at portfence's handle and priority" sh -c \
			"ip netns exec '$SRV' tc filter show dev srv0 ingress | grep -q 'pref 1 bpf .*handle 0x5046'"
	else
		is "... no tc filter" "$n" 0
	fi
	is "... and no SYN got through: every attempt timed out" "$(sort -u "$WORK/probes-$mode" | paste -sd' ')" 1
	is "... no fenced connection is established" "$(established "$SRV" "$VIP" 3260)" 0
	ok "... the fence holds" syn_dropped "$VIP" 3260
	ok "... check says fenced" fenced --ip "$VIP" --port 3260
	ok "... the stream next door was never still for 1 s" test "$(longest_stall "$WORK/samples-$mode")" -lt 10
	is "... on the same connection, never reset" "$(reader_lport "stream-$mode")" "$lport"
	ok "... and still moving" reader_moves "stream-$mode"

	ids=$(all_ids)
	pf load >"$WORK/out" 2>"$WORK/err"
	is "$mode: this build's load again: exit 0" "$?" 0
	ok "... replaces nothing" sh -c "! grep -q replaced '$WORK/out'"
	is "... the same programs" "$(all_ids)" "$ids"

	pf unblock --ip "$VIP" --port 3260 >/dev/null
	is "$mode: this build's unblock" "$?" 0
	ok "... lifts the fence" connects "$VIP" 3260
	pf_old load >"$WORK/out" 2>"$WORK/err"
	is "$mode: the other build's load back over this one: exit 0" "$?" 0
	ok "... replaces them in the same way" grep -qx "replaced the programs in place (3 interfaces), fences kept: 0" "$WORK/out"
	is "... its programs run" "$(all_ids) $(all_ids tun0)" "$(pinned_ids) $(pinned_ids l3_)"
	ok "... the stream still moves" reader_moves "stream-$mode"
	pf unload >/dev/null
	is "$mode: unload removes every pin" "$(ls "$PIN" | grep -cv debug)" 0
	ip -n "$SRV" link del tun0
	kill -9 "$READER_PID" 2>/dev/null
	wait "$READER_PID" 2>/dev/null
	unset PORTFENCE_ATTACH
}

upgrade_under_fence tcx
upgrade_under_fence clsact

done_testing
