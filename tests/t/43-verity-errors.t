#!/bin/sh
# Every bad input of the issue, each with its exact one-line error: bad
# superblocks (magic, version, hash type, block sizes, salt size, algorithm),
# overlapping areas, --data-blocks past the end, a short hash file, a bad root.
. "${0%/*}/../lib/tap.sh"
need igos-verity xxd

head -c $((64 * 4096)) /dev/urandom > d
R=$(igos-verity format --salt=aabb d h)
# patch FILE OFFSET HEX: overwrite bytes in place
patch() { echo "$3" | xxd -r -p | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }

# bad superblock SUFFIX OFFSET HEX MESSAGE: dump and verify both refuse it
bad_sb() {
	cp h hb; patch hb "$1" "$2"
	run 1 "igos-verity: 'hb': invalid verity superblock: $3" "dump: $3" igos-verity dump hb
	run 1 "igos-verity: 'hb': invalid verity superblock: $3" "verify: $3" igos-verity verify d hb "$R"
}
bad_sb 0 7665726974790001 "bad magic"
bad_sb 8 02000000 "unsupported version 2"
bad_sb 8 00000000 "unsupported version 0"
bad_sb 12 02000000 "unsupported hash type 2"
bad_sb 32 776869726c706f6f6c00 "unknown hash algorithm 'whirlpool'"
bad_sb 32 6d643500 "unknown hash algorithm 'md5'"
bad_sb 64 e8030000 "invalid data block size 1000"
bad_sb 64 00010000 "invalid data block size 256"
bad_sb 64 00001000 "invalid data block size 1048576"
bad_sb 68 00060000 "invalid hash block size 1536"
bad_sb 68 00002000 "invalid hash block size 2097152"
bad_sb 80 0101 "salt size 257 exceeds 256"
bad_sb 80 ffff "salt size 65535 exceeds 256"
bad_sb 72 0000000000000000 "no data blocks"
cp h hb; patch hb 32 "$(printf 'a%.0s' $(seq 32) | xxd -p | tr -d '\n')"
run 1 "igos-verity: 'hb': invalid verity superblock: algorithm name not terminated" \
	"algorithm name without a terminator" igos-verity dump hb
head -c 100 h > hb
run 1 "igos-verity: 'hb': invalid verity superblock: truncated (100 bytes)" \
	"a file shorter than a superblock" igos-verity dump hb
: > hb
run 1 "igos-verity: 'hb': invalid verity superblock: truncated (0 bytes)" \
	"an empty hash file" igos-verity verify d hb "$R"

# the same checks on the command line are usage errors
run 2 "igos-verity: unknown hash algorithm 'md5'" "--hash md5" igos-verity format --hash=md5 d x
run 2 "igos-verity: unknown hash algorithm 'SHA256'" "--hash is case-sensitive" igos-verity format --hash=SHA256 d x
run 2 "igos-verity: invalid --data-block-size '1000': not a power of two from 512 to 524288" \
	"--data-block-size not a power of two" igos-verity format --data-block-size=1000 d x
run 2 "igos-verity: invalid --hash-block-size '256': not a power of two from 512 to 524288" \
	"--hash-block-size too small" igos-verity format --hash-block-size=256 d x
run 2 "igos-verity: invalid --data-block-size '1048576': not a power of two from 512 to 524288" \
	"--data-block-size too large" igos-verity format --data-block-size=1048576 d x
run 2 "igos-verity: invalid --salt: up to 256 bytes in hex, or -" "--salt of 257 bytes" \
	igos-verity format --salt="$(head -c 257 /dev/zero | xxd -p | tr -d '\n')" d x
run 2 "igos-verity: invalid --salt: up to 256 bytes in hex, or -" "--salt not hex" igos-verity format --salt=abcg d x
run 2 "igos-verity: invalid --salt: up to 256 bytes in hex, or -" "--salt of odd length" igos-verity format --salt=abc d x
run 2 "igos-verity: invalid --hash-offset '1000': not a multiple of 512" "--hash-offset not 512-aligned" \
	igos-verity format --hash-offset=1000 d x
