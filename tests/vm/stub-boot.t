#!/bin/sh
# The igos stub under OVMF + swtpm: a signed UKI (igos stub, Debian's cloud
# kernel with its signature removed, busybox initrd, .osrel .cmdline .uname,
# .sbat merged from the stub's) started by a signed test loader (igos-chain.efi:
# LoadImage + StartImage with other LoadOptions, as a boot entry would).
# Secure Boot on: the firmware verifies the UKI, the unsigned inner kernel
# boots, the options are ignored, /proc/cmdline is .cmdline, PCR 11 is what
# systemd-measure and an independent computation predict, PCR 12 untouched.
# Secure Boot off, or a UKI without .cmdline: the options are the command
# line and are measured into PCR 12. The UKI is built by igos-ukify and signed by
# igos-sign (stub-lib.sh; objcopy and sbsign when those are not built).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$IGOS_SRC/tests/vm/stub-lib.sh"
MEASURE=/usr/lib/systemd/systemd-measure
vm_need
need sbsign sbverify sbattach swtpm xxd "$MEASURE" "$STUB_IGOS" "$STUB_CHAIN"
vm_kernel
plan 17

stub_initrd initrd.img
CMDLINE="console=ttyS0 quiet igos.test=stub-boot"
OPTIONS="console=ttyS0 quiet igos.test=loadoptions"
stub_parts "$CMDLINE"
is "$(sbverify --list vmlinuz 2>&1)" "No signature table present" \
	"the inner kernel carries no signature"

ok "UKI assembled" stub_uki uki.efi "$STUB_IGOS" .osrel=osrel .cmdline=cmdline \
	.uname=uname .initrd=initrd.img .linux=vmlinuz
uki_sbat uki.efi sbat
ok "the UKI's .sbat keeps the stub's generation line" grep -q '^igos,1,InterGenOS,igos-stub,' sbat
stub_sign uki.efi uki.signed
stub_sign "$STUB_CHAIN" chain.signed
vm_snakeoil_key keys
ok "the UKI verifies against the snakeoil certificate" sbverify --cert keys/db.crt uki.signed

mkdir -p esp
cp uki.signed esp/uki.efi
printf '%s\n' "$OPTIONS" >esp/options.txt
vm_esp esp chain.signed

# The expected PCR 11: systemd-measure for the sections it knows, then .uname
# and .sbat (which it does not know) extended in order; and the whole thing
# independently with openssl.
sm=$("$MEASURE" calculate --linux=vmlinuz --osrel=osrel --cmdline=cmdline \
	--initrd=initrd.img --bank=sha256 --phase= 2>/dev/null | sed -n 's/^11:sha256=//p')
p=$(printf '.uname\0' | pcr_extend "$sm")
p=$(pcr_extend "$p" <uname)
p=$(printf '.sbat\0' | pcr_extend "$p")
want_sm=$(pcr_extend "$p" <sbat)
want=$(pcr11_expect .linux=vmlinuz .osrel=osrel .cmdline=cmdline .initrd=initrd.img \
	.uname=uname .sbat=sbat)

vm_boot_uefi esp sb.log --secure --tpm --timeout 150
ok "Secure Boot: the firmware let the loader start the signed UKI" \
	grep -q "igos-chain: starting" sb.log
is "$(serial_value sb.log IGOS-CMDLINE)" "$CMDLINE" \
	"Secure Boot: LoadOptions ignored, /proc/cmdline is .cmdline (unsigned inner kernel booted)"
pcr11=$(serial_value sb.log IGOS-PCR11 | tr 'A-F' 'a-f')
is "$pcr11" "$want_sm" "PCR 11 = systemd-measure calculate, then .uname and .sbat extended"
is "$pcr11" "$want" "PCR 11 = independent computation (openssl)"
is "$(serial_value sb.log IGOS-PCR12 | tr 'A-F' 'a-f')" "$ZERO32" \
	"Secure Boot: nothing measured into PCR 12"
nok "no stub error line" grep -q "igos-stub:" sb.log

rm -rf "$VM_TPMSTATE"; unset VM_TPMSTATE # a fresh TPM: PCR 12 from zero
vm_boot_uefi esp nosb.log --insecure --tpm --timeout 150
is "$(serial_value nosb.log IGOS-CMDLINE)" "$OPTIONS" \
	"Secure Boot off: /proc/cmdline is the LoadOptions"
pcr12=$(printf '%s' "$OPTIONS" | iconv -f ASCII -t UTF-16LE | { cat; printf '\0\0'; } |
	pcr_extend "$ZERO32")
is "$(serial_value nosb.log IGOS-PCR12 | tr 'A-F' 'a-f')" "$pcr12" \
	"Secure Boot off: PCR 12 = the LoadOptions (UTF-16 with NUL) extended"
is "$(serial_value nosb.log IGOS-PCR11 | tr 'A-F' 'a-f')" "$want" \
	"Secure Boot off: PCR 11 is the same"

rm -rf "$VM_TPMSTATE"; unset VM_TPMSTATE

# Secure Boot on, but the UKI has no .cmdline: the options are used, and
# measured into PCR 12.
stub_uki nocmd.efi "$STUB_IGOS" .osrel=osrel .uname=uname .initrd=initrd.img .linux=vmlinuz
uki_sbat nocmd.efi sbat2
stub_sign nocmd.efi nocmd.signed
mkdir -p esp2
cp nocmd.signed esp2/uki.efi
cp esp/options.txt esp2/options.txt
vm_esp esp2 chain.signed
vm_boot_uefi esp2 nocmd.log --secure --tpm --timeout 150
is "$(serial_value nocmd.log IGOS-CMDLINE)" "$OPTIONS" \
	"Secure Boot, no .cmdline: /proc/cmdline is the LoadOptions"
is "$(serial_value nocmd.log IGOS-PCR12 | tr 'A-F' 'a-f')" "$pcr12" \
	"Secure Boot, no .cmdline: the LoadOptions measured into PCR 12"
is "$(serial_value nocmd.log IGOS-PCR11 | tr 'A-F' 'a-f')" \
	"$(pcr11_expect .linux=vmlinuz .osrel=osrel .initrd=initrd.img .uname=uname .sbat=sbat2)" \
	"Secure Boot, no .cmdline: PCR 11 without .cmdline"
rm -rf "$VM_TPMSTATE"
bad=""
for va in $(objdump -h uki.signed | awk '$1 ~ /^[0-9]+$/ { print $2 "=" $4 }'); do
	[ $((0x${va#*=} % 4096)) -eq 0 ] || bad="$bad ${va%%=*}"
done
is "$bad" "" "every section of the UKI on a 4 KiB boundary"
done_testing
