#!/bin/sh
# igos-mok import: the password (file, terminal prompt, ready hash) becomes the
# MokAuth record mokutil writes for the same sha512-crypt hash; bad passwords
# and hash lines are refused before anything is written.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/mok.sh"
need igos-mok mokutil openssl xxd python3 setsid
mkcert c1 || skip_all "openssl cannot make certificates"

# salt NAME: the salt igos-mok stored in DIR's MokAuth
salt_of() {
	_n=$(dd if="$1/$MOKAUTH" bs=1 skip=14 count=2 2>/dev/null | xxd -p)
	_n=$((0x$(echo "$_n" | sed 's/\(..\)\(..\)/\2\1/')))
	dd if="$1/$MOKAUTH" bs=1 skip=16 count="$_n" 2>/dev/null
}
# check_pw DIR PASSWORD DESC: MokAuth in DIR is what mokutil writes for the
# sha512-crypt of PASSWORD with the same salt
check_pw() {
	openssl passwd -6 -salt "$(salt_of "$1")" -stdin <"$2" >"$1.hash" 2>/dev/null
	rm -rf "$1.ref"; efidir "$1.ref"
	mokutil_at "$1.ref" --import c1.der --hash-file "$1.hash" >/dev/null 2>&1
	same "$1/$MOKAUTH" "$1.ref/$MOKAUTH" "$3"
}

printf 'correct horse\n' >pw; chmod 600 pw
efidir a
run 0 "" "import with --password-file" igos-mok --efivars a import --password-file pw c1.der
is "$(salt_of a | wc -c)" "16" "a 16-character salt"
printf 'correct horse' >pw.bare
check_pw a pw.bare "MokAuth holds sha512-crypt of the file's password (trailing newline dropped)"

# 256 characters: the longest allowed
head -c 256 /dev/zero | tr '\0' 'x' >pw256; chmod 600 pw256
efidir b
run 0 "" "a 256-character password" igos-mok --efivars b import --password-file pw256 c1.der
check_pw b pw256 "256-character password hashed whole"

# bad passwords: nothing written
efidir bad
printf '' >empty; chmod 600 empty
run 1 "igos-mok: password must be 1 to 256 characters" "empty password refused" \
	igos-mok --efivars bad import --password-file empty c1.der
head -c 257 /dev/zero | tr '\0' 'x' >pw257; chmod 600 pw257
run 1 "igos-mok: password must be 1 to 256 characters" "257 characters refused" \
	igos-mok --efivars bad import --password-file pw257 c1.der
printf 'p\303\244sswort\n' >nonascii; chmod 600 nonascii
run 1 "igos-mok: password must be printable ASCII" "non-ASCII password refused" \
	igos-mok --efivars bad import --password-file nonascii c1.der
printf 'tab\there\n' >ctrl; chmod 600 ctrl
run 1 "igos-mok: password must be printable ASCII" "control character refused" \
	igos-mok --efivars bad import --password-file ctrl c1.der
chmod 644 pw
run 1 "igos-mok: 'pw' is readable by others: it must be mode 0600 or stricter" \
	"password file readable by others refused" \
	igos-mok --efivars bad import --password-file pw c1.der
chmod 600 pw
is "$(ls bad)" "SecureBoot-$GLOBAL_GUID" "nothing written by the refused imports"
run 1 "igos-mok: cannot prompt for MOK password: no terminal" "no terminal, no password option" \
	setsid -w igos-mok --efivars bad import c1.der
run 2 "*" "--password-file with --hash-file is a usage error" \
	igos-mok --efivars bad import --password-file pw --hash-file pw c1.der
is "$(head -n1 err)" "igos-mok: --password-file and --hash-file exclude each other" "usage message"

# the double prompt on the terminal
cat >ptydrive.py <<'PY'
import os, pty, signal, sys
signal.alarm(30)
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
answered = 0
answers = [a.encode() for a in os.environ["ANSWERS"].split(",")]
while True:
    try:
        d = os.read(fd, 1024)
    except OSError:
        break
    if not d:
        break
    out += d
    # answer each prompt once, after it is complete (the tool flushes input)
    if answers and out.rstrip().endswith(b":") and out.count(b":") > answered:
        answered = out.count(b":")
        os.write(fd, answers.pop(0) + b"\n")
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(st))
PY
efidir t
ANSWERS='s3cret pw,s3cret pw' run 0 "" "password typed twice on the terminal" \
	python3 ptydrive.py igos-mok --efivars t import c1.der
ok "prompts for the password twice" grep -q 'MOK password again:' out
printf 's3cret pw' >typed
check_pw t typed "MokAuth holds the typed password's hash"
efidir t2
ANSWERS='one,two' run 1 "" "different passwords typed" python3 ptydrive.py igos-mok --efivars t2 import c1.der
ok "says they do not match" grep -q 'igos-mok: passwords do not match' out
ok "nothing queued" test ! -e t2/$MOKNEW

# --hash-file: rounds= kept as the iteration count, like mokutil
openssl passwd -6 -salt saltsalt pw >h
printf '$6$rounds=10000$saltsalt$' >hr
python3 -c 'import crypt; print(crypt.crypt("pw", "$6$rounds=10000$saltsalt$"))' >hr 2>/dev/null ||
	printf '' >hr
if [ -s hr ]; then
	efidir r; efidir rref
	run 0 "" "hash with rounds=10000" igos-mok --efivars r import --hash-file hr c1.der
	mokutil_at rref --import c1.der --hash-file hr >/dev/null
	same r/$MOKAUTH rref/$MOKAUTH "rounds= record byte-identical to mokutil's"
else
	skip "python3 crypt module missing" "rounds= hash"; skip "python3 crypt module missing" "rounds="
fi
efidir hb
printf '$1$abc$0123456789012345678901\n' >md5
run 1 "igos-mok: 'md5': not a sha512-crypt hash (\"\$6\$...\")" "an MD5-crypt line refused" \
	igos-mok --efivars hb import --hash-file md5 c1.der
sed 's/\$saltsalt\$/$saltsaltsaltsaltX$/' h >longsalt
run 1 "igos-mok: 'longsalt': sha512-crypt salt must be 1 to 16 characters" "salt over 16 refused" \
	igos-mok --efivars hb import --hash-file longsalt c1.der
sed 's/.$//' h >short
run 1 "igos-mok: 'short': sha512-crypt digest must be 86 characters" "truncated digest refused" \
	igos-mok --efivars hb import --hash-file short c1.der
is "$(ls hb)" "SecureBoot-$GLOBAL_GUID" "nothing written for bad hash lines"
done_testing
