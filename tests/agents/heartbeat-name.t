#!/usr/bin/env bash
# make install-as-portblock: fence-portblock under the name
# ocf:heartbeat:portblock (what LINSTOR Gateway writes), resource-agents'
# agent diverted aside with dpkg-divert, and make uninstall-as-portblock
# undoing it. Done in a staging root (DESTDIR, dpkg-divert --root) holding
# a copy of this machine's /usr/lib/ocf; the agent is then run under the
# heartbeat name with that root's /usr/lib/ocf bound over the real one in
# a private mount namespace. The host's own /usr/lib/ocf and dpkg
# diversions are checked untouched.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/agentlib.sh"
ra_setup
command -v dpkg-divert > /dev/null || skip_all "dpkg-divert is not installed"
HB=/usr/lib/ocf/resource.d/heartbeat/portblock
[ -f "$HB" ] || skip_all "$HB (resource-agents) is missing"

new_netns node node
new_bpffs pin
new_tmpdir root
chmod 755 "$root"
mkdir -p "$root/var/lib/dpkg" "$root/usr/lib"
cp -a /usr/lib/ocf "$root/usr/lib/"
host_sum=$(sha256sum "$HB" | cut -d' ' -f1)
host_diversions=$(dpkg-divert --list | sort)
make_in_root() { make -s -C "$TOP" "$@" DESTDIR="$root" >"$RA_DIR/stdout" 2>"$RA_ERR"; }
make_is() { is_rc "$1" "$2" "$RA_ERR" make_in_root "${@:3}"; }
diverted() { dpkg-divert --root="$root" --list | grep -qF "diversion of $HB to $HB.distrib"; }
# hb ACTION [PARAM=VALUE...]: the agent under the heartbeat name, as the
# staging root has it, with LINSTOR Gateway's parameters.
hb() {
	local action=$1 kv envs=()
	shift
	for kv in action=block ip=198.18.0.1 portno=3260 protocol=tcp "$@"; do envs+=("OCF_RESKEY_$kv"); done
	ip netns exec "$node" sh -c 'mount --bind "$0/usr/lib/ocf" /usr/lib/ocf && exec "$@"' "$root" \
		env OCF_ROOT=/usr/lib/ocf HA_RSCTMP="$(ra_state "$pin")" OCF_RESOURCE_INSTANCE=pblock0 \
		OCF_RESKEY_pin_dir="$pin" OCF_RESKEY_binary="$PORTFENCE" "${envs[@]}" \
		"$HB" "$action" >"$RA_DIR/stdout" 2>"$RA_ERR"
}
hb_is() { is_rc "$1" "$2" "$RA_ERR" hb "${@:3}"; }

make_is "install-as-portblock without fence-portblock installed: refused" 2 install-as-portblock
ok "... saying why" grep -q "make install (or the package) first" "$RA_ERR"
ok "... the heartbeat agent untouched" cmp -s "$HB" "$root$HB"
ok "... nothing diverted" bash -c '! dpkg-divert --root="$1" --list | grep -q portblock' _ "$root"

make_is "make install" 0 install
make_is "install-as-portblock" 0 install-as-portblock
is "the heartbeat name links to fence-portblock" "$(readlink "$root$HB")" \
	/usr/lib/ocf/resource.d/portfence/fence-portblock
ok "resource-agents' portblock kept as portblock.distrib" cmp -s "$HB" "$root$HB.distrib"
ok "the diversion is registered in the root (upgrades land in .distrib)" diverted
make_is "install-as-portblock again: 0" 0 install-as-portblock

hb meta-data
ok "ocf:heartbeat:portblock's meta-data is fence-portblock's" grep -q '<resource-agent name="fence-portblock"' "$RA_DIR/stdout"
hb_is "heartbeat name: start" 0 start
ok "heartbeat name: the portal is fenced by portfence" fenced "$node" "$pin" --ip 198.18.0.1 --port 3260
hb_is "heartbeat name: monitor" 0 monitor
hb_is "heartbeat name: stop" 0 stop
ok "heartbeat name: fence lifted" not_fenced "$node" "$pin" --ip 198.18.0.1 --port 3260
hb_is "heartbeat name: monitor after stop is 7" 7 monitor

make_is "uninstall-as-portblock" 0 uninstall-as-portblock
ok "resource-agents' portblock is back under its name" cmp -s "$HB" "$root$HB"
ok "... no .distrib left" test ! -e "$root$HB.distrib"
ok "... the diversion is gone" bash -c '! dpkg-divert --root="$1" --list | grep -q portblock' _ "$root"
make_is "uninstall-as-portblock again: 0" 0 uninstall-as-portblock
ok "... still resource-agents' portblock" cmp -s "$HB" "$root$HB"

is "the host's heartbeat portblock untouched" "$(sha256sum "$HB" | cut -d' ' -f1)" "$host_sum"
is "the host's diversions untouched" "$(dpkg-divert --list | sort)" "$host_diversions"
done_testing
