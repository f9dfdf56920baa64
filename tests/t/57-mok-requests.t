#!/bin/sh
# The rest of mokutil 0.6.0's requests, byte for byte: image hashes
# (--import-hash/--delete-hash), the blocklist (--mokx), --reset, the toggle
# records (--trust-mok, --untrust-mok, --disable/--enable-validation) and the
# settings shim reads itself (--timeout, --set-verbosity, --set-sbat-policy).
# igos-mok and mokutil each write to their own fake efivarfs directory and
# every variable is compared.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/mok.sh"
need igos-mok mokutil openssl xxd sha256sum
for c in c1 c2 c3; do mkcert $c || skip_all "openssl cannot make certificates"; done
openssl passwd -6 -salt Ab3dEf9hIj pw1 >h1
H1=$(printf one | sha256sum | cut -c1-64)
H2=$(printf two | sha256sum | cut -c1-64)
H3=$(printf three | sha256sum | cut -c1-64)
X=MokXNew-$SHIM_GUID XA=MokXAuth-$SHIM_GUID XD=MokXDel-$SHIM_GUID XDA=MokXDelAuth-$SHIM_GUID
# same_vars A B DESC: the two directories hold the same variables, byte for byte
same_vars() {
	if [ "$(ls "$1")" = "$(ls "$2")" ] && for f in $(ls "$1"); do cmp -s "$1/$f" "$2/$f" || exit 1; done; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3"; diag "$1: $(ls "$1" | tr '\n' ' ')" "$2: $(ls "$2" | tr '\n' ' ')"
	fi
}

# ---- image hashes ----
efidir i; efidir r
run 0 "" "import --image-hash (first hash: a list of its own)" \
	igos-mok --efivars i import --hash-file h1 --image-hash "$H1"
mokutil_at r --import-hash "$H1" --hash-file h1
same_vars i r "MokNew and MokAuth as mokutil --import-hash writes them"
is "$(tail -c +5 i/$MOKNEW | head -c 16 | xxd -p)" "$SHA256_GUID_HEX" "an EFI_CERT_SHA256 list"
run 0 "" "a certificate on top" igos-mok --efivars i import --hash-file h1 c1.der
mokutil_at r --import c1.der --hash-file h1
same_vars i r "certificate before the hash, as mokutil puts it"
run 0 "" "a second hash joins the first hash list" \
	igos-mok --efivars i import --hash-file h1 --image-hash "$H2"
mokutil_at r --import-hash "$H2" --hash-file h1
# mokutil 0.6.0 (and 0.7) writes the hash type GUID as the SignatureOwner of
# a hash it merges into a list; igos-mok writes shim's GUID there, as for
# every other entry. Everything else must be the same bytes.
n=$(stat -c %s r/$MOKNEW)
off=$((n - 48))
is "$(tail -c +$((off + 1)) r/$MOKNEW | head -c 16 | xxd -p)" "$SHA256_GUID_HEX" \
	"(mokutil writes the hash type as the merged hash's owner)"
{ head -c "$off" r/$MOKNEW; printf '%s' "$SHIM_GUID_HEX" | xxd -r -p; tail -c 32 r/$MOKNEW; } >want
same i/$MOKNEW want "merged list: the same bytes but that owner (shim's GUID)"
same i/$MOKAUTH r/$MOKAUTH "MokAuth the same"
is "$(igos-mok --efivars i pending | cut -d' ' -f1-2 | tr '\n' ' ')" "enroll x509 enroll sha256 enroll sha256 " \
	"pending: the certificate, then the two hashes"
mokutil_at r --list-new | mokutil_ids >want
igos-mok --efivars r pending | igos_ids >got
same got want "igos-mok reads mokutil's hash request as mokutil does"
run 0 "" "two hashes in one run" igos-mok --efivars i import --hash-file h1 --image-hash "$H3" --image-hash "$H1"
is "$OUT" "$H1: already pending enrollment, skipped" "the pending one is skipped"
is "$(igos-mok --efivars i pending | igos_ids | tail -n 1)" "$H3" "the new one last in the hash list"
run 0 "" "delete --image-hash of a hash pending enrollment" igos-mok --efivars i delete --image-hash "$H2"
is "$OUT" "$H2: removed from the enrollment request" "taken off the request (mokutil 0.6.0 skips it)"
is "$(igos-mok --efivars i pending | igos_ids | tr '\n' ' ')" "$(openssl x509 -in c1.der -inform DER -noout -fingerprint -sha1 | sed 's/.*=//' | tr A-F a-f) $H1 $H3 " \
	"the list keeps the other two, its size rewritten"
