#!/usr/bin/env bash
# make rpm from a clean clone of the repository (its HEAD: commit first),
# beside make deb from the same clone: the RPM carries VERSION, holds the
# same files as the .deb (paths mapped as docs/packaging.md says), its
# binary runs, its scriptlets leave the metrics timer off, rpmlint finds no
# error and no warning docs/packaging.md does not explain, and the SELinux
# module rpm/portfence.te compiles.
. "$(dirname "$0")/../lib/testlib.sh"
for tool in git rpmbuild rpm2cpio cpio dpkg-buildpackage dpkg-deb; do
	command -v "$tool" >/dev/null || skip_all "needs $tool (make deps)"
done
git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 || skip_all "$TOP is not a git checkout"

new_tmpdir WORK
src=$WORK/src root=$WORK/root debroot=$WORK/debroot
git clone -q "$TOP" "$src" || exit 1
version=$(cat "$src/VERSION")
rarch=$(rpm --eval '%{_arch}')
rpmf=$src/build/portfence-$version-1.$rarch.rpm
deb=$src/build/portfence_${version}_$(dpkg --print-architecture).deb

started=$SECONDS
make -C "$src" rpm >"$WORK/build.log" 2>&1
rc=$?
is "make rpm in a clean clone exits 0" "$rc" 0
[ "$rc" = 0 ] || tail -20 "$WORK/build.log" | sed 's/^/#   /'
diag "make rpm took $((SECONDS - started)) s"
ok "it made build/portfence-$version-1.$rarch.rpm" test -f "$rpmf"
[ -f "$rpmf" ] || { done_testing; exit; }

q() { rpm -qp --qf "$1" "$rpmf" 2>/dev/null; }
is "Name" "$(q '%{NAME}')" portfence
is "Version: VERSION's" "$(q '%{VERSION}')" "$version"
is "Arch: the build machine's" "$(q '%{ARCH}')" "$rarch"
ok "Requires: libbpf.so.1" grep -q '^libbpf.so.1()' <(rpm -qp --requires "$rpmf" 2>/dev/null)
ok "Recommends: resource-agents" grep -qx resource-agents <(rpm -qp --recommends "$rpmf" 2>/dev/null)
ok "the changelog names the version" grep -q -- "- $version-1\$" <(rpm -qp --changelog "$rpmf" 2>/dev/null | head -1)

# The same files as the .deb: regular files only (the RPM's build-id link
# is a symlink), compression suffixes off (Debian compresses the docs too),
# /lib/systemd to /usr/lib/systemd, Debian's copyright to %license, and
# Debian's changelog left out (the RPM carries its own in its header).
make -C "$src" deb >"$WORK/deb.log" 2>&1
ok "make deb in the same clone" test -f "$deb"
rpm_files=$(rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$rpmf" 2>/dev/null |
	sed -n 's/^-[^ ]* //p' | sed 's/\.gz$//' | sort)
deb_files=$(dpkg-deb -c "$deb" | awk '$1 ~ /^-/ { print $6 }' | sed 's|^\./|/|; s/\.gz$//' |
	grep -vx /usr/share/doc/portfence/changelog |
	sed 's|^/lib/systemd/|/usr/lib/systemd/|; s|^/usr/share/doc/portfence/copyright$|/usr/share/licenses/portfence/copyright|' | sort)
is "rpm -qlp holds the .deb's files" "$rpm_files" "$deb_files"
ok "the man pages are compressed" test "$(grep -c '^/usr/share/man/.*\.gz$' <(rpm -qlp "$rpmf" 2>/dev/null))" -eq 5

mkdir -p "$root"
(cd "$root" && rpm2cpio "$rpmf" | cpio -idm --quiet) || exit 1
is "the packaged binary: --version" "$("$root/usr/sbin/portfence" --version)" "portfence $version"
for a in fence-portblock tgt-account portfence-peers; do
	ok "the agent ocf:portfence:$a" test -x "$root/usr/lib/ocf/resource.d/portfence/$a"
done
ok "the agents' shell library" test -s "$root/usr/lib/ocf/lib/portfence/portfence-shellfuncs"
units=$root/usr/lib/systemd/system
ok "portfence.service loads the programs" grep -qx 'ExecStart=/usr/sbin/portfence load' "$units/portfence.service"
ok "the metrics service writes portfence metrics --output" \
	grep -q '^ExecStart=/usr/sbin/portfence metrics --output ' "$units/portfence-metrics.service"
scripts=$(rpm -qp --scripts "$rpmf" 2>/dev/null)
ok "%post presets portfence.service on a new install" grep -q 'preset portfence.service' <<<"$scripts"
ok "%post does not enable the metrics timer" bash -c '! sed -n "/^postinstall/,/^preuninstall/p" <<<"$1" | grep -q metrics' _ "$scripts"
ok "%post never starts a unit" bash -c '! grep -qE "systemctl.* (start|restart|try-restart) " <<<"$1"' _ "$scripts"

if command -v rpmlint >/dev/null; then
	rpmlint -r "$src/rpm/portfence.rpmlintrc" "$rpmf" "$src/build/rpm/SPECS/portfence.spec" >"$WORK/rpmlint" 2>&1
	ok "rpmlint: no error" grep -q ' 0 errors,' "$WORK/rpmlint"
	grep -E ': [EW]: ' "$WORK/rpmlint" | sed 's/^/#   /'
	ok "rpmlint: every warning is explained in docs/packaging.md" bash -c '
		for tag in $(sed -n "s/^[^ ]*: W: \([a-z0-9-]*\).*/\1/p" "$1" | sort -u); do
			grep -qF "$tag" "$2" || { echo "# unexplained: $tag"; exit 1; }
		done' _ "$WORK/rpmlint" "$src/docs/packaging.md"
else
	echo "ok $((_tb_n += 1)) - rpmlint # SKIP rpmlint is not installed"
fi

if command -v checkmodule >/dev/null && command -v semodule_package >/dev/null; then
	ok "the SELinux module compiles (checkmodule, semodule_package)" bash -c '
		cd "$1" && checkmodule -M -m -o portfence.mod "$2" && semodule_package -o portfence.pp -m portfence.mod' \
		_ "$WORK" "$src/rpm/portfence.te"
else
	echo "ok $((_tb_n += 1)) - the SELinux module compiles # SKIP checkmodule is not installed"
fi

done_testing
