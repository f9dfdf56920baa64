#!/bin/sh
# The requests of igos-mok other than enrolment, confirmed by the MokManager
# of Debian's Microsoft-signed shim 16.1 under OVMF with Microsoft's keys
# (spec/grub-chain.md), one NVRAM kept across the boots:
#   A. fresh NVRAM: shim refuses the MOK-signed UKI; MokManager enrolls the
#      MOK from the ESP ("Enroll key from disk");
#   B. shim -> the UKI: the guest reads the state (MokListTrustedRT present:
#      shim trusts MOKs by default; SbatLevelRT at shim's "previous" level)
#      and queues, with igos-mok: a certificate and an image hash for the
#      blocklist (MokXNew/MokXAuth), untrust-mok (MokListTrustedNew),
#      validation off (MokSB) and sbat-policy latest (SbatPolicy, which shim
#      applies itself at the next boot);
#   C. MokManager, one session: Enroll MOKX (password), Change Secure Boot
#      state and Change MOK List Trusted State (three password characters
#      each), Reboot;
#   D. the guest reads back MokListXRT (both entries; igos-mok test says
#      "revoked by MokListXRT"), no MokListTrustedRT, MokSBStateRT (shim's
#      validation off), SbatLevelRT = the "latest" text of shim's .sbatlevel;
#      and queues trust-mok and validation on;
#   E. MokManager: both toggles; read from the NVRAM file afterwards:
#      MokListTrusted and MokSBState, which shim mirrors, are gone;
#   F. shim -> a third MOK-signed UKI with the MOK trusted (MokListTrustedRT):
#      the kernel puts the MOK on its .machine keyring (/proc/keys, dmesg),
#      and dm-verity, which checks the built-in and secondary keyrings
#      (.machine is linked into the secondary), opens a verity image whose
#      root hash the MOK signed (igos-verity open --root-hash-signature) and
#      refuses one signed by another key (dmesg: -ENOKEY), with
#      dm_verity.require_signatures=1.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/shim.sh"
. "$TESTLIB/grub.sh"
SHIM_MS=$SHIM_DIR/shimx64.efi.signed
MM_MS=$SHIM_DIR/mmx64.efi.signed
vm_need
need igos-mok igos-sign igos-ukify igos-verity mkfifo objcopy python3 "$SHIM_MS" "$MM_MS" "$GRUB_MS_CODE" \
	"$GRUB_MS_VARS" "$IGOS_BUILD/efi/igos-stubx64.efi"
vm_kernel
plan 47

t0=$(date +%s)

MM_PW='igos mokx pw 1'
MM_TPW='tgl-pw-1234567'
MM_CODE=$GRUB_MS_CODE
# MOK_REQ_VM_KEEP=DIR keeps the serial logs for a look
keep() { [ -z "${MOK_REQ_VM_KEEP:-}" ] || cp "$@" "$MOK_REQ_VM_KEEP/"; }
val() { tr -d '\r' <"$1" | sed -n "s/^$2://p" | head -n 1; }
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//' | tr A-F a-f; }

igos-mok new -k mok.key -c mok.crt --subject "igos requests test MOK" >/dev/null &&
	igos-mok new -k other.key -c other.der --subject "igos requests test blocked" >/dev/null ||
	{ echo "Bail out! igos-mok new"; exit 1; }
printf '%s\n' "$MM_PW" >pw && printf '%s\n' "$MM_TPW" >tpw && chmod 600 pw tpw
# an image hash to block: Authenticode SHA-256 of some PE (shim's MokManager)
HB=$(igos-sign hash "$MM_MS") || { echo "Bail out! igos-sign hash"; exit 1; }
# shim's own "latest" SBAT level (.sbatlevel: version, two offsets, texts)
objcopy -O binary --only-section=.sbatlevel "$SHIM_MS" sbatlevel.bin
# level N: shim's "previous" (N=4) or "latest" (N=8) text, rows joined by |
level() {
	python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read()
o=4+struct.unpack_from("<I",d,int(sys.argv[2]))[0]; print(d[o:d.index(b"\0",o)].decode().strip().replace("\n","|"))' sbatlevel.bin "$1"
}
previous=$(level 4) latest=$(level 8)
case $previous/$latest in sbat,1,*\|*/sbat,1,*\|*) r=0 ;; *) r=1 ;; esac
ok "shim's previous and latest SBAT levels read from its .sbatlevel" test "$r" = 0

