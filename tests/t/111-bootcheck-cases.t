#!/bin/sh
# igos-bootcheck offline: the chain of spec/grub-chain.md (shim with our
# vendor certificate, signed with the snakeoil db key -> GRUB signed with the
# vendor key -> UKIs) and a variable store like the snakeoil VM's, then one
# link broken at a time, each kind of refusal at each link: the verdict, the
# component named, the exit status and the one stderr line.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/mok.sh"
. "$TESTLIB/bootcheck.sh"
SHIM_DIR=/usr/lib/shim
need igos-bootcheck igos-sign igos-ukify igos-measure igos-verity grub-mkimage python3 xxd openssl pesign sbsign \
	"$SHIM_DIR/shimx64.efi" "$BC_MARKER" "$BC_STUB"

bc_chain
bc_grubcsv 4 >grub4.csv
bc_esp esp0 shim.signed grub.signed uki.signed

DB_SUBJ='C = US, ST = Colorado, L = Fort Collins, O = SnakeOil'
SHIM=EFI/BOOT/BOOTX64.EFI GRUB=EFI/BOOT/grubx64.efi UKI=EFI/Linux/uki.signed.efi
mv esp0/EFI/Linux/uki.signed esp0/$UKI


plan 71

# ---- the good chain ----
bc_mk good
bc_run good 0 "" "the good chain passes: exit 0, nothing on stderr"
is "$(printf '%s\n' "$OUT" | head -n 2)" "secure boot: on
boot entry: none on this ESP in BootOrder: the removable path EFI/BOOT/BOOTX64.EFI" \
	"header: Secure Boot on, the removable path"
is "$(bc_line $SHIM)" "$SHIM: passes (firmware); signer '$DB_SUBJ'; trusted by db entry 1 '$DB_SUBJ'" \
	"shim: passes the firmware by db entry 1"
is "$(bc_line $GRUB)" "$GRUB: passes (shim); signer 'CN = igos bootcheck vendor'; trusted by shim's vendor certificate 'CN = igos bootcheck vendor'" \
	"GRUB: passes shim by its built-in vendor certificate"
is "$(bc_line $UKI)" "$UKI: passes (GRUB); signer '$DB_SUBJ'; trusted by db entry 1 '$DB_SUBJ'" \
	"UKI: passes GRUB (shim's verifier) by db"
bc_run good 0 "" "--json" --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(d["passes"], d["refusing_link"], len(d["links"]), [l["judge"] for l in d["links"]][:3],
      d["links"][1]["trusted_by"]["store"], d["sbat_level"]["rows"])')" \
	"True None 4 ['firmware', 'shim', 'GRUB'] shim's vendor certificate ['sbat,1', 'shim,4', 'grub,5']" \
	"--json: the same facts in one document"

# ---- Secure Boot off: said, and judged as if on ----
bc_mk sboff
printf '\000' | efivar sboff.ev SecureBoot $GLOBAL_GUID 06000000
bc_run sboff 0 "" "Secure Boot off: still judged, the good chain passes"
is "$(printf '%s\n' "$OUT" | head -n 1)" "secure boot: off: every link judged as with it on" \
	"Secure Boot off: said in one line"
cp uki.efi sboff.esp/$UKI
bc_run sboff 1 "igos-bootcheck: $UKI: refused by GRUB: not signed: no signature, and its SHA-256 $(bc_hash uki.efi | cut -c1-16)... is in no allow list" \
	"Secure Boot off: an unsigned UKI is still refused"

# ---- link 1: the firmware judges shim ----
bc_mk f-unsigned
cp shim.efi f-unsigned.esp/$SHIM
h=$(bc_fwhash shim.efi)
bc_run f-unsigned 1 "igos-bootcheck: $SHIM: refused by firmware: not signed: no signature, and its SHA-256 $(printf %.16s "$h")... is not in db" \
	"firmware: unsigned shim"
bc_mk f-hashdb
cp shim.efi f-hashdb.esp/$SHIM
{ esl_x509 keys/db.der; esl_sha256 "$h"; } | efivar f-hashdb.ev db $SECURITY_GUID 27000000
bc_run f-hashdb 0 "" "firmware: unsigned shim whose hash is in db passes"
is "$(bc_line $SHIM)" "$SHIM: passes (firmware); trusted by db entry 2 'SHA-256 image hash'" \
	"... trusted by that db entry"
