#!/bin/sh
# The offline flow of systemd-measure 258: policy-digest writes what a signer
# elsewhere signs (systemd-measure 252's sign output without "sig", "pkfp" only
# with -P: checked against it byte for byte); the signer signs with plain
# openssl or with igos-measure sign --policy-digest; attach --pcrsig joins the
# signatures back, byte for byte the .pcrsig sign -k makes, and refuses
# every signature that does not check out against the UKI.
. "${0%/*}/../lib/tap.sh"
SM=/usr/lib/systemd/systemd-measure
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
need igos-measure "$SM" swtpm objcopy openssl python3 base64 xxd
[ -f "$STUB" ] || skip_all "$STUB missing (systemd-boot-efi)"
. "$TESTLIB/measure-swtpm.sh"
swtpm_start || skip_all "swtpm does not start"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.pem 2>/dev/null
chmod 600 key.pem other.pem
openssl pkey -in key.pem -pubout -out pub.pem
openssl pkey -in other.pem -pubout -out otherpub.pem
head -c 150000 /dev/urandom > linux
printf 'ID=igos\n' > osrel
printf 'quiet' > cmdline
head -c 40000 /dev/urandom > initrd
S="--linux=linux --osrel=osrel --cmdline=cmdline --initrd=initrd --pcrpkey=pub.pem"

# drop keys from every entry of a .pcrsig-shaped JSON, keep its layout
strip() { # IN OUT KEY...
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for b in d.values():
    for e in b:
        for k in sys.argv[3:]:
            e.pop(k, None)
open(sys.argv[2], "w").write(json.dumps(d, separators=(",", ":")) + "\n")' "$@"
}

# shellcheck disable=SC2086
ok "systemd-measure sign (the peer)" sh -c "'$SM' sign --tpm2-device='$SWTPM_TCTI' \
	--private-key=key.pem --public-key=pub.pem $S > sm.json"
strip sm.json sm-nosig.json sig
strip sm.json sm-pol.json sig pkfp
# shellcheck disable=SC2086
run 0 "" "policy-digest" igos-measure policy-digest $S -o pd.json
same sm-pol.json pd.json "policy-digest: systemd's policies, no pkfp, no sig"
# shellcheck disable=SC2086
run 0 "" "policy-digest -P" igos-measure policy-digest -P pub.pem $S -o pdk.json
same sm-nosig.json pdk.json "policy-digest -P: with the key's fingerprint"
# shellcheck disable=SC2086
igos-measure policy-digest $S > pd-stdout.json
same pd.json pd-stdout.json "policy-digest to standard output"

# the signer elsewhere, plain openssl: PKCS#1 v1.5 over H_bank(pol)
python3 -c 'import json, sys
for bank, es in json.load(open(sys.argv[1])).items():
    for e in es:
        print(bank, e["pol"])' pd.json > pols
: > sigs
while read -r bank pol; do
	printf '%s' "$pol" | xxd -r -p | openssl dgst "-$bank" -sign key.pem | base64 -w0 >> sigs
	echo >> sigs
done < pols
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sigs = open(sys.argv[2]).read().split()
i = 0
for b in d.values():
    for e in b:
        e["sig"] = sigs[i]; i += 1
open(sys.argv[3], "w").write(json.dumps(d, indent=2))' pd.json sigs signed.json
# shellcheck disable=SC2086
run 0 "" "attach --pcrsig: openssl's signatures joined" \
	igos-measure attach --pcrsig signed.json $S -o joined.json
same sm.json joined.json "the joined .pcrsig is byte for byte systemd-measure sign's"
# shellcheck disable=SC2086
run 0 "" "the joined .pcrsig verifies" igos-measure verify -P pub.pem joined.json $S

# the signer with igos-measure (a token works the same: it is a signer)
run 0 "" "sign --policy-digest: the signer's side" \
	igos-measure sign -k key.pem --policy-digest pd.json -o signed2.json
same sm.json signed2.json "sign --policy-digest signs what sign -k signs"
# shellcheck disable=SC2086
run 0 "" "attach --pcrsig of it" igos-measure attach --pcrsig signed2.json $S -o joined2.json
same sm.json joined2.json "joined again: the same .pcrsig"
run 1 "igos-measure: 'pdk.json': 'sha1' entry 1: made for another public key than the signer's (pkfp differs)" \
	"sign --policy-digest with another key than the digests name" \
	igos-measure sign -k other.pem --policy-digest pdk.json -o x.json
ok "no output on failure" [ ! -e x.json ]

# a UKI operand: the key is its .pcrpkey
objcopy --add-section .osrel=osrel --change-section-vma .osrel=0x20000 \
	--add-section .cmdline=cmdline --change-section-vma .cmdline=0x21000 \
	--add-section .pcrpkey=pub.pem --change-section-vma .pcrpkey=0x22000 \
	--add-section .initrd=initrd --change-section-vma .initrd=0x30000 \
	--add-section .linux=linux --change-section-vma .linux=0x80000 \
	"$STUB" uki.efi
run 0 "" "policy-digest of a UKI" igos-measure policy-digest --stub 252 uki.efi -o pdu.json
run 0 "" "attach --pcrsig to a UKI, its .pcrpkey the key" \
	igos-measure attach --pcrsig signed.json --stub 252 uki.efi -o jointu.json
igos-measure sign -k key.pem --stub 252 uki.efi -o signu.json
same signu.json jointu.json "the UKI's .pcrsig as sign -k makes it"

