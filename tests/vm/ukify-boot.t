#!/bin/sh
# A UKI of systemd's stub + Debian's cloud kernel + a busybox initrd, signed
# with OVMF's snakeoil key by igos-sign, boots under Secure Boot with a TPM: the guest's
# /proc/cmdline is the .cmdline given, PCR 11 is what systemd-measure predicts
# (the v252 stub measures no .uname or .sbat);
# the same UKI unsigned is refused by the firmware.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
MEASURE=/usr/lib/systemd/systemd-measure
vm_need
need igos-ukify igos-sign sbverify swtpm "$STUB" "$MEASURE"
vm_kernel
plan 7

cat >init.sh <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "IGOS-CMDLINE:$(cat /proc/cmdline)"
echo "IGOS-PCR11:$(cat /sys/class/tpm/tpm0/pcr-sha256/11 2>&1)"
echo IGOS-TEST-DONE
poweroff -f
INIT
ok "busybox initrd built" vm_initrd initrd.img --init init.sh

CMDLINE="console=ttyS0 quiet igos.test=ukify-boot"
printf '%s' "$CMDLINE" >cmdline
printf 'ID=igos-test\nNAME="igos test"\n' >osrel
ok "igos-ukify builds the UKI" igos-ukify build --stub "$STUB" --linux "$VM_VMLINUZ" \
	--initrd initrd.img --os-release @osrel --cmdline "  $CMDLINE
" -o uki.efi

vm_snakeoil_key keys
igos-ukify build --stub "$STUB" --linux "$VM_VMLINUZ" --initrd initrd.img --os-release @osrel \
	--cmdline "$CMDLINE" -o - | igos-sign sign -k keys/db.key -c keys/db.crt -o uki.signed -
ok "igos-ukify -o - | igos-sign sign: sbverify accepts it with the snakeoil certificate" \
	sbverify --cert keys/db.crt uki.signed
vm_esp esp uki.signed
vm_boot_uefi esp boot.log --secure --tpm
got=$(tr -d '\r' <boot.log | sed -n 's/^IGOS-CMDLINE://p')
is "$got" "$CMDLINE" "signed UKI boots under Secure Boot; guest /proc/cmdline is .cmdline"
pcr=$(tr -d '\r' <boot.log | sed -n 's/^IGOS-PCR11://p' | tr 'A-F' 'a-f')
want=$("$MEASURE" calculate --linux="$VM_VMLINUZ" --osrel=osrel --cmdline=cmdline \
	--initrd=initrd.img --bank=sha256 --phase= 2>/dev/null | sed -n 's/^11:sha256=//p')
is "$pcr" "$want" "guest PCR 11 equals systemd-measure calculate"

vm_esp esp uki.efi
vm_boot_uefi esp refused.log --secure
ok "unsigned UKI: the firmware says Access Denied" grep -q "Access Denied" refused.log
nok "unsigned UKI: the kernel never starts" grep -q "IGOS-CMDLINE" refused.log
done_testing
