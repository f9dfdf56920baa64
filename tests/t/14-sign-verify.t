#!/bin/sh
# igos-sign verify and list: accepts sbsign's and osslsigncode's output; chains
# like EDK2 (partial chains, time and EKU ignored); integrity-only without -c.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need python3 sbsign osslsigncode
snakeoil_keys
$MKPE make a.efi --trailing 6

sbsign --key so.key --cert so.crt --output sb.efi a.efi 2>/dev/null
run 0 "" "verifies sbsign's output" "$S" verify -c so.crt sb.efi
is "$OUT" "signature 1: ok
'sb.efi': verified" "says which signature verified"
osslsigncode sign -certs so.crt -key so.key -h sha256 -in a.efi -out ossl.efi >/dev/null
run 0 "" "verifies osslsigncode's output" "$S" verify -c so.crt ossl.efi

run 0 "" "without -c: integrity only" "$S" verify sb.efi
is "$OUT" "signature 1: ok
'sb.efi': integrity verified (signer not checked: no -c given)" "and says so"
run 0 "" "--json" "$S" verify --json -c so.crt sb.efi
is "$OUT" '{"file":"sb.efi","format":"pe","verified":true,"trust":"certificate","signatures":[{"index":1,"valid":true,"error":null}]}' \
	"--json reports the result"

# list: subject, issuer, serial as openssl prints them
subj=$(openssl x509 -in so.crt -noout -subject -nameopt oneline,-esc_msb | sed 's/^subject=//')
iss=$(openssl x509 -in so.crt -noout -issuer -nameopt oneline,-esc_msb | sed 's/^issuer=//')
ser=$(openssl x509 -in so.crt -noout -serial | sed 's/^serial=//')
run 0 "" "list" "$S" list sb.efi
is "$OUT" "1: subject=$subj; issuer=$iss; serial=$ser; digest=sha256; key=RSA-2048" \
	"list shows subject, issuer, serial, digest and key"
run 0 "" "list --json" "$S" list --json ossl.efi
is "$OUT" "{\"file\":\"ossl.efi\",\"format\":\"pe\",\"signatures\":[{\"index\":1,\"subject\":\"$subj\",\"issuer\":\"$iss\",\"serial\":\"$ser\",\"digest\":\"sha256\",\"key\":\"RSA-2048\"}]}" \
	"list --json"
run 0 "" "list of an unsigned image prints nothing" "$S" list a.efi
is "$OUT" "" "no signatures, no lines"

# chains: CA -> intermediate -> RSA-4096 leaf; only the leaf is embedded
rsa_cert ca 2048
rsa_cert inter 2048 ca ca
rsa_cert leaf 4096 inter
rsa_cert stranger 2048
run 0 "" "sign with a leaf issued by an intermediate" "$S" sign -k leaf.key -c leaf.crt -o leaf.efi a.efi
run 0 "" "trusting the leaf itself (partial chain)" "$S" verify -c leaf.crt leaf.efi
run 0 "" "trusting its issuer (partial chain)" "$S" verify -c inter.crt leaf.efi
run 0 "" "one of several -c certificates is enough" "$S" verify -c stranger.crt -c inter.crt leaf.efi
run 1 "igos-sign: 'leaf.efi': not verified: signature 1: signature not valid: the signer is neither a given certificate nor issued by one" \
	"the root alone does not verify (the intermediate is not embedded)" "$S" verify -c ca.crt leaf.efi
run 1 "igos-sign: 'leaf.efi': not verified: signature 1: signature not valid: the signer is neither a given certificate nor issued by one" \
	"an unrelated certificate does not verify" "$S" verify -c stranger.crt leaf.efi

# time and EKU are ignored, like firmware
mkdir cadb && touch cadb/index.txt && echo 01 >cadb/serial
printf '[ca]\ndefault_ca=d\n[d]\ndatabase=cadb/index.txt\nserial=cadb/serial\nnew_certs_dir=cadb\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n' >ca.cnf
(umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out old.key 2>/dev/null)
openssl req -new -key old.key -subj /CN=expired -out old.csr
openssl ca -batch -config ca.cnf -selfsign -keyfile old.key -in old.csr \
	-startdate 20000101000000Z -enddate 20010101000000Z -out old.crt 2>/dev/null
openssl req -x509 -new -key old.key -subj /CN=eku -addext extendedKeyUsage=serverAuth -out eku.crt
run 0 "" "sign with a certificate that expired in 2001" "$S" sign -k old.key -c old.crt -o old.efi a.efi
run 0 "" "an expired signer verifies (no time check)" "$S" verify -c old.crt old.efi
run 0 "" "sign with a serverAuth-only certificate" "$S" sign -k old.key -c eku.crt -o eku.efi a.efi
run 0 "" "a signer without codeSigning EKU verifies" "$S" verify -c eku.crt eku.efi

# The rules of the verifiers that judge the image at boot (tests/vm/sign-rules.t
# boots each of these under OVMF and shim): the walk of the certificate table
# as EDK2 walks it, and the keys and digests OVMF and shim can check.
"$S" sign -k so.key -c so.crt -o good.efi a.efi
rule() { # FILE ERROR DESC: verify refuses FILE with ERROR
	run 1 "igos-sign: '$1': $2" "$3" "$S" verify -c so.crt "$1"
}
cp good.efi e1.efi && $MKPE patch e1.efi insert_entry 1,8,0x200,2
rule e1.efi "certificate table entry 1: dwLength 8 leaves no room for a signature (EDK2 stops its walk there and denies the image)" \
	"an empty WIN_CERTIFICATE before a good signature"
