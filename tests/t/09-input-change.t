#!/bin/sh
# An input that changes while a command reads it: the command judges and uses
# one version of it, and a file that shrinks is a one-line failure (exit 1,
# no temporary file left), never a crash. igos-sign keeps its input mapped (its
# memory does not grow with the image), so a truncation faults; it must be told
# as an error. The command is held between opening its input and reading it by
# a certificate given as a FIFO, which it reads after opening the image.
# igos-ukify maps its kernel too: it is held by a --cmdline @FIFO, read after
# the kernel was opened and before it is mapped to find its version.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
. "$TESTLIB/ukify.sh"
need python3 openssl timeout igos-ukify "$STUB"
plan 14
rsa_cert k 2048
$MKPE make a.efi --size-mb 4 --trailing 3
"$S" sign -k k.key -c k.crt -o s.efi a.efi || exit 1

# held CMD...: runs CMD with k.fifo as its certificate, truncates v.efi once
# CMD has opened it, then lets it go on; status in $rc, stderr in $ERR
held() {
	rm -f k.fifo
	mkfifo k.fifo
	"$@" >out 2>err &
	_p=$!
	# the FIFO is opened for reading once the image is open (and mapped)
	exec 3>k.fifo
	truncate -s "$cut" v.efi
	cat k.crt >&3
	exec 3>&-
	wait "$_p"
	rc=$?
	ERR=$(cat err)
}

cut=0
cp s.efi v.efi
held timeout 60 "$S" verify -c k.fifo v.efi
is "$rc:$ERR" "1:igos-sign: cannot read 'v.efi': the file shrank while it was read" \
	"verify: an image truncated to nothing while mapped is an error, not SIGBUS"
cut=4096
cp s.efi v.efi
held timeout 60 "$S" verify -c k.fifo v.efi
is "$rc:$ERR" "1:igos-sign: cannot read 'v.efi': the file shrank while it was read" \
	"verify: an image cut after its headers"
cp s.efi v.efi
held timeout 60 "$S" list -c k.fifo v.efi
is "$rc:$ERR" "1:igos-sign: cannot read 'v.efi': the file shrank while it was read" \
	"list: the same"
cp a.efi v.efi
mkdir o
held timeout 60 "$S" sign -k k.key -c k.fifo -o o/v.efi v.efi
is "$rc" 1 "sign: an image truncated while it is signed fails"
case $ERR in
"igos-sign: cannot read 'v.efi': the file shrank while it was read" | \
"igos-sign: cannot write 'o/v.efi': input ended early") r=0 ;;
*) r=1; diag "stderr: $ERR" ;;
esac
is "$r" 0 "sign: with one line naming the input or the output"
is "$(ls -A o)" "" "sign: no output and no temporary file left"
cp a.efi v.efi
held timeout 60 "$S" sign -k k.key -c k.fifo v.efi
is "$rc" 1 "sign in place: fails as well"
is "$(ls -A . | grep -c '^\.v\.efi')" 0 "sign in place: no temporary file left beside the input"

# igos-ukify build: a kernel truncated to nothing once opened
mkkernel vmlinuz 6.1.0-99-test
printf 'ID=igos\n' >osrel
mkdir u
printf 'old\n' >u/x.efi
cp vmlinuz v.efi
held timeout 60 igos-ukify build --stub "$STUB" --linux v.efi --os-release @osrel \
	--cmdline @k.fifo -o u/x.efi
is "$rc:$ERR" "1:igos-ukify: cannot read 'v.efi': the file shrank while it was read" \
	"ukify build: a kernel truncated while mapped is an error, not SIGBUS"
is "$(ls -A u)" "x.efi" "ukify build: no temporary file left"
is "$(cat u/x.efi)" "old" "ukify build: the previous output is kept"
run 0 "" "ukify build of the untouched kernel" igos-ukify build --stub "$STUB" \
	--linux vmlinuz --os-release @osrel --cmdline @k.crt -o u/x.efi

# the same image, untouched: the guard changes nothing for a good run
run 0 "" "verify of the signed image" "$S" verify -c k.crt s.efi
run 0 "" "sign of the unsigned image" "$S" sign -k k.key -c k.crt -o o/s2.efi a.efi
done_testing