ok "and still parses for mokutil" mokutil_at i --list-new

# delete-hash of an enrolled hash: MokDel as mokutil --delete-hash
efidir di; efidir dr
esl_sha256 "$H1" "$H2" | efivar di MokListRT $SHIM_GUID 06000000
cp di/MokListRT-$SHIM_GUID dr/
run 0 "" "delete --image-hash of an enrolled hash" igos-mok --efivars di delete --hash-file h1 --image-hash "$H2"
mokutil_at dr --delete-hash "$H2" --hash-file h1
same_vars di dr "MokDel and MokDelAuth as mokutil --delete-hash writes them"
run 0 "" "import --image-hash of an enrolled hash" igos-mok --efivars di import --image-hash "$H1"
is "$OUT" "$H1: already enrolled, skipped" "skipped: already enrolled"
is "$(mokutil_at dr --import-hash "$H1" --hash-file h1)" "Skip hash" "mokutil skips it too"

# ---- the blocklist: MokXNew/MokXAuth, MokXDel/MokXDelAuth ----
efidir xi; efidir xr
run 0 "" "import --blocklist c1 c2" igos-mok --efivars xi import --blocklist --hash-file h1 c1.der c2.pem
mokutil_at xr --mokx --import c1.der c2.der --hash-file h1
same_vars xi xr "MokXNew and MokXAuth as mokutil --mokx --import writes them"
run 0 "" "import --blocklist --image-hash" igos-mok --efivars xi import --blocklist --hash-file h1 --image-hash "$H1"
mokutil_at xr --mokx --import-hash "$H1" --hash-file h1
same_vars xi xr "a hash into MokXNew as mokutil --mokx --import-hash"
is "$(igos-mok --efivars xi pending | cut -d' ' -f1-2 | tr '\n' ' ')" "block sha256 block x509 block x509 " \
	"pending: three to block"
run 0 "" "revoke --import --blocklist" igos-mok --efivars xi revoke --import --blocklist
mokutil_at xr --mokx --revoke-import
same_vars xi xr "MokXNew and MokXAuth gone, as with mokutil --mokx --revoke-import"
esl_x509 c3.der | efivar xi MokListXRT $SHIM_GUID 06000000
cp xi/MokListXRT-$SHIM_GUID xr/
run 0 "" "import --blocklist of a blocked certificate" igos-mok --efivars xi import --blocklist c3.der
is "$OUT" "c3.der: already in MokListXRT, skipped" "skipped: already in MokListXRT"
is "$(mokutil_at xr --mokx --import c3.der --hash-file h1)" "SKIP: c3.der is already in MokListX" "mokutil skips it too"
run 0 "" "delete --blocklist c3" igos-mok --efivars xi delete --blocklist --hash-file h1 c3.der
mokutil_at xr --mokx --delete c3.der --hash-file h1
same_vars xi xr "MokXDel and MokXDelAuth as mokutil --mokx --delete writes them"
is "$(igos-mok --efivars xi pending | cut -d' ' -f1-2)" "unblock x509" "pending: unblock"
run 0 "" "delete --blocklist of a certificate not blocked" igos-mok --efivars xi delete --blocklist c1.der
is "$OUT" "c1.der: not in MokListXRT, skipped" "skipped: not in MokListXRT"
run 0 "" "import (MokList) of a blocked certificate" igos-mok --efivars xi import c3.der
is "$OUT" "c3.der: blocked by MokListXRT, skipped" "refused for MokList while in MokListXRT"

# ---- reset: the password alone ----
efidir ri; efidir rr
igos-mok --efivars ri import --hash-file h1 c1.der; mokutil_at rr --import c1.der --hash-file h1
run 0 "" "reset (a pending enrollment gives way)" igos-mok --efivars ri reset --hash-file h1
mokutil_at rr --reset --hash-file h1
same_vars ri rr "MokAuth alone, MokNew removed, as mokutil --reset"
run 0 "" "reset --blocklist" igos-mok --efivars ri reset --blocklist --hash-file h1
mokutil_at rr --mokx --reset --hash-file h1
same_vars ri rr "MokXAuth alone, as mokutil --mokx --reset"
is "$(igos-mok --efivars ri pending)" "reset MokList
reset MokListX" "pending: reset MokList, reset MokListX"

