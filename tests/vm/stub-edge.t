#!/bin/sh
# The igos stub's edges under OVMF Secure Boot: a signed UKI with no .initrd
# (and no TPM) starts the kernel; one with no .linux, or junk in .linux,
# prints one error line and returns to the firmware; the firmware refuses the UKI unsigned, and signed
# with one byte of .initrd flipped afterwards.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$IGOS_SRC/tests/vm/stub-lib.sh"
vm_need
need sbsign sbverify "$STUB_IGOS"
vm_kernel
plan 11

stub_initrd initrd.img
printf '%s' "console=ttyS0 quiet panic=-1 igos.test=stub-edge" >cmdline
printf 'ID=igos-test\n' >osrel

# No .initrd, no TPM: the kernel starts and panics for want of a root.
stub_uki noinitrd.efi "$STUB_IGOS" .osrel=osrel .cmdline=cmdline .linux="$VM_VMLINUZ"
stub_sign noinitrd.efi noinitrd.signed
vm_esp esp1 noinitrd.signed
vm_boot_uefi esp1 noinitrd.log --secure --timeout 150 --stop-on 'Kernel panic|Access Denied'
ok "no TPM: the stub says so and boots" \
	grep -q "^igos-stub: no TPM2, booting without measurements" noinitrd.log
ok "no .initrd: the kernel starts (and panics without a root)" \
	grep -q "Kernel panic - not syncing" noinitrd.log

# No .linux: one line, then the firmware goes on with the next boot option.
stub_uki nolinux.efi "$STUB_IGOS" .osrel=osrel .cmdline=cmdline .initrd=initrd.img
stub_sign nolinux.efi nolinux.signed
vm_esp esp2 nolinux.signed
vm_boot_uefi esp2 nolinux.log --secure --timeout 90 --stop-on 'BdsDxe: failed to start|Access Denied'
# Up to the firmware's report of the failed boot option (the firmware may
# then try the same ESP again).
tr -d '\r' <nolinux.log | sed '/BdsDxe: failed to start/q' >first.log
is "$(grep -c '^igos-stub:' first.log)" 1 "no .linux: exactly one stub line"
ok "no .linux: the line says why, with the EFI status" \
	grep -q "^igos-stub: no .linux section: Not Found" nolinux.log
ok "no .linux: the stub returned to the firmware (no hang)" \
	sh -c "tr -d '\r' <nolinux.log | sed -n '/^igos-stub: no .linux/,\$p' | grep -q 'BdsDxe: failed to start'"

# .linux that is not a PE image: one line, back to the firmware.
head -c 65536 /dev/urandom >junk
stub_uki badlinux.efi "$STUB_IGOS" .osrel=osrel .cmdline=cmdline .bad=junk
objcopy --rename-section .bad=.linux badlinux.efi
stub_sign badlinux.efi badlinux.signed
vm_esp esp5 badlinux.signed
vm_boot_uefi esp5 badlinux.log --secure --timeout 90 --stop-on 'BdsDxe: failed to start|Access Denied'
tr -d '\r' <badlinux.log | sed '/BdsDxe: failed to start/q' >first.log
is "$(grep '^igos-stub:' first.log)" "igos-stub: .linux: not a PE image" \
	"junk .linux: one line saying so, then back to the firmware"

# Unsigned: refused before the stub runs.
stub_uki uki.efi "$STUB_IGOS" .osrel=osrel .cmdline=cmdline .initrd=initrd.img \
	.linux="$VM_VMLINUZ"
vm_esp esp3 uki.efi
vm_boot_uefi esp3 unsigned.log --secure --timeout 90
ok "unsigned UKI: Access Denied" grep -q "Access Denied" unsigned.log
nok "unsigned UKI: the stub never runs" grep -q "igos-stub\|IGOS-CMDLINE" unsigned.log

# Signed, then one byte of .initrd flipped.
stub_sign uki.efi flipped.efi
off=$(objdump -h flipped.efi | awk '$2 == ".initrd" { print $6 }')
pos=$((0x$off + 100))
byte=$(od -An -tu1 -j "$pos" -N1 flipped.efi | tr -d ' ')
printf "$(printf '\\%03o' $((byte ^ 0xff)))" |
	dd of=flipped.efi bs=1 seek="$pos" conv=notrunc 2>/dev/null
nok "flipped .initrd byte: sbverify rejects it too" \
	sbverify --cert "$T/keys/db.crt" flipped.efi
vm_esp esp4 flipped.efi
vm_boot_uefi esp4 flipped.log --secure --timeout 90
ok "flipped .initrd byte: Access Denied" grep -q "Access Denied" flipped.log
nok "flipped .initrd byte: the stub never runs" grep -q "igos-stub\|IGOS-CMDLINE" flipped.log
done_testing
