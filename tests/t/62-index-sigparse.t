#!/bin/sh
# Every malformed .sig the verifier must refuse, each with its exact error
# line, and the state left as it was.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/index.sh"
idx_keys
idx_pkgs 2
$SIGN build -o db pkgs/*
idx_mkcert sub.cert
idx_mksig sub.cert db good.sig
idx_state st core
cp st/core.state state.orig
V="$VERIFY verify --trust master.pub --state st --repo core --arch x86_64 --now 2026-06-02T00:00:00Z db"
E="igos-index-verify: bad signature file 'bad.sig':"

run 0 "*" "the unmodified .sig is accepted (control)" $V good.sig
cp state.orig st/core.state

# bad SED-SCRIPT 'message' 'description': good.sig edited by sed
bad() {
	sed "$1" good.sig >bad.sig
	run 1 "$E $2" "$3" $V bad.sig
}
# badf 'message' 'description': bad.sig made by the caller
badf() {
	run 1 "$E $1" "$2" $V bad.sig
}

run 1 "igos-index-verify: cannot open 'db.sig': No such file or directory" "missing .sig" $V
: >bad.sig; badf "empty signature file" "empty .sig"
head -c 300 good.sig >bad.sig
badf "truncated signature file: no newline at the end of line $(($(wc -l <bad.sig) + 1))" \
	"truncated inside a line"
head -n 12 good.sig >bad.sig; badf "line 13: missing field 'created'" "truncated at a line end"
head -n 16 good.sig >bad.sig; badf "line 17: missing field 'sig'" "the sig line missing"
{ cat good.sig; echo x; } >bad.sig; badf "line 18: trailing data after the 'sig' field" "trailing line"
{ cat good.sig; printf '\n'; } >bad.sig; badf "line 18: trailing data after the 'sig' field" "trailing empty line"
{ cat good.sig; printf 'x'; } >bad.sig
badf "truncated signature file: no newline at the end of line 18" "trailing bytes without newline"
sed 's/$/\r/' good.sig >bad.sig; badf "line 1: carriage return" "CRLF line ends"
{ head -n 9 good.sig; printf 'repo: co\000re\n'; tail -n 7 good.sig; } >bad.sig
badf "line 10: NUL byte" "a NUL byte"
bad 's/^repo: core/repo: cöre/' "line 10: control or non-ASCII byte 0xc3" "a non-ASCII byte"
bad 's/^repo: core/repo:\tcore/' "line 10: control or non-ASCII byte 0x09" "a tab"
long=$(head -c 1100 /dev/zero | tr '\0' a)
bad "s/^cert-scope: core x86_64/cert-scope: core $long/" "line 6: longer than 1024 bytes" \
	"an over-long line"
{ cat good.sig; i=0; while [ $i -lt 100 ]; do echo "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; i=$((i + 1)); done; } >bad.sig
run 1 "igos-index-verify: cannot read 'bad.sig': larger than 8192 bytes" "a .sig over 8 KiB" $V bad.sig

bad '1s/.*/igos-index-sig v2/' "line 1: unsupported format version 'igos-index-sig v2'" \
	"another format version"
bad '1s/.*/-----BEGIN PGP SIGNATURE-----/' "line 1: bad magic (not 'igos-index-sig v1')" \
	"wrong magic"
bad '10s/.*/colour: blue/' "line 10: unknown field 'colour'" "an unknown field"
bad '11p' "line 12: duplicate field 'arch'" "a duplicate field (the same line twice)"
bad '10s/.*/arch: x86_64/' "line 10: missing field 'repo'" "a field replaced by another"
bad '11s/.*/repo: core/' "line 11: duplicate field 'repo'" "a field repeated later"
bad '10d' "line 10: missing field 'repo'" "a missing field"
{ sed -n 1,9p good.sig; sed -n 11p good.sig; sed -n 10p good.sig; sed -n '12,$p' good.sig; } >bad.sig
badf "line 10: field 'arch' out of order" "reordered fields"
bad 's/^version: 10/version:  10/' "line 12: stray whitespace" "two spaces after the colon"
bad 's/^version: 10/version: 10 /' "line 12: stray whitespace" "a trailing space"
bad 's/^version: 10/version :10/' "line 12: stray whitespace" "a space before the colon"
bad 's/^version: 10/ version: 10/' "line 12: stray whitespace" "a leading space"
bad 's/^version: 10/version:10/' "line 12: want 'version: value'" "no space after the colon"
bad 's/^version: 10/version: 010/' "line 12: invalid number '010'" "a leading zero"
bad 's/^version: 10/version: +10/' "line 12: invalid number '+10'" "a sign"
bad 's/^version: 10/version: -1/' "line 12: invalid number '-1'" "a negative number"
bad 's/^version: 10/version: 18446744073709551616/' \
	"line 12: number out of range '18446744073709551616'" "a number over 2^64-1"
bad 's/^index-size: .*/index-size: 99999999999999999999/' \
	"line 15: number out of range '99999999999999999999'" "an index-size over 2^64-1"
