#!/bin/sh
# make deb: build/portfence_VERSION_ARCH.deb with dpkg-buildpackage, in a
# copy of the tree under build/deb (the package build writes into debian/
# and puts its results beside the source). debian/changelog is written
# there from VERSION, so the version lives in one place. The copy is what
# git tracks plus files not yet added (not ignored ones); outside a git
# checkout, the tree without build/.
set -eu
cd "$(dirname "$0")/.."

version=$(cat VERSION)
arch=$(dpkg --print-architecture)
stage=build/deb
src=$stage/portfence-$version
rm -rf "$stage"
mkdir -p "$src"
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$src"
else
	tar -cf - --exclude=./build . | tar -xf - -C "$src"
fi

# The date of the last commit, so the same tree gives the same package.
: "${SOURCE_DATE_EPOCH:=$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
export SOURCE_DATE_EPOCH
maintainer=$(sed -n 's/^Maintainer: //p' debian/control)
cat >"$src/debian/changelog" <<END
portfence ($version) unstable; urgency=medium

  * portfence $version, built from its repository (README.md).

 -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")
END

(cd "$src" && dpkg-buildpackage -b -us -uc)
cp "$stage/portfence_${version}_$arch.deb" build/
echo "built build/portfence_${version}_$arch.deb"
