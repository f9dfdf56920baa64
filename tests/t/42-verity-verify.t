#!/bin/sh
# igos-verity verify: a good tree passes; a flipped data byte, a flipped hash
# byte, non-zero padding and a wrong root are each found, and the message names
# the block. veritysetup agrees that each damaged case is bad.
. "${0%/*}/../lib/tap.sh"
need igos-verity veritysetup

# 2048 data blocks of 4096: H0 = 1 (after the superblock), the top block at
# hash block 1, the 16 leaf blocks at hash blocks 2..17.
head -c $((2048 * 4096)) /dev/urandom > d
R=$(igos-verity format --salt=e48da609055204e89ae53b655ca2216dd983cf3cb829f34f63a297d106d53e2d d h)
run 0 "" "a good tree verifies" igos-verity verify d h "$R"
run 0 "" "a good tree verifies with one thread" igos-verity verify --threads 1 d h "$R"
run 0 "" "a good tree verifies with uppercase root hex" igos-verity verify d h "$(echo "$R" | tr a-f A-F)"
is "$OUT" "" "verify prints nothing on success"

cp d d.bad; flip d.bad $((1500 * 4096 + 17))
run 1 "igos-verity: data block 1500 (offset 6144000) does not match hash block 13" \
	"flipped data byte: named" igos-verity verify d.bad h "$R"
run 1 "igos-verity: data block 1500 (offset 6144000) does not match hash block 13" \
	"flipped data byte: named with one thread" igos-verity verify --threads 1 d.bad h "$R"
nok "flipped data byte: veritysetup agrees" veritysetup verify d.bad h "$R"

# leaf hash block 5 (hash block 7) holds data blocks 640..767; byte 100 is in
# the digest of data block 643
cp h h.bad; flip h.bad $((7 * 4096 + 100))
run 1 "igos-verity: data block 643 (offset 2633728) does not match hash block 7" \
	"flipped leaf hash byte: named" igos-verity verify d h.bad "$R"
nok "flipped leaf hash byte: veritysetup agrees" veritysetup verify d h.bad "$R"

# top block (hash block 1), slot 3 = leaf block 3 = hash block 5
cp h h.bad; flip h.bad $((4096 + 3 * 32 + 7))
run 1 "igos-verity: hash block 5 (offset 20480) does not match hash block 1" \
	"flipped upper hash byte: named" igos-verity verify d h.bad "$R"
nok "flipped upper hash byte: veritysetup agrees" veritysetup verify d h.bad "$R"

# padding after the 16 digests of the top block
cp h h.bad; printf 'x' | dd of=h.bad bs=1 seek=$((4096 + 16 * 32 + 9)) conv=notrunc 2>/dev/null
run 1 "igos-verity: hash block 1 (offset 4096): spare area is not zeroed at offset 4617" \
	"non-zero padding: named" igos-verity verify d h.bad "$R"
nok "non-zero padding: veritysetup agrees" veritysetup verify d h.bad "$R"

# padding inside a slot: sha1 in format 1 pads each 20-byte digest to 32
head -c $((300 * 4096)) /dev/urandom > d1
R1=$(igos-verity format --hash=sha1 --salt=- d1 h1)
cp h1 h1.bad; printf 'x' | dd of=h1.bad bs=1 seek=$((3 * 4096 + 32 * 5 + 25)) conv=notrunc 2>/dev/null
run 1 "igos-verity: hash block 3 (offset 12288): spare area is not zeroed at offset 12473" \
	"non-zero slot padding (sha1): named" igos-verity verify d1 h1.bad "$R1"
nok "non-zero slot padding (sha1): veritysetup agrees" veritysetup verify d1 h1.bad "$R1"

case $R in 0*) WRONG=1${R#?} ;; *) WRONG=0${R#?} ;; esac
run 1 "igos-verity: root hash does not match hash block 1 (offset 4096)" \
	"wrong root hash: named" igos-verity verify d h "$WRONG"
nok "wrong root hash: veritysetup agrees" veritysetup verify d h "$WRONG"

# one data block: the root is the block's own hash
head -c 4096 /dev/urandom > one
R0=$(igos-verity format one h0)
run 0 "" "one data block verifies" igos-verity verify one h0 "$R0"
printf 'x' | dd of=one bs=1 seek=10 conv=notrunc 2>/dev/null
run 1 "igos-verity: root hash does not match data block 0 (offset 0)" \
	"one data block, changed: named" igos-verity verify one h0 "$R0"

# format 0, no superblock, parameters on the command line
head -c $((1000 * 1024)) /dev/urandom > d2
R2=$(igos-verity format --format=0 --no-superblock --hash=sha512 --salt=abcd \
	--data-block-size=1024 --hash-block-size=512 d2 h2)
run 0 "" "no superblock: verify with the same parameters" igos-verity verify --format=0 \
	--no-superblock --hash=sha512 --salt=abcd --data-block-size=1024 --hash-block-size=512 d2 h2 "$R2"
run 1 "*" "no superblock: another salt fails" igos-verity verify --format=0 \
	--no-superblock --hash=sha512 --salt=abce --data-block-size=1024 --hash-block-size=512 d2 h2 "$R2"
case $ERR in "igos-verity: data block 0 (offset 0) does not match hash block "*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "no superblock: another salt fails at data block 0"
run 2 "igos-verity: --hash needs --no-superblock (the superblock holds it)" \
	"tree parameters are refused when the superblock holds them" igos-verity verify --hash=sha1 d h "$R"
done_testing
