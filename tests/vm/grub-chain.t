#!/bin/sh
# The seed's chain as it ships: OVMF with Microsoft's keys -> Debian's
# Microsoft-signed shim 16.1 -> the igos GRUB (igos-grub build, signed with the
# distribution key on a SoftHSM token) -> a UKI signed with the machine's MOK,
# installed by kernel-install with the igos hooks. Boots (spec/grub-chain.md):
#   1. fresh NVRAM: shim refuses our GRUB (its key is not enrolled);
#      MokManager, driven over the serial console, enrolls the distribution
#      certificate and the MOK from the ESP; the NVRAM is kept as a template;
#   2. shim -> GRUB: GRUB tries the newest UKI first, an unsigned one, and
#      refuses it ("bad shim signature"), then starts the MOK-signed UKI; the
#      kernel runs with Secure Boot on, PCR 11 is igos-measure's prediction;
#      grub.cfg files and an env block put on the ESP are not read;
#   3. shim refuses our GRUB unsigned, signed by another key, and with the
#      revoked SBAT generation grub,4 (the same image, signed with the
#      distribution key, is the one that boots in 2);
#   5. the fallback: snakeoil firmware, shim-unsigned and GRUB signed with the
#      snakeoil db key; GRUB refuses the newest UKI (signed by a key neither in
#      db nor MokList) and starts the next one;
#   6. the same with a GRUB built with a password hash and a timeout: Esc
#      shows the menu, the command line (c) and editing (e) ask for the
#      superuser and refuse a wrong password, the menu entry boots the UKI.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/shim.sh"
. "$TESTLIB/softhsm.sh"
. "$TESTLIB/hooks.sh"
. "$TESTLIB/grub.sh"
SHIM_MS=$SHIM_DIR/shimx64.efi.signed
MM_MS=$SHIM_DIR/mmx64.efi.signed
vm_need
need igos-grub igos-sign igos-mok igos-measure igos-ukify kernel-install grub-mkimage grub-mkpasswd-pbkdf2 swtpm \
	mkfifo perl "$SHIM_MS" "$MM_MS" "$SHIM_DIR/shimx64.efi" "$SHIM_DIR/mmx64.efi" \
	"$GRUB_MS_CODE" "$GRUB_MS_VARS" "$IGOS_BUILD/efi/igos-stubx64.efi"
vm_kernel
softhsm_token
plan 41
KVER=$VM_KVER
t0=$(date +%s)

# GRUB_VM_KEEP=DIR keeps the serial logs for a look
keep() { [ -z "${GRUB_VM_KEEP:-}" ] || cp "$@" "$GRUB_VM_KEEP/"; }
val() { tr -d '\r' <"$1" | sed -n "s/^$2://p" | head -n 1; }
DIST="$HSM_URI;object=rsa2048;type=private"
DIST_CRT=$HSM_DIR/rsa2048.crt
dist_sign() { igos-sign sign -k "$DIST" --pin-file "$HSM_PIN_FILE" -c "$DIST_CRT" -o "$2" "$1"; }

# ---- the GRUB images ----
run 0 "" "igos-grub build, at the SBAT level of the shim it goes with" \
	igos-grub build --shim "$SHIM_MS" --timeout 0 -o grub.efi
ok "signed with the distribution key on the token" dist_sign grub.efi grub.signed
ok "sbverify: the distribution certificate verifies it" sbverify --cert "$DIST_CRT" grub.signed
igos-mok new -k other.key -c other.crt --subject "igos grub test other" >/dev/null ||
	{ echo "Bail out! igos-mok new"; exit 1; }
ok "the same image signed by another key" igos-sign sign -k other.key -c other.crt -o grub.other grub.efi
# the same image with the revoked generation grub,4 (the .sbat's bytes edited
# in place, then signed with the distribution key)
perl -0777 -pe '$n = s/\ngrub,5,Free Software Foundation,/\ngrub,4,Free Software Foundation,/g;
	END { exit($n == 1 ? 0 : 1) }' grub.efi >grub4.efi
is "$?" 0 "a copy with the SBAT line grub,4"
ok "signed with the distribution key" dist_sign grub4.efi grub4.signed

