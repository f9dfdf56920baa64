#!/bin/sh
# TSS2 key files made by tpm2-tools (tpm2_create, then tpm2_encodeobject), read
# as igos reads them. tpm2_encodeobject writes emptyAuth FALSE even for a key
# without an auth value, so the empty auth value comes from --pin-file (as the
# tpm2 provider takes -passin pass:). Keys igos can use sign: RSA with the
# RSASSA scheme (sbverify accepts the image), RSA-3072, P-256 with the ECDSA
# scheme (openssl smime accepts the root-hash signature); a key whose scheme
# fixes SHA-384 signs with SHA-384 only, byte for byte as the provider signs.
# A key with an auth value and noDA: a wrong value is refused once, with no
# dictionary-attack failure counted. Keys igos cannot use are refused by name before the TPM is asked: P-384, a
# restricted (attestation) key, a decrypt-only key, an HMAC key, RSA-1024.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/tpmkey.sh"
. "$TESTLIB/sign.sh"
need swtpm tpm2_create tpm2_encodeobject tpm2_createprimary tpm2_flushcontext tpm2_shutdown \
	igos-sign igos-verity igos-measure sbverify python3 openssl
[ -f /usr/lib/x86_64-linux-gnu/ossl-modules/tpm2.so ] ||
	skip_all "the tpm2-openssl provider is not installed (make deps)"
plan 20
tpm_fresh
$MKPE make a.efi
: >empty.pin
chmod 600 empty.pin

# tss2_tools NAME tpm2_create-options...: NAME.pem under the storage primary key
# made from the standard template (the one igos and the provider use)
tss2_tools() {
	_n=$1
	shift
	tpm2_createprimary -Q -C o -G ecc256:aes128cfb -g sha256 -c prim.ctx \
		-a 'restricted|decrypt|noda|fixedtpm|fixedparent|sensitivedataorigin|userwithauth' &&
	tpm2_create -Q -C prim.ctx -u "$_n.pub" -r "$_n.priv" "$@" &&
	tpm2_encodeobject -Q -C prim.ctx -u "$_n.pub" -r "$_n.priv" -o "$_n.pem" &&
	chmod 600 "$_n.pem"
	# tpm2-tools leaves objects and sessions behind on a TPM without a
	# resource manager
	tpm2_flushcontext -t
	tpm2_flushcontext -l
	tpm2_flushcontext -s
}
ATTR='fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda'

tss2_tools rsa -G rsa2048:rsassa-sha256 -a "$ATTR|sign"
tss2_tools rsa3k -G rsa3072:rsassa-sha256 -a "$ATTR|sign"
tss2_tools ec -G ecc256:ecdsa-sha256 -a "$ATTR|sign"
tss2_tools s384 -G rsa2048:rsassa-sha384 -a "$ATTR|sign"
tss2_tools p384 -G ecc384:ecdsa-sha384 -a "$ATTR|sign"
tss2_tools restr -G rsa2048:rsassa-sha256:null -a "$ATTR|sign|restricted"
tss2_tools dec -G rsa2048 -a "$ATTR|decrypt"
tss2_tools hmac -G hmac -a "$ATTR|sign"
tss2_tools r1k -G rsa1024:rsassa-sha256 -a "$ATTR|sign"
tss2_tools noda -G rsa2048:rsassa-sha256 -p right -a "$ATTR|sign"
is "$(openssl asn1parse -in rsa.pem | sed -n '2,5p' | sed 's/^.*\(prim\|cons\): *//; s/ *$//')" \
"OBJECT            :2.23.133.10.1.3
cont [ 0 ]
BOOLEAN           :0
INTEGER           :40000001" "tpm2_encodeobject: loadableKey, emptyAuth FALSE, the owner hierarchy"
for k in rsa rsa3k ec s384 noda; do
	pass=
	[ $k = noda ] && pass=right
	openssl req $OSSL_TPM -new -x509 -key $k.pem -passin pass:$pass -subj /CN=$k -days 30 \
		-out $k.crt 2>/dev/null
	tpm_restart