bc_mk f-other
bc_sign other f-other.esp/$SHIM shim.efi
bc_run f-other 1 "igos-bootcheck: $SHIM: refused by firmware: untrusted signer: signer 'CN = igos bootcheck other' chains to no db certificate and the image hash is not in db" \
	"firmware: shim signed by a key not in db"
bc_mk f-dbxcert
{ esl_x509 keys/db.der; esl_x509 keys/other.der; } | efivar f-dbxcert.ev db $SECURITY_GUID 27000000
esl_x509 keys/other.der | efivar f-dbxcert.ev dbx $SECURITY_GUID 27000000
bc_sign other f-dbxcert.esp/$SHIM shim.efi
bc_run f-dbxcert 1 "igos-bootcheck: $SHIM: refused by firmware: revoked by certificate: signature 1 chains to dbx entry 1 (CN = igos bootcheck other)" \
	"firmware: signer in db and in dbx: revoked by certificate"
bc_mk f-dbxtbs
bc_x509_sha256 keys/db.der | efivar f-dbxtbs.ev dbx $SECURITY_GUID 27000000
bc_run f-dbxtbs 1 "igos-bootcheck: $SHIM: refused by firmware: revoked by certificate: certificate '$DB_SUBJ' of signature 1 is dbx entry 1 (by its hash)" \
	"firmware: the signer certificate's TBS hash in dbx"
bc_mk f-dbxhash
esl_sha256 "$(bc_hash shim.signed)" | efivar f-dbxhash.ev dbx $SECURITY_GUID 27000000
bc_run f-dbxhash 1 "igos-bootcheck: $SHIM: refused by firmware: revoked by image hash: its SHA-256 $(bc_hash shim.signed | cut -c1-16)... is dbx entry 1" \
	"firmware: shim's image hash in dbx"
bc_mk f-tampered
bc_tamper f-tampered.esp/$SHIM
bc_run f-tampered 1 "igos-bootcheck: $SHIM: refused by firmware: tampered after signing: image digest does not match the signed digest" \
	"firmware: shim changed after signing"
bc_mk f-ec
bc_sign ec f-ec.esp/$SHIM shim.efi
bc_run f-ec 1 "igos-bootcheck: $SHIM: refused by firmware: algorithm refused: signer key is EC-prime256v1: UEFI firmware and shim verify RSA only" \
	"firmware: shim signed with an ECDSA P-256 key (OVMF has no EC)"
bc_mk f-junk
printf 'junk' >>f-junk.esp/$SHIM
bc_run f-junk 1 "igos-bootcheck: $SHIM: refused by firmware: malformed image: PE certificate table does not end at end of file" \
	"firmware: bytes after the certificate table"
bc_mk f-twosigs
bc_sign other two.efi shim.efi && igos-sign sign -k keys/db.key -c keys/db.crt -o f-twosigs.esp/$SHIM two.efi
bc_run f-twosigs 0 "" "firmware: an untrusted and a db signature: passes (one chains to db)"

# ---- shim's self-check against SbatLevel ----
bc_mk selfcheck
printf 'sbat,1,2099010100\nshim,5\ngrub,5\n' | efivar selfcheck.ev SbatLevelRT $SHIM_GUID 06000000
bc_run selfcheck 1 "igos-bootcheck: $SHIM: refused by shim: SBAT generation below SbatLevel: shim,4 is below shim,5 (SbatLevel in NVRAM, seen as SbatLevelRT); shim's self-check stops it" \
	"shim's own SBAT below a newer SbatLevelRT: shim stops"
bc_mk oldlevel
printf 'sbat,1,2021030218\n' | efivar oldlevel.ev SbatLevelRT $SHIM_GUID 06000000
bc_run oldlevel 0 "" "an older SbatLevelRT is replaced by shim's own: the chain passes"
bc_run oldlevel 0 "" "-v names the level shim applies" -v
is "$(printf '%s\n' "$OUT" | grep '^sbat level:')" \
	"sbat level: shim's own previous SbatLevel, newer than SbatLevelRT: sbat,1 shim,4 grub,5" \
	"... shim's own previous level, not SbatLevelRT"
