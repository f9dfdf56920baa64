#!/bin/sh
# Failure paths of kernel-install add with the igos hooks: each exits 1 (never 77),
# says why in its last line, keeps the installed UKI byte-identical and leaves no
# temporary file on the ESP: a key that does not match the certificate, a missing
# stub, a full ESP (a small tmpfs), a build killed half-way. No key configured is
# not an error: one line, exit 0, nothing touched.
[ -z "${IGOS_IN_NS:-}" ] && [ "$(id -u)" = 0 ] &&
	exec env IGOS_IN_NS=1 unshare -m --propagation private "$0" "$@"
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/hooks.sh"
need kernel-install igos-ukify igos-sign openssl mkfifo
vm_kernel
[ "$(id -u)" = 0 ] || skip_all "needs root to mount a small ESP"
plan 37
KVER=$VM_KVER
UKI=$T/esp/EFI/Linux/igos-$KVER.efi
hooks_env
hooks_mok mok
hooks_mok other
hooks_conf "$T/mok.key" "$T/mok.crt"
echo "root=/dev/vda2 ro" >conf/cmdline
run 0 "*" "a first UKI installed" ki add "$KVER" "$VM_VMLINUZ"
cp "$UKI" before.efi
kept() { # DESC
	same "$UKI" before.efi "$1: the installed UKI is byte-identical"
	is "$(ls -A esp/EFI/Linux)" "igos-$KVER.efi" "$1: no temporary file on the ESP"
}

# no key: one line, exit 0
printf '[UKI]\nStub = %s\n' "$STUB_EFI" >conf/uki.conf
run 0 "" "no SecureBootPrivateKey=: exit 0" ki add "$KVER" "$VM_VMLINUZ"
is "$OUT" "60-igos-ukify.install: no SecureBootPrivateKey= in $T/conf/uki.conf, no signed UKI for $KVER" \
	"no key: one line says why"
kept "no key"
rm conf/uki.conf
run 0 "" "no uki.conf at all: exit 0" ki add "$KVER" "$VM_VMLINUZ"
is "$OUT" "60-igos-ukify.install: no $T/conf/uki.conf, no signed UKI for $KVER" \
	"no uki.conf: one line says so"

# a key without its certificate
printf '[UKI]\nSecureBootPrivateKey = %s\n' "$T/mok.key" >conf/uki.conf
run 1 "60-igos-ukify.install: SecureBootPrivateKey= without SecureBootCertificate= in '$T/conf/uki.conf'" \
	"a key without a certificate: exit 1, one line" ki add "$KVER" "$VM_VMLINUZ"
kept "no certificate"

# the wrong key for the certificate
hooks_conf "$T/other.key" "$T/mok.crt"
run 1 "*" "a key that does not match the certificate: exit 1" ki add "$KVER" "$VM_VMLINUZ"
last_err "60-igos-ukify.install: igos-sign could not sign the UKI for $KVER with the SecureBootPrivateKey= of '$T/conf/uki.conf'" \
	"wrong key: the hook's line"
ok "wrong key: igos-sign says the certificate does not match" sh -c \
	"printf '%s\n' \"\$1\" | grep -qx \"igos-sign: '$T/mok.crt': the certificate does not match the key\"" - "$ERR"
kept "wrong key"

# a missing stub
hooks_conf "$T/mok.key" "$T/mok.crt" "$T/no-such-stub.efi"
run 1 "*" "a missing stub: exit 1" ki add "$KVER" "$VM_VMLINUZ"
last_err "60-igos-ukify.install: igos-ukify failed, no UKI for $KVER" "missing stub: the hook's line"
ok "missing stub: igos-ukify names the file" sh -c "printf '%s\n' \"\$1\" | grep -q \"^igos-ukify: .*no-such-stub.efi\"" - "$ERR"
kept "missing stub"

