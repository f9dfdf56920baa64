#!/bin/sh
# kernel-install add/remove (Debian 12's /usr/bin/kernel-install, systemd 252) with
# the igos hooks against a fake root: the UKI lands in EFI/Linux under the entry
# token, is signed with the MOK (igos-sign verify, sbverify), carries the configured
# command line, the kernel release, os-release and the initrds in systemd's order;
# remove deletes that version only.
[ -z "${IGOS_IN_NS:-}" ] && [ "$(id -u)" = 0 ] &&
	exec env IGOS_IN_NS=1 unshare -m --propagation private "$0" "$@"
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/hooks.sh"
need kernel-install igos-ukify igos-sign sbverify openssl
vm_kernel
[ "$(id -u)" = 0 ] || skip_all "needs root to put a test /proc/cmdline in place"
plan 35
KVER=$VM_KVER
UKI=$T/esp/EFI/Linux/igos-$KVER.efi

# a plugin before ours stages microcode and an initrd, as initrd generators do
cat >50-stage.install <<'P'
#!/bin/sh
[ "$1" = add ] || exit 0
cp "$STAGE_SRC/microcode.img" "$STAGE_SRC/initrd-gen.img" "$KERNEL_INSTALL_STAGING_AREA/"
P
chmod +x 50-stage.install
HOOKS_EXTRA=$T/50-stage.install
STAGE_SRC=$T; export STAGE_SRC
hooks_env
hooks_mok mok
hooks_conf "$T/mok.key" "$T/mok.crt"
printf 'layout=other\n' >conf/install.conf
printf '  root=/dev/vda2 ro\n\tquiet   igos.test=add\n' >conf/cmdline
for f in microcode arg1 arg2 initrd-gen; do head -c 4096 /dev/urandom >$f.img; done

run 0 "*" "kernel-install add succeeds" ki add "$KVER" "$VM_VMLINUZ" arg1.img arg2.img
is "$OUT" "" "nothing on standard output without --verbose"
ok "the UKI is at \$BOOT_ROOT/EFI/Linux/<entry-token>-<version>.efi" test -f "$UKI"
is "$(ls -A esp/EFI/Linux)" "igos-$KVER.efi" "nothing else in EFI/Linux (no temporary files)"
ok "igos-sign verify -c MOK.crt accepts it" igos-sign verify -c mok.crt "$UKI"
ok "sbverify --cert MOK.crt accepts it" sbverify --cert mok.crt "$UKI"
hooks_mok other
nok "sbverify refuses it with another certificate" sbverify --cert other.crt "$UKI"
is "$(igos-ukify inspect --section .cmdline "$UKI")" "root=/dev/vda2 ro quiet igos.test=add" \
	"the .cmdline is conf/cmdline, white space collapsed"
is "$(igos-ukify inspect --section .uname "$UKI")" "$KVER" "the .uname is the kernel version"
igos-ukify inspect --section .osrel "$UKI" >osrel
same osrel /etc/os-release ".osrel is the system's os-release"
igos-ukify inspect --section .linux "$UKI" >linux
same linux "$VM_VMLINUZ" ".linux is the kernel"
cat microcode.img arg1.img arg2.img initrd-gen.img >initrds
igos-ukify inspect --section .initrd "$UKI" >initrd
same initrd initrds ".initrd: staged microcode*, the arguments, staged initrd*, in that order"
is "$(ls -A esp)" "EFI" "layout=other: no entry directory, no loader entry"

# verbose: each step said on stdout
run 0 "*" "kernel-install --verbose add" ki --verbose add "$KVER" "$VM_VMLINUZ" arg1.img
ok "the build step is reported" sh -c "echo \"\$1\" | grep -q '^60-igos-ukify.install: .* built and signed$'" - "$OUT"
ok "the install step is reported" sh -c "echo \"\$1\" | grep -q '^90-igos-uki.install: installing .* as $UKI$'" - "$OUT"

# a second version; remove deletes one version only
run 0 "*" "a second version installs" ki add "$KVER-two" "$VM_VMLINUZ" arg1.img
run 0 "" "kernel-install remove succeeds" ki remove "$KVER"
is "$(ls -A esp/EFI/Linux)" "igos-$KVER-two.efi" "remove deleted that version's UKI and nothing else"
run 0 "" "remove of a version not installed is not an error" ki remove "$KVER"

