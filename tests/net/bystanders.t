#!/usr/bin/env bash
# Fencing one portal touches nothing else: another port on the same
# address, the same port on another address, the same port over IPv6 keep
# every connection, keep moving data, and accept new ones.
. "$(dirname "$0")/netlib.sh"
net_bed

bystanders=("$VIP 3261" "$OTHER 3260" "$VIP6 3260")
serve "$VIP" 3260
hold "$VIP" 3260 2
for b in "${bystanders[@]}"; do
	set -- $b
	serve "$1" "$2"
	hold "$1" "$2" 3
	reader "$1" "$2" "r-$1-$2"
done

pf block --ip "$VIP" --port 3260 >/dev/null
is "block exits 0" "$?" 0
is "the fenced portal lost its sockets" "$(established "$SRV" "$VIP" 3260)" 0
for b in "${bystanders[@]}"; do
	set -- $b
	is "$1 port $2: all 4 connections kept" "$(established "$SRV" "$1" "$2")" 4
	ok "$1 port $2: the reader still receives data" reader_moves "r-$1-$2"
	is "$1 port $2: the server lost no socket" "$(killed "$(srv_log "$1" "$2")") $(closed "$(srv_log "$1" "$2")")" "0 0"
	is "$1 port $2: the clients lost no socket" "$(killed "$WORK/hold-$1-$2")" 0
	# last: the probe's own connection dies when it exits
	ok "$1 port $2: a new connection succeeds" connects "$1" "$2"
done
is "the portal's counters count nothing of the bystanders' traffic" \
	"$(pf_json 'd["counters"]["local_resets"] + d["counters"]["peer_resets"]' status --json)" 0

done_testing
