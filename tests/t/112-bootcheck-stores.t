#!/bin/sh
# igos-bootcheck's trust rules entry by entry (lib/secboot.c): every kind of
# signature list entry in db and dbx (SHA-1 and SHA-256 image hashes, X.509,
# certificate TBS hashes by SHA-256/384/512), stores past 32 entries, images
# with several signatures of mixed fate, MokIgnoreDB, shim's vendor db and
# the certificates shim will not use (a module-signing EKU, DER with bytes
# after it). Each case: the exit status, the one stderr line or the verdict
# line of the link, as EDK2 and shim decide (spec/grub-chain.md).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/mok.sh"
. "$TESTLIB/bootcheck.sh"
SHIM_DIR=/usr/lib/shim
need igos-bootcheck igos-sign igos-ukify grub-mkimage python3 xxd openssl pesign sbsign osslsigncode \
	"$SHIM_DIR/shimx64.efi" "$BC_MARKER" "$BC_STUB"

bc_chain
bc_esp esp0 shim.signed grub.signed uki.signed

DB_SUBJ='C = US, ST = Colorado, L = Fort Collins, O = SnakeOil'
SHIM=EFI/BOOT/BOOTX64.EFI GRUB=EFI/BOOT/grubx64.efi UKI=EFI/Linux/uki.signed.efi
mv esp0/EFI/Linux/uki.signed esp0/$UKI

sha1of() { pesign -h -d sha1 -i "$1" | sed 's/^hash: //'; }
# db and dbx as the concatenation of the lists on stdin
setdb() { efivar "$1.ev" db $SECURITY_GUID 27000000; }
setdbx() { efivar "$1.ev" dbx $SECURITY_GUID 27000000; }
setmok() { efivar "$1.ev" MokListRT $SHIM_GUID 06000000; }
setmokx() { efivar "$1.ev" MokListXRT $SHIM_GUID 06000000; }
# junk hashes: entries that match nothing
J1=$(printf '%064d' 1) J2=$(printf '%064d' 2) J3=$(printf '%040d' 3)

plan 79

# ---- the firmware's stores, judging shim ----
fh=$(bc_fwhash shim.efi) sh=$(bc_hash shim.efi)
bc_mk f-unsdbx
cp shim.efi f-unsdbx.esp/$SHIM
{ esl_sha256 "$J1"; esl_sha256 "$J2" "$fh"; } | setdbx f-unsdbx
bc_run f-unsdbx 1 "igos-bootcheck: $SHIM: refused by firmware: revoked by image hash: unsigned; its SHA-256 $(printf %.16s "$fh")... is dbx entry 3" \
	"unsigned shim whose EDK2 hash is dbx entry 3 (second list): revoked"
bc_mk f-first
cp shim.efi f-first.esp/$SHIM
{ esl_sha256 "$fh"; esl_x509 keys/db.der; } | setdb f-first
bc_run f-first 0 "" "unsigned shim whose EDK2 hash is db entry 1: passes"
is "$(bc_line $SHIM)" "$SHIM: passes (firmware); trusted by db entry 1 'SHA-256 image hash'" \
	"... trusted by db entry 1"
esl_sha256 "$fh" | setdbx f-first
bc_run f-first 1 "igos-bootcheck: $SHIM: refused by firmware: revoked by image hash: unsigned; its SHA-256 $(printf %.16s "$fh")... is dbx entry 1" \
	"... and as dbx entry 1 too: revoked"
bc_mk f-padded
cp shim.efi f-padded.esp/$SHIM
{ esl_x509 keys/db.der; esl_sha256 "$sh"; } | setdb f-padded
is "$(($(wc -c <shim.efi) % 8)) $([ "$fh" != "$sh" ] && echo differ)" "6 differ" \
	"shim.efi is not a multiple of 8 long: the EDK2 hash is not the signers' one"
bc_run f-padded 1 "igos-bootcheck: $SHIM: refused by firmware: not signed: no signature, and its SHA-256 $(printf %.16s "$fh")... is not in db" \
	"unsigned shim: db holding its hash with the signers' padding to 8 does not let it pass (EDK2 hashes no padding)"
