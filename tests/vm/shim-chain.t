#!/bin/sh
# The seed's chain through shim, under OVMF Secure Boot (snakeoil keys) with
# one persistent NVRAM: Debian's shim 16.1 and MokManager, signed with the
# snakeoil key by igos-sign (standing in for Microsoft), start UKIs of the
# igos stub as their second stage (grubx64.efi).
#   1. a snakeoil-signed UKI boots through shim; the guest queues the MOK
#      (igos-mok import, a password) and powers off;
#   2. MokManager, driven over the serial console, shows the key (its SHA-1
#      fingerprint) and enrolls it;
#   3. a UKI signed by a key neither in db nor in MokList is refused by shim;
#   4. a UKI signed only with the MOK boots; igos-mok list and /proc/keys show
#      the MOK; with module.sig_enforce=1 a module signed with the MOK by
#      igos-sign loads, unsigned or signed by another key it is refused; the
#      guest queues the MOK's deletion (igos-mok delete);
#   5. MokManager confirms the deletion;
#   6. the MOK-signed UKI is refused.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/shim.sh"
vm_need
need igos-mok igos-sign igos-ukify mkfifo "$SHIM_DIR/shimx64.efi" "$SHIM_DIR/mmx64.efi" \
	"$IGOS_BUILD/efi/igos-stubx64.efi"
vm_kernel
plan 42

PW='igos mok pw 1'
# SHIM_VM_KEEP=DIR keeps the serial logs for a look
keep() { [ -z "${SHIM_VM_KEEP:-}" ] || cp "$1" "$SHIM_VM_KEEP/"; }
val() { tr -d '\r' <"$1" | sed -n "s/^$2://p" | head -n 1; }
fp() { openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/.*=//' | tr A-F a-f; }
# on_screen LOG HEX: HEX (lower case) on the screen, spaces and line ends dropped
on_screen() { screen "$1" | tr -d ' \n' | tr A-F a-f | grep -q "$2"; }
# in_nvram NAME FILE: a variable of that name is stored in the NVRAM file
# (OVMF keeps names UTF-16LE)
in_nvram() { grep -q -a -P "$(printf '%s' "$1" | sed 's/./&\\x00/g')" "$2"; }

# keys: the snakeoil db key (trusted by the firmware), the MOK, another key
vm_snakeoil_key keys || { echo "Bail out! snakeoil key"; exit 1; }
igos-mok new -k mok.key -c mok.crt --subject "igos shim test MOK" >/dev/null &&
	igos-mok new -k other.key -c other.crt --subject "igos shim test other" >/dev/null ||
	{ echo "Bail out! igos-mok new"; exit 1; }
printf '%s\n' "$PW" >mok.pw && chmod 600 mok.pw
mokfp=$(fp mok.crt)

# dm-bufio from the kernel package, its Debian signature stripped (the trailer:
# signature, 12-byte descriptor whose last 4 bytes are its length, magic)
ko=$VM_MODDIR/kernel/drivers/md/dm-bufio.ko
n=$(wc -c <"$ko")
is "$(tail -c 28 "$ko")" "~Module signature appended~" "the packaged dm-bufio is signed"
sl=$(tail -c 32 "$ko" | head -c 4 | od -An -tu4 --endian=big | tr -d ' ')
head -c $((n - sl - 40)) "$ko" >bufio-unsigned.ko
igos-sign remove --all -o bufio-removed.ko "$ko" 2>/dev/null
same bufio-unsigned.ko bufio-removed.ko "igos-sign remove strips the same trailer"
ok "dm-bufio signed with the MOK" igos-sign sign -k mok.key -c mok.crt -o bufio-mok.ko bufio-unsigned.ko
ok "and with the other key" igos-sign sign -k other.key -c other.crt -o bufio-other.ko bufio-unsigned.ko

bindir=$(dirname "$(command -v igos-mok)")
cat >init.sh <<INIT
#!/bin/sh
export PATH=/bin:$bindir
mount -t proc proc /proc
mount -t sysfs sys /sys
vm-load-modules >/dev/null
mount -t efivarfs efivarfs /sys/firmware/efi/efivars || echo "IGOS-MOUNT-FAILED"
echo
echo "IGOS-SB:\$(igos-mok sb-state | head -n 1)"
echo "IGOS-LIST:\$(igos-mok list | tr '\n' '|')"
case \$(cat /proc/cmdline) in
*igos.step=import*)
	igos-mok import --password-file /mok.pw /mok.crt; echo "IGOS-IMPORT-RC:\$?"
	echo "IGOS-PENDING:\$(igos-mok pending)"
	;;
