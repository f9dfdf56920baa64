#!/bin/sh
# TPM keys interoperate both ways with the tpm2-openssl provider (the same file
# format, the same storage primary key): a key the provider made signs with
# igos-sign (also with an auth value, also under a persistent parent); a key
# igos-mok new --tpm made signs with openssl dgst, makes a certificate with
# openssl req, and signs PE images with sbsign and osslsigncode through an
# OpenSSL configuration that loads the provider. RSASSA is deterministic: the
# signature igos-measure makes through the TPM is byte for byte the one
# openssl dgst makes with the same key.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/tpmkey.sh"
. "$TESTLIB/sign.sh"
need swtpm tpm2_createprimary tpm2_shutdown igos-mok igos-sign igos-measure sbsign sbverify \
	osslsigncode python3 openssl
[ -f /usr/lib/x86_64-linux-gnu/ossl-modules/tpm2.so ] ||
	skip_all "the tpm2-openssl provider is not installed (make deps)"
plan 21
tpm_fresh
tpm_ossl_conf
$MKPE make a.efi
echo kernel >k.bin

# pcrsig_split JSON OUT: the sha256 policy digest and its signature, as files
pcrsig_split() {
	python3 -c '
import base64, json, sys
e = json.load(open(sys.argv[1]))["sha256"][0]
open(sys.argv[2] + ".pol", "wb").write(bytes.fromhex(e["pol"]))
open(sys.argv[2] + ".sig", "wb").write(base64.b64decode(e["sig"]))' "$1" "$2"
}

# ---- the provider's keys, used by igos
(umask 077 && openssl genpkey $OSSL_TPM -algorithm RSA -pkeyopt bits:2048 -out prov.pem 2>/dev/null)
ok "openssl genpkey -provider tpm2 made an RSA-2048 key" grep -q 'BEGIN TSS2 PRIVATE KEY' prov.pem
openssl req $OSSL_TPM -new -x509 -key prov.pem -subj /CN=provider -days 30 -out prov.crt 2>/dev/null
tpm_restart
run 0 "" "igos-sign signs with the provider's key" igos-sign sign -k prov.pem -c prov.crt -o prov.efi a.efi
ok "sbverify accepts the image" sbverify --cert prov.crt prov.efi
run 0 "" "igos-measure signs a PCR policy with it" igos-measure sign -k prov.pem -b sha256 --linux k.bin -o prov.json
pcrsig_split prov.json prov
openssl dgst -sha256 $OSSL_TPM -propquery '?provider=tpm2' -sign prov.pem -out prov.osig prov.pol
same prov.sig prov.osig "byte-identical to openssl dgst -provider tpm2 over the same policy digest"
tpm_restart

(umask 077 && openssl genpkey $OSSL_TPM -algorithm RSA -pkeyopt bits:2048 \
	-pkeyopt user-auth:abc123 -out auth.pem 2>/dev/null)
openssl req $OSSL_TPM -new -x509 -key auth.pem -passin pass:abc123 -subj /CN=auth -days 30 \
	-out auth.crt 2>/dev/null
ok "the provider made a key with an auth value, and its certificate" test -s auth.crt
tpm_restart
(umask 077 && echo abc123 >auth.pin)
da0=$(da_count)
run 0 "" "igos-sign signs with it, the auth value from --pin-file" \
	igos-sign sign -k auth.pem -c auth.crt --pin-file auth.pin -o auth.efi a.efi
ok "sbverify accepts the image" sbverify --cert auth.crt auth.efi
is "$(da_count)" "$da0" "the right auth value is no dictionary-attack failure"

# a persistent storage key as the parent (the same template at 0x81000001)
tpm2_createprimary -Q -C o -G ecc256:aes128cfb -g sha256 -c srk.ctx \
	-a 'restricted|decrypt|noda|fixedtpm|fixedparent|sensitivedataorigin|userwithauth'
tpm2_evictcontrol -Q -C o -c srk.ctx 0x81000001
tpm2_flushcontext -t
(umask 077 && openssl genpkey $OSSL_TPM -algorithm RSA -pkeyopt parent:0x81000001 -out pers.pem 2>/dev/null)
is "$(openssl asn1parse -in pers.pem | sed -n 5p | sed 's/.*INTEGER *//')" ":81000001" \
	"the provider's key names the persistent parent"
openssl req $OSSL_TPM -new -x509 -key pers.pem -subj /CN=persistent -days 30 -out pers.crt 2>/dev/null
tpm_restart
run 0 "" "igos-sign signs with a key under a persistent parent" \
	igos-sign sign -k pers.pem -c pers.crt -o pers.efi a.efi
ok "sbverify accepts the image" sbverify --cert pers.crt pers.efi

# ---- igos-mok's key, used by the provider and the tools built on OpenSSL
run 0 "*" "igos-mok new --tpm" igos-mok new --tpm -k mok.tss2.pem -c mok.crt --subject "interop MOK"
openssl x509 -in mok.crt -noout -pubkey >mok.pub
run 0 "" "igos-measure signs a PCR policy with the MOK" \
	igos-measure sign -k mok.tss2.pem -b sha256 --linux k.bin -o mok.json
pcrsig_split mok.json mok
run 0 "" "openssl dgst -provider tpm2 signs with igos-mok's key" \
	openssl dgst -sha256 $OSSL_TPM -propquery '?provider=tpm2' -sign mok.tss2.pem -out mok.osig mok.pol
same mok.sig mok.osig "byte-identical to igos-measure's signature through the TPM"
ok "the signature verifies with the certificate's key" \
	openssl dgst -sha256 -verify mok.pub -signature mok.osig mok.pol
tpm_restart
openssl req $OSSL_TPM -new -x509 -key mok.tss2.pem -subj /CN=req -days 30 -out req.crt 2>/dev/null
is "$(openssl x509 -in req.crt -noout -pubkey 2>/dev/null)" "$(cat mok.pub)" \
	"openssl req -provider tpm2 makes a certificate for the same key"
ok "self-signed by it" openssl verify -CAfile req.crt req.crt
tpm_restart
OPENSSL_CONF=$T/tpm2.cnf sbsign --key mok.tss2.pem --cert mok.crt --output sb.efi a.efi 2>/dev/null
run 0 "*" "sbsign signs through the provider (OPENSSL_CONF)" igos-sign verify -c mok.crt sb.efi
tpm_restart
OPENSSL_CONF=$T/tpm2.cnf osslsigncode sign -certs mok.crt -key mok.tss2.pem -h sha256 \
	-in a.efi -out ossl.efi >/dev/null 2>&1
run 0 "*" "osslsigncode signs through the provider (OPENSSL_CONF)" igos-sign verify -c mok.crt ossl.efi