bad 's/^version: 10/version: 0x10/' "line 12: invalid number '0x10'" "hex for decimal"
bad 's/^cert-serial: 3/cert-serial: 0/' "line 3: must not be 0" "serial 0"
bad 's/^created: .*/created: 2026-06-01T12:00:00+00:00/' \
	"line 13: invalid time '2026-06-01T12:00:00+00:00' (want YYYY-MM-DDThh:mm:ssZ)" \
	"a time with an offset, not Z"
bad 's/^created: .*/created: 2026-06-01T12:00:00z/' \
	"line 13: invalid time '2026-06-01T12:00:00z' (want YYYY-MM-DDThh:mm:ssZ)" "a lowercase z"
bad 's/^created: .*/created: 2026-06-01T12:00:00.5Z/' \
	"line 13: invalid time '2026-06-01T12:00:00.5Z' (want YYYY-MM-DDThh:mm:ssZ)" "fractions"
bad 's/^expires: .*/expires: 2026-02-30T12:00:00Z/' "line 14: impossible time '2026-02-30T12:00:00Z'" \
	"an impossible date"
bad 's/^expires: .*/expires: 2026-06-08T24:00:00Z/' "line 14: impossible time '2026-06-08T24:00:00Z'" \
	"an impossible hour"
bad 's/^cert-not-after: .*/cert-not-after: 2025-01-01T00:00:00Z/' \
	"line 8: cert-not-after is not after cert-not-before" "an empty certificate window"
bad 's/^index-sha256: \(.*\)/index-sha256: \1a/' "line 16: wrong length of a hex value" \
	"65 hex digits"
bad 's/^index-sha256: \(.\)/index-sha256: A/' "line 16: not lowercase hex" "uppercase hex"
bad 's/^cert-master: .*/cert-master: 0123456789abcdeg/' "line 2: not lowercase hex" "a non-hex digit"
bad 's/^repo: core/repo: ..\/etc/' "line 10: invalid name" "a path as repo"

# base64, keys and signatures
bad 's/^sig: \(.*\)=*$/sig: \1=/' "line 17: invalid base64" "base64 of a wrong length"
sig65=$( { sed -n 's/^sig: //p' good.sig | openssl base64 -d -A; printf 'x'; } | openssl base64 -A)
bad "s|^sig: .*|sig: $sig65|" "line 17: signature is 65 bytes, expected 64" \
	"a signature of 65 bytes"
bad 's/^cert-pubkey: .*/cert-pubkey: AAB=/' "line 5: invalid base64" \
	"non-canonical base64 (unused bits set)"
bad 's/^cert-pubkey: \(.*\)/cert-pubkey: \1 /' "line 5: stray whitespace" "whitespace in base64"
pub33=$(head -c 33 /dev/zero | openssl base64 -A)
bad "s|^cert-pubkey: .*|cert-pubkey: $pub33|" "line 5: public key is 33 bytes, expected 65" \
	"a compressed-length P-256 key"
pub65=$( { printf '\002'; head -c 64 /dev/zero; } | openssl base64 -A)
bad "s|^cert-pubkey: .*|cert-pubkey: $pub65|" "line 5: not an uncompressed P-256 point" \
	"a P-256 key without the 04 prefix"
bad 's/^cert-alg: .*/cert-alg: rsa-pkcs1-sha256/' "line 4: algorithm not allowed" "RSA"
bad 's/^cert-alg: .*/cert-alg: ed25519/' "line 5: public key is 65 bytes, expected 32" \
	"a P-256 key declared Ed25519"
bad 's/^cert-alg: .*/cert-alg: ECDSA-P256-SHA256/' "line 4: algorithm not allowed" \
	"the algorithm name in another case"
zero32=$(head -c 32 /dev/zero | xxd -p | tr -d '\n')
s_hex=$(sed -n 's/^sig: //p' good.sig | openssl base64 -d -A | xxd -p | tr -d '\n' | cut -c65-128)
r0=$(printf '%s%s' "$zero32" "$s_hex" | xxd -r -p | openssl base64 -A)
bad "s|^sig: .*|sig: $r0|" "line 17: ECDSA r or s out of range" "ECDSA r = 0"
n_hex=ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551
sn=$(printf '%s%s' "$s_hex" "$n_hex" | xxd -r -p | openssl base64 -A)
bad "s|^sig: .*|sig: $sn|" "line 17: ECDSA r or s out of range" "ECDSA s = n"
ff=$(printf '%0128d' 0 | tr 0 f | xxd -r -p | openssl base64 -A)
bad "s|^sig: .*|sig: $ff|" "line 17: ECDSA r or s out of range" "ECDSA r, s > n"
sed -n '1,16p' good.sig >hdr
openssl dgst -sha256 -sign p256.pem -out hdr.der hdr
der=$(openssl base64 -A -in hdr.der)
bad "s|^sig: .*|sig: $der|" "line 17: signature is $(wc -c <hdr.der | tr -d ' ') bytes, expected 64" \
	"a DER signature where raw r||s is expected"
same st/core.state state.orig "no refused .sig changed the state"
done_testing
