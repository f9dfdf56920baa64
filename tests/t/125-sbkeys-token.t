#!/bin/sh
# igos-sbkeys with the PK and KEK on a PKCS#11 token (SoftHSM2, keys not
# extractable): new signs their certificates on the token and keeps their
# URIs; enroll signs the KEK and PK updates there; the signatures verify over
# sign-efi-sig-list -o's bundle.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/softhsm.sh"
need igos-sbkeys sign-efi-sig-list cert-to-efi-sig-list openssl python3 softhsm2-util pkcs11-tool
plan 10

softhsm_token
PK="$HSM_URI;object=rsa2048;type=private?module-path=$HSM_MODULE"
KEK="$HSM_URI;object=rsa4096;type=private?module-path=$HSM_MODULE"
G=33333333-3333-4333-8333-333333333333
TS='2026-12-01 10:00:00'
GV=8be4df61-93ca-11d2-aa0d-00e098032b8c

run 0 "" "new with the PK and KEK on the token" igos-sbkeys new -d keys -g $G --subject tok \
	--pk-key "$PK" --kek-key "$KEK" --pin-file "$HSM_PIN_FILE"
is "$(ls keys | tr '\n' ' ')" "GUID KEK.crt KEK.uri PK.crt PK.uri db.crt db.key " \
	"URI files in place of the token keys; the db key a file"
is "$(openssl x509 -in keys/PK.crt -noout -pubkey)" "$(cat "$HSM_DIR/rsa2048.pub")" \
	"the PK certificate holds the token key"
ok "its self-signature, made on the token, verifies" \
	openssl verify -check_ss_sig -partial_chain -trusted keys/PK.crt keys/PK.crt
is "$(cat keys/KEK.uri)" "$KEK" "KEK.uri holds the URI"

mkdir ev
printf '\007\000\000\000\001' >ev/SetupMode-$GV
python3 "$TESTLIB/tpmlog.py" ok.log app:$(printf '%064d' 7)
run 0 "" "enroll signs KEK and PK on the token" igos-sbkeys enroll -d keys -t "$TS" \
	--efivars ev --event-log ok.log --pin-file "$HSM_PIN_FILE"
# the PK update: its SignedData verifies over the bundle sign-efi-sig-list -o makes
cert-to-efi-sig-list -g $G keys/PK.crt pk.esl >/dev/null
sign-efi-sig-list -o -t "$TS" PK pk.esl bundle >/dev/null
tail -c +5 ev/PK-$GV >pk.auth
sz=$(od -An -tu4 -j16 -N4 pk.auth | tr -d ' ')
tail -c +41 pk.auth | head -c $((sz - 24)) >sd.der
python3 -c '
def tl(t, b):
    n = len(b)
    l = bytes([n]) if n < 128 else (lambda e: bytes([0x80 | len(e)]) + e)(n.to_bytes((n.bit_length() + 7) // 8, "big"))
    return bytes([t]) + l + b
sd = open("sd.der", "rb").read()
open("sig.der", "wb").write(tl(0x30, bytes.fromhex("06092a864886f70d010702") + tl(0xa0, sd)))'
ok "the token-signed PK update verifies over name, GUID, attributes, time and data" \
	openssl cms -verify -binary -inform DER -in sig.der -content bundle -noverify \
	-certfile keys/PK.crt -out /dev/null
is "$(tail -c $(wc -c <pk.esl) pk.auth | cmp - pk.esl && echo same)" "same" \
	"the update carries cert-to-efi-sig-list's list"
cp ev/db-d719b2cb-3d3a-4596-a3bc-dad00e67656f db.before
run 1 "igos-sbkeys: cannot open '/nonexistent': No such file or directory" \
	"a missing PIN file: refused" igos-sbkeys enroll -d keys -t '2026-12-02 10:00:00' \
	--efivars ev --event-log ok.log --pin-file /nonexistent
same ev/db-d719b2cb-3d3a-4596-a3bc-dad00e67656f db.before "db not written: the KEK could not sign"
