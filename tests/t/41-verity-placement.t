#!/bin/sh
# Where the tree goes: --hash-offset (aligned or not to the hash block), data
# and hash in one file, --no-superblock, --data-blocks, and a pre-existing
# larger hash file whose other bytes are kept (no truncation). Each case is
# compared byte for byte with veritysetup.
. "${0%/*}/../lib/tap.sh"
need igos-verity veritysetup

S=--salt=5eed0123456789abcdef
U=--uuid=0b9e3c4d-1111-4222-8333-944455566677
head -c $((300 * 4096 + 1000)) /dev/urandom > data
head -c 3000000 /dev/urandom > garbage

vs_root() { sed -n 's/^Root hash:[[:space:]]*//p'; }

# twin NAME HASHFILE-SETUP OPTIONS...: format data into a hash file made by
# SETUP ("new", "garbage" or "same") with both tools; compare.
twin() {
	name=$1 setup=$2; shift 2
	rm -f v.h i.h v.d i.d
	cp data v.d; cp data i.d
	case $setup in
	new) vh=v.h ih=i.h ;;
	garbage) cp garbage v.h; cp garbage i.h; vh=v.h ih=i.h ;;
	same) vh=v.d ih=i.d ;;
	esac
	vr=$(veritysetup format "$@" v.d $vh | vs_root)
	ir=$(igos-verity format "$@" i.d $ih)
	is "$ir" "${vr:-(veritysetup failed)}" "$name: same root hash"
	same $ih $vh "$name: same hash file"
	same i.d v.d "$name: data file as veritysetup leaves it"
	# verify needs the tree options only without a superblock
	case " $* " in
	*" --no-superblock "*) vo=$(printf '%s\n' "$@" | grep -v -e '^--uuid' | tr '\n' ' ') ;;
	*) vo=$(printf '%s\n' "$@" | grep -e '^--hash-offset' -e '^--data-blocks' | tr '\n' ' ') ;;
	esac
	case " $* " in *" --no-superblock "*) ;; *) vo=$(printf '%s\n' $vo | grep -v data-blocks | tr '\n' ' ') ;; esac
	# shellcheck disable=SC2086
	run 0 "" "$name: igos-verity verify accepts veritysetup's" igos-verity verify $vo v.d $vh "$vr"
	# shellcheck disable=SC2086
	run 0 "*" "$name: veritysetup verify accepts igos-verity's" veritysetup verify $vo i.d $ih "$ir"
}

twin "hash offset 512" new $S $U --hash-offset=512
twin "hash offset 3584 (not hash-block aligned)" new $S $U --hash-offset=3584
twin "hash offset 8192" new $S $U --hash-offset=8192
twin "hash offset 3584, 1024-byte hash blocks" new $S $U --hash-offset=3584 --hash-block-size=1024 --data-block-size=512
twin "--data-blocks 77" new $S $U --data-blocks=77
twin "--data-blocks 1" new $S $U --data-blocks=1
twin "--no-superblock" new $S --no-superblock
twin "--no-superblock, hash offset 8192" new $S --no-superblock --hash-offset=8192
twin "--no-superblock, hash offset 3584" garbage $S --no-superblock --hash-offset=3584
twin "larger hash file with garbage" garbage $S $U
twin "larger hash file with garbage, hash offset 1536" garbage $S $U --hash-offset=1536
size=$(wc -c < i.h)
is "$size" 3000000 "the larger hash file is not truncated"
# data and hash in one file: the tree after the data, in place
twin "one file, hash offset = data size (aligned)" same $S $U --data-blocks=300 --hash-offset=$((300 * 4096))
twin "one file, hash offset not hash-block aligned" same $S $U --data-blocks=290 --hash-offset=$((290 * 4096 + 1536))
twin "one file, hash offset past the end" same $S $U --data-blocks=300 --hash-offset=$((400 * 4096))
twin "one file, --no-superblock" same $S --no-superblock --data-blocks=300 --hash-offset=$((300 * 4096 + 4096))
# the root hash file
r=$(igos-verity format $S $U --root-hash-file=x.roothash data h)
is "$(cat x.roothash)" "$r" "--root-hash-file holds the root hash"
veritysetup format $S $U --root-hash-file=v.roothash data vh >/dev/null
ok "--root-hash-file byte for byte as veritysetup's (no newline)" cmp x.roothash v.roothash
run 0 "" "ROOTHASH as @FILE" igos-verity verify data h @x.roothash
# the mode of an existing hash file is kept
cp garbage m.h; chmod 0640 m.h
igos-verity format $S $U data m.h >/dev/null
is "$(stat -c %a m.h)" 640 "an existing hash file keeps its mode"
no_temps . "no temporary files left behind"
done_testing
