#!/usr/bin/env bash
# A SYN behind more IPv6 extension headers than any fixed walk would read:
# Linux delivers it (a listener answers seven Destination Options headers
# with a SYN-ACK), so a fence must read the chain to its end and drop it;
# a port nobody fences still answers.
. "$(dirname "$0")/netlib.sh"
net_bed

EXTSYN=$TOP/tests/net/extsyn.py
SRVMAC=$(cat "/proc/$(ip netns pids "$SRV" | head -1)/root/sys/class/net/srv0/address" 2>/dev/null ||
	ip -n "$SRV" -o link show srv0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
extsyn() { ip netns exec "$CLI" "$PY" "$EXTSYN" cli0 "$SRVMAC" "$CLIENT6" "$VIP6" "$1" "$2"; }
answered() { extsyn "$1" "$2"; }
unanswered() { extsyn "$1" "$2"; [ $? -eq 1 ]; }

serve "$VIP6" 3260
serve "$VIP6" 3261
ok "without a fence, a SYN behind 7 Destination Options headers is answered" answered 3260 7
# the longest chain the kernel itself delivers: 30 headers on the kernels
# this was written on, while 6.18 discards a SYN behind more than 12 (its
# Ip6InDiscards counts them). Either is longer than a parser's walk of a
# few fixed steps reads.
DEEP=30
answered 3260 $DEEP || DEEP=12
ok "... and behind $DEEP" answered 3260 $DEEP

# direction in: the listener's SYN-ACK, were the SYN to reach it, would
# leave untouched
pf block --ip "$VIP6" --port 3260 --direction in >/dev/null
is "block exits 0" "$?" 0
ok "fenced: a SYN behind 1 header gets no answer" unanswered 3260 1
ok "fenced: a SYN behind 7 headers gets no answer" unanswered 3260 7
ok "fenced: a SYN behind $DEEP headers gets no answer" unanswered 3260 $DEEP
ok "the port next door answers 7 headers" answered 3261 7
ok "... and $DEEP" answered 3261 $DEEP
ok "the SYNs were counted as dropped" ge \
	"$(pf_json 'sum(e["counters"]["syns_dropped"] for e in d)' list --json)" 3

pf unblock --ip "$VIP6" --port 3260 >/dev/null
ok "unblocked: 7 headers answered again" answered 3260 7

done_testing