# entry token = machine ID: systemd.machine_id= added, as systemd's plugins do
ENTRY_TOKEN=$MID
run 0 "*" "entry token from the machine ID" ki add "$KVER" "$VM_VMLINUZ" arg1.img
is "$(igos-ukify inspect --section .cmdline "esp/EFI/Linux/$MID-$KVER.efi")" \
	"root=/dev/vda2 ro quiet igos.test=add systemd.machine_id=$MID" \
	"named <machine-id>-<version>.efi, cmdline ends with systemd.machine_id="
ENTRY_TOKEN=igos

# no cmdline file: /proc/cmdline (a test one, in this mount namespace) without
# BOOT_IMAGE= and initrd=
rm conf/cmdline
printf 'BOOT_IMAGE=/vmlinuz-6.1 root=UUID=1234 ro initrd=\\initrd.img quiet  splash\n' >proccmdline
mount --bind proccmdline /proc/cmdline
run 0 "*" "add without a cmdline file" ki add "$KVER" "$VM_VMLINUZ"
umount /proc/cmdline
is "$(igos-ukify inspect --section .cmdline "$UKI")" "root=UUID=1234 ro quiet splash" \
	".cmdline is /proc/cmdline without BOOT_IMAGE= and initrd="
cat microcode.img initrd-gen.img >initrds
igos-ukify inspect --section .initrd "$UKI" >initrd
same initrd initrds "no initrd arguments: the staged ones only"

# Debian 12: kernel-install add without an initrd (as /etc/kernel/postinst.d/zz-systemd-boot
# calls it); Debian's 85-initrd.install, after us, stages /boot/initrd.img-<version>
mount -t tmpfs tmpfs /boot
head -c 8192 /dev/urandom >"/boot/initrd.img-$KVER"
KERNEL_INSTALL_PLUGINS="$HOOKS/60-igos-ukify.install /usr/lib/kernel/install.d/85-initrd.install $HOOKS/90-igos-uki.install"
run 0 "*" "with Debian's 85-initrd.install, no initrd argument" ki add "$KVER" "$VM_VMLINUZ"
igos-ukify inspect --section .initrd "$UKI" >initrd
same initrd "/boot/initrd.img-$KVER" ".initrd is /boot/initrd.img-<version>, as 85-initrd.install stages it"
run 0 "*" "with Debian's 85-initrd.install and an initrd argument" ki add "$KVER" "$VM_VMLINUZ" arg1.img
igos-ukify inspect --section .initrd "$UKI" >initrd
same initrd arg1.img ".initrd is the argument only, as 85-initrd.install does then"
umount /boot

# without KERNEL_INSTALL_CONF_ROOT: /etc/kernel, then /usr/lib/kernel (test ones,
# mounted in this mount namespace only)
KERNEL_INSTALL_PLUGINS="$HOOKS/60-igos-ukify.install $HOOKS/90-igos-uki.install"
unset KERNEL_INSTALL_CONF_ROOT
mkdir etck usrk
mount --bind etck /etc/kernel
mount --bind usrk /usr/lib/kernel
cp conf/uki.conf usrk/uki.conf
echo "igos.test=usr-lib-kernel" >usrk/cmdline
run 0 "*" "uki.conf and cmdline from /usr/lib/kernel" ki add "$KVER" "$VM_VMLINUZ"
is "$(igos-ukify inspect --section .cmdline "$UKI")" "igos.test=usr-lib-kernel" \
	"the cmdline of /usr/lib/kernel"
echo "igos.test=etc-kernel" >etck/cmdline
echo 2 >etck/tries
run 0 "*" "cmdline and tries from /etc/kernel" ki add "$KVER" "$VM_VMLINUZ"
is "$(igos-ukify inspect --section .cmdline "esp/EFI/Linux/igos-$KVER+2.efi")" "igos.test=etc-kernel" \
	"/etc/kernel/cmdline wins, /etc/kernel/tries gives +2"
printf '[UKI]\nStub = %s\n' "$STUB_EFI" >etck/uki.conf
run 0 "*" "/etc/kernel/uki.conf without a key hides /usr/lib/kernel's" ki add "$KVER" "$VM_VMLINUZ"
is "$OUT" "60-igos-ukify.install: no SecureBootPrivateKey= in /etc/kernel/uki.conf, no signed UKI for $KVER" \
	"the no-key line names /etc/kernel/uki.conf"
umount /etc/kernel /usr/lib/kernel
done_testing
