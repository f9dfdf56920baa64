#!/bin/sh
# Addons (<uki>.extra.d/*.addon.efi, \loader\addons\*.addon.efi) under the
# igos stub, OVMF + swtpm, three boots of one ESP:
# Secure Boot on: the unsigned addon is refused by the firmware's LoadImage
# and its .cmdline is not in /proc/cmdline, and so are the two signed by a
# MOK only (db does not hold it); signed ones are applied (global
# first, then the UKI's own, each directory in name order); an addon with a
# .linux or with another kernel's .uname is refused; .ucode is put before the
# initrd (its file is in the guest's root); credentials beside the UKI and in
# \loader\credentials reach the guest's /.extra with the addons applied; PCR
# 12 is the addons' command line (UTF-16), then the .dtb, then the two
# credential archives, then the .ucode, in systemd-stub's order (its run():
# addon command lines, addon devicetrees, the ESP's archives, .ucode addons;
# the addons' events as igos-measure pcr12 predicts them from the files).
# Secure Boot off: every addon is applied, after the LoadOptions, which are
# measured first. Under shim 16.1 (Debian's, signed with the snakeoil key)
# with one MOK in MokList (written into the NVRAM as MokManager leaves it):
# shim's LoadImage judges the addons: db-signed ones and the one signed by
# the enrolled MOK are applied; the unsigned one and the one signed by a MOK
# that is not enrolled are refused with shim's EFI_SECURITY_VIOLATION
# ("Verification failed: Security Policy Violation" on shim's console).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$IGOS_SRC/tests/vm/stub-lib.sh"
. "$TESTLIB/mok.sh"
ASTUB=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-addonx64.efi
vm_need
SHIM=/usr/lib/shim/shimx64.efi
MM=/usr/lib/shim/mmx64.efi
need swtpm xxd iconv cpio python3 igos-ukify igos-measure igos-mok igos-sign \
	"$STUB_IGOS" "$STUB_CHAIN" "$ASTUB" "$SHIM" "$MM"
vm_kernel
plan 21

# The initrd's init: what stub_initrd's prints, and the file the .ucode
# addon's cpio brings.
cat >"$T/init.sh" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "IGOS-CMDLINE:$(cat /proc/cmdline)"
echo "IGOS-UCODE:$(cat /igos-ucode.txt 2>&1)"
echo "IGOS-CRED:$(cat /.extra/credentials/local.cred 2>&1)"
echo "IGOS-GCRED:$(cat /.extra/global_credentials/global.cred 2>&1)"
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

# Addons: igos-ukify build --addon; the one it will not build (with a
# .linux) by objcopy on the same addon stub.
addon() { # OUT NAME=FILE...
	_out=$1; shift
	stub_uki "$_out" "$ASTUB" "$@"
}
printf 'igos.addon=global\n' >c-global
printf 'igos.addon=unsigned' >c-unsigned
printf '  igos.addon=local' >c-local
printf 'igos.addon=kernel' >c-kernel
printf 'igos.addon=uname' >c-uname
printf 'igos.addon=mok' >c-mok
printf 'igos.addon=othermok' >c-othermok
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
# signed by a MOK only: enrolled (under shim), and one that is not
igos-mok new -k mok.key -c mok.der --subject "igos addon MOK" >/dev/null &&
	igos-mok new -k other.key -c other.der --subject "igos addon other MOK" >/dev/null
igos-ukify build --addon --cmdline @c-mok -o mk.efi &&
	igos-sign sign -k mok.key -c mok.der -o esp/uki.efi.extra.d/35-mok.addon.efi mk.efi
igos-ukify build --addon --cmdline @c-othermok -o om.efi &&
	igos-sign sign -k other.key -c other.der -o esp/uki.efi.extra.d/36-othermok.addon.efi om.efi
igos-ukify build --addon --cmdline @c-uname --uname "$(cat other-uname)" -o u.efi &&
	stub_sign u.efi esp/uki.efi.extra.d/50-uname.addon.efi