# ---- the kernel, the initrd, the UKIs ----
# Debian's shim trusts Debian's CA: the kernel's own signature goes, so only
# the MOK can make its UKI bootable
igos-sign remove --all -o vmlinuz "$VM_VMLINUZ" 2>/dev/null
nok "the kernel copy carries no signature" igos-sign verify vmlinuz
cat >init.sh <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "IGOS-CMDLINE:$(cat /proc/cmdline)"
echo "IGOS-SB:$(dmesg | grep -o 'Secure boot enabled' | head -n 1)"
echo "IGOS-PCR11:$(cat /sys/class/tpm/tpm0/pcr-sha256/11 2>/dev/null)"
echo IGOS-TEST-DONE
poweroff -f
INIT
ok "busybox initrd" vm_initrd initrd.img --init init.sh
hooks_env
hooks_mok mok
hooks_conf "$T/mok.key" "$T/mok.crt"
CMDLINE="console=ttyS0 quiet igos.test=grub-chain"
printf '%s\n' "$CMDLINE" >conf/cmdline
run 0 "*" "kernel-install add with the igos hooks installs the MOK-signed UKI" \
	ki add "$KVER" vmlinuz initrd.img
UKI=esp/EFI/Linux/igos-$KVER.efi
predicted=$(igos-measure calculate --bank sha256 --phase= "$UKI" 2>/dev/null | sed -n 's/^11:sha256=//p')
ok "PCR 11 predicted" test -n "$predicted"
igos-sign remove --all -o esp/EFI/Linux/igos-unsigned.efi "$UKI" 2>/dev/null
# GRUB tries the newest first: the unsigned one
touch -d '2020-01-01 00:00:00' "$UKI"
touch -d '2022-01-01 00:00:00' esp/EFI/Linux/igos-unsigned.efi

# ---- 1. enrolment ----
ok "igos-grub install: shim, MokManager, GRUB on the ESP" grub_esp esp "$SHIM_MS" "$MM_MS" grub.signed
openssl x509 -in "$DIST_CRT" -outform DER -out esp/dist.cer
openssl x509 -in mok.crt -outform DER -out esp/mok.cer
b0=$(date +%s)
ok "boot 1: shim refuses GRUB, MokManager enrolls the distribution key and the MOK from disk" \
	grub_mm_enroll esp vars1.fd boot1.log dist.cer mok.cer
b1=$(date +%s)
keep boot1.log
ok "boot 1: shim said why it stopped" grep -q 'Verification failed: (0x1A) Security Violation' boot1.log
nok "GRUB never started before the enrolment" grep -q 'Welcome to GRUB' boot1.log
cp vars1.fd enrolled.fd
rm -f esp/dist.cer esp/mok.cer

# ---- 2. the chain, and what is on the ESP that must not count ----
for d in EFI/BOOT EFI/igos EFI/debian boot/grub grub EFI/Linux; do
	mkdir -p "esp/$d"
	printf 'echo IGOS-PLANTED-CFG\nset superusers=""\n' >"esp/$d/grub.cfg"
done
printf '# GRUB Environment Block\nnext_entry=planted\nIGOS_PLANTED_ENV=1\n' >esp/EFI/BOOT/grubenv
cp enrolled.fd vars2.fd
ok "boot 2 ran to the end" grub_boot esp vars2.fd boot2.log --tpm
b2=$(date +%s)
keep boot2.log
is "$(grub_order boot2.log)" "igos-unsigned.efi refused
igos-$KVER.efi" "boot 2: GRUB tried the newest UKI (unsigned) first, refused it, then started the MOK-signed one"
ok "GRUB said why" grep -q 'error: bad shim signature' boot2.log
is "$(val boot2.log IGOS-CMDLINE)" "$CMDLINE" "the kernel runs with the UKI's command line"
is "$(val boot2.log IGOS-SB)" "Secure boot enabled" "with Secure Boot on"
is "$(val boot2.log IGOS-PCR11 | tr A-F a-f)" "$predicted" "PCR 11 equals igos-measure calculate --phase="
nok "no grub.cfg from the ESP was run" grep -q IGOS-PLANTED-CFG boot2.log
nok "nothing from an env block on the ESP" grep -q -i planted boot2.log

# ---- 3. shim refuses GRUB images it must not run ----
# refused3 NAME IMAGE: IMAGE as grubx64.efi (put there by hand: igos-grub
# install refuses an unsigned one), a boot from the enrolled NVRAM, shim's
# verdict, and GRUB never starts
refused3() {
	cp "$2" esp/EFI/BOOT/grubx64.efi && cp enrolled.fd "vars-$1.fd" &&
		grub_boot esp "vars-$1.fd" "boot3-$1.log" &&
		grep -q 'Verification failed' "boot3-$1.log" && ! grep -q 'Welcome to GRUB' "boot3-$1.log"
}
cp grub.efi grub.unsigned
run 1 "igos-grub: 'grub.unsigned' is not signed (Secure Boot would refuse it)" \
	"igos-grub install refuses an unsigned GRUB" \
	igos-grub install --esp esp --shim "$SHIM_MS" --grub grub.unsigned
