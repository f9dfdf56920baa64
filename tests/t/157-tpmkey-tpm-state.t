#!/bin/sh
# What the TPM's state does to a key file: the hash of the signature follows
# the PCR bank (SHA-1, SHA-384, SHA-512 through the TPM, byte for byte as the
# tpm2 provider signs); an owner hierarchy with a password stops the storage
# primary key (igos-sign and igos-mok say so; a key under a persistent parent
# still signs); a TPM without a resource manager whose object slots are taken
# is named as such, whether the slot is missing for the primary key or for the
# key itself, and igos leaves nothing loaded behind. An auth value of 32
# bytes (the most a TPM's SHA-256 key takes) works. Which TPM: an empty
# --tcti is no TCTI, and without one the kernel's resource manager is named.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/tpmkey.sh"
. "$TESTLIB/sign.sh"
need swtpm tpm2_createprimary tpm2_evictcontrol tpm2_changeauth tpm2_flushcontext tpm2_getcap \
	tpm2_shutdown igos-mok igos-sign igos-measure python3 openssl
[ -f /usr/lib/x86_64-linux-gnu/ossl-modules/tpm2.so ] ||
	skip_all "the tpm2-openssl provider is not installed (make deps)"
plan 24
tpm_fresh
$MKPE make a.efi
echo kernel >k.bin

run 0 "*" "a MOK in the TPM" igos-mok new --tpm -k mok.tss2.pem -c mok.crt --subject "tpm state"

# the longest auth value
(umask 077 && echo 0123456789abcdef0123456789abcdef >a32.pin)
run 0 "*" "igos-mok new --tpm with a 32-byte auth value" \
	igos-mok new --tpm --pin-file a32.pin -k a32.tss2.pem -c a32.crt --subject a32
run 0 "" "igos-sign signs with it" igos-sign sign -k a32.tss2.pem -c a32.crt --pin-file a32.pin -o a32.efi a.efi

# which TPM
run 0 "" "an empty --tcti is none: \$TPM2TOOLS_TCTI is used" \
	igos-sign sign --tcti "" -k mok.tss2.pem -c mok.crt -o t.efi a.efi
run 1 "igos-sign: cannot open the TPM 'device:/dev/tpmrm0' (the default; --tcti names another): tcti:IO failure" \
	"no TCTI at all: the default, named" env -u TPM2TOOLS_TCTI igos-sign sign -k mok.tss2.pem \
	-c mok.crt -o t2.efi a.efi
run 1 "igos-sign: cannot open the TPM 'device:/dev/tpmrm0' (the default; --tcti names another): tcti:IO failure" \
	"an empty \$TPM2TOOLS_TCTI is none" env TPM2TOOLS_TCTI= igos-sign sign -k mok.tss2.pem \
	-c mok.crt -o t2.efi a.efi

# every bank's hash through the TPM
for b in sha1 sha384 sha512; do
	run 0 "" "igos-measure signs the $b policy through the TPM" \
		igos-measure sign -k mok.tss2.pem -b $b --linux k.bin -o $b.json
	python3 -c '
import base64, json, sys
e = json.load(open(sys.argv[1] + ".json"))[sys.argv[1]][0]
open(sys.argv[1] + ".pol", "wb").write(bytes.fromhex(e["pol"]))
open(sys.argv[1] + ".sig", "wb").write(base64.b64decode(e["sig"]))' $b
	openssl dgst -$b $OSSL_TPM -propquery '?provider=tpm2' -sign mok.tss2.pem -out $b.osig \
		$b.pol 2>/dev/null
	tpm_restart
	same $b.sig $b.osig "byte-identical to openssl dgst -$b -provider tpm2"
done

# an owner hierarchy with a password
tpm2_createprimary -Q -C o -G ecc256:aes128cfb -g sha256 -c srk.ctx \
	-a 'restricted|decrypt|noda|fixedtpm|fixedparent|sensitivedataorigin|userwithauth'
tpm2_evictcontrol -Q -C o -c srk.ctx 0x81000001
tpm2_flushcontext -t
(umask 077 && openssl genpkey $OSSL_TPM -algorithm RSA -pkeyopt parent:0x81000001 -out pers.pem 2>/dev/null)
openssl req $OSSL_TPM -new -x509 -key pers.pem -subj /CN=pers -days 30 -out pers.crt 2>/dev/null
tpm_restart
tpm2_changeauth -c o ownerpass
OWNER="cannot make the storage primary key: the owner hierarchy has a password (use a persistent parent key)"
run 1 "igos-sign: $OWNER" "igos-sign: the owner hierarchy's password, said as such" \
	igos-sign sign -k mok.tss2.pem -c mok.crt -o x.efi a.efi
run 1 "igos-mok: $OWNER" "igos-mok new --tpm: the same line" \
	igos-mok new --tpm -k new.tss2.pem -c new.crt --subject x
run 0 "" "a key under a persistent parent signs all the same" \
	igos-sign sign -k pers.pem -c pers.crt -o p.efi a.efi
tpm2_changeauth -c o -p ownerpass
tpm2_evictcontrol -Q -C o -c 0x81000001

# object slots taken (a raw swtpm has three)
tpm_restart
SLOT="the TPM has no free slot (tpm:warn(2.0): out of memory for object contexts); use its resource manager (device:/dev/tpmrm0)"
for i in 1 2 3; do tpm2_createprimary -Q -C o -c p$i.ctx; done
run 1 "igos-sign: cannot make the storage primary key: $SLOT" \
	"three slots taken: no room for the primary key" igos-sign sign -k mok.tss2.pem -c mok.crt -o x.efi a.efi
tpm2_flushcontext "$(tpm2_getcap handles-transient | sed -n '3s/^- //p')"
run 1 "igos-sign: cannot load the key into the TPM: $SLOT" \
	"two slots taken: no room for the key" igos-sign sign -k mok.tss2.pem -c mok.crt -o x.efi a.efi
run 1 "igos-mok: cannot make a key in the TPM: $SLOT" \
	"igos-mok new --tpm: no room to make the new key (Create needs a slot too)" igos-mok new --tpm -k new.tss2.pem -c new.crt --subject x
is "$(tpm2_getcap handles-transient | wc -l)" "2" "igos flushed what it had loaded: two objects are left, ours"
ok "no output written by any failure" test ! -e x.efi -a ! -e new.tss2.pem -a ! -e new.crt
tpm2_flushcontext -t
run 0 "" "with the slots free, the key signs" igos-sign sign -k mok.tss2.pem -c mok.crt -o x.efi a.efi
is "$(tpm2_getcap handles-transient; tpm2_getcap handles-loaded-session)" "" \
	"and leaves neither an object nor a session loaded"
run 1 "igos-sign: cannot write '$T/none/x.efi': No such file or directory" \
	"an output that cannot be written, found once the key is loaded" \
	igos-sign sign -k mok.tss2.pem -c mok.crt -o "$T/none/x.efi" a.efi
is "$(tpm2_getcap handles-transient; tpm2_getcap handles-loaded-session)" "" \
	"the key and its session are flushed all the same"
