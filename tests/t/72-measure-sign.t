#!/bin/sh
# igos-measure sign equals systemd-measure sign (Debian's 252, which computes
# the policy on a TPM: swtpm here) byte for byte, pol and sig included, with
# an RSA file key; a SoftHSM2 token RSA key signs the same policies; EC keys
# are refused with the reason.
. "${0%/*}/../lib/tap.sh"
SM=/usr/lib/systemd/systemd-measure
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
need igos-measure "$SM" swtpm objcopy openssl python3
[ -f "$STUB" ] || skip_all "$STUB missing (systemd-boot-efi)"
. "$TESTLIB/measure-swtpm.sh"
. "$TESTLIB/softhsm.sh"
softhsm_token
swtpm_start || skip_all "swtpm does not start"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out key4k.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null
chmod 600 key.pem key4k.pem ec.pem
openssl pkey -in key.pem -pubout -out pub.pem
openssl pkey -in key4k.pem -pubout -out pub4k.pem
head -c 200000 /dev/urandom > linux
printf 'ID=igos\n' > osrel
printf 'quiet' > cmdline
head -c 50000 /dev/urandom > initrd
: > empty

smsign() { # OUT KEY PUB ARGS...
	_o=$1 _k=$2 _p=$3; shift 3
	"$SM" sign --tpm2-device="$SWTPM_TCTI" --private-key="$_k" --public-key="$_p" "$@" > "$_o"
}

S1="--linux=linux --osrel=osrel --cmdline=cmdline --initrd=initrd"
S2="--linux=linux --osrel=osrel --pcrpkey=pub.pem --initrd=empty"
# shellcheck disable=SC2086
ok "systemd-measure sign (default banks and phases)" smsign sm1.json key.pem pub.pem $S1
# shellcheck disable=SC2086
run 0 "" "igos-measure sign (default banks and phases)" igos-measure sign -k key.pem $S1 -o ig1.json
same sm1.json ig1.json "the .pcrsig is byte for byte systemd's"
no_temps . "no temporary file left"
# shellcheck disable=SC2086
ok "systemd-measure sign with .pcrpkey, empty initrd, two phases" \
	smsign sm2.json key.pem pub.pem $S2 --bank=sha256 --phase=enter-initrd --phase=
# shellcheck disable=SC2086
run 0 "" "igos-measure sign the same to stdout" igos-measure sign -k key.pem $S2 -b sha256 \
	-p enter-initrd -p ''
printf '%s\n' "$OUT" > ig2.json
same sm2.json ig2.json "identical with .pcrpkey and two phases"
# shellcheck disable=SC2086
ok "systemd-measure sign, 4096-bit key, sha384 and sha512 banks" \
	smsign sm3.json key4k.pem pub4k.pem $S1 --bank=sha512 --bank=sha384 --phase=enter-initrd:leave-initrd:sysinit:ready:shutdown
# shellcheck disable=SC2086
run 0 "" "igos-measure sign, 4096-bit key" igos-measure sign -k key4k.pem $S1 -b sha384 -b sha512 \
	-p enter-initrd:leave-initrd:sysinit:ready:shutdown -o ig3.json
same sm3.json ig3.json "identical with a 4096-bit key and sha384/sha512"

# From a UKI: the sections are read from it (252 stub: its .sbat is not measured)
objcopy --add-section .osrel=osrel --change-section-vma .osrel=0x20000 \
	--add-section .cmdline=cmdline --change-section-vma .cmdline=0x21000 \
	--add-section .initrd=initrd --change-section-vma .initrd=0x30000 \
	--add-section .linux=linux --change-section-vma .linux=0x80000 "$STUB" uki.efi
run 0 "" "sign a UKI" igos-measure sign -k key.pem -o uki.json uki.efi
same sm1.json uki.json "the UKI's .pcrsig equals systemd's over its section files"
run 0 "" "verify it" igos-measure verify -P pub.pem uki.json uki.efi
is "$(printf '%s\n' "$OUT" | wc -l)" 16 "verify reports 16 entries (4 banks x 4 phases)"
is "$(printf '%s\n' "$OUT" | head -n 2)" "sha1 enter-initrd: ok
sha1 enter-initrd:leave-initrd: ok" "verify names bank and phase of each entry"

# The same with the token's RSA key, through pkcs11:
TOK="$HSM_URI;object=rsa2048;type=private"
run 0 "" "sign with a SoftHSM2 RSA key via pkcs11:" \
	igos-measure sign -k "$TOK" --pin-file "$HSM_PIN_FILE" -o tok.json uki.efi
