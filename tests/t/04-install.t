#!/bin/sh
# make install puts every command, man page and the EFI stub under DESTDIR/PREFIX,
# and the installed igos-ukify finds the installed stub by default.
. "${0%/*}/../lib/tap.sh"
need make install
D=$T/root
run 0 "*" "make install into DESTDIR" make -s -C "$IGOS_SRC" install DESTDIR="$D" \
	BUILD="$IGOS_BUILD"
for c in "$IGOS_SRC"/tools/*.c; do
	n=$(basename "$c" .c)
	ok "$n installed and executable" test -x "$D/usr/local/bin/$n"
done
for m in "$IGOS_SRC"/man/*.[178]; do
	s=${m##*.}
	ok "$(basename "$m") installed" test -f "$D/usr/local/share/man/man$s/$(basename "$m")"
done
ok "the EFI stub installed where igos-ukify looks" test -f "$D/usr/local/lib/igos/igos-stubx64.efi"
ok "the installed igos-ukify names that path" grep -q /usr/local/lib/igos/igos-stubx64.efi "$D/usr/local/bin/igos-ukify"
ok "the addon stub installed beside it" test -f "$D/usr/local/lib/igos/igos-addonx64.efi"
ok "the installed igos-ukify names that path for --addon" \
	grep -q /usr/local/lib/igos/igos-addonx64.efi "$D/usr/local/bin/igos-ukify"
is "$(find "$D" -type f -perm -o+w | wc -l)" "0" "nothing installed world-writable"
done_testing
