#!/bin/sh
# Taking ownership of a machine, under OVMF with Secure Boot: the variable
# store starts empty (OVMF_VARS_4M.fd, Setup Mode) and a TPM (swtpm) keeps the
# firmware's event log. Boot 1 (Linux from an unsigned UKI, Secure Boot off):
# `igos-sbkeys enroll` reads the real event log, writes db, KEK, PK through
# efivarfs; efitools' efi-readvar reads them back; the firmware, now in user
# mode, takes a db append signed with our KEK and refuses one signed with
# another key; `igos-sbkeys dbx` refuses a dbx entry for an image on the ESP
# and applies one for another image. Boot 2 (same store: Secure Boot on, our
# keys only): igos-judge.efi, signed with our db key, asks LoadImage about
# each case (boot 1's UKI signed with our db key among them). Boots 3 and 4:
# the same with Microsoft's UEFI CA kept, where Microsoft-signed shim loads.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
SHIM=/usr/lib/shim/shimx64.efi.signed
MSVARS=/usr/share/OVMF/OVMF_VARS_4M.ms.fd
JUDGE=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-judge.efi
MARKER=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-marker.efi
CHAIN=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-chain.efi
IGSTUB=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-stubx64.efi
vm_need
need igos-sbkeys igos-ukify sbsign efi-readvar swtpm /usr/bin/mount /usr/bin/chattr /usr/bin/dash python3 openssl "$STUB" "$SHIM" "$MSVARS"
[ -f "$JUDGE" ] && [ -f "$MARKER" ] && [ -f "$CHAIN" ] && [ -f "$IGSTUB" ] || skip_all "EFI test programs not built (make all)"
vm_kernel
plan 24

SV=d719b2cb-3d3a-4596-a3bc-dad00e67656f
TS='2026-12-01 10:00:00'
igos-sbkeys new -d keys --subject "igos vm" >/dev/null || { echo "Bail out! new"; exit 1; }
openssl req -new -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=not enrolled" \
	-keyout other.key -out other.crt 2>/dev/null
chmod 600 other.key
# Microsoft's UEFI CA 2011, as the certificate in the db of OVMF's Microsoft store
python3 - "$MSVARS" >ms.log 2>&1 <<'PY' || { echo "Bail out! no Microsoft UEFI CA in $MSVARS"; exit 1; }
import subprocess, sys
d = open(sys.argv[1], 'rb').read()
i = d.find(b'Microsoft Corporation UEFI CA 2011')
for s in range(i, max(i - 2000, 0), -1):
    if d[s:s + 2] == b'\x30\x82' and d[s + 4:s + 6] == b'\x30\x82':
        der = d[s:s + 4 + int.from_bytes(d[s + 2:s + 4], 'big')]
        if subprocess.run(['openssl', 'x509', '-inform', 'DER', '-noout'], input=der,
                          capture_output=True).returncode == 0:
            open('msuefica.der', 'wb').write(der)
            sys.exit(0)
sys.exit(1)
PY

sign() { sbsign --key "$1.key" --cert "$1.crt" --output "$3" "$2" >/dev/null 2>&1; }
# the cases boot 2 judges
mkdir -p judge esp1
sign keys/db "$MARKER" judge/ours.efi
cp "$MARKER" judge/unsigned.efi
sign other "$MARKER" judge/otherkey.efi
cp "$CHAIN" judge/byhash.efi            # unsigned, its hash added to db with our KEK
cp "$STUB" judge/rejhash.efi            # unsigned, its hash offered with another key
sign keys/db "$IGSTUB" judge/revoked.efi # ours, then its hash put in dbx
cp "$SHIM" judge/shim.efi
printf '%s\n' ours.efi unsigned.efi otherkey.efi byhash.efi rejhash.efi revoked.efi shim.efi >judge.txt
# the updates boot 1 applies
igos-sbkeys esl -g "$(cat keys/GUID)" --hash -o byhash.esl judge/byhash.efi
igos-sbkeys auth -a -t "$TS" -k keys/KEK.key -c keys/KEK.crt db byhash.esl -o byhash.auth
igos-sbkeys esl --hash -o rejhash.esl judge/rejhash.efi
igos-sbkeys auth -a -t "$TS" -k other.key -c other.crt db rejhash.esl -o rejhash.auth
for u in byhash rejhash; do { printf '\147\000\000\000'; cat $u.auth; } >$u.var; done
igos-sbkeys esl --hash -o revoked.esl judge/revoked.efi
mkdir -p gesp/EFI/BOOT
sign keys/db "$JUDGE" gesp/EFI/BOOT/BOOTX64.EFI
igos-sbkeys esl --hash -o boot.esl gesp/EFI/BOOT/BOOTX64.EFI