bc_mk badlevel
printf 'sbat,1,2099010100\nshim\n' | efivar badlevel.ev SbatLevelRT $SHIM_GUID 06000000
bc_run badlevel 1 "igos-bootcheck: $SHIM: refused by shim: no usable .sbat: SbatLevelRT: SbatLevel line 2: 1 of the 2 fields shim requires: shim stops before loading anything" \
	"a SbatLevel shim cannot parse: shim stops"

# ---- link 2: shim judges GRUB ----
bc_mk s-unsigned
cp grub.efi s-unsigned.esp/$GRUB
bc_run s-unsigned 1 "igos-bootcheck: $GRUB: refused by shim: not signed: no signature, and its SHA-256 $(bc_hash grub.efi | cut -c1-16)... is in no allow list" \
	"shim: unsigned GRUB"
bc_mk s-other
bc_sign other s-other.esp/$GRUB grub.efi
bc_run s-other 1 "igos-bootcheck: $GRUB: refused by shim: untrusted signer: signer 'CN = igos bootcheck other' chains to no certificate of db, MokList or shim's vendor certificate, and the image hash is in none" \
	"shim: GRUB signed by an unknown key"
bc_mk s-mok
bc_sign mok s-mok.esp/$GRUB grub.efi
esl_x509 keys/mok.der | efivar s-mok.ev MokListRT $SHIM_GUID 06000000
bc_run s-mok 0 "" "shim: GRUB signed by a MOK passes"
is "$(bc_line $GRUB)" "$GRUB: passes (shim); signer 'CN = igos bootcheck mok'; trusted by MokListRT entry 1 'CN = igos bootcheck mok'" \
	"... trusted by MokListRT entry 1"
bc_mk s-mokhash
cp grub.efi s-mokhash.esp/$GRUB
{ esl_x509 keys/mok.der; esl_sha256 "$(bc_hash grub.efi)"; } | efivar s-mokhash.ev MokListRT $SHIM_GUID 06000000
bc_run s-mokhash 0 "" "shim: unsigned GRUB enrolled by hash in MokList passes"
bc_mk s-mokx
bc_sign mok s-mokx.esp/$GRUB grub.efi
esl_x509 keys/mok.der | efivar s-mokx.ev MokListRT $SHIM_GUID 06000000
esl_x509 keys/mok.der | efivar s-mokx.ev MokListXRT $SHIM_GUID 06000000
bc_run s-mokx 1 "igos-bootcheck: $GRUB: refused by shim: revoked by certificate: signature 1 chains to MokListXRT entry 1 (CN = igos bootcheck mok)" \
	"shim: signer in MokList and MokListX: revoked by certificate"
bc_mk s-mokxhash
esl_sha256 "$(bc_hash grub.signed)" | efivar s-mokxhash.ev MokListXRT $SHIM_GUID 06000000
bc_run s-mokxhash 1 "igos-bootcheck: $GRUB: refused by shim: revoked by image hash: its image hash is MokListXRT entry 1" \
	"shim: GRUB's hash in MokListX"
bc_mk s-dbx
esl_sha256 "$(bc_hash grub.signed)" | efivar s-dbx.ev dbx $SECURITY_GUID 27000000
bc_run s-dbx 1 "igos-bootcheck: $GRUB: refused by shim: revoked by image hash: its image hash is dbx entry 1" \
	"shim: GRUB's hash in the firmware's dbx"
bc_mk s-vdbx
esl_sha256 "$(bc_hash grub.signed)" >vdbx.esl
bc_shim vshim.efi keys/vendor.der vdbx.esl && bc_sign db s-vdbx.esp/$SHIM vshim.efi
bc_run s-vdbx 1 "igos-bootcheck: $GRUB: refused by shim: revoked by image hash: its image hash is shim's vendor dbx entry 1" \
	"shim: GRUB's hash in shim's built-in vendor dbx"
bc_mk s-vdbxcert
esl_x509 keys/vendor.der >vdbx2.esl
bc_shim vshim2.efi keys/vendor.der vdbx2.esl && bc_sign db s-vdbxcert.esp/$SHIM vshim2.efi
bc_run s-vdbxcert 1 "igos-bootcheck: $GRUB: refused by shim: revoked by certificate: signature 1 chains to shim's vendor dbx entry 1 (CN = igos bootcheck vendor)" \
	"shim: the vendor certificate itself in the vendor dbx"
