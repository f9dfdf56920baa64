#!/bin/sh
# igos-mok new: an RSA key (0600, never overwritten without --force) and a
# self-signed certificate with the MOK extensions, readable by openssl,
# sbsign/sbverify and mokutil; or a certificate for a key on a PKCS#11 token.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/mok.sh"
. "$TESTLIB/softhsm.sh"
need igos-mok openssl sbsign sbverify mokutil
PE=/usr/lib/systemd/boot/efi/systemd-bootx64.efi
[ -r $PE ] || skip_all "systemd-boot-efi missing (make deps)"

run 0 "" "new -k mok.key -c mok.der" igos-mok new -k mok.key -c mok.der --subject "test mok"
is "$OUT" "key 'mok.key' (RSA-2048, PEM, mode 0600), certificate 'mok.der' (DER)" "says what it wrote"
is "$(stat -c %a mok.key)" "600" "key is mode 0600"
ok "key is a PEM RSA key" openssl rsa -in mok.key -check -noout
openssl x509 -inform DER -in mok.der -noout -text >text
ok "certificate is DER" openssl x509 -inform DER -in mok.der -noout
is "$(openssl x509 -inform DER -in mok.der -noout -subject -issuer)" "subject=CN = test mok
issuer=CN = test mok" "self-signed, CN from --subject"
is "$(head -c 2 mok.der | xxd -p)" "3082" "DER with the 0x82 length form"
ok "sha256WithRSAEncryption" grep -q 'Signature Algorithm: sha256WithRSAEncryption' text
ok "RSA 2048" grep -q 'Public-Key: (2048 bit)' text
ok "basicConstraints critical CA:FALSE" sh -c "grep -A1 'Basic Constraints: critical' text | grep -q 'CA:FALSE'"
ok "keyUsage digitalSignature" sh -c "grep -A1 'Key Usage: critical' text | grep -q '^ *Digital Signature$'"
ok "EKU codeSigning only" sh -c "grep -A1 'Extended Key Usage' text | tail -n1 | grep -q '^ *Code Signing$'"
skid=$(grep -A1 'Subject Key Identifier' text | tail -n1 | tr -d ' ')
akid=$(grep -A1 'Authority Key Identifier' text | tail -n1 | tr -d ' ' | sed 's/^keyid://')
ok "SKID present" test -n "$skid"
is "$akid" "$skid" "AKID is the SKID"
openssl x509 -inform DER -in mok.der -out mok.tmp.pem
ok "signature verifies (self-signed)" openssl verify -check_ss_sig -partial_chain \
	-trusted mok.tmp.pem mok.tmp.pem
is "$(openssl x509 -inform DER -in mok.der -noout -pubkey)" "$(openssl pkey -in mok.key -pubout)" \
	"certificate carries the key's public half"

# the other tools take it
ok "sbsign signs with it" sbsign --key mok.key --cert mok.tmp.pem --output signed.efi $PE
ok "sbverify verifies against it" sbverify --cert mok.tmp.pem signed.efi
efidir e; efidir ref
openssl passwd -6 -salt abcdefgh pw >h
run 0 "" "igos-mok import takes it" igos-mok import --efivars e --hash-file h mok.der
ok "mokutil --import takes it" mokutil_at ref --import mok.der --hash-file h
same e/$MOKNEW ref/$MOKNEW "and queues the same bytes"

# PEM by name, module-only, sizes
run 0 "" "new -c mok.pem" igos-mok new -k pem.key -c pem.pem --modules-only
is "$OUT" "key 'pem.key' (RSA-2048, PEM, mode 0600), certificate 'pem.pem' (PEM)" "PEM chosen for .pem"
ok "PEM certificate" openssl x509 -in pem.pem -noout
openssl x509 -in pem.pem -noout -text >ptext
ok "--modules-only adds 1.3.6.1.4.1.2312.16.1.2 to the EKU" sh -c \
	"grep -A1 'Extended Key Usage' ptext | tail -n1 | grep -q '^ *Code Signing, 1.3.6.1.4.1.2312.16.1.2$'"
ok "the default subject names the host" sh -c \
	"openssl x509 -in pem.pem -noout -subject | grep -q 'machine owner key'"
run 0 "" "--bits 3072 --days 10, /O=/CN= subject" igos-mok new -k b.key -c b.crt --bits 3072 --days 10 \
	--subject "/O=InterGenOS/CN=build host"
ok "RSA 3072" sh -c "openssl x509 -in b.crt -noout -text | grep -q 'Public-Key: (3072 bit)'"
is "$(openssl x509 -in b.crt -noout -subject)" "subject=O = InterGenOS, CN = build host" "subject from /O=/CN="
nb=$(openssl x509 -in b.crt -noout -startdate | sed 's/.*=//')
na=$(openssl x509 -in b.crt -noout -enddate | sed 's/.*=//')
is "$(( ($(date -d "$na" +%s) - $(date -d "$nb" +%s)) / 86400 ))" "10" "valid for --days 10"
run 2 "*" "--bits 1024 refused" igos-mok new -k x.key -c x.der --bits 1024
run 2 "*" "new without -c" igos-mok new -k x.key
run 2 "*" "key to standard output refused" igos-mok new -k - -c x.der
ok "nothing left by the refusals" test ! -e x.key -a ! -e x.der

# existing outputs
cp mok.key mok.key.orig
run 1 "igos-mok: cannot write 'mok.key': File exists (--force replaces it)" "an existing key is kept" \
	igos-mok new -k mok.key -c other.der
same mok.key mok.key.orig "key untouched"
ok "no certificate written" test ! -e other.der
run 1 "igos-mok: cannot write 'mok.der': File exists (--force replaces it)" "an existing certificate is kept" \
	igos-mok new -k fresh.key -c mok.der
ok "and no key left behind" test ! -e fresh.key
ln -s mok.key link.key
run 1 "igos-mok: cannot write 'link.key': refusing to replace a symbolic link" "a symlink is refused" \
	igos-mok new -k link.key -c l.der --force
run 0 "*" "--force replaces both" igos-mok new -k mok.key -c mok.der --force
nok "key replaced" cmp -s mok.key mok.key.orig
is "$(stat -c %a mok.key)" "600" "replaced key is mode 0600"
no_temps . "no temporary files left"

# a key on a PKCS#11 token: the certificate is signed there
softhsm_token
U="$HSM_URI;object=rsa2048;type=private?module-path=$HSM_MODULE"
run 0 "" "new with a token key" igos-mok new -k "$U" --pin-file "$HSM_PIN_FILE" -c tok.der \
	--subject "token mok"
is "$OUT" "certificate 'tok.der' (DER) for the token key, RSA-2048" "says what it wrote"
is "$(openssl x509 -inform DER -in tok.der -noout -pubkey)" "$(cat "$HSM_DIR/rsa2048.pub")" \
	"certificate holds the token's public key"
openssl x509 -inform DER -in tok.der -out tok.pem
ok "its self-signature verifies" openssl verify -check_ss_sig -partial_chain -trusted tok.pem tok.pem
run 1 "igos-mok: '$HSM_URI;object=p256;type=private?module-path=$HSM_MODULE': not an RSA key (shim and the kernel verify RSA only)" \
	"an EC token key refused" igos-mok new -k "$HSM_URI;object=p256;type=private?module-path=$HSM_MODULE" \
	--pin-file "$HSM_PIN_FILE" -c ec.der
ok "no certificate for it" test ! -e ec.der
run 2 "*" "--bits with a token key" igos-mok new -k "$U" --bits 4096 -c x.der
done_testing
