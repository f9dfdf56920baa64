#!/bin/sh
# Bad input to the request and settings verbs: one line, exit 2 (usage) or 1
# (failure), and nothing written to the variables.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/mok.sh"
need igos-mok openssl xxd unshare
mkcert c1 || skip_all "openssl cannot make certificates"
openssl passwd -6 -salt Ab3dEf9hIj pw1 >h1
efidir e
printf '%s\n' "$SHIM_GUID" >guid
ls e >before
# unchanged DESC: e holds what it held
unchanged() { ls e >after; same after before "$1"; }

H=$(printf x | sha256sum | cut -c1-64)
run 2 "igos-mok: --image-hash takes a SHA-256 as 64 hex digits, not 'xyz'" "a hash that is not hex" \
	igos-mok --efivars e import --hash-file h1 --image-hash xyz
run 2 "igos-mok: --image-hash takes a SHA-256 as 64 hex digits, not '${H}00'" "a hash that is too long (SHA-384?)" \
	igos-mok --efivars e import --hash-file h1 --image-hash "${H}00"
run 2 "igos-mok: import: no certificate given" "import with neither a certificate nor a hash" \
	igos-mok --efivars e import --blocklist --hash-file h1
run 2 "igos-mok: --blocklist given twice" "--blocklist twice" \
	igos-mok --efivars e import --blocklist --blocklist c1.der
run 2 "igos-mok: test takes exactly one certificate, or --image-hash HEX" "test with a hash and a certificate" \
	igos-mok --efivars e test --image-hash "$H" c1.der
run 2 "igos-mok: unknown option '--blocklist'" "pending has no --blocklist (it shows everything)" \
	igos-mok --efivars e pending --blocklist
run 2 "igos-mok: reset takes no operands" "reset with an operand" igos-mok --efivars e reset c1.der
run 2 "igos-mok: trust-mok takes no operands" "trust-mok with an operand" igos-mok --efivars e trust-mok x
run 2 "igos-mok: unknown option '--hash-file'" "a toggle has no hash file (MokManager asks characters)" \
	igos-mok --efivars e untrust-mok --hash-file h1
run 2 "igos-mok: validation needs on or off" "validation without a word" igos-mok --efivars e validation
run 2 "igos-mok: validation takes on or off, not 'disable'" "validation disable" \
	igos-mok --efivars e validation disable
run 2 "igos-mok: timeout takes -1 (wait for a key) or 0 to 32767 seconds, not '32768'" \
	"timeout above shim's 0x7fff (mokutil clamps; igos-mok refuses)" igos-mok --efivars e timeout 32768
run 2 "igos-mok: timeout takes -1 (wait for a key) or 0 to 32767 seconds, not '5s'" "timeout 5s" \
	igos-mok --efivars e timeout 5s
run 2 "igos-mok: timeout takes -1 (wait for a key) or 0 to 32767 seconds, not '-2'" "timeout -2" \
	igos-mok --efivars e timeout -- -2
run 2 "igos-mok: timeout takes one operand: a number of seconds" "timeout 1 2" igos-mok --efivars e timeout 1 2
run 2 "igos-mok: verbose takes on or off, not 'yes'" "verbose yes" igos-mok --efivars e verbose yes
run 2 "igos-mok: sbat-policy takes latest, previous or delete, not 'automatic'" "sbat-policy automatic" \
	igos-mok --efivars e sbat-policy automatic
run 2 "igos-mok: sbat-policy needs latest, previous or delete" "sbat-policy alone" igos-mok --efivars e sbat-policy
unchanged "no usage error wrote anything"

# passwords of the toggle records
printf 'seven77\n' >p7 && chmod 600 p7
printf 'seventeen-chars-x\n' >p17 && chmod 600 p17
printf 'eight\t88\n' >ptab && chmod 600 ptab
printf 'right-length\n' >popen && chmod 644 popen
run 1 "igos-mok: password must be 8 to 16 characters" "a 7-character password (MokManager asks 3 of 8 to 16)" \
	igos-mok --efivars e trust-mok --password-file p7
run 1 "igos-mok: password must be 8 to 16 characters" "a 17-character password" \
	igos-mok --efivars e validation off --password-file p17
run 1 "igos-mok: password must be printable ASCII" "a tab in the password" \
	igos-mok --efivars e untrust-mok --password-file ptab
run 1 "igos-mok: 'popen' is readable by others: it must be mode 0600 or stricter" "a password file others can read" \
	igos-mok --efivars e trust-mok --password-file popen
run 1 "igos-mok: cannot prompt for MokManager password (8-16 characters): no terminal" \
	"no password file and no terminal" igos-mok --efivars e trust-mok
run 1 "igos-mok: cannot prompt for MOK password: no terminal" "reset without a password and no terminal" \
	igos-mok --efivars e reset
unchanged "no refused password wrote anything"

# the directory
mkdir ro
run 1 "igos-mok: cannot open 'nowhere': No such file or directory" "timeout into a missing directory" \
	igos-mok --efivars nowhere timeout 5
run 1 "igos-mok: cannot write to 'ro': Read-only file system" "sbat-policy on read-only efivars" \
	unshare -rm sh -c 'mount -t tmpfs -o ro none ro && exec igos-mok sbat-policy latest --efivars ro'
run 1 "igos-mok: cannot write to 'ro': Read-only file system" "reset on read-only efivars, before any prompt" \
	unshare -rm sh -c 'mount -t tmpfs -o ro none ro && exec igos-mok reset --efivars ro'

# corrupt variables read back
efidir c
printf 'sbat,1\nshim\n' | efivar c SbatLevelRT $SHIM_GUID 06000000
run 1 "*" "sbat: a SbatLevelRT row without a generation" igos-mok --efivars c sbat
case $ERR in "igos-mok: corrupt SbatLevelRT: "*) r=0 ;; *) r=1 ;; esac
ok "one line: corrupt SbatLevelRT: <why>" test "$r" = 0 -a "$(printf '%s\n' "$ERR" | wc -l)" = 1
head -c 12 /dev/zero | efivar c MokSB $SHIM_GUID 07000000
run 1 "igos-mok: corrupt MokSB: toggle record is 12 bytes, not 40" "pending: a MokSB of the wrong size" \
	igos-mok --efivars c pending
printf '\001\000\000\000' | efivar c MokXNew $SHIM_GUID 07000000
run 1 "igos-mok: corrupt MokXNew: signature list 1 at offset 0: 4 bytes left, a header needs 28" \
	"import --blocklist onto a corrupt MokXNew" igos-mok --efivars c import --blocklist --hash-file h1 c1.der
is "$(tail -c +5 c/MokXNew-$SHIM_GUID | xxd -p)" "01000000" "the corrupt request left as it was"
ok "no MokXAuth written" test ! -e c/MokXAuth-$SHIM_GUID
done_testing