bc_mk f-padx
cp shim.efi f-padx.esp/$SHIM
esl_sha256 "$sh" | setdbx f-padx
{ esl_x509 keys/db.der; esl_sha256 "$fh"; } | setdb f-padx
bc_run f-padx 0 "" "... and dbx holding the padded hash does not revoke the unsigned shim whose EDK2 hash is in db"
is "$(bc_line $SHIM)" "$SHIM: passes (firmware); trusted by db entry 2 'SHA-256 image hash'" \
	"... trusted by db entry 2"

bc_mk f-x384
bc_x509_sha256 keys/db.der sha384 | setdbx f-x384
bc_run f-x384 1 "igos-bootcheck: $SHIM: refused by firmware: revoked by certificate: certificate '$DB_SUBJ' of signature 1 is dbx entry 1 (by its hash)" \
	"dbx: the signer's TBS hash as EFI_CERT_X509_SHA384"
bc_mk f-x512
{ esl_sha256 "$J1"; bc_x509_sha256 keys/other.der sha512; bc_x509_sha256 keys/db.der sha512; } | setdbx f-x512
bc_run f-x512 1 "igos-bootcheck: $SHIM: refused by firmware: revoked by certificate: certificate '$DB_SUBJ' of signature 1 is dbx entry 3 (by its hash)" \
	"dbx: EFI_CERT_X509_SHA512 entries, the signer's the third entry"
# the signature carries two certificates: the signer's TBS hash found
# among them revokes whatever the other one is
osslsigncode sign -key keys/db.key -certs keys/db.crt -ac keys/other.crt -in shim.efi -out two-certs.efi >/dev/null 2>&1 ||
	{ echo "Bail out! two certificates"; exit 1; }
for _k in db other; do
	bc_mk f-2c$_k
	cp two-certs.efi f-2c$_k.esp/$SHIM
	bc_x509_sha256 keys/$_k.der | setdbx f-2c$_k
done
bc_run f-2cdb 1 "igos-bootcheck: $SHIM: refused by firmware: revoked by certificate: certificate '$DB_SUBJ' of signature 1 is dbx entry 1 (by its hash)" \
	"a signature carrying the signer's and another certificate, the signer's TBS hash in dbx: revoked"
bc_run f-2cother 1 "igos-bootcheck: $SHIM: refused by firmware: revoked by certificate: certificate 'CN = igos bootcheck other' of signature 1 is dbx entry 1 (by its hash)" \
	"... the other certificate's TBS hash in dbx: revoked too (EDK2 hashes every certificate the signature carries)"
bc_mk f-xother
{ bc_x509_sha256 keys/other.der; bc_x509_sha256 keys/other.der sha384; bc_x509_sha256 keys/other.der sha512; } | setdbx f-xother
bc_run f-xother 0 "" "dbx: another certificate's TBS hashes of all three kinds do not revoke"

# A CA in db; the image signed by a leaf the CA issued (the signature
# carries only the leaf): EDK2 allows it by the CA, unless dbx holds the
# CA's TBS hash (IsCertHashFoundInDbx on the db certificate it chained to).
openssl req -x509 -newkey rsa:2048 -nodes -keyout keys/ca.key -out keys/ca.crt -subj "/CN=igos bootcheck ca" \
	-days 3650 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,digitalSignature 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -keyout keys/leaf.key -out leaf.csr -subj "/CN=igos bootcheck leaf" 2>/dev/null &&
	printf 'extendedKeyUsage=codeSigning\n' >leaf.ext &&
	openssl x509 -req -in leaf.csr -CA keys/ca.crt -CAkey keys/ca.key -CAcreateserial -days 3650 \
		-extfile leaf.ext -out keys/leaf.crt 2>/dev/null &&
	openssl x509 -in keys/ca.crt -outform DER -out keys/ca.der && chmod 600 keys/ca.key keys/leaf.key ||
	{ echo "Bail out! CA"; exit 1; }
bc_mk f-ca
bc_sign leaf f-ca.esp/$SHIM shim.efi
{ esl_x509 keys/other.der; esl_x509 keys/ca.der; esl_x509 keys/db.der; } | setdb f-ca
bc_run f-ca 0 "" "shim signed by a leaf of a CA that is db entry 2: passes"
is "$(bc_line $SHIM)" "$SHIM: passes (firmware); signer 'CN = igos bootcheck leaf'; trusted by db entry 2 'CN = igos bootcheck ca'" \
	"... trusted by the CA, signer the leaf"
