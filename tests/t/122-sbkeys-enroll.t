#!/bin/sh
# igos-sbkeys new and enroll in a directory standing in for efivarfs: db, KEK
# and PK written as sign-efi-sig-list would sign them (db by the KEK, KEK and
# PK by the PK), only in Setup Mode; without Microsoft's UEFI CA the TPM event
# log is read and an enrolment that would stop a driver the firmware loaded
# (an option ROM) is refused, naming it, unless its hash is added, its
# authority kept, or --force-drivers; a missing or broken log is refused too.
. "${0%/*}/../lib/tap.sh"
need igos-sbkeys cert-to-efi-sig-list sign-efi-sig-list openssl python3 xxd
plan 29

G=4f31ad61-c9fa-438f-bc68-0b4d38f7f52b
TS='2026-11-30 12:00:00'
GV=8be4df61-93ca-11d2-aa0d-00e098032b8c
SV=d719b2cb-3d3a-4596-a3bc-dad00e67656f
LOG="python3 $TESTLIB/tpmlog.py"
H1=$(printf 'driver one' | sha256sum | cut -c1-64)
H2=$(printf 'boot loader' | sha256sum | cut -c1-64)

run 0 "" "new -d keys -g GUID" igos-sbkeys new -d keys -g $G --subject "igos test"
is "$OUT" "$G" "new prints the owner GUID"
is "$(cat keys/GUID)" "$G" "and keeps it in DIR/GUID"
is "$(stat -c %a keys/PK.key keys/KEK.key keys/db.key | tr '\n' ' ')" "600 600 600 " "key files 0600"
is "$(openssl x509 -in keys/KEK.crt -noout -subject)" "subject=CN = igos test Key Exchange Key" \
	"the KEK certificate names its owner and role"
ok "the db certificate is self-signed and checks with openssl" \
	openssl verify -CAfile keys/db.crt -partial_chain keys/db.crt
run 1 "igos-sbkeys: cannot write 'keys/GUID': File exists (--force replaces it)" \
	"new refuses to replace existing keys" igos-sbkeys new -d keys -g $G

setup() { rm -rf "$1"; mkdir "$1"; printf '\007\000\000\000\001' >"$1/SetupMode-$GV"; }
setup ev
$LOG ok.log app:$H2
run 0 "" "enroll in Setup Mode, an event log without drivers" \
	igos-sbkeys enroll -d keys -t "$TS" --efivars ev --event-log ok.log
