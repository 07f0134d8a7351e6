#!/usr/bin/env bash
# conns lists exactly the portal's established connections, one
# 'local<TAB>remote' line each (portblock's tickle format, IPv6 in
# brackets), and the same as JSON.
. "$(dirname "$0")/netlib.sh"
net_bed

serve "$VIP" 3260 && hold "$VIP" 3260 2
serve "$VIP6" 3260 && hold "$VIP6" 3260 2
serve "$OTHER" 3261 && hold "$OTHER" 3261 1

# truth ADDR PORT: the server's established sockets as ss sees them, in
# the tickle format
truth() {
	local a=$1
	case $a in *:*) a="[$a]";; esac
	ip netns exec "$SRV" ss -Htn state established "( src $a:$2 )" |
		awk '{ print $3 "\t" $4 }' | sort
}
conns() { pf conns "$@" | sort; }

is "conns --ip VIP --port 3260: the 2 connections, as ss sees them" "$(conns --ip "$VIP" --port 3260)" "$(truth "$VIP" 3260)"
ok "... in the tickle format" bash -c 'grep -qxE "$1:3260	$2:[0-9]+" <<<"$3"' _ "$VIP" "$CLIENT" "$(conns --ip "$VIP" --port 3260)"
is "IPv6: the 2 connections" "$(conns --ip "$VIP6" --port 3260)" "$(truth "$VIP6" 3260)"
is "IPv6: addresses in brackets" "$(conns --ip "$VIP6" --port 3260 | grep -cxE "\[$VIP6\]:3260	\[$CLIENT6\]:[0-9]+")" 2
is "a prefix: the IPv6 ones" "$(conns --ip 2001:db8::/64 --port 3260)" "$(truth "$VIP6" 3260)"
is "--port alone: both families" "$(conns --port 3260)" "$( (truth "$VIP" 3260; truth "$VIP6" 3260) | sort)"
is "another port, another address" "$(conns --ip "$OTHER" --port 3261)" "$(truth "$OTHER" 3261)"
is "no filter: all 5" "$(conns | wc -l)" 5
is "a portal with no connection: nothing" "$(conns --ip "$VIP" --port 3261)" ""
is "--json: the same connections" \
	"$(pf_json '"\n".join(sorted(c["local"] + "\t" + c["remote"] for c in d))' conns --port 3260 --json)" \
	"$(conns --port 3260)"
is "--json: an empty list when there are none" "$(pf_json 'd' conns --ip "$VIP" --port 3261 --json)" "[]"

pf block --ip "$VIP" --port 3260 >/dev/null
is "after block: the portal has no connection left to list" "$(conns --ip "$VIP" --port 3260)" ""
is "... the IPv6 twin still has its 2" "$(conns --ip "$VIP6" --port 3260 | wc -l)" 2

done_testing
