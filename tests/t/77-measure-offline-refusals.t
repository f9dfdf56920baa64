#!/bin/sh
# The offline flow's refusals name the right entry when a file holds several
# banks (entries are numbered within their bank, as verify numbers them), and
# an EC key is refused on both sides (systemd's TPM-side check is RSASSA);
# a .pcrpkey that is not a PEM public key is refused by name.
# What the signer and attach accept is tests/t/168 (against systemd-measure).
. "${0%/*}/../lib/tap.sh"
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
need igos-measure openssl python3 objcopy
[ -f "$STUB" ] || skip_all "$STUB missing (systemd-boot-efi)"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null
chmod 600 key.pem other.pem ec.pem
openssl pkey -in key.pem -pubout -out pub.pem
openssl pkey -in other.pem -pubout -out other.pub
openssl pkey -in ec.pem -pubout -out ec.pub
printf 'kernel image' > linux
F=--linux=linux

run 0 "" "policy digests for pub.pem, sha1 and sha256" \
	igos-measure policy-digest -P pub.pem -b sha1 -b sha256 $F -o pd.json
run 0 "" "policy digests for another key" igos-measure policy-digest -P other.pub -b sha256 $F -o pdo.json
run 0 "" "signed" igos-measure sign -k key.pem --policy-digest pd.json -o signed.json
# edit FILE OUT PYTHON: d is FILE's JSON, o pdo.json's
edit() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); o = json.load(open("pdo.json"))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))' "$@"
}

edit pd.json mixed.json 'd["sha256"][1]["pkfp"] = o["sha256"][0]["pkfp"]'
run 1 "igos-measure: 'mixed.json': 'sha256' entry 2: made for another public key than the signer's (pkfp differs)" \
	"sign: the second sha256 digest made for another key, after four sha1 ones" \
	igos-measure sign -k key.pem --policy-digest mixed.json -o x.json
run 1 "igos-measure: 'pd.json': a PCR policy needs an RSA key: systemd's TPM-side check uses RSASSA" \
	"sign: an EC key" igos-measure sign -k ec.pem --policy-digest pd.json -o x.json

edit signed.json p12.json 'd["sha256"][1]["pcrs"] = [11, 12]'
run 1 "igos-measure: 'p12.json': 'sha256' entry 2: covers PCRs other than 11" \
	"attach: the second sha256 entry over PCR 12 too" \
	igos-measure attach --pcrsig p12.json -P pub.pem $F -o x.json
edit signed.json pk3.json 'd["sha256"][2]["pkfp"] = o["sha256"][0]["pkfp"]'
run 1 "igos-measure: 'pk3.json': 'sha256' entry 3: signed for another public key (pkfp differs)" \
	"attach: the third sha256 entry for another key" \
	igos-measure attach --pcrsig pk3.json -P pub.pem $F -o x.json
run 1 "igos-measure: 'signed.json': 'sha256' entry 1: a bank not asked for" \
	"attach: sha256 entries when sha1 is asked for" \
	igos-measure attach --pcrsig signed.json -b sha1 -P pub.pem $F -o x.json
run 1 "igos-measure: 'signed.json': a PCR policy needs an RSA key: systemd's TPM-side check uses RSASSA" \
	"attach: an EC key" igos-measure attach --pcrsig signed.json -P ec.pub $F -o x.json
ok "nothing written on failure" [ ! -e x.json ]
run 0 "" "attach: the right key joins them" igos-measure attach --pcrsig signed.json -P pub.pem $F -o ok.json
run 0 "*" "... and they verify" igos-measure verify -P pub.pem ok.json $F

printf 'not a key\n' > junk.pem
run 1 "igos-measure: 'junk.pem': not a PEM public key: unsupported" "verify: a --pcrpkey file that is not a key" \
	igos-measure verify -P pub.pem ok.json $F --pcrpkey junk.pem
objcopy --add-section .pcrpkey=junk.pem --change-section-vma .pcrpkey=0x22000 \
	--add-section .linux=linux --change-section-vma .linux=0x80000 "$STUB" junk.efi
run 1 "igos-measure: 'junk.efi': .pcrpkey: not a PEM public key: unsupported" \
	"verify: a UKI whose .pcrpkey is not a key" igos-measure verify -P pub.pem ok.json junk.efi
run 1 "igos-measure: 'junk.efi': .pcrpkey: not a PEM public key: unsupported" \
	"attach: a UKI whose .pcrpkey is not a key" igos-measure attach --pcrsig signed.json junk.efi
done_testing
