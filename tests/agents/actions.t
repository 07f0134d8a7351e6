#!/usr/bin/env bash
# fence-portblock start/stop/monitor/status exit codes for action=block and
# action=unblock against the real kernel state, including state changed
# behind the agent's back, IPv6, and the portblock pairing on monitor.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup

new_netns node node
new_netns client client
tb_link "$node" 198.18.0.1/24 "$client" 198.18.0.2/24
ip -n "$node" -6 addr add 2001:db8::1/64 dev "$(ip -n "$node" -o link show type veth | awk -F'[ :@]+' '{print $2}')" nodad
ip -n "$client" -6 addr add 2001:db8::2/64 dev "$(ip -n "$client" -o link show type veth | awk -F'[ :@]+' '{print $2}')" nodad
new_bpffs pin
tb_bg "$node" "$PY" "$TCP_PY" serve :: 3260
tb_wait 5 tcp_probe "$client" 198.18.0.1 3260 || diag "server did not come up"

V4=(ip=198.18.0.1 portno=3260)

# --- action=block
ra_is "block: monitor before any start is 7" 7 "$node" "$pin" monitor action=block "${V4[@]}"
ra_is "block: status before any start is 7" 7 "$node" "$pin" status action=block "${V4[@]}"
ra_is "block: validate-all" 0 "$node" "$pin" validate-all action=block "${V4[@]}"
ra_is "block: start" 0 "$node" "$pin" start action=block "${V4[@]}"
ok "block: start fenced the portal" fenced "$node" "$pin" --ip 198.18.0.1 --port 3260
ok "block: new connections are dropped" tcp_blocked "$client" 198.18.0.1 3260
ra_is "block: monitor after start is 0" 0 "$node" "$pin" monitor action=block "${V4[@]}"
ra_is "block: start again is 0" 0 "$node" "$pin" start action=block "${V4[@]}"
pf "$node" "$pin" unblock --ip 198.18.0.1 --port 3260 >/dev/null
ra_is "block: monitor after a manual unblock is a failure (1)" 1 "$node" "$pin" monitor action=block "${V4[@]}"
ra_is "block: start repairs it" 0 "$node" "$pin" start action=block "${V4[@]}"
ra_is "block: monitor after repair is 0" 0 "$node" "$pin" monitor action=block "${V4[@]}"
pf "$node" "$pin" unload >/dev/null
ra_is "block: monitor after a manual unload is a failure (1)" 1 "$node" "$pin" monitor action=block "${V4[@]}"
ra_is "block: start reloads" 0 "$node" "$pin" start action=block "${V4[@]}"
ra_is "block: status is monitor" 0 "$node" "$pin" status action=block "${V4[@]}"
ra_is "block: pseudo status_check ignores the kernel" 0 "$node" "$pin" monitor action=block status_check=pseudo "${V4[@]}"
ra_is "block: stop" 0 "$node" "$pin" stop action=block "${V4[@]}"
ok "block: stop lifted the fence" not_fenced "$node" "$pin" --ip 198.18.0.1 --port 3260
ok "block: connections pass after stop" tcp_probe "$client" 198.18.0.1 3260
ra_is "block: monitor after stop is 7" 7 "$node" "$pin" monitor action=block "${V4[@]}"
ra_is "block: stop again is 0" 0 "$node" "$pin" stop action=block "${V4[@]}"
pf "$node" "$pin" block --ip 198.18.0.1 --port 3260 >/dev/null
ra_is "block: probe finds a fence it did not set: running (0), like portblock" 0 \
	"$node" "$pin" monitor action=block "${V4[@]}"
ra_is "block: stop removes it" 0 "$node" "$pin" stop action=block "${V4[@]}"
ok "block: ... and it is gone" not_fenced "$node" "$pin" --ip 198.18.0.1 --port 3260

# --- action=unblock
ra_is "unblock: monitor before any start is 7" 7 "$node" "$pin" monitor action=unblock "${V4[@]}"
ra_is "unblock: start" 0 "$node" "$pin" start action=unblock "${V4[@]}"
ok "unblock: start leaves the portal open" not_fenced "$node" "$pin" --ip 198.18.0.1 --port 3260
ok "unblock: connections pass" tcp_probe "$client" 198.18.0.1 3260
ra_is "unblock: monitor after start is 0" 0 "$node" "$pin" monitor action=unblock "${V4[@]}"
pf "$node" "$pin" block --ip 198.18.0.1 --port 3260 >/dev/null
ra_is "unblock: monitor after a manual block is a failure (1)" 1 "$node" "$pin" monitor action=unblock "${V4[@]}"
ra_is "unblock: start again opens it" 0 "$node" "$pin" start action=unblock "${V4[@]}"
ra_is "unblock: monitor is 0 again" 0 "$node" "$pin" monitor action=unblock "${V4[@]}"
pf "$node" "$pin" block --port 3260 >/dev/null
ra_is "unblock: a wider fence covering the portal is a failure too" 1 "$node" "$pin" monitor action=unblock "${V4[@]}"
pf "$node" "$pin" unblock --port 3260 >/dev/null
ra_is "unblock: stop" 0 "$node" "$pin" stop action=unblock "${V4[@]}"
ok "unblock: stop fenced the portal" fenced "$node" "$pin" --ip 198.18.0.1 --port 3260
ok "unblock: new connections are dropped after stop" tcp_blocked "$client" 198.18.0.1 3260
ra_is "unblock: monitor after stop is 7" 7 "$node" "$pin" monitor action=unblock "${V4[@]}"
ra_is "unblock: stop again is 0" 0 "$node" "$pin" stop action=unblock "${V4[@]}"
pf "$node" "$pin" unblock --ip 198.18.0.1 --port 3260 >/dev/null

