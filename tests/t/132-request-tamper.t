#!/bin/sh
# Tampering between the rooms is refused with one line and leaves the target
# as it was: an artefact changed after its request, a request changed on its
# way to the signing room, a signature changed on its way back, a signature
# of another file or by another key. sbsign's and sign-file's detached
# signatures (same key) are attached like ours.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
. "$TESTLIB/ukify.sh"
need python3 sbsign sbverify "$SIGNFILE" cc openssl igos-ukify igos-measure igos-verity igos-index-sign igos-mok
[ -f "$STUB" ] || skip_all "$STUB missing (systemd-boot-efi)"
rsa_cert k 2048
rsa_cert k2 2048
mkdir room
# flip FILE OFFSET-FROM-END: one byte changed in place
flip() { python3 -c 'import sys
p, o = sys.argv[1], int(sys.argv[2]); d = bytearray(open(p, "rb").read())
d[len(d) - o] ^= 1; open(p, "wb").write(bytes(d))' "$1" "$2"; }

# ---- PE ----
$MKPE make a.efi --trailing 5
$MKPE make b.efi --trailing 9
"$S" sign --request-out a.req -c k.crt a.efi
"$S" sign --request-out b.req -c k.crt b.efi
cp a.req room/ && "$S" sign-request -k k.key room/a.req
cp a.efi keep.efi
cp a.efi changed.efi && flip changed.efi 3
run 1 "igos-sign: 'changed.efi' is not the file the request is for (its SHA-256 differs)" \
	"the artefact changed after the request" "$S" attach -r a.req -s room/a.sig changed.efi
cp room/a.sig bad.sig && flip bad.sig 1
run 1 "igos-sign: 'bad.sig': not a signature of 'a.efi': signature not valid: bad signature" \
	"a signature changed on its way back" "$S" attach -r a.req -s bad.sig a.efi
same a.efi keep.efi "a refused attach leaves the image as it was"
cp b.req room/a.req && "$S" sign-request -k k.key -o swapped.sig room/a.req
run 1 "igos-sign: 'swapped.sig': not a signature of 'a.efi': image digest does not match the signed digest" \
	"the request swapped for another file's on its way" "$S" attach -r a.req -s swapped.sig a.efi
sed "s/^digest: .*/digest: $(sed -n 's/^digest: //p' b.req)/" a.req >room/a.req
run 1 "igos-sign: 'room/a.req': attrs are not the signed attributes of this digest and certificate" \
	"sign-request refuses a request whose digest was changed" "$S" sign-request -k k.key room/a.req
run 1 "igos-sign: 'room/a.req': the request does not ask for what 'a.efi' needs signed" \
	"a changed request at attach" "$S" attach -r room/a.req -s room/a.sig a.efi
sbsign --key k2.key --cert k2.crt --detached --output k2.p7 a.efi >/dev/null 2>&1
run 1 "igos-sign: 'k2.p7': not made with the key the request names" \
	"a signature by another key" "$S" attach -r a.req -s k2.p7 a.efi
sbsign --key k.key --cert k.crt --detached --output sb.p7 a.efi >/dev/null 2>&1
run 0 "" "sbsign --detached (the request's key) attaches" "$S" attach -r a.req -s sb.p7 -o sb.efi a.efi
ok "and sbverify accepts the result" sbverify --cert k.crt sb.efi
run 1 "igos-sign: 'm.req': a verity request is attached by igos-verity" \
	"a request of another kind" sh -c 'igos-verity sign --request-out m.req -c k.crt '"$(printf '%064d' 1)"' &&
	"$0" attach -r m.req -s room/a.sig a.efi' "$S"

# ---- module ----
printf 'int f(void) { return 1; }\n' >m.c && cc -c m.c -o m.ko
printf 'int g(void) { return 2; }\n' >n.c && cc -c n.c -o n.ko
"$S" sign --request-out m.req -c k.crt m.ko
"$S" sign --request-out n.req -c k.crt n.ko
cp n.req room/ && "$S" sign-request -k k.key room/n.req
run 1 "igos-sign: 'm.ko' is not the file the request is for (its SHA-256 differs)" \
	"a module signature for another module, with its request" \
	"$S" attach -r n.req -s room/n.sig -o x.ko m.ko
run 1 "igos-sign: 'room/n.sig': not a signature of 'm.ko' by the request's key: signature not valid: bad signature" \
	"a module signature for another module" "$S" attach -r m.req -s room/n.sig -o x.ko m.ko
nok "nothing written" test -e x.ko
cp m.ko sf.ko && "$SIGNFILE" -d sha256 k.key k.crt sf.ko
cp m.ko ref.ko && "$SIGNFILE" sha256 k.key k.crt ref.ko
cp m.req room/ && "$S" sign-request -k k.key room/m.req
same room/m.sig sf.ko.p7s "sign-request's module signature = sign-file -d's, byte for byte"
run 0 "" "sign-file -d's detached signature attaches" "$S" attach -r m.req -s sf.ko.p7s \
	-o sf.signed m.ko
same sf.signed ref.ko "the result = sign-file's signed module"

# ---- verity root hash ----
r1=$(printf '%064d' 1) r2=$(printf '%064d' 2)
igos-verity sign --request-out v.req -c k.crt "$r1"
cp v.req room/ && "$S" sign-request -k k.key room/v.req
run 1 "igos-verity: 'v.req': the request is not for root hash $r2" "another root hash" \
	igos-verity attach --request v.req --signature room/v.sig -o v.p7s "$r2"
cp room/v.sig badv.sig && flip badv.sig 1
run 1 "igos-verity: 'badv.sig': not a signature of root hash $r1 by the request's key: signature not valid: bad signature" \
	"a root-hash signature changed" igos-verity attach --request v.req --signature badv.sig -o v.p7s "$r1"
nok "nothing written" test -e v.p7s

# ---- PCR policy ----
mkkernel vmlinuz 6.1.0-igos
openssl pkey -in k.key -pubout -out k.pub
igos-ukify build --stub "$STUB" --linux vmlinuz --cmdline quiet --pcrpkey k.pub -o uki.efi
igos-measure sign --request-out p.req -b sha256 uki.efi
cp p.req room/ && "$S" sign-request -k k.key room/p.req
sed '$d' p.req >room/p.req && "$S" sign-request -k k.key -o fewer.sig room/p.req
run 1 "igos-measure: 'fewer.sig': answers another request than 'p.req'" \
	"a policy request changed on its way" \
	igos-measure attach --request p.req --signature fewer.sig -b sha256 -o p.pcrsig uki.efi
python3 -c 'import sys, base64
l = open(sys.argv[1]).read().split("\n"); s = bytearray(base64.b64decode(l[2][5:])); s[-1] ^= 1
l[2] = "sig: " + base64.b64encode(bytes(s)).decode(); open(sys.argv[2], "w").write("\n".join(l))' \
	room/p.sig badp.sig
run 1 "igos-measure: 'badp.sig': signature 1 is not the request's key's over policy 1" \
	"a policy signature changed" \
	igos-measure attach --request p.req --signature badp.sig -b sha256 -o p.pcrsig uki.efi
cp uki.efi uki2.efi && flip uki2.efi 100
run 1 "igos-measure: 'uki2.efi' is not the file the request is for (its SHA-256 differs)" \
	"another UKI" igos-measure attach --request p.req --signature room/p.sig -b sha256 \
	-o p.pcrsig uki2.efi
nok "nothing written" test -e p.pcrsig
run 0 "" "the untouched signature joins" igos-measure attach --request p.req \
	--signature room/p.sig -b sha256 -o p.pcrsig uki.efi

# ---- index ----
(umask 077 && openssl genpkey -algorithm ed25519 -out master.pem 2>/dev/null)
openssl pkey -in master.pem -pubout -out master.pub
igos-index-sign certify --master-key master.pem --subkey master.pub --serial 1 \
	--scope "core x86_64" --not-after 2099-01-01T00:00:00Z -o sub.cert
printf 'a\n' >a-1.pkg && igos-index-sign build -o idx.db a-1.pkg
igos-index-sign sign --request-out i.req --cert sub.cert --repo core --arch x86_64 --version 3 \
	idx.db
python3 -c 'import sys, base64
l = open(sys.argv[1]).read().split("\n")
for i, x in enumerate(l):
    if x.startswith("sign: data:"):
        h = base64.b64decode(x[11:]).replace(b"version: 3\n", b"version: 9\n")
        l[i] = "sign: data:" + base64.b64encode(h).decode()
open(sys.argv[2], "w").write("\n".join(l))' i.req room/i.req
run 0 "" "the signing room signs what it was given" "$S" sign-request -k master.pem room/i.req
run 1 "igos-index-sign: 'room/i.sig': answers another request than 'i.req'" \
	"an index header changed on its way" \
	igos-index-sign attach --request i.req --signature room/i.sig idx.db
nok "nothing written" test -e idx.db.sig
cp i.req room/ && "$S" sign-request -k master.pem room/i.req
printf 'b\n' >a-1.pkg && igos-index-sign build -o idx2.db a-1.pkg
run 1 "igos-index-sign: 'idx2.db' is not the file the request is for (its SHA-256 differs)" \
	"another index" igos-index-sign attach --request i.req --signature room/i.sig -o x.sig idx2.db
run 0 "" "the right index attaches" igos-index-sign attach --request i.req \
	--signature room/i.sig idx.db
# ---- MOK certificate ----
igos-mok new --request-out mok.req -k k.pub --subject "igos test MOK"
cp mok.req room/ && "$S" sign-request -k k.key room/mok.req
cp room/mok.sig badmok.sig && flip badmok.sig 1
run 1 "igos-sign: 'badmok.sig': the certificate's signature is not the request's key's" \
	"a certificate whose signature changed" "$S" attach -r mok.req -s badmok.sig -o mok.der
igos-mok new --request-out mok2.req -k k.pub --subject "igos test MOK"
run 1 "igos-sign: 'room/mok.sig': not the certificate 'mok2.req' asks for" \
	"a certificate for another request" "$S" attach -r mok2.req -s room/mok.sig -o mok.der
nok "nothing written" test -e mok.der
run 0 "" "the untouched one attaches" "$S" attach -r mok.req -s room/mok.sig -o mok.der
no_temps . "no temporary files"
done_testing
