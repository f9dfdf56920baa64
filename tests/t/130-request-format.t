#!/bin/sh
# Signing requests (igos-sign show-request, sign-request, attach; file keys):
# the request is read strictly, each fault one exact line; what show-request
# says is what the file commits to; a key of another kind or another key is
# refused before anything is signed; usage errors exit 2.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need python3 openssl
rsa_cert k 2048
rsa_cert k2 2048
$MKPE make a.efi --trailing 5
(umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key 2>/dev/null)
openssl req -x509 -new -key ec.key -subj "/CN=ec" -days 30 -out ec.crt 2>/dev/null

run 0 "" "sign --request-out writes a request and nothing else" \
	"$S" sign --request-out a.req -c k.crt a.efi
same a.efi "$(ls a.efi)" "the image is untouched"
is "$(head -n 1 a.req)" "igos-request v1" "the request starts with its magic line"
is "$(sed -n 's/^kind: //p' a.req)" "pe" "kind pe"
is "$(sed -n 's/^sha256: //p' a.req)" "$(sha256sum <a.efi | cut -c1-64)" "sha256 is the file's"
is "$(sed -n 's/^size: //p' a.req)" "$(wc -c <a.efi | tr -d ' ')" "size is the file's"
is "$(sed -n 's/^digest: //p' a.req)" "$("$S" hash a.efi)" "digest is the Authenticode digest"
keyhash=$(openssl x509 -in k.crt -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64)
is "$(sed -n 's/^key: //p' a.req)" "$keyhash" "key is the SHA-256 of the certificate's public key"
attrs_h=$(sed -n 's/^attrs: //p' a.req | base64 -d | sha256sum | cut -c1-64)
is "$(sed -n 's/^sign: //p' a.req)" "sha256:$attrs_h" "what is signed is the hash of the signed attributes"

run 0 "" "show-request reads it" "$S" show-request a.req
is "$(printf '%s\n' "$OUT" | head -n 1)" \
	"'a.req': asks for an Authenticode signature of the PE image 'a.efi'" "show-request: what"
is "$(printf '%s\n' "$OUT" | sed -n 's/^  digest:  //p')" "Authenticode SHA-256 $("$S" hash a.efi)" \
	"show-request: the digest"
is "$(printf '%s\n' "$OUT" | sed -n 's/^  key:     //p')" "RSA-2048, public key SHA-256 $keyhash" \
	"show-request: the key"

# ---- the parser: one line per fault ----
bad() { # EXPECTED-AFTER-NAME DESCRIPTION SED-SCRIPT
	sed "$3" a.req >bad.req
	run 1 "igos-sign: 'bad.req': $1" "$2" "$S" show-request bad.req
}
bad "not an igos request (no 'igos-request v1' line)" "wrong magic" '1s/v1/v2/'
bad "line 2: expected 'kind:'" "reordered fields" '2{h;d};3G'
bad "line 2: unknown kind" "unknown kind" 's/^kind: pe/kind: elf/'
bad "line 2: 'kind' is not 'name: value'" "two spaces" 's/^kind: /kind:  /'
bad "line 3: bad file name (letters, digits and ._+-@=,~ only)" "a path in file" \
	's/^file: a.efi/file: d\/a.efi/'
bad "line 4: bad size" "a size with a leading zero" 's/^size: /size: 0/'
bad "line 5: sha256 is not 64 lowercase hex digits" "upper-case hex" 's/^sha256: \(.\)/sha256: F/'
bad "line 6: unknown alg" "unknown alg" 's/^alg: .*/alg: rsa-pss/'
bad "line 10: attrs is not canonical base64" "base64 not canonical" 's/^attrs: \(.*\)/attrs: \1A/'
bad "line 2: a byte that is not printable ASCII" "CRLF line ends" '2,$s/$/\r/'
bad "line 12: unexpected field" "a field after the last" '$a\
extra: 1'
bad "inconsistent request: key is not the hash of the certificate's public key" \
	"a key hash that is not the certificate's" 's/^key: 0/key: Z/;s/^key: [^Z]/key: 0/;s/^key: Z/key: 1/'
