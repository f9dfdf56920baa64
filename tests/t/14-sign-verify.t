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
run 1 "igos-sign: 'leaf.efi': not verified: signature 1: signature not valid: signer does not chain to a given certificate" \
	"the root alone does not verify (the intermediate is not embedded)" "$S" verify -c ca.crt leaf.efi
run 1 "igos-sign: 'leaf.efi': not verified: signature 1: signature not valid: signer does not chain to a given certificate" \
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
done_testing
