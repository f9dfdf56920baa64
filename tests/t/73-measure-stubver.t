#!/bin/sh
# Which sections igos-measure predicts for a UKI follows the stub's version in
# its .sdmagic ("#### LoaderInfo: systemd-stub 252.39-1~deb12u2 ####"): a
# systemd-stub before 253 measured the 252 set (no .uname, no .sbat), any
# other stub the current one. The 252 set is held against systemd-measure
# (Debian's 252) on the section files, the current one against
# tests/lib/ukipcr.py (hashlib, no igos code).
. "${0%/*}/../lib/tap.sh"
SM=/usr/lib/systemd/systemd-measure
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
need igos-measure "$SM" objcopy python3
[ -f "$STUB" ] || skip_all "$STUB missing (systemd-boot-efi)"

head -c 20000 /dev/urandom > linux
printf '6.1.0-igos' > uname
objcopy --add-section .uname=uname --change-section-vma .uname=0x21000 \
	--add-section .linux=linux --change-section-vma .linux=0x80000 "$STUB" base.efi
old=$("$SM" calculate --phase= --bank=sha256 --linux=linux 2>/dev/null)
cur="11:sha256=$(python3 "$TESTLIB/ukipcr.py" base.efi 0 | sed -n 's/^pcr //p')"
ok "the 252 set and the current set differ here" test "$old" != "$cur"

# sdmagic TEXT VSIZE: uki.efi, base.efi with .sdmagic's raw data TEXT (then
# zeros) and its VirtualSize VSIZE (what the stub reads of it)
sdmagic() {
	python3 -c 'import struct, sys
d = bytearray(open("base.efi", "rb").read())
text, vsize = sys.argv[1].encode(), int(sys.argv[2])
pe = struct.unpack_from("<I", d, 0x3c)[0]
n, opt = struct.unpack_from("<H", d, pe + 6)[0], struct.unpack_from("<H", d, pe + 20)[0]
for i in range(n):
    h = pe + 24 + opt + 40 * i
    if d[h:h + 8] == b".sdmagic":
        rsize, roff = struct.unpack_from("<II", d, h + 16)
        d[roff:roff + rsize] = text.ljust(rsize, b"\0")
        struct.pack_into("<I", d, h + 8, vsize)
open("uki.efi", "wb").write(d)' "$1" "$2"
}

# case WANT(old|cur) TEXT VSIZE DESCRIPTION
case_() {
	sdmagic "$2" "$3"
	run 0 "# PCR[11] Phase <:>" "$4: calculate" igos-measure calculate --phase= --bank=sha256 uki.efi
	if [ "$1" = old ]; then is "$OUT" "$old" "$4: the 252 set (systemd-measure 252)"
	else is "$OUT" "$cur" "$4: the current set, .uname and .sbat too"; fi
}

tag='#### LoaderInfo: systemd-stub '
case_ old "${tag}252.39-1~deb12u2 ####" 52 "Debian 12's stub, 252.39"
case_ old "${tag}252 ####" 36 "252"
case_ cur "${tag}253 ####" 36 "253, the first that measures .uname and .sbat"
case_ cur "${tag}259 ####" 36 "259 (a 9 in the version)"
case_ cur "${tag}260 ####" 36 "260 (a 0 in the version)"
case_ old "${tag}99 ####" 35 "99"
case_ old "${tag}2" 31 "a one-digit version that ends the section"
case_ cur "$tag" 30 "no version at all, the section ends"
case_ cur "${tag}v252 ####" 37 "a version that does not start with a digit"
case_ cur "#### LoaderInfo: systemd-boot 252 ####" 37 "systemd-boot, not systemd-stub"
case_ cur "#### LoaderInfo: igos-stub 252 ####" 35 "another stub"
case_ old "${tag}253" 32 "25 within VirtualSize, a 3 beyond it: the stub reads 25"
case_ cur "${tag}0000000253 ####" 44 "a version with leading zeros is its number"
case_ cur "${tag}2525252525252525252525 ####" 56 "a long version does not wrap around"
case_ cur "" 0 "an empty .sdmagic"

# A section whose VirtualSize passes its raw data: the stub hashes what was
# loaded, the raw data and then the zeros up to VirtualSize.
python3 -c 'import struct
d = bytearray(open("base.efi", "rb").read())
pe = struct.unpack_from("<I", d, 0x3c)[0]
n, opt = struct.unpack_from("<H", d, pe + 6)[0], struct.unpack_from("<H", d, pe + 20)[0]
for i in range(n):
    h = pe + 24 + opt + 40 * i
    if d[h:h + 8].rstrip(b"\0") == b".linux":
        rsize, roff = struct.unpack_from("<II", d, h + 16)
        struct.pack_into("<I", d, h + 8, rsize + 5000)
        open("loaded", "wb").write(d[roff:roff + rsize] + bytes(5000))
struct.pack_into("<I", d, pe + 24 + 56, struct.unpack_from("<I", d, pe + 24 + 56)[0] + 0x2000)
open("bss.efi", "wb").write(d)'
run 0 "# PCR[11] Phase <:>" ".linux's VirtualSize past its raw data: calculate" \
	igos-measure calculate --phase= --bank=sha256 --stub 252 bss.efi
is "$OUT" "$("$SM" calculate --phase= --bank=sha256 --linux=loaded 2>/dev/null)" \
	"... the raw data and zeros up to VirtualSize, as systemd-measure on the loaded bytes"
done_testing
