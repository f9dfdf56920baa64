#!/bin/sh
# One boot of a UKI (systemd 252's stub, Debian's cloud kernel, a busybox
# initrd, .osrel .cmdline .pcrpkey .uname) under OVMF with a TPM: PCR 11 in the
# guest (sha256 and sha1) is `igos-measure calculate --phase=` of the UKI (the
# 252 stub's set: .uname and the stub's .sbat not measured), and igos-measure
# status in the guest reads the same through sysfs and through /dev/tpmrm0.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
vm_need
need igos-measure swtpm openssl "$STUB"
vm_kernel
plan 8

IM=$(command -v igos-measure)
DEVTCTI=$(ls /usr/lib/*/libtss2-tcti-device.so.0 2>/dev/null | head -n 1)
[ -n "$DEVTCTI" ] || skip_all "libtss2-tcti-device0 missing (make deps)"
cat >init.sh <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "IGOS-PCR11-SHA256:\$(cat /sys/class/tpm/tpm0/pcr-sha256/11 2>&1)"
echo "IGOS-PCR11-SHA1:\$(cat /sys/class/tpm/tpm0/pcr-sha1/11 2>&1)"
$IM status -b sha256 -b sha1 2>&1 | sed 's/^/IGOS-SYSFS:/'
$IM status --tcti device:/dev/tpmrm0 -b sha256 2>&1 | sed 's/^/IGOS-ESYS:/'
echo IGOS-TEST-DONE
poweroff -f
INIT
ok "busybox initrd with igos-measure built" vm_initrd initrd.img --bin "$IM" --bin "$DEVTCTI" \
	--init init.sh

printf 'console=ttyS0 quiet igos.test=measure-boot' >cmdline
printf 'ID=igos-test\nNAME="igos test"\n' >osrel
printf '%s' "$VM_KVER" >uname
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null | openssl pkey -pubout >pcrpkey
objcopy \
	--add-section .osrel=osrel --change-section-vma .osrel=0x20000 \
	--add-section .cmdline=cmdline --change-section-vma .cmdline=0x21000 \
	--add-section .uname=uname --change-section-vma .uname=0x22000 \
	--add-section .pcrpkey=pcrpkey --change-section-vma .pcrpkey=0x23000 \
	--add-section .initrd=initrd.img --change-section-vma .initrd=0x30000 \
	--add-section .linux="$VM_VMLINUZ" --change-section-vma .linux=0x2000000 \
	"$STUB" uki.efi
vm_snakeoil_key keys
sbsign --key keys/db.key --cert keys/db.crt --output uki.signed uki.efi >/dev/null 2>&1
run 0 "" "predict PCR 11 of the signed UKI" igos-measure calculate --phase= -b sha1 -b sha256 --json uki.signed
want1=$(printf '%s' "$OUT" | sed 's/.*"sha1":\[{"pcr":11,"hash":"\([0-9a-f]*\)".*/\1/')
want256=$(printf '%s' "$OUT" | sed 's/.*"sha256":\[{"pcr":11,"hash":"\([0-9a-f]*\)".*/\1/')

vm_esp esp uki.signed
ok "the UKI boots under Secure Boot with a TPM" vm_boot_uefi esp boot.log --secure --tpm
log() { tr -d '\r' <boot.log | sed -n "s/^$1//p"; }
is "$(log IGOS-PCR11-SHA256: | tr 'A-F' 'a-f')" "$want256" "guest PCR 11 (sha256) equals calculate --phase="
is "$(log IGOS-PCR11-SHA1: | tr 'A-F' 'a-f')" "$want1" "guest PCR 11 (sha1) equals calculate --phase="
is "$(log IGOS-SYSFS: | grep '^11:')" "11:sha1=$want1
11:sha256=$want256" "igos-measure status in the guest (sysfs) shows the same"
is "$(log IGOS-SYSFS: | grep -c '^1[23]:sha')" 4 "... and PCRs 12 and 13"
is "$(log IGOS-ESYS: | grep '^11:')" "11:sha256=$want256" \
	"igos-measure status --tcti device:/dev/tpmrm0 in the guest shows the same"
done_testing