bc_x509_sha256 keys/ca.der sha384 | setdbx f-ca
bc_run f-ca 1 "igos-bootcheck: $SHIM: refused by firmware: untrusted signer: signer 'CN = igos bootcheck leaf' chains to no db certificate and the image hash is not in db" \
	"... the CA's TBS hash in dbx: the db certificate it chains to is void"

# db past 32 entries (the store grows by 32): the certificate is entry 41
bc_mk f-many
{ esl_sha256 $(seq 1 40 | while read -r i; do printf '%064d ' "$i"; done); esl_x509 keys/db.der; } | setdb f-many
bc_run f-many 0 "" "db of 40 hashes then the db certificate: passes"
is "$(bc_line $SHIM)" "$SHIM: passes (firmware); signer '$DB_SUBJ'; trusted by db entry 41 '$DB_SUBJ'" \
	"... trusted by db entry 41"
bc_mk f-manyx
{ esl_sha256 $(seq 1 70 | while read -r i; do printf '%064d ' "$i"; done) "$(bc_hash shim.signed)"; } | setdbx f-manyx
bc_run f-manyx 1 "igos-bootcheck: $SHIM: refused by firmware: revoked by image hash: its SHA-256 $(bc_hash shim.signed | cut -c1-16)... is dbx entry 71" \
	"dbx of 71 hashes, shim's the last: revoked"

# entries that match nothing are passed over
bc_mk f-unrelated
esl_x509 keys/revoked.der | setdbx f-unrelated
printf 'not a certificate' >junk.der
{ esl_x509 junk.der; esl_x509 keys/db.der; } | setdb f-unrelated
bc_run f-unrelated 0 "" "dbx holding another certificate, db an X.509 entry that does not parse then the db certificate: passes"
is "$(bc_line $SHIM)" "$SHIM: passes (firmware); signer '$DB_SUBJ'; trusted by db entry 2 '$DB_SUBJ'" \
	"... trusted by db entry 2"

# one signature, invalid over this image: EDK2 still looks the image hash up
cp shim.signed t.efi && bc_tamper t.efi
th=$(bc_hash t.efi)
bc_mk f-tamperdb
cp t.efi f-tamperdb.esp/$SHIM
{ esl_sha256 "$th" "$J1"; esl_x509 keys/other.der; esl_x509 keys/db.der; } | setdb f-tamperdb
bc_run f-tamperdb 0 "" "a signature that no longer matches, but the image hash is in db: passes"
is "$(bc_line $SHIM | sed 's/; signer.*;/;/')" "$SHIM: passes (firmware); trusted by db entry 1 'SHA-256 image hash'" \
	"... trusted by db entry 1"
esl_sha256 "$th" | setdbx f-tamperdb
bc_run f-tamperdb 1 "igos-bootcheck: $SHIM: refused by firmware: revoked by image hash: its SHA-256 $(printf %.16s "$th")... is dbx entry 1" \
	"... and with the hash in dbx too: revoked"

bc_mk f-otherhash
bc_sign other f-otherhash.esp/$SHIM shim.efi
{ esl_sha256 "$(bc_hash f-otherhash.esp/$SHIM)"; esl_x509 keys/db.der; } | setdb f-otherhash
bc_run f-otherhash 0 "" "a valid signature by a key not in db, the image hash db entry 1: passes"
is "$(bc_line $SHIM)" "$SHIM: passes (firmware); signer 'CN = igos bootcheck other'; trusted by db entry 1 'SHA-256 image hash'" \
	"... trusted by db entry 1, the signer named"

# several signatures: an ECDSA one (refused) first
sbsign --key keys/ec.key --cert keys/ec.crt --output ec1.efi shim.efi >/dev/null 2>&1 &&
	igos-sign sign -k keys/other.key -c keys/other.crt -o ec-other.efi ec1.efi &&
	igos-sign sign -k keys/db.key -c keys/db.crt -o ec-db.efi ec1.efi ||
	{ echo "Bail out! two signatures"; exit 1; }
bc_mk f-ecdb
cp ec-db.efi f-ecdb.esp/$SHIM
bc_run f-ecdb 0 "" "an ECDSA signature then a db one: passes"
is "$(bc_line $SHIM)" "$SHIM: passes (firmware); signer '$DB_SUBJ'; trusted by db entry 1 '$DB_SUBJ'" \
	"... the signer named is the one that passed"
