#!/bin/sh
# igos-verity sign: a detached PKCS#7 over the exact lowercase hex root hash,
# no certificates, no signed attributes (what the kernel's dm-verity
# root_hash_sig_key_desc and veritysetup --root-hash-signature take). Checked
# with openssl smime -verify, against openssl smime -sign's own output, and with
# a SoftHSM2 token key through pkcs11:.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/softhsm.sh"
need igos-verity openssl

head -c $((100 * 4096)) /dev/urandom > d
R=$(igos-verity format --root-hash-file=d.roothash d d.verity)
printf '%s' "$R" > hex

umask 077
openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.crt -subj /CN=verity-rsa -days 30 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ec.key -out ec.crt \
	-subj /CN=verity-ec -days 30 2>/dev/null
openssl req -x509 -newkey ed25519 -nodes -keyout ed.key -out ed.crt -subj /CN=verity-ed -days 30 2>/dev/null
umask 022

run 0 "" "sign with an RSA key file" igos-verity sign -k rsa.key -c rsa.crt -o rsa.p7s "$R"
run 0 "*" "openssl smime verifies it over the hex root hash" openssl smime -verify -binary -inform der \
	-in rsa.p7s -content hex -certfile rsa.crt -CAfile rsa.crt -purpose any -out /dev/null
printf '%s\n' "$R" > hexnl
nok "it does not verify over the hex with a newline" openssl smime -verify -binary -inform der \
	-in rsa.p7s -content hexnl -certfile rsa.crt -CAfile rsa.crt -purpose any -out /dev/null
openssl smime -sign -nocerts -noattr -binary -outform der -md sha256 -in hex -signer rsa.crt \
	-inkey rsa.key -out ref.p7s
same rsa.p7s ref.p7s "the same bytes as openssl smime -sign -nocerts -noattr -binary"
openssl cms -cmsout -print -inform der -in rsa.p7s > dump.txt
ok "no certificates inside" sh -c "grep -A1 'certificates:$' dump.txt | grep -q ABSENT"
ok "no signed attributes" sh -c "grep -q 'signedAttrs:$' dump.txt && grep -A1 'signedAttrs:$' dump.txt | grep -q ABSENT"
ok "detached: no content inside" sh -c "grep -A2 'encapContentInfo:' dump.txt | grep -q 'eContent: <ABSENT>'"

upper=$(echo "$R" | tr a-f A-F)
run 0 "" "an uppercase root hash is signed as lowercase" igos-verity sign -k rsa.key -c rsa.crt -o up.p7s "$upper"
same up.p7s rsa.p7s "same signature as for the lowercase form"
run 0 "" "root hash from @FILE (the .roothash sidecar)" igos-verity sign -k rsa.key -c rsa.crt -o file.p7s @d.roothash
same file.p7s rsa.p7s "same signature from the sidecar"
igos-verity sign -k rsa.key -c rsa.crt "$R" > stdout.p7s
same stdout.p7s rsa.p7s "without -o the signature goes to stdout"

run 0 "" "sign with an EC P-256 key file" igos-verity sign -k ec.key -c ec.crt -o ec.p7s "$R"
run 0 "*" "the ECDSA signature verifies" openssl smime -verify -binary -inform der \
	-in ec.p7s -content hex -certfile ec.crt -CAfile ec.crt -purpose any -out /dev/null

# errors
run 1 "igos-verity: cannot sign: PKCS#7 signatures need an RSA or ECDSA key" "Ed25519 refused" \
	igos-verity sign -k ed.key -c ed.crt -o ed.p7s "$R"
run 1 "igos-verity: the certificate does not match the key" "certificate of another key" \
	igos-verity sign -k rsa.key -c ec.crt -o x.p7s "$R"
run 1 "igos-verity: invalid root hash: not hex" "root hash not hex" igos-verity sign -k rsa.key -c rsa.crt -o x.p7s "${R%?}g"
run 1 "igos-verity: invalid root hash: 62 hex digits, not the size of a digest" "root hash of a wrong length" \
	igos-verity sign -k rsa.key -c rsa.crt -o x.p7s "${R%??}"
run 2 "igos-verity: sign needs -k/--key" "no key" igos-verity sign -c rsa.crt "$R"
run 2 "igos-verity: sign needs -c/--cert" "no certificate" igos-verity sign -k rsa.key "$R"
run 2 "igos-verity: --key given twice" "two keys" igos-verity sign -k rsa.key -k rsa.key -c rsa.crt "$R"
ok "nothing written on errors" test ! -e x.p7s -a ! -e ed.p7s
cp rsa.key open.key; chmod 644 open.key
run 1 "*" "a key file others can read is refused" igos-verity sign -k open.key -c rsa.crt -o x.p7s "$R"

# a key on a token, through pkcs11:
softhsm_token
run 0 "" "sign with a SoftHSM2 RSA key (pkcs11:)" igos-verity sign --pin-file "$HSM_PIN_FILE" \
	-k "$HSM_URI;object=rsa2048;type=private" -c "$HSM_DIR/rsa2048.crt" -o hsm.p7s "$R"
run 0 "*" "the token signature verifies" openssl smime -verify -binary -inform der \
	-in hsm.p7s -content hex -certfile "$HSM_DIR/rsa2048.crt" -CAfile "$HSM_DIR/ca.crt" -purpose any -out /dev/null
run 0 "" "sign with a SoftHSM2 P-256 key, certificate from the token" igos-verity sign --pin-file "$HSM_PIN_FILE" \
	-k "$HSM_URI;object=p256;type=private" -c "$HSM_URI;object=p256;type=cert" -o hsm-ec.p7s "$R"
run 0 "*" "the token ECDSA signature verifies" openssl smime -verify -binary -inform der \
	-in hsm-ec.p7s -content hex -certfile "$HSM_DIR/p256.crt" -CAfile "$HSM_DIR/ca.crt" -purpose any -out /dev/null
no_temps . "no temporary files left behind"
done_testing
