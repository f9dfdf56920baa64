#!/bin/sh
# What each writing command does with each kind of output target (igos(7),
# OUTPUT TARGETS): a character device (mknod c 1 3, a null device) and a
# symbolic link to one, and a FIFO with a reader, are written in place as a
# stream and stay what they are; a socket, a block device (a loop device where
# the machine has them) and a directory are refused with one line naming
# them, and are left as they were; igos-verity writes its hash tree into a
# block device in place. Then the race: a device node swapped in for the
# regular target while the command works is never replaced.
[ -z "${IGOS_IN_NS:-}" ] && [ "$(id -u)" = 0 ] &&
	exec env IGOS_IN_NS=1 unshare -m --propagation private "$0" "$@"
. "${0%/*}/../lib/tap.sh"
need openssl python3 igos-sign igos-ukify igos-verity igos-mok igos-measure igos-index-sign \
	igos-index-verify igos-sbom veritysetup
[ "$(id -u)" = 0 ] || skip_all "needs root for mknod"
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
[ -f "$STUB" ] || skip_all "no systemd stub (make deps)"
. "$TESTLIB/ukify.sh"

# ---- inputs and the reference outputs (written to regular files)
openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj /CN=targets \
	-days 30 2>/dev/null && chmod 600 k.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pcr.pem 2>/dev/null
for k in master sub; do openssl genpkey -algorithm ed25519 -out $k.pem 2>/dev/null; chmod 600 $k.pem; done
openssl pkey -in sub.pem -pubout -out sub.pub
mkkernel vmlinuz 6.1.0-targets 100000
head -c 50000 /dev/urandom >initrd
head -c 262144 /dev/urandom >data
for i in 1 2 3; do head -c $((i * 1000)) /dev/urandom >p-$i.pkg.tar.zst; done
V="--salt 0011223344556677 --uuid 12345678-1234-1234-1234-123456789abc"
# shellcheck disable=SC2086
R=$(igos-verity format $V data hash.ref)
printf '%s' "$R" >rh
printf '%s\n' "$R" >rhf.ref
# the scope has a space in it: through a function
icertify() { igos-index-sign certify --master-key master.pem --subkey sub.pub --serial 3 \
	--scope 'core x86_64' --not-before 2026-01-01T00:00:00Z --not-after 2030-01-01T00:00:00Z "$@"; }
SIGN="--key sub.pem --cert cert.ref --repo core --arch x86_64 --version 2 --now 2026-06-01T00:00:00Z"
SBOM="--name shim --package-version 16.1 --license BSD-2-Clause-Patent --created 2023-11-14T22:13:20Z --artifact $STUB"
mkdir w
# one line per writing command: NAME|COMMAND with @ for the target (no spaces in words)
cat >cmds <<E
sign|igos-sign sign -k k.pem -c c.pem -o @ $STUB
remove|igos-sign remove --all -o @ sign.ref
ukify|igos-ukify build --linux vmlinuz --initrd initrd --cmdline console=ttyS0 --stub $STUB -o @
measure|igos-measure sign -k pcr.pem --linux vmlinuz --initrd initrd -o @
vsign|igos-verity sign -k k.pem -c c.pem -o @ $R
vroothash|igos-verity format $V --root-hash-file @ data w/hash
ibuild|igos-index-sign build -o @ p-1.pkg.tar.zst p-2.pkg.tar.zst p-3.pkg.tar.zst
icertify|icertify -o @
isign|igos-index-sign sign $SIGN -o @ ibuild.ref
mokkey|igos-mok new --force -k @ -c w/mok.crt --subject CN=t
mokcert|igos-mok new --force -k w/mok.key -c @ --subject CN=t
sbom|igos-sbom $SBOM -o @
E
cmdline() { sed -n "s/^$1|//p" cmds | sed "s|@|$2|"; }
for name in $(cut -d'|' -f1 cmds); do
	[ "$name" = isign ] && cp icertify.ref cert.ref
	# shellcheck disable=SC2046
	$(cmdline "$name" "$name.ref") >/dev/null 2>&1 || echo "reference $name failed"
done >ref.log
is "$(cat ref.log)" "" "every command writes its reference output to a regular file"
p7ok() { openssl smime -verify -binary -inform der -in "$1" -content rh -certfile c.pem \
	-CAfile c.pem -purpose any -out /dev/null 2>/dev/null; }
# good NAME FILE: FILE is what NAME writes (byte for byte where it is deterministic)
good() {
	case $1 in
	vsign) p7ok "$2" ;;
	mokkey) openssl pkey -in "$2" -noout 2>/dev/null ;;
	mokcert) openssl x509 -in "$2" -noout 2>/dev/null ;;
	*) cmp -s "$2" "$1.ref" ;;
	esac
}

