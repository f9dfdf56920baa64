#!/bin/sh
# igos-ukify build: .sbat merged as ukify does (the stub's lines, the
# kernel's if it is a PE with .sbat, each --sbat, else the UKI line).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/ukify.sh"
SHIM=/usr/lib/shim/shimx64.efi
need igos-ukify objcopy "$STUB" "$SHIM"
plan 11

HDR='sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md'
UKI='uki,1,UKI,uki,1,https://uapi-group.org/specifications/specs/unified_kernel_image/'
stublines=$(section "$STUB" .sbat | tr -d '\000' | tail -n +2)
mkkernel vmlinuz 6.1.0-99-test
b() { igos-ukify build --stub "$STUB" --os-release ID=x --uname 1 "$@"; }
sbat() { section "$1" .sbat | od -An -c | tr -s ' \n' ' '; }
expect() { { printf '%s\n' "$@"; printf '\000'; } | od -An -c | tr -s ' \n' ' '; }

# a PE kernel without .sbat (the stub's own marker program): one .sbat, the
# stub's lines and the UKI line (shim refuses an image with two)
run 0 "" "kernel that is a PE without .sbat" b --linux "$IGOS_BUILD/efi/igos-marker.efi" -o m0.efi
is "$(objdump -h m0.efi | awk '$2 == ".sbat"' | wc -l) $(sbat m0.efi)" \
	"1 $(expect "$HDR" "$stublines" "$UKI")" "one .sbat section, the stub's lines and the UKI line"
# a PE kernel with its own .sbat: shim stands in for one
run 0 "" "kernel that is a PE with .sbat" b --linux "$SHIM" -o k.efi
shimlines=$(section "$SHIM" .sbat | tr -d '\000' | tail -n +2)
is "$(sbat k.efi)" "$(expect "$HDR" "$stublines" "$shimlines" "$UKI")" \
	"the kernel's SBAT lines follow the stub's"

printf '%s\nfoo,1,Foo,foo,1,https://example.org/foo\r\n\nbar,2,Bar,bar,2,https://example.org/bar\n' \
	"$HDR" >extra.sbat
run 0 "" "--sbat TEXT and --sbat @FILE" b --linux vmlinuz --sbat "$HDR
baz,3,Baz,baz,3,https://example.org/baz" --sbat @extra.sbat -o s.efi
is "$(sbat s.efi)" "$(expect "$HDR" "$stublines" "baz,3,Baz,baz,3,https://example.org/baz" \
	"foo,1,Foo,foo,1,https://example.org/foo" "" "bar,2,Bar,bar,2,https://example.org/bar")" \
	"each --sbat in order, header lines and CRs dropped, blank lines kept (as ukify), no default UKI line"

run 0 "igos-ukify: --sbat 'nope,1' has no SBAT header line, its SBAT is not used" \
	"an --sbat without the header line is reported and skipped" \
	b --linux vmlinuz --sbat "nope,1" -o n.efi
is "$(sbat n.efi)" "$(expect "$HDR" "$stublines")" "only the stub's lines then"
run 1 "igos-ukify: cannot open 'none.sbat': No such file or directory" "--sbat @missing" \
	b --linux vmlinuz --sbat @none.sbat -o m.efi

# the .sbat VirtualSize is the merged length; the stub's raw size stays
is "$(objdump -h s.efi | awk '$2 == ".sbat" {print $3, $6}')" \
	"$(printf '%08x %s' "$(section s.efi .sbat | wc -c)" \
	"$(objdump -h "$STUB" | awk '$2 == ".sbat" {print $6}')")" \
	"the merged SBAT replaces the stub's in place"
is "$(section s.efi .sdmagic | od -An -c)" "$(section "$STUB" .sdmagic | od -An -c)" \
	"the stub's next section is untouched"

done_testing