bc_mk f-ecother
cp ec-other.efi f-ecother.esp/$SHIM
bc_run f-ecother 1 "igos-bootcheck: $SHIM: refused by firmware: untrusted signer: signer 'CN = igos bootcheck other' chains to no db certificate and the image hash is not in db" \
	"an ECDSA signature then a valid untrusted one: untrusted, the valid signer named"
# a signature made invalid by a change, then an ECDSA one over the changed
# image: each refused for its own reason, the first one reported in its words
igos-sign sign -k keys/other.key -c keys/other.crt -o ot.efi shim.efi && bc_tamper ot.efi &&
	sbsign --key keys/ec.key --cert keys/ec.crt --output ote.efi ot.efi >/dev/null 2>&1 ||
	{ echo "Bail out! tampered then ECDSA"; exit 1; }
bc_mk f-ectamper
cp ote.efi f-ectamper.esp/$SHIM
bc_run f-ectamper 1 "igos-bootcheck: $SHIM: refused by firmware: tampered after signing: image digest does not match the signed digest" \
	"a tampered then an ECDSA signature: the first refusal reported, in its own words"
is "$(bc_line $SHIM)" "$SHIM: refused by firmware: tampered after signing: image digest does not match the signed digest; signer 'CN = igos bootcheck other'" \
	"... the first signer named on its line"
bc_mk f-ecdbx
esl_x509 keys/other.der | setdbx f-ecdbx
cp ec-other.efi f-ecdbx.esp/$SHIM
bc_run f-ecdbx 1 "igos-bootcheck: $SHIM: refused by firmware: revoked by certificate: signature 2 chains to dbx entry 1 (CN = igos bootcheck other)" \
	"the second signature's signer in dbx: revoked, signature 2 named"
bc_mk f-twodb
igos-sign sign -k keys/db.key -c keys/db.crt -o f-twodb.esp/$SHIM ec-other.efi
esl_x509 keys/other.der | setdbx f-twodb
bc_run f-twodb 1 "igos-bootcheck: $SHIM: refused by firmware: revoked by certificate: signature 2 chains to dbx entry 1 (CN = igos bootcheck other)" \
	"a db signature after a revoked one: any dbx hit denies"

# signatures refused for their form, each named (osslsigncode makes them)
oss() { _o=$1; shift; osslsigncode sign "$@" -in shim.efi -out "$_o" >/dev/null 2>&1 || { echo "Bail out! osslsigncode $*"; exit 1; }; }
openssl req -x509 -newkey rsa:1024 -nodes -keyout keys/rsa1024.key -out keys/rsa1024.crt \
	-subj "/CN=igos bootcheck rsa1024" -days 3650 2>/dev/null && chmod 600 keys/rsa1024.key || { echo "Bail out! rsa1024"; exit 1; }
