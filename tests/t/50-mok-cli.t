#!/bin/sh
# igos-mok's command line: help, version, usage errors (status 2), and the
# bad inputs of the issue, each with its one-line error (status 1).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/mok.sh"
need igos-mok openssl xxd unshare
mkcert rsa || skip_all "openssl cannot make certificates"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key \
	-out ec.pem -subj /CN=ec -days 30 2>/dev/null
openssl x509 -in ec.pem -outform DER -out ec.der
openssl passwd -6 -salt abcdefgh pw >h
efidir e

run 0 "" "--help" igos-mok --help
ok "--help shows the synopsis" grep -q '^usage: igos-mok new' out
run 0 "" "import --help" igos-mok import --help
run 0 "" "--version" igos-mok --version
is "$OUT" "igos-mok 0.1" "version line"
run 2 "*" "no command" igos-mok
is "$(head -n1 err)" "igos-mok: no verb given (new, import, delete, revoke, list, pending, test, sb-state, reset, trust-mok, untrust-mok, validation, timeout, verbose, sbat-policy or sbat; see --help)" "says no command"
run 2 "*" "unknown command" igos-mok frobnicate
is "$(head -n1 err)" "igos-mok: unknown verb 'frobnicate' (new, import, delete, revoke, list, pending, test, sb-state, reset, trust-mok, untrust-mok, validation, timeout, verbose, sbat-policy or sbat)" "names the command"
run 2 "*" "unknown option" igos-mok list --bogus
run 2 "*" "import without a certificate" igos-mok import --efivars e
is "$(head -n1 err)" "igos-mok: import: no certificate given" "says what is missing"
run 2 "*" "test with two certificates" igos-mok test rsa.der rsa.der
run 2 "*" "list with an operand" igos-mok list extra
run 2 "*" "--efivars twice" igos-mok --efivars e list --efivars e
is "$(head -n1 err)" "igos-mok: --efivars given twice" "repeated option refused"
run 2 "*" "--hash-file twice" igos-mok import --hash-file h --hash-file h rsa.der
run 2 "*" "revoke without --import/--delete" igos-mok revoke --efivars e
run 2 "*" "revoke with both" igos-mok revoke --import --delete --efivars e
run 2 "*" "--json twice" igos-mok pending --json --json --efivars e

efidir e2
run 0 "" "options after the operands" igos-mok import rsa.der --hash-file h --efivars e2
ok "queued" test -s e2/$MOKNEW

# certificates
printf 'not a certificate\n' >junk.txt
run 1 "igos-mok: 'junk.txt': not an X.509 certificate (PEM or DER)" "a text file refused" \
	igos-mok import --efivars e --hash-file h junk.txt
openssl rsa -in rsa.key -pubout -outform DER -out pub.der 2>/dev/null
run 1 "igos-mok: 'pub.der': not an X.509 certificate (PEM or DER)" "a DER public key refused" \
	igos-mok import --efivars e --hash-file h pub.der
{ cat rsa.der; printf 'x'; } >trail.der
run 1 "igos-mok: 'trail.der': not an X.509 certificate (PEM or DER)" "DER with trailing bytes refused" \
	igos-mok import --efivars e --hash-file h trail.der
run 1 "igos-mok: 'ec.der': not an RSA key (shim and the kernel verify RSA only)" "an EC certificate refused" \
	igos-mok import --efivars e --hash-file h ec.der
run 1 "igos-mok: 'ec.pem': not an RSA key (shim and the kernel verify RSA only)" "EC refused by test too" \
	igos-mok test --efivars e ec.pem
run 1 "igos-mok: cannot open 'nope.der': No such file or directory" "a missing certificate" \
	igos-mok import --efivars e --hash-file h nope.der
run 1 "igos-mok: 'junk.txt': not an X.509 certificate (PEM or DER)" "one bad certificate stops the lot" \
	igos-mok import --efivars e --hash-file h rsa.der junk.txt
ok "nothing queued" test ! -e e/$MOKNEW

# the efivars directory
run 1 "igos-mok: cannot open 'missing': No such file or directory" "efivars directory missing" \
	igos-mok import --efivars missing --hash-file h rsa.der
run 1 "igos-mok: cannot open 'missing': No such file or directory" "missing, for list" \
	igos-mok list --efivars missing
run 1 "igos-mok: cannot open 'h': Not a directory" "efivars is a file" \
	igos-mok pending --efivars h
mkdir ro
run 1 "igos-mok: cannot write to 'ro': Read-only file system" "read-only efivars refused before any prompt" \
	unshare -rm sh -c 'mount -t tmpfs -o ro none ro && exec igos-mok import --efivars ro rsa.der'
run 1 "igos-mok: cannot write to 'ro': Read-only file system" "revoke on read-only efivars" \
	unshare -rm sh -c 'mount -t tmpfs -o ro none ro && exec igos-mok revoke --import --efivars ro'
run 0 "" "sb-state reads a read-only directory" \
	unshare -rm sh -c 'mount -t tmpfs -o ro none ro && exec igos-mok sb-state --efivars e'
efivar e SecureBoot $GLOBAL_GUID 06 </dev/null
printf '\006\000' >e/SecureBoot-$GLOBAL_GUID
run 1 "igos-mok: cannot read 'e/SecureBoot-$GLOBAL_GUID': 2 bytes, shorter than the attribute word" \
	"a variable shorter than its attribute word" igos-mok sb-state --efivars e
done_testing