bindir=$(dirname "$(command -v igos-sbkeys)")
cat >init.sh <<INIT
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:$bindir
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t securityfs securityfs /sys/kernel/security
vm-load-modules >/dev/null
mount -t efivarfs efivarfs /sys/firmware/efi/efivars || echo "IGOS-MOUNT-FAILED"
V=/sys/firmware/efi/efivars
echo
echo "IGOS-BEFORE:\$(igos-sbkeys status | head -n 3 | tr '\n' ' ')"
if grep -q igos.ms /proc/cmdline; then
	igos-sbkeys enroll -d /keys --microsoft-cert /msuefica.der 2>&1 | sed 's/^/IGOS-ENROLL:/'
	echo "IGOS-DB:\$(igos-sbkeys list db | tr '\n' ' ')"
	echo IGOS-TEST-DONE
	poweroff -f
fi
ls /sys/kernel/security/tpm0/binary_bios_measurements >/dev/null && echo "IGOS-EVENTLOG:yes"
igos-sbkeys enroll -d /keys 2>&1 | sed 's/^/IGOS-ENROLL:/'
echo "IGOS-AFTER:\$(igos-sbkeys status | tr '\n' ' ')"
# efi-readvar finds efivarfs with system("mount -l > /tmp/..."): busybox's
# sh runs its own mount, which has no -l; dash runs util-linux's
mkdir -p /tmp
ln -sf /usr/bin/dash /bin/sh
PATH=/usr/bin:\$PATH efi-readvar 2>&1 | grep -o 'owner [0-9a-f-]*' | uniq -c | tr -s ' ' | sed 's/^/IGOS-READVAR:/'
PATH=/usr/bin:\$PATH efi-readvar -v PK 2>&1 | grep -o 'CN=igos vm Platform Key' | sed 's/^/IGOS-READVAR-PK:/'
# one write() of attributes and update, as efivarfs wants it (busybox has no chattr)
/usr/bin/chattr -i \$V/db-$SV
dd if=/byhash.var of=\$V/db-$SV bs=1M 2>/dev/null; echo "IGOS-KEK-APPEND:\$?"
dd if=/rejhash.var of=\$V/db-$SV bs=1M 2>/dev/null; echo "IGOS-OTHER-APPEND:\$?"
igos-sbkeys dbx --esp /esp -k /keys/KEK.key -c /keys/KEK.crt /boot.esl 2>&1 | sed 's/^/IGOS-DBX-BOOT:/'
igos-sbkeys dbx --esp /esp -k /keys/KEK.key -c /keys/KEK.crt /revoked.esl 2>&1 | sed 's/^/IGOS-DBX:/'
echo "IGOS-LIST:\$(igos-sbkeys list db dbx | tr '\n' ' ')"
echo IGOS-TEST-DONE
poweroff -f
INIT
files=""
for f in GUID PK.key PK.crt KEK.key KEK.crt db.key db.crt; do files="$files --file keys/$f:/keys/$f"; done
ok "initrd with igos-sbkeys, efi-readvar, chattr and our keys" vm_initrd initrd.img \
	--modules efivarfs --bin "$(command -v igos-sbkeys)" --bin "$(command -v efi-readvar)" \
	--bin /usr/bin/mount --bin /usr/bin/chattr --bin /usr/bin/dash \
	$files --file byhash.var:/byhash.var --file rejhash.var:/rejhash.var \
	--file revoked.esl:/revoked.esl --file boot.esl:/boot.esl --file msuefica.der:/msuefica.der \
	--file gesp/EFI/BOOT/BOOTX64.EFI:/esp/EFI/BOOT/BOOTX64.EFI --init init.sh
printf 'ID=igos-test\nNAME="igos test"\n' >osrel
for m in own ms; do
	c="console=ttyS0 quiet"; [ $m = ms ] && c="$c igos.ms"
	igos-ukify build --stub "$STUB" --linux "$VM_VMLINUZ" --initrd initrd.img --os-release @osrel \
		--cmdline "$c" -o uki-$m.efi >/dev/null || { echo "Bail out! ukify"; exit 1; }
done
vm_esp esp1 uki-own.efi
sign keys/db uki-own.efi judge/uki.efi
echo uki.efi >>judge.txt

val() { tr -d '\r' <"$1" | sed -n "s/^$2://p" | head -n 1; }
vals() { tr -d '\r' <"$1" | sed -n "s/^$2://p" | tr '\n' '|'; }
t0=$(date +%s)
vm_boot_uefi esp1 boot1.log --insecure --vars vars.fd --tpm --timeout 200
is "$(val boot1.log IGOS-BEFORE)" "SetupMode: setup SecureBoot: disabled PK: absent " \
	"an empty store: Setup Mode, no PK"