for _i in $(seq 1 90); do cat keys/other.crt; done >filler.pem
oss a-sha384.efi -h sha384 -key keys/db.key -certs keys/db.crt
oss a-md5.efi -h md5 -key keys/db.key -certs keys/db.crt
oss a-rsa1024.efi -key keys/rsa1024.key -certs keys/rsa1024.crt
oss a-big.efi -key keys/db.key -certs keys/db.crt -ac filler.pem
for _c in "sha384:SHA-384 image digest: shim accepts SHA-256 only:a SHA-384 signature (EDK2 would take it; shim and igos do not)" \
	"md5:unsupported digest algorithm in SpcIndirectDataContent:an MD5 signature" \
	"rsa1024:signer key is RSA-1024: igos accepts RSA 2048 to 4096 bits:an RSA-1024 signer (igos is stricter)" \
	"big:PKCS#7 length not in the two-byte form UEFI firmware reads:a PKCS#7 of more than 64 KiB (90 extra certificates)"; do
	_k=${_c%%:*} _r=${_c#*:} _d=${_c##*:}; _r=${_r%:*}
	bc_mk f-$_k
	cp a-$_k.efi f-$_k.esp/$SHIM
	bc_run f-$_k 1 "igos-bootcheck: $SHIM: refused by firmware: algorithm refused: $_r" "$_d: algorithm refused"
done
python3 - shim.signed badsig.efi <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
pe = struct.unpack_from('<I', d, 0x3c)[0]
dd = pe + 24 + (112 if struct.unpack_from('<H', d, pe + 24)[0] == 0x20b else 96)
off = struct.unpack_from('<I', d, dd + 32)[0]
p7 = off + 8
# a byte of the RSA signature value, the PKCS#7's last element
d[p7 + (d[p7 + 2] << 8 | d[p7 + 3]) + 4 - 10] ^= 1
open(sys.argv[2], 'wb').write(d)
PY
bc_mk f-badsig
cp badsig.efi f-badsig.esp/$SHIM
bc_run f-badsig 1 "igos-bootcheck: $SHIM: refused by firmware: tampered after signing: signature not valid: bad signature" \
	"a flipped bit in the RSA signature value: tampered"

# ---- shim's stores, judging GRUB ----
g1=$(sha1of grub.signed) u1=$(sha1of grub.efi)
bc_mk s-sha1dbx
{ bc_esl_sha1 "$J3"; bc_esl_sha1 "$g1"; } | setdbx s-sha1dbx
bc_run s-sha1dbx 1 "igos-bootcheck: $GRUB: refused by shim: revoked by image hash: its image hash is dbx entry 2" \
	"GRUB's SHA-1 image hash in dbx: revoked"
bc_mk s-sha1db
cp grub.efi s-sha1db.esp/$GRUB
{ bc_esl_sha1 "$u1" "$J3"; esl_x509 keys/db.der; } | setdb s-sha1db
bc_run s-sha1db 0 "" "unsigned GRUB whose SHA-1 is in db: shim takes it"
is "$(bc_line $GRUB)" "$GRUB: passes (shim); trusted by db entry 1 'SHA-1 image hash'" \
	"... by db entry 1, a SHA-1 image hash"
bc_esl_sha1 "$u1" | efivar s-sha1db.ev MokListRT $SHIM_GUID 06000000
{ esl_x509 keys/db.der; } | setdb s-sha1db
bc_run s-sha1db 1 "igos-bootcheck: $GRUB: refused by shim: not signed: no signature, and its SHA-256 $(bc_hash grub.efi | cut -c1-16)... is in no allow list" \
	"... a SHA-1 hash in MokList is not looked at (shim: SHA-256 only there)"
bc_mk s-sha256db
cp grub.efi s-sha256db.esp/$GRUB
{ esl_sha256 "$(bc_hash grub.efi)"; esl_x509 keys/db.der; } | setdb s-sha256db
bc_run s-sha256db 0 "" "unsigned GRUB whose SHA-256 is in db: passes"
is "$(bc_line $GRUB)" "$GRUB: passes (shim); trusted by db entry 1 'SHA-256 image hash'" \
	"... by db entry 1"
printf '\001' | efivar s-sha256db.ev MokIgnoreDB $SHIM_GUID 06000000
bc_run s-sha256db 1 "igos-bootcheck: $GRUB: refused by shim: not signed: no signature, and its SHA-256 $(bc_hash grub.efi | cut -c1-16)... is in no allow list" \
	"... with MokIgnoreDB set, shim does not look in db"
bc_mk s-db
bc_sign db s-db.esp/$GRUB grub.efi
bc_run s-db 0 "" "GRUB signed by the db key: shim takes db"
is "$(bc_line $GRUB)" "$GRUB: passes (shim); signer '$DB_SUBJ'; trusted by db entry 1 '$DB_SUBJ'" \
	"... trusted by db entry 1"
printf '\001' | efivar s-db.ev MokIgnoreDB $SHIM_GUID 06000000
bc_run s-db 1 "igos-bootcheck: $GRUB: refused by shim: untrusted signer: signer '$DB_SUBJ' chains to no certificate of db, MokList or shim's vendor certificate, and the image hash is in none" \
	"... with MokIgnoreDB: untrusted"
bc_mk s-ign1
cp grub.efi s-ign1.esp/$GRUB
{ esl_x509 keys/db.der; bc_esl_sha1 "$u1"; } | setdb s-ign1
printf '\001' | efivar s-ign1.ev MokIgnoreDB $SHIM_GUID 06000000
bc_run s-ign1 1 "igos-bootcheck: $GRUB: refused by shim: not signed: no signature, and its SHA-256 $(bc_hash grub.efi | cut -c1-16)... is in no allow list" \
	"MokIgnoreDB: a SHA-1 hash in db is not looked at either"
bc_mk s-dbxcert
esl_x509 keys/vendor.der | setdbx s-dbxcert
bc_run s-dbxcert 1 "igos-bootcheck: $GRUB: refused by shim: revoked by certificate: signature 1 chains to dbx entry 1 (CN = igos bootcheck vendor)" \
	"the vendor certificate in the firmware's dbx: shim refuses GRUB"

igos-sign sign -k keys/other.key -c keys/other.crt -o gt.efi grub.efi && bc_tamper gt.efi &&
	sbsign --key keys/ec.key --cert keys/ec.crt --output gte.efi gt.efi >/dev/null 2>&1 ||
	{ echo "Bail out! tampered then ECDSA"; exit 1; }
bc_mk s-ectamper
cp gte.efi s-ectamper.esp/$GRUB
bc_run s-ectamper 1 "igos-bootcheck: $GRUB: refused by shim: tampered after signing: image digest does not match the signed digest" \
	"GRUB with a tampered then an ECDSA signature: the first refusal reported, in its own words"

bc_mk s-mokx1
{ bc_esl_sha1 "$J3"; } | setdbx s-mokx1
bc_esl_sha1 "$g1" | setmokx s-mokx1
bc_run s-mokx1 0 "" "GRUB's SHA-1 in MokListXRT: shim looks up SHA-256 only there, GRUB passes"
bc_mk s-junkmok
bc_sign mok s-junkmok.esp/$GRUB grub.efi
{ esl_x509 junk.der; esl_x509 keys/mok.der; } | setmok s-junkmok
bc_run s-junkmok 0 "" "MokList: an X.509 entry that does not parse, then the MOK: GRUB passes"
is "$(bc_line $GRUB)" "$GRUB: passes (shim); signer 'CN = igos bootcheck mok'; trusted by MokListRT entry 2 'CN = igos bootcheck mok'" \
	"... by MokListRT entry 2"

# certificates shim will not use
openssl req -x509 -newkey rsa:2048 -nodes -keyout keys/modsign.key -out keys/modsign.crt \
	-subj "/CN=igos bootcheck modsign" -days 3650 \
	-addext extendedKeyUsage=codeSigning,1.3.6.1.4.1.2312.16.1.2 2>/dev/null &&
	openssl x509 -in keys/modsign.crt -outform DER -out keys/modsign.der && chmod 600 keys/modsign.key ||
	{ echo "Bail out! modsign"; exit 1; }
bc_mk s-modsign
bc_sign modsign s-modsign.esp/$GRUB grub.efi
esl_x509 keys/modsign.der | setmok s-modsign
bc_run s-modsign 1 "igos-bootcheck: $GRUB: refused by shim: untrusted signer: signer 'CN = igos bootcheck modsign' chains to no certificate of db, MokList or shim's vendor certificate, and the image hash is in none" \
	"a MOK with the module-signing EKU: shim does not use it for images"
bc_mk s-tail
bc_sign mok s-tail.esp/$GRUB grub.efi
{ cat keys/mok.der; printf '\000\000\000\000'; } >mok-tail.der
esl_x509 mok-tail.der | setmok s-tail
bc_run s-tail 1 "igos-bootcheck: $GRUB: refused by shim: untrusted signer: signer 'CN = igos bootcheck mok' chains to no certificate of db, MokList or shim's vendor certificate, and the image hash is in none" \
	"a MOK entry with 4 bytes after the certificate's DER: shim does not use it"
{ esl_x509 mok-tail.der; esl_x509 keys/mok.der; } | setmok s-tail
bc_run s-tail 0 "" "... the same certificate as a clean second entry: passes"
is "$(bc_line $GRUB)" "$GRUB: passes (shim); signer 'CN = igos bootcheck mok'; trusted by MokListRT entry 2 'CN = igos bootcheck mok'" \
	"... by MokListRT entry 2"

# several signatures before shim
bc_sign mok gm.efi grub.efi && igos-sign sign -k keys/vendor.key -c keys/vendor.crt -o gmv.efi gm.efi &&
	bc_sign other go.efi grub.efi && igos-sign sign -k keys/mok.key -c keys/mok.crt -o gom.efi go.efi &&
	igos-sign sign -k keys/other.key -c keys/other.crt -o gmo.efi gm.efi ||
	{ echo "Bail out! signatures"; exit 1; }
bc_mk s-revthen
cp gmv.efi s-revthen.esp/$GRUB
esl_x509 keys/mok.der | setmok s-revthen
esl_x509 keys/mok.der | setmokx s-revthen
bc_run s-revthen 0 "" "a revoked MOK signature, then the vendor's: shim takes the second"
is "$(bc_line $GRUB)" "$GRUB: passes (shim); signer 'CN = igos bootcheck vendor'; trusted by shim's vendor certificate 'CN = igos bootcheck vendor'" \
	"... trusted by the vendor certificate, its signer named"
bc_mk s-revother
cp gmo.efi s-revother.esp/$GRUB
esl_x509 keys/mok.der | setmok s-revother
{ esl_x509 keys/revoked.der; esl_x509 keys/mok.der; } | setmokx s-revother
bc_run s-revother 1 "igos-bootcheck: $GRUB: refused by shim: revoked by certificate: signature 1 chains to MokListXRT entry 2 (CN = igos bootcheck mok)" \
	"a revoked MOK signature, then an untrusted one: revoked, signature 1 named"
bc_mk s-otherrev
cp gom.efi s-otherrev.esp/$GRUB
esl_x509 keys/mok.der | setmok s-otherrev
esl_x509 keys/mok.der | setmokx s-otherrev
bc_run s-otherrev 1 "igos-bootcheck: $GRUB: refused by shim: revoked by certificate: signature 2 chains to MokListXRT entry 1 (CN = igos bootcheck mok)" \
	"an untrusted signature, then a revoked MOK one: revoked, signature 2 named"
bc_run s-otherrev 1 "*" "--json" --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); l=d["links"][1]
print(l["verdict"], l["reason"], l["signer"], l["trusted_by"])' 2>&1)" \
	"refused revoked-certificate CN = igos bootcheck mok None" \
	"... --json: the signer named is the revoked one"

