#!/bin/sh
# Bad PE images: each refused with its one-line error, exit 1, and no output
# written (neither -o nor the file itself when signing in place).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need python3
snakeoil_keys
$MKPE make a.efi --trailing 5
"$S" sign -k so.key -c so.crt -o s.efi a.efi

# bad NAME BASE PATCH... : a damaged copy of BASE
bad() { _n=$1 _b=$2; shift 2; cp "$_b" "$_n"; $MKPE patch "$_n" "$@"; }

# refused NAME 'error' DESC: signing to -o and in place both fail, nothing written
refused() {
	cp "$1" "$1.orig"
	run 1 "igos-sign: '$1': $2" "$3" "$S" sign -k so.key -c so.crt -o "$1.out" "$1"
	nok "$3: no output file" test -e "$1.out"
	run 1 "igos-sign: '$1': $2" "$3 (in place)" "$S" sign -k so.key -c so.crt "$1"
	same "$1" "$1.orig" "$3: the file is untouched"
}

bad trunc.efi a.efi truncate 0x120
refused trunc.efi "truncated PE optional header" "headers cut inside the optional header"
bad short.efi a.efi truncate 40
refused short.efi "truncated PE headers" "an MZ file shorter than a DOS header"
bad lfanew.efi a.efi e_lfanew 0x7ffffff0
refused lfanew.efi "not a PE/COFF image (e_lfanew out of range)" "e_lfanew out of range"
bad nsec.efi a.efi nsections 96
$MKPE patch nsec.efi truncate 3000
refused nsec.efi "PE section table past end of file" "section table beyond the file"
bad soh.efi a.efi size_of_headers 0x100000
refused soh.efi "PE SizeOfHeaders past end of file" "SizeOfHeaders past EOF"
bad raw.efi a.efi raw_off 0x100000
refused raw.efi "PE section '.s1' past end of file" "PointerToRawData past EOF"
bad overlap.efi a.efi overlap
refused overlap.efi "PE sections '.s0' and '.s1' overlap" "overlapping sections"
bad nd4.efi a.efi ndirs 4
refused nd4.efi "cannot sign: the image has no certificate table entry (NumberOfRvaAndSizes is 4)" \
	"NumberOfRvaAndSizes 4"
bad nd2.efi a.efi ndirs 2
refused nd2.efi "cannot sign: the image has no certificate table entry (NumberOfRvaAndSizes is 2)" \
	"NumberOfRvaAndSizes 2"
$MKPE make gap.efi --gap
refused gap.efi "gap of 512 bytes in the PE section table before section '.s1'" \
	"a gap between sections"

# the security directory
bad sdplus.efi s.efi secdir_size_add 8
refused sdplus.efi "PE certificate table past end of file" "Security directory 8 bytes past EOF"
bad sdminus.efi s.efi secdir_size_add -8
refused sdminus.efi "PE certificate table does not end at end of file" \
	"Security directory ending before EOF"
cp s.efi junk.efi && printf 'junk' >>junk.efi
refused junk.efi "PE certificate table does not end at end of file" "junk after the table"
bad sdhdr.efi s.efi secdir_va 0x100
refused sdhdr.efi "PE certificate table points inside the headers" \
	"Security directory pointing inside the headers"
first=$($MKPE get a.efi first_section)
bad sdsec.efi s.efi secdir_va $((first + 8))
refused sdsec.efi "PE certificate table points inside the sections" \
	"Security directory pointing inside the sections"

# the same errors from verify, list, remove and hash (one of each)
run 1 "igos-sign: 'overlap.efi': PE sections '.s0' and '.s1' overlap" "verify refuses too" \
	"$S" verify overlap.efi
run 1 "igos-sign: 'sdplus.efi': PE certificate table past end of file" "list refuses too" \
	"$S" list sdplus.efi
run 1 "igos-sign: 'junk.efi': PE certificate table does not end at end of file" \
	"remove refuses too" "$S" remove --all -o junk.out junk.efi
nok "no output from remove" test -e junk.out
run 1 "igos-sign: 'lfanew.efi': not a PE/COFF image (e_lfanew out of range)" "hash refuses too" \
	"$S" hash lfanew.efi
no_temps . "no temporary file left by any refusal"
done_testing
