#!/bin/sh
# Reading back while writing (issue 27): `igos-sign sign --progress-fd` says on
# a descriptor how far its output is written ("written N") and, once the file
# is whole and synced, "done N"; `igos-sign verify --follow FD` reads each
# range back from the file and hashes it while the signer goes on, then judges
# the finished file. It accepts what the ordinary verify accepts, and refuses:
# a byte that is not what was signed, headers changed after they were read
# back, a signer that never said "done", a length or a record that lies.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/ukify.sh"
last_err() { is "$(printf '%s\n' "$ERR" | tail -n 1)" "$1" "$2"; }
STUB_EFI=$IGOS_BUILD/efi/igos-stubx64.efi
need igos-ukify igos-sign openssl dd "$STUB_EFI"
plan 30
(umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -keyout k.key -out k.crt \
	-subj "/CN=igos follow" -days 2 2>/dev/null)
(umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -keyout o.key -out o.crt \
	-subj "/CN=igos other" -days 2 2>/dev/null)
mkkernel vmlinuz 6.1.0-follow 3000001
head -c 9000003 /dev/urandom >initrd
igos-ukify build --stub "$STUB_EFI" --linux vmlinuz --initrd initrd \
	--cmdline "root=/dev/vda2 ro" --uname 6.1.0-follow -o u.efi
igos-sign sign -k k.key -c k.crt -o ref.efi u.efi
SIZE=$(stat -c %s ref.efi)

# the records alone
: >s.efi
run 0 "" "sign --progress-fd 3 from a pipe: exit 0, nothing on stderr" \
	sh -c 'cat u.efi | igos-sign sign -k k.key -c k.crt --progress-fd 3 -o - - 3>rec >s.efi'
same s.efi ref.efi "byte-identical with the ordinary sign"
is "$(tail -n 1 rec)" "done $SIZE" "the last record: done and the file's length"
is "$(sed -n 's/^written //p' rec | awk -v s="$SIZE" 'NR > 1 && $1 <= p { bad = 1 } { p = $1 }
	END { print (NR > 2 && !bad && p <= s) }')" 1 \
	"written records every few MiB, growing, within the file"
is "$(grep -cv '^written [0-9]*$' rec)" 1 "nothing else on the descriptor"

# the two at once, as the hook runs them
follow() { # INPUT-COMMAND FILTER: sign --progress-fd into s.efi, FILTER between, verify --follow
	: >s.efi
	sh -c "$1 | igos-sign sign -k k.key -c k.crt --progress-fd 3 -o - - 3>&1 >s.efi | $2 |
		igos-sign verify --follow 0 -c k.crt s.efi"
}
run 0 "*" "sign | verify --follow: exit 0" follow "cat u.efi" cat
is "$OUT" "signature 1: ok
's.efi': verified" "verify --follow prints what verify prints"
same s.efi ref.efi "the file is the ordinary signed image"
run 0 "*" "an image that arrives signed: its two signatures verified" \
	sh -c ': >s2.efi; cat ref.efi | igos-sign sign -k o.key -c o.crt --progress-fd 3 -o - - 3>&1 >s2.efi |
		igos-sign verify --follow 0 -c k.crt -c o.crt s2.efi'
is "$OUT" "signature 1: ok
signature 2: ok
's2.efi': verified" "both signatures listed"
run 1 "*" "another certificate: exit 1" \
	sh -c ': >s3.efi; cat u.efi | igos-sign sign -k k.key -c k.crt --progress-fd 3 -o - - 3>&1 >s3.efi |
		igos-sign verify --follow 0 -c o.crt s3.efi'
last_err "$(igos-sign verify -c o.crt s3.efi 2>&1 >/dev/null)" "the ordinary verify's line"

# not streamed (a regular file in): only "done", and the whole file read back
: >f.efi
igos-sign sign -k k.key -c k.crt --progress-fd 3 -o - u.efi 3>frec >f.efi
is "$(cat frec)" "done $SIZE" "not streamed: the one record is done"
run 0 "*" "and verify --follow reads the whole file back" \
	sh -c 'igos-sign verify --follow 0 -c k.crt f.efi <frec'

