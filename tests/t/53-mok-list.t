#!/bin/sh
# igos-mok list reads MokListRT as shim leaves it (several certificate lists
# and a list of SHA-256 digests, split over MokListRT, MokListRT1, or the
# mok-variables table) the same as mokutil --list-enrolled; corrupt signature
# lists are refused with one line saying where.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/mok.sh"
need igos-mok mokutil openssl xxd python3
for c in k1 k2 k3; do mkcert $c || skip_all "openssl cannot make certificates"; done
mkcert k4 -subj "/C=DE/O=Example Org/CN=k4 signing" || skip_all "openssl"
h1=$(printf one | openssl dgst -sha256 -r | cut -d' ' -f1)
h2=$(printf two | openssl dgst -sha256 -r | cut -d' ' -f1)

# shim's layout: one list per enrolled certificate, one list of digests
{ esl_x509 k1.der; esl_x509 k2.der; esl_sha256 "$h1" "$h2"; esl_x509 k3.der; esl_x509 k4.der; } >mok.esl
efidir e
efivar e MokListRT $SHIM_GUID 06000000 <mok.esl
mokutil_at e --list-enrolled >m.out 2>m.err
mokutil_ids <m.out >want
is "$(wc -l <want)" "6" "mokutil --list-enrolled sees 4 certificates and 2 digests"
run 0 "" "list" igos-mok list --efivars e
printf '%s\n' "$OUT" >l.out
igos_ids <l.out >got
same got want "list: the same keys in the same order as mokutil"
sed -n 's/^ *Subject: //p' m.out >wantsubj
grep '^x509 ' l.out | cut -d' ' -f3- >gotsubj
same gotsubj wantsubj "list: the same subjects as mokutil prints"
is "$(grep -c '^sha256 ' l.out)" "2" "digests shown as sha256 lines"
run 0 "" "list --json" igos-mok list --json --efivars e
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; k=json.load(sys.stdin)["keys"]
print(" ".join(x["type"] for x in k), k[5]["subject"], k[2]["hash"] == "'"$h1"'")')" \
	"x509 x509 sha256 sha256 x509 x509 C=DE, O=Example Org, CN=k4 signing True" \
	"list --json: types, subject and digest"

# the same list split as shim splits a long one: MokListRT, MokListRT1
efidir s
{ esl_x509 k1.der; esl_x509 k2.der; } | efivar s MokListRT $SHIM_GUID 06000000
{ esl_sha256 "$h1" "$h2"; esl_x509 k3.der; esl_x509 k4.der; } | efivar s MokListRT1 $SHIM_GUID 06000000
mokutil_at s --list-enrolled | mokutil_ids >want2
run 0 "" "list of a split MokListRT" igos-mok list --efivars s
printf '%s\n' "$OUT" | igos_ids >got2
same got2 want2 "split list read whole, as mokutil reads it"
same got2 want "split list equals the unsplit one"

# the mok-variables table beside an "efivars" directory comes first
mkdir -p fw/efivars fw/mok-variables
efidir fw/efivars
esl_x509 k1.der | efivar fw/efivars MokListRT $SHIM_GUID 06000000
cp mok.esl fw/mok-variables/MokListRT
run 0 "" "list with a mok-variables table" igos-mok list --efivars fw/efivars
printf '%s\n' "$OUT" | igos_ids >got3
same got3 want "mok-variables/MokListRT (no attribute word) preferred"
run 0 "" "test finds k3 through it" igos-mok test --efivars fw/efivars k3.der
is "$OUT" "enrolled in MokListRT" "test: enrolled in MokListRT"

# a certificate list whose bytes are no certificate: shown, not fatal
printf 'not a certificate' >junk.bin
efidir j
{ esl_x509 k1.der; esl_x509 junk.bin; } | efivar j MokListRT $SHIM_GUID 06000000
run 0 "" "list with an unparsable certificate entry" igos-mok list --efivars j
jfp=$(openssl dgst -sha1 -c junk.bin | sed 's/.*= //')
is "$(printf '%s\n' "$OUT" | tail -n 1)" "x509 $jfp (not a valid certificate)" "shown with the fingerprint of its bytes"

