#!/bin/sh
# Kernel module signatures: byte-identical to Debian's sign-file for the same
# key and module; verify, list, remove; an already signed module is refused
# unless --replace.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need cc
[ -x "$SIGNFILE" ] || skip_all "$SIGNFILE missing (make deps: linux-kbuild-6.1)"
snakeoil_keys

# a relocatable ELF object stands in for a .ko: sign-file and the kernel's
# trailer do not depend on the module's contents
printf 'int f(void) { return 42; }\nint g[1000] = { 1 };\n' >m.c
cc -c m.c -o m.ko

for k in so r2048 r4096; do
	[ $k = so ] || rsa_cert $k ${k#r}
	cp m.ko ref-$k.ko
	"$SIGNFILE" sha256 $k.key $k.crt ref-$k.ko
	run 0 "" "sign a module with $k" "$S" sign -k $k.key -c $k.crt -o igos-$k.ko m.ko
	same igos-$k.ko ref-$k.ko "byte-identical to sign-file ($k)"
	run 0 "" "verify it against its cert ($k)" "$S" verify -c $k.crt igos-$k.ko
done
openssl x509 -in so.crt -outform DER -out so.der
cp m.ko ref-der.ko && "$SIGNFILE" sha256 so.key so.der ref-der.ko
run 0 "" "sign with a DER certificate" "$S" sign -k so.key -c so.der -o igos-der.ko m.ko
same igos-der.ko ref-der.ko "byte-identical to sign-file with a DER certificate"

run 1 "igos-sign: 'igos-so.ko': not verified: signature 1: signature not valid: signer certificate not found" \
	"another certificate does not verify" "$S" verify -c r2048.crt igos-so.ko
run 2 "igos-sign: verify: a module signature carries no certificate: give -c CERT" \
	"verify of a module needs -c" "$S" verify igos-so.ko
cp ref-so.ko tampered.ko && printf 'X' | dd of=tampered.ko bs=1 seek=100 conv=notrunc 2>/dev/null
run 1 "igos-sign: 'tampered.ko': not verified: signature 1: signature not valid: bad signature" \
	"a changed module does not verify" "$S" verify -c so.crt tampered.ko

ser=$(openssl x509 -in so.crt -noout -serial | sed 's/^serial=//')
iss=$(openssl x509 -in so.crt -noout -issuer -nameopt oneline,-esc_msb | sed 's/^issuer=//')
run 0 "" "list a signed module" "$S" list ref-so.ko
is "$OUT" "1: subject=(certificate not included); issuer=$iss; serial=$ser; digest=sha256; key=RSA" \
	"list names issuer and serial (module signatures carry no certificate)"
subj=$(openssl x509 -in so.crt -noout -subject -nameopt oneline,-esc_msb | sed 's/^subject=//')
run 0 "" "list with -c finds the signer's certificate" "$S" list -c so.crt ref-so.ko
is "$OUT" "1: subject=$subj; issuer=$iss; serial=$ser; digest=sha256; key=RSA-2048" \
	"list -c shows the subject and key"

run 1 "igos-sign: 'ref-so.ko': module is already signed (--replace signs it again)" \
	"an already signed module is refused" "$S" sign -k r2048.key -c r2048.crt -o again.ko ref-so.ko
nok "no output for the refused module" test -e again.ko
run 0 "" "--replace signs it again" "$S" sign --replace -k r2048.key -c r2048.crt -o again.ko ref-so.ko
same again.ko ref-r2048.ko "the replaced signature is the new key's, the old one gone"
run 0 "" "remove the signature" "$S" remove --all -o plain.ko ref-so.ko
same plain.ko m.ko "removing gives the unsigned module back"
run 1 "igos-sign: 'plain.ko': not signed" "verify of an unsigned module" "$S" verify -c so.crt plain.ko

cp m.ko inplace.ko && chmod 0600 inplace.ko
run 0 "" "sign a module in place" "$S" sign -k so.key -c so.crt inplace.ko
same inplace.ko ref-so.ko "in place gives the same bytes"
is "$(stat -c %a inplace.ko)" 600 "its mode is kept"

(umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key 2>/dev/null)
openssl req -x509 -new -key ec.key -subj /CN=ec -out ec.crt
run 1 "igos-sign: 'ec.key': cannot sign a module with an EC key: the kernel's module keys are RSA" \
	"EC keys are refused for modules" "$S" sign -k ec.key -c ec.crt -o ec.ko m.ko
cp m.ko ecref.ko && "$SIGNFILE" sha256 ec.key ec.crt ecref.ko
run 1 "igos-sign: 'ecref.ko': not verified: signature 1: signer key is EC-prime256v1: the kernel verifies RSA module signatures only" \
	"a module sign-file signed with an EC key does not verify (Debian's kernel has no ECDSA)" \
	"$S" verify -c ec.crt ecref.ko

# trailer checks, as the kernel does them
cp ref-so.ko badid.ko
sz=$(wc -c <badid.ko)
printf '\001' | dd of=badid.ko bs=1 seek=$((sz - 40 + 2)) conv=notrunc 2>/dev/null
run 1 "igos-sign: 'badid.ko': module signature is not a plain PKCS#7 one (id_type 1)" \
	"a trailer with another id_type is refused" "$S" verify -c so.crt badid.ko
# algo, hash, signer_len, key_id_len and the three pad bytes must be zero (the
# kernel's mod_check_sig refuses the trailer otherwise): each one set alone
for off in 0 1 3 4 5 6 7; do
	cp ref-so.ko info$off.ko
	printf '\001' | dd of=info$off.ko bs=1 seek=$((sz - 40 + off)) conv=notrunc 2>/dev/null
	run 1 "igos-sign: 'info$off.ko': module signature is not a plain PKCS#7 one (id_type 2)" \
		"a trailer with byte $off of its info set is refused" "$S" verify -c so.crt info$off.ko
done
cp ref-so.ko badlen.ko
printf '\177\377\377\377' | dd of=badlen.ko bs=1 seek=$((sz - 40 + 8)) conv=notrunc 2>/dev/null
run 1 "igos-sign: 'badlen.ko': module signature length 2147483647 overflows the file" \
	"a signature length past the file is refused" "$S" list badlen.ko
done_testing
