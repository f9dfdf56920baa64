#!/bin/sh
# The igos stub picks a UKI's .dtbauto and .efifw by the machine's CHIDs, as
# systemd-stub does: two boots under OVMF + swtpm of one UKI (igos-ukify:
# .dtb, one .dtbauto, .hwids, one .efifw) from a GPT ESP, with qemu -smbios
# type 1 and 2 strings:
# - a machine the .hwids names (its HardwareID-3 for the devicetree entry,
#   HardwareID-9 for the firmware entry, computed here with python's hashlib
#   from the strings given to qemu): the event log holds the .dtbauto and
#   .efifw events, and PCR 11 equals `igos-measure calculate` (which assumes
#   the match) and an openssl computation with both sections;
# - a machine it does not name: neither is measured (no such events), PCR 11
#   is the same UKI's sections without them, and the boot goes on.
# Both boots: the guest sees the SMBIOS strings the CHIDs were made from
# (/sys/class/dmi/id), no stub error line, and (systemd 258) StubDevicePartUUID,
# StubImageIdentifier and StubFeatures with bit 10 in efivarfs, and the
# UKI's .splash (a 24-bit BMP made here, rows padded) on the screen: while the
# guest waits on its serial line, qemu's screendump of q35's VGA (which OVMF's
# graphics output drives) holds the BMP's exact pixels centred on black
# (the kernel keeps off the framebuffer: video=efifb:off; .splash is in both
# PCR 11 values).
# x86 Linux does not read the EFI devicetree table, so which blob was
# installed shows in the guest only through the measurement (the same pick
# is measured and installed: efi/stub.c); the choice among several .dtbauto
# is the unit test's (tests/unit/efi-chid.c).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$IGOS_SRC/tests/vm/stub-lib.sh"
vm_need
UKIFY=${IGOS_BUILD:-$IGOS_SRC/build}/bin/igos-ukify
MEASURE=${IGOS_BUILD:-$IGOS_SRC/build}/bin/igos-measure
need swtpm python3 dtc sfdisk mkfs.vfat mcopy "$STUB_IGOS" "$UKIFY" "$MEASURE"
vm_kernel
plan 24

PARTUUID=3a5c7e9f-1b2d-4e6f-8a0c-2e4f6a8c0e1a
# No blanks: vm_boot_uefi passes -smbios as one word.
MAN=IgosLabs FAM=TestFamily PROD=Board42 SKU=SKU-7 BMAN=IgosBoards BPROD=BB-1
MATCH="type=1,manufacturer=$MAN,family=$FAM,product=$PROD,sku=$SKU"
BOARD="type=2,manufacturer=$BMAN,product=$BPROD"
OTHER="type=1,manufacturer=$MAN,family=$FAM,product=Board43,sku=SKU-8"
stub_parts "console=ttyS0 quiet video=efifb:off"

# Microsoft's CHID: a name-based UUID (SHA-1) of the fields joined by '&' as
# UTF-16LE, in namespace 70ffd812-4c7f-4c7d-0000-000000000000.
chid() {
	python3 -c 'import hashlib, sys, uuid
ns = uuid.UUID("70ffd812-4c7f-4c7d-0000-000000000000")
h = hashlib.sha1(ns.bytes + "&".join(sys.argv[1:]).encode("utf-16-le")).digest()
print(uuid.UUID(bytes=h[:16], version=5))' "$@"
}
CHID3=$(chid "$MAN" "$FAM" "$PROD" "$SKU" "$BMAN" "$BPROD")
CHID9=$(chid "$MAN" "$PROD")
mkdir hw fw fw/igos-vm-fw
cat >hw/vm.json <<EOF
{"type": "devicetree", "name": "igos VM", "compatible": "igos,vm", "hwids": ["$CHID3"]}
EOF
cat >hw/fw.json <<EOF
{"type": "uefi-fw", "name": "igos VM firmware", "fwid": "igos-vm-fw", "hwids": ["$CHID9"]}
EOF
printf 'a firmware blob' >fw/igos-vm-fw/blob.bin
for c in vm plain; do
	printf '/dts-v1/;\n/ { compatible = "igos,%s", "igos,soc"; model = "igos %s"; };\n' $c $c |
		dtc -q -I dts -O dtb -o $c.dtb -
done
ok "devicetrees (dtc)" test -s vm.dtb -a -s plain.dtb

