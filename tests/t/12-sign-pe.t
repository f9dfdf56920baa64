#!/bin/sh
# igos-sign sign on PE images: the result verifies with sbverify --cert,
# osslsigncode verify -CAfile and igos-sign verify, is listed by pesign -S;
# RSA 2048/3072/4096 work, EC and Ed25519 keys are refused; outputs are atomic.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need python3 sbverify osslsigncode pesign
snakeoil_keys

peers_accept() { # FILE CERT DESC
	ok "$3: sbverify --cert" sbverify --cert "$2" "$1"
	ok "$3: osslsigncode verify -CAfile" osslsigncode verify -CAfile "$2" -in "$1"
	is "$(pesign_count "$1")" 1 "$3: pesign -S lists one signature"
	run 0 "" "$3: igos-sign verify -c" "$S" verify -c "$2" "$1"
}

$MKPE make a.efi --trailing 5
digest=$("$S" hash a.efi)
run 0 "" "sign with the snakeoil key to -o" "$S" sign -k so.key -c so.crt -o a.signed a.efi
peers_accept a.signed so.crt "snakeoil"
is "$("$S" hash a.signed)" "$digest" "the digest is unchanged by signing"

for bits in 2048 3072 4096; do
	rsa_cert r$bits $bits
	$MKPE make r$bits.efi --pe32 --trailing 3 --seed $bits
	run 0 "" "sign with RSA-$bits" "$S" sign -k r$bits.key -c r$bits.crt -o r$bits.signed r$bits.efi
	peers_accept r$bits.signed r$bits.crt "RSA-$bits"
done

# EC and Ed25519: OVMF and shim build OpenSSL without EC
(umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key 2>/dev/null \
	&& openssl genpkey -algorithm ED25519 -out ed.key 2>/dev/null)
openssl req -x509 -new -key ec.key -subj /CN=ec -out ec.crt 2>/dev/null
openssl req -x509 -new -key ed.key -subj /CN=ed -out ed.crt 2>/dev/null
run 1 "igos-sign: 'ec.key': cannot sign a PE image with an EC key: UEFI firmware and shim accept only RSA" \
	"an EC key is refused for PE" "$S" sign -k ec.key -c ec.crt -o ec.out a.efi
run 1 "igos-sign: 'ed.key': cannot sign a PE image with an Ed25519 key: UEFI firmware and shim accept only RSA" \
	"an Ed25519 key is refused for PE" "$S" sign -k ed.key -c ed.crt -o ed.out a.efi
rsa_cert r1024 1024
run 1 "igos-sign: key 'r1024.key': RSA-1024 is not supported (2048 to 4096 bits)" \
	"RSA-1024 is refused" "$S" sign -k r1024.key -c r1024.crt -o r1024.out a.efi
nok "no output for refused keys" test -e ec.out -o -e ed.out -o -e r1024.out

# in place: FILE replaced atomically, its mode kept
cp a.efi inplace.efi && chmod 0640 inplace.efi
run 0 "" "sign in place" "$S" sign -k so.key -c so.crt inplace.efi
same inplace.efi a.signed "in place gives the same bytes as -o"
is "$(stat -c %a inplace.efi)" 640 "the file's mode is kept"
no_temps . "no temporary file left"

# stdout and stdin
run 0 "" "sign to stdout" sh -c "'$S' sign -k so.key -c so.crt -o - a.efi >stdout.efi"
same stdout.efi a.signed "-o - writes the signed image to stdout"
run 0 "" "sign from a pipe to stdout" sh -c "cat a.efi | '$S' sign -k so.key -c so.crt -o - - >pipe.efi"
same pipe.efi a.signed "a piped image is signed the same"

# a failure leaves the target as it was
cp a.efi keep.efi
run 1 "igos-sign: cannot open 'nokey': No such file or directory" "a missing key fails" \
	"$S" sign -k nokey -c so.crt keep.efi
same keep.efi a.efi "the target is untouched after a failure"
no_temps . "no temporary file after a failure"

# a real EFI binary from Debian, with a COFF symbol table as trailing data
if [ -r /usr/lib/systemd/boot/efi/linuxx64.efi.stub ]; then
	run 0 "" "sign systemd's stub" "$S" sign -k so.key -c so.crt -o stub.signed \
		/usr/lib/systemd/boot/efi/linuxx64.efi.stub
	peers_accept stub.signed so.crt "systemd stub"
else
	skip "systemd-boot-efi missing (make deps)" "sign systemd's stub"
fi
done_testing