# ---- the targets, each made afresh in s/ as s/t
LOOPDEV=
cleanup() { [ -z "$LOOPDEV" ] || losetup -d "$LOOPDEV" 2>/dev/null; _tap_cleanup; }
trap cleanup EXIT
head -c 4194304 /dev/zero >blk.img
if LOOPDEV=$(losetup -f --show blk.img 2>/dev/null) && [ -b "$LOOPDEV" ]; then
	BLK_MAJ=$(printf '%d' 0x"$(stat -c %t "$LOOPDEV")") BLK_MIN=$(printf '%d' 0x"$(stat -c %T "$LOOPDEV")")
	diag "block device: $LOOPDEV (a loop device over blk.img)"
else
	# no loop devices here: an unattached loop node, refused before any open
	LOOPDEV= BLK_MAJ=7 BLK_MIN=255
	diag "no loop device available (losetup failed): block targets are a bare loop node"
fi
head -c 4194304 /dev/zero >zero.img

mktarget() { # KIND
	rm -rf s && mkdir s
	case $1 in
	chr) mknod s/t c 1 3 ;;
	lnk) mknod s/null c 1 3 && ln -s null s/t ;;
	fifo) mkfifo s/t ;;
	sock) python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' s/t ;;
	blk) mknod s/t b "$BLK_MAJ" "$BLK_MIN" ;;
	dir) mkdir s/t ;;
	esac
}
kind() { stat -c %F "$1"; }
nodeid() { stat -c '%F %t:%T' "$1"; }
# reader for a FIFO target: its bytes go to fifo.out
reader() { timeout 120 cat s/t >fifo.out & RPID=$!; }
unblock() { # a reader still waiting (the command refused before opening): EOF
	dd if=/dev/null of=s/t oflag=nonblock 2>/dev/null
	wait "$RPID" 2>/dev/null
}

# refused LINE DESC COMMAND...: exit 1, LINE the last line of stderr (after a
# warning such as igos-index-sign's about a key file)
refused() {
	_l=$1 _d=$2; shift 2
	run 1 "*" "$_d" "$@"
	is "$(printf '%s\n' "$ERR" | grep -v ': warning: ')" "$_l" "$_d: one line saying so"
}

# try NAME KIND: one command against one kind of target
try() {
	n=$1 k=$2
	mktarget "$k"
	before=$(nodeid s/t)
	[ "$k" = lnk ] && before="$(nodeid s/null) $(readlink s/t)"
	[ "$k" = fifo ] && reader
	prog=$(cmdline "$n" s/t | cut -d' ' -f1)
	[ "$prog" = icertify ] && prog=igos-index-sign
	# shellcheck disable=SC2046
	set -- $(cmdline "$n" s/t)
	case $n:$k in
	vformat:chr | vformat:fifo | vformat:sock | vformat:lnk)
		run 1 "igos-verity: 's/t' is not a regular file or a block device" \
			"$n -> $k: refused, as veritysetup does" "$@" ;;
	vformat:blk)
		if [ -n "$LOOPDEV" ]; then
			run 0 "*" "$n -> $k: the hash tree written into the device" "$@"
			is "$OUT" "$R" "$n -> $k: the root hash as with a hash file"
			ok "$n -> $k: igos-verity verify accepts the device" igos-verity verify data s/t "$R"
			ok "$n -> $k: veritysetup verify accepts it" veritysetup verify data s/t "$R"
			cmp -s blk.img zero.img && fail=1 || fail=0
			is "$fail" 0 "$n -> $k: it went to the device (its backing file holds the tree)"
			head -c 4194304 /dev/zero | dd of="$LOOPDEV" bs=1M conv=fsync 2>/dev/null
		else
			skip "no loop device here" "$n -> $k: the hash tree written into the device"
		fi ;;
	mokkey:lnk | mokcert:lnk)
		run 1 "igos-mok: cannot write 's/t': refusing to replace a symbolic link" \
			"$n -> $k: a key or its certificate never goes through a link" "$@" ;;
	*:chr | *:lnk | *:fifo)
		run 0 "*" "$n -> $k: written in place, exit 0" "$@"
		if [ "$k" = fifo ]; then
			unblock
			ok "$n -> $k: the reader got the whole output" good "$n" fifo.out
		fi ;;
	*:sock)
		refused "$prog: cannot write 's/t': is a socket" "$n -> $k: refused, naming it" "$@" ;;
	*:blk)
		refused "$prog: cannot write 's/t': is a block device" "$n -> $k: refused, naming it" "$@" ;;
	*:dir)
		refused "$prog: cannot write 's/t': Is a directory" "$n -> $k: refused" "$@" ;;
	esac
	[ "$k" = fifo ] && kill -0 "$RPID" 2>/dev/null && unblock
	after=$(nodeid s/t)
	[ "$k" = lnk ] && after="$(nodeid s/null) $(readlink s/t)"
	is "$after" "$before" "$n -> $k: still $(kind s/t)"
	is "$(ls -A s | grep -v '^null$' | tr '\n' ' ')" "t " "$n -> $k: nothing else in its directory"
	[ "$k" = dir ] && is "$(ls -A s/t)" "" "$n -> $k: the directory still empty"
	[ "$k" = blk ] && [ "$n" != vformat ] && same blk.img zero.img "$n -> $k: the device unwritten"
	RPID=
}