# The splash and the screen check: 50x30 pixels (150-byte rows, padded to
# 152), bottom-up, each pixel a colour of its own position, none black.
SPLASH_PY='
W, H = 50, 30
def px(x, y):  # (r, g, b) of the top-down pixel (x, y)
    return (40 + 4 * x, 250 - 5 * y, 128 + ((x ^ y) & 63))
'
python3 -c "$SPLASH_PY"'
import struct, sys
rows = b""
for y in reversed(range(H)):
    r = b"".join(bytes((b, g, r)) for r, g, b in (px(x, y) for x in range(W)))
    rows += r + bytes(-len(r) % 4)
sys.stdout.buffer.write(b"BM" + struct.pack("<IHHI", 54 + len(rows), 0, 0, 54) +
    struct.pack("<IiiHHIIiiII", 40, W, H, 1, 24, 0, len(rows), 2835, 2835, 0, 0) + rows)' >splash.bmp
splash_on_screen() { # PPM: the BMP centred, every other pixel black
	python3 -c "$SPLASH_PY"'
import re, sys
d = open(sys.argv[1], "rb").read()
m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", d)
assert m, "not a P6 PPM"
w, h, p = int(m[1]), int(m[2]), d[m.end():]
assert len(p) == w * h * 3, "truncated PPM"
x0, y0 = (w - W) // 2, (h - H) // 2
bad = 0
for y in range(h):
    for x in range(w):
        want = px(x - x0, y - y0) if 0 <= x - x0 < W and 0 <= y - y0 < H else (0, 0, 0)
        if tuple(p[(y * w + x) * 3:(y * w + x) * 3 + 3]) != want:
            bad += 1
print("%dx%d screen, %d pixels differ" % (w, h, bad), file=sys.stderr)
sys.exit(bad != 0)' "$1"
}
# A boot whose guest waits (IGOS-SPLASH-WAIT) on its serial line: the
# screen is dumped to PPM through the monitor, then a newline lets it go on.
boot_with_dump() { # LOG PPM vm_boot_uefi-options...
	_bl=$1 _bp=$PWD/$2; shift 2
	rm -f in.fifo "$_bp"
	mkfifo in.fifo
	(
		_i=0
		until grep -aq IGOS-SPLASH-WAIT "$_bl" 2>/dev/null; do
			[ $_i -lt 600 ] || exit 1
			sleep 0.5; _i=$((_i + 1))
		done
		vm_screendump "$MON/sock" "$_bp" || echo "# screendump failed" >&2
		printf '\n'
	) >in.fifo &
	_feeder=$!
	vm_boot_uefi esp.img "$_bl" --monitor "$MON/sock" --stdin in.fifo "$@"
	kill "$_feeder" 2>/dev/null
	wait "$_feeder" 2>/dev/null
	rm -f in.fifo
}

cat >init.sh <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
vm-load-modules
mount -t efivarfs efivarfs /sys/firmware/efi/efivars || echo IGOS-EFIVARFS-FAILED
mount -t securityfs securityfs /sys/kernel/security
echo "IGOS-PCR11:$(cat /sys/class/tpm/tpm0/pcr-sha256/11 2>&1)"
D=/sys/class/dmi/id
echo "IGOS-DMI:$(cat $D/sys_vendor $D/product_family $D/product_name $D/product_sku $D/board_vendor $D/board_name | tr '\n' ' ')"
# The stub's events name their section in UTF-16: count the names.
L=/sys/kernel/security/tpm0/binary_bios_measurements
for n in dtbauto efifw hwids; do
	echo "IGOS-EVENTS-$n:$(tr -d '\000' <$L | grep -a -o "\\.$n" | wc -l)"
done
V=/sys/firmware/efi/efivars G=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
for n in StubDevicePartUUID StubImageIdentifier; do
	echo "IGOS-VAR-$n:$(tail -c +5 "$V/$n-$G" 2>/dev/null | tr -d '\000')"
