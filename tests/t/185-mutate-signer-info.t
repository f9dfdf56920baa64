#!/bin/sh
# The signer of an Authenticode signature, and what igos-sign says of it (found
# by make mutate on lib/authenticode.c, signer_rules, igos_ac_siginfo, the
# firmware form): PKCS#7 built by hand (tests/lib/sign-p7.py) whose bytes
# verify but which shim or firmware would not accept, each refused by name;
# list's view of a signer without its certificate, of an unknown digest, of a
# certificate with the signer's issuer but another serial; five signatures on
# one image; an Authenticode PKCS#7, and bytes that are no PKCS#7, put where
# a module signature goes.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need python3 osslsigncode sbverify cc
snakeoil_keys
P7="python3 $IGOS_SRC/tests/lib/sign-p7.py"
$MKPE make a.efi
"$S" sign -k so.key -c so.crt -o s.efi a.efi
$MKPE get s.efi entry_der 1 >sig.der
$P7 spc sig.der spc.der

mk() { # NAME [sign-p7.py build options]: NAME.efi, s.efi with a hand-built signature
	n=$1
	shift
	$P7 build spc.der so.key so.crt $n.der "$@"
	cp s.efi $n.efi
	$MKPE patch $n.efi set_der $n.der
}
no() { # NAME MESSAGE DESCRIPTION
	run 1 "igos-sign: '$1.efi': not verified: signature 1: $2" "$3" "$S" verify -c so.crt $1.efi
}

# the builder's plain output is a valid Authenticode signature for all three
mk plain
ok "osslsigncode accepts the hand-built signature" osslsigncode verify -CAfile so.crt -in plain.efi
ok "sbverify accepts it" sbverify --cert so.crt plain.efi
run 0 "" "igos-sign verify accepts it" "$S" verify -c so.crt plain.efi
mk rsasha --enc 1.2.840.113549.1.1.11
run 0 "" "sha256WithRSAEncryption as the signature algorithm is accepted" \
	"$S" verify -c so.crt rsasha.efi

# shim and firmware check one SignerInfo, a SHA-256 one, with RSA PKCS#1 v1.5
mk two --signers 2
no two "2 signers in one PKCS#7: Authenticode has exactly one" "two SignerInfos are refused"
mk s384 --md sha384 --set sha256,sha384
no s384 "signer digest is not SHA-256: shim accepts SHA-256 only" \
	"a SHA-384 signer over a SHA-256 image digest is refused"
mk pss --enc 1.2.840.113549.1.1.10
no pss "signature algorithm RSASSA-PSS: UEFI firmware and shim verify RSA PKCS#1 v1.5 only" \
	"a signer naming RSASSA-PSS is refused by name"
mk unk --enc 1.2.3.4
no unk "signature algorithm unknown: UEFI firmware and shim verify RSA PKCS#1 v1.5 only" \
	"a signer naming an unknown algorithm is refused"
# EDK2 reads the digest algorithm from the first digestAlgorithms entry
mk set --set sha384,sha256
no set "PKCS#7 and SpcIndirectDataContent name different digests" \
	"digestAlgorithms naming SHA-384 first over a SHA-256 image digest is refused"
# a digest algorithm OpenSSL does not know among digestAlgorithms: OpenSSL's
# reason is passed on, not taken for a bad signature
mk ud --set sha256,1.2.3.4
no ud "signature not valid: unknown digest type" \
	"an unknown algorithm among digestAlgorithms is refused with OpenSSL's reason"
nok "... as osslsigncode refuses it" osslsigncode verify -CAfile so.crt -in ud.efi
# a SpcIndirectDataContent naming SHA-224, signed as it is: refused for it
python3 - <<'PY'
d = open("spc.der", "rb").read()
sha256 = bytes.fromhex("0609608648016503040201")
assert d.count(sha256) == 1
open("spc224.der", "wb").write(d.replace(sha256, sha256[:-1] + b"\x04"))
PY
$P7 build spc224.der so.key so.crt s224.der
cp s.efi s224.efi
$MKPE patch s224.efi set_der s224.der
no s224 "unsupported digest algorithm in SpcIndirectDataContent" \
	"a signed SpcIndirectDataContent naming SHA-224 is refused"
# OpenSSL reports a wrong messageDigest attribute as a signature failure
mk md --bad-digest
no md "signature not valid: bad signature" "a wrong messageDigest attribute is refused"
nok "... as osslsigncode refuses it" osslsigncode verify -CAfile so.crt -in md.efi

# list: a signer whose certificate is not in the signature
subj="C = US, ST = Colorado, L = Fort Collins, O = SnakeOil"
ser=$(openssl x509 -in so.crt -noout -serial | sed 's/^serial=//')
lst() { # NAME KEY DIGEST DESCRIPTION [-c CERT]: list NAME.efi shows a signer without certificate
	n=$1 k=$2 d=$3 desc=$4
	shift 4
	run 0 "" "list: $desc" "$S" list "$@" $n.efi
	is "$OUT" "1: subject=(certificate not included); issuer=$subj; serial=$ser; digest=$d; key=$k" \
		"list: $desc: the line"
}
mk nc --no-certs
no nc "signature not valid: signer certificate not found" \
	"a signature without the signer's certificate is refused"