# shim built with a vendor db (signature lists, VENDOR_DB_FILE) for its vendor certificate
{ esl_sha256 "$J1"; esl_x509 keys/vendor.der; } >vdb.esl
bc_shim vdbshim.efi vdb.esl && bc_sign db vdbshim.signed vdbshim.efi || { echo "Bail out! vendor db"; exit 1; }
bc_mk s-vdb
cp vdbshim.signed s-vdb.esp/$SHIM
bc_run s-vdb 0 "" "shim with a vendor db holding the vendor certificate: GRUB passes"
is "$(bc_line $GRUB)" "$GRUB: passes (shim); signer 'CN = igos bootcheck vendor'; trusted by shim's vendor db entry 2 'CN = igos bootcheck vendor'" \
	"... trusted by shim's vendor db entry 2"
{ esl_sha256 "$(bc_hash grub.efi)" "$J1"; } >vdb2.esl
bc_shim vdbshim2.efi vdb2.esl && bc_sign db vdbshim2.signed vdbshim2.efi || { echo "Bail out! vendor db"; exit 1; }
bc_mk s-vdbhash
cp vdbshim2.signed s-vdbhash.esp/$SHIM
cp grub.efi s-vdbhash.esp/$GRUB
bc_run s-vdbhash 0 "" "unsigned GRUB whose hash is in shim's vendor db: passes"
is "$(bc_line $GRUB)" "$GRUB: passes (shim); trusted by shim's vendor db entry 1 'SHA-256 image hash'" \
	"... trusted by shim's vendor db entry 1"
