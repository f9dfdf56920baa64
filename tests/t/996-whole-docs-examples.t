#!/bin/sh
# Every command of README.md and of the EXAMPLES of every man page, run as
# written: taken from the documents themselves (tests/lib/docs-extract.py),
# after a small setup file per document (tests/docs/<doc>.sh) that makes the
# input files; the binaries of build/bin, the SoftHSM test token, scratch
# /etc, /var, /boot and efivars in a mount namespace, no reboot. How to add a
# page: tests/README.
[ -z "${IGOS_IN_NS:-}" ] && [ "$(id -u)" = 0 ] &&
	exec env IGOS_IN_NS=1 unshare -m --propagation private "$0" "$@"
. "${0%/*}/../lib/tap.sh"
need python3 bash script mandoc
[ "$(id -u)" = 0 ] || skip_all "needs root for the mount namespace that keeps /etc and /boot untouched"
for doc in "$IGOS_SRC"/README.md "$IGOS_SRC"/man/*.[1-8]; do
	name=${doc##*/}
	setup=$IGOS_SRC/tests/docs/$name.sh
	grep -q '^\.Sh EXAMPLES' "$doc" || [ "$name" = README.md ] || continue
	ok "$name has a setup file (tests/docs/$name.sh)" test -f "$setup" || continue
	[ -f "$setup" ] || continue
	mkdir "$T/$name" && : >"$T/$name.res"
	t0=$(date +%s)
	(cd "$T/$name" && unshare -m --propagation private \
		bash "$IGOS_SRC/tests/lib/docs-run.bash" "$doc" "$setup" "$T/$name.res")
	echo "# $name: $(($(date +%s) - t0)) s"
	while IFS='	' read -r st desc; do
		case $st in
		'#') echo "# $desc" ;;
		*) _tap_result "$st" "$desc" ;;
		esac
	done <"$T/$name.res"
done
done_testing
