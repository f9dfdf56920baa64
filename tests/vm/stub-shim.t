#!/bin/sh
# The igos stub as shim's second stage (Debian's shim 16.1, signed with the
# snakeoil key in place of Microsoft's signature): shim verifies the signed
# UKI against db and starts it; the stub starts the kernel in .linux, whose
# own signature was removed, without asking shim or the firmware about it.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$IGOS_SRC/tests/vm/stub-lib.sh"
SHIM=/usr/lib/shim/shimx64.efi
MM=/usr/lib/shim/mmx64.efi
vm_need
need sbsign sbattach swtpm "$SHIM" "$MM" "$STUB_IGOS"
vm_kernel
plan 3

stub_initrd initrd.img
CMDLINE="console=ttyS0 quiet panic=-1 igos.test=stub-shim"
stub_parts "$CMDLINE"
stub_uki uki.efi "$STUB_IGOS" .osrel=osrel .cmdline=cmdline .uname=uname \
	.initrd=initrd.img .linux=vmlinuz
uki_sbat uki.efi sbat
stub_sign uki.efi uki.signed
stub_sign "$SHIM" shim.signed
stub_sign "$MM" mm.signed
vm_esp esp shim.signed
cp mm.signed esp/EFI/BOOT/mmx64.efi
cp uki.signed esp/EFI/BOOT/grubx64.efi

vm_boot_uefi esp boot.log --secure --tpm --timeout 150 \
	--stop-on 'IGOS-TEST-DONE|Kernel panic|Access Denied|halting|Verification failed'
is "$(serial_value boot.log IGOS-CMDLINE)" "$CMDLINE" \
	"shim 16.1 -> signed UKI -> unsigned inner kernel boots; /proc/cmdline is .cmdline"
nok "shim did not halt the boot" grep -q "System is compromised\|halting" boot.log
want=$(pcr11_expect .linux=vmlinuz .osrel=osrel .cmdline=cmdline .initrd=initrd.img \
	.uname=uname .sbat=sbat)
is "$(serial_value boot.log IGOS-PCR11 | tr 'A-F' 'a-f')" "$want" "PCR 11 as predicted under shim too"
rm -rf "$VM_TPMSTATE"
done_testing
