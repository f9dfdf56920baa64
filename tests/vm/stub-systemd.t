#!/bin/sh
# The stub tests that apply to systemd's stub (Debian 12: systemd 252), run
# against it: the same harness, loader and expectations hold for the
# reference. Secure Boot on: an unsigned inner kernel boots in a signed UKI,
# LoadOptions are ignored, PCR 11 equals systemd-measure and the openssl
# computation used for the igos stub. Secure Boot off: the options are the
# command line, measured into PCR 12 as the igos stub measures them. No
# .initrd: the kernel starts; no .linux: control returns to the firmware.
# What systemd 252's stub hands on, as the igos stub does (stub-257.t):
# .pcrsig and .pcrpkey as /.extra/tpm2-pcr-signature.json and
# tpm2-pcr-public-key.pem, <uki>.efi.extra.d/*.cred under
# /.extra/credentials in an archive measured into PCR 12 that
# tests/lib/sd-cpio.py predicts (the prediction the igos stub meets).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$IGOS_SRC/tests/vm/stub-lib.sh"
MEASURE=/usr/lib/systemd/systemd-measure
vm_need
need sbsign sbverify sbattach swtpm xxd iconv python3 "$MEASURE" "$STUB_SYSTEMD" "$STUB_CHAIN"
vm_kernel
plan 13

stub_initrd initrd.img
CMDLINE="console=ttyS0 quiet panic=-1 igos.test=stub-systemd"
OPTIONS="console=ttyS0 quiet panic=-1 igos.test=loadoptions"
stub_parts "$CMDLINE"
is "$(sbverify --list vmlinuz 2>&1)" "No signature table present" \
	"the inner kernel carries no signature"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null |
	openssl pkey -pubout -out pcrpkey.pem 2>/dev/null
printf '{"sha256":[{"pcrs":[11],"pol":"00","sig":"AA=="}]}' >pcrsig.json
stub_uki uki.efi "$STUB_SYSTEMD" .osrel=osrel .cmdline=cmdline .initrd=initrd.img \
	.pcrpkey=pcrpkey.pem .pcrsig=pcrsig.json .linux=vmlinuz
stub_sign uki.efi uki.signed
stub_sign "$STUB_CHAIN" chain.signed
mkdir -p esp/uki.efi.extra.d
cp uki.signed esp/uki.efi
printf cred-a >esp/uki.efi.extra.d/a.cred
python3 "$TESTLIB/sd-cpio.py" .extra/credentials 0500 0400 esp/uki.efi.extra.d/a.cred >creds.cpio
printf '%s\n' "$OPTIONS" >esp/options.txt
vm_esp esp chain.signed

sm=$("$MEASURE" calculate --linux=vmlinuz --osrel=osrel --cmdline=cmdline \
	--initrd=initrd.img --pcrpkey=pcrpkey.pem --bank=sha256 --phase= 2>/dev/null |
	sed -n 's/^11:sha256=//p')
want=$(pcr11_expect .linux=vmlinuz .osrel=osrel .cmdline=cmdline .initrd=initrd.img \
	.pcrpkey=pcrpkey.pem)
is "$want" "$sm" "the openssl PCR 11 computation agrees with systemd-measure"

vm_boot_uefi esp sb.log --secure --tpm --timeout 150
is "$(serial_value sb.log IGOS-CMDLINE)" "$CMDLINE" \
	"systemd stub, Secure Boot: LoadOptions ignored, unsigned inner kernel booted"
is "$(serial_value sb.log IGOS-PCR11 | tr 'A-F' 'a-f')" "$sm" \
	"systemd stub: PCR 11 = systemd-measure calculate"
is "$(serial_value sb.log IGOS-PCR12 | tr 'A-F' 'a-f')" "$(pcr_extend "$ZERO32" <creds.cpio)" \
	"systemd stub: PCR 12 = the credentials archive as sd-cpio.py lays it out"
is "$(serial_value sb.log IGOS-CRED-a.cred)" cred-a "systemd stub: /.extra/credentials/a.cred"
for f in tpm2-pcr-signature.json:pcrsig.json tpm2-pcr-public-key.pem:pcrpkey.pem; do
	is "$(serial_value sb.log "IGOS-EXTRA-${f%%:*}")" "$(sha256sum <"${f#*:}" | cut -d' ' -f1)" \
		"systemd stub: /.extra/${f%%:*} is the UKI's section"
done
rm -rf "$VM_TPMSTATE"; unset VM_TPMSTATE

vm_boot_uefi esp nosb.log --insecure --tpm --timeout 150
rm -rf "$VM_TPMSTATE"; unset VM_TPMSTATE
is "$(serial_value nosb.log IGOS-CMDLINE)" "$OPTIONS" \
	"systemd stub, Secure Boot off: /proc/cmdline is the LoadOptions"
pcr12=$(printf '%s' "$OPTIONS" | iconv -f ASCII -t UTF-16LE | { cat; printf '\0\0'; } |
	pcr_extend "$ZERO32")
is "$(serial_value nosb.log IGOS-PCR12 | tr 'A-F' 'a-f')" "$(pcr_extend "$pcr12" <creds.cpio)" \
	"systemd stub, Secure Boot off: PCR 12 = the LoadOptions (UTF-16 with NUL), then the credentials"

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