# --- the pair: block's monitor while its unblock partner is started
RA_NAME=b ra_is "pair: block start" 0 "$node" "$pin" start action=block "${V4[@]}"
RA_NAME=u ra_is "pair: unblock start" 0 "$node" "$pin" start action=unblock "${V4[@]}"
RA_NAME=b ra_is "pair: block monitor is 0 while unblock has opened the portal" 0 \
	"$node" "$pin" monitor action=block "${V4[@]}"
RA_NAME=u ra_is "pair: unblock stop" 0 "$node" "$pin" stop action=unblock "${V4[@]}"
RA_NAME=b ra_is "pair: block monitor is 0 (fenced again)" 0 "$node" "$pin" monitor action=block "${V4[@]}"
RA_NAME=b ra_is "pair: block stop" 0 "$node" "$pin" stop action=block "${V4[@]}"
ok "pair: open after both stopped" not_fenced "$node" "$pin" --ip 198.18.0.1 --port 3260

# --- IPv6, port lists and ranges, udp
V6=(ip=2001:db8::1 portno=3260,3261)
ra_is "ipv6: block start" 0 "$node" "$pin" start action=block "${V6[@]}"
ok "ipv6: fenced" fenced "$node" "$pin" --ip 2001:db8::1 --port 3260,3261
ok "ipv6: new connections are dropped" tcp_blocked "$client" 2001:db8::1 3260
ok "ipv6: IPv4 is untouched" tcp_probe "$client" 198.18.0.1 3260
ra_is "ipv6: monitor" 0 "$node" "$pin" monitor action=block "${V6[@]}"
ra_is "ipv6: stop" 0 "$node" "$pin" stop action=block "${V6[@]}"
ok "ipv6: connections pass after stop" tcp_probe "$client" 2001:db8::1 3260
ra_is "range: block start 860:870 on every address" 0 "$node" "$pin" start action=block portno=0860:870
ok "range: fenced (leading zero normalized)" fenced "$node" "$pin" --port 860:870
ra_is "range: monitor" 0 "$node" "$pin" monitor action=block portno=0860:870
ra_is "range: stop" 0 "$node" "$pin" stop action=block portno=0860:870
ra_is "udp: block start" 0 "$node" "$pin" start action=block protocol=udp "${V4[@]}"
ok "udp: fenced" fenced "$node" "$pin" --ip 198.18.0.1 --port 3260 --proto udp
ok "udp: tcp is not" not_fenced "$node" "$pin" --ip 198.18.0.1 --port 3260
ra_is "udp: stop" 0 "$node" "$pin" stop action=block protocol=udp "${V4[@]}"

# --- attachment: the VIP lands on an interface created after the fence
ra_is "attach: block start" 0 "$node" "$pin" start action=block ip=198.18.0.77 portno=3260
ip -n "$node" link add late0 type veth peer name late1
ip -n "$node" link set late0 up
ip -n "$node" addr add 198.18.0.77/32 dev late0
ok "attach: the VIP's interface has no programs yet" test -z "$(pf "$node" "$pin" status --json | grep -o '"name": "late0"')"
ra_is "attach: monitor reconciles: 0" 0 "$node" "$pin" monitor action=block ip=198.18.0.77 portno=3260
ok "attach: ... and logs the interface it attached" grep -q "reconciled: portfence programs attached late0" "$RA_ERR"
ra_is "attach: start again is 0" 0 "$node" "$pin" start action=block ip=198.18.0.77 portno=3260
ra_is "attach: monitor is 0" 0 "$node" "$pin" monitor action=block ip=198.18.0.77 portno=3260
ra_is "attach: stop" 0 "$node" "$pin" stop action=block ip=198.18.0.77 portno=3260
ip -n "$node" link del late0

# --- the default binary, "portfence", is found in PATH
PATH=$(dirname "$PORTFENCE"):$PATH ra_is "binary found in PATH by name" 0 \
	"$node" "$pin" start action=block "${V4[@]}" binary=portfence
PATH=$(dirname "$PORTFENCE"):$PATH ra_is "... and stopped" 0 \
	"$node" "$pin" stop action=block "${V4[@]}" binary=portfence

# --- environment failures
ra_is "missing binary: start is 5" 5 "$node" "$pin" start action=block "${V4[@]}" binary=/nonexistent/portfence
ra_is "missing binary: probe is 7" 7 "$node" "$pin" monitor action=block "${V4[@]}" binary=/nonexistent/portfence
ra_is "missing binary: stop of a stopped resource is 0" 0 "$node" "$pin" stop action=block "${V4[@]}" binary=/nonexistent/portfence
mkdir -m 1777 "$RA_DIR/nobody"
ok "not root: start is 4 (OCF_ERR_PERM)" bash -c '
	ip netns exec "$1" su nobody -s /bin/sh -c "env OCF_ROOT=$OCF_ROOT HA_RSCTMP=$2 OCF_RESKEY_action=block OCF_RESKEY_protocol=tcp \
		OCF_RESKEY_portno=3260 OCF_RESKEY_pin_dir=$3 OCF_RESKEY_binary=$4 $5 start" 2>/dev/null
	[ $? -eq 4 ]' _ "$node" "$RA_DIR/nobody" "$pin" "$PORTFENCE" "$AGENT"
ok "state files: none left after the stops" bash -c '[ -z "$(find "$1" -type f)" ]' _ "$RA_STATE"

done_testing
