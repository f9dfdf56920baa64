#!/bin/sh
# igos-mok import/delete/revoke/pending/test against mokutil 0.6.0 on the same
# fake efivarfs directories: byte-identical requests, each reads the other's.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/mok.sh"
need igos-mok mokutil openssl xxd
for c in c1 c2 c3 c4 c5; do mkcert $c || skip_all "openssl cannot make certificates"; done
openssl passwd -6 -salt Ab3dEf9hIj pw1 >h1
openssl passwd -6 -salt 0123456789abcdef pw2 >h2

# one certificate: MokNew and MokAuth byte for byte
efidir igos; efidir ref
run 0 "" "import c1.der with --hash-file" igos-mok --efivars igos import --hash-file h1 c1.der
is "$OUT" "" "import prints nothing when it queues"
ok "mokutil --import the same" mokutil_at ref --import c1.der --hash-file h1
same igos/$MOKNEW ref/$MOKNEW "MokNew byte-identical to mokutil's"
same igos/$MOKAUTH ref/$MOKAUTH "MokAuth byte-identical to mokutil's"
is "$(stat -c %a igos/$MOKNEW) $(stat -c %a igos/$MOKAUTH)" "600 600" "variables are mode 0600"
is "$(head -c 4 igos/$MOKNEW | xxd -p)" "07000000" "attributes NV|BS|RT"
is "$(stat -c %s igos/$MOKAUTH)" "176" "MokAuth is 172 bytes after the attribute word"
no_temps igos "no temporary file left in the directory"

# PEM input queues the same DER
efidir pem
run 0 "" "import c1.pem (PEM)" igos-mok --efivars pem import --hash-file h1 c1.pem
same pem/$MOKNEW ref/$MOKNEW "PEM input gives the same MokNew"

# mokutil reads what igos-mok queued
mokutil_at igos --list-new >mnew 2>&1
is "$(mokutil_ids <mnew)" "$(openssl x509 -in c1.der -inform DER -noout -fingerprint -sha1 |
	sed 's/.*=//' | tr A-F a-f)" "mokutil --list-new lists the imported certificate"
run 1 "" "mokutil --test-key reports it (0.6.0: status 1)" mokutil_at igos --test-key c1.der
is "$OUT" "c1.der is already in the enrollment request" "mokutil --test-key: pending"
run 0 "" "igos-mok test: pending" igos-mok test --efivars igos c1.der
is "$OUT" "pending enrollment in MokNew" "test: pending enrollment in MokNew"
run 1 "" "igos-mok test: not enrolled" igos-mok test --efivars igos c2.der
is "$OUT" "not enrolled" "test prints not enrolled, status 1"

# more certificates on top of a request: new ones first, as mokutil does
run 0 "" "import c2 c3 onto the request" igos-mok --efivars igos import --hash-file h2 c2.der c3.pem
ok "mokutil --import c2 c3 onto its own" mokutil_at ref --import c2.der c3.der --hash-file h2
same igos/$MOKNEW ref/$MOKNEW "three-certificate MokNew byte-identical"
same igos/$MOKAUTH ref/$MOKAUTH "MokAuth replaced as mokutil does"

# igos-mok reads what mokutil queued
ok "mokutil --import c4" mokutil_at igos --import c4.der --hash-file h1
mokutil_at igos --list-new | mokutil_ids >want
run 0 "" "pending" igos-mok pending --efivars igos
printf '%s\n' "$OUT" | igos_ids >got
same got want "pending lists mokutil's request in mokutil's order"
is "$(printf '%s\n' "$OUT" | cut -d' ' -f1 | sort -u)" "enroll" "each line says enroll"
is "$(printf '%s\n' "$OUT" | head -n1 | sed "s/.* //")" "CN=c4" "subject shown (CN=c4)"
run 0 "" "pending --json" igos-mok pending --efivars igos --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(len(d["enroll"]), len(d["delete"]), d["enroll_password"], d["enroll"][0]["subject"], d["enroll"][0]["owner"])')" \
	"4 0 True CN=c4 $SHIM_GUID" "pending --json: four to enroll, password set, owner shim"

# skips: already pending (no password asked: stdin is not a terminal)
cp igos/$MOKNEW before
run 0 "" "import of a pending certificate" igos-mok --efivars igos import c1.der
is "$OUT" "c1.der: already pending enrollment, skipped" "says it is already pending"
same igos/$MOKNEW before "request unchanged"

# an enrolled certificate: MokListRT made as shim makes it
efidir enr
esl_x509 c5.der | efivar enr MokListRT $SHIM_GUID 06000000
run 0 "" "import of an enrolled certificate" igos-mok --efivars enr import c5.der
is "$OUT" "c5.der: already enrolled, skipped" "says it is enrolled"
is "$(mokutil_at enr --import c5.der --hash-file h1)" "SKIP: c5.der is already enrolled" "mokutil agrees"
ok "nothing queued" test ! -e enr/$MOKNEW
run 0 "" "test: enrolled" igos-mok --efivars enr test c5.pem
is "$OUT" "enrolled in MokListRT" "test: enrolled in MokListRT"