bc_esl_sha1 "$g1" >vdbx1.esl
bc_shim vdbxshim.efi keys/vendor.der vdbx1.esl && bc_sign db vdbxshim.signed vdbxshim.efi || { echo "Bail out! vendor dbx"; exit 1; }
bc_mk s-vdbxsha1
cp vdbxshim.signed s-vdbxsha1.esp/$SHIM
bc_run s-vdbxsha1 1 "igos-bootcheck: $GRUB: refused by shim: revoked by image hash: its image hash is shim's vendor dbx entry 1" \
	"GRUB's SHA-1 image hash in shim's vendor dbx: revoked"

# shim's .vendor_cert header {auth size, deauth size, auth offset, deauth
# offset}, each list checked to lie inside the section (shim's cert.S layout)
# vcert OUT AS DS AO DO [AUTHFILE [DEAUTHFILE]]: offsets "end" put the blob
# at the section's end
vcert() {
	python3 - "$SHIM_DIR/shimx64.efi" "$@" <<'PY' && bc_sign db "$1.signed" "$1"
import struct, sys
src, out, a_s, d_s, a_o, d_o = sys.argv[1:7]
auth = open(sys.argv[7], 'rb').read() if len(sys.argv) > 7 else b''
deauth = open(sys.argv[8], 'rb').read() if len(sys.argv) > 8 else b''
d = bytearray(open(src, 'rb').read())
pe = struct.unpack_from('<I', d, 0x3c)[0]
nsec = struct.unpack_from('<H', d, pe + 6)[0]
sh = pe + 24 + struct.unpack_from('<H', d, pe + 20)[0]
symoff, nsym = struct.unpack_from('<II', d, pe + 12)
strtab = symoff + 18 * nsym
for i in range(nsec):
    h = sh + 40 * i
    nm = d[h:h + 8].rstrip(b'\0')
    if nm.startswith(b'/'):
        o = strtab + int(nm[1:]); nm = d[o:d.index(b'\0', o)]
    if nm == b'.vendor_cert':
        break
vs, va, rs, ro = struct.unpack_from('<IIII', d, h + 8)
n = min(vs, rs)
def val(v, blob):
    return n - len(blob) if v == 'end' else int(v, 0)
a_o, d_o = val(a_o, auth), val(d_o, deauth)
d[ro:ro + n] = b'\0' * n
struct.pack_into('<IIII', d, ro, int(a_s, 0), int(d_s, 0), a_o, d_o)
for o, b in ((a_o, auth), (d_o, deauth)):
    if b:
        d[ro + o:ro + o + len(b)] = b
open(out, 'wb').write(d)
PY
}
VBAD="refused by shim: malformed image: shim's .vendor_cert: a list lies outside the section"
vl=$(wc -c <keys/vendor.der)
esl_sha256 "$(bc_hash grub.signed)" >gdbx.esl
dl=$(wc -c <gdbx.esl)
for _c in "8 0 8 0:the vendor certificate at offset 8, inside the header" \
	"$vl 0 0x7ffffff0 0:the vendor certificate past the section" \
	"0x7fffffff 0 16 0:a vendor certificate size past the section" \
	"$vl $dl 16 12:the vendor dbx at offset 12, inside the header" \
	"$vl $dl 16 0x7ffffff0:the vendor dbx past the section" \
	"$vl 0x7fffffff 16 16:a vendor dbx size past the section"; do
	set -- ${_c%%:*}
	vcert vb.efi "$@" keys/vendor.der gdbx.esl || { echo "Bail out! vcert"; exit 1; }
	bc_mk v-bad
	cp vb.efi.signed v-bad.esp/$SHIM
	bc_run v-bad 1 "igos-bootcheck: $SHIM: $VBAD" "${_c#*:}: refused"