ok "boot 3a: shim refuses our GRUB unsigned" refused3 unsigned grub.unsigned
ok "boot 3b: shim refuses our GRUB signed by another key" refused3 other grub.other
ok "boot 3c: shim refuses our GRUB with SBAT grub,4 (revoked), signed by the enrolled key" \
	refused3 sbat4 grub4.signed
b3=$(date +%s)
keep boot3-*.log

# ---- 5. the fallback: snakeoil firmware, shim-unsigned ----
vm_snakeoil_key keys
vm_snakeoil_leaf keys uki 2048
mkdir -p esp5/EFI/Linux
igos-sign sign -k keys/db.key -c keys/db.crt -o shim5.efi "$SHIM_DIR/shimx64.efi" >/dev/null &&
	igos-sign sign -k keys/db.key -c keys/db.crt -o mm5.efi "$SHIM_DIR/mmx64.efi" >/dev/null
run 0 "" "igos-grub build against shim-unsigned's level" \
	igos-grub build --shim "$SHIM_DIR/shimx64.efi" --timeout 0 -o grub5.efi
ok "GRUB signed with the snakeoil db key" igos-sign sign -k keys/db.key -c keys/db.crt -o grub5.signed grub5.efi
ok "igos-grub install: the snakeoil-signed shim, MokManager and GRUB" \
	igos-grub install --esp esp5 --shim shim5.efi --mokmanager mm5.efi --grub grub5.signed
igos-sign remove --all -o uki.bare "$UKI" 2>/dev/null
ok "the UKI signed with a leaf of the snakeoil CA" \
	igos-sign sign -k keys/uki.key -c keys/uki.crt -o "esp5/EFI/Linux/igos-$KVER.efi" uki.bare
ok "and a copy signed by another key" \
	igos-sign sign -k other.key -c other.crt -o esp5/EFI/Linux/igos-other.efi uki.bare
touch -d '2020-01-01 00:00:00' "esp5/EFI/Linux/igos-$KVER.efi"
touch -d '2022-01-01 00:00:00' esp5/EFI/Linux/igos-other.efi
ok "boot 5 ran to the end" shim_boot esp5 vars5.fd boot5.log
b5=$(date +%s)
keep boot5.log
is "$(grub_order boot5.log)" "igos-other.efi refused
igos-$KVER.efi" "boot 5: GRUB refused the UKI signed by another key, then started the db-signed one"
is "$(val boot5.log IGOS-CMDLINE)" "$CMDLINE" "the kernel runs with the UKI's command line"
is "$(val boot5.log IGOS-SB)" "Secure boot enabled" "with Secure Boot on"

# ---- 6. the menu and its locks ----
printf 'igos pw\nigos pw\n' | grub-mkpasswd-pbkdf2 -c 1000 2>/dev/null | sed -n 's/.* is //p' >grub.hash
run 0 "" "igos-grub build with a password hash and a 10 s timeout" \
	igos-grub build --shim "$SHIM_DIR/shimx64.efi" --password-hash grub.hash --timeout 10 -o grub6.efi
igos-sign sign -k keys/db.key -c keys/db.crt -o grub6.signed grub6.efi >/dev/null &&
	igos-grub install --esp esp5 --shim shim5.efi --grub grub6.signed && rm esp5/EFI/Linux/igos-other.efi
ok "boot 6: Esc, the menu; c and e ask for the superuser and refuse a wrong password; the entry boots" \
	grub_locked boot6.log esp5 --vars vars5.fd
b6=$(date +%s)
keep boot6.log
is "$(grep -c 'error: access denied' boot6.log)" 2 "GRUB said 'access denied' twice"
nok "no GRUB prompt was ever shown" grep -q 'grub>' boot6.log
is "$(val boot6.log IGOS-CMDLINE)" "$CMDLINE" "the menu entry started the UKI"
nok "shim never complains about section alignment" \
	grep -q 'not page aligned' boot1.log boot2.log boot3-*.log boot5.log boot6.log
diag "VM time: enrol $((b1 - b0)) s, chain $((b2 - b1)) s, three refusals $((b3 - b2)) s," \
	"snakeoil $((b5 - b3)) s, menu $((b6 - b5)) s; whole test $((b6 - t0)) s"
done_testing
