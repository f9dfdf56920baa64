#!/bin/sh
# The igos DKMS configuration (/etc/dkms/framework.conf.d/igos.conf, dkms
# 3.0.10): DKMS builds a module (written here) against Debian's headers of the
# kernel the VM tests boot, and signs it through igos-sign with the MOK that
# /etc/kernel/uki.conf names, byte for byte as the kernel's sign-file would;
# with no key configured it does not sign, says why in one line, and never
# makes a key of its own (nor overwrites the machine's certificate); a key on
# a PKCS#11 token set in igos.conf itself signs too. DKMS runs in a mount
# namespace whose /usr, /etc and /var are overlays (tests/lib/dkms.sh).
. "${0%/*}/../lib/dkms.sh"
dkms_reexec "$0" "$@"
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/dkms.sh"
. "$TESTLIB/softhsm.sh"
need igos-mok igos-sign openssl modinfo softhsm2-util
vm_kernel
vm_headers
SIGNFILE=/usr/lib/linux-kbuild-6.1/scripts/sign-file
need "$SIGNFILE"
dkms_ns || { echo "Bail out! dkms_ns"; exit 1; }
plan 24

signed() { [ "$(tail -c 28 "$1")" = "~Module signature appended~" ]; }
igos_line() { grep '^igos' "$T/dkms.out"; }
no_dkms_key() { ! [ -e /var/lib/dkms/mok.key ] && ! [ -e /var/lib/dkms/mok.pub ]; }

mkdir -m 0700 /etc/igos
igos-mok new -k /etc/igos/mok.key -c /etc/igos/mok.der --subject "igos dkms test MOK" >/dev/null ||
	{ echo "Bail out! igos-mok new"; exit 1; }
igos-mok new -k other.key -c other.crt --subject "igos dkms test other" >/dev/null
cp /etc/igos/mok.der mok.der.orig
ok "dkms add igostest/1.0" dkms_module

# 1. no uki.conf
run 0 "*" "no uki.conf: dkms build" dkms_build
is "$(igos_line)" "igos: no /etc/kernel/uki.conf, DKMS does not sign the modules it builds" \
	"one line says why"
ok "the module is built" test -f "$DKMS_KO"
nok "and not signed" signed "$DKMS_KO"
ok "DKMS made no key of its own" no_dkms_key

# 2. the MOK of uki.conf
printf '[UKI]\nSecureBootPrivateKey = /etc/igos/mok.key\nSecureBootCertificate = /etc/igos/mok.der\n' \
	>/etc/kernel/uki.conf
run 0 "*" "with the MOK in uki.conf: dkms build" dkms_build
ok "DKMS signs through igos-sign" grep -qx 'Sign command: /usr/lib/igos/dkms-sign' dkms.out
ok "with the key of uki.conf" grep -qx 'Signing key: /etc/igos/mok.key' dkms.out
ok "the module is signed" signed "$DKMS_KO"
ok "igos-sign verify: by the MOK" igos-sign verify -c /etc/igos/mok.der "$DKMS_KO"
nok "not by another key" igos-sign verify -c other.crt "$DKMS_KO"
is "$(modinfo -F signer "$DKMS_KO"):$(modinfo -F sig_hashalgo "$DKMS_KO")" "igos dkms test MOK:sha256" \
	"modinfo: the MOK's name, SHA-256"
igos-sign remove --all -o plain.ko "$DKMS_KO" 2>/dev/null
"$SIGNFILE" sha256 /etc/igos/mok.key /etc/igos/mok.der plain.ko signfile.ko
same "$DKMS_KO" signfile.ko "byte for byte what the kernel's sign-file makes"
ok "DKMS made no key of its own" no_dkms_key

# 3. uki.conf names a key file that is not there
printf '[UKI]\nSecureBootPrivateKey = /etc/igos/gone.key\nSecureBootCertificate = /etc/igos/mok.der\n' \
	>/etc/kernel/uki.conf
run 0 "*" "a missing key file: dkms build" dkms_build
is "$(igos_line)" "igos: no key file '/etc/igos/gone.key', DKMS does not sign the modules it builds" \
	"one line says why"
nok "the module is not signed" signed "$DKMS_KO"
ok "DKMS made no key there, nor in /var/lib/dkms" sh -c '! [ -e /etc/igos/gone.key ] && ! [ -e /var/lib/dkms/mok.key ]'
same /etc/igos/mok.der mok.der.orig "the machine's certificate is untouched"

# 4. a token key set in igos.conf itself (uki.conf is not read then)
softhsm_token
# the two settings where the file shows them, before the code that reads uki.conf
k="$HSM_URI;object=rsa2048;type=private?module-path=$HSM_MODULE\&pin-source=$HSM_PIN_FILE"
sed -i "s|^#mok_signing_key=.*|mok_signing_key='$k'|; s|^#mok_certificate=.*|mok_certificate=$HSM_DIR/rsa2048.crt|" \
	/etc/dkms/framework.conf.d/igos.conf
run 0 "*" "a pkcs11: key in igos.conf: dkms build" dkms_build
ok "signed on the token" igos-sign verify -c "$HSM_DIR/rsa2048.crt" "$DKMS_KO"

# how DKMS reads the file (bash, the variables it wants as arguments)
conf() { bash -c '. /etc/dkms/framework.conf.d/igos.conf; echo "[${sign_file:-}][${mok_signing_key:-}]"' conf "$@"; }
rm -f /etc/kernel/uki.conf
make -s -C "$IGOS_SRC" install-dkms BINDIR="$IGOS_BUILD/bin" LIBEXECDIR=/usr/lib/igos >/dev/null
is "$(conf source_tree dkms_tree install_tree 2>&1)" "[][]" \
	"read for anything but signing (dkms status), it does nothing and says nothing"
rm -f /usr/lib/igos/dkms-sign
is "$(conf sign_file mok_signing_key mok_certificate 2>&1)" "[][]" \
	"left by a remove without purge, it leaves DKMS as it is without igos"
done_testing
