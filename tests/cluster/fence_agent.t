#!/usr/bin/env bash
# The bed's fence agent (tests/cluster/agents/fence_pfbed) and power switch
# (tests/cluster/pdu.py) without a cluster: a "node" (a process in a mount
# namespace of its own, with a child, in a network namespace whose eth0 is
# a port of a bridge and holds a portal address) and a "survivor" on the
# same bridge running the agent, as pacemaker-fenced does (options on
# stdin) and as a person does (the command line).
. "$(dirname "$0")/../lib/testlib.sh"
need_root
for t in python3 unshare xmllint; do
	command -v "$t" >/dev/null || skip_all "needs $t"
done
AGENT=$TOP/tests/cluster/agents/fence_pfbed
new_tmpdir D
new_netns BR br
new_netns N1 node1
new_netns N2 node2
ip -n "$BR" link add br0 type bridge && ip -n "$BR" link set br0 up &&
	ip -n "$BR" addr add 198.18.0.21/24 dev br0 || exit 1
port() {
	ip link add "pc$$$2" netns "$1" type veth peer name "p-$2" netns "$BR" &&
		ip -n "$1" link set "pc$$$2" name eth0 && ip -n "$1" addr add "$3/24" dev eth0 &&
		ip -n "$1" link set eth0 up && ip -n "$BR" link set "p-$2" master br0 up
}
port "$N1" node1 198.18.0.11 && port "$N2" node2 198.18.0.12 || exit 1
# node1 also holds a portal address a cluster had put there.
ip -n "$N1" addr add 198.18.0.101/24 dev eth0 || exit 1

mkdir -p "$D/node1"
# shellcheck disable=SC2016
ip netns exec "$N1" unshare -m sh -c 'readlink /proc/self/ns/mnt >"$1.new" && mv "$1.new" "$1"
	sleep 1000 & exec sleep 1000' sh "$D/node1/mnt" &
NODE=$!
_tb_pids+=("$NODE")
disown "$NODE"
tb_wait 5 test -s "$D/node1/mnt" || exit 1
tb_bg "$BR" python3 "$TOP/tests/cluster/pdu.py" "$D" "$BR" 198.18.0.21=node1 "node1=$N1:198.18.0.11/24"
tb_wait 10 test -e "$D/pdu.ready" || { diag "the switch did not start"; exit 1; }

agent() { ip netns exec "$N2" "$AGENT" "$@" 2>"$D/err"; }
stdin() { printf '%s\n' "$@" | ip netns exec "$N2" "$AGENT" >>"$D/out" 2>"$D/err"; }
in_node() {
	python3 -c 'import os, sys
n = 0
for p in os.listdir("/proc"):
    try:
        n += p.isdigit() and os.readlink("/proc/%s/ns/mnt" % p) == sys.argv[1]
    except OSError:
        pass
print(n)' "$(cat "$D/node1/mnt")"
}
port_up() { ip -n "$BR" -o link show dev p-node1 | grep -q '<[^>]*,UP[,>]'; }

agent -o metadata >"$D/meta.xml"
ok "metadata is well-formed XML" xmllint --noout "$D/meta.xml"
for a in on off reboot status list monitor metadata; do
	ok "metadata: action $a" grep -q "<action name=\"$a\"" "$D/meta.xml"
done
for p in ip plug port ipport; do
	ok "metadata: parameter $p" grep -q "<parameter name=\"$p\"" "$D/meta.xml"
done

is "the node runs two processes" "$(in_node)" 2
# A process in the node's mount namespace but another network namespace:
# what another's namespace looks like once a dead node's mount namespace
# number is reused. It is not the node's, and off leaves it alone.
nsenter --mount="/proc/$NODE/ns/mnt" --net="/run/netns/$N2" sleep 1000 &
OTHER=$!
_tb_pids+=("$OTHER")
disown "$OTHER"
tb_wait 5 eval '[ "$(in_node)" = 3 ]' || diag "the other process did not start"
is "status (command line): on" "$(agent -o status -a 198.18.0.21)" "Status: ON"
is_rc "monitor (stdin): exit 0" 0 "$D/err" stdin action=monitor ip=198.18.0.21
is "list: the node the device powers" "$(agent -o list -a 198.18.0.21)" node1,node1
is_rc "a plug the device does not power is refused (exit 1)" 1 "$D/err" \
	stdin action=off ip=198.18.0.21 plug=node2
ok "... the node still runs" eval '[ "$(in_node)" = 3 ] && port_up'
is_rc "an unreachable device: exit 1" 1 "$D/err" stdin action=status ip=198.18.0.29 login_timeout=1

is_rc "off as pacemaker-fenced runs it (stdin, port=node1): exit 0" 0 "$D/err" \
	stdin action=off ip=198.18.0.21 port=node1 nodename=node2 username=admin password=x lanplus=1
ok "off: the node's switch port is down" eval '! port_up'
ok "off: every process of the node is gone, the other one is left" eval \
	'[ "$(in_node)" = 1 ] && kill -0 "$OTHER"'
kill -9 "$OTHER"
is_rc "status after off: exit 2" 2 "$D/err" stdin action=status ip=198.18.0.21
is_rc "on: exit 0" 0 "$D/err" stdin action=on ip=198.18.0.21
ok "on: the port is up" port_up
is "on: the node's eth0 as a boot leaves it (its own address alone)" \
	"$(ip -n "$N1" -4 -o addr show dev eth0 | awk '{ print $4 }')" 198.18.0.11/24
is_rc "reboot: exit 0" 0 "$D/err" stdin action=reboot ip=198.18.0.21
ok "reboot: the switch logged an off then an on" eval \
	"tail -8 '$D/pdu.log' | grep -o 'done=o[nf]*' | tr '\n' ' ' | grep -q 'done=off .*done=on'"
ok "reboot: the port is up again" port_up
done_testing