fields() { python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
for b in sorted(d):
    for e in d[b]: print(b, e["pcrs"], e[sys.argv[2]])' "$@"; }
is "$(fields tok.json pol)" "$(fields sm1.json pol)" "token: every pol equals systemd's"
pkfp=$(openssl rsa -pubin -in "$HSM_DIR/rsa2048.pub" -RSAPublicKey_out -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)
is "$(fields tok.json pkfp | sort -u)" "sha1 [11] $pkfp
sha256 [11] $pkfp
sha384 [11] $pkfp
sha512 [11] $pkfp" "token: pkfp is the token key's (sha256 of its RSAPublicKey)"
python3 -c '
import json,base64
d=json.load(open("tok.json"))
for b in d:
    for i,e in enumerate(d[b]):
        open("t-%s-%d.pol" % (b,i),"wb").write(bytes.fromhex(e["pol"]))
        open("t-%s-%d.sig" % (b,i),"wb").write(base64.b64decode(e["sig"]))'
good=0
for b in sha1 sha256 sha384 sha512; do for i in 0 1 2 3; do
	openssl dgst -$b -verify "$HSM_DIR/rsa2048.pub" -signature t-$b-$i.sig t-$b-$i.pol >/dev/null 2>&1 &&
		good=$((good + 1))
done; done
is "$good" 16 "token: all 16 signatures verify with openssl (PKCS#1 v1.5 over H_bank(pol))"
run 0 "" "token: igos-measure verify with the token's public key" \
	igos-measure verify -P "$HSM_DIR/rsa2048.pub" tok.json uki.efi
# a UKI carrying the token's key as .pcrpkey: verify checks it is the signer's
cp "$HSM_DIR/rsa2048.pub" tok.pub
objcopy --add-section .pcrpkey=tok.pub --change-section-vma .pcrpkey=0x22000 uki.efi ukik.efi
run 0 "" "token: sign a UKI with .pcrpkey" igos-measure sign -k "$TOK" \
	--pin-file "$HSM_PIN_FILE" -b sha256 -o tokk.json ukik.efi
run 0 "" "token: verify it (.pcrpkey is the token's key)" \
	igos-measure verify -P tok.pub tokk.json ukik.efi
run 1 "igos-measure: 'ukik.efi': its .pcrpkey is not the public key of 'key.pem'" \
	"sign: a file key for a UKI whose .pcrpkey is the token's key is refused" \
	igos-measure sign -k key.pem -b sha256 -o filek.json ukik.efi
# the offline flow does not look at .pcrpkey: verify is the check there
run 1 "igos-measure: 'ukik.efi': its .pcrpkey is not the public key 'pub.pem'" \
	"verify: a .pcrsig by another key than the UKI's .pcrpkey is refused" \
	sh -c 'igos-measure policy-digest -P pub.pem -b sha256 -o filek.pd ukik.efi &&
		igos-measure sign -k key.pem --policy-digest filek.pd -o filek.json &&
		igos-measure verify -P pub.pem filek.json ukik.efi'

# PKCS#1 v1.5 is deterministic: the file key imported into the token and
# used there (C_Sign) gives systemd's file-key .pcrsig byte for byte
ok "import key.pem into the token" softhsm2-util --import key.pem --token igos-test \
	--label imported --id 10 --pin "$HSM_PIN"
run 0 "" "sign with the imported key via pkcs11:" igos-measure sign \
	-k "$HSM_URI;object=imported;type=private" --pin-file "$HSM_PIN_FILE" -o imp.json uki.efi
same sm1.json imp.json "token signature: the .pcrsig is byte for byte systemd-measure's"

# EC keys cannot make a policy systemd checks
run 1 "igos-measure: 'ec.pem': a PCR policy needs an RSA key: systemd's TPM-side check uses RSASSA" \
	"an EC file key is refused" igos-measure sign -k ec.pem -o ec.json uki.efi
ok "no output for a refused key" test ! -e ec.json
run 1 "igos-measure: '$HSM_URI;object=p256;type=private': a PCR policy needs an RSA key: systemd's TPM-side check uses RSASSA" \
	"an EC token key is refused" igos-measure sign -k "$HSM_URI;object=p256;type=private" \
	--pin-file "$HSM_PIN_FILE" uki.efi
chmod 644 key.pem
run 1 "*" "a key file others can read is refused" igos-measure sign -k key.pem -o x.json uki.efi
ok "... with a message naming it" sh -c "grep -q \"^igos-measure: .*key.pem\" err"
chmod 600 key.pem
printf 'old\n' > kept.json
run 1 "igos-measure: 'nope.efi': not a PE/COFF image (no MZ header)" "sign a non-PE" \
	sh -c 'printf "nope" > nope.efi; igos-measure sign -k key.pem -o kept.json nope.efi'
is "$(cat kept.json)" "old" "a failed sign leaves the old output as it was"
done_testing
