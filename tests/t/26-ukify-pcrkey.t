#!/bin/sh
# igos-ukify --pcr-key: the .pcrsig and .pcrpkey built in one step equal what
# igos-measure signs for the finished UKI, for the igos stub and systemd's.
. "${0%/*}/../lib/tap.sh"
need openssl igos-ukify igos-measure
umask 077
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pcr.key 2>/dev/null
openssl pkey -in pcr.key -pubout -out pcr.pub
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key 2>/dev/null
# a bzImage-like kernel is not needed here: --uname names the version
head -c 200000 /dev/urandom >vmlinuz
head -c 100001 /dev/urandom >initrd
printf 'ID=igos\n' >osrel
IGOS_STUB=$IGOS_BUILD/efi/igos-stubx64.efi
SD_STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
for stub in "$IGOS_STUB" "$SD_STUB"; do
	n=$(basename "$stub")
	[ -f "$stub" ] || { skip "$stub missing (make deps)" "$n"; continue; }
	run 0 "" "$n: build with --pcr-key" igos-ukify build --stub "$stub" --linux vmlinuz \
		--uname 6.1.0-test --initrd initrd --os-release @osrel --cmdline "quiet  a=1" \
		--pcr-key pcr.key -o uki.efi
	igos-ukify inspect --section .pcrsig uki.efi >built.json
	igos-ukify inspect --section .pcrpkey uki.efi >built.pub
	igos-measure sign -k pcr.key -b sha256 -o measured.json uki.efi 2>/dev/null
	same built.json measured.json "$n: .pcrsig equals igos-measure sign over the finished UKI"
	same built.pub pcr.pub "$n: .pcrpkey is the key's public PEM"
	run 0 "*" "$n: igos-measure verify accepts the built-in .pcrsig" \
		igos-measure verify -P pcr.pub built.json uki.efi
done
run 0 "" "two banks and one phase" igos-ukify build --stub "$IGOS_STUB" --linux vmlinuz \
	--uname 6.1.0-test --cmdline x --pcr-key pcr.key --pcr-bank sha256 --pcr-bank sha1 \
	--phase enter-initrd -o two.efi
igos-ukify inspect --section .pcrsig two.efi >two.json
igos-measure sign -k pcr.key -b sha1 -b sha256 -p enter-initrd -o two-m.json two.efi 2>/dev/null
same two.json two-m.json "banks and phases are those asked for"
run 1 "igos-ukify: --pcr-key 'ec.key': PCR policies need an RSA key (systemd's TPM-side check uses RSASSA)" \
	"an EC key is refused" igos-ukify build --stub "$IGOS_STUB" --linux vmlinuz --uname 1 \
	--pcr-key ec.key -o x.efi
run 2 "igos-ukify: --pcr-key and --pcrsig exclude each other" "--pcrsig with --pcr-key" \
	igos-ukify build --linux vmlinuz --pcrsig built.json --pcr-key pcr.key -o x.efi
run 2 "igos-ukify: --pcr-bank, --phase, --pin-file and --tcti go with --pcr-key" "--phase alone" \
	igos-ukify build --linux vmlinuz --phase enter-initrd -o x.efi
run 2 "*" "an unknown phase word" igos-ukify build --linux vmlinuz --pcr-key pcr.key \
	--phase enter-initrd:bogus -o x.efi
is "$(ls x.efi 2>/dev/null)" "" "no output on any error"
done_testing