bindir=$(dirname "$(command -v igos-mok)")
cat >init.sh <<INIT
#!/bin/sh
export PATH=/bin:$bindir
mount -t proc proc /proc
mount -t sysfs sys /sys
vm-load-modules >/dev/null
mount -t efivarfs efivarfs /sys/firmware/efi/efivars || echo "IGOS-MOUNT-FAILED"
V=/sys/firmware/efi/efivars
G=605dab50-e046-4300-abb6-3dd810dd8b23
hexof() { if [ -e "\$1" ]; then tail -c +5 "\$1" | od -An -tx1 | tr -d ' \n'; else echo absent; fi; }
echo
echo "IGOS-SB:\$(igos-mok sb-state | tr '\n' '|')"
echo "IGOS-LIST:\$(igos-mok list | tr '\n' '|')"
echo "IGOS-X:\$(igos-mok list --blocklist | tr '\n' '|')"
echo "IGOS-TRT:\$(hexof \$V/MokListTrustedRT-\$G)"
echo "IGOS-SBAT:\$(igos-mok sbat | tr '\n' '|')"
t=\$(igos-mok test /other.der); rc=\$?
echo "IGOS-TEST-OTHER:\$(printf '%s\n' "\$t" | tr '\n' '|')rc=\$rc"
case \$(cat /proc/cmdline) in
*igos.step=queue*)
	igos-mok import --blocklist --password-file /pw --image-hash $HB /other.der; echo "IGOS-RC1:\$?"
	igos-mok untrust-mok --password-file /tpw; echo "IGOS-RC2:\$?"
	igos-mok validation off --password-file /tpw; echo "IGOS-RC3:\$?"
	igos-mok sbat-policy latest; echo "IGOS-RC4:\$?"
	;;
*igos.step=check*)
	igos-mok trust-mok --password-file /tpw; echo "IGOS-RC1:\$?"
	igos-mok validation on --password-file /tpw; echo "IGOS-RC2:\$?"
	;;
esac
echo "IGOS-PENDING:\$(igos-mok pending | tr '\n' '|')"
echo IGOS-TEST-DONE
poweroff -f
INIT
ok "initrd: igos-mok, efivarfs, the certificate to block, the passwords" \
	vm_initrd initrd.img --modules efivarfs --bin "$(command -v igos-mok)" \
	--file other.der:/other.der --file pw:/pw --file tpw:/tpw --init init.sh
# uki STEP: the igos stub's UKI, signed with the MOK
uki() {
	igos-ukify build --stub "$IGOS_BUILD/efi/igos-stubx64.efi" --linux "$VM_VMLINUZ" \
		--initrd initrd.img --cmdline "console=ttyS0 quiet igos.step=$1" -o "uki-$1.unsigned" >/dev/null &&
		igos-sign sign -k mok.key -c mok.crt -o "uki-$1.efi" "uki-$1.unsigned"
}
ok "two UKIs (queue, check) signed with the MOK" eval 'uki queue && uki check'

# F's verity image (vdb, its tree on vdc; the ESP is vda), its root hash
# signed by the MOK and by a key the kernel does not know
head -c $((256 * 4096)) /dev/urandom >vdata.img
R=$(igos-verity format vdata.img vhash.img) &&
	igos-mok new -k stranger.key -c stranger.crt --subject "igos requests test stranger" >/dev/null &&
	igos-verity sign -k mok.key -c mok.crt -o mok.p7s "$R" &&
	igos-verity sign -k stranger.key -c stranger.crt -o stranger.p7s "$R" &&
	printf '%s\n' "$R" >roothash || { echo "Bail out! verity image"; exit 1; }
