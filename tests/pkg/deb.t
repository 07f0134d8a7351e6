#!/usr/bin/env bash
# make deb from a clean clone of the repository (its HEAD: commit first):
# the package carries the version of VERSION, declares its dependencies,
# holds what make install installs, its binary runs, its units pass
# systemd-analyze verify, and lintian finds no error and no warning that
# docs/packaging.md does not explain.
. "$(dirname "$0")/../lib/testlib.sh"
for tool in git dpkg-buildpackage dh dpkg-deb; do
	command -v "$tool" >/dev/null || skip_all "needs $tool (make deps)"
done
git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 || skip_all "$TOP is not a git checkout"

new_tmpdir WORK
src=$WORK/src root=$WORK/root inst=$WORK/inst
git clone -q "$TOP" "$src" || exit 1
version=$(cat "$src/VERSION")
arch=$(dpkg --print-architecture)
deb=$src/build/portfence_${version}_$arch.deb

started=$SECONDS
make -C "$src" deb >"$WORK/build.log" 2>&1
rc=$?
is "make deb in a clean clone exits 0" "$rc" 0
[ "$rc" = 0 ] || tail -20 "$WORK/build.log" | sed 's/^/#   /'
diag "make deb took $((SECONDS - started)) s"
ok "it made build/portfence_${version}_$arch.deb" test -f "$deb"
[ -f "$deb" ] || { done_testing; exit; }

field() { dpkg-deb -f "$deb" "$1"; }
is "Package" "$(field Package)" portfence
is "Version: VERSION's" "$(field Version)" "$version"
is "Architecture: the build machine's" "$(field Architecture)" "$arch"
for dep in libbpf1 libelf1 zlib1g; do
	ok "Depends: $dep" grep -qE "(^|, )$dep( |,|$)" <<<"$(field Depends)"
done
ok "Recommends: resource-agents" grep -qw resource-agents <<<"$(field Recommends)"
ok "Suggests: tgt" grep -qw tgt <<<"$(field Suggests)"

dpkg-deb -x "$deb" "$root" || exit 1
ok "the binary: /usr/sbin/portfence" test -x "$root/usr/sbin/portfence"
ok "the daemon: /usr/sbin/portfence-peerd" test -x "$root/usr/sbin/portfence-peerd"
for a in fence-portblock tgt-account portfence-peers; do
	ok "the agent ocf:portfence:$a" test -x "$root/usr/lib/ocf/resource.d/portfence/$a"
done
ok "the agents' shell library" test -s "$root/usr/lib/ocf/lib/portfence/portfence-shellfuncs"
for m in man8/portfence.8 man8/portfence-peerd.8 man7/ocf_portfence_fence-portblock.7 \
	man7/ocf_portfence_tgt-account.7 man7/ocf_portfence_portfence-peers.7; do
	ok "the man page $m" test -s "$root/usr/share/man/$m.gz"
done
ok "the man page says the version" grep -q "\"portfence $version\"" <(zcat "$root/usr/share/man/man8/portfence.8.gz" | head -1)
for d in README.md docs/reference.md docs/packaging.md docs/README-iscsi.md copyright; do
	ok "the doc $d" bash -c 'ls "$1" "$1.gz" 2>/dev/null | grep -q .' _ "$root/usr/share/doc/portfence/$d"
done
units=$root/lib/systemd/system
for u in portfence.service portfence-metrics.service portfence-metrics.timer; do
	ok "the unit $u" test -s "$units/$u"
done

is "the packaged binary: --version" "$("$root/usr/sbin/portfence" --version)" "portfence $version"
ok "the packaged binary: --help lists metrics" grep -qE '^  metrics ' <("$root/usr/sbin/portfence" --help)
if [ -r /usr/lib/ocf/lib/heartbeat/ocf-shellfuncs ] && command -v xmllint >/dev/null; then
	for a in fence-portblock tgt-account portfence-peers; do
		ok "the packaged agent $a: meta-data is valid XML" bash -c \
			'OCF_ROOT=/usr/lib/ocf PF_FUNCTIONS_DIR=$2 "$1" meta-data | xmllint --noout -' _ \
			"$root/usr/lib/ocf/resource.d/portfence/$a" "$root/usr/lib/ocf/lib/portfence"
	done
fi

# make install ships the same set (Debian adds its changelog and
# copyright, and compresses).
make -C "$src" install DESTDIR="$inst" PREFIX=/usr UNITDIR=/lib/systemd/system >/dev/null 2>&1
is "make install installs the same files" \
	"$(cd "$inst" && find . -type f | sort)" \
	"$(cd "$root" && find . -type f ! -path './usr/share/doc/portfence/changelog.gz' \
		! -path './usr/share/doc/portfence/copyright' | sed 's/\.gz$//' | sort)"

ok "portfence.service loads the programs" grep -qx 'ExecStart=/usr/sbin/portfence load' "$units/portfence.service"
ok "portfence.service: before Pacemaker" grep -qx 'Before=pacemaker.service' "$units/portfence.service"
ok "the metrics service writes portfence metrics --output" \
	grep -q '^ExecStart=/usr/sbin/portfence metrics --output ' "$units/portfence-metrics.service"
dpkg-deb -e "$deb" "$WORK/control"
ok "postinst enables portfence.service" grep -q "deb-systemd-helper enable 'portfence.service'" "$WORK/control/postinst"
ok "postinst does not enable the metrics timer on a new install" \
	grep -q "if deb-systemd-helper debian-installed 'portfence-metrics.timer'" "$WORK/control/postinst"

# The units as installed, the binary path pointed into the throwaway root.
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$WORK/units"
	for u in "$units"/*; do
		sed "s|/usr/sbin/portfence|$root/usr/sbin/portfence|" "$u" >"$WORK/units/${u##*/}"
	done
	ok "systemd-analyze verify: the units, without a word" bash -c \
		'out=$(systemd-analyze verify --man=no "$@" 2>&1); echo "$out" | sed "/^$/d; s/^/#   /"; [ -z "$out" ]' \
		_ "$WORK"/units/*
else
	echo "ok $((_tb_n += 1)) - systemd-analyze verify # SKIP systemd-analyze is not installed"
fi

if command -v lintian >/dev/null; then
	lintian "$deb" >"$WORK/lintian" 2>&1
	ok "lintian: no error" bash -c '! grep "^E: " "$1"' _ "$WORK/lintian"
	grep -E '^[EW]: ' "$WORK/lintian" | sed 's/^/#   /'
	ok "lintian: every warning is explained in docs/packaging.md" bash -c '
		for tag in $(sed -n "s/^W: [^ ]* \([a-z0-9-]*\).*/\1/p" "$1"); do
			grep -qF "$tag" "$2" || { echo "# unexplained: $tag"; exit 1; }
		done' _ "$WORK/lintian" "$src/docs/packaging.md"
else
	echo "ok $((_tb_n += 1)) - lintian # SKIP lintian is not installed"
fi

done_testing
