#!/bin/sh
# The igos stub and systemd 257 UKIs under OVMF + swtpm, in two boots of one
# signed multi-profile UKI built by igos-ukify (base .linux .osrel .cmdline
# .uname .initrd .ucode .splash .pcrpkey, profile 0, profile 1 with its own .cmdline,
# each profile with its own .pcrsig) from a GPT ESP, started by
# igos-chain.efi with "@1", then "@0 <options>":
# - profile 1: its .cmdline is /proc/cmdline; PCR 11 is the base sections
#   with profile 1's .cmdline and its .profile (systemd's order); PCR 12 is
#   the profile number's tagged event;
# - the initrd: .ucode's archive comes first, .initrd's after it, then
#   /.extra/tpm2-pcr-signature.json, tpm2-pcr-public-key.pem, profile and
#   os-release, byte for byte the UKI's sections;
# - a secret sealed in the swtpm before the boot under PolicyAuthorize with
#   the .pcrpkey key unseals in the guest with the handed-on .pcrsig (the
#   booted profile's, signed by igos-ukify), and does not with the other
#   profile's .pcrsig (made for another PCR 11);
# - the guest reads LoaderDevicePartUUID (the ESP's GPT partition UUID),
#   LoaderImageIdentifier, StubInfo, StubFeatures, StubProfile and
#   StubPcrKernelImage/StubPcrKernelParameters from efivarfs;
# - the ESP's companion files: uki.efi.extra.d/*.cred, loader/credentials/
#   *.cred, uki.efi.extra.d/*.raw (sysext) and *.confext.raw reach the guest
#   under /.extra/credentials, global_credentials, sysext, confext; their
#   archives (laid out as systemd-stub's, tests/lib/sd-cpio.py) extend PCR 12
#   (credentials, confext) and PCR 13 (sysext);
# - profile 0 with Secure Boot off: the options after "@0 " are the command
#   line, measured into PCR 12 (profile 0 is not measured).
# PCR 11 and PCR 12 are held against igos-measure (calculate --profile N,
# pcr12) and against an independent computation (openssl, sd-cpio.py).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$IGOS_SRC/tests/vm/stub-lib.sh"
. "$TESTLIB/measure-swtpm.sh"
vm_need
UKIFY=${IGOS_BUILD:-$IGOS_SRC/build}/bin/igos-ukify
MEASURE=${IGOS_BUILD:-$IGOS_SRC/build}/bin/igos-measure
need sbsign swtpm xxd python3 sfdisk mkfs.vfat mcopy tpm2 "$STUB_IGOS" "$STUB_CHAIN" "$UKIFY" \
	"$MEASURE"
TCTI_DEV=/usr/lib/x86_64-linux-gnu/libtss2-tcti-device.so.0
[ -f "$TCTI_DEV" ] || skip_all "$TCTI_DEV missing (make deps: libtss2-tcti-device0)"
vm_kernel
plan 39

PARTUUID=5f1c2a3b-7d4e-4c8f-9a0b-1c2d3e4f5a6b
CMD0="console=ttyS0 quiet igos.test=base"
CMD1="console=ttyS0 quiet igos.test=profile1"
OPTS="console=ttyS0 quiet igos.test=options"
stub_parts "$CMD0"
printf '%s' "$CMD1" >cmdline1
printf 'ID=default\nTITLE=Default\n' >profile0
printf 'ID=one\nTITLE=Profile one\n' >profile1
uki_sbat "$STUB_IGOS" sbat

# .ucode: an uncompressed archive ahead of the gzip .initrd; both hold
# /igos-order, and the later archive's copy wins in the guest's rootfs.
mkdir ucode.d && printf ucode >ucode.d/igos-order && printf here >ucode.d/igos-ucode
(cd ucode.d && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >ucode.cpio
printf initrd >order.initrd

# .splash: a 64x32 24-bit BMP (shown by the stub; measured into PCR 11).
python3 -c '
import struct, sys
w, h = 64, 32
px = bytes([0x30, 0x60, 0x90]) * w * h
sys.stdout.buffer.write(b"BM" + struct.pack("<IHHI", 54 + len(px), 0, 0, 54) +
    struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(px), 2835, 2835, 0, 0) + px)' >splash.bmp