done
echo "IGOS-VAR-StubFeatures:$(tail -c +5 "$V/StubFeatures-$G" 2>/dev/null | od -An -tx1 | tr -d ' \n')"
echo IGOS-SPLASH-WAIT
read -r _
echo IGOS-TEST-DONE
poweroff -f
INIT
ok "initrd with efivarfs" vm_initrd initrd.img --modules efivarfs --init init.sh
ok "UKI with .dtb, .dtbauto, .hwids, .efifw (igos-ukify)" \
	"$UKIFY" build --stub "$STUB_IGOS" --linux vmlinuz --initrd initrd.img --cmdline @cmdline \
	--os-release @osrel --uname "$(cat uname)" --devicetree plain.dtb --devicetree-auto vm.dtb \
	--hwids hw --efifw fw/igos-vm-fw --splash splash.bmp -o uki.efi
for s in .sbat .hwids .efifw; do
	python3 "$TESTLIB/pe-section.py" uki.efi $s >"sec$s"
done
meas=$("$MEASURE" calculate -b sha256 --phase '' uki.efi 2>/dev/null | sed -n 's/^11:sha256=//p')
want=$(pcr11_expect .linux=vmlinuz .osrel=osrel .cmdline=cmdline .initrd=initrd.img .splash=splash.bmp .dtb=plain.dtb \
	.uname=uname .sbat=sec.sbat .dtbauto=vm.dtb .hwids=sec.hwids .efifw=sec.efifw)
none=$(pcr11_expect .linux=vmlinuz .osrel=osrel .cmdline=cmdline .initrd=initrd.img .splash=splash.bmp .dtb=plain.dtb \
	.uname=uname .sbat=sec.sbat .hwids=sec.hwids)
is "$meas" "$want" "igos-measure calculate = the openssl computation with .splash, .dtbauto and .efifw"

mkdir esp
vm_esp esp uki.efi
ok "GPT ESP image" vm_esp_image esp.img esp "$PARTUUID"
[ "${TAP_FAILED:-0}" -eq 0 ] || { diag "set-up failed, no boot"; exit 1; }
# Short path: a unix socket name is limited to 108 bytes.
MON=$(mktemp -d /tmp/igos-mon.XXXXXX)

boot_checks() { # LOG WHAT
	is "$(serial_value "$1" IGOS-VAR-StubDevicePartUUID | tr 'A-F' 'a-f')" "$PARTUUID" \
		"$2: StubDevicePartUUID is the ESP's partition UUID"
	is "$(serial_value "$1" IGOS-VAR-StubImageIdentifier)" '\EFI\BOOT\BOOTX64.EFI' \
		"$2: StubImageIdentifier is the UKI's path"
	is "$(serial_value "$1" IGOS-VAR-StubFeatures)" 0f07000000000000 \
		"$2: StubFeatures with bit 10 (stub partition)"
	nok "$2: no stub error line" grep -q "igos-stub:" "$1"
	ok "$2: the .splash BMP centred on a black screen (screendump)" splash_on_screen "${1%.log}.ppm"
}

boot_with_dump match.log match.ppm --insecure --tpm --timeout 200 --smbios "$MATCH" --smbios "$BOARD"
is "$(serial_value match.log IGOS-DMI)" "$MAN $FAM $PROD $SKU $BMAN $BPROD " \
	"the guest sees the SMBIOS strings the CHIDs were made from"
is "$(serial_value match.log IGOS-EVENTS-dtbauto)" 2 "matching machine: .dtbauto measured (name and content events)"
is "$(serial_value match.log IGOS-EVENTS-efifw)" 2 "matching machine: .efifw measured"
is "$(serial_value match.log IGOS-PCR11 | tr 'A-F' 'a-f')" "$meas" \
	"matching machine: PCR 11 = igos-measure calculate"
boot_checks match.log "matching machine"

boot_with_dump other.log other.ppm --insecure --tpm --timeout 200 --smbios "$OTHER" --smbios "$BOARD"
is "$(serial_value other.log IGOS-EVENTS-dtbauto):$(serial_value other.log IGOS-EVENTS-efifw)" 0:0 \
	"other machine: neither .dtbauto nor .efifw measured"
is "$(serial_value other.log IGOS-EVENTS-hwids)" 2 "other machine: .hwids still measured"
is "$(serial_value other.log IGOS-PCR11 | tr 'A-F' 'a-f')" "$none" \
	"other machine: PCR 11 = the sections without .dtbauto and .efifw"
ok "the two PCR 11 values differ" test "$none" != "$meas"
ok "other machine: the kernel ran" grep -q "IGOS-TEST-DONE" other.log
boot_checks other.log "other machine"
rm -rf "$MON"
done_testing
