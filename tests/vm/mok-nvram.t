#!/bin/sh
# igos-mok against real NVRAM: OVMF with Secure Boot on (snakeoil keys) and a
# persistent vars file boots a signed UKI (systemd's stub, Debian's cloud
# kernel, a busybox initrd holding igos-mok and mokutil). First boot: sb-state
# agrees with mokutil, `igos-mok import` writes MokNew/MokAuth through
# efivarfs (the same bytes as in a plain directory, immutable flag set again),
# test says pending. Second boot from the same vars: the request survived;
# igos-mok pending and mokutil --list-new list it; a second key is added
# (the variable replaced in place, its immutable flag restored); revoke
# removes the request.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/mok.sh"
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
vm_need
need igos-mok igos-ukify sbsign mokutil lsattr "$STUB"
vm_kernel
plan 22

# the key to enroll and its expected variables, made on the host in a plain directory
igos-mok new -k mok.key -c mok.der --subject "igos vm mok" >/dev/null || { echo "Bail out! new"; exit 1; }
igos-mok new -k mok2.key -c mok2.der --subject "igos vm mok 2" >/dev/null || { echo "Bail out! new"; exit 1; }
openssl passwd -6 -salt vmsalt0123 'vm password' >mok.hash
efidir host
igos-mok import --efivars host --hash-file mok.hash mok.der
fp=$(openssl x509 -inform DER -in mok.der -noout -fingerprint -sha1 | sed 's/.*=//' | tr A-F a-f)
fp2=$(openssl x509 -inform DER -in mok2.der -noout -fingerprint -sha1 | sed 's/.*=//' | tr A-F a-f)
want_new=$(tail -c +5 host/$MOKNEW | sha256sum | cut -d' ' -f1)
want_auth=$(tail -c +5 host/$MOKAUTH | sha256sum | cut -d' ' -f1)

bindir=$(dirname "$(command -v igos-mok)")
cat >init.sh <<INIT
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:$bindir
mount -t proc proc /proc
mount -t sysfs sys /sys
vm-load-modules >/dev/null
echo; echo "IGOS-UNMOUNTED:\$(igos-mok sb-state 2>&1)"
mount -t efivarfs efivarfs /sys/firmware/efi/efivars || echo "IGOS-MOUNT-FAILED"
V=/sys/firmware/efi/efivars
echo
if [ -e \$V/$MOKNEW ]; then
	echo "IGOS-BOOT:second"
	echo "IGOS-PENDING:\$(igos-mok pending)"
	echo "IGOS-MOKUTIL-NEW:\$(mokutil --list-new | sed -n 's/^SHA1 Fingerprint: //p')"
	igos-mok import --hash-file /mok.hash /mok2.der; echo "IGOS-IMPORT2-RC:\$?"
	echo "IGOS-PENDING2:\$(igos-mok pending | cut -d' ' -f3 | tr '\n' ' ')"
	echo "IGOS-LSATTR2:\$(lsattr \$V/$MOKNEW 2>&1 | cut -c1-20)"
	igos-mok revoke --import; echo "IGOS-REVOKE-RC:\$?"
	echo "IGOS-AFTER-REVOKE:\$(ls \$V | grep -c '^Mok\(New\|Auth\)-')"
else
	echo "IGOS-BOOT:first"
	echo "IGOS-SB:\$(igos-mok sb-state | tr '\n' ' ')"
	echo "IGOS-MOKUTIL-SB:\$(mokutil --sb-state | tr '\n' ' ')"
	igos-mok import --hash-file /mok.hash /mok.der; echo "IGOS-IMPORT-RC:\$?"
	echo "IGOS-NEW:\$(tail -c +5 \$V/$MOKNEW | sha256sum | cut -d' ' -f1)"
	echo "IGOS-AUTH:\$(tail -c +5 \$V/$MOKAUTH | sha256sum | cut -d' ' -f1)"
	echo "IGOS-ATTR:\$(head -c 4 \$V/$MOKNEW | od -An -tx1 | tr -d ' ')"
	echo "IGOS-LSATTR:\$(lsattr \$V/$MOKNEW 2>&1 | cut -c1-20)"
	rm -f \$V/$MOKAUTH 2>/dev/null; echo "IGOS-RM-RC:\$?"
	echo "IGOS-AGAIN:\$(igos-mok import /mok.der)"
	echo "IGOS-TEST:\$(igos-mok test /mok.der)"
