#!/bin/sh
# A PCR policy signed by another key than the UKI's .pcrpkey unlocks nothing:
# the stub hands .pcrpkey on as the key that checks .pcrsig. igos-measure sign
# and igos-ukify build --pcr-key refuse that pair before signing, and write
# nothing; the matching pair is signed and verifies.
. "${0%/*}/../lib/tap.sh"
need openssl igos-ukify igos-measure
umask 077
IGOS_STUB=$IGOS_BUILD/efi/igos-stubx64.efi
[ -f "$IGOS_STUB" ] || skip_all "$IGOS_STUB missing (make all)"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pcr.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.key 2>/dev/null
openssl pkey -in pcr.key -pubout -out pcr.pub
openssl pkey -in other.key -pubout -out other.pub
head -c 200000 /dev/urandom >vmlinuz
uki() { igos-ukify build --stub "$IGOS_STUB" --linux vmlinuz --uname 6.1.0-test --cmdline x "$@"; }

# igos-measure sign over a UKI that carries a .pcrpkey
uki --pcrpkey other.pub -o other.efi
uki --pcrpkey pcr.pub -o pcr.efi
run 1 "igos-measure: 'other.efi': its .pcrpkey is not the public key of 'pcr.key'" \
	"measure sign: a UKI whose .pcrpkey is another key" \
	igos-measure sign -k pcr.key -b sha256 -o x.json other.efi
ok "... nothing written" [ ! -e x.json ]
run 0 "" "measure sign: the UKI whose .pcrpkey is the signer's" \
	igos-measure sign -k pcr.key -b sha256 -o ok.json pcr.efi
run 0 "*" "... and verify accepts it" igos-measure verify -P pcr.pub ok.json pcr.efi
# a UKI without .pcrpkey: the key is the user's to hand on elsewhere
uki -o bare.efi
run 0 "" "measure sign: a UKI without .pcrpkey" igos-measure sign -k pcr.key -o bare.json bare.efi

# the same with section files and --pcrpkey
run 1 "igos-measure: 'pcr.pub': its .pcrpkey is not the public key of 'other.key'" \
	"measure sign: section files, --pcrpkey of another key" \
	igos-measure sign -k other.key --linux vmlinuz --pcrpkey pcr.pub -o x.json
ok "... nothing written" [ ! -e x.json ]
run 0 "" "measure sign: section files, --pcrpkey of the signer" \
	igos-measure sign -k other.key --linux vmlinuz --pcrpkey other.pub -o sec.json
run 0 "*" "... and verify accepts it" \
	igos-measure verify -P other.pub sec.json --linux vmlinuz --pcrpkey other.pub

# igos-ukify build --pcr-key with a --pcrpkey of its own, and in the config
run 1 "igos-ukify: --pcrpkey 'other.pub' is not the public key of --pcr-key 'pcr.key'" \
	"ukify: --pcr-key with another key's --pcrpkey" uki --pcr-key pcr.key --pcrpkey other.pub -o x.efi
ok "... nothing written" [ ! -e x.efi ]
printf '[UKI]\nPCRPrivateKey = pcr.key\nPCRPKey = other.pub\n' >mixed.conf
run 1 "igos-ukify: --pcrpkey 'other.pub' is not the public key of --pcr-key 'pcr.key'" \
	"ukify: PCRPrivateKey= and PCRPKey= of two keys in uki.conf" uki -c mixed.conf -o x.efi
ok "... nothing written" [ ! -e x.efi ]
printf 'not a key\n' >junk.pub
run 1 "igos-ukify: --pcrpkey 'junk.pub': not a PEM public key: unsupported" \
	"ukify: a --pcrpkey that is no key, with --pcr-key" uki --pcr-key pcr.key --pcrpkey junk.pub -o x.efi
run 1 "igos-ukify: cannot open 'missing.pub': No such file or directory" \
	"ukify: a --pcrpkey that is missing, with --pcr-key" uki --pcr-key pcr.key --pcrpkey missing.pub -o x.efi
ok "... nothing written" [ ! -e x.efi ]
run 0 "" "ukify: --pcr-key with its own public key as --pcrpkey" \
	uki --pcr-key pcr.key --pcrpkey pcr.pub -o both.efi
igos-ukify inspect --section .pcrsig both.efi >both.json
run 0 "*" "... its .pcrsig verifies with that key" igos-measure verify -P pcr.pub both.json both.efi
done_testing
