#!/bin/sh
# igos-verity format against veritysetup format over the parameter matrix:
# the hash file and root hash are byte-identical, and each tool's verify
# accepts the other's output.
. "${0%/*}/../lib/tap.sh"
need igos-verity veritysetup /usr/bin/time

UUID=3f2b6a1c-9d4e-4c2a-8e1f-0a1b2c3d4e5f
SALT_LONG=$(head -c 256 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
head -c $((16385 * 4096 + 4096)) /dev/urandom > pool

# per = digests per hash block: 2^floor(log2(hbs / digest size))
per() {
	case $1 in sha1) ds=20 ;; sha256) ds=32 ;; sha512) ds=64 ;; esac
	p=1; while [ $((p * 2 * ds)) -le "$2" ]; do p=$((p * 2)); done; echo $p
}

# check NAME DATA_SIZE FORMAT-OPTIONS...: both tools format a copy of the same
# data; the root hashes and the hash files are the same; verify crosses over.
check() {
	name=$1 size=$2; shift 2
	head -c "$size" pool > d
	rm -f h.vs h.ig
	vroot=$(veritysetup format "$@" d h.vs | sed -n 's/^Root hash:[[:space:]]*//p')
	iroot=$(igos-verity format --threads 2 "$@" d h.ig)
	if [ -z "$vroot" ] || [ "$vroot" != "$iroot" ] || ! cmp -s h.vs h.ig; then
		_tap_result 1 "$name: same root hash and hash file"
		diag "veritysetup: '$vroot'" "igos-verity: '$iroot'" "options: $*"
		cmp h.vs h.ig 2>&1 | diag "$(cat)"
		return
	fi
	_tap_result 0 "$name: same root hash and hash file"
	# verify only takes the tree options without a superblock
	vopts=$(printf '%s\n' "$@" | grep -v -e '^--uuid=' | tr '\n' ' ')
	case " $* " in *" --no-superblock "*) ;; *) vopts=$(printf '%s\n' "$@" | grep -e '^--hash-offset=' | tr '\n' ' ') ;; esac
	# shellcheck disable=SC2086
	if igos-verity verify $vopts d h.vs "$vroot" 2>err && veritysetup verify $vopts d h.ig "$iroot" 2>>err; then
		_tap_result 0 "$name: verify both ways"
	else
		_tap_result 1 "$name: verify both ways"; diag "$(cat err)"
	fi
}

i=0
for fmt in 0 1; do
for alg in sha1 sha256 sha512; do
for salt in - a1b2 "$SALT_LONG"; do
	case $salt in -) sn=none ;; a1b2) sn=short ;; *) sn=256B ;; esac
	# rotate through equal and mixed block sizes
	case $((i % 6)) in
	0) dbs=512 hbs=512 ;; 1) dbs=4096 hbs=4096 ;; 2) dbs=512 hbs=1024 ;;
	3) dbs=4096 hbs=512 ;; 4) dbs=1024 hbs=2048 ;; 5) dbs=2048 hbs=4096 ;;
	esac
	i=$((i + 1))
	p=$(per $alg $hbs)
	o="--format=$fmt --hash=$alg --salt=$salt --data-block-size=$dbs --hash-block-size=$hbs --uuid=$UUID"
	tag="v$fmt $alg salt=$sn $dbs/$hbs"
	for n in 1 2 $p $((p + 1)); do
		# shellcheck disable=SC2086
		check "$tag N=$n" $((n * dbs)) $o
	done
	# shellcheck disable=SC2086
	check "$tag N=$((p + 1)) + partial block" $(((p + 1) * dbs + dbs / 2 + 1)) $o
	# per^2 + 1 blocks (three levels) with small blocks to stay quick
	p2=$(per $alg 512)
	# shellcheck disable=SC2086
	check "v$fmt $alg salt=$sn 512/512 N=per^2+1=$((p2 * p2 + 1))" $(((p2 * p2 + 1) * 512)) \
		--format=$fmt --hash=$alg --salt=$salt --data-block-size=512 --hash-block-size=512 --uuid=$UUID
done
done
done
# the common case at full size: 4096/4096 sha256, per^2 + 1 = 16385 blocks
check "v1 sha256 4096/4096 N=16385 (default options but salt/uuid)" $((16385 * 4096)) \
	--salt=e48da609055204e89ae53b655ca2216dd983cf3cb829f34f63a297d106d53e2d --uuid=$UUID
# defaults: random salt and uuid, which verify both ways
head -c 1000000 pool > d
r=$(igos-verity format d h.rnd)
run 0 "" "random salt: veritysetup verifies it" veritysetup verify d h.rnd "$r"
salt1=$(igos-verity dump h.rnd | sed -n 's/^Salt:[[:space:]]*//p')
igos-verity format d h.rnd2 >/dev/null
salt2=$(igos-verity dump h.rnd2 | sed -n 's/^Salt:[[:space:]]*//p')
ok "random salt is 32 bytes and differs between runs" test ${#salt1} -eq 64 -a "$salt1" != "$salt2"
# SOURCE_DATE_EPOCH: reproducible salt and uuid
SOURCE_DATE_EPOCH=1700000000 igos-verity format d h.sde1 >/dev/null
SOURCE_DATE_EPOCH=1700000000 igos-verity format d h.sde2 >/dev/null
same h.sde1 h.sde2 "SOURCE_DATE_EPOCH makes the hash file reproducible"
SOURCE_DATE_EPOCH=1700000001 igos-verity format d h.sde3 >/dev/null
nok "another SOURCE_DATE_EPOCH gives another salt" cmp -s h.sde1 h.sde3
# the thread count changes nothing but speed; memory stays bounded
head -c $((5000 * 4096 + 100)) pool > d
for n in 1 3 32; do
	/usr/bin/time -f %M -o rss.$n igos-verity format --threads $n --salt=01 --uuid=$UUID d h.t$n > root.t$n
done
ok "--threads 1, 3, 32: the same root hash" sh -c 'cmp -s root.t1 root.t3 && cmp -s root.t1 root.t32'
ok "--threads 1, 3, 32: the same hash file" sh -c 'cmp -s h.t1 h.t3 && cmp -s h.t1 h.t32'
ok "peak memory under 64 MiB with 32 threads ($(cat rss.32) KiB)" test "$(cat rss.32)" -lt 65536
no_temps . "no temporary files left behind"
done_testing