bc_mk s-tampered
bc_tamper s-tampered.esp/$GRUB
bc_run s-tampered 1 "igos-bootcheck: $GRUB: refused by shim: tampered after signing: image digest does not match the signed digest" \
	"shim: GRUB changed after signing"
bc_mk s-sbat4
bc_grub g4.efi grub4.csv && bc_sign vendor s-sbat4.esp/$GRUB g4.efi
bc_run s-sbat4 1 "igos-bootcheck: $GRUB: refused by shim: SBAT generation below SbatLevel: grub,4 is below grub,5 (shim's own previous SbatLevel, no SbatLevelRT)" \
	"shim: GRUB with grub,4 under shim's level grub,5"
bc_mk s-nosbat
bc_nosbat g4.efi gn.efi
bc_sign vendor s-nosbat.esp/$GRUB gn.efi
bc_run s-nosbat 1 "igos-bootcheck: $GRUB: refused by shim: no usable .sbat: no .sbat section: shim requires one in the image it starts" \
	"shim: GRUB without a .sbat section"
bc_mk s-level6
printf 'sbat,1,2099010100\nshim,4\ngrub,6\n' | efivar s-level6.ev SbatLevelRT $SHIM_GUID 06000000
bc_run s-level6 1 "igos-bootcheck: $GRUB: refused by shim: SBAT generation below SbatLevel: grub,5 is below grub,6 (SbatLevel in NVRAM, seen as SbatLevelRT)" \
	"shim: a newer SbatLevelRT (grub,6) refuses grub,5"
bc_mk s-missing
rm s-missing.esp/$GRUB
bc_run s-missing 1 "igos-bootcheck: $GRUB: refused by shim: no image: cannot open 's-missing.esp/EFI/BOOT/grubx64.efi': No such file or directory" \
	"shim: no second stage"

# ---- link 3: GRUB (shim's verifier) judges each UKI ----
bc_mk u-unsigned
cp uki.efi u-unsigned.esp/$UKI
bc_run u-unsigned 1 "igos-bootcheck: $UKI: refused by GRUB: not signed: no signature, and its SHA-256 $(bc_hash uki.efi | cut -c1-16)... is in no allow list" \
	"GRUB: unsigned UKI"
bc_mk u-other
bc_sign other u-other.esp/$UKI uki.efi
bc_run u-other 1 "igos-bootcheck: $UKI: refused by GRUB: untrusted signer: signer 'CN = igos bootcheck other' chains to no certificate of db, MokList or shim's vendor certificate, and the image hash is in none" \
	"GRUB: UKI signed by an unknown key"
bc_mk u-tampered
bc_tamper u-tampered.esp/$UKI
bc_run u-tampered 1 "igos-bootcheck: $UKI: refused by GRUB: tampered after signing: image digest does not match the signed digest" \
	"GRUB: UKI changed after signing"
bc_mk u-ec
bc_sign ec u-ec.esp/$UKI uki.efi
bc_run u-ec 1 "igos-bootcheck: $UKI: refused by GRUB: algorithm refused: signer key is EC-prime256v1: UEFI firmware and shim verify RSA only" \
	"GRUB: UKI signed with an ECDSA key"
bc_mk u-mokx
bc_sign mok u-mokx.esp/$UKI uki.efi
esl_x509 keys/mok.der | efivar u-mokx.ev MokListRT $SHIM_GUID 06000000
bc_run u-mokx 0 "" "GRUB: a MOK-signed UKI passes"
esl_x509 keys/mok.der | efivar u-mokx.ev MokListXRT $SHIM_GUID 06000000
bc_run u-mokx 1 "igos-bootcheck: $UKI: refused by GRUB: revoked by certificate: signature 1 chains to MokListXRT entry 1 (CN = igos bootcheck mok)" \
	"GRUB: the MOK revoked in MokListX"
bc_mk u-dbxhash
esl_sha256 "$(bc_hash uki.signed)" | efivar u-dbxhash.ev dbx $SECURITY_GUID 27000000
bc_run u-dbxhash 1 "igos-bootcheck: $UKI: refused by GRUB: revoked by image hash: its image hash is dbx entry 1" \
	"GRUB: the UKI's hash in dbx"