# The PCR key, and what a host seals against it: PolicyAuthorize by that key.
(umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pcr.key 2>/dev/null)
openssl pkey -in pcr.key -pubout -out pcrpkey.pem 2>/dev/null
printf 'igos-257-secret' >secret

cat >init.sh <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
vm-load-modules
mount -t efivarfs efivarfs /sys/firmware/efi/efivars || echo IGOS-EFIVARFS-FAILED
echo "IGOS-CMDLINE:$(cat /proc/cmdline)"
echo "IGOS-PCR11:$(cat /sys/class/tpm/tpm0/pcr-sha256/11 2>&1)"
echo "IGOS-PCR12:$(cat /sys/class/tpm/tpm0/pcr-sha256/12 2>&1)"
echo "IGOS-PCR13:$(cat /sys/class/tpm/tpm0/pcr-sha256/13 2>&1)"
for f in credentials/a.cred credentials/b.cred global_credentials/g.cred sysext/x.raw \
	confext/y.confext.raw; do
	echo "IGOS-FILE-$(echo "$f" | tr / _):$(cat /.extra/$f 2>&1)"
done
V=/sys/firmware/efi/efivars G=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
for n in LoaderDevicePartUUID LoaderImageIdentifier StubInfo StubProfile \
	StubPcrKernelImage StubPcrKernelParameters StubPcrInitRDSysExts StubPcrInitRDConfExts; do
	echo "IGOS-VAR-$n:$(tail -c +5 "$V/$n-$G" 2>/dev/null | tr -d '\000')"
done
echo "IGOS-VAR-StubFeatures:$(tail -c +5 "$V/StubFeatures-$G" 2>/dev/null | od -An -tx1 | tr -d ' \n')"
for f in tpm2-pcr-signature.json tpm2-pcr-public-key.pem profile os-release; do
	echo "IGOS-EXTRA-$f:$(sha256sum </.extra/$f 2>&1 | cut -d' ' -f1)"
done
echo "IGOS-ORDER:$(cat /igos-order)"
echo "IGOS-UCODE:$(cat /igos-ucode)"
# The secret, as systemd-cryptsetup would unlock it: a signature approves
# the PCR 11 policy. First the handed-on one, then the other profile's.
export TPM2TOOLS_TCTI=device:/dev/tpmrm0
unseal() { # KEY PCRSIG
	sed -n 's/.*"pol" *: *"\([0-9a-f]*\)".*/\1/p' "$2" | xxd -r -p >/tmp/pol
	sed -n 's/.*"sig" *: *"\([^"]*\)".*/\1/p' "$2" | base64 -d >/tmp/sig
	{ tpm2 loadexternal -C o -G rsa -u /.extra/tpm2-pcr-public-key.pem -c /tmp/key.ctx -n /tmp/key.name &&
	  tpm2 verifysignature -c /tmp/key.ctx -g sha256 -m /tmp/pol -s /tmp/sig -f rsassa -t /tmp/ticket &&
	  tpm2 createprimary -C o -c /tmp/prim.ctx &&
	  tpm2 load -C /tmp/prim.ctx -u /seal.pub -r /seal.priv -c /tmp/seal.ctx &&
	  tpm2 startauthsession --policy-session -S /tmp/s.ctx &&
	  tpm2 policypcr -S /tmp/s.ctx -l sha256:11 &&
	  tpm2 policyauthorize -S /tmp/s.ctx -i /tmp/pol -n /tmp/key.name -t /tmp/ticket &&
	  echo "IGOS-$1:$(tpm2 unseal -c /tmp/seal.ctx -p session:/tmp/s.ctx)"; } >/tmp/tpm.log 2>&1 ||
		echo "IGOS-$1-FAILED:$(tail -n 1 /tmp/tpm.log)"
	grep "IGOS-$1:" /tmp/tpm.log
	tpm2 flushcontext -t >/dev/null 2>&1; tpm2 flushcontext -s >/dev/null 2>&1
}
unseal UNSEAL /.extra/tpm2-pcr-signature.json
unseal UNSEAL-OTHER /.extra/credentials/other.cred
echo IGOS-TEST-DONE
poweroff -f
INIT

