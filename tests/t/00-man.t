#!/bin/sh
# Every man page lints clean with mandoc and documents its exit status.
. "${0%/*}/../lib/tap.sh"
need mandoc
pages=$(ls "$IGOS_SRC"/man/*.[178] 2>/dev/null)
[ -n "$pages" ] || skip_all "no man pages yet"
for m in $pages; do
	run 0 "" "$(basename "$m") lints clean" mandoc -Tlint -Wwarning "$m"
	ok "$(basename "$m") has EXIT STATUS or is section 7" sh -c \
		"case '$m' in *.7) exit 0;; esac; grep -q '^\.Sh EXIT STATUS' '$m'"
done
done_testing
