#!/bin/sh
# A whole release signed in two rooms: the build room makes the artefacts and
# the requests; the signing room holds only the requests and the token
# (SoftHSM2) and signs them with one login (the release key's MOK certificate
# among them); the master room (the index master
# key, a file on an offline machine) certifies the subkey; the build room
# attaches. Every result is byte for byte what signing directly with the same
# keys gives (RSA PKCS#1 v1.5 and Ed25519 are deterministic), and the peers
# accept the PE signature (sbverify; sbattach attaches the same bytes).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
. "$TESTLIB/softhsm.sh"
. "$TESTLIB/ukify.sh"
need python3 sbverify sbattach cc openssl xxd pkcs11-tool igos-ukify igos-measure igos-verity \
	igos-index-sign igos-mok
[ -f "$STUB" ] || skip_all "$STUB missing (systemd-boot-efi)"
softhsm_token
K="$HSM_URI;object=rsa2048;type=private"
ED="$HSM_URI;object=ed25519;type=private"
CRT=$HSM_DIR/rsa2048.crt
W=$IGOS_BUILD/tests/p11wrap.so
export P11WRAP_MODULE="$HSM_MODULE" P11WRAP_LOG="$T/logins"
KW="$K?module-path=$W"
NOW=2026-06-01T00:00:00Z
mkdir build room master
B=$T/build R=$T/room M=$T/master
# to the signing room and back: requests go in, signatures come out
to_room() { for f in "$@"; do cp "$B/$f" "$R/$f"; done; }
from_room() { for f in "$@"; do cp "$R/$f" "$B/$f"; done; }

# ---- build room: the artefacts and the first requests ----
cd "$B"
mkkernel vmlinuz 6.1.0-igos
printf 'ID=igos\nNAME=InterGenOS\n' >osrel
printf 'int init_module(void) { return 0; }\n' >m.c && cc -c m.c -o m.ko
head -c 262144 /dev/urandom >root.img
mkdir pkgs && printf 'a\n' >pkgs/a-1.pkg && printf 'bb\n' >pkgs/b-2.pkg
(umask 077 && openssl genpkey -algorithm ed25519 -out "$M/master.pem" 2>/dev/null)
openssl pkey -in "$M/master.pem" -pubout -out master.pub
run 0 "" "build: a UKI with the release key's .pcrpkey (no .pcrsig yet)" \
	igos-ukify build --stub "$STUB" --linux vmlinuz --os-release @osrel --cmdline quiet \
	--pcrpkey "$HSM_DIR/rsa2048.pub" -o uki0.efi
run 0 "" "build: the verity tree" igos-verity format --root-hash-file root.roothash \
	root.img root.verity
run 0 "" "request: the UKI's PCR 11 policies" \
	igos-measure sign --request-out pcr.req -b sha256 uki0.efi
run 0 "" "request: the module" "$S" sign --request-out m.req -c "$CRT" m.ko
run 0 "" "request: the verity root hash" \
	igos-verity sign --request-out root.req -c "$CRT" @root.roothash
run 0 "" "request: the MOK certificate of the release key (its public key only)" \
	igos-mok new --request-out mok.req -k "$HSM_DIR/rsa2048.pub" \
	--subject "InterGenOS module key" --days 3650
run 0 "" "request: the index subkey certificate (the master's public key only)" \
	igos-index-sign certify --request-out sub.req --master-key master.pub \
	--subkey "$HSM_DIR/ed25519.pub" --serial 1 --scope "core x86_64" \
	--not-before 2026-01-01T00:00:00Z --not-after 2099-01-01T00:00:00Z

# ---- master room: the offline master key certifies the subkey ----
cp sub.req "$M/"
(cd "$M" && "$S" sign-request -k master.pem sub.req)
cp "$M/sub.sig" .
run 0 "" "attach: the subkey certificate" \
	igos-index-sign attach --request sub.req --signature sub.sig -o sub.cert
igos-index-sign certify --master-key "$M/master.pem" --subkey "$HSM_DIR/ed25519.pub" --serial 1 \
	--scope "core x86_64" --not-before 2026-01-01T00:00:00Z --not-after 2099-01-01T00:00:00Z \
	-o direct-sub.cert
same sub.cert direct-sub.cert "the certificate = certified directly"
run 0 "" "build: the index" igos-index-sign build -o InterGenOS.db pkgs/a-1.pkg pkgs/b-2.pkg
run 0 "" "request: the index signature" igos-index-sign sign --request-out idx.req \
	--cert sub.cert --repo core --arch x86_64 --version 1 --now $NOW InterGenOS.db

# ---- signing room, first visit: only requests and the token ----
to_room pcr.req m.req root.req mok.req idx.req
is "$(ls "$R" | tr '\n' ' ')" "idx.req m.req mok.req pcr.req root.req " \
	"the signing room holds the requests only"
cd "$R"
run 0 "" "show-request describes all five" "$S" show-request pcr.req m.req root.req mok.req idx.req
run 0 "" "sign-request: the RSA requests with one login" \
	"$S" sign-request --pin-file "$HSM_PIN_FILE" -k "$KW" pcr.req m.req root.req mok.req
is "$(cat "$T/logins")" "C_Login user=1" "one C_Login for four requests"
run 0 "" "sign-request: the index with the Ed25519 subkey" \
	"$S" sign-request --pin-file "$HSM_PIN_FILE" -k "$ED" idx.req
