#!/bin/sh
# Forward error correction: the parity of `format --fec-device` byte for byte
# as veritysetup writes it, over a matrix of sizes, block sizes, roots, hash
# and FEC offsets and one-device layouts; then verify with FEC: a corrupted
# block is corrected and reported, damage beyond FEC's reach fails.
. "${0%/*}/../lib/tap.sh"
need igos-verity veritysetup

S=--salt=e48da609055204e89ae53b655ca2216dd983cf3cb829f34f63a297d106d53e2d
U=--uuid=12345678-1234-4234-8234-123456789012
vs_root() { sed -n 's/^Root hash:[[:space:]]*//p'; }

# twin NAME BYTES BLOCKSIZE ROOTS OPTIONS...: both tools, separate files
twin() {
	name=$1 bytes=$2 bs=$3 roots=$4; shift 4
	head -c "$bytes" /dev/urandom > d
	rm -f vh vf ih if
	vr=$(veritysetup format $S $U --data-block-size "$bs" --hash-block-size "$bs" \
		--fec-roots "$roots" --fec-device vf "$@" d vh | vs_root)
	ir=$(igos-verity format $S $U --data-block-size "$bs" --hash-block-size "$bs" \
		--fec-roots "$roots" --fec-device if "$@" d ih)
	is "$ir" "${vr:-(veritysetup failed)}" "$name: same root hash"
	same if vf "$name: same FEC parity"
}
same() { ok "$3" cmp "$1" "$2"; }

twin "300 blocks of 4096, roots 2" $((300 * 4096)) 4096 2
twin "a partial block, 512, roots 3" 1000000 512 3
twin "1024, roots 24 (most)" 3000000 1024 24
twin "one data block" 4096 4096 2
twin "roots 7, two blocks" 8192 4096 7
twin "hash offset 8192" 2097152 4096 2 --hash-offset 8192
twin "FEC offset 12288 into the FEC file" 2097152 4096 5 --fec-offset 12288
twin "no superblock" 2097152 4096 2 --no-superblock
twin "--data-blocks 300 of 512" 2097152 4096 2 --data-blocks 300
twin "format 0, sha1, roots 16" 1500000 4096 16 --format 0 --hash sha1
twin "more than one round of 253 (roots 2)" $((700 * 4096)) 4096 2

# one device: data, tree and parity in the same file
head -c $((512 * 4096)) /dev/urandom > one
head -c $((300 * 4096)) /dev/zero >> one
cp one v1; cp one i1
vr=$(veritysetup format $S $U --data-blocks 512 --hash-offset $((512 * 4096)) --fec-device v1 \
	--fec-offset $((600 * 4096)) v1 v1 | vs_root)
ir=$(igos-verity format $S $U --data-blocks 512 --hash-offset $((512 * 4096)) --fec-device i1 \
	--fec-offset $((600 * 4096)) i1 i1)
is "$ir" "$vr" "one device: same root hash"
same i1 v1 "one device: the same file, tree and parity included"

# errors
head -c $((64 * 4096)) /dev/urandom > d
run 2 "igos-verity: invalid --fec-roots '1': 2 to 24" "roots below 2" \
	igos-verity format --fec-device f --fec-roots 1 d h
run 2 "igos-verity: invalid --fec-roots '25': 2 to 24" "roots above 24" \
	igos-verity format --fec-device f --fec-roots 25 d h
run 2 "igos-verity: --fec-roots needs --fec-device" "--fec-roots alone" \
	igos-verity format --fec-roots 4 d h
run 2 "igos-verity: block sizes must match for FEC" "FEC needs equal block sizes" \
	igos-verity format --fec-device f --hash-block-size 1024 d h
run 2 "igos-verity: invalid --fec-offset '100': not a multiple of 512" "unaligned FEC offset" \
	igos-verity format --fec-device f --fec-offset 100 d h
run 1 "igos-verity: hash area overlaps with FEC area" "FEC over the tree in one file" \
	igos-verity format --fec-device h --fec-offset 4096 d h
ok "nothing written on a failed format" test ! -e h -a ! -e f

# verify with FEC: 2000 blocks, 16 tree blocks + superblock: 2017 blocks,
# 8 rounds; the blocks of one codeword are 8 apart
head -c $((2000 * 4096)) /dev/urandom > d
R=$(igos-verity format $S $U --fec-device f d h)
vr=$(veritysetup format $S $U --fec-device vf d vh | vs_root)
same f vf "verify case: the parity is veritysetup's"
run 0 "" "verify with FEC, nothing damaged" igos-verity verify --fec-device f d h "$R"
is "$OUT" "" "nothing reported"
corrupt() { # FILE BLOCK...
	_f=$1; shift
	for _b; do
		head -c 4096 /dev/urandom | dd of="$_f" bs=4096 seek="$_b" conv=notrunc 2>/dev/null
	done
}
cp d d1; corrupt d1 5 1002
run 1 "igos-verity: data block 5 (offset 20480) does not match hash block 2" \
	"without FEC the damage fails verify" igos-verity verify d1 h "$R"
igos-verity verify --fec-device f d1 h "$R" >out 2>err
is "$?" 0 "two whole blocks in different rounds: corrected"
is "$(cat err)" "igos-verity: data block 1002 (offset 4104192) corrected by FEC
igos-verity: data block 5 (offset 20480) corrected by FEC" "the corrected blocks are named"
is "$(cat out)" "2 blocks corrected by FEC" "and counted on stdout"
cmp -s d d1
is "$?" 1 "verify changes nothing on disk"
cp d d2; corrupt d2 5 13
igos-verity verify --fec-device f d2 h "$R" >out 2>err
is "$?/$(cat out)" "0/2 blocks corrected by FEC" "two blocks in one codeword: corrected as erasures (roots 2)"
cp d d3; corrupt d3 5 13 21
run 1 "igos-verity: data block 5 (offset 20480) does not match hash block 2 (beyond FEC's reach)" \
	"three blocks in one codeword: beyond reach" igos-verity verify --fec-device f d3 h "$R"
cp h h4; printf 'xyz' | dd of=h4 bs=1 seek=$((3 * 4096 + 100)) conv=notrunc 2>/dev/null
igos-verity verify --fec-device f d h4 "$R" >out 2>err
is "$?/$(cat err)" "0/igos-verity: hash block 3 (offset 12288) corrected by FEC" "a damaged hash block is corrected"
cp f f5; corrupt f5 1
igos-verity verify --fec-device f5 d1 h "$R" >out 2>err
is "$?/$(cat out)" "0/2 blocks corrected by FEC" "damaged parity elsewhere does not stop a repair"
run 1 "igos-verity: cannot open 'nofec': No such file or directory" "a missing FEC file" \
	igos-verity verify --fec-device nofec d1 h "$R"
done_testing
