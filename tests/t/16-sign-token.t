#!/bin/sh
# Signing with non-extractable SoftHSM2 keys through pkcs11: URIs: the peers
# accept the result; EC token keys are refused for PE; a wrong PIN is one error.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
. "$TESTLIB/softhsm.sh"
need python3 sbverify osslsigncode pesign cc
softhsm_token
U="$HSM_URI"
$MKPE make a.efi --trailing 5
digest=$("$S" hash a.efi)

for k in rsa2048 rsa4096; do
	run 0 "" "sign a PE image with token key $k" \
		"$S" sign --pin-file "$HSM_PIN_FILE" -k "$U;object=$k;type=private" \
		-c "$HSM_DIR/$k.crt" -o $k.efi a.efi
	ok "$k: sbverify --cert" sbverify --cert "$HSM_DIR/$k.crt" $k.efi
	ok "$k: osslsigncode verify -CAfile (the token's CA)" \
		osslsigncode verify -CAfile "$HSM_DIR/ca.crt" -in $k.efi
	is "$(pesign_count $k.efi)" 1 "$k: pesign -S lists it"
	run 0 "" "$k: igos-sign verify -c the CA" "$S" verify -c "$HSM_DIR/ca.crt" $k.efi
	is "$("$S" hash $k.efi)" "$digest" "$k: digest unchanged"
done

# the certificate from the token too; a second signature over a token one
run 0 "" "key and certificate both from the token" \
	"$S" sign --pin-file "$HSM_PIN_FILE" -k "$U;object=rsa2048;type=private" \
	-c "$U;object=rsa2048;type=cert" -o tokcert.efi a.efi
same tokcert.efi rsa2048.efi "the same signature as with the certificate file"
snakeoil_keys
run 0 "" "a file-key signature added to a token one" "$S" sign -k so.key -c so.crt -o both.efi rsa4096.efi
run 0 "" "both verify: the token's" "$S" verify -c "$HSM_DIR/rsa4096.crt" both.efi
run 0 "" "both verify: the file key's" "$S" verify -c so.crt both.efi
is "$(pesign_count both.efi)" 2 "pesign lists both"

# modules signed on the token verify, and have sign-file's layout
printf 'int f(void) { return 7; }\n' >m.c && cc -c m.c -o m.ko
run 0 "" "sign a module with a token key" \
	"$S" sign --pin-file "$HSM_PIN_FILE" -k "$U;object=rsa2048;type=private" \
	-c "$HSM_DIR/rsa2048.crt" -o m.signed m.ko
run 0 "" "the token-signed module verifies" "$S" verify -c "$HSM_DIR/rsa2048.crt" m.signed
sz=$(wc -c <m.ko)
tail -c +$((sz + 1)) m.signed | head -c -40 >m.p7
ok "its CMS verifies with openssl over the module bytes" \
	openssl cms -verify -binary -inform DER -in m.p7 -content m.ko \
	-certfile "$HSM_DIR/rsa2048.crt" -CAfile "$HSM_DIR/ca.crt" -out /dev/null

run 1 "igos-sign: 'pkcs11:token=igos-test;object=p256;type=private': cannot sign a PE image with an EC key: UEFI firmware and shim accept only RSA" \
	"an EC token key is refused for PE" "$S" sign --pin-file "$HSM_PIN_FILE" \
	-k "$U;object=p256;type=private" -c "$HSM_DIR/p256.crt" -o ec.efi a.efi
(umask 077 && echo 000000 >wrongpin)
run 1 "igos-sign: token 'igos-test': wrong PIN" "a wrong PIN is one error" \
	"$S" sign --pin-file wrongpin -k "$U;object=rsa2048;type=private" \
	-c "$HSM_DIR/rsa2048.crt" -o wrong.efi a.efi
run 1 "igos-sign: '$HSM_DIR/rsa4096.crt': the certificate does not match the key" \
	"a token key with another key's certificate is refused" \
	"$S" sign --pin-file "$HSM_PIN_FILE" -k "$U;object=rsa2048;type=private" \
	-c "$HSM_DIR/rsa4096.crt" -o mismatch.efi a.efi
nok "no output for the refused runs" test -e ec.efi -o -e wrong.efi -o -e mismatch.efi
no_temps . "no temporary files"
done_testing
