#!/bin/sh
# The TSS2 PRIVATE KEY file as igos reads it: what the provider writes (emptyAuth
# 0x01) and DER's 0xFF both load; what igos does not implement ([1] policy,
# [2] secret, other fields, importable keys, sealed data) is refused by name,
# before the TPM is asked; the file's mode is checked as for any key file.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/tpmkey.sh"
. "$TESTLIB/sign.sh"
need swtpm tpm2_shutdown igos-mok igos-sign sbverify python3 openssl
plan 19
tpm_fresh
$MKPE make a.efi

run 0 "*" "igos-mok new --tpm makes a key" igos-mok new --tpm --tcti "$TCTI" -k mok.tss2.pem -c mok.crt --subject "tpm file test"
is "$(head -n 1 mok.tss2.pem)" "-----BEGIN TSS2 PRIVATE KEY-----" "the key file is PEM labelled TSS2 PRIVATE KEY"
is "$(openssl asn1parse -in mok.tss2.pem | sed -n '2,5p' | sed 's/^.*\(prim\|cons\): *//; s/ *$//')" \
"OBJECT            :2.23.133.10.1.3
cont [ 0 ]
BOOLEAN           :255
INTEGER           :40000001" "loadableKey OID, emptyAuth TRUE (DER 0xFF), parent the owner hierarchy"

# edited copies of the key file
tss2_edit mok.tss2.pem <<'E'
one.pem d[:16] + b"\x01" + d[17:]
pol.pem seq(b[:13] + bytes.fromhex("a1083006a0040402000b") + b[13:])
sec.pem seq(b[:13] + bytes.fromhex("a2040402abcd") + b[13:])
unk.pem seq(b[:13] + bytes.fromhex("a5020500") + b[13:])
imp.pem d[:11] + b"\x04" + d[12:]
bool.pem d[:16] + b"\x02" + d[17:]
trail.pem seq(b + bytes.fromhex("0500"))
par.pem d[:19] + bytes.fromhex("4000000b") + d[23:]
E

# emptyAuth as the provider writes it (0x01): the same key, still signs
is "$(openssl asn1parse -in one.pem | sed -n 4p | sed 's/.*BOOLEAN *//')" ":1" "edited: emptyAuth is the byte 0x01"
run 0 "" "a key with emptyAuth 0x01 signs" igos-sign sign --tcti "$TCTI" -k one.pem -c mok.crt -o one.efi a.efi
ok "and the image verifies (sbverify)" sbverify --cert mok.crt one.efi
run 0 "" "the key with emptyAuth 0xFF signs" igos-sign sign --tcti "$TCTI" -k mok.tss2.pem -c mok.crt -o ff.efi a.efi
same one.efi ff.efi "the same signed image either way (RSASSA is deterministic)"

# fields igos does not implement: one line, exit 1, no TPM needed
run 1 "igos-sign: key 'pol.pem': the TSS2 key has a policy ([1]): not supported by igos" \
	"[1] policy refused" igos-sign sign --tcti "$TCTI" -k pol.pem -c mok.crt -o x.efi a.efi
run 1 "igos-sign: key 'sec.pem': the TSS2 key has an imported secret ([2]): not supported by igos" \
	"[2] secret refused" igos-sign sign -k sec.pem -c mok.crt -o x.efi a.efi
run 1 "igos-sign: key 'unk.pem': the TSS2 key has an unknown optional field [5]: not supported by igos" \
	"an unknown optional field refused" igos-sign sign -k unk.pem -c mok.crt -o x.efi a.efi
run 1 "igos-sign: key 'imp.pem': the TSS2 key is an importable key (not loadable: not supported)" \
	"an importable key refused" igos-sign sign -k imp.pem -c mok.crt -o x.efi a.efi
run 1 "igos-sign: key 'bool.pem': malformed TSS2 key: bad emptyAuth" \
	"an emptyAuth that is not a DER/BER boolean byte (0x02) refused" igos-sign sign -k bool.pem -c mok.crt -o x.efi a.efi
run 1 "igos-sign: key 'trail.pem': malformed TSS2 key: data after the private part" \
	"a field after the private part refused" igos-sign sign -k trail.pem -c mok.crt -o x.efi a.efi
run 1 "igos-sign: key 'par.pem': the TSS2 key's parent 0x4000000b is neither the owner hierarchy nor a persistent key" \
	"a parent in the endorsement hierarchy refused" igos-sign sign -k par.pem -c mok.crt -o x.efi a.efi
head -c 300 mok.tss2.pem >cut.pem; chmod 600 cut.pem
run 1 "igos-sign: key 'cut.pem': malformed TSS2 key: bad PEM" \
	"a cut file refused" igos-sign sign -k cut.pem -c mok.crt -o x.efi a.efi

# the file's mode, as for every key file
cp mok.tss2.pem open.pem; chmod 644 open.pem
run 1 "igos-sign: key file 'open.pem' is readable by group or others: chmod 0600 it" \
	"a key file readable by others is refused" igos-sign sign -k open.pem -c mok.crt -o x.efi a.efi
ok "no output written by any refusal" test ! -e x.efi
run 0 "" "nothing was left loaded in the TPM (no resource manager here)" \
	sh -c 'tpm2_getcap handles-transient | grep . && exit 1; exit 0'