# a build killed half-way: an igos-ukify SIGKILLed while it writes (the wrapper
# reports the kill even if the build was quicker than the signal)
hooks_conf "$T/mok.key" "$T/mok.crt"
mkdir wrap
REAL_UKIFY=$(command -v igos-ukify); export REAL_UKIFY
cat >wrap/igos-ukify <<'W'
#!/bin/sh
[ "$1" = config ] && exec "$REAL_UKIFY" "$@"
"$REAL_UKIFY" "$@" & pid=$!
sleep 0.05
kill -9 "$pid" 2>/dev/null
wait "$pid"
exit 137
W
chmod +x wrap/igos-ukify
run 1 "*" "a killed build: exit 1" env PATH="$T/wrap:$PATH" kernel-install add "$KVER" "$VM_VMLINUZ"
last_err "60-igos-ukify.install: igos-ukify failed, no UKI for $KVER" "killed build: the hook's line"
kept "killed build"

# a UKI replaced between the plugins (another generator's, signed with another
# key): the installer's verification refuses it
cat >75-replace.install <<'P'
#!/bin/sh
[ "$1" = add ] || exit 0
igos-sign sign -k "$T/other.key" -c "$T/other.crt" -o "$KERNEL_INSTALL_STAGING_AREA/uki.efi" \
	"$KERNEL_INSTALL_STAGING_AREA/uki.efi" 2>/dev/null || exit 0
igos-sign remove -n 1 -o "$KERNEL_INSTALL_STAGING_AREA/uki.efi" "$KERNEL_INSTALL_STAGING_AREA/uki.efi"
P
chmod +x 75-replace.install
export T
run 1 "*" "a staged UKI signed by another key: exit 1" env \
	KERNEL_INSTALL_PLUGINS="$HOOKS/60-igos-ukify.install $T/75-replace.install $HOOKS/90-igos-uki.install" \
	kernel-install add "$KVER" "$VM_VMLINUZ"
last_err "90-igos-uki.install: the signed UKI for $KVER does not verify with '$T/mok.crt'" \
	"another key: the installer's line"
kept "another key"

# a read-only ESP
mkdir ro && mount -t tmpfs -o size=20m tmpfs ro
mkdir -p ro/EFI/Linux && cp before.efi "ro/EFI/Linux/igos-$KVER.efi" && mount -o remount,ro ro
run 1 "*" "a read-only ESP: exit 1" env BOOT_ROOT="$T/ro" kernel-install add "$KVER" "$VM_VMLINUZ"
last_err "90-igos-uki.install: cannot create a file in '$T/ro/EFI/Linux'" "read-only ESP: the hook's line"
same "ro/EFI/Linux/igos-$KVER.efi" before.efi "read-only ESP: the installed UKI is byte-identical"
umount ro

# a full ESP: room for the old UKI, not for the old and the new side by side
mkdir small && mount -t tmpfs -o size=20m tmpfs small
mkdir -p small/EFI/Linux && cp before.efi "small/EFI/Linux/igos-$KVER.efi"
run 1 "*" "a full ESP: exit 1" env BOOT_ROOT="$T/small" kernel-install add "$KVER" "$VM_VMLINUZ"
last_err "90-igos-uki.install: cannot write '$T/small/EFI/Linux/igos-$KVER.efi': No space left on device" \
	"full ESP: the hook's line"
same "small/EFI/Linux/igos-$KVER.efi" before.efi "full ESP: the installed UKI is byte-identical"
is "$(ls -A small/EFI/Linux)" "igos-$KVER.efi" "full ESP: no temporary file on the ESP"
umount small

openssl x509 -in mok.crt -outform DER -out mok.der
hooks_conf "$T/mok.key" "$T/mok.der"
run 0 "*" "the same key works again afterwards (its certificate in DER)" ki add "$KVER" "$VM_VMLINUZ"
ok "and its UKI verifies" igos-sign verify -c mok.crt "$UKI"
done_testing
