#!/bin/sh
# igos-sign sign from a pipe into a file (igos-ukify build -o - | igos-sign
# sign -o - - >FILE, as the kernel-install hook runs it): the image is read,
# hashed and written once, as it arrives (lib/acstream.c). The result is the
# same bytes as building to a file and signing that; sbverify accepts it; a
# bad image is refused with the very line the ordinary path prints; memory
# stays bounded; whatever cannot be streamed (a module, a pipe out, an
# appended file) goes the ordinary way with the same result.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/ukify.sh"
STUB_EFI=$IGOS_BUILD/efi/igos-stubx64.efi
need igos-ukify igos-sign sbverify openssl /usr/bin/time "$STUB_EFI"
plan 21
(umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -keyout k.key -out k.crt \
	-subj "/CN=igos stream" -days 2 2>/dev/null)
(umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -keyout o.key -out o.crt \
	-subj "/CN=igos other" -days 2 2>/dev/null)
mkkernel vmlinuz 6.1.0-stream 3000001
head -c 5000003 /dev/urandom >initrd
build() { igos-ukify build --stub "$STUB_EFI" --linux vmlinuz --initrd initrd \
	--cmdline "root=/dev/vda2 ro" --uname 6.1.0-stream "$@"; }

build -o u.efi
igos-sign sign -k k.key -c k.crt -o ref.efi u.efi
run 0 "" "build | sign -o - - >file: exit 0, nothing on stderr" \
	sh -c 'igos-ukify build --stub "$1" --linux vmlinuz --initrd initrd \
		--cmdline "root=/dev/vda2 ro" --uname 6.1.0-stream -o - |
		igos-sign sign -k k.key -c k.crt -o - - >s.efi' - "$STUB_EFI"
same s.efi ref.efi "streamed: byte-identical with build to a file, then sign"
ok "streamed: sbverify accepts it" sbverify --cert k.crt s.efi
ok "streamed: igos-sign verify accepts it" igos-sign verify -c k.crt s.efi

# a second signature on an image that arrives signed
igos-sign sign -k o.key -c o.crt -o ref2.efi ref.efi
run 0 "" "a signed image streamed: a second signature" \
	sh -c 'igos-sign sign -k o.key -c o.crt -o - - <ref.efi >s2.efi'
# (a redirected file is a regular stdin: the ordinary path; a pipe streams)
run 0 "" "a signed image through a pipe: a second signature" \
	sh -c 'cat ref.efi | igos-sign sign -k o.key -c o.crt -o - - >s3.efi'
same s2.efi ref2.efi "second signature from a file: byte-identical"
same s3.efi ref2.efi "second signature streamed: byte-identical"
ok "both signatures verify" sh -c 'igos-sign verify -c k.crt s3.efi && igos-sign verify -c o.crt s3.efi'

# an odd length (the signer's zero padding is hashed) and a PE with trailing data
head -c 1000001 /dev/urandom >odd
igos-ukify build --stub "$STUB_EFI" --linux vmlinuz --initrd odd --uname 6.1.0-stream -o odd.efi
igos-sign sign -k k.key -c k.crt -o odd-ref.efi odd.efi
cat odd.efi | igos-sign sign -k k.key -c k.crt -o - - >odd-s.efi
same odd-s.efi odd-ref.efi "an unpadded image streamed: byte-identical"

# bad images: the line the ordinary path prints, exit 1
# cut 1000 bytes into the .initrd (the last section), wherever the stub ends
cut=$(( 0x$(objdump -h u.efi | awk '$2 == ".initrd" {print $6}') + 1000 ))
head -c "$cut" u.efi >short.efi
run 1 "igos-sign: 'short.efi': PE section '.initrd' past end of file" \
	"a truncated file (ordinary path): exit 1" igos-sign sign -k k.key -c k.crt -o - short.efi
run 1 "igos-sign: '-': PE section '.initrd' past end of file" \
	"a truncated image streamed: exit 1, the same reason" \
	sh -c 'cat short.efi | igos-sign sign -k k.key -c k.crt -o - - >x.efi'
cp u.efi junk.efi && printf 'trailing' >>junk.efi
igos-sign sign -k k.key -c k.crt -o junk-ref.efi junk.efi
cat junk.efi | igos-sign sign -k k.key -c k.crt -o - - >junk-s.efi
same junk-s.efi junk-ref.efi "trailing data after the sections streamed: byte-identical"
run 1 "igos-sign: 'k.crt': the certificate does not match the key" \
	"the wrong key streamed: exit 1, one line" \
	sh -c 'cat u.efi | igos-sign sign -k o.key -c k.crt -o - - >x.efi'
run 1 "igos-sign: '-': empty file" "nothing on the pipe: exit 1" \
	sh -c ': | igos-sign sign -k k.key -c k.crt -o - - >x.efi'
run 1 "igos-sign: '-': not a PE/COFF image or an ELF kernel module" \
	"not an image on the pipe: exit 1" \
	sh -c 'echo hello | igos-sign sign -k k.key -c k.crt -o - - >x.efi'

# not streamable: a pipe out, a file appended to; the same bytes
run 0 "" "a pipe out: the ordinary path" \
	sh -c 'cat u.efi | igos-sign sign -k k.key -c k.crt -o - - | cat >p.efi'
same p.efi ref.efi "a pipe out: byte-identical"
printf 'x' >app.efi
cat u.efi | igos-sign sign -k k.key -c k.crt -o - - >>app.efi
{ printf 'x'; cat ref.efi; } >app-ref.efi
same app.efi app-ref.efi "an appended file: the image appended, byte-identical"

# memory: a 64 MiB image streams through a few hundred KiB of buffers
head -c $((64 << 20)) /dev/urandom >big
igos-ukify build --stub "$STUB_EFI" --linux vmlinuz --initrd big --uname 6.1.0-stream -o big.efi
cat big.efi | /usr/bin/time -f %M -o rss igos-sign sign -k k.key -c k.crt -o - - >big-s.efi
ok "a 64 MiB image streamed verifies" igos-sign verify -c k.crt big-s.efi
rss=$(cat rss)
ok "and the signer's peak RSS stays under 24 MiB (peak $rss KiB; read whole, it was the image and more)" \
	test "$rss" -lt 24576
done_testing