fi
echo IGOS-TEST-DONE
poweroff -f
INIT
ok "initrd with igos-mok, mokutil and efivarfs.ko" vm_initrd initrd.img --modules efivarfs \
	--bin "$(command -v igos-mok)" --bin "$(command -v mokutil)" --bin "$(command -v lsattr)" \
	--file mok.der:/mok.der --file mok2.der:/mok2.der --file mok.hash:/mok.hash --init init.sh
printf 'ID=igos-test\nNAME="igos test"\n' >osrel
igos-ukify build --stub "$STUB" --linux "$VM_VMLINUZ" --initrd initrd.img --os-release @osrel \
	--cmdline "console=ttyS0 quiet" -o uki.efi >/dev/null || { echo "Bail out! ukify"; exit 1; }
vm_snakeoil_key keys
sbsign --key keys/db.key --cert keys/db.crt --output uki.signed uki.efi >/dev/null 2>&1
vm_esp esp uki.signed

val() { tr -d '\r' <"$1" | sed -n "s/^$2://p" | head -n 1; }
vm_boot_uefi esp boot1.log --secure --vars vars.fd --timeout 180
is "$(val boot1.log IGOS-UNMOUNTED)" \
	"igos-mok: '/sys/firmware/efi/efivars' is not efivarfs: mount -t efivarfs efivarfs '/sys/firmware/efi/efivars'" \
	"before efivarfs is mounted: one line saying so"
is "$(val boot1.log IGOS-BOOT)" "first" "first boot: no request in NVRAM yet"
is "$(val boot1.log IGOS-SB)" "SecureBoot enabled " "sb-state: Secure Boot on"
is "$(val boot1.log IGOS-SB)" "$(val boot1.log IGOS-MOKUTIL-SB)" "sb-state says what mokutil --sb-state says"
is "$(val boot1.log IGOS-IMPORT-RC)" "0" "import into efivarfs succeeds"
is "$(val boot1.log IGOS-NEW)" "$want_new" "MokNew in NVRAM is the request made in a plain directory"
is "$(val boot1.log IGOS-AUTH)" "$want_auth" "MokAuth in NVRAM is the same 172 bytes"
is "$(val boot1.log IGOS-ATTR)" "07000000" "attributes NV|BS|RT"
is "$(val boot1.log IGOS-LSATTR | cut -c5)" "i" "efivarfs immutable flag set on MokNew (lsattr)"
nok "and it holds: rm of MokAuth is refused" test "$(val boot1.log IGOS-RM-RC)" = 0
is "$(val boot1.log IGOS-AGAIN)" "/mok.der: already pending enrollment, skipped" \
	"a second import sees the request in NVRAM"
is "$(val boot1.log IGOS-TEST)" "pending enrollment in MokNew" "test: pending enrollment in MokNew"

vm_boot_uefi esp boot2.log --secure --vars vars.fd --timeout 180
# MOK_VM_KEEP=DIR keeps the serial logs for a look
[ -n "${MOK_VM_KEEP:-}" ] && cp boot1.log boot2.log "$MOK_VM_KEEP/"
is "$(val boot2.log IGOS-BOOT)" "second" "second boot: the request survived the reboot"
pend=$(val boot2.log IGOS-PENDING)
is "$(echo "$pend" | cut -d' ' -f1-3)" "enroll x509 $fp" "igos-mok pending lists the key"
is "$(echo "$pend" | cut -d' ' -f4-)" "CN=igos vm mok" "with its subject"
is "$(val boot2.log IGOS-MOKUTIL-NEW)" "$fp" "mokutil --list-new lists the same key"
is "$(val boot2.log IGOS-IMPORT2-RC)" "0" "a second key added to the request in NVRAM (variable replaced)"
is "$(val boot2.log IGOS-PENDING2)" "$fp2 $fp " "pending: the new key first, then the first one"
is "$(val boot2.log IGOS-LSATTR2 | cut -c5)" "i" "immutable flag restored after the replacement"
is "$(val boot2.log IGOS-REVOKE-RC)" "0" "revoke --import on efivarfs succeeds"
is "$(val boot2.log IGOS-AFTER-REVOKE)" "0" "MokNew and MokAuth are gone"
done_testing
