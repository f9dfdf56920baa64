#!/bin/sh
# igos-mok new --tpm: the MOK made inside the TPM (a TSS2 key file, 0600), its
# certificate self-signed there; an auth value from --pin-file; the option
# rules. And, for every new: a missing parent directory of -k/-c is made 0700
# (one level), and the default subject names the machine.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/tpmkey.sh"
. "$TESTLIB/sign.sh"
need swtpm tpm2_shutdown igos-mok igos-sign sbverify openssl
[ -f /usr/lib/x86_64-linux-gnu/ossl-modules/tpm2.so ] ||
	skip_all "the tpm2-openssl provider is not installed (make deps)"
plan 29
tpm_fresh
$MKPE make a.efi

run 0 "" "new --tpm -k mok.tss2.pem -c mok.der" \
	igos-mok new --tpm --tcti "$TCTI" -k mok.tss2.pem -c mok.der --subject "tpm mok"
is "$OUT" "key 'mok.tss2.pem' (RSA-2048 in the TPM, TSS2 key file, mode 0600), certificate 'mok.der' (DER)" \
	"says what it wrote"
is "$(stat -c %a mok.tss2.pem)" "600" "the key file is mode 0600"
is "$(head -n 1 mok.tss2.pem)" "-----BEGIN TSS2 PRIVATE KEY-----" "it is a TSS2 PRIVATE KEY"
openssl x509 -inform DER -in mok.der -out mok.crt
openssl x509 -in mok.crt -noout -text >text
is "$(openssl x509 -in mok.crt -noout -subject -issuer)" "subject=CN = tpm mok
issuer=CN = tpm mok" "self-signed, CN from --subject"
ok "RSA 2048, sha256WithRSAEncryption" sh -c \
	"grep -q 'Public-Key: (2048 bit)' text && grep -q 'Signature Algorithm: sha256WithRSAEncryption' text"
ok "EKU codeSigning" sh -c "grep -A1 'Extended Key Usage' text | tail -n1 | grep -q '^ *Code Signing$'"
ok "the certificate's signature verifies (signed inside the TPM)" \
	openssl verify -check_ss_sig -partial_chain -trusted mok.crt mok.crt
is "$(openssl pkey $OSSL_TPM -in mok.tss2.pem -pubout 2>/dev/null)" "$(openssl x509 -in mok.crt -noout -pubkey)" \
	"the certificate carries the TPM key's public half (as the provider reads the file)"
tpm_restart
run 0 "" "igos-sign signs with the pair" igos-sign sign -k mok.tss2.pem -c mok.der -o s.efi a.efi
ok "sbverify accepts it" sbverify --cert mok.crt s.efi

run 1 "igos-mok: cannot write 'mok.tss2.pem': File exists (--force replaces it)" \
	"an existing key file is kept" igos-mok new --tpm -k mok.tss2.pem -c other.der
run 0 "*" "--force replaces it" igos-mok new --tpm -k mok.tss2.pem -c mok.der --force
run 1 "igos-sign: 'mok.crt': the certificate does not match the key" \
	"the old certificate no longer matches the new key" igos-sign sign -k mok.tss2.pem -c mok.crt -o t.efi a.efi

# an auth value
(umask 077 && echo 'pass phrase' >auth.pin)
run 0 "*" "--tpm --pin-file: a key with an auth value" \
	igos-mok new --tpm -k auth.tss2.pem -c auth.crt --pin-file auth.pin --bits 3072
ok "RSA 3072" sh -c "openssl x509 -in auth.crt -noout -text | grep -q 'Public-Key: (3072 bit)'"
is "$(openssl asn1parse -in auth.tss2.pem | sed -n 3p | sed 's/.*prim: *//; s/ .*//')" "INTEGER" \
	"no emptyAuth field: the key has an auth value"
run 0 "" "it signs with the auth value" \
	igos-sign sign -k auth.tss2.pem -c auth.crt --pin-file auth.pin -o u.efi a.efi
run 1 "igos-mok: this TPM cannot make an RSA-4096 key" "a size the TPM lacks: one line" \
	igos-mok new --tpm -k big.tss2.pem -c big.crt --bits 4096
ok "and nothing written" sh -c '! ls big.* 2>/dev/null | grep .'

# option rules
run 2 "igos-mok: --tpm makes a key in the TPM: -k names the key file to write, not a pkcs11: URI" \
	"--tpm with a pkcs11: URI" igos-mok new --tpm -k "pkcs11:token=x" -c x.der
run 2 "igos-mok: --tcti goes with --tpm" "--tcti without --tpm" \
	igos-mok new --tcti "$TCTI" -k x.key -c x.der
run 2 "igos-mok: --pin-file applies to a pkcs11: key or a --tpm key only" \
	"--pin-file with a new file key" igos-mok new --pin-file auth.pin -k x.key -c x.der

# every new: the parent directory, the default subject
run 0 "*" "a missing parent directory of -k and -c is made" \
	igos-mok new --tpm -k etc-igos/mok.tss2.pem -c etc-igos/mok.der
is "$(stat -c %a etc-igos)" "700" "mode 0700"
run 1 "igos-mok: cannot write 'a/b/mok.key': No such file or directory" \
	"only one missing level: deeper paths are refused" igos-mok new -k a/b/mok.key -c c.der
mid=$(head -c 8 /etc/machine-id 2>/dev/null)
want="subject=CN = $(hostname | cut -c1-24) machine owner key $(date -u +%Y-%m-%d)${mid:+ $mid}"
is "$(openssl x509 -inform DER -in etc-igos/mok.der -noout -subject)" "$want" \
	"the default subject: host name, the day (UTC), the machine-id's first 8 digits"
run 0 "*" "the same for a file key" igos-mok new -k f.key -c f.der
is "$(openssl x509 -inform DER -in f.der -noout -subject)" "$want" "the same default subject"
