#!/bin/sh
# No message ever shows a PIN: a key or certificate reference refused with a
# pin-value (for itself, for a broken escape, or as a file name) is shown with
# the value elided, by every command that takes one; what a --pin-file or a
# pin-source= file holds is never echoed, whatever is wrong with it.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/softhsm.sh"
. "$TESTLIB/sign.sh"
. "$TESTLIB/index.sh"
softhsm_token
need openssl python3
SECRET=s3cr3tPIN
U="$HSM_URI;object=rsa2048"
CRT=$HSM_DIR/rsa2048.crt

# nopin DESC STATUS COMMAND...: fails with STATUS, one line on stderr, no PIN in it
nopin() {
	_d=$1 _st=$2; shift 2
	"$@" >out 2>err <a.efi
	_rc=$?
	if [ "$_rc" -ne "$_st" ]; then
		_tap_result 1 "$_d"; diag "exit status $_rc, expected $_st" "stderr: $(cat err)"
	elif grep -q "$SECRET\|3tPIN\|s3cr3" err; then
		_tap_result 1 "$_d"; diag "the PIN is in: $(cat err)"
	elif [ "$(wc -l <err)" -ne 1 ]; then
		_tap_result 1 "$_d"; diag "not one line: $(cat err)"
	elif ! grep -q "pkcs11\|PKCS11\|PIN\|pin-value\|aaaaaaaaaa\|\.pin'" err; then
		_tap_result 1 "$_d"; diag "not about the reference: $(cat err)"
	else
		_tap_result 0 "$_d"
	fi
}

long=$(head -c 1100 /dev/zero | tr '\0' a)
$MKPE make a.efi
idx_keys
idx_mkcert c.cert

# the exact lines, for igos-sign
run 1 "igos-sign: invalid pkcs11 URI '$U;pin-value=...;id=%zz': URI encoding invalid or corrupted" \
	"a bad escape: the URI is shown, its pin-value elided" \
	igos-sign sign -k "$U;pin-value=$SECRET;id=%zz" -c "$CRT" -o x.efi a.efi
run 1 "igos-sign: invalid pkcs11 URI '$U;pin-value=...;id=%zz': URI syntax is invalid" \
	"a PIN holding separators is elided whole" \
	igos-sign sign -k "$U;pin-value=s3:cr;3t&PIN;id=%zz" -c "$CRT" -o x.efi a.efi
run 1 "igos-sign: invalid pkcs11 URI '$U;PIN%2DVALUE=...;id=%zz': URI encoding invalid or corrupted" \
	"an attribute name in capitals or escaped is still a PIN" \
	igos-sign sign -k "$U;PIN%2DVALUE=$SECRET;id=%zz" -c "$CRT" -o x.efi a.efi
run 1 "igos-sign: pin-value in a pkcs11 URI is refused: use pin-source= or --pin-file" \
	"a well-formed pin-value is refused without echoing it" \
	igos-sign sign -k "$U?pin-value=$SECRET" -c "$CRT" -o x.efi a.efi
run 1 "igos-sign: cannot open 'PKCS11:token=igos-test;pin-value=...': No such file or directory" \
	"a reference taken as a file name shows no PIN either" \
	igos-sign sign -k "PKCS11:token=igos-test;pin-value=$SECRET" -c "$CRT" -o x.efi a.efi
run 1 "igos-sign: invalid pkcs11 URI 'pkcs11:token=igos-test;type=cert;pin-value=...;id=%zz': URI encoding invalid or corrupted" \
	"a certificate reference" \
	igos-sign verify -c "pkcs11:token=igos-test;type=cert;pin-value=$SECRET;id=%zz" a.efi
nopin "a reference holding a backslash and a control byte before its PIN" 1 \
	igos-sign sign -k "$(printf 'PKCS11:a\\b\033c;pin-value=%s' "$SECRET")" -c "$CRT" -o x.efi a.efi
