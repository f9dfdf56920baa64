#!/bin/sh
# Two signatures (igos-sign twice; sbsign then igos-sign): both listed and
# valid, the digest unchanged, the table ending at EOF with unpadded
# dwLength and 8-aligned entries, and the PE checksum what sbsign computes.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
need python3 sbsign sbverify pesign
snakeoil_keys
rsa_cert other 3072

# table layout: ends at EOF, each entry 8-aligned, dwLength = 8 + DER length,
# Size = sum of the aligned lengths
table_ok() { # FILE
	_size=$(wc -c <"$1")
	set -- "$1" $($MKPE get "$1" secdir)
	[ $(($2 + $3)) -eq "$_size" ] || { echo "table ends at $(($2 + $3)), file is $_size"; return 1; }
	_sum=0 _k=0
	$MKPE get "$1" entries >entries
	while read -r _off _len _rev _type; do
		_k=$((_k + 1))
		[ $((_off % 8)) -eq 0 ] || { echo "entry at $_off not 8-aligned"; return 1; }
		$MKPE get "$1" entry_der $_k >entry.der
		_der=$(openssl asn1parse -inform der -in entry.der | head -n1 |
			sed 's/.*hl= *\([0-9]*\) *l= *\([0-9]*\).*/\1 \2/')
		set -- "$1" $_der
		[ $(($2 + $3 + 8)) -eq "$_len" ] || { echo "dwLength $_len, DER $(($2 + $3))"; return 1; }
		_sum=$((_sum + (_len + 7) / 8 * 8))
	done <entries
	set -- "$1" $($MKPE get "$1" secdir)
	[ "$_sum" -eq "$3" ] || { echo "Size $3, entries $_sum"; return 1; }
}

both_ok() { # FILE DESC
	run 0 "" "$2: igos-sign list" "$S" list "$1"
	is "$(printf '%s\n' "$OUT" | wc -l)" 2 "$2: two signatures listed"
	is "$(pesign_count "$1")" 2 "$2: pesign -S lists two"
	run 0 "" "$2: verifies against the snakeoil cert" "$S" verify -c so.crt "$1"
	run 0 "" "$2: verifies against the other cert" "$S" verify -c other.crt "$1"
	run 0 "" "$2: every signature is valid" "$S" verify --json "$1"
	is "$(printf '%s' "$OUT" | grep -o '"valid":true' | wc -l)" 2 "$2: both valid in --json"
	is "$("$S" hash "$1")" "$digest" "$2: the digest is unchanged"
	ok "$2: table at EOF, entries aligned, dwLength unpadded" table_ok "$1"
	ok "$2: sbverify accepts it" sbverify --cert so.crt "$1"
}

$MKPE make a.efi --trailing 3
digest=$("$S" hash a.efi)

run 0 "" "igos-sign once" "$S" sign -k so.key -c so.crt -o one.efi a.efi
run 0 "" "igos-sign twice" "$S" sign -k other.key -c other.crt -o two.efi one.efi
both_ok two.efi "igos-sign twice"

sbsign --key so.key --cert so.crt --output sb.efi a.efi 2>/dev/null
run 0 "" "igos-sign after sbsign" "$S" sign -k other.key -c other.crt -o sbigos.efi sb.efi
both_ok sbigos.efi "sbsign then igos-sign"

sbsign --key so.key --cert so.crt --output igossb.efi \
	"$("$S" sign -k other.key -c other.crt -o igos1.efi a.efi && echo igos1.efi)" 2>/dev/null
run 0 "" "igos-sign verifies igos-sign then sbsign" "$S" verify -c so.crt igossb.efi
run 0 "" "... and the other signature too" "$S" verify -c other.crt igossb.efi

# remove one of two: the other stays valid, the first signer's cert no longer verifies
run 0 "" "remove signature 1" "$S" remove -n 1 -o rm1.efi two.efi
run 0 "" "the remaining one verifies" "$S" verify -c other.crt rm1.efi
run 1 "igos-sign: 'rm1.efi': not verified: signature 1: signature not valid: the signer is neither a given certificate nor issued by one" \
	"the removed signer no longer verifies" "$S" verify -c so.crt rm1.efi
ok "the table is still well formed" table_ok rm1.efi
run 1 "igos-sign: 'two.efi': no signature 3 (it has 2)" "removing a missing index fails" \
	"$S" remove -n 3 -o rm3.efi two.efi
nok "no output for a missing index" test -e rm3.efi
run 0 "" "remove all" "$S" remove --all -o rm.efi two.efi
run 1 "igos-sign: 'rm.efi': not signed" "no signature left" "$S" verify rm.efi
is "$("$S" hash rm.efi)" "$digest" "the digest of the stripped image is unchanged"

# the PE checksum equals sbsign's for the same table: take sbsign's outputs with
# one and two signatures, zero their CheckSum, add and remove a signature with
# igos-sign (which recomputes it), and compare with sbsign's bytes
sbsign --key so.key --cert so.crt --output sb2.efi sb.efi 2>/dev/null
for f in sb.efi sb2.efi; do
	n=$(pesign_count $f)
	cp $f z.efi && $MKPE patch z.efi checksum 0
	"$S" sign -k other.key -c other.crt z.efi && "$S" remove -n $((n + 1)) z.efi
	same z.efi $f "checksum recomputed by igos-sign equals sbsign's ($n signature(s))"
done
ok "sbsign's checksum is not zero (the comparison means something)" \
	test "$($MKPE get sb.efi checksum)" -ne 0
done_testing
