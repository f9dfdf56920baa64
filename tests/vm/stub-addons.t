#!/bin/sh
# Addons (<uki>.extra.d/*.addon.efi, \loader\addons\*.addon.efi) under the
# igos stub, OVMF + swtpm, two boots of one ESP:
# Secure Boot on: the unsigned addon is refused by the firmware's LoadImage
# and its .cmdline is not in /proc/cmdline; signed ones are applied (global
# first, then the UKI's own, each directory in name order); an addon with a
# .linux or with another kernel's .uname is refused; .ucode is put before the
# initrd (its file is in the guest's root); PCR 12 is the addons' command line
# (UTF-16), then the .dtb, then the .ucode, as systemd-stub 257 measures them
# and as igos-measure pcr12 predicts from the addon files.
# Secure Boot off: the unsigned addon is applied too, after the LoadOptions,
# which are measured first. Under shim 16.1 (Debian's, signed with the
# snakeoil key): shim's LoadImage judges the addons, with the same outcome.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$IGOS_SRC/tests/vm/stub-lib.sh"
ASTUB=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-addonx64.efi
vm_need
SHIM=/usr/lib/shim/shimx64.efi
MM=/usr/lib/shim/mmx64.efi
need swtpm xxd iconv cpio igos-ukify igos-measure "$STUB_IGOS" "$STUB_CHAIN" "$ASTUB" "$SHIM" "$MM"
vm_kernel
plan 18

