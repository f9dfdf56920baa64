#!/bin/sh
# The whole chain under OVMF Secure Boot with swtpm: a MOK-signed UKI of the
# igos stub boots, opens the dm-verity root from the signed command line, and
# PCR 11 equals the prediction; and what must fail, fails.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/chain.sh"
vm_need
need mksquashfs igos-verity igos-ukify igos-sign igos-mok igos-measure
vm_kernel
W=$T

ok "root image" chain_rootfs
ok "snakeoil key" chain_snakeoil
ok "MOK made by igos-mok and certified by the snakeoil CA" chain_mok
ok "verity tree, root hash and its signature" chain_verity
ok "PCR policy key" chain_pcrkey
ok "initrd" chain_initrd
ok "UKI built, signed with the MOK, verified" chain_uki "$W/uki.efi"
predicted=$(igos-measure calculate --bank sha256 --phase= "$W/uki.efi" 2>/dev/null |
	sed -n 's/^11:sha256=//p')

# the good chain
chain_boot "$W/uki.efi" good.log
ok "the firmware started the signed UKI's kernel" grep -q 'IGOS-CHAIN: kernel' good.log
is "$(chain_marker good.log 'verity root opened with roothash ')" "$(cat roothash)" \
	"the guest opened the root with the root hash from the signed command line"
ok "the verity root is mounted" grep -q 'IGOS-CHAIN: root mounted: InterGenOS' good.log
ok "and reads whole" grep -q 'IGOS-CHAIN: root read whole' good.log
is "$(chain_marker good.log 'PCR11=' | tr 'A-F' 'a-f')" "$predicted" \
	"PCR 11 in the guest equals igos-measure calculate --phase="

# flip FILE OFFSET: invert the low bit of the byte at OFFSET (writing a fixed
# value changes nothing when the byte already has it)
flip() {
	_b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((_b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# a byte flipped in the UKI after signing
cp uki.efi tampered.efi
flip tampered.efi $(( $(stat -c %s uki.efi) / 2 ))
ok "the tampered UKI differs from the signed one" sh -c '! cmp -s uki.efi tampered.efi'
chain_boot "$W/tampered.efi" tampered.log
ok "a UKI changed after signing is refused by the firmware" grep -q 'Access Denied' tampered.log
nok "and its kernel never starts" grep -q 'IGOS-CHAIN: kernel' tampered.log

# a byte flipped in the root image
cp root.img root.good
off=$(( $(stat -c %s root.img) - 100000 ))
flip root.img $off
chain_boot "$W/uki.efi" flipped.log
ok "a flipped root byte: the read fails" grep -q 'IGOS-CHAIN: root read failed' flipped.log
ok "and the verity device reports corruption" sh -c "grep 'IGOS-CHAIN: status' flipped.log | grep -qi corrupt"
mv root.good root.img

# another root hash on the (re-signed) command line
ok "UKI with a different root hash, re-signed" chain_uki "$W/other.efi" \
	"$(printf '%064d' 0 | tr 0 a)"
chain_boot "$W/other.efi" other.log
ok "a wrong root hash: activation refused" grep -q 'IGOS-CHAIN: verity open refused' other.log
nok "and nothing is mounted" grep -q 'IGOS-CHAIN: root mounted' other.log

# a root-hash signature by a key the kernel does not trust, signatures required
ok "UKI requiring root-hash signatures" chain_uki "$W/sig.efi" "" \
	"dm_verity.require_signatures=1 igos.verity_sig=1"
chain_boot "$W/sig.efi" sig.log
ok "the guest booted" grep -q 'IGOS-CHAIN: kernel' sig.log
ok "a root-hash signature by an untrusted key is refused" \
	grep -q 'IGOS-CHAIN: verity open refused' sig.log
nok "and nothing is mounted" grep -q 'IGOS-CHAIN: root mounted' sig.log
done_testing
