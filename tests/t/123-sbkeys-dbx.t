#!/bin/sh
# igos-sbkeys dbx: every image on the ESP judged against the new dbx by the
# rules of lib/secboot.c (EDK2's, and shim's with the MOK lists); an update
# that would revoke an image that boots today is refused, naming it, unless
# --force; a harmless one is written (attributes 0x67, append) as
# sign-efi-sig-list -a would sign it; a vendor's .auth is taken as it is.
. "${0%/*}/../lib/tap.sh"
need igos-sbkeys cert-to-efi-sig-list sign-efi-sig-list sbsign openssl
plan 9

G=4f31ad61-c9fa-438f-bc68-0b4d38f7f52b
TS='2026-11-30 12:00:00'
GV=8be4df61-93ca-11d2-aa0d-00e098032b8c
SV=d719b2cb-3d3a-4596-a3bc-dad00e67656f
igos-sbkeys new -d keys -g $G --subject "igos test" >/dev/null
K="-k keys/KEK.key -c keys/KEK.crt"
mkdir ev
cert-to-efi-sig-list -g $G keys/db.crt db.esl >/dev/null
{ printf '\047\000\000\000'; cat db.esl; } >ev/db-$SV
mkdir -p esp/EFI/BOOT esp/EFI/Linux
sbsign --key keys/db.key --cert keys/db.crt --output esp/EFI/BOOT/BOOTX64.EFI \
	"$IGOS_BUILD/efi/igos-judge.efi" >/dev/null 2>&1
cp "$IGOS_BUILD/efi/igos-marker.efi" esp/EFI/Linux/unsigned.efi

igos-sbkeys esl -g $G --hash -o other.esl "$IGOS_BUILD/efi/igos-chain.efi"
run 0 "" "a dbx entry for an image not on the ESP: applied" \
	igos-sbkeys dbx --esp esp --efivars ev $K -t "$TS" other.esl
is "$OUT" "dbx: 1 entry now, 1 image on the ESP still passes" "it says what dbx holds and what still boots"
sign-efi-sig-list -a -t "$TS" -c keys/KEK.crt -k keys/KEK.key dbx other.esl other.auth >/dev/null
{ printf '\147\000\000\000'; cat other.auth; } >want
same ev/dbx-$SV want "dbx written with attributes 0x67 and sign-efi-sig-list -a's update"

# the directory now holds the update, not a dbx: judge from a plain list again
cp other.esl cur.esl
reset() { { printf '\047\000\000\000'; cat cur.esl; } >ev/dbx-$SV; }
reset
igos-sbkeys esl -g $G --hash -o boot.esl esp/EFI/BOOT/BOOTX64.EFI
run 1 "igos-sbkeys: the dbx update would revoke 1 image on the ESP: 'EFI/BOOT/BOOTX64.EFI' (revoked by image hash) (--force applies it anyway)" \
	"a dbx entry for the boot loader: refused, naming it" \
	igos-sbkeys dbx --esp esp --efivars ev $K boot.esl
{ printf '\047\000\000\000'; cat cur.esl; } >want0
same ev/dbx-$SV want0 "dbx as it was"
igos-sbkeys esl -g $G -o cert.esl keys/db.crt
igos-sbkeys auth -a -t "$TS" $K dbx cert.esl -o vendor.auth
run 1 "igos-sbkeys: the dbx update would revoke 1 image on the ESP: 'EFI/BOOT/BOOTX64.EFI' (revoked by certificate) (--force applies it anyway)" \
	"a signed .auth revoking the db certificate: refused" \
	igos-sbkeys dbx --esp esp --efivars ev vendor.auth
run 0 "igos-sbkeys: applying a dbx update that revokes 1 image on the ESP (--force)" \
	"--force applies it, with a warning" igos-sbkeys dbx --esp esp --efivars ev --force vendor.auth
{ printf '\147\000\000\000'; cat vendor.auth; } >want2
same ev/dbx-$SV want2 "the vendor's update written as it came"
head -c 30 vendor.auth >short.auth
reset
run 1 "igos-sbkeys: 'short.auth': authenticated update: 30 bytes, shorter than its 40-byte header" \
	"a truncated .auth: one line" igos-sbkeys dbx --esp esp --efivars ev short.auth