igos-ukify build --addon --ucode ucode.cpio -o m.efi && stub_sign m.efi esp/uki.efi.extra.d/60-ucode.addon.efi
# the UKI's own .uname: accepted
igos-ukify build --addon --devicetree tiny.dtb --uname "$(cat uname)" -o d.efi &&
	stub_sign d.efi esp/uki.efi.extra.d/70-dtb.addon.efi
# credentials beside the UKI and for every UKI, for the first boot only (the
# later ones compare the whole PCR 12 with igos-measure pcr12, which predicts
# the addons)
mkdir -p esp/loader/credentials
printf 'cred-local' >esp/uki.efi.extra.d/local.cred
printf 'cred-global' >esp/loader/credentials/global.cred
python3 "$TESTLIB/sd-cpio.py" .extra/credentials 0500 0400 esp/uki.efi.extra.d/local.cred >creds.cpio
python3 "$TESTLIB/sd-cpio.py" .extra/global_credentials 0500 0400 \
	esp/loader/credentials/global.cred >gcreds.cpio
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
ok "Secure Boot, no shim: the addon signed by a MOK only is refused by the firmware" \
	grep -q 'igos-stub: addon \\uki.efi.extra.d\\35-mok.addon.efi refused: Access Denied' sb.log
is "$(serial_value sb.log IGOS-CRED):$(serial_value sb.log IGOS-GCRED)" "cred-local:cred-global" \
	"credentials and addons together: /.extra/credentials and global_credentials from the ESP"
nok "a file not named *.addon.efi is not looked at" grep -q 'readme.txt' sb.log
is "$(serial_value sb.log IGOS-UCODE)" "ucode-addon-ok" \
	"the .ucode addon's cpio comes before the initrd (its file is in the guest)"
want=$(utf16z "igos.addon=global igos.addon=local" | pcr_extend "$ZERO32")
want=$(pcr_extend "$want" <tiny.dtb)
want_addons=$(pcr_extend "$want" <ucode.cpio)
want=$(pcr_extend "$want" <creds.cpio)
want=$(pcr_extend "$want" <gcreds.cpio)
want=$(pcr_extend "$want" <ucode.cpio)
pcr12=$(serial_value sb.log IGOS-PCR12 | tr 'A-F' 'a-f')
is "$pcr12" "$want" \
	"PCR 12: the addons' command line (UTF-16 with NUL), the .dtb, the credentials, the .ucode"
(cd esp && igos-measure pcr12 -b sha256 loader/addons/10-global.addon.efi \
	uki.efi.extra.d/30-local.ADDON.EFI uki.efi.extra.d/60-ucode.addon.efi \
	uki.efi.extra.d/70-dtb.addon.efi) >pred.sb
pred_sb=$(cat pred.sb)
is "$pred_sb" "12:sha256=$want_addons" "igos-measure pcr12 of the addons applied = their events"
is "$(serial_value sb.log IGOS-PCR11 | tr 'A-F' 'a-f')" \
	"$(pcr11_expect .linux=vmlinuz .osrel=osrel .cmdline=cmdline .initrd=initrd.img \
		.uname=uname .sbat=sbat)" \
	"PCR 11 does not see the addons"

rm -rf "$VM_TPMSTATE"; unset VM_TPMSTATE # a fresh TPM: PCR 12 from zero
rm -r esp/uki.efi.extra.d/local.cred esp/loader/credentials
vm_boot_uefi esp nosb.log --insecure --tpm --timeout 200 --stop-on "$STOP"
is "$(serial_value nosb.log IGOS-CMDLINE)" \
	"$OPTIONS igos.addon=global igos.addon=unsigned igos.addon=local igos.addon=mok igos.addon=othermok" \
	"Secure Boot off: the LoadOptions, then every addon's .cmdline, the unsigned one too"
nok "Secure Boot off: no addon refused by the firmware" grep -q 'refused:' nosb.log
want=$(utf16z "$OPTIONS" | pcr_extend "$ZERO32")
want=$(utf16z "igos.addon=global igos.addon=unsigned igos.addon=local igos.addon=mok igos.addon=othermok" |
	pcr_extend "$want")