lst nc RSA sha256 "rsaEncryption without certificate: key RSA"
run 0 "" "list -c finds the signer's certificate" "$S" list -c so.crt nc.efi
is "$OUT" "1: subject=$subj; issuer=$subj; serial=$ser; digest=sha256; key=RSA-2048" \
	"list -c: the certificate's subject and key"
mk nc2 --no-certs --enc 1.2.840.113549.1.1.11
lst nc2 RSA sha256 "sha256WithRSAEncryption without certificate: key RSA"
mk nc3 --no-certs --enc 1.2.840.10045.4.3.2
lst nc3 ecdsa-with-SHA256 sha256 "ecdsa-with-SHA256 without certificate: the algorithm's name"
mk nc4 --no-certs --enc 1.2.3.4
lst nc4 unknown sha256 "an unknown algorithm without certificate: key unknown"
mk nc5 --no-certs --digest-oid 1.2.3.4
lst nc5 RSA unknown "an unknown digest algorithm: digest unknown"

# a signer certificate whose key algorithm OpenSSL does not know (the
# rsaEncryption OID of so.crt's key changed): list names the key unknown
python3 - <<'PY'
import base64
pem = open("so.crt").read()
der = base64.b64decode("".join(l for l in pem.splitlines() if "-----" not in l))
rsa = bytes.fromhex("06092a864886f70d010101")
assert der.count(rsa) == 1
der = der.replace(rsa, bytes.fromhex("06092a864886f70d01017f"))
open("unk.crt", "w").write("-----BEGIN CERTIFICATE-----\n" +
                           base64.encodebytes(der).decode() + "-----END CERTIFICATE-----\n")
PY
$P7 build spc.der so.key unk.crt uk.der
cp s.efi uk.efi
$MKPE patch uk.efi set_der uk.der
run 0 "" "list: a signer certificate with a key of an unknown algorithm" "$S" list uk.efi
is "$OUT" "1: subject=$subj; issuer=$subj; serial=$ser; digest=sha256; key=unknown" \
	"list: its key is unknown"

# a certificate with the signer's issuer but another serial is not the signer
rsa_cert other 2048 so
mk ex --extra-cert other.crt
run 0 "" "list: a signature carrying another certificate of the same issuer first" "$S" list ex.efi
is "$OUT" "1: subject=$subj; issuer=$subj; serial=$ser; digest=sha256; key=RSA-2048" \
	"list names the signer's certificate, not the other one"
mk oo --embed other.crt
run 0 "" "list: a signature carrying only another certificate of the same issuer" "$S" list oo.efi
is "$OUT" "1: subject=(certificate not included); issuer=$subj; serial=$ser; digest=sha256; key=RSA" \
	"list does not take it for the signer"
run 0 "" "list -c with that other certificate first" "$S" list -c other.crt -c so.crt nc.efi
is "$OUT" "1: subject=$subj; issuer=$subj; serial=$ser; digest=sha256; key=RSA-2048" \
	"list -c picks the signer's certificate by issuer and serial"
run 0 "" "list -c with only the other certificate" "$S" list -c other.crt nc.efi
is "$OUT" "1: subject=(certificate not included); issuer=$subj; serial=$ser; digest=sha256; key=RSA" \
	"... which is not taken for the signer"

# five signatures on one image: each verifies
cp s.efi m.efi
for i in 2 3 4 5; do
	"$S" sign -k so.key -c so.crt -o m2.efi m.efi && mv m2.efi m.efi
done
run 0 "" "an image with five signatures verifies" "$S" verify -c so.crt m.efi
is "$OUT" "signature 1: ok
signature 2: ok
signature 3: ok
signature 4: ok
signature 5: ok
'm.efi': verified" "each of the five is checked"

# an Authenticode PKCS#7 as a module's signature
printf 'int f(void) { return 42; }\n' >m.c
cc -c m.c -o m.ko
python3 - <<'PY'
import struct
def signed(out, d):
    open(out, "wb").write(open("m.ko", "rb").read() + d + bytes([0, 0, 2, 0, 0, 0, 0, 0]) +
                          struct.pack(">I", len(d)) + b"~Module signature appended~\n")
signed("ac.ko", open("sig.der", "rb").read())
signed("junk.ko", b"x" * 64)
PY
run 1 "igos-sign: 'ac.ko': not verified: signature 1: PKCS#7 content is not id-data" \
	"an Authenticode PKCS#7 as a module signature is refused" "$S" verify -c so.crt ac.ko
run 1 "igos-sign: 'junk.ko': not verified: signature 1: not a PKCS#7 structure" \
	"a module signature that is not PKCS#7 is refused" "$S" verify -c so.crt junk.ko
done_testing
