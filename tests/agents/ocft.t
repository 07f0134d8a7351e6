#!/usr/bin/env bash
# resource-agents' own ocft cases for portblock, run against fence-portblock:
# the shipped configuration with only the agent name, its root, and the pin
# dir and binary of this test bed changed. A drop-in answers every case as
# portblock does, including OCF_ERR_CONFIGURED for an unset protocol.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup
SHIPPED=/usr/share/resource-agents/ocft/configs/portblock
command -v ocft > /dev/null || skip_all "ocft (resource-agents) is not installed"
[ -r "$SHIPPED" ] || skip_all "$SHIPPED (resource-agents) is missing"

new_netns node node
new_bpffs pin
new_tmpdir cfg

# InstallPackage goes too: it runs apt-get for every case, and iptables is
# portblock's dependency, not fence-portblock's.
sed -e 's/^\(\s*Agent\s\+\)portblock\s*$/\1fence-portblock/' \
	-e "s|^\(\s*AgentRoot\s\+\).*|\1$TOP/agents|" \
	-e '/^\s*InstallPackage\s/d' \
	-e "s|^\(\s*\)Env OCF_RESKEY_action=block\s*$|&\n\1Env OCF_RESKEY_pin_dir=$pin\n\1Env OCF_RESKEY_binary=$PORTFENCE|" \
	"$SHIPPED" > "$cfg/fence-portblock"
is "config: only agent, root, pin dir and binary differ from portblock's" \
	"$(diff "$SHIPPED" "$cfg/fence-portblock" | grep '^[<>]' | sed 's/\s\+/ /g' | LC_ALL=C sort | xargs -d '\n' printf '%s|')" \
	"< Agent portblock|< AgentRoot /usr/lib/ocf/resource.d/heartbeat|< InstallPackage iptables|> Agent fence-portblock|> AgentRoot $TOP/agents|> Env OCF_RESKEY_binary=$PORTFENCE|> Env OCF_RESKEY_pin_dir=$pin|"

# ocft keeps its generated cases in /var/lib/resource-agents/ocft/cases:
# a tmpfs over /var/lib in the namespace's private mount namespace keeps
# them off the host.
out=$(set -o pipefail; ip netns exec "$node" bash -c '
	mount -t tmpfs -o mode=0755 ocft /var/lib || exit 1
	mkdir -p /var/lib/resource-agents/ocft/cases &&
	ocft make -d "$1" fence-portblock >/dev/null && ocft test fence-portblock' _ "$cfg" 2>&1 |
	sed 's/\x1b\[[0-9;]*m//g')
rc=$?
pf "$node" "$pin" unload > /dev/null 2>&1

cases=$(grep -c '^fence-portblock: .* - ' <<<"$out")
passed=$(grep -c '^fence-portblock: .* - OK\.$' <<<"$out")
is "ocft ran portblock's 11 cases" "$cases" 11
is "ocft: all 11 succeed" "$passed" 11
is "ocft exits 0" "$rc" 0
ok "ocft: unset protocol is OCF_ERR_CONFIGURED, as portblock" \
	grep -q "^fence-portblock: check base env: unset 'OCF_RESKEY_protocol' - OK\.$" <<<"$out"
[ "$passed" = 11 ] || sed 's/^/#   /' <<<"$out"
ok "ocft left no fence and no state behind" \
	bash -c '[ -z "$(find "$1" -type f ! -name ".ocft_runlog")" ]' _ "$RA_STATE"

done_testing