from_room pcr.sig m.sig root.sig mok.sig idx.sig

# ---- build room: attach, finish the UKI, one more request ----
cd "$B"
run 0 "" "attach: the .pcrsig" igos-measure attach --request pcr.req --signature pcr.sig \
	-b sha256 -o uki.pcrsig uki0.efi
igos-measure sign -k "$K" --pin-file "$HSM_PIN_FILE" -b sha256 -o direct.pcrsig uki0.efi
same uki.pcrsig direct.pcrsig "the .pcrsig = igos-measure sign with the token key"
run 0 "" "build: the UKI with the joined .pcrsig" \
	igos-ukify build --stub "$STUB" --linux vmlinuz --os-release @osrel --cmdline quiet \
	--pcrpkey "$HSM_DIR/rsa2048.pub" --pcrsig uki.pcrsig -o uki.efi
igos-ukify build --stub "$STUB" --linux vmlinuz --os-release @osrel --cmdline quiet \
	--pcrpkey "$HSM_DIR/rsa2048.pub" --pcr-key "$K" --pin-file "$HSM_PIN_FILE" \
	--pcr-bank sha256 -o direct-uki.efi
same uki.efi direct-uki.efi "the UKI = igos-ukify build --pcr-key with the token key"
run 0 "" "its policy verifies" igos-measure verify -P "$HSM_DIR/rsa2048.pub" uki.pcrsig uki.efi
run 0 "" "attach: the module" "$S" attach -r m.req -s m.sig -o m.signed m.ko
"$S" sign -k "$K" --pin-file "$HSM_PIN_FILE" -c "$CRT" -o direct-m.ko m.ko
same m.signed direct-m.ko "the module = signed directly"
run 0 "" "the module verifies" "$S" verify -c "$CRT" m.signed
run 0 "" "attach: the root-hash signature" igos-verity attach --request root.req \
	--signature root.sig -o root.roothash.p7s @root.roothash
igos-verity sign -k "$K" --pin-file "$HSM_PIN_FILE" -c "$CRT" -o direct.p7s @root.roothash
same root.roothash.p7s direct.p7s "the .roothash.p7s = igos-verity sign"
printf %s "$(cat root.roothash)" >roothash.hex
ok "openssl verifies it over the root hash as the kernel does (hex, no newline)" \
	openssl smime -verify -binary -inform DER -in root.roothash.p7s -content roothash.hex \
	-certfile "$CRT" -CAfile "$HSM_DIR/ca.crt" -nointern -out /dev/null
run 0 "" "attach: the index signature" igos-index-sign attach --request idx.req \
	--signature idx.sig InterGenOS.db
igos-index-sign sign --key "$ED" --pin-file "$HSM_PIN_FILE" --cert sub.cert --repo core \
	--arch x86_64 --version 1 --now $NOW -o direct.sig InterGenOS.db
same InterGenOS.db.sig direct.sig "the index signature = igos-index-sign sign"
run 0 "" "attach: the MOK certificate" "$S" attach -r mok.req -s mok.sig -o mok.der
sed -n 's/^sign: data://p' mok.req | base64 -d >mok.tbs
{ printf '3031300d060960864801650304020105000420'; sha256sum <mok.tbs | cut -c1-64; } |
	xxd -r -p >mok.digestinfo
pkcs11-tool --module "$HSM_MODULE" --token-label igos-test --login --pin "$HSM_PIN" --sign \
	--mechanism RSA-PKCS --id 01 -i mok.digestinfo -o mok.p11sig >/dev/null 2>&1
tail -c 256 mok.der >mok.ourssig
same mok.ourssig mok.p11sig "its signature = pkcs11-tool's over the same tbsCertificate"
openssl x509 -inform DER -in mok.der -out mok.pem
ok "it is self-signed by the release key" openssl verify -partial_chain -CAfile mok.pem mok.pem
is "$(openssl x509 -in mok.pem -noout -pubkey)" "$(cat "$HSM_DIR/rsa2048.pub")" \
	"its key is the release key"
printf 'mok-password\n' >pw && chmod 600 pw && mkdir ev
run 0 "*" "igos-mok import queues it" igos-mok import --efivars ev --password-file pw mok.der
run 0 "" "request: the finished UKI" "$S" sign --request-out uki.req -c "$CRT" uki.efi

# ---- signing room, second visit ----
rm -f "$R"/*
to_room uki.req
cd "$R"
run 0 "" "sign-request: the UKI" "$S" sign-request --pin-file "$HSM_PIN_FILE" -k "$K" uki.req
from_room uki.sig
cd "$B"
run 0 "" "attach: the UKI" "$S" attach -r uki.req -s uki.sig -o uki.signed.efi uki.efi
"$S" sign -k "$K" --pin-file "$HSM_PIN_FILE" -c "$CRT" -o direct-uki.signed.efi uki.efi
same uki.signed.efi direct-uki.signed.efi "the signed UKI = igos-sign sign with the token key"
ok "sbverify accepts it" sbverify --cert "$CRT" uki.signed.efi
cp uki.efi sbattached.efi
ok "sbattach --attach takes the detached signature" sbattach --attach uki.sig sbattached.efi
same sbattached.efi uki.signed.efi "sbattach and igos-sign attach write the same image"
run 0 "" "igos-sign verify accepts it" "$S" verify -c "$HSM_DIR/ca.crt" uki.signed.efi
no_temps "$B" "no temporary files"
done_testing
