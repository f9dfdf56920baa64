#!/bin/sh
# igos-ukify build: the sections for hardware systemd 257 added (.ucode,
# .dtbauto with .hwids, .efifw) in ukify's order and in the layouts the stub
# reads (bytes written out here by hand), their [UKI] settings, the PCR policy
# over them, and the refusals with their exact lines.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/ukify.sh"
B=${IGOS_BUILD:-$IGOS_SRC/build}
ISTUB=$B/efi/igos-stubx64.efi
need igos-ukify objdump python3 openssl "$ISTUB"
plan 24

mkkernel vmlinuz 6.1.0-99-test 70001
head -c 1001 /dev/urandom >dtb
head -c 1002 /dev/urandom >d1
head -c 1003 /dev/urandom >d2
head -c 2001 /dev/urandom >ucode
head -c 3001 /dev/urandom >initrd
head -c 500 /dev/urandom >splash
mkdir -p hw/sub fw/myfw
printf '{"type": "devicetree", "name": "Board B", "compatible": "acme,b",\n "hwids": ["FFFFFFFF-0000-0000-0000-000000000002", "00000000-1111-2222-3333-444455556666"]}\n' >hw/a.json
printf '{"type": "uefi-fw", "name": "Board B", "fwid": "fw-b", "hwids": ["00000000-1111-2222-3333-444455556666"]}' >hw/b.json
printf '{"type": "devicetree", "name": "Board A", "compatible": "acme,a", "hwids": ["01020304-0506-0708-090a-0b0c0d0e0f10"]}' >hw/sub/c.json
printf 'not read' >hw/notes.txt
printf 'FIRMWARE' >fw/myfw/image.bin
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pcr.key 2>/dev/null
chmod 600 pcr.key
names() { objdump -h "$1" | awk '/^ +[0-9]+ /{print $2}' | tr '\n' ' '; }
ISECS=$(names "$ISTUB")
build() { # OUT [options]
	_o=$1; shift
	igos-ukify build --stub "$ISTUB" --linux vmlinuz --os-release ID=igos -o "$_o" "$@"
}

run 0 "" "a UKI with every new section" build all.efi --devicetree dtb --devicetree-auto d1 \
	--devicetree-auto d2 --hwids hw --splash splash --initrd initrd --efifw fw/myfw --ucode ucode
is "$(names all.efi)" "$ISECS.osrel .dtb .dtbauto .dtbauto .hwids .uname .splash .initrd .efifw .ucode .linux " \
	"ukify's order: .dtbauto after .dtb, .efifw after .initrd, .ucode last before .linux"
nth() { python3 "$TESTLIB/ukipcr.py" "$1" --dump "$2"; }
NI=$(printf '%s' "$ISECS" | wc -w)
nth all.efi $((NI + 2)) >got; same got d1 "the first .dtbauto"
nth all.efi $((NI + 3)) >got; same got d2 "the second .dtbauto"
section all.efi .ucode >got; same got ucode ".ucode"

# .hwids, written out by hand: files in path order (a, b, sub/c), devices in
# that order, CHIDs sorted within one, a zero entry, strings sorted, NUL-ended
python3 - <<'P' >want
import struct, sys, uuid
def e(t, g, n, c): return struct.pack('<I', 28 | t << 28) + uuid.UUID(g).bytes_le + struct.pack('<II', n, c)
strs = b'Board A\0Board B\0acme,a\0acme,b\0fw-b\0'   # at 140, 148, 156, 163, 170
sys.stdout.buffer.write(
    e(1, '00000000-1111-2222-3333-444455556666', 148, 163) +
    e(1, 'ffffffff-0000-0000-0000-000000000002', 148, 163) +
    e(2, '00000000-1111-2222-3333-444455556666', 148, 170) +
    e(1, '01020304-0506-0708-090a-0b0c0d0e0f10', 140, 156) + bytes(28) + strs)
