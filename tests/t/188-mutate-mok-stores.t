#!/bin/sh
# igos-mok's variable store at the edges make mutate found unjudged: a store
# on a filesystem without file flags (ramfs: the flags ioctl is not
# supported), where requests are still written, read and deleted; and the
# bare sysfs directory, refused with the mount command to run; a store read
# with standard input closed. Runs in a
# private ramfs (mount namespace: needs root).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/mok.sh"
need igos-mok unshare openssl
[ "$(id -u)" = 0 ] || skip_all "needs root (a ramfs in a mount namespace)"
unshare -m true 2>/dev/null || skip_all "cannot make a mount namespace"
mkcert c1 && mkcert c2 || skip_all "openssl cannot make certificates"
openssl passwd -6 -salt abcdefgh pw >h
mkdir fs
cat >inner.sh <<EOF2
set -u
. "$TESTLIB/mok.sh"
mount -t ramfs none fs || exit 9
efidir fs
igos-mok import --efivars fs --hash-file h c1.der; echo "import:\$?"
igos-mok import --efivars fs --hash-file h c2.der; echo "import2:\$?"
echo "pending:\$(igos-mok pending --efivars fs | wc -l)"
igos-mok revoke --import --efivars fs; echo "revoke:\$?"
echo "left:\$(ls fs | grep -c Mok)"
EOF2
unshare -m sh inner.sh >res 2>&1
val() { sed -n "s/^$1://p" res | head -n 1; }
is "$(val import)" "0" "ramfs: import writes the request"
is "$(val import2)" "0" "ramfs: a second import replaces the request"
is "$(val pending)" "2" "ramfs: both certificates read back"
is "$(val revoke)" "0" "ramfs: revoke deletes it"
is "$(val left)" "0" "ramfs: no request left"
[ $TAP_FAILED -eq 0 ] || diag "$(cat res)"

# standard input closed: a variable may open as descriptor 0, and is read
efidir pf
igos-mok import --efivars pf --hash-file h c1.der 2>/dev/null
want=$(igos-mok pending --efivars pf)
got=$(igos-mok pending --efivars pf 0<&-)
is "$got" "$want" "pending with standard input closed lists the request"
ok "and the request is there to list" test -n "$want"

run 1 "igos-mok: '/sys' is not efivarfs: mount -t efivarfs efivarfs '/sys'" \
	"the bare sysfs directory is refused" igos-mok pending --efivars /sys
done_testing
