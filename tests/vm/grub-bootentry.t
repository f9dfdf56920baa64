#!/bin/sh
# igos-grub install --boot-entry inside a booted guest (OVMF, efivarfs), on a
# GPT disk whose first partition is the ESP, against efibootmgr in the same
# guest: efibootmgr -c first makes its entry for \EFI\BOOT\BOOTX64.EFI; then
# igos-grub install --boot-entry with the same label finds that entry (same
# device path), rewrites it with the same bytes and puts it first in
# BootOrder; efibootmgr -v reads it back as HD(1,GPT,<partition GUID>,...)
# and the partition GUID is the one sfdisk wrote; with that entry deleted,
# igos-grub makes it again: the same number, the same bytes, first in BootOrder.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
vm_need
need igos-grub igos-sign igos-ukify efibootmgr sfdisk mkfs.fat "$IGOS_BUILD/efi/igos-stubx64.efi" \
	/usr/lib/shim/shimx64.efi.signed /usr/lib/shim/mmx64.efi.signed
vm_kernel
plan 13

truncate -s 40M disk.img
printf 'label: gpt\nstart=2048, size=77824, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n' | sfdisk -q disk.img
mkfs.fat --offset 2048 disk.img 38912 >/dev/null 2>&1
guid=$(sfdisk --part-uuid disk.img 1 | tr A-F a-f)
ok "a GPT disk with the ESP as partition 1 ($guid)" test -n "$guid"
igos-grub build --timeout 0 -o grub.efi && vm_snakeoil_key keys &&
	igos-sign sign -k keys/db.key -c keys/db.crt -o grub.signed grub.efi >/dev/null ||
	{ echo "Bail out! grub image"; exit 1; }
bindir=$(dirname "$(command -v igos-grub)")
G=8be4df61-93ca-11d2-aa0d-00e098032b8c
cat >init.sh <<INIT
#!/bin/sh
export PATH=/bin:/usr/bin:$bindir
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
vm-load-modules >/dev/null
mount -t efivarfs efivarfs /sys/firmware/efi/efivars || echo IGOS-NO-EFIVARFS
mkdir -p /esp && mount -t vfat /dev/vdb1 /esp || echo IGOS-NO-ESP
hexof() { od -An -tx1 -v "/sys/firmware/efi/efivars/\$1-$G" | tr -d ' \n'; }
efibootmgr -c -d /dev/vdb -p 1 -L InterGenOS -l '\\EFI\\BOOT\\BOOTX64.EFI' >/dev/null 2>&1
echo "IGOS-EBM-RC:\$?"
n=\$(efibootmgr | sed -n 's/^Boot\([0-9A-F]*\)\* InterGenOS\$/\1/p' | head -n 1)
echo "IGOS-EBM-NUM:\$n"
echo "IGOS-EBM-HEX:\$(hexof Boot\$n)"
efibootmgr -o 0000 >/dev/null 2>&1
echo "IGOS-IGOS-OUT:\$(igos-grub install --esp /esp --shim /shim.efi --mokmanager /mm.efi --grub /grub.efi --boot-entry InterGenOS 2>&1)"
echo "IGOS-IGOS-HEX:\$(hexof Boot\$n)"
echo "IGOS-ORDER:\$(efibootmgr | sed -n 's/^BootOrder: //p')"
echo "IGOS-V:\$(efibootmgr -v | grep "^Boot\$n")"
echo "IGOS-FILES:\$(ls /esp/EFI/BOOT | tr '\n' ' ')"
efibootmgr -b \$n -B >/dev/null 2>&1
echo "IGOS-NEW-OUT:\$(igos-grub install --esp /esp --shim /shim.efi --boot-entry InterGenOS 2>&1)"
echo "IGOS-NEW-HEX:\$(hexof Boot\$n)"
echo "IGOS-ORDER2:\$(efibootmgr | sed -n 's/^BootOrder: //p')"
umount /esp
echo IGOS-TEST-DONE
poweroff -f
INIT
ok "initrd: igos-grub, efibootmgr, the vfat and efivarfs modules" \
	vm_initrd initrd.img --modules "virtio_blk virtio_pci vfat nls_cp437 nls_ascii nls_utf8 efivarfs" \
	--bin "$(command -v igos-grub)" --bin "$(command -v efibootmgr)" \
	--file /usr/lib/shim/shimx64.efi.signed:/shim.efi --file /usr/lib/shim/mmx64.efi.signed:/mm.efi \
	--file grub.signed:/grub.efi --init init.sh
igos-ukify build --stub "$IGOS_BUILD/efi/igos-stubx64.efi" --linux "$VM_VMLINUZ" --initrd initrd.img \
	--cmdline "console=ttyS0 quiet" -o uki.unsigned >/dev/null &&
	igos-sign sign -k keys/db.key -c keys/db.crt -o uki.efi uki.unsigned >/dev/null
vm_esp esp uki.efi
ok "the guest ran to the end" vm_boot_uefi esp boot.log --secure --disk disk.img
val() { tr -d '\r' <boot.log | sed -n "s/^$1://p" | head -n 1; }
is "$(val IGOS-EBM-RC)" 0 "efibootmgr -c made its entry"
n=$(val IGOS-EBM-NUM)
is "$(val IGOS-IGOS-OUT)" "Boot$n" "igos-grub install --boot-entry found that entry (same device path): Boot$n"
ebm=$(val IGOS-EBM-HEX)
ok "efibootmgr's entry was read" test -n "$ebm"
is "$(val IGOS-IGOS-HEX)" "$ebm" "and wrote the same bytes efibootmgr wrote (attributes and EFI_LOAD_OPTION)"
is "$(val IGOS-ORDER | cut -d, -f1)" "$n" "it is first in BootOrder"
case $(val IGOS-V | tr A-Z a-z) in
*"hd(1,gpt,$guid,0x800,0x13000)/file(\\efi\\boot\\bootx64.efi)"*) r=0 ;; *) r=1 ;;
esac
[ $r = 0 ] || diag "efibootmgr -v: $(val IGOS-V)" "partition GUID $guid"
ok "efibootmgr -v reads it as HD(1,GPT,<sfdisk's partition GUID>,0x800,0x13000)/File(\\EFI\\BOOT\\BOOTX64.EFI)" test $r = 0
is "$(val IGOS-FILES)" "BOOTX64.EFI grubx64.efi mmx64.efi " "and the files are on the ESP"
is "$(val IGOS-NEW-OUT)" "Boot$n" "with efibootmgr's entry deleted, igos-grub takes the same (lowest free) number"
is "$(val IGOS-NEW-HEX)" "$ebm" "and writes the same bytes as a new variable"
is "$(val IGOS-ORDER2 | cut -d, -f1)" "$n" "first in BootOrder"
done_testing