echo "vformat|igos-verity format $V data @" >>cmds
for k in chr lnk fifo sock blk dir; do
	for name in $(cut -d'|' -f1 cmds); do
		try "$name" "$k"
	done
done

# /dev/stdout and /proc/self/fd/1: the caller's standard output, as "-"
igos-sign sign -k k.pem -c c.pem -o /dev/stdout "$STUB" >so.efi 2>so.err
is "$?:$(cat so.err)" "0:" "igos-sign -o /dev/stdout, stdout a file: exit 0"
same so.efi sign.ref "the file got the signed image, as with -o -"
ok "/dev/stdout is still a symbolic link" test -L /dev/stdout
igos-ukify build --linux vmlinuz --initrd initrd --cmdline console=ttyS0 --stub "$STUB" \
	-o /proc/self/fd/1 | cat >pipe.efi
same pipe.efi ukify.ref "igos-ukify -o /proc/self/fd/1 into a pipe: the whole UKI"

# keys without --force: an existing target of any kind is refused as before
mktarget chr
run 1 "igos-mok: cannot write 's/t': File exists (--force replaces it)" \
	"igos-mok new without --force: an existing device is refused" igos-mok new -k s/t -c w/x.crt
is "$(kind s/t)" "character special file" "... and left a device"

# the index state: read before it is written, so a non-file state is refused
# by that read (a FIFO there would wait for a writer: not tried)
openssl pkey -in master.pem -pubout -out master.pub && mkdir trust && cp master.pub trust/
for k in chr sock blk dir; do
	mktarget "$k"
	mv s/t s/core.state
	before=$(nodeid s/core.state)
	run 1 "*" "igos-index-verify, state -> $k: exit 1" igos-index-verify verify --trust trust \
		--state s --repo core --arch x86_64 --now 2026-06-02T00:00:00Z ibuild.ref isign.ref
	is "$(nodeid s/core.state)" "$before" "igos-index-verify, state -> $k: still $(kind s/core.state)"
done

# ---- the race: the target is a regular file when the command looks, and a
# device node (or a FIFO, a socket) by the time it renames its finished file
# into place (faultinject.c swaps it in just before the rename)
FI=$IGOS_BUILD/tests/faultinject.so
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
for k in chr fifo sock dir; do
	rm -rf s && mkdir s && echo old >s/t
	env LD_PRELOAD="$FI" FAULT_SWAP=s/t FAULT_SWAP_KIND=$k \
		igos-sign sign -k k.pem -c c.pem -o s/t "$STUB" >/dev/null 2>err
	rc=$?
	case $k in chr) f="character special file" w="a character device" ;;
	fifo) f=fifo w="a FIFO" ;; sock) f=socket w="a socket" ;; dir) f=directory w="a directory" ;; esac
	is "$rc:$(cat err)" "1:igos-sign: cannot write 's/t': is $w" \
		"a $k swapped in before the rename: refused, naming it"
	is "$(kind s/t)" "$f" "... the $k is still there"
	is "$(ls -A s | tr '\n' ' ')" "t " "... and no temporary file"
done
# the same with a named temporary (vfat, the ESP, has no O_TMPFILE)
rm -rf s && mkdir s && echo old >s/t
env IGOS_TEST_NAMED_TEMP=1 LD_PRELOAD="$FI" FAULT_SWAP=s/t FAULT_SWAP_KIND=chr \
	igos-ukify build --linux vmlinuz --initrd initrd --cmdline console=ttyS0 --stub "$STUB" \
	-o s/t >/dev/null 2>err
is "$?:$(cat err)" "1:igos-ukify: cannot write 's/t': is a character device" \
	"named temporary: a device swapped in is refused"
is "$(nodeid s/t) $(ls -A s | tr '\n' ' ')" "character special file 1:3 t " \
	"... the device is still there, no temporary file"
done_testing
