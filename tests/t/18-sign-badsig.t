#!/bin/sh
# Bad certificate tables, bad signatures and bad files: one-line error, exit 1,
# nothing written. (A wrong token PIN is in 16-sign-token.t.)
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need python3 setpriv
snakeoil_keys
rsa_cert other 2048
$MKPE make a.efi --trailing 5
$MKPE make b.efi --seed 9
"$S" sign -k so.key -c so.crt -o s.efi a.efi
"$S" sign -k so.key -c so.crt -o sb.efi b.efi

bad() { _n=$1 _b=$2; shift 2; cp "$_b" "$_n"; $MKPE patch "$_n" "$@"; }

bad dwl.efi s.efi dwlength_add 8
dwl=$(($($MKPE get s.efi entries | cut -d' ' -f2) + 8))
run 1 "igos-sign: 'dwl.efi': certificate table entry 1: dwLength $dwl overflows the table" \
	"dwLength past the table (verify)" "$S" verify dwl.efi
run 1 "igos-sign: 'dwl.efi': certificate table entry 1: dwLength $dwl overflows the table" \
	"dwLength past the table (sign)" "$S" sign -k so.key -c so.crt -o dwl.out dwl.efi
nok "no output for a bad table" test -e dwl.out
bad dwbig.efi s.efi dwlength_add 0x7fff0000
run 1 "*" "a huge dwLength" "$S" list dwbig.efi
case $ERR in "igos-sign: 'dwbig.efi': certificate table entry 1: dwLength "*" overflows the table") r=0 ;; *) r=1 ;; esac
is "$r" 0 "a huge dwLength is refused without overflow"
bad type.efi s.efi cert_type 1
run 1 "igos-sign: 'type.efi': certificate table entry 1 has type 0x0001, not PKCS#7 signed data" \
	"a WIN_CERTIFICATE of another type" "$S" verify type.efi
run 1 "igos-sign: 'type.efi': certificate table entry 1 has type 0x0001, not PKCS#7 signed data" \
	"... refused by sign too" "$S" sign -k so.key -c so.crt -o type.out type.efi
nok "no output" test -e type.out
bad garbage.efi s.efi garbage_pkcs7
run 1 "igos-sign: 'garbage.efi': not verified: signature 1: not a PKCS#7 structure" \
	"garbage PKCS#7" "$S" verify -c so.crt garbage.efi
run 1 "igos-sign: 'garbage.efi': signature 1: not a PKCS#7 structure" \
	"garbage PKCS#7 (list)" "$S" list garbage.efi

bad long.efi s.efi p7_long_len
run 1 "igos-sign: 'long.efi': not verified: signature 1: PKCS#7 length not in the two-byte form UEFI firmware reads" \
	"a PKCS#7 whose outer length EDK2 cannot read is refused, as EDK2 refuses it" \
	"$S" verify -c so.crt long.efi

# a signature over another digest: a byte changed after signing, or another
# image's signature moved over
first=$($MKPE get s.efi first_section)
bad flip.efi s.efi flip $((first + 17))
run 1 "igos-sign: 'flip.efi': not verified: signature 1: image digest does not match the signed digest" \
	"one byte flipped after signing" "$S" verify -c so.crt flip.efi
set -- $($MKPE get s.efi secdir) $($MKPE get sb.efi secdir)
is "$2" "$4" "the two tables have the same size (so one can replace the other)"
head -c $1 s.efi >moved.efi
tail -c +$(($3 + 1)) sb.efi >>moved.efi
run 1 "igos-sign: 'moved.efi': not verified: signature 1: image digest does not match the signed digest" \
	"another image's signature" "$S" verify moved.efi

# files
: >empty
run 1 "igos-sign: 'empty': empty file" "an empty file" "$S" sign -k so.key -c so.crt -o e.out empty
mkdir dir
run 1 "igos-sign: cannot read 'dir': Is a directory" "a directory" "$S" verify dir
printf 'hello\n' >text
run 1 "igos-sign: 'text': not a PE/COFF image or an ELF kernel module" "neither PE nor ELF" \
	"$S" hash text
cp a.efi noread.efi && chmod 000 noread.efi
run 1 "igos-sign: cannot open 'noread.efi': Permission denied" "a file the user cannot read" \
	setpriv --bounding-set=-dac_override,-dac_read_search "$S" sign -k so.key -c so.crt \
	-o noread.out noread.efi
run 1 "igos-sign: cannot open 'missing.efi': No such file or directory" "a missing file" \
	"$S" hash missing.efi
run 1 "igos-sign: 'other.crt': the certificate does not match the key" \
	"a certificate that does not match the key" "$S" sign -k so.key -c other.crt -o mm.out a.efi
cp a.efi inplace.efi
run 1 "igos-sign: 'other.crt': the certificate does not match the key" \
	"... in place" "$S" sign -k so.key -c other.crt inplace.efi
same inplace.efi a.efi "the file is untouched"
nok "no output files" test -e e.out -o -e noread.out -o -e mm.out
no_temps . "no temporary files"
done_testing
