#!/bin/sh
# igos-sbkeys rotate: the db key replaced without a moment where the ESP
# would not boot: the new certificate appended to db (signed by the KEK),
# every image the old key signs re-signed with the new one through igos-sign
# and checked under the final db, then a replacing update without the old
# certificate, one second newer; the KEK the same way, signed by the PK.
. "${0%/*}/../lib/tap.sh"
need igos-sbkeys igos-sign cert-to-efi-sig-list sign-efi-sig-list sbsign sbverify openssl
plan 13

TS='2026-12-01 10:00:00'
TS1='2026-12-01 10:00:01'
GV=8be4df61-93ca-11d2-aa0d-00e098032b8c
SV=d719b2cb-3d3a-4596-a3bc-dad00e67656f
G1=11111111-1111-4111-8111-111111111111
G2=22222222-2222-4222-8222-222222222222
igos-sbkeys new -d old -g $G1 --subject old >/dev/null
igos-sbkeys new -d new -g $G2 --subject new >/dev/null
openssl req -new -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=other" \
	-keyout other.key -out other.crt 2>/dev/null
mkdir ev
cert-to-efi-sig-list -g $G1 old/db.crt olddb.esl >/dev/null
cert-to-efi-sig-list -g $G1 other.crt other.esl >/dev/null
cat olddb.esl other.esl >cur.esl
{ printf '\047\000\000\000'; cat cur.esl; } >ev/db-$SV
mkdir -p esp/EFI/BOOT esp/EFI/Linux
sbsign --key old/db.key --cert old/db.crt --output esp/EFI/BOOT/BOOTX64.EFI \
	"$IGOS_BUILD/efi/igos-judge.efi" >/dev/null 2>&1
sbsign --key other.key --cert other.crt --output esp/EFI/Linux/other.efi \
	"$IGOS_BUILD/efi/igos-marker.efi" >/dev/null 2>&1
cp esp/EFI/Linux/other.efi other.before

run 0 "" "rotate db" igos-sbkeys rotate db -d old -n new --esp esp --efivars ev -t "$TS"
is "$OUT" "db: new certificate appended
EFI/BOOT/BOOTX64.EFI: re-signed
db: old certificate removed" "append, re-sign, remove: in that order"
ok "the boot program is signed with the new db key" \
	sbverify --cert new/db.crt esp/EFI/BOOT/BOOTX64.EFI
nok "and no longer with the old one" sbverify --cert old/db.crt esp/EFI/BOOT/BOOTX64.EFI
same esp/EFI/Linux/other.efi other.before "an image signed by another db key is left alone"
cert-to-efi-sig-list -g $G2 new/db.crt newdb.esl >/dev/null
cat other.esl newdb.esl >final.esl
sign-efi-sig-list -t "$TS1" -c old/KEK.crt -k old/KEK.key db final.esl final.auth >/dev/null
{ printf '\047\000\000\000'; cat final.auth; } >want
same ev/db-$SV want "db replaced by the other entries and the new certificate, a second later, KEK-signed"

run 1 "igos-sbkeys: the current db does not hold the certificate of 'old'" \
	"rotating again from the old key: refused" \
	sh -c "{ printf '\047\000\000\000'; cat final.esl; } >ev/db-$SV; igos-sbkeys rotate db -d old -n new --esp esp --efivars ev"
run 2 "igos-sbkeys: rotate takes db or KEK" "rotate PK: usage error" \
	igos-sbkeys rotate PK -d old -n new --efivars ev
run 2 "igos-sbkeys: rotate needs -d OLDDIR and -n NEWDIR" "rotate without -n" \
	igos-sbkeys rotate db -d old --efivars ev

cert-to-efi-sig-list -g $G1 old/KEK.crt oldkek.esl >/dev/null
{ printf '\047\000\000\000'; cat oldkek.esl; } >ev/KEK-$GV
run 0 "" "rotate KEK" igos-sbkeys rotate KEK -d old -n new --efivars ev -t "$TS"
cert-to-efi-sig-list -g $G2 new/KEK.crt newkek.esl >/dev/null
sign-efi-sig-list -t "$TS1" -c old/PK.crt -k old/PK.key KEK newkek.esl kek.auth >/dev/null
{ printf '\047\000\000\000'; cat kek.auth; } >want
same ev/KEK-$GV want "KEK replaced by the new certificate, PK-signed"
run 1 "igos-sbkeys: 'old' and 'old' hold the same KEK certificate" "rotating to the same key: refused" \
	igos-sbkeys rotate KEK -d old -n old --efivars ev
rm ev/KEK-$GV
run 1 "igos-sbkeys: KEK is not set: enroll first" "nothing enrolled: refused" \
	igos-sbkeys rotate KEK -d old -n new --efivars ev