# ---- toggles: MokListTrustedNew, MokSB (8 to 16 characters, plain UCS-2) ----
efidir ti; efidir tr
printf 'fifteen-chars-x\n' >p15 && chmod 600 p15
toggle() { # VERB... / mokutil option
	_o=$1; shift
	igos-mok --efivars ti "$@" --password-file p15 &&
		printf 'fifteen-chars-x\nfifteen-chars-x\n' | mokutil_at tr "$_o" >/dev/null
}
ok "trust-mok" toggle --trust-mok trust-mok
same_vars ti tr "MokListTrustedNew (trust) as mokutil --trust-mok writes it"
is "$(head -c 12 ti/MokListTrustedNew-$SHIM_GUID | xxd -p)" "07000000000000000f000000" "state 0, 15 characters"
ok "untrust-mok" toggle --untrust-mok untrust-mok
same_vars ti tr "MokListTrustedNew (untrust) as mokutil --untrust-mok"
ok "validation off" toggle --disable-validation validation off
same_vars ti tr "MokSB as mokutil --disable-validation"
ok "validation on" toggle --enable-validation validation on
same_vars ti tr "MokSB as mokutil --enable-validation"
is "$(igos-mok --efivars ti pending)" "validation on
untrust-mok" "pending: validation on, untrust-mok"
# a shorter password: the same up to its terminator; mokutil leaves stack
# bytes after it, igos-mok zeros
printf 'eight888\n' >p8 && chmod 600 p8
igos-mok --efivars ti validation off --password-file p8
printf 'eight888\neight888\n' | mokutil_at tr --disable-validation >/dev/null
is "$(head -c 30 ti/MokSB-$SHIM_GUID | xxd -p)" "$(head -c 30 tr/MokSB-$SHIM_GUID | xxd -p)" \
	"8 characters: the same bytes up to the terminator"
is "$(tail -c +31 ti/MokSB-$SHIM_GUID | xxd -p)" "0000000000000000000000000000" "zeros after it"
# 16 characters: mokutil 0.6.0 keeps 15 and a NUL (but says 16): MokManager
# could ask for a character that is not there; igos-mok stores all 16
printf 'sixteen-chars-xy\n' >p16 && chmod 600 p16
igos-mok --efivars ti trust-mok --password-file p16
is "$(tail -c 4 ti/MokListTrustedNew-$SHIM_GUID | xxd -p)" "78007900" "16 characters: the 16th is stored"

# ---- settings shim reads itself ----
efidir si; efidir sr
for t in 5 -1 0 32767; do
	igos-mok --efivars si timeout "$t"; mokutil_at sr --timeout "$t"
	same_vars si sr "timeout $t: MokTimeout as mokutil --timeout $t"
done
is "$(tail -c 4 si/MokTimeout-$SHIM_GUID | xxd -p)" "ff7f0000" "32767 little-endian"
igos-mok --efivars si timeout 10; mokutil_at sr --timeout 10
same_vars si sr "timeout 10 (shim's default): MokTimeout removed, as mokutil does"
ok "no MokTimeout left" test ! -e si/MokTimeout-$SHIM_GUID
igos-mok --efivars si verbose on; mokutil_at sr --set-verbosity true
same_vars si sr "verbose on: SHIM_VERBOSE as mokutil --set-verbosity true"
igos-mok --efivars si verbose off; mokutil_at sr --set-verbosity false
same_vars si sr "verbose off: SHIM_VERBOSE removed, as mokutil --set-verbosity false"
for p in latest previous delete; do
	igos-mok --efivars si sbat-policy $p; mokutil_at sr --set-sbat-policy $p
	same_vars si sr "sbat-policy $p: SbatPolicy as mokutil --set-sbat-policy $p"
done
is "$(igos-mok --efivars si pending)" "sbat-policy delete" "pending: sbat-policy delete"
is "$(stat -c %a si/SbatPolicy-$SHIM_GUID)" 600 "variables mode 0600"
no_temps si "no temporary file left"
done_testing