# The initrd's init: what stub_initrd's prints, and the file the .ucode
# addon's cpio brings.
cat >"$T/init.sh" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "IGOS-CMDLINE:$(cat /proc/cmdline)"
echo "IGOS-UCODE:$(cat /igos-ucode.txt 2>&1)"
# the TPM driver may still be probing on a loaded host: wait up to 20 s
i=0
while [ ! -e /sys/class/tpm/tpm0/pcr-sha256/12 ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
echo "IGOS-PCR11:$(cat /sys/class/tpm/tpm0/pcr-sha256/11 2>&1)"
echo "IGOS-PCR12:$(cat /sys/class/tpm/tpm0/pcr-sha256/12 2>&1)"
echo IGOS-TEST-DONE
poweroff -f
INIT
vm_initrd initrd.img --init "$T/init.sh"
CMDLINE="console=ttyS0 quiet panic=-1 igos.test=stub-addons"
OPTIONS="console=ttyS0 quiet panic=-1 igos.test=loadoptions"
stub_parts "$CMDLINE"
stub_uki uki.efi "$STUB_IGOS" .osrel=osrel .cmdline=cmdline .uname=uname \
	.initrd=initrd.img .linux=vmlinuz
uki_sbat uki.efi sbat
stub_sign uki.efi uki.signed
stub_sign "$STUB_CHAIN" chain.signed

# Addons: igos-ukify build --addon; the ones it will not build (with a
# .linux, with a .uname) by objcopy on the same addon stub.
addon() { # OUT NAME=FILE...
	_out=$1; shift
	stub_uki "$_out" "$ASTUB" "$@"
}
printf 'igos.addon=global\n' >c-global
printf 'igos.addon=unsigned' >c-unsigned
printf '  igos.addon=local' >c-local
printf 'igos.addon=kernel' >c-kernel
printf 'igos.addon=uname' >c-uname
printf 'not a kernel' >fake-linux
printf '0.0.0-other' >other-uname
mkdir -p ucode-root && printf 'ucode-addon-ok\n' >ucode-root/igos-ucode.txt
(cd ucode-root && echo igos-ucode.txt | cpio -o -H newc -R 0:0 --quiet) >ucode.cpio
# A minimal flattened devicetree: header, empty reservation map, a root node.
printf 'd00dfeed00000048000000380000004800000028000000110000001000000000000000000000001000000000000000000000000000000000000000010000000000000002000000090000000000000000' |
	xxd -r -p | head -c 72 >tiny.dtb

mkdir -p esp/loader/addons esp/uki.efi.extra.d
igos-ukify build --addon --cmdline @c-global -o a.efi &&
	stub_sign a.efi esp/loader/addons/10-global.addon.efi
igos-ukify build --addon --cmdline @c-unsigned -o esp/loader/addons/20-unsigned.addon.efi
echo "not an addon" >esp/loader/addons/readme.txt
igos-ukify build --addon --cmdline @c-local -o l.efi && stub_sign l.efi esp/uki.efi.extra.d/30-local.ADDON.EFI
addon k.efi .cmdline=c-kernel .nolinux=fake-linux && objcopy --rename-section .nolinux=.linux k.efi &&
	stub_sign k.efi esp/uki.efi.extra.d/40-kernel.addon.efi
addon u.efi .cmdline=c-uname .uname=other-uname && stub_sign u.efi esp/uki.efi.extra.d/50-uname.addon.efi
igos-ukify build --addon --ucode ucode.cpio -o m.efi && stub_sign m.efi esp/uki.efi.extra.d/60-ucode.addon.efi
# the UKI's own .uname: accepted
addon d.efi .dtb=tiny.dtb .uname=uname && stub_sign d.efi esp/uki.efi.extra.d/70-dtb.addon.efi
cp uki.signed esp/uki.efi
printf '%s\n' "$OPTIONS" >esp/options.txt
vm_esp esp chain.signed

# Not vm.sh's default: the refusal line names "Access Denied" too.
STOP='IGOS-TEST-DONE|Kernel panic|reboot: Power down'
utf16z() { printf '%s' "$1" | iconv -f ASCII -t UTF-16LE; printf '\0\0'; }

vm_boot_uefi esp sb.log --secure --tpm --timeout 200 --stop-on "$STOP"
is "$(serial_value sb.log IGOS-CMDLINE)" "$CMDLINE igos.addon=global igos.addon=local" \
	"Secure Boot: the signed addons' .cmdline appended, global first, tidied"
ok "Secure Boot: the unsigned addon refused by the firmware" \
	grep -q 'igos-stub: addon \\loader\\addons\\20-unsigned.addon.efi refused: Access Denied' sb.log
ok "an addon with a .linux is refused" \
	grep -q 'igos-stub: addon \\uki.efi.extra.d\\40-kernel.addon.efi has a .linux section' sb.log
ok "an addon for another kernel (.uname) is refused" \
	grep -q 'igos-stub: addon \\uki.efi.extra.d\\50-uname.addon.efi is for another kernel' sb.log
nok "a file not named *.addon.efi is not looked at" grep -q 'readme.txt' sb.log
is "$(serial_value sb.log IGOS-UCODE)" "ucode-addon-ok" \
	"the .ucode addon's cpio comes before the initrd (its file is in the guest)"
want=$(utf16z "igos.addon=global igos.addon=local" | pcr_extend "$ZERO32")
want=$(pcr_extend "$want" <tiny.dtb)
want=$(pcr_extend "$want" <ucode.cpio)
pcr12=$(serial_value sb.log IGOS-PCR12 | tr 'A-F' 'a-f')
is "$pcr12" "$want" "PCR 12: the addons' command line (UTF-16 with NUL), the .dtb, the .ucode"
(cd esp && igos-measure pcr12 -b sha256 loader/addons/10-global.addon.efi \
	uki.efi.extra.d/30-local.ADDON.EFI uki.efi.extra.d/60-ucode.addon.efi \
	uki.efi.extra.d/70-dtb.addon.efi) >pred.sb
pred_sb=$(cat pred.sb)
is "$pred_sb" "12:sha256=$pcr12" "PCR 12 = igos-measure pcr12 of the addons applied"
is "$(serial_value sb.log IGOS-PCR11 | tr 'A-F' 'a-f')" \
	"$(pcr11_expect .linux=vmlinuz .osrel=osrel .cmdline=cmdline .initrd=initrd.img \
		.uname=uname .sbat=sbat)" \
	"PCR 11 does not see the addons"

rm -rf "$VM_TPMSTATE"; unset VM_TPMSTATE # a fresh TPM: PCR 12 from zero
vm_boot_uefi esp nosb.log --insecure --tpm --timeout 200 --stop-on "$STOP"
is "$(serial_value nosb.log IGOS-CMDLINE)" \
	"$OPTIONS igos.addon=global igos.addon=unsigned igos.addon=local" \
	"Secure Boot off: the LoadOptions, then every addon's .cmdline, the unsigned one too"
nok "Secure Boot off: no addon refused by the firmware" grep -q 'refused:' nosb.log
want=$(utf16z "$OPTIONS" | pcr_extend "$ZERO32")
want=$(utf16z "igos.addon=global igos.addon=unsigned igos.addon=local" | pcr_extend "$want")
want=$(pcr_extend "$want" <tiny.dtb)
want=$(pcr_extend "$want" <ucode.cpio)
pcr12=$(serial_value nosb.log IGOS-PCR12 | tr 'A-F' 'a-f')
is "$pcr12" "$want" "Secure Boot off: PCR 12 = the LoadOptions, then the addons as before"
(cd esp && igos-measure pcr12 -b sha256 --load-options "$OPTIONS" \
	loader/addons/10-global.addon.efi loader/addons/20-unsigned.addon.efi \
	uki.efi.extra.d/30-local.ADDON.EFI uki.efi.extra.d/60-ucode.addon.efi \
	uki.efi.extra.d/70-dtb.addon.efi) >pred.nosb
is "$(cat pred.nosb)" "12:sha256=$pcr12" "Secure Boot off: PCR 12 = igos-measure pcr12 --load-options"
is "$(serial_value nosb.log IGOS-UCODE)" "ucode-addon-ok" "Secure Boot off: .ucode applied"
ok "the guest booted both times" sh -c 'grep -q IGOS-TEST-DONE sb.log && grep -q IGOS-TEST-DONE nosb.log'
rm -rf "$VM_TPMSTATE"; unset VM_TPMSTATE

# shim 16.1 -> the UKI as grubx64.efi, its own addons in grubx64.efi.extra.d
stub_sign "$SHIM" shim.signed
stub_sign "$MM" mm.signed
vm_esp esp3 shim.signed
cp mm.signed esp3/EFI/BOOT/mmx64.efi
cp uki.signed esp3/EFI/BOOT/grubx64.efi
cp -r esp/loader esp3/loader
cp -r esp/uki.efi.extra.d esp3/EFI/BOOT/grubx64.efi.extra.d
vm_boot_uefi esp3 shim.log --secure --tpm --timeout 200 --stop-on "$STOP"
is "$(serial_value shim.log IGOS-CMDLINE)" "$CMDLINE igos.addon=global igos.addon=local" \
	"shim: the signed addons applied (shim's LoadImage accepts them)"
ok "shim: the unsigned addon refused" \
	grep -q 'igos-stub: addon \\loader\\addons\\20-unsigned.addon.efi refused: ' shim.log
is "$(serial_value shim.log IGOS-PCR12 | tr 'A-F' 'a-f')" "${pred_sb#12:sha256=}" \
	"shim: PCR 12 as without shim (igos-measure pcr12)"
rm -rf "$VM_TPMSTATE"
done_testing