P
section all.efi .hwids >got; same got want ".hwids: the table systemd-stub reads"
ln -s .. hw/sub/up
run 0 "" "a symbolic link to a directory under --hwids (a loop here)" \
	build link.efi --devicetree-auto d1 --hwids hw
section link.efi .hwids >got; same got want "is not followed"
printf '\255\336\355\376\020\000\000\000\005\000\000\000\010\000\000\000myfw\000FIRMWARE' >want
section all.efi .efifw >got; same got want ".efifw: header (magic, 16, ID length, payload length), the ID, the firmware"

run 0 "" "--microcode is --ucode" build micro.efi --devicetree dtb --devicetree-auto d1 \
	--devicetree-auto d2 --hwids hw --splash splash --initrd initrd --efifw fw/myfw --microcode ucode
ok "the same bytes" cmp -s all.efi micro.efi
cat >uki.conf <<'C'
[UKI]
Linux=vmlinuz
OSRelease=ID=igos
DeviceTree=dtb
DeviceTreeAuto=d1
  d2
HWIDs=hw
Splash=splash
Initrd=initrd
Firmware=fw/myfw
Microcode=ucode
C
run 0 "" "the same from [UKI] settings" igos-ukify build --stub "$ISTUB" -c uki.conf -o conf.efi
ok "Microcode=, DeviceTreeAuto=, HWIDs=, Firmware= give the same bytes" cmp -s all.efi conf.efi

# the PCR policy covers them, in systemd's order (tests/lib/ukipcr.py)
run 0 "" "--pcr-key over .ucode, .dtbauto, .hwids, .efifw" build signed.efi --devicetree-auto d1 \
	--hwids hw --efifw fw/myfw --ucode ucode --initrd initrd --pcr-key pcr.key
pols() { section "$1" .pcrsig | python3 -c 'import json,sys; print(" ".join(sorted(e["pol"] for e in json.load(sys.stdin)["sha256"])))'; }
want() { python3 "$TESTLIB/ukipcr.py" "$1" 0 | grep -v '^pcr ' | cut -d' ' -f2 | sort | tr '\n' ' ' | sed 's/ $//'; }
is "$(pols signed.efi)" "$(want signed.efi)" "the .pcrsig signs what the stub measures"
run 1 "igos-ukify: --pcr-key: cannot sign a PCR policy over more than one .dtbauto section" \
	"two .dtbauto with --pcr-key" build x.efi --devicetree-auto d1 --devicetree-auto d2 --pcr-key pcr.key

# refusals
run 2 "igos-ukify: --hwids goes with --devicetree-auto or --efifw" "--hwids alone" build x.efi --hwids hw
mkdir bad1 bad2 bad3 empty two
printf '{"type": "devicetree", "name": "x", "hwids": []}' >bad1/x.json
printf '{"type": "devicetree", "name": "x", "compatible": "c", "hwids": ["nope"]}' >bad2/x.json
printf '{"type": "devicetree", "name": "x", "fwid": "f", "hwids": []}' >bad3/x.json
run 1 "igos-ukify: 'bad1/x.json': needs \"compatible\" for type devicetree" \
	"a description without its compatible" build x.efi --devicetree-auto d1 --hwids bad1
run 1 "igos-ukify: 'bad2/x.json': \"hwids\" entry 0 is not a GUID" \
	"a CHID that is not a GUID" build x.efi --devicetree-auto d1 --hwids bad2
run 1 "igos-ukify: 'bad3/x.json': \"fwid\" does not go with type devicetree" \
	"fwid on a devicetree" build x.efi --devicetree-auto d1 --hwids bad3
run 1 "igos-ukify: --hwids 'empty': no *.json files" "no descriptions" build x.efi --devicetree-auto d1 --hwids empty
: >two/a; : >two/b
run 1 "igos-ukify: --efifw 'two' must hold exactly one firmware file, not 2" "two firmware files" build x.efi --efifw two
run 1 "igos-ukify: cannot open directory 'nope': No such file or directory" "a missing directory" build x.efi --efifw nope
ok "no output after the refusals" test ! -e x.efi