bc_mk u-sbat
printf 'sbat,1,2099010100\nshim,4\ngrub,5\nigos,2\n' | efivar u-sbat.ev SbatLevelRT $SHIM_GUID 06000000
bc_run u-sbat 1 "igos-bootcheck: $UKI: refused by GRUB: SBAT generation below SbatLevel: igos,1 is below igos,2 (SbatLevel in NVRAM, seen as SbatLevelRT)" \
	"GRUB: the UKI's igos,1 (the stub's SBAT line) revoked by igos,2"
bc_mk u-none
rm u-none.esp/$UKI
bc_run u-none 1 "igos-bootcheck: EFI/Linux: refused by GRUB: no image: no UKI (*.efi) to start" \
	"GRUB: no UKI at all"
bc_mk u-two
cp uki.efi u-two.esp/EFI/Linux/a-unsigned.efi
bc_run u-two 1 "igos-bootcheck: EFI/Linux/a-unsigned.efi: refused by GRUB: not signed: no signature, and its SHA-256 $(bc_hash uki.efi | cut -c1-16)... is in no allow list" \
	"GRUB: every UKI is a link: one unsigned among good ones fails"
is "$(bc_line $UKI | cut -d';' -f1)" "$UKI: passes (GRUB)" "... the good one still passes"

# ---- inside the UKI: .pcrsig ----
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pcr.pem 2>/dev/null && chmod 600 pcr.pem
bc_uki pcr.efi --pcr-key pcr.pem && bc_sign db pcr.signed pcr.efi
bc_mk p-good
cp pcr.signed p-good.esp/$UKI
bc_run p-good 0 "" "a UKI with a .pcrsig for its own PCR 11 passes"
is "$(bc_line "$UKI .pcrsig")" "$UKI .pcrsig: passes (TPM)" "... .pcrsig: passes"
# the same sections with another .pcrsig: signed for a different .cmdline
BC_CMDLINE="console=ttyS0 other" bc_uki pcr2.efi --pcr-key pcr.pem &&
	igos-ukify inspect --section .pcrsig pcr2.efi >other.pcrsig 2>/dev/null ||
	objcopy -O binary --only-section=.pcrsig pcr2.efi other.pcrsig
igos-ukify inspect --section .pcrpkey pcr.efi >pcr.pkey 2>/dev/null ||
	objcopy -O binary --only-section=.pcrpkey pcr.efi pcr.pkey
bc_uki pcr3.efi --pcrsig other.pcrsig --pcrpkey pcr.pkey && bc_sign db pcr3.signed pcr3.efi
bc_mk p-bad
cp pcr3.signed p-bad.esp/$UKI
bc_run p-bad 1 "*" "a .pcrsig made for another command line: refused"
case $ERR in
"igos-bootcheck: $UKI .pcrsig: refused by TPM: signed policy does not match the predicted PCR 11"*)
	is ok ok "... by the TPM policy, named on stderr" ;;
*) is "$ERR" "igos-bootcheck: $UKI .pcrsig: refused by TPM: ..." "... by the TPM policy, named on stderr" ;;
esac

# ---- inside the UKI: the verity root hash and its signature beside it ----
RH=$(printf '%064d' 7 | tr 0 a)
printf '%s' "$RH" >rh.txt
BC_CMDLINE="console=ttyS0 roothash=$RH" bc_uki rh.efi && bc_sign db rh.signed rh.efi
bc_mk r-none
cp rh.signed r-none.esp/EFI/Linux/rh.efi
rm r-none.esp/$UKI
bc_run r-none 0 "" "roothash= without a signature beside: not checked, not a failure"
is "$(bc_line "EFI/Linux/rh.efi roothash")" "EFI/Linux/rh.efi roothash: not checked: no root-hash signature EFI/Linux/rh.roothash.p7s installed" \
	"... the line names the file looked for"
bc_mk r-mok
cp rh.signed r-mok.esp/EFI/Linux/rh.efi
rm r-mok.esp/$UKI
igos-verity sign -k keys/mok.key -c keys/mok.crt -o r-mok.esp/EFI/Linux/rh.roothash.p7s @rh.txt
esl_x509 keys/mok.der | efivar r-mok.ev MokListRT $SHIM_GUID 06000000
printf '\001' | efivar r-mok.ev MokListTrustedRT $SHIM_GUID 06000000
bc_run r-mok 0 "" "a root-hash signature by a trusted MOK passes"
is "$(bc_line "EFI/Linux/rh.efi roothash" | cut -d';' -f1,2)" "EFI/Linux/rh.efi roothash: passes (kernel); trusted by MokListRT entry 1 'CN = igos bootcheck mok'" \
	"... by MokListRT entry 1"