done
ok "the provider made certificates for the five usable keys (-passin pass:)" \
	test -s rsa.crt -a -s rsa3k.crt -a -s ec.crt -a -s s384.crt -a -s noda.crt

run 0 "" "igos-sign signs with the tpm2-tools RSA key (empty auth value)" \
	igos-sign sign -k rsa.pem -c rsa.crt --pin-file empty.pin -o rsa.efi a.efi
ok "sbverify accepts the image" sbverify --cert rsa.crt rsa.efi
run 0 "" "an RSA-3072 key signs" igos-sign sign -k rsa3k.pem -c rsa3k.crt --pin-file empty.pin -o rsa3k.efi a.efi
ok "sbverify accepts the image" sbverify --cert rsa3k.crt rsa3k.efi

R=$(printf 'c0ffee%.0s' $(seq 10))0123
printf '%s' "$R" >hex
run 0 "" "igos-verity signs a root hash with the P-256 ECDSA key" \
	igos-verity sign -k ec.pem -c ec.crt --pin-file empty.pin -o rh.p7s "$R"
run 0 "*" "openssl smime accepts the ECDSA signature" openssl smime -verify -binary -inform der \
	-in rh.p7s -content hex -certfile ec.crt -CAfile ec.crt -purpose any -out /dev/null

# the key's own scheme fixes the hash
run 1 "igos-sign: 'a.efi': the TPM key does not sign with SHA256" \
	"a key whose scheme is RSASSA-SHA384 does not sign an SHA-256 image digest" \
	igos-sign sign -k s384.pem -c s384.crt --pin-file empty.pin -o s384.efi a.efi
echo kernel >k.bin
run 0 "" "it signs an SHA-384 PCR policy" igos-measure sign -k s384.pem --pin-file empty.pin \
	-b sha384 --linux k.bin -o s384.json
python3 -c '
import base64, json, sys
e = json.load(open("s384.json"))["sha384"][0]
open("s384.pol", "wb").write(bytes.fromhex(e["pol"]))
open("s384.sig", "wb").write(base64.b64decode(e["sig"]))'
tpm_restart
openssl dgst -sha384 $OSSL_TPM -propquery '?provider=tpm2' -passin pass: -sign s384.pem \
	-out s384.osig s384.pol 2>/dev/null
same s384.sig s384.osig "byte-identical to openssl dgst -sha384 -provider tpm2"

# an auth value on a noDA key (the TPM says "bad auth", not "auth fail")
tpm_restart
(umask 077 && echo wrong >wrong.pin && echo right >right.pin)
da0=$(da_count)
run 1 "igos-sign: 'a.efi': wrong auth value for the TPM key (not retried: the TPM counts failures toward its dictionary-attack lockout)" \
	"a wrong auth value for a noDA key: one line" \
	igos-sign sign -k noda.pem -c noda.crt --pin-file wrong.pin -o noda.efi a.efi
run 0 "" "the right one signs" igos-sign sign -k noda.pem -c noda.crt --pin-file right.pin -o noda.efi a.efi
is "$(da_count)" "$da0" "no dictionary-attack failure counted (noDA)"

# keys igos cannot use, refused before the TPM is asked
S="igos-sign sign -c rsa.crt --pin-file empty.pin -o x.efi a.efi"
run 1 "igos-sign: key 'p384.pem': the TPM key is an ECC key: only the P-256 curve is supported" \
	"a P-384 key refused" $S -k p384.pem
run 1 "igos-sign: key 'restr.pem': the TPM key is a restricted signing key (it signs only what the TPM made)" \
	"a restricted signing key refused" $S -k restr.pem
run 1 "igos-sign: key 'dec.pem': the TPM key is not a signing key" "a decrypt-only key refused" $S -k dec.pem
run 1 "igos-sign: key 'hmac.pem': the TPM key is neither RSA nor ECC" "an HMAC key refused" $S -k hmac.pem
run 1 "igos-sign: key 'r1k.pem': the TPM key is RSA-1024: not supported (2048 to 4096 bits)" \
	"an RSA-1024 key refused" $S -k r1k.pem
ok "no output written by any refusal" test ! -e x.efi -a ! -e s384.efi
