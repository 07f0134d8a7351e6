#!/usr/bin/env bash
# Without root (uid 65534, no capabilities at all) every command that
# changes something exits 3 and changes nothing; commands that read the
# pinned state exit 3 too rather than report a state they cannot see.
. "$(dirname "$0")/netlib.sh"
net_bed
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) is missing"

nobody() {
	ip netns exec "$SRV" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$PORTFENCE" --pin-dir "$PIN" "$@" \
		>"$WORK/out" 2>"$WORK/err"
}
# denied NAME COMMAND ARGS...: exit 3 with a "not permitted" message.
denied() {
	local name=$1 rc
	shift
	nobody "$@"
	rc=$?
	is "$name: exit 3" "$rc" 3
	ok "$name: the message says not permitted" grep -q 'not permitted' "$WORK/err"
}

fresh=$(ls -A "$PIN")
denied "fresh: load" load
denied "fresh: block" block --ip "$VIP" --port 3260
denied "fresh: unload" unload
denied "fresh: tickle" tickle --ip "$VIP" --port 3260 --peer "$CLIENT:40000"
is "fresh: nothing was loaded or pinned" "$(ls -A "$PIN")" "$fresh"
is "fresh: no tc filter" "$(hooks "$SRV")" ""

serve "$VIP" 3260
hold "$VIP" 3260 2
pf block --ip "$VIP" --port 3261 >/dev/null || diag "root cannot block"
pins=$(ls -A "$PIN") table=$(pf list --json) filters=$(hooks "$SRV")

denied "loaded: block" block --ip "$VIP" --port 3260
is "loaded: the portal was not fenced" "$(pf check --ip "$VIP" --port 3260 >/dev/null 2>&1; echo $?)" 1
is "loaded: its connections were not destroyed" "$(established "$SRV" "$VIP" 3260)" 2
denied "loaded: unblock" unblock --ip "$VIP" --port 3261
ok "loaded: the fence stays" fenced --ip "$VIP" --port 3261
denied "loaded: unload" unload
denied "loaded: load --dev lo" load --dev lo
is "loaded: the fence table is unchanged" "$(pf list --json)" "$table"
is "loaded: the pins are unchanged" "$(ls -A "$PIN")" "$pins"
is "loaded: the tc filters are unchanged" "$(hooks "$SRV")" "$filters"

denied "loaded: check (3, not a 'not fenced' 1)" check --ip "$VIP" --port 3261
denied "loaded: list" list --json
denied "loaded: status" status --json

done_testing
