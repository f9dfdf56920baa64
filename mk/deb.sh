#!/bin/sh
# make deb (mk/deb.mk): OUTDIR VERSION. Copies the source tree (the files git
# knows, tracked or not ignored; every file outside build dirs without git)
# (less the tests the package does not need)
# to OUTDIR/src/igos-VERSION and runs dpkg-buildpackage there, so nothing is
# written outside the build tree; OUTDIR/igos_VERSION_amd64.deb is kept with
# the hash of the tree it was built from and rebuilt only when that changes.
set -eu
out=$1 ver=$2
me="make deb"
[ -n "$ver" ] || { echo "$me: no IGOS_VERSION in lib/igos.h" >&2; exit 1; }
cl=$(dpkg-parsechangelog -S Version -l debian/changelog) ||
	{ echo "$me: cannot read 'debian/changelog'" >&2; exit 1; }
[ "$cl" = "$ver" ] ||
	{ echo "$me: debian/changelog is at $cl, lib/igos.h at $ver: add a changelog entry" >&2; exit 1; }
deb=$out/igos_${ver}_amd64.deb
mkdir -p "$out"
list=$out/.files
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -co --exclude-standard
else
	find . -path ./.git -prune -o -path './build*' -prune -o -type f -print | sed 's|^\./||'
fi | LC_ALL=C sort | while IFS= read -r f; do
	# the tests are not in the package: editing one does not rebuild it
	case $f in tests/t/* | tests/vm/* | tests/bench/* | tests/demo/* | tests/fuzz/regress/*) continue ;; esac
	[ -f "$f" ] && printf '%s\n' "$f"
done >"$list"
hash=$( (cat "$list"; tr '\n' '\0' <"$list" | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)
if [ -f "$deb" ] && [ "$(cat "$out/.tree-hash" 2>/dev/null)" = "$hash" ]; then
	echo "$me: $deb is up to date"
	exit 0
fi
rm -rf "$out/src" "$out/.tree-hash"
src=$out/src/igos-$ver
mkdir -p "$src"
tar -cf - -T "$list" | tar -xf - -C "$src"
(
	cd "$src"
	DEB_BUILD_OPTIONS="parallel=${DEB_PARALLEL:-2} ${DEB_BUILD_OPTIONS:-}" \
		dpkg-buildpackage -b -us -uc >../build.log 2>&1
) || {
	tail -n 20 "$out/src/build.log" >&2
	echo "$me: dpkg-buildpackage failed (log: '$out/src/build.log')" >&2
	exit 1
}
for f in "$out"/src/*.deb "$out"/src/*.ddeb "$out"/src/*.changes "$out"/src/*.buildinfo; do
	[ -f "$f" ] && mv -f "$f" "$out/"
done
rm -rf "$src"
echo "$hash" >"$out/.tree-hash"
echo "$me: $deb"