# a byte that is not what was signed: changed in the file after the signer
# wrote it and before the reader is told it is there
corrupt() { # OFFSET: corrupt s.efi at OFFSET once a record passes it
	cat >corrupt.sh <<C
x=
while read -r w n; do
	if [ -z "\$x" ] && [ "\$w" = written ] && [ "\$n" -gt $1 ]; then
		printf X | dd of=s.efi bs=1 seek=$1 conv=notrunc 2>/dev/null
		x=1
	fi
	echo "\$w \$n"
done
C
	echo "sh corrupt.sh"
}
run 1 "igos-sign: 's.efi': not verified: signature 1: image digest does not match the signed digest" \
	"a byte of the body not what was signed: refused" follow "cat u.efi" "$(corrupt 6000000)"
run 1 "igos-sign: 's.efi': not verified: signature 1: image digest does not match the signed digest" \
	"a header byte not what was signed: refused" follow "cat u.efi" "$(corrupt 200)"

# headers changed after they were read back: the reader is told of 4 MiB,
# reads them, and only then is a header byte changed (not the CheckSum or the
# Certificate Table entry, which the signer patches)
cp ref.efi h.efi
mkfifo hrec
igos-sign verify --follow 3 -c k.crt h.efi 3<hrec >hout 2>herr & vpid=$!
exec 5>hrec
echo "written 4194304" >&5
i=0
while [ "$(sed -n 's/^rchar: //p' /proc/$vpid/io 2>/dev/null || echo 0)" -lt 4194304 ] &&
	[ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
printf X | dd of=h.efi bs=1 seek=200 conv=notrunc 2>/dev/null
echo "done $SIZE" >&5
exec 5>&-
st=0; wait $vpid || st=$?
is "$st" 1 "a header changed after it was read back: exit 1"
is "$(cat herr)" "igos-sign: 'h.efi': its headers changed after they were read back (byte 200)" \
	"saying which byte"

# a signer that stops, a length or a record that lies
run 1 "igos-sign: 's.efi': its writer stopped before it was done (no \"done\" on descriptor 0)" \
	"no done record (the signer stopped): refused" follow "cat u.efi" "grep -v '^done'"
run 1 "*" "an image cut short (the signer fails): refused" follow "head -c 6000000 u.efi" cat
last_err "igos-sign: 's.efi': its writer stopped before it was done (no \"done\" on descriptor 0)" \
	"no done: the reader's line"
run 1 "igos-sign: 's.efi': $SIZE bytes long, its writer said 5" \
	"a done record with another length: refused" follow "cat u.efi" "sed 's/^done .*/done 5/'"
run 1 "igos-sign: 'ref.efi': shorter than its writer said it wrote" \
	"written past the end of the file: refused" \
	sh -c 'printf "written 99999999999\ndone 1\n" | igos-sign verify --follow 0 -c k.crt ref.efi'
run 1 "igos-sign: 's.efi': descriptor 0: not a progress line" "a line that is no record: refused" \
	follow "cat u.efi" "sed 's/^written \(.*\)/written \1 more/'"

# usage
: >e.efi
run 2 "igos-sign: sign: --progress-fd needs -o - with standard output a file" \
	"--progress-fd into a named output: exit 2" \
	igos-sign sign -k k.key -c k.crt --progress-fd 0 -o x.efi u.efi
run 2 "igos-sign: --follow: descriptor 7 is not open" "--follow on a closed descriptor: exit 2" \
	igos-sign verify --follow 7 -c k.crt ref.efi
run 2 "igos-sign: --follow: bad descriptor '1'" "--follow 1 (standard output): exit 2" \
	igos-sign verify --follow 1 -c k.crt ref.efi
run 2 "igos-sign: verify: --follow reads back a named FILE" "--follow with FILE -: exit 2" \
	igos-sign verify --follow 0 -c k.crt -
run 2 "igos-sign: verify: --progress-fd is only for sign" "--progress-fd on verify: exit 2" \
	igos-sign verify --progress-fd 0 ref.efi
run 2 "igos-sign: sign: --follow is only for verify" "--follow on sign: exit 2" \
	igos-sign sign --follow 0 -k k.key -c k.crt ref.efi
done_testing