bad "inconsistent request: sign is not the SHA-256 of attrs" "sign is not over attrs" \
	's/^sign: sha256:./sign: sha256:0/;s/^sign: sha256:00/sign: sha256:11/'
bad "inconsistent request: a pe request signs one item" "two items for a PE image" '$p'
bad "inconsistent request: alg is not the key's algorithm" "alg of another key kind" \
	's/^alg: .*/alg: ed25519/'
head -c -1 a.req >bad.req
run 1 "igos-sign: 'bad.req': line 11: no newline at the end" "no final newline" \
	"$S" show-request bad.req
: >bad.req
run 1 "igos-sign: 'bad.req': not an igos request (no 'igos-request v1' line)" "an empty file" \
	"$S" show-request bad.req
head -c 70000 /dev/zero | tr '\0' a >bad.req
run 1 "igos-sign: cannot read 'bad.req': larger than 65536 bytes" "an over-long file" \
	"$S" show-request bad.req

# ---- signing and attaching with a file key (the token flow is 131) ----
mkdir room && cp a.req room/
run 0 "" "sign-request writes the signature beside the request" "$S" sign-request -k k.key room/a.req
ok "room/a.sig exists" test -s room/a.sig
run 0 "" "attach" "$S" attach -r a.req -s room/a.sig -o a.signed a.efi
run 0 "" "sign directly" "$S" sign -k k.key -c k.crt -o direct.efi a.efi
same a.signed direct.efi "attached = signed directly, byte for byte"

run 1 "igos-sign: 'room/a.req': the request is for another key (SHA-256 $(printf %.16s "$keyhash")...), not 'k2.key'" \
	"sign-request refuses a request for another key" "$S" sign-request -k k2.key room/a.req
run 1 "igos-sign: 'ec.crt': cannot sign a PE image with an EC key: UEFI firmware and shim accept only RSA" \
	"--request-out refuses a key of a kind the firmware does not take" \
	"$S" sign --request-out ec.req -c ec.crt a.efi
nok "no request written for it" test -e ec.req
"$S" sign --request-out k2.req -c k2.crt a.efi
cp k2.req room/
rm -f room/*.sig
run 1 "igos-sign: 'room/k2.req': the request is for another key (SHA-256 $(sed -n 's/^key: //p' k2.req | cut -c1-16)...), not 'k.key'" \
	"one request of another key: nothing signed at all" "$S" sign-request -k k.key room/a.req room/k2.req
nok "no signature for either" test -e room/a.sig -o -e room/k2.sig
mkdir sigs
run 0 "" "several requests, -o a directory" "$S" sign-request -k k.key -o sigs room/a.req
ok "the signature is named after the request" test -s sigs/a.sig

# ---- usage ----
run 2 "igos-sign: sign-request: -k KEY is required" "sign-request without -k" \
	"$S" sign-request room/a.req
run 2 "igos-sign: show-request: expected one or more REQ operands" "show-request without REQ" \
	"$S" show-request
run 2 "igos-sign: attach: -r REQ and -s SIG are required" "attach without -s" \
	"$S" attach -r a.req a.efi
run 2 "igos-sign: sign: --request-out writes a request, not a signature: no -k or -o" \
	"--request-out with -k" "$S" sign --request-out x.req -k k.key -c k.crt a.efi
run 2 "igos-sign: sign: --request-out needs -c CERT" "--request-out without -c" \
	"$S" sign --request-out x.req a.efi
run 2 "igos-sign: sign-request: with several requests, -o names a directory" \
	"several requests, -o a file" "$S" sign-request -k k.key -o one.sig room/a.req room/k2.req
run 2 "igos-sign: verify: -r is only for attach" "-r on another verb" \
	"$S" verify -r a.req a.efi
run 0 "" "--help" "$S" --help
case $OUT in *"show-request REQ"*"sign-request -k|--key KEY"*"attach -r|--request REQ -s|--signature SIG"*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "--help shows the request verbs"
no_temps . "no temporary files"
done_testing
