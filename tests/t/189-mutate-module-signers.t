#!/bin/sh
# A module signature with two signers (made by openssl cms, as sign-file makes
# one with one): igos-sign refuses it by name, with both certificates given
# too. The kernel is content with one trusted signer of several; igos-sign
# takes a module signature of exactly one signer, as it makes them.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need cc python3
snakeoil_keys
rsa_cert r2048 2048

printf 'int f(void) { return 42; }\n' >m.c
cc -c m.c -o m.ko

# modsig FILE P7: FILE is m.ko with the DER P7 appended as a module signature
modsig() {
	python3 - m.ko "$2" "$1" <<'PY'
import struct, sys
m = open(sys.argv[1], "rb").read()
s = open(sys.argv[2], "rb").read()
trailer = struct.pack(">BBBBB3xI", 0, 0, 2, 0, 0, len(s)) + b"~Module signature appended~\n"
open(sys.argv[3], "wb").write(m + s + trailer)
PY
}

openssl cms -sign -binary -noattr -nocerts -outform DER -md sha256 -in m.ko -out one.p7 \
	-signer so.crt -inkey so.key
openssl cms -sign -binary -noattr -nocerts -outform DER -md sha256 -in m.ko -out two.p7 \
	-signer so.crt -inkey so.key -signer r2048.crt -inkey r2048.key
modsig one.ko one.p7
modsig two.ko two.p7

run 0 "" "one signer made by openssl cms verifies" "$S" verify -c so.crt one.ko
run 1 "igos-sign: 'two.ko': not verified: signature 1: 2 signers in one module signature: igos takes exactly one" \
	"two signers, both certificates given: refused by name" \
	"$S" verify -c so.crt -c r2048.crt two.ko
run 1 "igos-sign: 'two.ko': not verified: signature 1: signature not valid: signer certificate not found" \
	"two signers, one certificate given: the other signer is not found" \
	"$S" verify -c so.crt two.ko
run 0 "" "list shows the first signer" "$S" list two.ko
case $OUT in
"1: subject=(certificate not included); issuer="*"; digest=sha256; key=RSA") pass=0 ;;
*) pass=1 ;;
esac
ok "list: one line for the signature" test $pass = 0
done_testing
