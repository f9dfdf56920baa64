#!/bin/sh
# Which files igos-sign takes for a kernel module, and the module trailer's
# signature length at its bounds: edge cases make mutate found untested
# (lib/modsig.c). A relocatable ELF object (ET_REL, ELFCLASS32 or 64, either
# byte order, a whole header) is a module; anything else is refused. Accepted
# ones are signed byte-identically to Debian's sign-file.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/sign.sh"
[ -x "$SIGNFILE" ] || skip_all "$SIGNFILE missing (make deps: linux-kbuild-6.1)"
snakeoil_keys

# elf FILE LEN MAGIC CLASS DATA TYPE0 TYPE1: an ELF header of LEN bytes, the
# given magic (4 bytes, printf format), EI_CLASS, EI_DATA and e_type bytes
oct() { printf "\\$(printf %03o "$1")"; }
elf() {
	{ printf "$3"; oct $4; oct $5; head -c 10 /dev/zero; oct $6; oct $7
	  head -c $(($2 - 18)) /dev/zero; } >"$1"
}
notmod() { # FILE DESCRIPTION
	run 1 "igos-sign: '$1': not a PE/COFF image or an ELF kernel module" "$2" \
		"$S" sign -k so.key -c so.crt -o "$1.signed" "$1"
}
ismod() { # FILE DESCRIPTION
	cp "$1" "$1.ref" && "$SIGNFILE" sha256 so.key so.crt "$1.ref"
	run 0 "" "$2" "$S" sign -k so.key -c so.crt -o "$1.signed" "$1"
	same "$1.signed" "$1.ref" "$2: signed as sign-file signs it"
}

E='\177ELF'
elf e32-52 52 "$E" 1 1 1 0; ismod e32-52 "a 52-byte ELF32 header (a whole one) is a module"
elf e32-51 51 "$E" 1 1 1 0; notmod e32-51 "a 51-byte ELF32 header is cut short: not a module"
elf e64-64 64 "$E" 2 1 1 0; ismod e64-64 "a 64-byte ELF64 header is a module"
elf e64-63 63 "$E" 2 1 1 0; notmod e64-63 "a 63-byte ELF64 header is cut short: not a module"
elf nomagic 64 '\177ELG' 1 1 1 0; notmod nomagic "a header without the ELF magic is not a module"
for c in 0 3; do
	elf class$c 64 "$E" $c 1 1 0; notmod class$c "ELF class $c (neither 32 nor 64 bits) is not a module"
done
elf msb 64 "$E" 1 2 0 1; ismod msb "a big-endian ET_REL is a module"
elf msb-swapped 64 "$E" 1 2 1 0; notmod msb-swapped "a big-endian e_type of 0x100 is not ET_REL"
elf lsb-swapped 64 "$E" 1 1 0 1; notmod lsb-swapped "a little-endian e_type of 0x100 is not ET_REL"
for d in 0 3; do
	elf data$d 64 "$E" 1 $d 1 0; notmod data$d "ELF data encoding $d is not a module"
done
elf exec 64 "$E" 2 1 2 0; notmod exec "an ET_EXEC is not a module"

# The trailer's signature length: the kernel (mod_check_sig) refuses a length
# that leaves no module before the signature, as igos does.
cp e64-64.signed whole.ko
sz=$(wc -c <whole.ko)
len=$((sz - 40))
printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((len >> 24 & 255)) $((len >> 16 & 255)) \
	$((len >> 8 & 255)) $((len & 255)))" |
	dd of=whole.ko bs=1 seek=$((sz - 40 + 8)) conv=notrunc 2>/dev/null
run 1 "igos-sign: 'whole.ko': module signature length $len overflows the file" \
	"a signature length that leaves no module is refused, as the kernel refuses it" \
	"$S" list whole.ko
done_testing