is "$OUT" "db: enrolled
KEK: enrolled
PK: enrolled" "enroll says db, KEK, PK in that order"
cert-to-efi-sig-list -g $G keys/db.crt db.esl >/dev/null
cert-to-efi-sig-list -g $G keys/KEK.crt kek.esl >/dev/null
cert-to-efi-sig-list -g $G keys/PK.crt pk.esl >/dev/null
sign-efi-sig-list -t "$TS" -c keys/KEK.crt -k keys/KEK.key db db.esl db.auth >/dev/null
sign-efi-sig-list -t "$TS" -c keys/PK.crt -k keys/PK.key KEK kek.esl kek.auth >/dev/null
sign-efi-sig-list -t "$TS" -c keys/PK.crt -k keys/PK.key PK pk.esl pk.auth >/dev/null
for v in db:$SV:db KEK:$GV:kek PK:$GV:pk; do
	n=${v%%:*}; r=${v##*:}; g=${v#*:}; g=${g%:*}
	{ printf '\047\000\000\000'; cat $r.auth; } >want.$r
	same ev/$n-$g want.$r "$n written with attributes 0x27 and sign-efi-sig-list's update"
done

setup ev2
printf '\007\000\000\000\000' >ev2/SetupMode-$GV
run 1 "igos-sbkeys: the firmware is not in Setup Mode (SetupMode 0): clear its keys in the firmware setup first" \
	"not in Setup Mode: refused" igos-sbkeys enroll -d keys --efivars ev2 --event-log ok.log
is "$(ls ev2 | wc -l)" 1 "and nothing written"

setup ev3
$LOG drv.log driver:$H1:3 app:$H2
run 1 "igos-sbkeys: the new db would not trust 1 driver the firmware loaded at this boot: PciRoot(0x0)/Pci(0x3,0x0)/Offset(0x0,0xffff) (sha256 $(echo $H1 | cut -c1-16)...) (--microsoft keeps Microsoft's UEFI CA, --add-driver-hashes adds their hashes, --force-drivers goes on)" \
	"an option ROM the new db would not trust: refused, named" \
	igos-sbkeys enroll -d keys --efivars ev3 --event-log drv.log
is "$(ls ev3 | wc -l)" 1 "and nothing written"
run 0 "" "--add-driver-hashes: enrolled" \
	igos-sbkeys enroll -d keys --efivars ev3 --event-log drv.log --add-driver-hashes
is "$(xxd -p -c 100000 ev3/db-$SV | grep -c $H1)" 1 "the driver's hash is in the new db"
setup ev4
run 0 "igos-sbkeys: the new db does not trust 1 driver loaded at this boot (--force-drivers)" \
	"--force-drivers: enrolled with a warning" \
	igos-sbkeys enroll -d keys --efivars ev4 --event-log drv.log --force-drivers

# a driver the firmware allowed through a db certificate (its authority)
openssl req -new -x509 -newkey rsa:2048 -nodes -days 30 -keyout pca.key -out pca.crt \
	-subj "/O=Microsoft Corporation/CN=Microsoft Windows Production PCA 2011" 2>/dev/null
openssl x509 -in pca.crt -outform DER -out pca.der
$LOG auth.log authority:77fa9abd-0359-4d32-bd60-28f4e78f784b:pca.der driver:$H1
setup ev5
run 1 "*" "a driver allowed by a certificate the new db drops: refused" \
	igos-sbkeys enroll -d keys --efivars ev5 --event-log auth.log
run 0 "" "the same with that certificate kept (--microsoft-cert): enrolled" \
	igos-sbkeys enroll -d keys --efivars ev5 --event-log auth.log --microsoft-cert pca.crt

setup ev6
run 1 "igos-sbkeys: cannot open 'none.log': No such file or directory: the drivers this machine loads cannot be checked without Microsoft's UEFI CA (--microsoft keeps it, --force-drivers goes on)" \
	"no event log: refused" igos-sbkeys enroll -d keys --efivars ev6 --event-log none.log
$LOG cut.log driver:$H1 truncate:150
run 1 "igos-sbkeys: 'cut.log': event log: event 2 at offset 69: data of 78 bytes runs past the end" \
	"a truncated event log: refused" igos-sbkeys enroll -d keys --efivars ev6 --event-log cut.log
openssl req -new -x509 -newkey rsa:2048 -nodes -days 30 -keyout uca.key -out uca.crt \
	-subj "/O=Microsoft Corporation/CN=Microsoft Corporation UEFI CA 2011" 2>/dev/null
run 0 "" "Microsoft's UEFI CA kept: no event log needed" \
	igos-sbkeys enroll -d keys --efivars ev6 --event-log none.log --microsoft-cert uca.crt

# --microsoft: Microsoft's certificates of the current db kept, nothing else
setup ev7
cert-to-efi-sig-list -g 77fa9abd-0359-4d32-bd60-28f4e78f784b uca.crt ms.esl >/dev/null
openssl req -new -x509 -newkey rsa:2048 -nodes -days 30 -keyout x.key -out x.crt \
	-subj "/CN=someone else" 2>/dev/null
cert-to-efi-sig-list -g $G x.crt x.esl >/dev/null
{ printf '\047\000\000\000'; cat x.esl ms.esl; } >ev7/db-$SV
run 0 "" "enroll --microsoft reads Microsoft's UEFI CA from the current db" \
	igos-sbkeys enroll -d keys -t "$TS" --efivars ev7 --event-log none.log --microsoft
cat db.esl ms.esl >dbms.esl
sign-efi-sig-list -t "$TS" -c keys/KEK.crt -k keys/KEK.key db dbms.esl dbms.auth >/dev/null
{ printf '\047\000\000\000'; cat dbms.auth; } >want.dbms
same ev7/db-$SV want.dbms "the new db: ours, then Microsoft's CA (its owner GUID kept), not the other"
setup ev8
run 1 "igos-sbkeys: --microsoft: no Microsoft certificate in the current db; give them with --microsoft-cert" \
	"--microsoft with no Microsoft certificate in db: refused" \
	igos-sbkeys enroll -d keys --efivars ev8 --event-log ok.log --microsoft

# a SHA-1-only log (old firmware): nothing to look up in db
$LOG old.log legacy driver:$H1
setup ev9
run 1 "igos-sbkeys: 'old.log': a SHA-1-only log: the drivers cannot be looked up in db (--force-drivers goes on)" \
	"a SHA-1-only log with a driver: refused" igos-sbkeys enroll -d keys --efivars ev9 --event-log old.log
run 0 "igos-sbkeys: the new db does not trust 1 driver loaded at this boot (--force-drivers)" \
	"and --force-drivers goes on" igos-sbkeys enroll -d keys --efivars ev9 --event-log old.log --force-drivers
