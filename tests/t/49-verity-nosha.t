#!/bin/sh
# igos-verity hashes the data blocks two at a time with its own SHA-256 code
# where the CPU has SHA extensions (lib/sha256x2.c), and with OpenSSL where it
# has not, or where OPENSSL_ia32cap takes them away. Both paths give
# veritysetup's bytes: here the second one, with the SHA bit masked for
# veritysetup and igos alike, then the two paths against each other (tests 40-44
# check the first against veritysetup wherever the CPU has the extensions).
. "${0%/*}/../lib/tap.sh"
need igos-verity veritysetup

NOSHA=":~0x20000000"
UUID=3f2b6a1c-9d4e-4c2a-8e1f-0a1b2c3d4e5f
SALT_LONG=$(head -c 256 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
SALT32=$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
head -c $((300 * 4096)) /dev/urandom > pool
if grep -qw sha_ni /proc/cpuinfo; then
	diag "this CPU has SHA extensions: both paths are compared"
else
	diag "no SHA extensions here: both runs take OpenSSL's path"
fi

# check NAME SIZE OPTIONS...: masked, veritysetup and igos give the same root
# hash and hash file; unmasked igos gives them too
check() {
	name=$1 size=$2; shift 2
	head -c "$size" pool > d
	rm -f h.vs h.ig h.x2
	vroot=$(OPENSSL_ia32cap=$NOSHA veritysetup format "$@" d h.vs |
		sed -n 's/^Root hash:[[:space:]]*//p')
	iroot=$(OPENSSL_ia32cap=$NOSHA igos-verity format --threads 2 "$@" d h.ig)
	if [ -n "$vroot" ] && [ "$vroot" = "$iroot" ] && cmp -s h.vs h.ig; then
		_tap_result 0 "$name, no SHA: veritysetup's root hash and hash file"
	else
		_tap_result 1 "$name, no SHA: veritysetup's root hash and hash file"
		diag "veritysetup: '$vroot'" "igos-verity: '$iroot'" "options: $*"
	fi
	xroot=$(igos-verity format --threads 2 "$@" d h.x2)
	if [ "$xroot" = "$iroot" ] && cmp -s h.ig h.x2; then
		_tap_result 0 "$name: the same with the SHA extensions"
	else
		_tap_result 1 "$name: the same with the SHA extensions"
		diag "masked: '$iroot'" "unmasked: '$xroot'" "options: $*"
	fi
}

i=0
for fmt in 0 1; do
	for salt in - a1b2 "$SALT32" "$SALT_LONG"; do
		case $salt in -) sn=none ;; a1b2) sn=2B ;; "$SALT32") sn=32B ;; *) sn=256B ;; esac
		case $((i % 2)) in 0) bs=4096 ;; 1) bs=512 ;; esac
		i=$((i + 1))
		o="--format=$fmt --hash=sha256 --salt=$salt --data-block-size=$bs --hash-block-size=$bs --uuid=$UUID"
		for n in 1 2 3 257; do
			# shellcheck disable=SC2086
			check "v$fmt salt=$sn $bs N=$n" $((n * bs)) $o
		done
	done
done
# verify under the mask accepts what the SHA path wrote, and finds a change
head -c $((100 * 4096)) pool > d
r=$(igos-verity format --salt="$SALT32" d h)
run 0 "" "no SHA: verify accepts the tree the SHA path wrote" \
	env OPENSSL_ia32cap=$NOSHA igos-verity verify d h "$r"
printf 'X' | dd of=d bs=1 seek=$((77 * 4096 + 5)) conv=notrunc 2>/dev/null
run 1 "igos-verity: data block 77 (offset 315392) does not match hash block 1" \
	"no SHA: verify finds a changed data block" env OPENSSL_ia32cap=$NOSHA igos-verity verify d h "$r"
run 1 "igos-verity: data block 77 (offset 315392) does not match hash block 1" \
	"with SHA: verify finds it too" igos-verity verify d h "$r"
done_testing
