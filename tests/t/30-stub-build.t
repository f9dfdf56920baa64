#!/bin/sh
# What the build promises about the EFI programs: PE32+ EFI applications,
# every section on a 4 KiB boundary, NX-compatible, stripped, no undefined
# symbols, 4 KiB of header room; the stub's padded .sbat; signable without
# complaints; installed where igos-ukify looks. And the build's own check
# refuses images that break those rules.
. "${0%/*}/../lib/tap.sh"
need objdump objcopy nm sbsign sbverify openssl
B=${IGOS_BUILD:-$IGOS_SRC/build}
STUB=$B/efi/igos-stubx64.efi
[ -f "$STUB" ] || skip_all "$STUB not built"

pe_field() { # FILE FIELD
	objdump -p "$1" | awk -v f="$2" '$1 == f { print $2; exit }'
}

for e in igos-stubx64 igos-marker igos-chain igos-judge; do
	f=$B/efi/$e.efi
	is "$(pe_field "$f" Magic)" 020b "$e: PE32+"
	is "$(pe_field "$f" Subsystem)" 0000000a "$e: EFI application"
	is "$(pe_field "$f" SectionAlignment)" 00001000 "$e: SectionAlignment 4 KiB"
	bad=""
	for va in $(objdump -h "$f" | awk '$1 ~ /^[0-9]+$/ { print $2 "=" $4 }'); do
		[ $((0x${va#*=} % 4096)) -eq 0 ] || bad="$bad ${va%%=*}"
	done
	is "$bad" "" "$e: every section's VirtualAddress on a 4 KiB boundary"
	dllc=$(pe_field "$f" DllCharacteristics)
	ok "$e: NX-compatible (DllCharacteristics $dllc)" test $((0x$dllc & 0x100)) -ne 0
	is "$(pe_field "$f" SizeOfHeaders)" 00001000 "$e: SizeOfHeaders 4 KiB (room for section headers)"
	ok "$e: no COFF symbol table" sh -c "objdump -t '$f' 2>&1 | grep -q 'no symbols'"
	is "$(nm -D --undefined-only "$B/efi/$e.so")" "" "$e: no undefined symbols"
done

objcopy -O binary --only-section=.sbat "$STUB" sbat
is "$(wc -c <sbat | tr -d ' ')" 4096 ".sbat is 4096 bytes"
is "$(tr -d '\0' <sbat)" "sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md
igos,1,InterGenOS,igos-stub,0.1,none" ".sbat: the sbat,1 header and the igos generation line"
is "$(tr -d '\0' <sbat | wc -c | tr -d ' ')" \
	"$(printf 'sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\nigos,1,InterGenOS,igos-stub,0.1,none\n' | wc -c | tr -d ' ')" \
	".sbat: the text, then NUL padding only"

openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj /CN=t -days 1 2>/dev/null
run 0 "Signing Unsigned original image" "sbsign signs the stub without warnings (no gaps, no trailing data)" \
	sbsign --key k.pem --cert c.pem --output s.efi "$STUB"
ok "sbverify verifies the signed stub" sbverify --cert c.pem s.efi

run 0 '*' "make install-efi" make -s -C "$IGOS_SRC" BUILD="$B" DESTDIR="$T/inst" \
	PREFIX=/usr LIBEXECDIR=/usr/lib/igos install-efi
same "$T/inst/usr/lib/igos/igos-stubx64.efi" "$STUB" "installed as LIBEXECDIR/igos-stubx64.efi"

# The build's check (efi-fixup) refuses images that break the rules.
cp "$STUB" signed.efi && sbsign --key k.pem --cert c.pem --output signed.efi "$STUB" >/dev/null 2>&1
run 1 "efi-fixup: signed.efi: is already signed" "build check: a signed image refused" \
	"$B/efi/efi-fixup" signed.efi
objcopy --target efi-app-x86_64 --subsystem=10 "$B/efi/igos-marker.so" unstripped.efi
run 1 "efi-fixup: unstripped.efi: has a COFF symbol table" \
	"build check: a COFF symbol table refused" "$B/efi/efi-fixup" unstripped.efi
if [ -f /usr/lib/systemd/boot/efi/linuxx64.efi.stub ]; then
	cp /usr/lib/systemd/boot/efi/linuxx64.efi.stub sd.efi
	run 1 "efi-fixup: sd.efi: SectionAlignment is 0x200, not 4 KiB" \
		"build check: 512-byte section alignment refused" "$B/efi/efi-fixup" sd.efi
else
	skip 1 "systemd-boot-efi not installed"
fi
run 1 "efi-fixup: igos-marker.efi: no .sbat section" "build check: --sbat requires .sbat" \
	sh -c "cp '$B/efi/igos-marker.efi' . && '$B/efi/efi-fixup' --sbat igos-marker.efi"
done_testing