# Seal the secret in the swtpm the guest will have (same state directory).
swtpm_start || { diag "swtpm does not start"; exit 1; }
export TPM2TOOLS_TCTI=$SWTPM_TCTI
ok "sealed under PolicyAuthorize by the .pcrpkey key (host, tpm2-tools)" sh -c '
	tpm2 loadexternal -C o -G rsa -u pcrpkey.pem -c key.ctx -n key.name &&
	tpm2 startauthsession -S trial.ctx &&
	tpm2 policyauthorize -S trial.ctx -L authpol -n key.name &&
	tpm2 flushcontext trial.ctx && tpm2 flushcontext -t &&
	tpm2 createprimary -C o -c prim.ctx && tpm2 flushcontext -t &&
	tpm2 create -C prim.ctx -L authpol -i secret -u seal.pub -r seal.priv >tpm-host.log 2>&1'
_swtpm_stop
unset TPM2TOOLS_TCTI
VM_TPMSTATE=$T/.swtpm
export VM_TPMSTATE

ok "initrd with tpm2-tools, efivarfs" vm_initrd initrd.img --modules efivarfs \
	--bin /usr/bin/tpm2 --bin "$TCTI_DEV" --file order.initrd:/igos-order \
	--file seal.pub:/seal.pub --file seal.priv:/seal.priv --init init.sh

# The UKI, by igos-ukify: profile 1 as a profile PE joined to the base, each
# profile's .pcrsig for its PCR 11 right after the stub (no phase).
ok "profile PE (igos-ukify build --profile)" \
	"$UKIFY" build --profile @profile1 --cmdline @cmdline1 -o p1.efi
ok "two-profile UKI (igos-ukify --join-profile --pcr-key)" \
	"$UKIFY" build --stub "$STUB_IGOS" --linux vmlinuz --initrd initrd.img --ucode ucode.cpio \
	--splash splash.bmp --cmdline @cmdline --os-release @osrel --uname "$(cat uname)" --pcrpkey pcrpkey.pem \
	--profile @profile0 --join-profile p1.efi --pcr-key pcr.key --pcr-bank sha256 --phase '' \
	-o uki.efi
for n in 0 1; do
	python3 "$TESTLIB/pe-section.py" uki.efi .pcrsig "$n" >pcrsig$n.json
	python3 "$TESTLIB/pe-section.py" uki.efi .profile "$n" >profile$n.sec
done
python3 "$TESTLIB/pe-section.py" uki.efi .sbat >sbat
python3 "$TESTLIB/pe-section.py" uki.efi .osrel >osrel.sec
stub_sign uki.efi uki.signed
stub_sign "$STUB_CHAIN" chain.signed

# PCR 11 of each profile: igos-measure's prediction, and independently the
# base sections with the profile's own in their place, .profile last.
for n in 0 1; do
	eval "meas$n=\$(\"\$MEASURE\" calculate --profile $n -b sha256 --phase '' uki.efi 2>/dev/null |
		sed -n 's/^11:sha256=//p')"
done
want1=$(pcr11_expect .linux=vmlinuz .osrel=osrel.sec .cmdline=cmdline1 .initrd=initrd.img \
	.ucode=ucode.cpio .splash=splash.bmp .uname=uname .sbat=sbat .pcrpkey=pcrpkey.pem \
	.profile=profile1.sec)
