#!/bin/sh
# PK, KEK and db updates signed in two rooms: the build room writes the
# signature lists and igos-sbkeys auth --request-out requests; the signing
# room holds only the requests and the token (SoftHSM2: PK and KEK keys) and
# signs them with igos-sign sign-request, one login per key; the build room
# attaches. The updates are byte for byte those igos-sbkeys auth -k signs
# directly on the token, and, with a key file, sign-efi-sig-list's (RSA
# PKCS#1 v1.5 is deterministic; the PKCS#7 carries no signed attributes, so no
# signing time). A tampered request, list or signature is refused at attach
# with one line and no output.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/softhsm.sh"
need igos-sbkeys igos-sign sign-efi-sig-list cert-to-efi-sig-list openssl
plan 31

softhsm_token
PK="$HSM_URI;object=rsa2048;type=private"
KEK="$HSM_URI;object=rsa4096;type=private"
W=$IGOS_BUILD/tests/p11wrap.so
export P11WRAP_MODULE="$HSM_MODULE" P11WRAP_LOG="$T/logins"
G=44444444-4444-4444-8444-444444444444
TS='2026-12-01 10:00:00'
mkdir build room
B=$T/build R=$T/room
cd "$B"
cp "$HSM_DIR/rsa2048.crt" PK.crt
cp "$HSM_DIR/rsa4096.crt" KEK.crt
openssl req -x509 -newkey rsa:2048 -nodes -keyout db.key -out db.crt -subj /CN=db -days 30 \
	2>/dev/null
for v in PK KEK db; do cert-to-efi-sig-list -g $G $v.crt $v.esl >/dev/null; done

# ---- build room: the requests (no key at hand) ----
run 0 "" "request: the PK update, signed by the PK" \
	igos-sbkeys auth --request-out PK.req -t "$TS" -c PK.crt PK PK.esl
run 0 "" "request: the KEK update, signed by the PK" \
	igos-sbkeys auth --request-out KEK.req -t "$TS" -c PK.crt KEK KEK.esl
run 0 "" "request: a db append, signed by the KEK" \
	igos-sbkeys auth --request-out db.req -t "$TS" -c KEK.crt -a db db.esl
run 0 "" "show-request says what the update is" igos-sign show-request db.req
is "$(echo "$OUT" | sed -n '1p;5,6p')" "'db.req': asks for an authenticated UEFI variable update of the list 'db.esl'
  update:  variable db, vendor GUID d719b2cb-3d3a-4596-a3bc-dad00e67656f
           attributes 0x00000067 (append), timestamp 2026-12-01 10:00:00 UTC" \
	"variable, vendor GUID, attributes and timestamp in words"

# ---- signing room: requests and the token only ----
cp PK.req KEK.req db.req "$R/"
cd "$R"
run 0 "" "room: PK and KEK updates signed with the PK, one run" \
	igos-sign sign-request -k "$PK?module-path=$W" --pin-file "$HSM_PIN_FILE" PK.req KEK.req
is "$(cat "$T/logins")" "C_Login user=1" "one C_Login for two requests"
run 0 "" "room: the db update signed with the KEK" \
	igos-sign sign-request -k "$KEK" --pin-file "$HSM_PIN_FILE" db.req
run 1 "igos-sign: 'db.req': the request is for another key (SHA-256 $(sed -n 's/^key: \(.\{16\}\).*/\1/p' db.req)...), not '$PK'" \
	"room: a request for the KEK refused with the PK" \
	igos-sign sign-request -k "$PK" --pin-file "$HSM_PIN_FILE" -o x.sig db.req
is "$(ls | tr '\n' ' ')" "KEK.req KEK.sig PK.req PK.sig db.req db.sig " \
	"room: the requests and their signatures, nothing else"
cp PK.sig KEK.sig db.sig "$B/"

# ---- build room: attach, and compare with direct signing ----
cd "$B"
for v in PK KEK db; do
	run 0 "" "attach: the $v update" igos-sbkeys attach -r $v.req -s $v.sig -o $v.auth $v.esl
done
igos-sbkeys auth -t "$TS" -k "$PK" -c PK.crt --pin-file "$HSM_PIN_FILE" PK PK.esl \
	-o PK.direct >/dev/null 2>&1
igos-sbkeys auth -t "$TS" -k "$PK" -c PK.crt --pin-file "$HSM_PIN_FILE" KEK KEK.esl \
	-o KEK.direct >/dev/null 2>&1
igos-sbkeys auth -t "$TS" -k "$KEK" -c KEK.crt --pin-file "$HSM_PIN_FILE" -a db db.esl \
	-o db.direct >/dev/null 2>&1
