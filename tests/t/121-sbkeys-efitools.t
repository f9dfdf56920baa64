#!/bin/sh
# igos-sbkeys esl and auth against efitools: the same inputs and timestamp
# give the same bytes as cert-to-efi-sig-list, hash-to-efi-sig-list and
# sign-efi-sig-list, for PK, KEK, db and dbx, replacing and appending, and for
# a variable of another vendor GUID.
. "${0%/*}/../lib/tap.sh"
need igos-sbkeys cert-to-efi-sig-list hash-to-efi-sig-list sign-efi-sig-list sbsign openssl
plan 13

G=6a0f0a79-0d2e-4e4d-9c8b-3e2a7c1f00d1
TS='2026-11-30 12:34:56'
key() { openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=$1" \
	-keyout "$1.key" -out "$1.crt" 2>/dev/null && chmod 600 "$1.key"; }
key one; key two; key kek
openssl x509 -in two.crt -outform DER -out two.der

cert-to-efi-sig-list -g $G one.crt one.esl >/dev/null
igos-sbkeys esl -g $G -o mine.esl one.crt
same mine.esl one.esl "esl of one certificate: cert-to-efi-sig-list's bytes"
cert-to-efi-sig-list two.crt two0.esl >/dev/null
igos-sbkeys esl -o mine0.esl two.der
same mine0.esl two0.esl "without -g: the zero owner, as cert-to-efi-sig-list; a DER input"
cert-to-efi-sig-list -g $G two.crt two.esl >/dev/null
cat one.esl two.esl >both.esl
igos-sbkeys esl -g $G -o mine2.esl one.crt two.der
same mine2.esl both.esl "two certificates: one list each, in order"

IMG=$IGOS_BUILD/efi/igos-judge.efi
sbsign --key one.key --cert one.crt --output signed.efi "$IMG" >/dev/null 2>&1
hash-to-efi-sig-list "$IMG" signed.efi h.esl >/dev/null
igos-sbkeys esl --hash -o mineh.esl "$IMG" signed.efi
same mineh.esl h.esl "esl --hash of an unsigned and a signed image: hash-to-efi-sig-list's bytes"

for v in PK KEK db dbx; do
	sign-efi-sig-list -t "$TS" -c kek.crt -k kek.key $v both.esl ref.$v.auth >/dev/null
	igos-sbkeys auth -t "$TS" -k kek.key -c kek.crt $v both.esl -o mine.$v.auth
	same mine.$v.auth ref.$v.auth "auth $v: sign-efi-sig-list's bytes"
done
sign-efi-sig-list -a -t "$TS" -c kek.crt -k kek.key db one.esl ref.a.auth >/dev/null
igos-sbkeys auth -a -t "$TS" -k kek.key -c kek.crt db one.esl -o mine.a.auth
same mine.a.auth ref.a.auth "auth -a (append): sign-efi-sig-list -a's bytes"
: >empty.esl
sign-efi-sig-list -t "$TS" -c kek.crt -k kek.key PK empty.esl ref.e.auth >/dev/null
igos-sbkeys auth -t "$TS" -k kek.key -c kek.crt PK empty.esl -o mine.e.auth
same mine.e.auth ref.e.auth "an empty list (deleting PK): the same bytes"
sign-efi-sig-list -g $G -t "$TS" -c kek.crt -k kek.key MyVar one.esl ref.g.auth >/dev/null
igos-sbkeys auth -g $G -t "$TS" -k kek.key -c kek.crt MyVar one.esl -o mine.g.auth
same mine.g.auth ref.g.auth "another variable with -g GUID: the same bytes"
sign-efi-sig-list -t "$TS" -c kek.crt -k kek.key db mineh.esl ref.h.auth >/dev/null
igos-sbkeys auth -t "$TS" -k kek.key -c kek.crt db h.esl -o mine.h.auth
same mine.h.auth ref.h.auth "a hash list signed for db: the same bytes"
# what the signature covers checks with openssl: the detached SignedData
# verifies over name || GUID || attributes || timestamp || data
sign-efi-sig-list -o -t "$TS" db both.esl bundle >/dev/null
sz=$(od -An -tu4 -j16 -N4 mine.db.auth | tr -d ' ')
tail -c +41 mine.db.auth | head -c $((sz - 24)) >sd.der
# openssl reads a ContentInfo: wrap the bare SignedData the variable carries
python3 -c '
import sys
def tl(t, b):
    n = len(b)
    l = bytes([n]) if n < 128 else (lambda e: bytes([0x80 | len(e)]) + e)(n.to_bytes((n.bit_length() + 7) // 8, "big"))
    return bytes([t]) + l + b
sd = open("sd.der", "rb").read()
oid = bytes.fromhex("06092a864886f70d010702")
open("sig.der", "wb").write(tl(0x30, oid + tl(0xa0, sd)))'
ok "the signature verifies over sign-efi-sig-list -o's bundle (openssl cms)" \
	openssl cms -verify -binary -inform DER -in sig.der -content bundle -noverify \
	-certfile kek.crt -out /dev/null