nopin "a reference too long for the message is cut before its PIN" 1 \
	igos-sign sign -k "/tmp/$long;pin-value=$SECRET" -c "$CRT" -o x.efi a.efi
nopin "a URI too long for the message is cut before its PIN" 1 \
	igos-sign sign -k "pkcs11:token=$long;pin-value=$SECRET;id=%zz" -c "$CRT" -o x.efi a.efi

# every command that takes a key or a certificate
head -c 4096 /dev/urandom >linux
igos-index-sign build -o db linux
printf '%064d\n' 0 | tr 0 a >root.hex
for kind in escape value file; do
	case $kind in
	escape) ref="$U;pin-value=$SECRET;id=%zz" ;;
	value) ref="$U?pin-value=$SECRET" ;;
	file) ref="PKCS11:token=x;pin-value=$SECRET" ;;
	esac
	nopin "igos-sign sign -k ($kind)" 1 igos-sign sign -k "$ref" -c "$CRT" -o x.efi a.efi
	nopin "igos-sign list -c ($kind)" 1 igos-sign list -c "$ref" a.efi
	nopin "igos-verity sign -k ($kind)" 1 igos-verity sign -k "$ref" -c "$CRT" -o r.p7s \
		"$(cat root.hex)"
	nopin "igos-verity sign -c ($kind)" 1 igos-verity sign -k "$U" -c "$ref" \
		--pin-file "$HSM_PIN_FILE" -o r.p7s "$(cat root.hex)"
	nopin "igos-measure sign -k ($kind)" 1 igos-measure sign -k "$ref" -b sha256 --linux linux \
		-o p.json
	nopin "igos-ukify build --pcr-key ($kind)" 1 igos-ukify build --linux linux \
		--pcr-key "$ref" -o u.efi
	nopin "igos-index-sign sign --key ($kind)" 1 igos-index-sign sign --key "$ref" \
		--cert c.cert --repo core --arch x86_64 --version 1 \
		--now 2026-06-02T00:00:00Z -o s.sig db
	[ $kind = file ] && continue
	nopin "igos-mok new -k ($kind)" 1 igos-mok new -k "$ref" -c mok.der
	nopin "igos-index-sign certify --subkey ($kind)" 1 igos-index-sign certify \
		--master-key "$U" --pin-file "$HSM_PIN_FILE" --subkey "$ref" --serial 1 \
		--scope "core x86_64" --not-after 2030-01-01T00:00:00Z -o c2.cert
done

# what a PIN file holds is never echoed
(umask 077 && printf '%s\n' "$SECRET" >wrong.pin)
nopin "a wrong PIN from --pin-file" 1 \
	igos-sign sign -k "$U" -c "$CRT" --pin-file wrong.pin -o x.efi a.efi
is "$(cat err)" "igos-sign: token 'igos-test': wrong PIN" "and says only that it is wrong"
(umask 077 && printf '%s\n%s\n' "$SECRET" "$SECRET" >two.pin)
nopin "a PIN file of two lines" 1 \
	igos-sign sign -k "$U" -c "$CRT" --pin-file two.pin -o x.efi a.efi
(umask 077 && head -c 300 /dev/zero | tr '\0' x >long.pin && printf '%s\n' "$SECRET" >>long.pin)
nopin "a PIN file too long" 1 \
	igos-sign sign -k "$U" -c "$CRT" --pin-file long.pin -o x.efi a.efi
printf '%s\n' "$SECRET" >open.pin
chmod 644 open.pin
nopin "a PIN file others may read" 1 \
	igos-sign sign -k "$U" -c "$CRT" --pin-file open.pin -o x.efi a.efi
nopin "a pin-source= file holding a wrong PIN" 1 \
	igos-sign sign -k "$U?pin-source=wrong.pin" -c "$CRT" -o x.efi a.efi
nopin "igos-verity with a wrong PIN file" 1 \
	igos-verity sign -k "$U" -c "$CRT" --pin-file wrong.pin -o r.p7s "$(cat root.hex)"
done_testing