want0=$(pcr11_expect .linux=vmlinuz .osrel=osrel.sec .cmdline=cmdline .initrd=initrd.img \
	.ucode=ucode.cpio .splash=splash.bmp .uname=uname .sbat=sbat .pcrpkey=pcrpkey.pem \
	.profile=profile0.sec)
is "$meas1" "$want1" "igos-measure --profile 1 = the independent computation"
is "$meas0" "$want0" "igos-measure --profile 0 = the independent computation"

# The ESP: the UKI, the loader's options, companion files (two credentials,
# a global one, a sysext, a confext) and, as a credential, the other
# profile's .pcrsig for the guest to try (credentials are not in PCR 11).
mkdir -p esp/uki.efi.extra.d esp/loader/credentials
cp uki.signed esp/uki.efi
vm_esp esp chain.signed
X=esp/uki.efi.extra.d
printf cred-b >$X/b.cred
printf cred-a >$X/a.cred
printf sysext >$X/x.raw
printf confext >$X/y.confext.raw
printf global >esp/loader/credentials/g.cred
esp_for() { # PROFILE OPTIONS: the ESP image, and the PCR 12/13 archives
	printf '%s\n' "$2" >esp/options.txt
	cp "pcrsig$((1 - $1)).json" $X/other.cred
	vm_esp_image esp.img esp "$PARTUUID" || return 1
	python3 "$TESTLIB/sd-cpio.py" .extra/credentials 0500 0400 $X/*.cred >creds.cpio &&
	python3 "$TESTLIB/sd-cpio.py" .extra/global_credentials 0500 0400 \
		esp/loader/credentials/g.cred >gcreds.cpio &&
	python3 "$TESTLIB/sd-cpio.py" .extra/sysext 0555 0444 $X/x.raw >sysext.cpio &&
	python3 "$TESTLIB/sd-cpio.py" .extra/confext 0555 0444 $X/y.confext.raw >confext.cpio
}
companions() { # PCR12-SO-FAR: then the credentials, global credentials, confext
	_p=$(pcr_extend "$1" <creds.cpio)
	_p=$(pcr_extend "$_p" <gcreds.cpio)
	pcr_extend "$_p" <confext.cpio
}
ok "GPT ESP image, profile 1" esp_for 1 @1
# Nothing to boot when the set-up failed: say so and stop (no timeouts).
[ "${TAP_FAILED:-0}" -eq 0 ] || { diag "set-up failed, no boot"; exit 1; }

vm_boot_uefi esp.img p1.log --secure --tpm --timeout 200
is "$(serial_value p1.log IGOS-CMDLINE)" "$CMD1" "@1: /proc/cmdline is profile 1's .cmdline"
is "$(serial_value p1.log IGOS-PCR11 | tr 'A-F' 'a-f')" "$meas1" \
	"@1: PCR 11 = igos-measure calculate --profile 1"
pcr12=$("$MEASURE" pcr12 -b sha256 --profile 1 | sed -n 's/^12:sha256=//p')
is "$pcr12" "$(printf '1' | iconv -f ASCII -t UTF-16LE | { cat; printf '\0\0'; } |
	pcr_extend "$ZERO32")" "igos-measure pcr12 --profile 1: UTF-16 \"1\" with its NUL"
is "$(serial_value p1.log IGOS-PCR12 | tr 'A-F' 'a-f')" "$(companions "$pcr12")" \
	"@1: PCR 12 = the profile (igos-measure pcr12), then credentials, global credentials, confext"
is "$(serial_value p1.log IGOS-PCR13 | tr 'A-F' 'a-f')" "$(pcr_extend "$ZERO32" <sysext.cpio)" \
	"PCR 13 = the sysext archive"
for f in credentials/a.cred:cred-a credentials/b.cred:cred-b global_credentials/g.cred:global \
	sysext/x.raw:sysext confext/y.confext.raw:confext; do
	k=$(printf '%s' "${f%%:*}" | tr / _)
	is "$(serial_value p1.log "IGOS-FILE-$k")" "${f#*:}" "/.extra/${f%%:*} from the ESP"
done
is "$(serial_value p1.log IGOS-ORDER)" initrd ".ucode's archive comes before .initrd's"
is "$(serial_value p1.log IGOS-UCODE)" here ".ucode's files reach the guest"
for f in tpm2-pcr-signature.json:pcrsig1.json tpm2-pcr-public-key.pem:pcrpkey.pem \
	profile:profile1.sec os-release:osrel.sec; do
	is "$(serial_value p1.log "IGOS-EXTRA-${f%%:*}")" "$(sha256sum <"${f#*:}" | cut -d' ' -f1)" \
		"/.extra/${f%%:*} is the booted profile's section byte for byte"
done
is "$(serial_value p1.log IGOS-UNSEAL)" "$(cat secret)" \
	"@1: the secret unseals with the handed-on .pcrsig (PolicyAuthorize, PCR 11)"
ok "@1: not with profile 0's .pcrsig" grep -q "^IGOS-UNSEAL-OTHER-FAILED" p1.log
is "$(serial_value p1.log IGOS-VAR-LoaderDevicePartUUID | tr 'A-F' 'a-f')" "$PARTUUID" \
	"LoaderDevicePartUUID is the ESP's GPT partition UUID"
is "$(serial_value p1.log IGOS-VAR-LoaderImageIdentifier)" '\uki.efi' \
	"LoaderImageIdentifier is the UKI's path"
is "$(serial_value p1.log IGOS-VAR-StubInfo)" "igos-stub 0.1" "StubInfo"
is "$(serial_value p1.log IGOS-VAR-StubProfile)" 1 "StubProfile"
is "$(serial_value p1.log IGOS-VAR-StubFeatures)" 0f07000000000000 \
	"StubFeatures: boot partition, credentials, sysext, confext, three PCRs, multi-profile, stub partition"
is "$(serial_value p1.log IGOS-VAR-StubPcrKernelImage):$(serial_value p1.log IGOS-VAR-StubPcrKernelParameters)" \
	11:12 "StubPcrKernelImage, StubPcrKernelParameters"
is "$(serial_value p1.log IGOS-VAR-StubPcrInitRDSysExts):$(serial_value p1.log IGOS-VAR-StubPcrInitRDConfExts)" \
	13:12 "StubPcrInitRDSysExts, StubPcrInitRDConfExts"
nok "no stub error line" grep -q "igos-stub:" p1.log

# Profile 0, Secure Boot off, options after the selector: same TPM state.
esp_for 0 "@0 $OPTS"
vm_boot_uefi esp.img p0.log --insecure --tpm --timeout 200
is "$(serial_value p0.log IGOS-CMDLINE)" "$OPTS" \
	"@0 with Secure Boot off: the options after the selector are the command line"
is "$(serial_value p0.log IGOS-PCR11 | tr 'A-F' 'a-f')" "$meas0" \
	"@0: PCR 11 = igos-measure calculate --profile 0"
pcr12=$("$MEASURE" pcr12 -b sha256 --load-options "$OPTS" | sed -n 's/^12:sha256=//p')
is "$(serial_value p0.log IGOS-PCR12 | tr 'A-F' 'a-f')" "$(companions "$pcr12")" \
	"@0: PCR 12 = the command line (igos-measure pcr12, profile 0 not measured), then the companion files"
is "$(serial_value p0.log IGOS-VAR-StubProfile)" 0 "StubProfile 0"
is "$(serial_value p0.log IGOS-UNSEAL)" "$(cat secret)" \
	"@0: the secret unseals with profile 0's own handed-on .pcrsig"
ok "@0: not with profile 1's .pcrsig" grep -q "^IGOS-UNSEAL-OTHER-FAILED" p0.log
done_testing