same PK.auth PK.direct "PK: byte for byte auth -k on the token"
same KEK.auth KEK.direct "KEK: byte for byte auth -k on the token"
same db.auth db.direct "db append: byte for byte auth -k on the token"

# with a key file, efitools can sign too: the same bytes
igos-sbkeys auth --request-out f.req -t "$TS" -c db.crt db db.esl
igos-sign sign-request -k db.key f.req
run 0 "" "attach: an update signed with a key file" \
	igos-sbkeys attach -r f.req -s f.sig -o f.auth db.esl
sign-efi-sig-list -t "$TS" -k db.key -c db.crt db db.esl efitools.auth >/dev/null
same f.auth efitools.auth "byte for byte sign-efi-sig-list's update"

# ---- tampering: one line, exit 1, no output ----
sed 's/^timestamp: .*/timestamp: 2026-12-01 10:00:01/' KEK.req >t.req
run 1 "igos-sbkeys: 't.req': the request does not ask for the update of KEK with 'KEK.esl'" \
	"a request whose timestamp was changed: refused" \
	igos-sbkeys attach -r t.req -s KEK.sig -o t.auth KEK.esl
sed 's/^guid: .*/guid: 77fa9abd-0359-4d32-bd60-28f4e78f784b/' KEK.req >t.req
run 1 "igos-sbkeys: 't.req': the request does not ask for the update of KEK with 'KEK.esl'" \
	"a request whose GUID was changed: refused" \
	igos-sbkeys attach -r t.req -s KEK.sig -o t.auth KEK.esl
cp KEK.esl t.esl && flip t.esl 100
run 1 "igos-sbkeys: 't.esl' is not the file the request is for (its SHA-256 differs)" \
	"a changed list: refused" igos-sbkeys attach -r KEK.req -s KEK.sig -o t.auth t.esl
run 1 "igos-sbkeys: 'PK.esl' is not the file the request is for ($(wc -c <PK.esl) bytes, the request says $(wc -c <KEK.esl))" \
	"another list: refused" igos-sbkeys attach -r KEK.req -s KEK.sig -o t.auth PK.esl
run 1 "igos-sbkeys: 'PK.sig': not a signature of the KEK update by the request's key" \
	"the signature of another request: refused" \
	igos-sbkeys attach -r KEK.req -s PK.sig -o t.auth KEK.esl
cp KEK.sig t.sig && flip t.sig $(($(wc -c <t.sig) - 10))
run 1 "igos-sbkeys: 't.sig': not a signature of the KEK update by the request's key" \
	"a damaged signature value: refused" \
	igos-sbkeys attach -r KEK.req -s t.sig -o t.auth KEK.esl
# a byte of the embedded certificate: the signature value still verifies
cp KEK.sig t.sig && flip t.sig 300
run 1 "igos-sbkeys: 't.sig': the signature is right but the PKCS#7 around it is not the one sign-request makes" \
	"a changed certificate inside the PKCS#7: refused" \
	igos-sbkeys attach -r KEK.req -s t.sig -o t.auth KEK.esl
run 1 "igos-sbkeys: 'KEK.req': not a PKCS#7 signature with one signer" \
	"not a PKCS#7 at all: refused" igos-sbkeys attach -r KEK.req -s KEK.req -o t.auth KEK.esl
ok "no output after any refusal" test ! -e t.auth
sed 's/^attributes: .*/attributes: 0x00000007/' KEK.req >t.req
run 1 "igos-sign: 't.req': inconsistent request: attributes 0x00000007 are not those of a time-based authenticated update" \
	"a request without the time-based attribute: refused by show-request" \
	igos-sign show-request t.req
sed 's/^timestamp: .*/timestamp: 2026-12-1 10:00:000/' KEK.req >t.req
run 1 "igos-sign: 't.req': line 12: timestamp is not 'YYYY-MM-DD HH:MM:SS'" \
	"a timestamp spelt another way: refused" igos-sign show-request t.req
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout e.key \
	-out e.crt -subj /CN=e 2>/dev/null
run 1 "igos-sbkeys: an efi-auth request needs an RSA key" \
	"an ECDSA certificate: no request (the firmware verifies RSA only)" \
	igos-sbkeys auth --request-out e.req -c e.crt db db.esl
run 2 "igos-sbkeys: auth: --request-out writes a request, not an update: no -k, -o or --pin-file" \
	"--request-out with -k: a usage error" \
	igos-sbkeys auth --request-out x.req -k db.key -c db.crt db db.esl
