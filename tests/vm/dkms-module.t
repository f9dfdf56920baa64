#!/bin/sh
# A module DKMS builds and signs with the machine's MOK through the igos DKMS
# configuration loads in the VM's kernel once the MOK is enrolled through
# shim, under module.sig_enforce=1 and the lockdown Secure Boot brings; the
# same module unsigned, or signed by another key, is refused with the kernel's
# message. Debian's kernel trusts MokList keys for modules (shim's MokListRT,
# the .machine keyring linked to the secondary one), not db keys (.platform is
# not used for modules), so the MOK goes through MokManager, as on a machine:
#   1. shim starts a db-signed UKI: the MOK-signed module is refused (the MOK
#      is not trusted yet); the guest queues the MOK (igos-mok import);
#   2. MokManager, over the serial console, enrolls it;
#   3. the same UKI: the MOK-signed module loads, the unsigned one and the one
#      signed by another key are refused.
. "${0%/*}/../lib/dkms.sh"
dkms_reexec "$0" "$@"
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/shim.sh"
vm_need
need igos-mok igos-sign igos-ukify mkfifo "$SHIM_DIR/shimx64.efi" "$SHIM_DIR/mmx64.efi" \
	"$IGOS_BUILD/efi/igos-stubx64.efi"
vm_kernel
vm_headers
dkms_ns || { echo "Bail out! dkms_ns"; exit 1; }
plan 20

PW='igos dkms pw 1'
val() { tr -d '\r' <"$1" | sed -n "s/^$2://p" | head -n 1; }
# the kernel's refusal, without insmod's prefix
why() { val "$1" "$2" | sed 's/ insmod: .*: / /'; }

vm_snakeoil_key keys || { echo "Bail out! snakeoil key"; exit 1; }
mkdir -m 0700 /etc/igos
igos-mok new -k /etc/igos/mok.key -c /etc/igos/mok.der --subject "igos dkms vm MOK" >/dev/null &&
	igos-mok new -k other.key -c other.crt --subject "igos dkms vm other" >/dev/null ||
	{ echo "Bail out! igos-mok new"; exit 1; }
printf '%s\n' "$PW" >mok.pw && chmod 600 mok.pw
printf '[UKI]\nSecureBootPrivateKey = /etc/igos/mok.key\nSecureBootCertificate = /etc/igos/mok.der\n' \
	>/etc/kernel/uki.conf

ok "dkms add igostest/1.0" dkms_module
ok "DKMS builds it for $VM_KVER" dkms_build
ok "signed with the MOK (igos-sign verify)" igos-sign verify -c /etc/igos/mok.der "$DKMS_KO"
cp "$DKMS_KO" mok.ko
igos-sign remove --all -o unsigned.ko mok.ko 2>/dev/null
ok "the same module signed by another key" igos-sign sign -k other.key -c other.crt -o other.ko unsigned.ko
cp /etc/igos/mok.der mok.der

cat >init.sh <<'INIT'
#!/bin/sh
export PATH=/bin:@BINDIR@
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
vm-load-modules >/dev/null
mount -t efivarfs efivarfs /sys/firmware/efi/efivars || echo "IGOS-MOUNT-FAILED"
echo
echo "IGOS-SB:$(igos-mok sb-state | head -n 1)"
echo "IGOS-LOCKDOWN:$(cat /sys/kernel/security/lockdown 2>/dev/null)"
try() { # NAME: insmod /NAME.ko, then unload it again
	r=$(insmod "/$1.ko" 2>&1) && s=loaded || s=refused
	echo "IGOS-$1:$s $r"
	[ "$s" = refused ] || rmmod igostest
}
if igos-mok list | grep -q 'igos dkms vm MOK'; then
	echo "IGOS-ENROLLED:yes"
	try unsigned; try other; try mok
	# busybox insmod falls back from finit_module to init_module: each refusal is logged twice
	echo "IGOS-MSG:$(dmesg | sed -n 's/^\[[ 0-9.]*\] //; s/^\(Loading of .* is rejected\)$/\1/p; s/^\(igostest: loaded\)$/\1/p' | uniq | tr '\n' '|')"
else
	echo "IGOS-ENROLLED:no"
	try mok
	igos-mok import --password-file /mok.pw /mok.der; echo "IGOS-IMPORT-RC:$?"
fi
echo IGOS-TEST-DONE
poweroff -f
INIT
# igos-mok is in the initrd at its path here
sed -i "s|@BINDIR@|$(dirname "$(command -v igos-mok)")|" init.sh
ok "initrd: igos-mok, efivarfs, the three builds of the module" \
	vm_initrd initrd.img --modules efivarfs --bin "$(command -v igos-mok)" \
	--file mok.der:/mok.der --file mok.pw:/mok.pw --file unsigned.ko:/unsigned.ko \
	--file mok.ko:/mok.ko --file other.ko:/other.ko --init init.sh
igos-ukify build --stub "$IGOS_BUILD/efi/igos-stubx64.efi" --linux "$VM_VMLINUZ" --initrd initrd.img \
	--cmdline "console=ttyS0 quiet module.sig_enforce=1" -o uki.unsigned >/dev/null
ok "the UKI, signed with the snakeoil (db) key" igos-sign sign -k keys/db.key -c keys/db.crt -o uki.efi uki.unsigned
ok "shim, MokManager, the UKI as its second stage" shim_esp esp keys/db.key keys/db.crt uki.efi

# 1. before the enrolment
ok "boot 1 ran to the end" shim_boot esp vars.fd boot1.log
is "$(val boot1.log IGOS-SB)" "SecureBoot enabled" "Secure Boot on"
is "$(val boot1.log IGOS-ENROLLED)" no "the MOK is not enrolled yet"
is "$(why boot1.log IGOS-mok)" "refused Key was rejected by service" \
	"the MOK-signed module is refused before the MOK is trusted"
is "$(val boot1.log IGOS-IMPORT-RC)" 0 "igos-mok import queues the MOK"

# 2. MokManager
ok "boot 2: MokManager enrolls the MOK" mm_drive esp vars.fd boot2.log enroll "$PW" 'igos dkms vm MOK'

# 3. after it
ok "boot 3 ran to the end" shim_boot esp vars.fd boot3.log
is "$(val boot3.log IGOS-ENROLLED)" yes "the MOK is enrolled"
case $(val boot3.log IGOS-LOCKDOWN) in *"[integrity]"* | *"[confidentiality]"*) r=0 ;; *) r=1 ;; esac
ok "the kernel is locked down (Secure Boot)" test "$r" = 0
is "$(why boot3.log IGOS-unsigned)" "refused Key was rejected by service" "the unsigned module is refused"
is "$(why boot3.log IGOS-other)" "refused Key was rejected by service" "signed by another key: refused"
is "$(val boot3.log IGOS-mok)" "loaded " "signed with the MOK by DKMS through igos-sign: loaded"
is "$(val boot3.log IGOS-MSG)" \
	"Loading of unsigned module is rejected|Loading of module with unavailable key is rejected|igostest: loaded|" \
	"the kernel's messages"
done_testing
