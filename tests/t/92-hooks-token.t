#!/bin/sh
# The MOK key on a PKCS#11 token (SoftHSM2, non-extractable) through a pkcs11: URI
# with pin-source=: kernel-install add builds a UKI that igos-sign and sbverify
# accept with the token's certificate (given as a file, or as a pkcs11: URI); a
# wrong PIN is an error (exit 1) that keeps the installed UKI.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/hooks.sh"
. "$TESTLIB/softhsm.sh"
need kernel-install igos-ukify igos-sign sbverify openssl
vm_kernel
softhsm_token
plan 13
KVER=$VM_KVER
UKI=$T/esp/EFI/Linux/igos-$KVER.efi
hooks_env
echo "root=/dev/vda2 ro igos.test=token" >conf/cmdline
KEY="$HSM_URI;object=rsa2048;type=private?pin-source=$HSM_PIN_FILE"

hooks_conf "$KEY" "$HSM_DIR/rsa2048.crt"
run 0 "*" "kernel-install add with the token key" ki add "$KVER" "$VM_VMLINUZ"
ok "igos-sign verify -c the token's certificate" igos-sign verify -c "$HSM_DIR/rsa2048.crt" "$UKI"
ok "sbverify --cert the token's certificate" sbverify --cert "$HSM_DIR/rsa2048.crt" "$UKI"
is "$(igos-ukify inspect --section .cmdline "$UKI")" "root=/dev/vda2 ro igos.test=token" \
	"the configured cmdline"
cp "$UKI" before.efi

hooks_conf "$HSM_URI;object=rsa4096;type=private?pin-source=$HSM_PIN_FILE" \
	"$HSM_URI;object=rsa4096;type=cert"
run 0 "*" "the certificate as a pkcs11: URI too (RSA-4096)" ki add "$KVER" "$VM_VMLINUZ"
ok "the new UKI verifies with the RSA-4096 certificate" sbverify --cert "$HSM_DIR/rsa4096.crt" "$UKI"
cp "$UKI" before.efi

(umask 077 && echo 000000 >badpin)
hooks_conf "$HSM_URI;object=rsa2048;type=private?pin-source=$T/badpin" "$HSM_DIR/rsa2048.crt"
run 1 "*" "a wrong PIN: exit 1 (not 77)" ki add "$KVER" "$VM_VMLINUZ"
last_err "60-igos-ukify.install: igos-sign could not sign the UKI for $KVER with the SecureBootPrivateKey= of '$T/conf/uki.conf'" \
	"one line names where the key is configured"
ok "igos-sign said why" sh -c "printf '%s\n' \"\$1\" | grep -q '^igos-sign: .*PIN'" - "$ERR"
same "$UKI" before.efi "the installed UKI is byte-identical"
is "$(ls -A esp/EFI/Linux)" "igos-$KVER.efi" "no temporary file on the ESP"
# a PIN written into the URI (refused by igos-sign) shows in no line
hooks_conf "$HSM_URI;object=rsa2048;type=private;pin-value=s3cr3tPIN" "$HSM_DIR/rsa2048.crt"
run 1 "*" "a pin-value= in uki.conf: exit 1" ki add "$KVER" "$VM_VMLINUZ"
nok "the PIN is in no message" grep -q s3cr3tPIN "$T/err" "$T/out"
done_testing
