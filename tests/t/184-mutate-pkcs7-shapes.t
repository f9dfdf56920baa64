#!/bin/sh
# PKCS#7 structures that are well-formed DER but not an Authenticode signature
# (found by make mutate on lib/authenticode.c): a certificates-only SignedData
# (no signer, as openssl crl2pkcs7 makes it), plain id-data (openssl cms
# -data_create), a SignedData over id-data (openssl smime -sign), and one
# whose content type is SpcIndirectDataContent but whose content is an OCTET
# STRING (openssl cms -econtent_type wraps every content so). Each is refused
# by name; list still shows what it can.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need python3 osslsigncode
snakeoil_keys
$MKPE make a.efi --trailing 5
"$S" sign -k so.key -c so.crt -o s.efi a.efi
printf 'hello' >msg

put() { # NAME DER: s.efi with its signature replaced by DER
	cp s.efi $1.efi
	$MKPE patch $1.efi set_der $2
	nok "$1: osslsigncode refuses it" osslsigncode verify -CAfile so.crt -in $1.efi
}

openssl crl2pkcs7 -nocrl -certfile so.crt -outform DER -out certsonly.der
put co certsonly.der
run 1 "igos-sign: 'co.efi': not verified: signature 1: not a PKCS#7 SignedData with a signer" \
	"a certificates-only SignedData is refused by verify" "$S" verify -c so.crt co.efi
run 1 "igos-sign: 'co.efi': signature 1: not a PKCS#7 SignedData with a signer" \
	"... and by list" "$S" list co.efi

openssl cms -data_create -in msg -outform DER -out plain.der
put plain plain.der
run 1 "igos-sign: 'plain.efi': not verified: signature 1: not a PKCS#7 SignedData with a signer" \
	"a PKCS#7 of type id-data is refused" "$S" verify -c so.crt plain.efi

openssl smime -sign -binary -nodetach -outform DER -in msg -signer so.crt -inkey so.key \
	-md sha256 -out data.der
put data data.der
run 1 "igos-sign: 'data.efi': not verified: signature 1: PKCS#7 content is not SpcIndirectDataContent" \
	"a SignedData over id-data is refused" "$S" verify -c so.crt data.efi
subj="C = US, ST = Colorado, L = Fort Collins, O = SnakeOil"
ser=$(openssl x509 -in so.crt -noout -serial | sed 's/^serial=//')
run 0 "" "list shows its signer" "$S" list data.efi
is "$OUT" "1: subject=$subj; issuer=$subj; serial=$ser; digest=sha256; key=RSA-2048" \
	"the signer as the certificate names it"

# the image's own SpcIndirectDataContent, signed by openssl cms: the content
# then travels as an OCTET STRING and the signature covers its whole DER, where
# Authenticode signs the SEQUENCE's value octets. osslsigncode checks it the
# CMS way and accepts it; igos-sign wants the SEQUENCE Authenticode defines
# and refuses it.
$MKPE get s.efi entry_der 1 >sig.der
python3 - <<'PY'
d = open("sig.der", "rb").read()
i = d.find(bytes.fromhex("060a2b06010401823702010f")) - 4  # SPC_PE_IMAGE_DATA's OID
assert d[i:i + 2] == b"\x30\x68"
open("spc.der", "wb").write(d[i:i + 0x6a])
PY
openssl cms -sign -binary -nodetach -outform DER -in spc.der -signer so.crt -inkey so.key \
	-md sha256 -econtent_type 1.3.6.1.4.1.311.2.1.4 -out cms.der
cp s.efi cms.efi
$MKPE patch cms.efi set_der cms.der
ok "osslsigncode accepts it" osslsigncode verify -CAfile so.crt -in cms.efi
run 1 "igos-sign: 'cms.efi': not verified: signature 1: malformed SpcIndirectDataContent" \
	"igos-sign refuses SpcIndirectDataContent as an OCTET STRING" "$S" verify -c so.crt cms.efi
run 1 "igos-sign: 'cms.efi': not verified: signature 1: malformed SpcIndirectDataContent" \
	"... also without -c" "$S" verify cms.efi
done_testing
