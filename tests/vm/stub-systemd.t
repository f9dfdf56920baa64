#!/bin/sh
# The stub tests that apply to systemd's stub (Debian 12: systemd 252), run
# against it: the same harness, loader and expectations hold for the
# reference. Secure Boot on: an unsigned inner kernel boots in a signed UKI,
# LoadOptions are ignored, PCR 11 equals systemd-measure and the openssl
# computation used for the igos stub. Secure Boot off: the options are the
# command line, measured into PCR 12 as the igos stub measures them. No
# .initrd: the kernel starts; no .linux: control returns to the firmware.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$IGOS_SRC/tests/vm/stub-lib.sh"
MEASURE=/usr/lib/systemd/systemd-measure
vm_need
need sbsign sbverify sbattach swtpm xxd iconv "$MEASURE" "$STUB_SYSTEMD" "$STUB_CHAIN"
vm_kernel
plan 9

stub_initrd initrd.img
CMDLINE="console=ttyS0 quiet panic=-1 igos.test=stub-systemd"
OPTIONS="console=ttyS0 quiet panic=-1 igos.test=loadoptions"
stub_parts "$CMDLINE"
is "$(sbverify --list vmlinuz 2>&1)" "No signature table present" \
	"the inner kernel carries no signature"

stub_uki uki.efi "$STUB_SYSTEMD" .osrel=osrel .cmdline=cmdline .initrd=initrd.img .linux=vmlinuz
stub_sign uki.efi uki.signed
stub_sign "$STUB_CHAIN" chain.signed
mkdir -p esp
cp uki.signed esp/uki.efi
printf '%s\n' "$OPTIONS" >esp/options.txt
vm_esp esp chain.signed

sm=$("$MEASURE" calculate --linux=vmlinuz --osrel=osrel --cmdline=cmdline \
	--initrd=initrd.img --bank=sha256 --phase= 2>/dev/null | sed -n 's/^11:sha256=//p')
want=$(pcr11_expect .linux=vmlinuz .osrel=osrel .cmdline=cmdline .initrd=initrd.img)
is "$want" "$sm" "the openssl PCR 11 computation agrees with systemd-measure"

vm_boot_uefi esp sb.log --secure --tpm --timeout 150
is "$(serial_value sb.log IGOS-CMDLINE)" "$CMDLINE" \
	"systemd stub, Secure Boot: LoadOptions ignored, unsigned inner kernel booted"
is "$(serial_value sb.log IGOS-PCR11 | tr 'A-F' 'a-f')" "$sm" \
	"systemd stub: PCR 11 = systemd-measure calculate"
rm -rf "$VM_TPMSTATE"; unset VM_TPMSTATE

vm_boot_uefi esp nosb.log --insecure --tpm --timeout 150
rm -rf "$VM_TPMSTATE"; unset VM_TPMSTATE
is "$(serial_value nosb.log IGOS-CMDLINE)" "$OPTIONS" \
	"systemd stub, Secure Boot off: /proc/cmdline is the LoadOptions"
pcr12=$(printf '%s' "$OPTIONS" | iconv -f ASCII -t UTF-16LE | { cat; printf '\0\0'; } |
	pcr_extend "$ZERO32")
is "$(serial_value nosb.log IGOS-PCR12 | tr 'A-F' 'a-f')" "$pcr12" \
	"systemd stub, Secure Boot off: PCR 12 = the LoadOptions (UTF-16 with NUL) extended"

stub_uki noinitrd.efi "$STUB_SYSTEMD" .osrel=osrel .cmdline=cmdline .linux="$VM_VMLINUZ"
stub_sign noinitrd.efi noinitrd.signed
vm_esp esp1 noinitrd.signed
vm_boot_uefi esp1 noinitrd.log --secure --timeout 150 --stop-on 'Kernel panic|Access Denied'
ok "systemd stub, no .initrd: the kernel starts (and panics without a root)" \
	grep -q "Kernel panic - not syncing" noinitrd.log

stub_uki nolinux.efi "$STUB_SYSTEMD" .osrel=osrel .cmdline=cmdline .initrd=initrd.img
stub_sign nolinux.efi nolinux.signed
vm_esp esp2 nolinux.signed
vm_boot_uefi esp2 nolinux.log --secure --timeout 90 --stop-on 'BdsDxe: failed to start|Access Denied'
ok "systemd stub, no .linux: it returns to the firmware (no hang)" \
	grep -q "BdsDxe: failed to start" nolinux.log
nok "systemd stub, no .linux: no kernel" grep -q "IGOS-CMDLINE\|Kernel panic" nolinux.log
done_testing
