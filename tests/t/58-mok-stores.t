#!/bin/sh
# What igos-mok reads back: list --blocklist (MokListXRT, also from the
# mok-variables table and split parts, against mokutil --mokx
# --list-enrolled), test against db, dbx, MokListRT, MokListXRT and the
# pending requests (which store, and the exit status), sbat (SbatLevelRT, as
# mokutil --list-sbat-revocations), pending --json with every kind of request.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/mok.sh"
need igos-mok mokutil openssl xxd sha256sum python3
for c in c1 c2 c3 c4; do mkcert $c || skip_all "openssl cannot make certificates"; done
openssl passwd -6 -salt Ab3dEf9hIj pw1 >h1
DB_GUID=d719b2cb-3d3a-4596-a3bc-dad00e67656f
H1=$(printf one | sha256sum | cut -c1-64)
H2=$(printf two | sha256sum | cut -c1-64)
fp() { openssl x509 -in "$1" -inform DER -noout -fingerprint -sha1 | sed 's/.*=//' | tr A-F a-f; }

# ---- list --blocklist ----
efidir x
{ esl_x509 c1.der; esl_sha256 "$H1" "$H2"; } | efivar x MokListXRT $SHIM_GUID 06000000
run 0 "" "list --blocklist" igos-mok --efivars x list --blocklist
is "$OUT" "x509 $(fp c1.der) CN=c1
sha256 $H1
sha256 $H2" "the blocked certificate and the two hashes"
is "$(mokutil_at x --mokx --list-enrolled | mokutil_ids | tr '\n' ' ')" "$(printf '%s\n' "$OUT" | igos_ids | tr '\n' ' ')" \
	"the same entries as mokutil --mokx --list-enrolled"
run 0 "" "list (MokListRT) on the same directory" igos-mok --efivars x list
is "$OUT" "MokListRT is empty" "says MokListRT is empty"
run 0 "" "list --json" igos-mok --efivars x list --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(len(d["keys"]), len(d["blocklist"]), d["blocklist"][0]["subject"], d["blocklist"][2]["hash"] == "'"$H2"'")')" \
	"0 3 CN=c1 True" "list --json: keys and blocklist"
efidir e
run 0 "" "list --blocklist with no MokListXRT" igos-mok --efivars e list --blocklist
is "$OUT" "MokListXRT is empty" "says MokListXRT is empty"
# split parts, and the mok-variables table beside an efivars directory
mkdir -p sp/efivars sp/mok-variables
efidir sp/efivars
esl_x509 c1.der | efivar sp/efivars MokListXRT $SHIM_GUID 06000000
esl_x509 c2.der | efivar sp/efivars MokListXRT1 $SHIM_GUID 06000000
run 0 "" "MokListXRT, MokListXRT1" igos-mok --efivars sp/efivars list --blocklist
is "$(printf '%s\n' "$OUT" | igos_ids | tr '\n' ' ')" "$(fp c1.der) $(fp c2.der) " "both parts, in order"
esl_x509 c3.der >sp/mok-variables/MokListXRT
run 0 "" "mok-variables/MokListXRT" igos-mok --efivars sp/efivars list --blocklist
is "$(printf '%s\n' "$OUT" | igos_ids)" "$(fp c3.der)" "the table wins, as for MokListRT"

