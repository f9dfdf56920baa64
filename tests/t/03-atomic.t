#!/bin/sh
# Atomic output: a failed or killed write leaves the old file as it was and
# no temporary file behind.
[ -z "${IGOS_IN_NS:-}" ] && [ "$(id -u)" = 0 ] &&
	exec env IGOS_IN_NS=1 unshare -m --propagation private "$0" "$@"
. "${0%/*}/../lib/tap.sh"
A=$IGOS_BUILD/tests/atomictool
[ "$(id -u)" = 0 ] || skip_all "needs root to mount small and read-only filesystems"

# success, mode kept, stdout
echo old >f; chmod 640 f
run 0 "" "write replaces a file" sh -c "echo new | $A f"
is "$(cat f)" "new" "new content in place"
is "$(stat -c %a f)" "640" "an existing file's mode is kept"
run 0 "" "a new file gets 0666 less the umask" sh -c "echo x | $A g"
is "$(stat -c %a g)" "644" "new file mode 644 under umask 022"
run 0 "" "explicit mode" sh -c "echo k | $A -m 600 -x key"
is "$(stat -c %a key)" "600" "key written 0600"
run 1 "atomictool: cannot write 'key': File exists" "exclusive write refuses an existing file" \
	sh -c "echo k2 | $A -x key"
is "$(cat key)" "k" "the existing key is untouched"
ln -s f link
run 1 "atomictool: cannot write 'link': refusing to replace a symbolic link" \
	"no-follow refuses a symlink" sh -c "echo z | $A -n link"
is "$(cat f)" "new" "the symlink's target is untouched"
mkdir d
run 1 "atomictool: cannot write 'd': Is a directory" "a directory is refused" sh -c "echo z | $A d"
run 1 "atomictool: cannot write 'nodir/x': No such file or directory" "a missing directory" \
	sh -c "echo z | $A nodir/x"
run 0 "" "dash writes to standard output" sh -c "echo out | $A -"
is "$OUT" "out" "standard output carries the data"

# what the target is decides how (igos(7), Outputs)
mknod null c 1 3
run 0 "" "a character device is written in place" sh -c "echo z | $A null"
is "$(stat -c '%F %t:%T %a' null)" "character special file 1:3 644" "... and stays that device, its mode kept"
run 1 "atomictool: cannot write 'null': is a character device" \
	"a caller that writes at offsets refuses it" sh -c "echo z | $A -S null"
mkfifo fifo
cat fifo >fifo.out & rd=$!
run 0 "" "a FIFO is written in place" sh -c "echo through | $A fifo"
wait $rd
is "$(cat fifo.out):$(stat -c %F fifo)" "through:fifo" "the reader got it, the FIFO stays"
mknod blk b 7 253
run 1 "atomictool: cannot write 'blk': is a block device" "a block device is refused" \
	sh -c "echo z | $A blk"
python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("sock")'
run 1 "atomictool: cannot write 'sock': is a socket" "a socket is refused" sh -c "echo z | $A sock"
is "$(stat -c %F blk sock | tr '\n' ' ')" "block special file socket " "both untouched"
head -c 1048576 /dev/zero >loop.img
if LOOP=$(losetup -f --show loop.img 2>/dev/null) && [ -b "$LOOP" ]; then
	run 0 "" "a block device with IGOS_OUT_DEVICE: written in place" sh -c "echo image | $A -D $LOOP"
	losetup -d "$LOOP"
	is "$(head -c 6 loop.img)" "image" "the data is on the device"
else
	skip "no loop device here (losetup failed)" "a block device with IGOS_OUT_DEVICE"
	skip "no loop device here (losetup failed)" "the data is on the device"
fi
run 1 "atomictool: cannot write 'null': Illegal seek" "a late patch (pwrite) into a stream fails" \
	sh -c "echo z | $A -P null"
run 0 "" "... and into a file works" sh -c "echo zz | $A -P pf"
is "$(cat pf)" "Pz" "the patched byte is there"

# a read-only filesystem
mkdir ro && mount -t tmpfs -o size=1m tmpfs ro && echo old >ro/f && mount -o remount,ro ro
run 1 "atomictool: cannot write 'ro/f': Read-only file system" "read-only directory refused" \
	sh -c "echo new | $A ro/f"
is "$(cat ro/f)" "old" "old file intact on a read-only filesystem"
umount ro

# a full filesystem
mkdir full && mount -t tmpfs -o size=256k tmpfs full && echo old >full/f
run 1 "atomictool: cannot write 'full/f': No space left on device" "full filesystem refused" \
	sh -c "head -c 1048576 /dev/zero | $A full/f"
is "$(cat full/f)" "old" "old file intact on a full filesystem"
is "$(ls -A full)" "f" "no temporary file left on the full filesystem"
umount full

# killed half way through a large write
head -c 1000 /dev/urandom >big; cp big big.orig
mkfifo pipe
$A big <pipe & pid=$!
{ head -c 8388608 /dev/zero; sleep 30; } >pipe & feeder=$!
sleep 1
kill -9 $pid; wait $pid 2>/dev/null
kill $feeder 2>/dev/null; wait $feeder 2>/dev/null
same big big.orig "SIGKILL during a write leaves the old file"
is "$(ls -A | grep -c '^\.big')" "0" "no temporary file after SIGKILL"

# the same with a named temporary, as on filesystems without O_TMPFILE (vfat,
# the ESP); this machine cannot mount vfat, so the library is told to use one
mkdir full2 && mount -t tmpfs -o size=256k tmpfs full2 && echo old >full2/f
run 0 "" "named temporary: write" sh -c "echo new | IGOS_TEST_NAMED_TEMP=1 $A full2/f"
is "$(cat full2/f)" "new" "named temporary: new content"
is "$(ls -A full2)" "f" "named temporary: renamed away"
run 1 "atomictool: cannot write 'full2/f': No space left on device" "named temporary: full2" \
	sh -c "head -c 1048576 /dev/zero | IGOS_TEST_NAMED_TEMP=1 $A full2/f"
is "$(cat full2/f)" "new" "named temporary: old file intact after ENOSPC"
is "$(ls -A full2)" "f" "named temporary: removed on failure"
umount full2
done_testing