# refused: each with the one line that says why
python3 -c 'import json, sys
d = json.load(open("signed.json"))
e = d["sha256"][1]
s = bytearray(__import__("base64").b64decode(e["sig"])); s[10] ^= 1
e["sig"] = __import__("base64").b64encode(bytes(s)).decode()
json.dump(d, open("badsig.json", "w"))
d = json.load(open("signed.json")); del d["sha384"][2]; json.dump(d, open("fewer.json", "w"))
d = json.load(open("signed.json")); d["sha512"].append(d["sha512"][0]); json.dump(d, open("twice.json", "w"))
d = json.load(open("signed.json")); del d["sha1"][0]["sig"]; json.dump(d, open("nosig.json", "w"))
d = json.load(open("signed.json")); d["sha256"][0]["pcrs"] = [11, 12]; json.dump(d, open("pcr12.json", "w"))'
# shellcheck disable=SC2086
run 1 "igos-measure: 'badsig.json': a bad signature over the sha256 policy: not the public key's" \
	"a changed signature" igos-measure attach --pcrsig badsig.json $S -o out.json
# shellcheck disable=SC2086
run 1 "igos-measure: 'fewer.json': no signature for one of the sha384 policies of the UKI (made for other sections, banks or phases?)" \
	"a policy left unsigned" igos-measure attach --pcrsig fewer.json $S -o out.json
# shellcheck disable=SC2086
run 1 "igos-measure: 'twice.json': 'sha512' entry 5: its policy is none of the UKI's (or given twice)" \
	"an entry given twice" igos-measure attach --pcrsig twice.json $S -o out.json
# shellcheck disable=SC2086
run 1 "igos-measure: 'nosig.json': 'sha1' entry 1: 'sig' is not a string" \
	"an entry without its signature" igos-measure attach --pcrsig nosig.json $S -o out.json
# shellcheck disable=SC2086
run 1 "igos-measure: 'pcr12.json': 'sha256' entry 1: covers PCRs other than 11" \
	"a policy over PCR 12 too" igos-measure attach --pcrsig pcr12.json $S -o out.json
# policies without .pcrpkey, signed by key.pem: checked with another key
F="--linux=linux --osrel=osrel --cmdline=cmdline --initrd=initrd"
# shellcheck disable=SC2086
igos-measure policy-digest $F -o pd-nokey.json
igos-measure sign -k key.pem --policy-digest pd-nokey.json -o s-key.json
strip s-key.json s-key-nofp.json pkfp
# shellcheck disable=SC2086
run 1 "igos-measure: 's-key-nofp.json': a bad signature over the sha1 policy: not the public key's" \
	"checked with another key" igos-measure attach --pcrsig s-key-nofp.json -P otherpub.pem \
	$F -o out.json
# shellcheck disable=SC2086
run 1 "igos-measure: 's-key.json': 'sha1' entry 1: signed for another public key (pkfp differs)" \
	"signatures whose pkfp names another key" igos-measure attach --pcrsig s-key.json \
	-P otherpub.pem $F -o out.json
# shellcheck disable=SC2086
run 0 "" "the right key joins them" igos-measure attach --pcrsig s-key-nofp.json -P pub.pem \
	$F -o nokey.pcrsig
# shellcheck disable=SC2086
run 0 "" "and they verify" igos-measure verify -P pub.pem nokey.pcrsig $F
run 1 "igos-measure: 'joined.json': no signature for one of the sha1 policies of the UKI (made for other sections, banks or phases?)" \
	"signatures for another kernel" igos-measure attach --pcrsig joined.json \
	--linux=initrd --osrel=osrel --cmdline=cmdline --initrd=initrd --pcrpkey=pub.pem -o out.json
run 1 "igos-measure: 'joined.json': 'sha1' entry 1: a bank not asked for" \
	"a bank not asked for" igos-measure attach --pcrsig joined.json -b sha256 $S -o out.json
run 1 "igos-measure: no public key to check the signatures with: give --public-key, or a UKI with .pcrpkey" \
	"no key" igos-measure attach --pcrsig joined.json --linux=linux --osrel=osrel \
	--cmdline=cmdline --initrd=initrd -o out.json
run 1 "igos-measure: 'uki.efi': its .pcrpkey is not the public key 'otherpub.pem'" \
	"a key that is not the UKI's .pcrpkey" igos-measure attach --pcrsig joined.json \
	-P otherpub.pem --stub 252 uki.efi -o out.json
ok "nothing written on failure" [ ! -e out.json ]
run 2 "igos-measure: attach joins a request's signature (--request, --signature) or signed policy digests (--pcrsig), not both" \
	"--pcrsig with --request" igos-measure attach --pcrsig joined.json --request r --signature s uki.efi
run 2 "igos-measure: sign --policy-digest signs the digests as they are: no --request-out, phase, bank, section, stub or profile option" \
	"sign --policy-digest with a bank" igos-measure sign -k key.pem --policy-digest pd.json -b sha1
run 2 "igos-measure: sign --policy-digest takes no operand" "sign --policy-digest with a UKI" \
	igos-measure sign -k key.pem --policy-digest pd.json uki.efi
run 2 "igos-measure: --pcrsig is an option of attach" "--pcrsig on sign" \
	igos-measure sign -k key.pem --pcrsig x uki.efi
run 2 "igos-measure: --policy-digest is an option of sign" "--policy-digest on attach" \
	igos-measure attach --policy-digest x uki.efi
run 1 "igos-measure: 'signed.json': 'sha1' entry 1: 'pkfp' is not 64 hex digits" \
	"a bad pkfp" sh -c "sed 's/\"pkfp\":\"/\"pkfp\":\"zz/' signed2.json > signed.json && \
	igos-measure attach --pcrsig signed.json $S"
done_testing