# in the firmware's db, or blocked by dbx or MokListXRT: skipped, as mokutil does
DB_GUID=d719b2cb-3d3a-4596-a3bc-dad00e67656f
efidir fw
esl_x509 c1.der | efivar fw db $DB_GUID 27000000
esl_x509 c2.der | efivar fw dbx $DB_GUID 27000000
esl_x509 c3.der | efivar fw MokListXRT $SHIM_GUID 06000000
run 0 "" "import of certificates in db, dbx, MokListXRT" igos-mok --efivars fw import c1.der c2.der c3.der
is "$OUT" "c1.der: already in db, skipped
c2.der: blocked by dbx, skipped
c3.der: blocked by MokListXRT, skipped" "each skipped with its reason"
is "$(mokutil_at fw --import c1.der c2.der c3.der --hash-file h1 | sed 's/^SKIP: //')" "c1.der is already in db
c2.der is blocked in dbx
c3.der is blocked in MokListXRT" "mokutil skips the same three"
ok "nothing queued" test ! -e fw/$MOKNEW

# delete: MokDel/MokDelAuth byte-identical to mokutil --delete
cp -R enr enrref
run 0 "" "delete c5" igos-mok --efivars enr delete --hash-file h2 c5.der
ok "mokutil --delete c5" mokutil_at enrref --delete c5.der --hash-file h2
same enr/$MOKDEL enrref/$MOKDEL "MokDel byte-identical"
same enr/$MOKDELAUTH enrref/$MOKDELAUTH "MokDelAuth byte-identical"
run 0 "" "pending shows the deletion" igos-mok --efivars enr pending
is "$(printf '%s' "$OUT" | cut -d' ' -f1-2)" "delete x509" "pending: delete x509 …"
is "$(mokutil_at enr --list-delete | mokutil_ids)" "$(printf '%s' "$OUT" | igos_ids)" \
	"mokutil --list-delete lists the same key"
run 0 "" "delete of a certificate not enrolled" igos-mok --efivars enr delete c1.der
is "$OUT" "c1.der: not enrolled, skipped" "says it is not enrolled"

# import of a certificate pending deletion cancels the deletion, like mokutil
run 0 "" "import of a certificate pending deletion" igos-mok --efivars enr import c5.der
is "$OUT" "c5.der: removed from the deletion request" "says it was removed from MokDel"
mokutil_at enrref --import c5.der --hash-file h1 >/dev/null
is "$(ls enr | sort)" "$(ls enrref | sort)" "same variables left as with mokutil"

# delete of a certificate pending enrollment takes it off MokNew, like mokutil
efidir dn; efidir dnref
openssl passwd -6 -salt abcdefgh pw >hh
igos-mok --efivars dn import --hash-file hh c1.der c2.der
mokutil_at dnref --import c1.der c2.der --hash-file hh
run 0 "" "delete of a certificate pending enrollment" igos-mok --efivars dn delete c1.der
is "$OUT" "c1.der: removed from the enrollment request" "says it was removed from MokNew"
mokutil_at dnref --delete c1.der --hash-file hh >/dev/null
{ printf '\007\000\000\000'; esl_x509 c2.der; } >c2only
same dn/$MOKNEW c2only "MokNew holds c2 alone"
# libefivar rewrites a plain file without truncating it (efivarfs replaces the
# variable whole): mokutil's new variable is the head of its file
head -c "$(stat -c %s dn/$MOKNEW)" dnref/$MOKNEW >dnref.head
same dn/$MOKNEW dnref.head "the same bytes mokutil writes"
run 0 "" "delete of the last pending certificate" igos-mok --efivars dn delete c2.der
ok "MokNew and MokAuth removed with it" test ! -e dn/$MOKNEW -a ! -e dn/$MOKAUTH

# a list holding the same certificate twice (one SignatureSize): one copy removed
n=$(wc -c <c1.der)
{ printf '%s' "$X509_GUID_HEX$(le32 $((28 + 2 * (n + 16))))$(le32 0)$(le32 $((n + 16)))$SHIM_GUID_HEX" |
	xxd -r -p; cat c1.der; printf '%s' "$SHIM_GUID_HEX" | xxd -r -p; cat c1.der; } >twice.esl
efidir tw
efivar tw MokNew $SHIM_GUID 07000000 <twice.esl
run 0 "" "delete from a two-entry list" igos-mok --efivars tw delete c1.der
esl_x509 c1.der >once.esl
tail -c +5 tw/$MOKNEW >tw.data
same tw.data once.esl "the list keeps the other copy, its size rewritten"

# revoke
run 0 "" "revoke --import" igos-mok revoke --import --efivars igos
ok "MokNew and MokAuth gone" test ! -e igos/$MOKNEW -a ! -e igos/$MOKAUTH
run 0 "" "revoke --import again" igos-mok revoke --import --efivars igos
is "$OUT" "no enrollment request pending" "says nothing was pending"
run 0 "" "pending with nothing queued" igos-mok pending --efivars igos
is "$OUT" "no request pending" "says so in one line"
done_testing