RH2=$(printf '%064d' 7 | tr 0 b)
printf '%s' "$RH2" >rh2.txt
igos-verity sign -k keys/mok.key -c keys/mok.crt -o r-mok.esp/EFI/Linux/rh.roothash.p7s @rh2.txt
bc_run r-mok 0 "" "a signature over another root hash verifies with no key: not checked"
bc_mk r-req
BC_CMDLINE="console=ttyS0 roothash=$RH dm_verity.require_signatures=1" bc_uki rq.efi &&
	bc_sign db r-req.esp/$UKI rq.efi
bc_run r-req 1 "igos-bootcheck: $UKI roothash: refused by kernel: dm_verity.require_signatures=1 but no EFI/Linux/uki.signed.roothash.p7s" \
	"dm_verity.require_signatures=1 and no signature: refused by the kernel"

# ---- the boot entry ----
bc_mk b-entry
mkdir -p b-entry.esp/EFI/igos
mv b-entry.esp/$SHIM b-entry.esp/EFI/igos/shimx64.efi
cp b-entry.esp/$GRUB b-entry.esp/EFI/igos/grubx64.efi
bc_loadopt 'InterGenOS' '\EFI\igos\shimx64.efi' | efivar b-entry.ev Boot0003 $GLOBAL_GUID 07000000
bc_le16 7 3 | efivar b-entry.ev BootOrder $GLOBAL_GUID 07000000
bc_le16 3 | efivar b-entry.ev BootCurrent $GLOBAL_GUID 06000000
bc_run b-entry 0 "" "BootOrder -> Boot0003 File(\\EFI\\igos\\shimx64.efi): followed"
is "$(printf '%s\n' "$OUT" | sed -n 2p)" "boot entry: Boot0003 'InterGenOS' -> EFI/igos/shimx64.efi" \
	"... the entry and its path named"
is "$(bc_line EFI/igos/grubx64.efi | cut -d';' -f1)" "EFI/igos/grubx64.efi: passes (shim)" \
	"... shim's second stage taken from shim's own directory"
bc_mk b-removable
bc_loadopt 'UEFI Misc Device' | efivar b-removable.ev Boot0001 $GLOBAL_GUID 07000000
bc_le16 1 | efivar b-removable.ev BootOrder $GLOBAL_GUID 07000000
bc_run b-removable 0 "" "a device entry without a file: the removable path"
is "$(printf '%s\n' "$OUT" | sed -n 2p)" "boot entry: Boot0001 'UEFI Misc Device' -> EFI/BOOT/BOOTX64.EFI" \
	"... named as such"
bc_mk b-current
bc_loadopt 'UEFI QEMU DVD-ROM' | efivar b-current.ev Boot0001 $GLOBAL_GUID 07000000
bc_loadopt 'UEFI Misc Device' | efivar b-current.ev Boot0002 $GLOBAL_GUID 07000000
bc_le16 1 2 | efivar b-current.ev BootOrder $GLOBAL_GUID 07000000
bc_le16 2 | efivar b-current.ev BootCurrent $GLOBAL_GUID 06000000
bc_run b-current 0 "" "two device entries, BootCurrent the second"
is "$(printf '%s\n' "$OUT" | sed -n 2p)" "boot entry: Boot0002 'UEFI Misc Device' -> EFI/BOOT/BOOTX64.EFI" \
	"... a device entry before BootCurrent is taken as another device (an empty DVD drive)"
bc_mk b-case
mv b-case.esp/EFI/BOOT b-case.esp/EFI/boot && mv b-case.esp/EFI/boot/BOOTX64.EFI b-case.esp/EFI/boot/bootx64.efi
bc_run b-case 0 "" "names on the ESP matched without regard to case, as FAT firmware does"
is "$(bc_line EFI/boot/bootx64.efi | cut -d';' -f1)" "EFI/boot/bootx64.efi: passes (firmware)" \
	"... and shown as they are"
done_testing
