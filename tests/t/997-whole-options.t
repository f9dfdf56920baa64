#!/bin/sh
# Every option a command accepts is in its --help and in its man page: the
# options are read from the command's own getopt tables (tests/lib/options.py),
# so an option added to a table and not documented fails here.
. "${0%/*}/../lib/tap.sh"
need python3 mandoc col
python3 "$TESTLIB/options.py" "$IGOS_SRC"/tools/*.c >opts || exit 1
for t in $(cut -d' ' -f1 opts | sort -u); do
	n=$(grep -c "^$t " opts)
	ok "$t: options found in its source ($n)" test "$n" -ge 3
	"$t" --help >"$t.help" 2>&1
	man=$(ls "$IGOS_SRC"/man/"$t".[18] 2>/dev/null | head -n 1)
	ok "$t has a man page" test -n "$man"
	mandoc -Tascii "$man" 2>/dev/null | col -b >"$t.man"
	miss_h='' miss_m=''
	for o in $(grep "^$t " opts | cut -d' ' -f2); do
		# the option as a word: "-o" is not found in "--output", "--key" not in "--key-x"
		grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|$)" "$t.help" || miss_h="$miss_h $o"
		grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|$)" "$t.man" || miss_m="$miss_m $o"
	done
	is "${miss_h# }" "" "$t --help lists every option it accepts"
	is "${miss_m# }" "" "$(basename "$man") lists every option $t accepts"
done
done_testing