# ---- test: which store holds it ----
efidir s
esl_x509 c1.der | efivar s db $DB_GUID 27000000
{ esl_x509 c2.der; esl_sha256 "$H2"; } | efivar s dbx $DB_GUID 27000000
esl_x509 c3.der | efivar s MokListRT $SHIM_GUID 06000000
{ esl_x509 c3.der; esl_sha256 "$H1"; } | efivar s MokListXRT $SHIM_GUID 06000000
igos-mok --efivars e import --hash-file h1 c4.der
cp e/$MOKNEW e/$MOKAUTH s/
run 0 "" "test: a certificate in db" igos-mok --efivars s test c1.der
is "$OUT" "enrolled in db" "says enrolled in db, status 0"
run 1 "" "test: a certificate in dbx" igos-mok --efivars s test c2.pem
is "$OUT" "revoked by dbx" "says revoked by dbx, status 1"
run 1 "" "test: enrolled in MokListRT and blocked by MokListXRT" igos-mok --efivars s test c3.der
is "$OUT" "revoked by MokListXRT
enrolled in MokListRT" "both, the revocation first (shim refuses it), status 1"
run 0 "" "test: pending enrollment" igos-mok --efivars s test c4.der
is "$OUT" "pending enrollment in MokNew" "says pending enrollment in MokNew"
run 1 "" "test --image-hash: a hash in MokListXRT" igos-mok --efivars s test --image-hash "$H1"
is "$OUT" "revoked by MokListXRT" "says revoked by MokListXRT"
run 1 "" "test --image-hash: a hash in dbx" igos-mok --efivars s test --image-hash "$(echo "$H2" | tr a-f A-F)"
is "$OUT" "revoked by dbx" "upper-case hex too; revoked by dbx"
run 1 "" "test --image-hash: unknown" igos-mok --efivars s test --image-hash "$(printf x | sha256sum | cut -c1-64)"
is "$OUT" "not enrolled" "not enrolled, status 1"
# mokutil --test-key agrees on the store (its words, status 1 = "not new")
is "$(mokutil_at s --test-key c1.der)" "c1.der is already in db" "mokutil: c1 in db"
is "$(mokutil_at s --test-key c2.der)" "c2.der is blocked in dbx" "mokutil: c2 in dbx"
igos-mok --efivars s import --blocklist --hash-file h1 c1.der
igos-mok --efivars s delete --hash-file h1 c3.der
run 0 "" "test: in db, pending blocking" igos-mok --efivars s test c1.der
is "$OUT" "enrolled in db
pending revocation in MokXNew" "enrolled in db, pending revocation in MokXNew"
run 1 "" "test: pending deletion" igos-mok --efivars s test c3.der
is "$(printf '%s\n' "$OUT" | tail -n 1)" "pending deletion in MokDel" "pending deletion in MokDel"

# ---- sbat ----
efidir b; efidir br
printf 'sbat,1,2025021800\nshim,4\ngrub,5\ngrub.proxmox,2\n' | efivar b SbatLevelRT $SHIM_GUID 06000000
cp b/SbatLevelRT-$SHIM_GUID br/
run 0 "" "sbat" igos-mok --efivars b sbat
is "$OUT" "$(mokutil_at br --list-sbat-revocations)" "the lines of mokutil --list-sbat-revocations"
run 0 "" "sbat --json" igos-mok --efivars b sbat --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)["revocations"]
print(" ".join("%s=%d" % (r["component"], r["generation"]) for r in d), d[0]["datestamp"])')" \
	"sbat=1 shim=4 grub=5 grub.proxmox=2 2025021800" "sbat --json: components, generations, datestamp"
run 0 "" "sbat with no SbatLevelRT" igos-mok --efivars e sbat
is "$OUT" "$(mokutil_at e --list-sbat-revocations)" "the line mokutil prints (SbatLevelRT is empty)"

# ---- pending: every kind at once ----
efidir p
printf 'fifteen-chars-x\n' >p15 && chmod 600 p15
igos-mok --efivars p import --hash-file h1 c1.der --image-hash "$H1" &&
	igos-mok --efivars p import --blocklist --hash-file h1 c2.der &&
	igos-mok --efivars p untrust-mok --password-file p15 &&
	igos-mok --efivars p validation off --password-file p15 &&
	igos-mok --efivars p sbat-policy latest
run 0 "" "pending with five kinds of request" igos-mok --efivars p pending
# certificates first, then each hash as mokutil --import-hash would add it:
# a first hash list goes before everything
is "$(printf '%s\n' "$OUT" | cut -d' ' -f1-2)" "enroll sha256
enroll x509
block x509
validation off
untrust-mok
sbat-policy latest" "the hash, the certificate, block, validation off, untrust-mok, sbat-policy latest"
run 0 "" "pending --json" igos-mok --efivars p pending --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(len(d["enroll"]), len(d["delete"]), len(d["block"]), len(d["unblock"]), d["block_password"], d["reset"], d["validation"], d["mok_trust"], d["sbat_policy"])')" \
	"2 0 1 0 True False off untrust-mok latest" "pending --json: every request"
done_testing
