#!/bin/sh
# igos-ukify build: every bad input of the issue gives its one-line error,
# the right exit status, and no output (not even a temporary file).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/ukify.sh"
need igos-ukify objcopy sbsign openssl "$STUB"
plan 35

mkkernel vmlinuz 6.1.0-99-test
printf 'ID=igos\n' >osrel
mkdir w
printf 'old\n' >w/keep.efi
b() { igos-ukify build --stub "$STUB" --linux vmlinuz --os-release @osrel "$@"; }

# the stub
echo 'not a PE' >notpe.efi
run 1 "igos-ukify: stub 'notpe.efi': not a PE/COFF image (no MZ header)" \
	"a stub that is not a PE" igos-ukify build --stub notpe.efi --linux vmlinuz -o w/x.efi
run 1 "igos-ukify: cannot open 'nostub.efi': No such file or directory" \
	"a missing stub" igos-ukify build --stub nostub.efi --linux vmlinuz -o w/x.efi
openssl req -x509 -newkey rsa:2048 -nodes -keyout db.key -out db.crt -subj /CN=test -days 30 2>/dev/null
sbsign --key db.key --cert db.crt --output signed.efi "$STUB" >/dev/null 2>&1
run 1 "igos-ukify: stub 'signed.efi' is signed; an unsigned stub is needed" \
	"a signed stub is refused" igos-ukify build --stub signed.efi --linux vmlinuz -o w/x.efi
run 1 "igos-ukify: stub '$STUB': not enough header space to add section .f" \
	"a stub with no room for the new section headers" b --section .a:1 --section .b:1 \
	--section .c:1 --section .d:1 --section .e:1 --section .f:1 -o w/x.efi
run 0 "" "seven new sections fit" b --section .a:1 --section .b:1 --section .c:1 --section .d:1 \
	-o fits.efi
objcopy --remove-section .sbat "$STUB" nosbat.efi
run 1 "igos-ukify: stub 'nosbat.efi' has no .sbat section" \
	"a stub without .sbat" igos-ukify build --stub nosbat.efi --linux vmlinuz -o w/x.efi
long=$(head -c 400 /dev/zero | tr '\0' a)
run 1 "igos-ukify: stub '$STUB': its .sbat section has room for 512 bytes, the merged SBAT needs 629" \
	"a merged SBAT larger than the stub's .sbat" b --sbat "sbat,1,x
$long,1" -o w/x.efi

# the kernel
run 1 "igos-ukify: cannot open 'nokernel': No such file or directory" \
	"a missing kernel" igos-ukify build --stub "$STUB" --linux nokernel -o w/x.efi
: >empty
run 1 "igos-ukify: kernel 'empty' is empty" \
	"an empty kernel" igos-ukify build --stub "$STUB" --linux empty -o w/x.efi
mkdir kdir
run 1 "igos-ukify: cannot read 'kdir': Is a directory" \
	"a kernel that is a directory" igos-ukify build --stub "$STUB" --linux kdir -o w/x.efi
# unreadable: as root, drop to nobody; otherwise chmod is enough
cp vmlinuz secret; chmod 000 secret; chmod 755 "$T"; chmod 777 w
if [ "$(id -u)" -eq 0 ]; then
	need setpriv
	asuser() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
else
	asuser() { "$@"; }
fi
run 1 "igos-ukify: cannot open 'secret': Permission denied" \
	"an unreadable kernel" asuser igos-ukify build --stub "$STUB" --linux secret -o w/x.efi

# sections
run 2 "igos-ukify: section name '.toolong12' is longer than 8 characters" \
	"a section name over 8 characters" b --section .toolong12:x -o w/x.efi
run 2 "igos-ukify: section .a given twice" \
	"a section given twice" b --section .a:1 --section .a:2 -o w/x.efi
for s in .linux .initrd .cmdline .osrel .uname .sbat .pcrsig; do
	run 2 "igos-ukify: section $s is written by igos-ukify; use its own option" \
		"--section $s is refused" b --section "$s:x" -o w/x.efi
done
run 2 "igos-ukify: --section 'novalue': expected NAME:TEXT or NAME:@FILE" \
	"--section without contents" b --section novalue -o w/x.efi
run 2 "igos-ukify: section name 'a b' is not printable ASCII" \
	"a section name with a blank" b --section 'a b:x' -o w/x.efi
run 1 "igos-ukify: cannot open 'nofile': No such file or directory" \
	"--section NAME:@FILE with a missing file" b --section .x:@nofile -o w/x.efi

# initrds and other inputs
mkdir idir
run 1 "igos-ukify: cannot read 'idir': Is a directory" \
	"an initrd that is a directory" b --initrd idir -o w/x.efi
run 1 "igos-ukify: cannot open 'noinitrd': No such file or directory" \
	"a missing initrd" b --initrd vmlinuz --initrd noinitrd -o w/x.efi
run 1 "igos-ukify: cannot open 'nocmd': No such file or directory" \
	"--cmdline @FILE missing" b --cmdline @nocmd -o w/x.efi
run 1 "igos-ukify: cannot open 'nodtb': No such file or directory" \
	"--devicetree missing" b --devicetree nodtb -o w/x.efi

# the output
run 1 "igos-ukify: cannot write 'nodir/x.efi': No such file or directory" \
	"output in a missing directory" b -o nodir/x.efi
run 1 "igos-ukify: cannot write 'w': Is a directory" \
	"output that is a directory" b -o w
mkdir ro; chmod 555 ro
if [ "$(id -u)" -eq 0 ]; then
	run 1 "igos-ukify: cannot write 'ro/x.efi': Permission denied" \
		"output in a directory we may not write" asuser igos-ukify build --stub "$STUB" \
		--linux vmlinuz --os-release @osrel -o ro/x.efi
else
	run 1 "igos-ukify: cannot write 'ro/x.efi': Permission denied" \
		"output in a directory we may not write" b -o ro/x.efi
fi
run 1 "igos-ukify: stub 'notpe.efi': not a PE/COFF image (no MZ header)" \
	"a failed build over an existing file" igos-ukify build --stub notpe.efi --linux vmlinuz -o w/keep.efi
is "$(cat w/keep.efi)" "old" "the existing file is untouched"
is "$(ls -A w)" "keep.efi" "no output and no temporary file left by any failure"
is "$(ls -A ro)" "" "nothing in the read-only directory"

# a full disk: the write fails whole (no partial file)
if [ -w /dev/full ]; then
	run 1 "igos-ukify: cannot write to standard output: No space left on device" \
		"standard output that cannot be written" sh -c 'b() { igos-ukify build --stub "$1" --linux vmlinuz --os-release @osrel -o -; }; b "$1" >/dev/full' sh "$STUB"
else
	skip "no /dev/full" "standard output that cannot be written"
fi
done_testing