cp good.efi e2.efi && $MKPE patch e2.efi insert_entry 2,8,0x200,2
rule e2.efi "certificate table entry 2: dwLength 8 leaves no room for a signature (EDK2 stops its walk there and denies the image)" \
	"an empty WIN_CERTIFICATE after a good signature"
cp good.efi e0.efi && $MKPE patch e0.efi insert_entry 1,4,0x200,2
rule e0.efi "certificate table entry 1: dwLength 4 leaves no room for a signature (EDK2 stops its walk there and denies the image)" \
	"a dwLength below the header"
cp good.efi z8.efi && $MKPE patch z8.efi secdir_size_add 8 && printf '\0\0\0\0\0\0\0\0' >>z8.efi
rule z8.efi "certificate table entry 2: dwLength 0 leaves no room for a signature (EDK2 stops its walk there and denies the image)" \
	"8 zero bytes in the table after the last entry"
cp good.efi z4.efi && $MKPE patch z4.efi secdir_size_add 4 && printf '\0\0\0\0' >>z4.efi
rule z4.efi "certificate table entry 2 truncated: 4 bytes left, less than a WIN_CERTIFICATE header (EDK2 denies the image)" \
	"4 bytes in the table after the last entry"
dw=$($MKPE get good.efi entries | cut -d' ' -f2)
if [ $((dw % 8)) -ne 0 ]; then
	cp good.efi unpad.efi && $MKPE patch unpad.efi unpad
	rule unpad.efi "certificate table entry 1: dwLength $dw has no room for its padding to 8 bytes in the table (EDK2 denies the image)" \
		"a last entry without its padding (shim accepts it, EDK2 does not)"
else
	skip "the signature's dwLength $dw needs no padding" 1
fi
cp good.efi junk.efi && printf 'junk' >>junk.efi
rule junk.efi "PE certificate table does not end at end of file" "bytes after the table"
cp good.efi rev.efi && $MKPE patch rev.efi cert_rev 0x0100
rule rev.efi "certificate table entry 1 has revision 0x0100, not 0x0200" \
	"revision 1.0 (firmware and shim skip no entry for it; igos refuses it)"
cp good.efi x509.efi && $MKPE patch x509.efi insert_entry 1,16,0x200,1
rule x509.efi "certificate table entry 1 has type 0x0001, not PKCS#7 signed data" \
	"an entry of another type (firmware and shim skip it; igos refuses it)"

(umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key 2>/dev/null)
openssl req -x509 -new -key ec.key -subj /CN=ec -out ec.crt 2>/dev/null
rsa_cert r1024 1024
osslsigncode sign -certs ec.crt -key ec.key -h sha256 -in a.efi -out ec.efi >/dev/null
run 1 "igos-sign: 'ec.efi': not verified: signature 1: signer key is EC-prime256v1: UEFI firmware and shim verify RSA only" \
	"an ECDSA P-256 signature" "$S" verify -c ec.crt ec.efi
run 1 "igos-sign: 'ec.efi': not verified: signature 1: signer key is EC-prime256v1: UEFI firmware and shim verify RSA only" \
	"... also without -c" "$S" verify ec.efi
osslsigncode sign -certs r1024.crt -key r1024.key -h sha256 -in a.efi -out r1024.efi >/dev/null
run 1 "igos-sign: 'r1024.efi': not verified: signature 1: signer key is RSA-1024: igos accepts RSA 2048 to 4096 bits" \
	"an RSA-1024 signature" "$S" verify -c r1024.crt r1024.efi
for h in sha1:SHA-1 sha384:SHA-384 sha512:SHA-512; do
	osslsigncode sign -certs so.crt -key so.key -h ${h%:*} -in a.efi -out ${h%:*}.efi >/dev/null
	rule ${h%:*}.efi "not verified: signature 1: ${h#*:} image digest: shim accepts SHA-256 only" \
		"a ${h#*:} Authenticode digest"
done
run 0 "" "a good RSA signature after an ECDSA one" "$S" sign -k so.key -c so.crt -o ecgood.efi ec.efi
run 0 "" "... verifies: one valid signature is enough, as for firmware and shim" \
	"$S" verify -c so.crt -c ec.crt ecgood.efi
is "$OUT" "signature 1: signer key is EC-prime256v1: UEFI firmware and shim verify RSA only
signature 2: ok
'ecgood.efi': verified" "... and says why the first one does not count"

# shim trusts no db or MOK certificate whose EKU names module signing
igos-mok new -k modonly.key -c modonly.pem --modules-only --subject "modules only" >/dev/null
"$S" sign -k modonly.key -c modonly.pem -o modonly.efi a.efi
run 1 "igos-sign: 'modonly.efi': not verified: signature 1: no usable certificate: shim trusts no certificate with the module-signing EKU 1.3.6.1.4.1.2312.16.1.2 for images" \
	"a MOK made with --modules-only does not verify an image" "$S" verify -c modonly.pem modonly.efi
run 1 "igos-sign: 'modonly.efi': not verified: signature 1: signature not valid: the signer is neither a given certificate nor issued by one (1 not used: shim trusts no certificate with the module-signing EKU 1.3.6.1.4.1.2312.16.1.2 for images)" \
	"... nor beside another certificate" "$S" verify -c so.crt -c modonly.pem modonly.efi
done_testing
