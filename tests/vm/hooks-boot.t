#!/bin/sh
# The UKI that kernel-install add installs with the igos hooks boots: OVMF with
# Secure Boot on (snakeoil db), systemd-boot (signed with the snakeoil key) as
# the ESP's boot loader finds it in EFI/Linux and starts it; the MOK that signed
# it is a leaf issued by the snakeoil CA. One boot checks: the firmware and the
# loader accept it, the guest's /proc/cmdline is the configured one, the kernel
# is the version installed, its initrd is the one given to kernel-install, and
# the kernel reports Secure Boot enabled.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/hooks.sh"
SDBOOT=/usr/lib/systemd/boot/efi/systemd-bootx64.efi
vm_need
need kernel-install igos-ukify igos-sign sbverify "$SDBOOT"
vm_kernel
plan 8
KVER=$VM_KVER

cat >init.sh <<'INIT'
#!/bin/sh
mount -t proc proc /proc
echo "IGOS-CMDLINE:$(cat /proc/cmdline)"
echo "IGOS-UNAME:$(uname -r)"
echo "IGOS-INITRD:$(cat /initrd-tag)"
echo "IGOS-SB:$(dmesg | grep -o 'Secure boot enabled' | head -n 1)"
echo IGOS-TEST-DONE
poweroff -f
INIT
TAG=hooks-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
echo "$TAG" >tag
ok "busybox initrd built" vm_initrd initrd.img --file "$T/tag:/initrd-tag" --init init.sh

hooks_env
vm_snakeoil_leaf keys mok 2048
hooks_conf "$T/keys/mok.key" "$T/keys/mok.crt"
CMDLINE="console=ttyS0 quiet igos.test=hooks-boot"
printf '%s\n' "$CMDLINE" >conf/cmdline
run 0 "*" "kernel-install add installs the UKI" ki add "$KVER" "$VM_VMLINUZ" initrd.img
UKI=esp/EFI/Linux/igos-$KVER.efi
ok "it verifies with the MOK certificate (sbverify)" sbverify --cert keys/mok.crt "$UKI"

# systemd-boot, signed with the snakeoil db key, as the ESP's default loader
vm_snakeoil_key keys
igos-sign sign -k keys/db.key -c keys/db.crt -o sd-boot.efi "$SDBOOT"
vm_esp esp sd-boot.efi
vm_boot_uefi esp boot.log --secure
nok "Secure Boot did not refuse anything" grep -q "Access Denied" boot.log
got=$(tr -d '\r' <boot.log | sed -n 's/^IGOS-CMDLINE://p')
is "$got" "$CMDLINE" "the installed UKI booted; guest /proc/cmdline is the configured cmdline"
is "$(tr -d '\r' <boot.log | sed -n 's/^IGOS-UNAME://p')" "$KVER" "the kernel is the version installed"
is "$(tr -d '\r' <boot.log | sed -n 's/^IGOS-INITRD://p')" "$TAG" "the initrd is the one given to kernel-install"
is "$(tr -d '\r' <boot.log | sed -n 's/^IGOS-SB://p')" "Secure boot enabled" "the guest kernel saw Secure Boot on"
done_testing
