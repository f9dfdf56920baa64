#!/bin/sh
# Where igos-sign draws its lines on headers and the certificate table's place
# (found by make mutate on lib/authenticode.c): an MZ file shorter than a DOS
# header is "truncated", 64 bytes are a DOS header whose e_lfanew is then
# judged; a PE header at an odd offset and a table not 8-aligned are refused
# by igos-sign only (sbverify accepts what sbsign makes of them; igos-sign(1)
# says so).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need python3 sbsign sbverify
snakeoil_keys
$MKPE make a.efi --trailing 5

printf MZ >mz2
head -c 63 a.efi >mz63
head -c 64 a.efi >mz64
for f in mz2 mz63; do
	run 1 "igos-sign: '$f': truncated PE headers" "an MZ file of $(wc -c <$f) bytes is truncated" \
		"$S" hash $f
done
run 1 "igos-sign: 'mz64': not a PE/COFF image (e_lfanew out of range)" \
	"64 bytes hold a DOS header: its e_lfanew is judged" "$S" hash mz64
printf M >m1
run 1 "igos-sign: 'm1': not a PE/COFF image or an ELF kernel module" "one byte is neither" \
	"$S" hash m1

# e_lfanew 0x81
$MKPE make odd.efi --pe-off 0x81
sbsign --key so.key --cert so.crt --output odd.sb odd.efi 2>/dev/null
ok "sbverify accepts sbsign's signature of an image with its PE header at 0x81" \
	sbverify --cert so.crt odd.sb
run 1 "igos-sign: 'odd.efi': PE header at an odd offset" "igos-sign does not sign it" \
	"$S" sign -k so.key -c so.crt -o odd.out odd.efi
nok "no output" test -e odd.out
run 1 "igos-sign: 'odd.sb': PE header at an odd offset" "nor verify sbsign's signature of it" \
	"$S" verify -c so.crt odd.sb
$MKPE make even.efi --pe-off 0x82
run 0 "" "a PE header at 0x82 is signed" "$S" sign -k so.key -c so.crt -o even.out even.efi
ok "sbverify accepts it" sbverify --cert so.crt even.out

# NumberOfRvaAndSizes 4: no certificate table entry to skip, so the digest
# covers all but the CheckSum, padded to 8 (EDK2's rule; python computes it
# here); 5 directories and headers that end with the Security entry (no
# section): sbverify accepts igos-sign's signature
$MKPE make n4.efi --ndirs 4 --trailing 3
want=$(python3 - <<'PY'
import hashlib, struct
d = open("n4.efi", "rb").read()
cs = struct.unpack_from("<I", d, 0x3C)[0] + 24 + 64
print(hashlib.sha256(d[:cs] + d[cs + 4:] + bytes(-len(d) % 8)).hexdigest())
PY
)
run 0 "" "hash of an image with 4 data directories" "$S" hash n4.efi
is "$OUT" "$want" "it covers all but the CheckSum"
$MKPE make e.efi --sections 0 --ndirs 5
$MKPE patch e.efi size_of_headers 0x130
$MKPE patch e.efi truncate 0x130
run 0 "" "headers ending with the Security entry are signed" \
	"$S" sign -k so.key -c so.crt -o e.out e.efi
ok "sbverify accepts it" sbverify --cert so.crt e.out

# the table 4 bytes on: still at the end of the file, no longer 8-aligned
"$S" sign -k so.key -c so.crt -o s.efi a.efi
cp s.efi shift.efi
$MKPE patch shift.efi table_shift 4
run 1 "igos-sign: 'shift.efi': PE certificate table is not 8-byte aligned" \
	"a table not 8-aligned is refused by verify" "$S" verify -c so.crt shift.efi
run 1 "igos-sign: 'shift.efi': PE certificate table is not 8-byte aligned" "... by list" \
	"$S" list shift.efi
cp s.efi shift8.efi
$MKPE patch shift8.efi table_shift 8
run 1 "igos-sign: 'shift8.efi': not verified: signature 1: image digest does not match the signed digest" \
	"8 bytes before an aligned table are hashed as data after the sections" \
	"$S" verify -c so.crt shift8.efi
done_testing
