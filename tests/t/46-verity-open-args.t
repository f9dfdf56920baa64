#!/bin/sh
# igos-verity open: what is checked before device-mapper is involved (this
# runs without it; activation itself is tested in tests/vm/verity-open.t).
. "${0%/*}/../lib/tap.sh"
need igos-verity
head -c $((16 * 4096)) /dev/urandom > d
R=$(igos-verity format --salt=aa d h)
run 1 "igos-verity: cannot open 'nohash': No such file or directory" "missing hash file" \
	igos-verity open d v nohash "$R"
run 1 "igos-verity: 'd': invalid verity superblock: bad magic" "no superblock in the hash file" \
	igos-verity open d v d "$R"
run 1 "igos-verity: 'h': invalid verity superblock: bad magic" "no superblock at --hash-offset" \
	igos-verity open --hash-offset=4096 d v h "$R"
run 1 "igos-verity: invalid root hash: 66 hex digits, sha256 needs 64" "root hash too long" \
	igos-verity open d v h "${R}00"
run 1 "igos-verity: invalid root hash: not hex" "root hash not hex" igos-verity open d v h "${R%?}x"
run 1 "igos-verity: cannot open 'nosig': No such file or directory" "missing signature file" \
	igos-verity open --signature=nosig d v h "$R"
run 2 "igos-verity: invalid --hash-offset '100': not a multiple of 512" "bad --hash-offset" \
	igos-verity open --hash-offset=100 d v h "$R"
run 2 "igos-verity: unknown option '--hash'" "tree options are not open's" igos-verity open --hash=sha1 d v h "$R"
done_testing
