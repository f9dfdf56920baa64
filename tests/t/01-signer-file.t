#!/bin/sh
# The signer with PEM key files: every supported key type signs, signatures
# verify with OpenSSL, and unsafe or unsupported keys are refused.
. "${0%/*}/../lib/tap.sh"
need openssl
S=$IGOS_BUILD/tests/signtool
umask 077
printf 'the message\n' >msg
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2048.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out rsa3072.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out rsa4096.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.key 2>/dev/null
openssl genpkey -algorithm ED25519 -out ed25519.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.key 2>/dev/null

for k in rsa2048 rsa3072 rsa4096 p256; do
	run 0 "" "$k signs" $S sign $k.key sha256 msg $k.sig $k.pub
	ok "$k signature verifies with openssl" \
		openssl dgst -sha256 -verify $k.pub -signature $k.sig msg
done
is "$(cat "$T/out")" "2 256 0" "P-256 key reported as EC, 256 bits, not a token"
run 0 "" "ed25519 signs the message" $S sign ed25519.key none msg ed.sig ed.pub
ok "ed25519 signature verifies with openssl" \
	openssl pkeyutl -verify -pubin -inkey ed.pub -rawin -in msg -sigfile ed.sig
run 0 "" "sha512 with RSA" $S sign rsa2048.key sha512 msg r512.sig r.pub
ok "sha512 RSA signature verifies" openssl dgst -sha512 -verify r.pub -signature r512.sig msg

run 1 "signtool: key 'rsa1024.key': RSA-1024 is not supported (2048 to 4096 bits)" \
	"RSA-1024 refused" $S sign rsa1024.key sha256 msg x.sig x.pub
run 1 "signtool: key 'p384.key': only the P-256 curve is supported" "P-384 refused" \
	$S sign p384.key sha256 msg x.sig x.pub
chmod 644 rsa2048.key
run 1 "signtool: key file 'rsa2048.key' is readable by group or others: chmod 0600 it" \
	"a world-readable key file is refused" $S sign rsa2048.key sha256 msg x.sig x.pub
chmod 640 rsa2048.key
run 1 "signtool: key file 'rsa2048.key' is readable by group or others: chmod 0600 it" \
	"a group-readable key file is refused" $S sign rsa2048.key sha256 msg x.sig x.pub
chmod 600 rsa2048.key
run 1 "signtool: cannot open 'nokey': No such file or directory" "missing key file" \
	$S sign nokey sha256 msg x.sig x.pub
printf 'not a key\n' >junk.key
run 1 "*" "a file that is no key is refused" $S sign junk.key sha256 msg x.sig x.pub
case "$ERR" in "signtool: cannot read private key 'junk.key'"*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "and the error names the file"
is "$(ls x.sig 2>/dev/null)" "" "no signature written on failure"

# certificates: self-signed by the signer, matched, PKCS#7
for k in rsa2048 p256 ed25519; do
	run 0 "" "$k self-signs a certificate" $S selfsign $k.key $k.crt
	ok "$k certificate verifies with openssl" \
		openssl verify -CAfile $k.crt -check_ss_sig -partial_chain $k.crt
	run 0 "" "$k certificate matches its key" $S match $k.key $k.crt
done
run 1 "signtool: the certificate does not match the key" "another key's certificate refused" \
	$S match rsa3072.key rsa2048.crt
openssl x509 -in rsa2048.crt -outform DER -out rsa2048.der
run 0 "" "a DER certificate loads" $S match rsa2048.key rsa2048.der
printf 'abc123' >roothash
run 0 "" "detached PKCS#7 over data" $S p7 rsa2048.key rsa2048.crt roothash rh.p7s
ok "openssl smime verifies the detached PKCS#7" openssl smime -verify -binary -inform der \
	-in rh.p7s -content roothash -CAfile rsa2048.crt -certfile rsa2048.crt -nointern -purpose any
printf 'abc124' >other
nok "the PKCS#7 does not verify other data" openssl smime -verify -binary -inform der \
	-in rh.p7s -content other -CAfile rsa2048.crt -certfile rsa2048.crt -nointern -purpose any
SIGNFILE=/usr/lib/linux-kbuild-6.1/scripts/sign-file
if [ -x $SIGNFILE ]; then
	head -c 10007 /dev/urandom >mod.ko; cp mod.ko plain.ko
	$SIGNFILE sha256 rsa2048.key rsa2048.crt mod.ko
	# the CMS sits before the 12-byte descriptor and the 28-byte magic
	siglen=$(tail -c 32 mod.ko | head -c 4 | od -An -tu1 | awk '{print $1*16777216+$2*65536+$3*256+$4}')
	tail -c $((siglen + 40)) mod.ko | head -c "$siglen" >signfile.p7
	run 0 "" "CMS-style detached signature" $S cms rsa2048.key rsa2048.crt plain.ko ours.p7
	same ours.p7 signfile.p7 "byte-identical to the kernel's sign-file for the same key and data"
else
	skip "linux-kbuild-6.1 not installed (make deps)" "sign-file comparison"
fi
done_testing