# an empty machine
efidir none
run 0 "" "list with no MokListRT" igos-mok list --efivars none
is "$OUT" "MokListRT is empty" "says so in one line"

# corrupt lists: where and what, in one line
n1=$(esl_x509 k1.der | wc -c)
corrupt() { # NAME DATA-FILE EXPECTED DESC
	rm -rf c; efidir c
	efivar c "$1" $SHIM_GUID 07000000 <"$2"
	if [ "$1" = MokNew ]; then
		run 1 "igos-mok: corrupt MokNew: $3" "pending: $4" igos-mok pending --efivars c
		run 1 "igos-mok: corrupt MokNew: $3" "import: $4" \
			igos-mok import --efivars c --hash-file h k2.der
	else
		run 1 "igos-mok: corrupt $1: $3" "list: $4" igos-mok list --efivars c
	fi
}
openssl passwd -6 -salt abcdefgh pw >h
{ esl_x509 k1.der; printf '0123456789'; } >short.esl
corrupt MokListRT short.esl "signature list 2 at offset $n1: 10 bytes left, a header needs 28" \
	"short trailing signature list"
corrupt MokNew short.esl "signature list 2 at offset $n1: 10 bytes left, a header needs 28" \
	"short trailing signature list"
{ esl_x509 k1.der; esl_x509 k2.der; } >two.esl
n2=$(wc -c <two.esl)
python3 - "$n1" <<'PY'
import struct, sys
d = bytearray(open("two.esl", "rb").read())
n1 = int(sys.argv[1])
# ListSize of the second list 1000 bytes past the end
ls = struct.unpack_from("<I", d, n1 + 16)[0]
o = bytearray(d); struct.pack_into("<I", o, n1 + 16, ls + 1000); open("over.esl", "wb").write(o)
# a huge ListSize (wraps a 32-bit sum)
o = bytearray(d); struct.pack_into("<I", o, n1 + 16, 0xffffffe0); open("huge.esl", "wb").write(o)
# SignatureSize of the first list one byte short
ss = struct.unpack_from("<I", d, 24)[0]
o = bytearray(d); struct.pack_into("<I", o, 24, ss - 1); open("sigsize.esl", "wb").write(o)
PY
ls2=$((n2 - n1 + 1000))
corrupt MokListRT over.esl "signature list 2 at offset $n1: SignatureListSize $ls2 exceeds the $((n2 - n1)) bytes left" \
	"ListSize past the end"
corrupt MokNew over.esl "signature list 2 at offset $n1: SignatureListSize $ls2 exceeds the $((n2 - n1)) bytes left" \
	"ListSize past the end"
corrupt MokListRT huge.esl "signature list 2 at offset $n1: SignatureListSize 4294967264 exceeds the $((n2 - n1)) bytes left" \
	"ListSize near 2^32"
ss=$((n1 - 44 + 16 - 1))
corrupt MokListRT sigsize.esl "signature list 1 at offset 0: SignatureSize $ss does not divide the $((ss + 1)) bytes of signatures" \
	"SignatureSize mismatch"
corrupt MokNew sigsize.esl "signature list 1 at offset 0: SignatureSize $ss does not divide the $((ss + 1)) bytes of signatures" \
	"SignatureSize mismatch"
printf '%s' "$SHA256_GUID_HEX$(le32 68)$(le32 0)$(le32 40)${SHIM_GUID_HEX}$h1" | xxd -r -p >badhash.esl
corrupt MokListRT badhash.esl "signature list 1 at offset 0: SignatureSize 40 does not match sha256 (48)" \
	"SHA-256 list with the wrong SignatureSize"
done_testing
