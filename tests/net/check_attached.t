#!/usr/bin/env bash
# check --attached counts a fence only where it is in force: the programs
# loaded and on both hooks of every interface holding an address of the
# portal. An entry whose traffic passes an interface without them holds
# nothing off, and check says which interface and address.
. "$(dirname "$0")/netlib.sh"
net_bed

out() { pf check --attached "$@" 2>&1; }

is "nothing loaded: not fenced (1)" "$(out --ip "$VIP" --port 3260; echo "rc $?")" \
	"tcp $VIP port 3260 not fenced
rc 1"

serve "$VIP" 3260
pf load --dev lo >/dev/null
is "load on lo only: exit 0" "$?" 0
pf block --ip "$VIP" --port 3260 --keep-established >/dev/null
is "block: exit 0" "$?" 0
is_rc "check without --attached: fenced (0)" 0 /dev/null quietly pf check --ip "$VIP" --port 3260
is "check --attached: fenced, not in force, naming srv0 (1)" \
	"$(out --ip "$VIP" --port 3260; echo "rc $?")" \
	"tcp $VIP port 3260 fenced, not in force: the portfence programs are not attached on srv0, which holds $VIP
rc 1"
ok "... and the fence indeed holds nothing off on srv0" connects "$VIP" 3260

pf block --ip "$VIP6" --port 3260 --keep-established >/dev/null
is "IPv6: not in force, naming srv0 and the address" \
	"$(out --ip "$VIP6" --port 3260; echo "rc $?")" \
	"tcp $VIP6 port 3260 fenced, not in force: the portfence programs are not attached on srv0, which holds $VIP6
rc 1"
pf block --ip 198.18.0.0/24 --port 3262 --keep-established >/dev/null
ok "a prefix: not in force through an address of it on srv0" \
	bash -c 'grep -qE "fenced, not in force: .* on srv0, which holds 198\.18\.0\.(1|3)$" <<<"$1"' _ \
	"$(out --ip 198.18.0.0/24 --port 3262)"
pf block --ip 198.18.9.1 --port 3263 --keep-established >/dev/null
is_rc "an address no interface holds: in force where it would pass (0)" 0 /dev/null \
	quietly pf check --attached --ip 198.18.9.1 --port 3263

pf load --dev srv0 >/dev/null
is "load --dev srv0: exit 0" "$?" 0
is "check --attached: fenced (0) once srv0 runs the programs" \
	"$(out --ip "$VIP" --port 3260; echo "rc $?")" "tcp $VIP port 3260 fenced
rc 0"
is_rc "... IPv6 too" 0 /dev/null quietly pf check --attached --ip "$VIP6" --port 3260
ok "... and the fence holds new connections off" syn_dropped "$VIP" 3260

pf unblock --ip "$VIP" --port 3260 >/dev/null
is_rc "lifted: not fenced (1)" 1 /dev/null quietly pf check --attached --ip "$VIP" --port 3260
pf block --port 3261 --keep-established >/dev/null
is_rc "a portal on every address: in force (0)" 0 /dev/null quietly pf check --attached --port 3261
pf unload >/dev/null
is "unloaded: not fenced (1)" "$(out --port 3261; echo "rc $?")" "tcp * port 3261 not fenced
rc 1"

done_testing
