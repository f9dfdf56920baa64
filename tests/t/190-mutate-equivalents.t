#!/bin/sh
# make mutate's list of equivalent mutants (tests/mutate/equivalent): every
# entry still names a mutant of today's source, an entry can name one of
# several mutants that share a line's text ("#N"), a line holding " | " can
# be listed, and a stale or unreadable entry is refused by name.
. "${0%/*}/../lib/tap.sh"
need python3
M="python3 $IGOS_SRC/tests/mutate/mutate.py"
cd "$IGOS_SRC" || exit 1

files=$(grep -v '^#' tests/mutate/equivalent | grep . | cut -d' ' -f1 | sort -u)
for f in $files; do
	run 0 "" "every entry for $f names a mutant of the file" $M "$f" --equivalents
done

# efi/chid.c has 'if (n == 0)' on two lines: the runner numbers them
l1=$($M efi/chid.c --list | sed -n 's/^efi\/chid.c:\([0-9]*\): condition removed (if (0)) #1: if (n == 0)$/\1/p')
l2=$($M efi/chid.c --list | sed -n 's/^efi\/chid.c:\([0-9]*\): condition removed (if (0)) #2: if (n == 0)$/\1/p')
ok "--list numbers the two removals of 'if (n == 0)' (#1, #2)" test -n "$l1" -a -n "$l2" -a "$l1" != "$l2"
printf '%s\n' 'efi/chid.c | if (n == 0) | condition removed (if (0)) #2 | the second only' >"$T/eq"
MUTATE_EQUIVALENT=$T/eq run 0 "" "a list of one entry with #2" \
	$M efi/chid.c --equivalents
is "$(grep -c ': condition removed' "$T/out")" 1 "--equivalents prints the one mutant #2 names"
ok "... on the second line" grep -q "^efi/chid.c:$l2: condition removed (if (0)) #2: if (n == 0)$" "$T/out"
printf '%s\n' 'efi/chid.c | if (n == 0) | condition removed (if (0)) | both' >"$T/eq"
MUTATE_EQUIVALENT=$T/eq $M efi/chid.c --equivalents >"$T/both" 2>/dev/null
is "$(grep -c ': condition removed' "$T/both")" 2 "an entry without a number names every mutant with its text and description"

# a source line that holds " | " (index-verify's open flags)
src=$(grep -m1 'O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0)' tools/igos-index-verify.c | sed 's/^[[:space:]]*//')
printf '%s\n' "tools/igos-index-verify.c | $src | < -> <= | a | reason | with bars" >"$T/eq"
MUTATE_EQUIVALENT=$T/eq run 0 "" "a source line holding ' | ' can be listed" $M tools/igos-index-verify.c --equivalents --lines 1-99999
ok "... and its reason is kept whole" grep -qx '    a | reason | with bars' "$T/out"

printf '%s\n' 'efi/chid.c | if (n == 1) | condition removed (if (0)) | gone' >"$T/eq"
MUTATE_EQUIVALENT=$T/eq run 1 "mutate: $T/eq: no mutant of efi/chid.c is 'condition removed (if (0))' on 'if (n == 1)'" \
	"an entry that names no mutant is refused by name" $M efi/chid.c --equivalents
printf '%s\n' 'efi/chid.c | if (n == 0) | removed | why' >"$T/eq"
MUTATE_EQUIVALENT=$T/eq run 2 "mutate: $T/eq: no description in 'efi/chid.c | if (n == 0) | removed | why'" \
	"an entry without a description the runner makes is refused" $M efi/chid.c --equivalents
done_testing
