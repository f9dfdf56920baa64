#!/bin/sh
# The kernel-install hooks sign with a TPM-held MOK unchanged: uki.conf names
# the TSS2 key file as SecureBootPrivateKey=, and the TPM is the one of
# $TPM2TOOLS_TCTI (on a machine: the kernel's resource manager).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/tpmkey.sh"
. "$TESTLIB/hooks.sh"
need swtpm tpm2_shutdown tpm2_clear kernel-install igos-mok igos-ukify igos-sign sbverify openssl
plan 7
tpm_fresh
KVER=6.1.0-99-tpm
UKI=$T/esp/EFI/Linux/igos-$KVER.efi
hooks_env
run 0 "*" "igos-mok new --tpm: the machine's MOK in the TPM" \
	igos-mok new --tpm -k "$T/mok.tss2.pem" -c "$T/mok.crt" --subject "hook MOK"
hooks_conf "$T/mok.tss2.pem" "$T/mok.crt"
printf 'root=/dev/vda2 ro quiet\n' >conf/cmdline
head -c 200000 /dev/urandom >vmlinuz
head -c 4096 /dev/urandom >initrd.img

run 0 "*" "kernel-install add signs the UKI through the TPM" ki add "$KVER" "$T/vmlinuz" initrd.img
ok "the UKI is installed" test -f "$UKI"
ok "igos-sign verify -c MOK accepts it" igos-sign verify -c mok.crt "$UKI"
ok "sbverify --cert MOK accepts it" sbverify --cert mok.crt "$UKI"

tpm2_clear -Q -c p
run 1 "*" "after a TPM clear kernel-install add fails" ki add "$KVER-two" "$T/vmlinuz" initrd.img
ok "with the TPM's reason in its output, and no UKI installed" sh -c \
	"grep -q 'the key file was made by another TPM, or this TPM was cleared' err && test ! -e '$T/esp/EFI/Linux/igos-$KVER-two.efi'"
