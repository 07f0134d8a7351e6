#!/bin/sh
# Install the Debian 12 packages portfence builds and tests with, if missing.
# Idempotent and quiet when everything is present; needs root to install.
set -eu

PACKAGES="make gcc clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool pkg-config
libcriterion-dev tgt libiscsi-bin libiscsi-dev resource-agents iproute2 iptables
libxml2-utils perl python3 gnuplot-nox ethtool git debhelper dpkg-dev lintian iperf3
libclang-rt-14-dev nftables strace corosync libcpg-dev libcmap-dev pacemaker crmsh pcs rpm rpmlint checkpolicy semodule-utils prometheus"
# tests/unit/width32.t builds the portal parsers for a 32-bit target
[ "$(dpkg --print-architecture)" = amd64 ] && PACKAGES="$PACKAGES gcc-multilib"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# prometheus is there for promtool (tests/ops); its server, like tgtd below,
# stays off the host.
# tgt's package starts a tgtd on the default control port; the tests run
# their own tgtd per simulated node and never touch that one. corosync's
# and pacemaker's services likewise stay off the host: tests/cluster runs
# its own per node, in that node's namespaces.
apt-get install -y -qq --no-install-recommends $missing