*igos.step=mok*)
	echo "IGOS-PENDING:\$(igos-mok pending)"
	echo "IGOS-KEYS:\$(grep ' asymmetri ' /proc/keys | grep -c ' igos shim test MOK: ')"
	echo "IGOS-KEYRINGS:\$(sed -n 's/.*keyring *\(\.[a-z_]*\): .*/\1/p' /proc/keys | sort | tr '\n' ' ')"
	r=\$(insmod /bufio-unsigned.ko 2>&1) && s=loaded || s=refused; echo "IGOS-UNSIGNED:\$s \$r"
	r=\$(insmod /bufio-other.ko 2>&1) && s=loaded || s=refused; echo "IGOS-OTHER:\$s \$r"
	r=\$(insmod /bufio-mok.ko 2>&1) && s=loaded || s=refused; echo "IGOS-MOK:\$s \$r"
	echo "IGOS-LOADED:\$(grep -c '^dm_bufio ' /proc/modules)"
	igos-mok delete --password-file /mok.pw /mok.crt; echo "IGOS-DELETE-RC:\$?"
	echo "IGOS-PENDING-DEL:\$(igos-mok pending)"
	;;
esac
echo IGOS-TEST-DONE
poweroff -f
INIT
ok "initrd: igos-mok, efivarfs, dm-mod, the three dm-bufio builds" \
	vm_initrd initrd.img --modules "efivarfs dm-mod" --bin "$(command -v igos-mok)" \
	--file mok.crt:/mok.crt --file mok.pw:/mok.pw --file bufio-unsigned.ko:/bufio-unsigned.ko \
	--file bufio-mok.ko:/bufio-mok.ko --file bufio-other.ko:/bufio-other.ko --init init.sh

# uki NAME STEP KEY CERT: the igos stub's UKI, signed with that key only
uki() {
	igos-ukify build --stub "$IGOS_BUILD/efi/igos-stubx64.efi" --linux "$VM_VMLINUZ" \
		--initrd initrd.img --cmdline "console=ttyS0 quiet module.sig_enforce=1 igos.step=$2" \
		-o "$1.unsigned" >/dev/null &&
		igos-sign sign -k "$3" -c "$4" -o "$1" "$1.unsigned"
}
ok "UKI signed with the snakeoil (db) key" uki uki-db.efi import keys/db.key keys/db.crt
ok "UKI signed with the MOK only" uki uki-mok.efi mok mok.key mok.crt
ok "UKI signed with another key" uki uki-other.efi mok other.key other.crt

# 1. import through a shim-started UKI
ok "shim and MokManager signed with the snakeoil key, the db-signed UKI as grubx64.efi" \
	shim_esp esp1 keys/db.key keys/db.crt uki-db.efi
nok "no MokAuth in the fresh NVRAM" in_nvram MokAuth "$VM_OVMF_VARS_SECURE"
ok "boot 1 ran to the end" shim_boot esp1 vars.fd boot1.log
keep boot1.log
is "$(val boot1.log IGOS-SB)" "SecureBoot enabled" "boot 1: the db-signed UKI booted through shim, Secure Boot on"
# MokListRT exists only when shim ran: Debian's shim adds its vendor certificate
case $(val boot1.log IGOS-LIST) in
*"$mokfp"*) r=1 ;; *"x509 "*" CN=Debian Secure Boot CA|"*) r=0 ;; *) r=1 ;;
esac
ok "igos-mok list: shim's MokListRT with its vendor key, without the MOK" test "$r" = 0
is "$(val boot1.log IGOS-IMPORT-RC)" 0 "igos-mok import in the guest"
is "$(val boot1.log IGOS-PENDING | cut -d' ' -f1-3)" "enroll x509 $mokfp" "the MOK is pending"
ok "the NVRAM file keeps MokNew" in_nvram MokNew vars.fd
ok "and MokAuth" in_nvram MokAuth vars.fd

