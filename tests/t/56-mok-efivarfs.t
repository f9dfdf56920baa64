#!/bin/sh
# Writing variables: the immutable flag (as efivarfs sets it) is cleared for
# the write and set again; in a plain directory a failed write leaves the old
# variable whole and no temporary file. Runs in a private tmpfs (mount
# namespace; chattr +i needs root).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/mok.sh"
need igos-mok unshare chattr lsattr openssl xxd
[ "$(id -u)" = 0 ] || skip_all "needs root (a tmpfs in a mount namespace, chattr +i)"
unshare -m true 2>/dev/null || skip_all "cannot make a mount namespace"
for c in c1 c2 c3; do mkcert $c || skip_all "openssl cannot make certificates"; done
openssl passwd -6 -salt abcdefgh pw >h
mkdir fs small
cat >inner.sh <<EOF2
set -u
. "$TESTLIB/mok.sh"
mount -t tmpfs none fs || exit 9
efidir fs
igos-mok import --efivars fs --hash-file h c1.der || echo IMPORT1-FAILED
chattr +i fs/\$MOKNEW fs/\$MOKAUTH || exit 9
echo "before:\$(lsattr fs/\$MOKNEW | cut -c5)"
igos-mok import --efivars fs --hash-file h c2.der; echo "import2:\$?"
echo "after:\$(lsattr fs/\$MOKNEW | cut -c5)\$(lsattr fs/\$MOKAUTH | cut -c5)"
echo "pending:\$(igos-mok pending --efivars fs | wc -l)"
rm -f fs/\$MOKNEW 2>/dev/null; echo "rm:\$?"
igos-mok revoke --import --efivars fs; echo "revoke:\$?"
echo "left:\$(ls fs | grep -c Mok)"
# a full filesystem: the write fails, the old request stays whole
mount -t tmpfs -o size=12k none small || exit 9
efidir small
igos-mok import --efivars small --hash-file h c1.der; echo "small1:\$?"
cp small/\$MOKNEW before.var
head -c 6000 /dev/zero >small/filler 2>/dev/null
igos-mok import --efivars small --hash-file h c2.der c3.der 2>err.txt; echo "small2:\$?"
echo "err:\$(cat err.txt)"
cmp -s small/\$MOKNEW before.var; echo "same:\$?"
echo "temps:\$(ls -A small | grep -c '^\\.')"
EOF2
unshare -m sh inner.sh >res 2>&1
val() { sed -n "s/^$1://p" res | head -n 1; }
is "$(val before)" "i" "MokNew made immutable"
is "$(val import2)" "0" "import onto an immutable MokNew succeeds"
is "$(val after)" "ii" "MokNew and MokAuth immutable again afterwards"
is "$(val pending)" "2" "both certificates queued"
nok "the flag holds (rm refused)" test "$(val rm)" = 0
is "$(val revoke)" "0" "revoke clears the flag to delete"
is "$(val left)" "0" "request gone"
is "$(val small1)" "0" "first import on a small filesystem"
is "$(val small2)" "1" "import on a full filesystem fails"
is "$(val err)" "igos-mok: cannot write 'small/$MOKNEW': No space left on device" "with one line"
is "$(val same)" "0" "the old MokNew is left whole"
is "$(val temps)" "0" "no temporary file left behind"
[ $TAP_FAILED -eq 0 ] || diag "$(cat res)"
done_testing
