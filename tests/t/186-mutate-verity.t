#!/bin/sh
# igos-verity at the edges make mutate found unjudged: a tree whose writes
# fail (the disk is full) at each write in turn or for good (a file size
# limit), to a separate hash file and
# in place after the data: exit 1 with the one-line error, the previous hash
# file kept, and a later run that succeeds is byte-identical to veritysetup's;
# the largest blocks veritysetup takes (512 KiB), byte for byte as it lays
# them out.
. "${0%/*}/../lib/tap.sh"
# FI, the write-failing shim (and the ASan options it needs under SANITIZE=1)
. "$TESTLIB/fault.sh"
need igos-verity veritysetup "$FI"
U=--uuid=3f2b6a1c-9d4e-4c2a-8e1f-0a1b2c3d4e5f
S=--salt=e48da609055204e89ae53b655ca2216dd983cf3cb829f34f63a297d106d53e2d

# 3 MiB of data: three chunks of leaves, 768 data blocks, a tree of three
# leaf blocks, written in several writes
head -c $((768 * 4096)) /dev/urandom > d
R=$(igos-verity format $U $S d h.ref)
igos-verity format --salt=01 $U d h.old >/dev/null
env LD_PRELOAD="$FI" FAULT_LOG=calls igos-verity format $U $S d h.count >/dev/null
n=$(cut -d' ' -f1 calls 2>/dev/null)
n=${n:-0}
ok "the writes of a tree are counted ($n)" test "$n" -ge 2
bad=
for i in $(seq 1 "$n"); do
	cp h.old h
	env LD_PRELOAD="$FI" FAULT_CALLS=pwrite,write FAULT_N="$i" igos-verity format $U $S d h \
		>out 2>err </dev/null
	rc=$?
	if [ $rc -eq 0 ]; then
		cmp -s h h.ref || bad="$bad|write $i: exit 0, tree differs"
	elif [ $rc -ne 1 ] || [ "$(cat err)" != "igos-verity: cannot write 'h': No space left on device" ]; then
		bad="$bad|write $i: exit $rc, '$(cat err)'"
	elif ! cmp -s h h.old; then
		bad="$bad|write $i: the old hash file is lost"
	fi
done
is "$bad" "" "each failed write: exit 1, 'cannot write', the old hash file kept"
no_temps . "no temporary files left behind"

# a limit that holds: every write past 8 KiB fails (RLIMIT_FSIZE, as a full
# disk would), so the tree cannot be written however often it is tried
cp h.old h
run 1 "igos-verity: cannot write 'h': File too large" "a file size limit below the tree: exit 1" \
	sh -c "trap '' XFSZ; ulimit -f 16; exec igos-verity format $U $S d h"
same h h.old "the old hash file is kept"
no_temps . "no temporary file left behind"

# in place: the tree after the data in one image, as veritysetup writes it
head -c $((768 * 4096)) d > img.ref
veritysetup format $U $S --data-blocks=768 --hash-offset=$((768 * 4096)) img.ref img.ref >/dev/null
bad=
for i in $(seq 1 "$n"); do
	head -c $((768 * 4096)) d > img
	env LD_PRELOAD="$FI" FAULT_CALLS=pwrite,write FAULT_N="$i" igos-verity format $U $S \
		--data-blocks=768 --hash-offset=$((768 * 4096)) img img >out 2>err </dev/null
	rc=$?
	if [ $rc -eq 0 ]; then
		cmp -s img img.ref || bad="$bad|write $i: exit 0, image differs from veritysetup's"
	elif [ $rc -ne 1 ] || [ "$(cat err)" != "igos-verity: cannot write 'img': No space left on device" ]; then
		bad="$bad|write $i: exit $rc, '$(cat err)'"
	fi
done
is "$bad" "" "in place, each failed write: exit 1 with 'cannot write'"
run 0 "" "in place after the failures, a run to the end gives veritysetup's image" \
	sh -c "head -c $((768 * 4096)) d > img && igos-verity format $U $S --data-blocks=768 \
		--hash-offset=$((768 * 4096)) img img && cmp img img.ref >&2"
is "$OUT" "$R" "and the root hash of the separate tree"

# 512 KiB blocks: hash blocks alone, then data and hash blocks
head -c $((3 * 524288 + 100)) /dev/urandom > d5
for o in "--hash-block-size=524288" "--hash-block-size=524288 --data-block-size=524288"; do
	# shellcheck disable=SC2086
	vr=$(veritysetup format $U --salt=01 $o d5 h5.vs 2>/dev/null | sed -n 's/^Root hash:[[:space:]]*//p')
	# shellcheck disable=SC2086
	run 0 "" "format $o" igos-verity format $U --salt=01 $o d5 h5.ig
	is "$OUT" "${vr:-(veritysetup failed)}" "$o: veritysetup's root hash"
	same h5.ig h5.vs "$o: veritysetup's hash file"
done
done_testing
