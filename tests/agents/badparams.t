#!/usr/bin/env bash
# Bad parameters: start and validate-all exit 6 (OCF_ERR_CONFIGURED) with
# a message naming the value, and change nothing: no pins, no state file,
# and nothing a value smuggles in is ever run.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup

new_netns node node
new_bpffs pin
new_tmpdir tickle
new_tmpdir trap_dir
# A value is never run, but if a regression ran one, "reboot" and "touch"
# land here instead of on the machine.
for c in reboot touch; do
	printf '#!/bin/sh\necho "$0 $*" >> %s/ran\n' "$trap_dir" > "$trap_dir/$c"
	chmod +x "$trap_dir/$c"
done
export PATH=$trap_dir:$PATH

OK=(action=block portno=3260 ip=198.18.0.1)
# bad NAME=VALUE [OTHER=VALUE...]: the first assignment is the bad one.
bad() {
	local kv=$1 value=${1#*=} a rc
	for a in start validate-all; do
		ra "$node" "$pin" "$a" "${OK[@]}" "$@"
		rc=$?
		is "$kv: $a exits 6" "$rc" 6
		ok "$kv: $a names the value" grep -qF -- "'$value'" "$RA_ERR"
	done
	ok "$kv: nothing changed" nothing_changed
}
nothing_changed() {
	[ -e "$trap_dir/ran" ] && diag "ran: $(cat "$trap_dir/ran")"
	# (a fresh bpffs shows the kernel's maps.debug and progs.debug)
	[ -z "$(ls -A "$pin" | grep -v '\.debug$')" ] && [ -z "$(find "$RA_STATE" -type f)" ] &&
	[ ! -e "$trap_dir/ran" ] && [ -z "$(hooks "$node")" ]
}

bad portno=abc
bad portno=70000
bad 'portno=3260;reboot'
bad 'portno=3260,70000'
bad portno=0
bad portno=3261:3260
bad 'portno=3260 3261'
bad protocol=sctp
bad action=open
bad ip=999.1.1.1
bad ip=198.18.0.1/33
bad 'ip=198.18.0.1;reboot'
bad 'ip=$(touch x)'
bad ip=2001:db8::1::2
bad ip=2001:db8:0:0:0:0:0:0:1
bad direction=sideways
bad method=kill
bad status_check=maybe
bad keep_established=perhaps
bad drain=-1
bad drain=1s
bad drain=3600001
bad 'drain=100;reboot'
bad drain_stall=0x10
bad drain_stall=99999999999
bad drain_quiet=1s
bad drain_quiet=3600001
bad 'drain_quiet=100;reboot'
bad pin_dir=relative/pins
bad tickle_dir=relative/dir action=unblock
bad tickle_dir=/nonexistent/fence-portblock-tickles action=unblock
bad tickle_dir="$tickle" action=block
bad reset_local_on_unblock_stop=true action=block
# the agent asks portfence to parse the portal: what the CLI refuses, it
# refuses (its own shell parser took this, and every IPv4 address with it)
bad ip=::ffff:198.18.0.9/64
bad ip=198.18.0.1/4294967328

ra "$node" "$pin" start action=block ip=198.18.0.1
is "portno unset: start exits 6" "$?" 6
ok "portno unset: says so" grep -q "portno is not set" "$RA_ERR"
ra "$node" "$pin" start portno=3260
is "action unset: start exits 6" "$?" 6
# portblock refuses an unset protocol on every action (its meta-data marks
# it required); a drop-in must not pick tcp silently.
for a in start validate-all monitor stop; do
	ra "$node" "$pin" "$a" "${OK[@]}" protocol=
	is "protocol unset: $a exits 6, as portblock" "$?" 6
	ok "protocol unset: $a says so" grep -q "protocol is not set" "$RA_ERR"
done
ok "nothing changed by the unset ones" nothing_changed

ra "$node" "$pin" validate-all "${OK[@]}" 'sync_script=reboot now;reboot' tickle_dir="$tickle" action=unblock
is "sync_script is a command and its words, not a shell line: validate-all 0" "$?" 0
ra "$node" "$pin" start "${OK[@]}" sync_script=/nonexistent/csync2 tickle_dir="$tickle" action=unblock
is "sync_script missing: start exits 5" "$?" 5
ok "sync_script missing: names it" grep -qF "/nonexistent/csync2" "$RA_ERR"
ra "$node" "$pin" validate-all "${OK[@]}" firewall=nft
is "firewall (portblock's) is accepted" "$?" 0
ra "$node" "$pin" validate-all "${OK[@]}" ip=0.0.0.0/0
is "ip=0.0.0.0/0 (portblock's default) is accepted" "$?" 0
ra "$node" "$pin" validate-all "${OK[@]}" ip=::ffff:198.18.0.1
is "ip with an embedded IPv4 tail is accepted" "$?" 0
ra "$node" "$pin" validate-all "${OK[@]}" ip=2001:db8::/32 portno=3260,3261,860:870
is "ip prefix and mixed port list are accepted" "$?" 0
# ... and what the CLI takes, it takes (its own shell parser refused these)
for ip in '[2001:db8::1]' 198.18.0.0/08 '[2001:db8::]/032'; do
	ra "$node" "$pin" validate-all "${OK[@]}" ip="$ip"
	is "ip=$ip, as portfence takes it, is accepted" "$?" 0
done
ra "$node" "$pin" validate-all "${OK[@]}" portno=00000000003260
is "portno with leading zeros, as portfence takes it, is accepted" "$?" 0
ok "still nothing changed" nothing_changed

# and start uses the value as validated: the port list in normal form
ra "$node" "$pin" start action=block ip='[2001:db8::1]' portno=03260,0860:0860
is "start with ip=[2001:db8::1] portno=03260,0860:0860 exits 0" "$?" 0
fenced_exactly() {
	ip netns exec "$node" "$PORTFENCE" --pin-dir "$pin" check --exact "$@" >/dev/null
}
ok "... and fences 2001:db8::1 ports 3260 and 860" fenced_exactly --ip 2001:db8::1 --port 3260,860
ra "$node" "$pin" stop action=block ip='[2001:db8::1]' portno=03260,0860:0860
is "stop exits 0" "$?" 0

done_testing