# 2. MokManager enrolls it
ok "boot 2: MokManager: enroll, view the key, continue, yes, password, reboot" \
	mm_drive esp1 vars.fd boot2.log enroll "$PW" 'igos shim test MOK'
ok "the key MokManager showed has the MOK's SHA-1 fingerprint" \
	on_screen boot2.log "$(printf '%s' "$mokfp" | tr -d :)"
keep boot2.log
nok "the UKI did not start before the reboot" grep -q IGOS-TEST-DONE boot2.log

# 3. a key neither in db nor MokList
ok "ESP with the other-key UKI" shim_esp esp3 keys/db.key keys/db.crt uki-other.efi
ok "boot 3 stopped on shim's verdict" shim_boot esp3 vars.fd boot3.log
keep boot3.log
ok "boot 3: shim refuses a UKI signed by another key" grep -q 'Verification failed' boot3.log
nok "its kernel never starts" grep -q IGOS-TEST-DONE boot3.log

# 4. the MOK-signed UKI, modules under sig_enforce, the deletion queued
ok "ESP with the MOK-signed UKI" shim_esp esp4 keys/db.key keys/db.crt uki-mok.efi
ok "boot 4 ran to the end" shim_boot esp4 vars.fd boot4.log
keep boot4.log
is "$(val boot4.log IGOS-SB)" "SecureBoot enabled" "boot 4: the MOK-signed UKI booted through shim"
case $(val boot4.log IGOS-LIST) in
*"x509 $mokfp CN=igos shim test MOK"*) r=0 ;; *) r=1 ;;
esac
ok "igos-mok list shows the enrolled MOK" test "$r" = 0
is "$(val boot4.log IGOS-PENDING)" "no request pending" "the enrollment request is gone"
is "$(val boot4.log IGOS-KEYS)" 1 "/proc/keys has the MOK"
case " $(val boot4.log IGOS-KEYRINGS)" in *" .machine "*) r=0 ;; *) r=1 ;; esac
ok "the kernel has its .machine keyring (MokListRT, trusted for modules)" test "$r" = 0
is "$(val boot4.log IGOS-UNSIGNED | sed 's/ insmod: .*: / /')" "refused Key was rejected by service" \
	"sig_enforce: the unsigned module is refused"
is "$(val boot4.log IGOS-OTHER | sed 's/ insmod: .*: / /')" "refused Key was rejected by service" \
	"the module signed by another key is refused"
is "$(val boot4.log IGOS-MOK)" "loaded " "the module signed with the MOK by igos-sign loads"
is "$(val boot4.log IGOS-LOADED)" 1 "dm_bufio is in /proc/modules"
is "$(val boot4.log IGOS-DELETE-RC)" 0 "igos-mok delete queues the MOK's removal"
is "$(val boot4.log IGOS-PENDING-DEL | cut -d' ' -f1-3)" "delete x509 $mokfp" "pending shows it"

# 5. MokManager deletes it, 6. the MOK-signed UKI is refused
ok "boot 5: MokManager: delete, view the key, continue, yes, password, reboot" \
	mm_drive esp4 vars.fd boot5.log delete "$PW" 'igos shim test MOK'
keep boot5.log
ok "boot 6 stopped on shim's verdict" shim_boot esp4 vars.fd boot6.log
keep boot6.log
ok "boot 6: after the deletion shim refuses the MOK-signed UKI" grep -q 'Verification failed' boot6.log
nok "its kernel never starts" grep -q IGOS-TEST-DONE boot6.log

nok "shim never complains about section alignment" \
	grep -q 'not page aligned' boot1.log boot2.log boot3.log boot4.log boot5.log boot6.log
done_testing
