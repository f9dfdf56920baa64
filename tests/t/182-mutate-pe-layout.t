#!/bin/sh
# PE layouts linkers write that the first tests did not have (found by make
# mutate on lib/authenticode.c's section sort): sections without raw data
# (.bss: SizeOfRawData and PointerToRawData 0, which EDK2 leaves out of the
# digest), a section table not in file order (EDK2 hashes the sections sorted
# by PointerToRawData), the most sections igos takes (96), and none with raw
# data (the certificate table then starts where the headers end). Each is
# signed by igos-sign as sbverify accepts it, and sbsign's signature of it is
# verified by igos-sign.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need python3 sbsign sbverify
snakeoil_keys

layout() { # NAME DESC MKPE-OPTIONS...
	_n=$1 _d=$2
	shift 2
	$MKPE make $_n.efi "$@"
	run 0 "" "$_d: igos-sign signs it" "$S" sign -k so.key -c so.crt -o $_n.igos $_n.efi
	ok "$_d: sbverify accepts igos-sign's signature" sbverify --cert so.crt $_n.igos
	sbsign --key so.key --cert so.crt --output $_n.sb $_n.efi 2>/dev/null
	run 0 "" "$_d: igos-sign verifies sbsign's signature" "$S" verify -c so.crt $_n.sb
	is "$("$S" hash $_n.sb)" "$("$S" hash $_n.efi)" "$_d: the same digest signed or not"
}

layout bss "two .bss sections" --bss 2 --trailing 3
layout rev "a section table in reverse file order" --sections 5 --reverse
layout revbss "reverse order with .bss among them" --sections 4 --bss 1 --reverse
layout max "96 sections" --sections 96
layout nodata "only a .bss: the table starts at SizeOfHeaders" --sections 0 --bss 1
layout maxbss "95 sections and a .bss" --sections 95 --bss 1
$MKPE make over.efi --sections 96 --bss 1
run 1 "igos-sign: 'over.efi': too many PE sections (97)" "97 sections are refused" \
	"$S" sign -k so.key -c so.crt -o over.out over.efi
# two sections at one PointerToRawData: named in table order, as EDK2's
# stable sort keeps them
$MKPE make same.efi
$MKPE patch same.efi raw_off $($MKPE get same.efi first_section)
run 1 "igos-sign: 'same.efi': PE sections '.s0' and '.s1' overlap" \
	"two sections at one file offset are refused, named in table order" \
	"$S" sign -k so.key -c so.crt -o same.out same.efi
done_testing
