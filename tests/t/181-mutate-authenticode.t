#!/bin/sh
# Authenticode verification edge cases make mutate found untested
# (lib/authenticode.c): an image osslsigncode signed with SHA-1, SHA-384 or
# SHA-512 is refused for its digest, by name (shim compares SHA-256 only;
# SHA-512's SpcIndirectDataContent is the one in the DER long form, 0x81), and
# a signature whose signed content was changed after signing is refused, as
# sbverify refuses it.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need python3 osslsigncode sbsign sbverify
snakeoil_keys
$MKPE make a.efi

for h in sha1:SHA-1 sha384:SHA-384 sha512:SHA-512; do
	osslsigncode sign -certs so.crt -key so.key -h ${h%:*} -in a.efi -out ${h%:*}.efi >/dev/null
	run 1 "igos-sign: '${h%:*}.efi': not verified: signature 1: ${h#*:} image digest: shim accepts SHA-256 only" \
		"an image signed with ${h#*:} is refused for its digest" "$S" verify -c so.crt ${h%:*}.efi
done

# "<<<Obsolete>>>" of SpcPeImageData is signed content outside the image digest
sbsign --key so.key --cert so.crt --output sb.efi a.efi 2>/dev/null
python3 - <<'PY'
d = bytearray(open("sb.efi", "rb").read())
i = d.find("<<<Obsolete>>>".encode("utf-16-be"))
assert i > 0
d[i + 1] = ord(">")
open("obs.efi", "wb").write(d)
PY
nok "sbverify refuses the changed signed content" sbverify --cert so.crt obs.efi
run 1 "igos-sign: 'obs.efi': not verified: signature 1: signature not valid: bad signature" \
	"igos-sign refuses it too" "$S" verify -c so.crt obs.efi
run 1 "igos-sign: 'obs.efi': not verified: signature 1: signature not valid: bad signature" \
	"also without -c (integrity)" "$S" verify obs.efi
done_testing