done
bc_mk v-end
vcert ve.efi "$vl" "$dl" end end keys/vendor.der gdbx.esl && cp ve.efi.signed v-end.esp/$SHIM
bc_run v-end 1 "igos-bootcheck: $GRUB: refused by shim: revoked by image hash: its image hash is shim's vendor dbx entry 1" \
	"the vendor dbx ending at the section's end: used, GRUB's hash in it revoked"
vcert ve2.efi "$vl" 0 end 0xffffffff keys/vendor.der && cp ve2.efi.signed v-end.esp/$SHIM
bc_run v-end 0 "" "the vendor certificate ending at the section's end, no vendor dbx (its offset ignored): GRUB passes"
bc_mk v-dbx16
vcert vd.efi 0 "$dl" 0 16 /dev/null gdbx.esl && cp vd.efi.signed v-dbx16.esp/$SHIM
bc_run v-dbx16 1 "igos-bootcheck: $GRUB: refused by shim: revoked by image hash: its image hash is shim's vendor dbx entry 1" \
	"no vendor certificate, the vendor dbx right after the header (offset 16): used"
bc_mk v-none
vcert vn.efi 0 0 0xffffffff 0xffffffff && cp vn.efi.signed v-none.esp/$SHIM
bc_run v-none 1 "igos-bootcheck: $GRUB: refused by shim: untrusted signer: signer 'CN = igos bootcheck vendor' chains to no certificate of db, MokList or shim's vendor certificate, and the image hash is in none" \
	"no vendor certificate (size 0, its offset ignored): the vendor-signed GRUB is untrusted"
done_testing