verbin=$(command -v igos-verity)
cat >init-verity.sh <<INIT
#!/bin/sh
export PATH=/bin:${verbin%/*} DM_DISABLE_UDEV=1
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /run/cryptsetup /run/lock
dmesg -n 1
# insmod does not read module options from the command line: dm_verity's
while read -r m; do
	[ "\$m" = dm_verity ] && continue
	insmod /lib/modules/\$m.ko || echo "IGOS-MOD \$m failed"
done </lib/modules/order
insmod /lib/modules/dm_verity.ko \$(tr ' ' '\n' </proc/cmdline | sed -n 's/^dm_verity\.//p')
echo
echo "IGOS-REQ:\$(cat /sys/module/dm_verity/parameters/require_signatures)"
dmesg | grep -E 'integrity|X.509|keyring' | sed 's/^/IGOS-K0 /'
grep -E 'keyring +\.(builtin_trusted_keys|secondary_trusted_keys|machine|platform)|asymmetri' /proc/keys |
	sed 's/^/IGOS-KEYS /'
dmesg -c >/dev/null
R=\$(cat /roothash)
t() {
	n=\$1; shift
	"\$@" >/tmp/out 2>&1; echo "IGOS-T \$n rc=\$?"
	sed "s/^/IGOS-O \$n: /" /tmp/out
	dmesg -c | grep -i verity | sed "s/^/IGOS-K \$n: /"
}
t mok igos-verity open --root-hash-signature /mok.p7s /dev/vdb vmok /dev/vdc "\$R"
t mok-read cmp /dev/mapper/vmok /dev/vdb
t mok-status igos-verity status vmok
t mok-close igos-verity close vmok
t stranger igos-verity open --root-hash-signature /stranger.p7s /dev/vdb vstr /dev/vdc "\$R"
t stranger-status igos-verity status vstr
t unsigned igos-verity open /dev/vdb vuns /dev/vdc "\$R"
echo IGOS-TEST-DONE
poweroff -f
INIT
ok "initrd F: igos-verity, dm-verity, the two signatures" \
	vm_initrd initrd-verity.img --init init-verity.sh --bin "$verbin" \
	--modules "virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk dm-mod dm-bufio reed_solomon dm-verity" \
	--file roothash:/roothash --file mok.p7s:/mok.p7s --file stranger.p7s:/stranger.p7s
ok "UKI F, signed with the MOK" eval 'igos-ukify build --stub "$IGOS_BUILD/efi/igos-stubx64.efi" \
	--linux "$VM_VMLINUZ" --initrd initrd-verity.img -o uki-verity.unsigned \
	--cmdline "console=ttyS0 quiet dm_verity.require_signatures=1" >/dev/null &&
	igos-sign sign -k mok.key -c mok.crt -o uki-verity.efi uki-verity.unsigned'
mkdir -p esp/EFI/BOOT
cp "$SHIM_MS" esp/EFI/BOOT/BOOTX64.EFI && cp "$MM_MS" esp/EFI/BOOT/mmx64.efi &&
	cp uki-queue.efi esp/EFI/BOOT/grubx64.efi && openssl x509 -in mok.crt -outform DER -out esp/mok.cer
cp "$GRUB_MS_VARS" vars.fd

# A. MokManager enrolls the MOK from the ESP
bA=$(date +%s)
ok "boot A: shim refuses the UKI, MokManager enrolls the MOK from disk" \
	grub_mm_enroll esp vars.fd bootA.log mok.cer
keep bootA.log
rm esp/mok.cer

# B. the guest queues the requests
bB=$(date +%s)
ok "boot B ran to the end" grub_boot esp vars.fd bootB.log
keep bootB.log
is "$(val bootB.log IGOS-SB)" "SecureBoot enabled|" "boot B: the MOK-signed UKI booted through the Microsoft-signed shim"
is "$(val bootB.log IGOS-TRT)" "01" "MokListTrustedRT is 01: shim trusts MOKs by default"
is "$(val bootB.log IGOS-SBAT)" "$previous|" "SbatLevelRT: shim's previous level"
is "$(val bootB.log IGOS-TEST-OTHER)" "not enrolled|rc=1" "the certificate to block is not known yet"
is "$(val bootB.log IGOS-RC1) $(val bootB.log IGOS-RC2) $(val bootB.log IGOS-RC3) $(val bootB.log IGOS-RC4)" \
	"0 0 0 0" "import --blocklist, untrust-mok, validation off, sbat-policy latest in the guest"
pend=$(val bootB.log IGOS-PENDING)
is "$(printf '%s' "$pend" | tr '|' '\n' | cut -d' ' -f1-3 | tr '\n' '|')" \
	"block sha256 $HB|block x509 $(fp other.der)|validation off|untrust-mok|sbat-policy latest|" \
	"pending: the hash and the certificate to block, validation off, untrust-mok, sbat-policy latest"
x_before=$(val bootB.log IGOS-X)

# C. one MokManager session confirms the three requests
bC=$(date +%s)
ok "boot C: MokManager: Enroll MOKX (2 entries, password), Secure Boot state, MOK List Trusted State, Reboot" \
	mm_requests esp vars.fd bootC.log keys:2 chars chars
keep bootC.log
ok "MokManager showed [Enroll MOKX]" grep -q 'Enroll MOKX' bootC.log
ok "and asked 'Disable Secure Boot'" grep -q 'Disable Secure Boot' bootC.log
ok "and 'Do not trust the MOK list'" grep -q 'Do not trust the MOK list' bootC.log

nv() { python3 "$TESTLIB/ovmf-vars.py" vars.fd "$1"; }
is "$(nv MokListTrusted) $(nv MokSBState)" "01 01" \
	"the NVRAM now holds MokListTrusted and MokSBState, both 01 (what MokManager sets)"
is "$(nv MokXNew) $(nv MokXAuth) $(nv MokSB) $(nv MokListTrustedNew) $(nv SbatPolicy)" \
	"absent absent absent absent absent" "and none of the requests (shim read SbatPolicy and removed it)"

# D. what shim made of them
cp uki-check.efi esp/EFI/BOOT/grubx64.efi
bD=$(date +%s)
ok "boot D ran to the end" grub_boot esp vars.fd bootD.log
keep bootD.log
is "$(val bootD.log IGOS-SB)" "SecureBoot enabled|SecureBoot validation is disabled in shim|" \
	"validation off: MokSBStateRT, sb-state says shim does not validate"
ok "shim said so on the console" grep -q 'Booting in insecure mode' bootD.log
is "$(val bootD.log IGOS-TRT)" "absent" "untrust-mok: no MokListTrustedRT"
x=$(val bootD.log IGOS-X)
case $x in *"sha256 $HB|"*) r=0 ;; *) r=1 ;; esac
ok "MokListXRT holds the blocked image hash" test "$r" = 0
case $x in *"x509 $(fp other.der) CN=igos requests test blocked|"*) r=0 ;; *) r=1 ;; esac
ok "and the blocked certificate" test "$r" = 0
case $x_before in *"$HB"*|*"$(fp other.der)"*) r=1 ;; *) r=0 ;; esac
ok "neither was there before" test "$r" = 0
is "$(val bootD.log IGOS-TEST-OTHER)" "revoked by MokListXRT|rc=1" "igos-mok test: revoked by MokListXRT, status 1"
is "$(val bootD.log IGOS-SBAT)" "$latest|" "sbat-policy latest: SbatLevelRT is shim's latest level"
case $(val bootD.log IGOS-LIST) in *"$(fp mok.crt) CN=igos requests test MOK|"*) r=0 ;; *) r=1 ;; esac
ok "the MOK is still enrolled" test "$r" = 0

is "$(val bootD.log IGOS-RC1) $(val bootD.log IGOS-RC2)" "0 0" "trust-mok, validation on queued in the guest"
is "$(val bootD.log IGOS-PENDING)" "validation on|trust-mok|" "pending: validation on, trust-mok"

# E. MokManager confirms both; the NVRAM tells the rest
bE=$(date +%s)
ok "boot E: MokManager: Secure Boot state, MOK List Trusted State, Reboot" \
	mm_requests esp vars.fd bootE.log chars chars
keep bootE.log
ok "MokManager asked 'Enable Secure Boot'" grep -q 'Enable Secure Boot' bootE.log
ok "and 'Trust the MOK list'" grep -q 'Trust the MOK list' bootE.log
bF=$(date +%s)
is "$(nv MokListTrusted) $(nv MokSBState)" "absent absent" \
	"trust-mok and validation on: MokListTrusted and MokSBState gone (shim trusts and validates again)"
is "$(nv MokSB) $(nv MokListTrustedNew)" "absent absent" "the requests consumed"

# F. the kernel trusts the MOK for dm-verity root hashes
cp uki-verity.efi esp/EFI/BOOT/grubx64.efi
ok "boot F ran to the end" grub_boot esp vars.fd bootF.log --disk vdata.img:ro --disk vhash.img:ro
bG=$(date +%s)
keep bootF.log
tr -d '\r' <bootF.log >serialF
rc() { sed -n "s/.*IGOS-T $1 rc=//p" serialF; }
kl() { sed -n "s/^IGOS-K $1: //p" serialF; }
keys=$(sed -n 's/^IGOS-KEYS //p' serialF)
# MokListRT as shim publishes it: its built-in vendor certificate (Debian
# Secure Boot CA), then the MOK; with MokListTrustedRT both go to .machine
# (db's two Microsoft certificates to .platform). .builtin_trusted_keys holds
# only the kernel's build key, so the MOK-signed root below verifies through
# .machine, linked into .secondary_trusted_keys.
ok "/proc/keys: the .machine keyring holds two keys (MokListRT: shim's vendor certificate, the MOK)" \
	sh -c 'printf "%s\n" "$1" | grep -q -E "keyring +\.machine: 2\$"' - "$keys"
ok "and the MOK is a key of the kernel (/proc/keys names it by its subject)" \
	sh -c 'printf "%s\n" "$1" | grep -q -E "^[0-9a-f]+ .* asymmetri +igos requests test MOK: "' - "$keys"
case $(grep -A 1 '^IGOS-K0 .*Loading X.509 certificate: UEFI:MokListRT' serialF | tail -n 1) in
*"Loaded X.509 cert 'igos requests test MOK: "*) r=0 ;; *) r=1 ;; esac
ok "dmesg: the kernel loaded the MOK from shim's MOK table (MokListRT)" test "$r" = 0
is "$(sed -n 's/^IGOS-REQ://p' serialF)" Y "dm_verity.require_signatures=1 in force"
is "$(rc mok) $(rc mok-read)" "0 0" "root hash signed by the MOK: the kernel opens it, it reads back whole"
is "$(sed -n 's/^IGOS-O mok-status: status: *//p' serialF)" verified "status: verified"
case $(kl mok) in *"verity: Root hash verification failed"*) r=1 ;; *) r=0 ;; esac
ok "and the kernel logged no verification failure for it" test "$r" = 0
is "$(rc stranger)" 1 "root hash signed by another key: refused"
case $(kl stranger) in *"verity: Root hash verification failed (-ENOKEY)"*) r=0 ;; *) r=1 ;; esac
ok "by the kernel: dmesg says Root hash verification failed (-ENOKEY)" test "$r" = 0
is "$(rc unsigned)" 1 "no signature: refused (signatures required)"
diag "$(grep -E '^IGOS-K0 .*(integrity|X.509)|^IGOS-KEYS .*keyring' serialF)" "$(grep -E '^IGOS-K (stranger|unsigned):' serialF)" \
	"$(grep -E '^IGOS-O (stranger|unsigned):' serialF)"
diag "VM time: enrol $((bB - bA)) s, queue $((bC - bB)) s, MokManager $((bD - bC)) s," \
	"read back + queue $((bE - bD)) s, MokManager $((bF - bE)) s, verity $((bG - bF)) s; whole test $((bG - t0)) s"
done_testing