want=$(pcr_extend "$want" <tiny.dtb)
want=$(pcr_extend "$want" <ucode.cpio)
pcr12=$(serial_value nosb.log IGOS-PCR12 | tr 'A-F' 'a-f')
is "$pcr12" "$want" "Secure Boot off: PCR 12 = the LoadOptions, then the addons as before"
(cd esp && igos-measure pcr12 -b sha256 --load-options "$OPTIONS" \
	loader/addons/10-global.addon.efi loader/addons/20-unsigned.addon.efi \
	uki.efi.extra.d/30-local.ADDON.EFI uki.efi.extra.d/35-mok.addon.efi \
	uki.efi.extra.d/36-othermok.addon.efi uki.efi.extra.d/60-ucode.addon.efi \
	uki.efi.extra.d/70-dtb.addon.efi) >pred.nosb
is "$(cat pred.nosb)" "12:sha256=$pcr12" "Secure Boot off: PCR 12 = igos-measure pcr12 --load-options"
is "$(serial_value nosb.log IGOS-UCODE)" "ucode-addon-ok" "Secure Boot off: .ucode applied"
ok "the guest booted both times" sh -c 'grep -q IGOS-TEST-DONE sb.log && grep -q IGOS-TEST-DONE nosb.log'
rm -rf "$VM_TPMSTATE"; unset VM_TPMSTATE

# shim 16.1 -> the UKI as grubx64.efi, its own addons in grubx64.efi.extra.d;
# MokList holds mok.der (one X.509 signature list, as MokManager leaves
# it), NV|BS as shim wants it
esl_x509 mok.der >moklist.esl
python3 "$TESTLIB/ovmf-vars.py" --set "$VM_OVMF_VARS_SECURE" shim-vars.fd MokList "$SHIM_GUID" 3 \
	moklist.esl
stub_sign "$SHIM" shim.signed
stub_sign "$MM" mm.signed
vm_esp esp3 shim.signed
cp mm.signed esp3/EFI/BOOT/mmx64.efi
cp uki.signed esp3/EFI/BOOT/grubx64.efi
cp -r esp/loader esp3/loader
cp -r esp/uki.efi.extra.d esp3/EFI/BOOT/grubx64.efi.extra.d
vm_boot_uefi esp3 shim.log --secure --vars shim-vars.fd --tpm --timeout 200 --stop-on "$STOP"
is "$(serial_value shim.log IGOS-CMDLINE)" "$CMDLINE igos.addon=global igos.addon=local igos.addon=mok" \
	"shim: the db-signed addons and the enrolled MOK's applied (shim's LoadImage accepts them)"
ok "shim: the unsigned addon refused (Security Policy Violation)" \
	grep -q 'igos-stub: addon \\loader\\addons\\20-unsigned.addon.efi refused: Security Policy Violation' shim.log
ok "shim: the addon signed by a MOK that is not enrolled refused (Security Policy Violation)" \
	grep -q 'igos-stub: addon \\EFI\\BOOT\\grubx64.efi.extra.d\\36-othermok.addon.efi refused: Security Policy Violation' shim.log
(cd esp3 && igos-measure pcr12 -b sha256 loader/addons/10-global.addon.efi \
	EFI/BOOT/grubx64.efi.extra.d/30-local.ADDON.EFI EFI/BOOT/grubx64.efi.extra.d/35-mok.addon.efi \
	EFI/BOOT/grubx64.efi.extra.d/60-ucode.addon.efi \
	EFI/BOOT/grubx64.efi.extra.d/70-dtb.addon.efi) >pred.shim
is "12:sha256=$(serial_value shim.log IGOS-PCR12 | tr 'A-F' 'a-f')" "$(cat pred.shim)" \
	"shim: PCR 12 = igos-measure pcr12 of the addons shim accepted"
rm -rf "$VM_TPMSTATE"
done_testing
