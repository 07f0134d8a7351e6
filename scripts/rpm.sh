#!/bin/sh
# make rpm: build/portfence-VERSION-RELEASE.ARCH.rpm with rpmbuild, from a
# source tarball of the tree (what git tracks plus files not yet added, not
# ignored ones; outside a git checkout, the tree without build/) and
# rpm/portfence.spec. The version comes from VERSION and the %changelog
# entry is appended here, as scripts/deb.sh writes debian/changelog.
# BuildRequires name the RHEL family's packages: on Debian, where rpm's
# database knows none of them, rpmbuild runs with --nodeps and the Debian
# packages scripts/deps.sh installs stand in for them.
set -eu
cd "$(dirname "$0")/.."

version=$(cat VERSION)
top=$(pwd)/build/rpm
rm -rf "$top"
mkdir -p "$top/SOURCES" "$top/SPECS" "$top/tree/portfence-$version"
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - |
		tar -xf - -C "$top/tree/portfence-$version"
else
	tar -cf - --exclude=./build . | tar -xf - -C "$top/tree/portfence-$version"
fi

# The date of the last commit, so the same tree gives the same package.
: "${SOURCE_DATE_EPOCH:=$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
export SOURCE_DATE_EPOCH
tar -C "$top/tree" --sort=name --owner=0 --group=0 --numeric-owner \
	--mtime="@$SOURCE_DATE_EPOCH" -czf "$top/SOURCES/portfence-$version.tar.gz" "portfence-$version"

maintainer=$(sed -n 's/^Maintainer: //p' debian/control)
spec=$top/SPECS/portfence.spec
{ echo "%global pf_version $version"; cat rpm/portfence.spec; } >"$spec"
cat >>"$spec" <<END
* $(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH" '+%a %b %d %Y') $maintainer - $version-1
- portfence $version, built from its repository (README.md).
END

# Debian's brp-compress is a bash script under #!/bin/sh (read -d): run by
# dash it compresses no man page, where EL9's gzips them all.
brp_compress=$(rpm --eval '%{__brp_compress}')
case $(head -1 "${brp_compress%% *}" 2>/dev/null) in
'#!/bin/sh') [ "$(readlink -f /bin/sh)" != /bin/bash ] && brp_compress="bash $brp_compress" ;;
esac
rpmbuild -bb --nodeps --define "_topdir $top" --define "packager $maintainer" \
	--define "__brp_compress $brp_compress" \
	--define "use_source_date_epoch_as_buildtime 1" \
	--define "clamp_mtime_to_source_date_epoch 1" "$spec"
for rpm in "$top"/RPMS/*/portfence-"$version"-*.rpm; do
	cp "$rpm" build/
	echo "built build/${rpm##*/}"
done