run 2 "igos-verity: invalid --uuid 'xyz'" "--uuid malformed" igos-verity format --uuid=xyz d x
run 2 "igos-verity: invalid --format '2': 0 or 1" "--format 2" igos-verity format --format=2 d x
run 2 "igos-verity: invalid --data-blocks '0'" "--data-blocks 0" igos-verity format --data-blocks=0 d x
run 2 "igos-verity: invalid --threads '33': 1 to 32" "--threads 33" igos-verity format --threads=33 d x
ok "nothing written after usage errors" test ! -e x

# areas
run 1 "igos-verity: --data-blocks 65 is beyond the end of 'd' (64 blocks of 4096 bytes)" \
	"--data-blocks beyond the device" igos-verity format --data-blocks=65 d x
run 1 "igos-verity: --data-blocks 65 is beyond the end of 'd' (64 blocks of 4096 bytes)" \
	"--data-blocks beyond the device (verify)" igos-verity verify --no-superblock --data-blocks=65 d h "$R"
cp d s
run 1 "igos-verity: data area overlaps with hash area" "data and hash in one file without an offset" \
	igos-verity format s s
run 1 "igos-verity: data area overlaps with hash area" "hash offset inside the data" \
	igos-verity format --hash-offset=$((63 * 4096)) s s
same s d "the data file is untouched after an overlap error"
R2=$(igos-verity format --data-blocks=60 --hash-offset=$((60 * 4096 + 512)) --salt=- s s)
run 0 "" "one file with the tree after the data verifies" igos-verity verify --hash-offset=$((60 * 4096 + 512)) s s "$R2"
run 1 "igos-verity: data area overlaps with hash area" "verify: overlapping areas" \
	igos-verity verify --no-superblock --salt=- --data-blocks=61 --hash-offset=$((60 * 4096 + 512)) s s "$R2"
: > empty
run 1 "igos-verity: 'empty' holds no whole data block of 4096 bytes" "empty data" igos-verity format empty x
head -c 4095 /dev/zero > short
run 1 "igos-verity: 'short' holds no whole data block of 4096 bytes" "data shorter than a block" igos-verity format short x

# short files
head -c 8000 h > hs
run 1 "igos-verity: 'hs' too short for the tree: 8000 bytes, needs 8192" "hash file too short for the tree" \
	igos-verity verify d hs "$R"
head -c 40000 d > ds
run 1 "igos-verity: 'ds' too short: 40000 bytes, the tree covers 262144" "data shorter than the tree" \
	igos-verity verify ds h "$R"

# root hash
run 1 "igos-verity: invalid root hash: 66 hex digits, sha256 needs 64" "root hash too long" igos-verity verify d h "${R}00"
run 1 "igos-verity: invalid root hash: 62 hex digits, sha256 needs 64" "root hash too short" igos-verity verify d h "${R%??}"
run 1 "igos-verity: invalid root hash: not hex" "root hash not hex" igos-verity verify d h "${R%??}zz"
run 1 "igos-verity: invalid root hash: 0 hex digits, sha256 needs 64" "empty root hash" igos-verity verify d h ""
printf '%s\n' "$R" > good.roothash
run 0 "" "root hash from @FILE with a newline" igos-verity verify d h @good.roothash
printf 'nothex\n' > bad.roothash
run 1 "igos-verity: invalid root hash: not hex" "root hash @FILE not hex" igos-verity verify d h @bad.roothash
run 1 "igos-verity: cannot open 'nofile': No such file or directory" "root hash @FILE missing" igos-verity verify d h @nofile

# files
run 1 "igos-verity: cannot open 'nodata': No such file or directory" "missing data file" igos-verity format nodata x
run 1 "igos-verity: cannot open 'nohash': No such file or directory" "missing hash file" igos-verity verify d nohash "$R"
run 1 "igos-verity: '.' is not a regular file or a block device" "data is a directory" igos-verity format . x
mkdir dir
run 1 "igos-verity: cannot write 'dir': Is a directory" "hash is a directory" igos-verity format d dir
run 1 "igos-verity: cannot write 'nodir/h': No such file or directory" "hash in a missing directory" igos-verity format d nodir/h
run 1 "igos-verity: '/dev/null' is not a regular file or a block device" "hash is a character device" igos-verity format d /dev/null
ok "/dev/null is still a character device" test -c /dev/null
no_temps . "no temporary files left behind"
done_testing