is "$(val boot1.log IGOS-EVENTLOG)" "yes" "the firmware's TPM event log is there"
is "$(vals boot1.log IGOS-ENROLL)" "db: enrolled|KEK: enrolled|PK: enrolled|" \
	"enroll without Microsoft's CA: the real event log names no driver it would stop"
is "$(val boot1.log IGOS-AFTER | cut -d' ' -f1-2,5-)" \
	"SetupMode: user PK: 1 entry (1 certificate, 0 hashes) KEK: 1 entry (1 certificate, 0 hashes) db: 1 entry (1 certificate, 0 hashes) dbx: absent " \
	"the firmware left Setup Mode; PK, KEK, db hold our certificates"
is "$(val boot1.log IGOS-READVAR)" " 3 owner $(cat keys/GUID)" \
	"efi-readvar reads three signatures (PK, KEK, db), all with our owner GUID"
is "$(val boot1.log IGOS-READVAR-PK)" "CN=igos vm Platform Key" "efi-readvar: PK is ours"
is "$(val boot1.log IGOS-KEK-APPEND)" "0" "the firmware takes a db append signed with our KEK"
nok "and refuses one signed with another key" test "$(val boot1.log IGOS-OTHER-APPEND)" = 0
is "$(val boot1.log IGOS-DBX-BOOT)" \
	"igos-sbkeys: the dbx update would revoke 1 image on the ESP: 'EFI/BOOT/BOOTX64.EFI' (revoked by image hash) (--force applies it anyway)" \
	"in the guest, a dbx entry for the ESP's boot program is refused"
is "$(val boot1.log IGOS-DBX)" "dbx: 1 entry now, 1 image on the ESP still passes" \
	"a dbx entry for another image is applied through efivarfs"
case $(val boot1.log IGOS-LIST) in
*"db: 2 entries"*"dbx: 1 entry"*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "db holds our certificate and the appended hash, dbx one entry"

mkdir -p esp2
cp -r gesp/EFI esp2/ && cp -r judge judge.txt esp2/
vm_boot_uefi esp2 boot2.log --secure --vars vars.fd --stop-on 'IGOS-JUDGE-DONE' --timeout 120
st() { tr -d '\r' <"$1" | grep -a -o "igos-judge: $2\\.efi: [A-Za-z ]*" | tail -n 1 | sed 's/.*: //'; }
ok "Secure Boot on with our keys: our signed judge runs" grep -aq 'IGOS-JUDGE-DONE' boot2.log
is "$(st boot2.log ours)" "Success" "an image signed with our db key loads"
is "$(st boot2.log uki)" "Success" "so does the UKI of boot 1, signed with our db key"
is "$(st boot2.log unsigned)" "Access Denied" "an unsigned image is refused"
is "$(st boot2.log otherkey)" "Access Denied" "one signed with another key is refused"
is "$(st boot2.log byhash)" "Success" "the hash our KEK added to db lets its image load"
is "$(st boot2.log rejhash)" "Access Denied" "the update signed with another key did not reach db"
is "$(st boot2.log revoked)" "Access Denied" "an image of ours whose hash is in dbx is refused"
is "$(st boot2.log shim)" "Access Denied" "Microsoft-signed shim is refused without Microsoft's CA"

# Microsoft's UEFI CA kept
vm_esp esp3 uki-ms.efi
vm_boot_uefi esp3 boot3.log --insecure --vars vars-ms.fd --timeout 200
is "$(vals boot3.log IGOS-ENROLL)" "db: enrolled|KEK: enrolled|PK: enrolled|" \
	"enroll --microsoft-cert (no event log needed)"
case $(val boot3.log IGOS-DB) in
*"CN=Microsoft Corporation UEFI CA 2011"*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "db holds Microsoft's UEFI CA beside ours"
mkdir -p esp4
cp -r gesp/EFI esp4/ && cp -r judge esp4/ && echo shim.efi >esp4/judge.txt
vm_boot_uefi esp4 boot4.log --secure --vars vars-ms.fd --stop-on 'IGOS-JUDGE-DONE' --timeout 120
is "$(st boot4.log shim)" "Success" "with Microsoft's UEFI CA kept, Microsoft-signed shim loads"
diag "four boots: $(($(date +%s) - t0)) s"
[ -n "${SBKEYS_VM_KEEP:-}" ] && cp boot*.log "$SBKEYS_VM_KEEP/"
done_testing
