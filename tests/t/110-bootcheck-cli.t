#!/bin/sh
# igos-bootcheck's command line and bad input: usage errors (exit 2), variables
# that are truncated or hold malformed signature lists, boot entries that do
# not parse, an ESP with symbolic-link loops, missing files, a directory or a
# FIFO where an image should be, a file that is no PE: each one clear line,
# the right exit status, no crash, no hang.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/mok.sh"
. "$TESTLIB/bootcheck.sh"
SHIM_DIR=/usr/lib/shim
need igos-bootcheck igos-sign igos-ukify grub-mkimage python3 xxd openssl timeout mkfifo \
	"$SHIM_DIR/shimx64.efi" "$BC_MARKER" "$BC_STUB"
plan 33

USAGE="usage: igos-bootcheck [-e|--esp DIR] [-E|--efivars DIR] [-j|--json] [-v|--verbose]
       igos-bootcheck -h|--help | -V|--version"
run 0 "" "--help" igos-bootcheck --help
is "$OUT" "$USAGE" "--help prints the usage on stdout"
run 0 "" "--version" igos-bootcheck --version
is "$OUT" "igos-bootcheck 0.1" "--version"
run 2 "igos-bootcheck: unknown option '--bogus'" "unknown option: exit 2, one line" igos-bootcheck --bogus
run 2 "igos-bootcheck: unknown option '--es'" "--es is not taken for --esp" igos-bootcheck --es x
run 2 "igos-bootcheck: unexpected operand 'x'" "an operand: exit 2" igos-bootcheck x
run 2 "igos-bootcheck: --esp given twice" "--esp twice" igos-bootcheck --esp a --esp b
run 2 "igos-bootcheck: --efivars given twice" "--efivars twice" igos-bootcheck --efivars a --efivars b
run 2 "igos-bootcheck: --esp: empty directory name" "--esp ''" igos-bootcheck --esp ''

bc_chain
bc_esp esp0 shim.signed grub.signed
cp uki.signed esp0/EFI/Linux/uki.efi
bc_mk good
bc_run good 0 "" "the chain built here passes"

# ---- the variables ----
mkdir empty.esp
run 1 "igos-bootcheck: cannot open 'nope': No such file or directory" "--efivars that does not exist" \
	igos-bootcheck --efivars nope --esp empty.esp
bc_mk v-short
printf '\006\000' >v-short.ev/db-$SECURITY_GUID
bc_run v-short 1 "igos-bootcheck: cannot read 'v-short.ev/db-$SECURITY_GUID': 2 bytes, shorter than the attribute word" \
	"a variable file shorter than its attribute word"
bc_mk v-sb
printf '\001\001' | efivar v-sb.ev SecureBoot $GLOBAL_GUID 06000000
bc_run v-sb 1 "igos-bootcheck: SecureBoot: 2 bytes, expected 1" "SecureBoot of two bytes"
bc_mk v-dbx
esl_x509 keys/other.der | head -c 100 | efivar v-dbx.ev dbx $SECURITY_GUID 27000000
bc_run v-dbx 1 "igos-bootcheck: dbx: signature list 1 at offset 0: SignatureListSize $(($(wc -c <keys/other.der) + 44)) exceeds the 100 bytes left: revocations cannot be judged" \
	"a truncated signature list in dbx: no judgement"
bc_mk v-db
{ esl_x509 keys/db.der; printf 'xxxxxxxxxxxxxxxx'; } | efivar v-db.ev db $SECURITY_GUID 27000000
bc_run v-db 0 "igos-bootcheck: db: signature list 2 at offset $(($(wc -c <keys/db.der) + 44)): 16 bytes left, a header needs 28: the lists after it are not used" \
	"junk after db's lists: one warning, the lists before it used"
bc_mk v-mokx
G='not a list at all, longer than a header'
printf '%s' "$G" | efivar v-mokx.ev MokListXRT $SHIM_GUID 06000000
gl=$(printf '%s' "$G" | tail -c +17 | head -c 4 | od -An -tu4 | tr -d ' ')
bc_run v-mokx 1 "igos-bootcheck: MokListXRT: signature list 1 at offset 0: SignatureListSize $gl exceeds the 39 bytes left: revocations cannot be judged" \
	"garbage in MokListXRT: no judgement"
bc_mk v-order
printf '\001\000\002' | efivar v-order.ev BootOrder $GLOBAL_GUID 07000000
bc_run v-order 1 "igos-bootcheck: BootOrder has an odd length (3 bytes)" "BootOrder of odd length"
bc_mk v-boot
bc_loadopt 'cut short' '\EFI\BOOT\BOOTX64.EFI' | head -c 20 | efivar v-boot.ev Boot0001 $GLOBAL_GUID 07000000
bc_le16 1 | efivar v-boot.ev BootOrder $GLOBAL_GUID 07000000
bc_run v-boot 0 "igos-bootcheck: Boot0001: load option description not terminated: skipped, as the firmware skips it" \
	"a truncated Boot#### is skipped with one line"
bc_mk v-level
printf 'sbat,1,2099010100\n\n' | efivar v-level.ev SbatLevelRT $SHIM_GUID 06000000
bc_run v-level 0 "" "an SbatLevelRT without revocations: shim keeps it, nothing below it"
bc_mk v-loop
rm v-loop.ev/db-$SECURITY_GUID && ln -s db-$SECURITY_GUID v-loop.ev/db-$SECURITY_GUID
bc_run v-loop 1 "igos-bootcheck: cannot open 'v-loop.ev/db-$SECURITY_GUID': Too many levels of symbolic links" \
	"a variable that is a symbolic-link loop"

# ---- the ESP ----
run 1 "igos-bootcheck: cannot open 'nope': No such file or directory" "--esp that does not exist" \
	igos-bootcheck --efivars ev0 --esp nope
bc_mk e-noshim
rm e-noshim.esp/EFI/BOOT/BOOTX64.EFI
bc_run e-noshim 1 "igos-bootcheck: EFI/BOOT/BOOTX64.EFI: refused by firmware: no image: cannot open 'e-noshim.esp/EFI/BOOT/BOOTX64.EFI': No such file or directory" \
	"no first stage"
bc_mk e-loop
rm e-loop.esp/EFI/BOOT/BOOTX64.EFI && ln -s BOOTX64.EFI e-loop.esp/EFI/BOOT/BOOTX64.EFI
bc_run e-loop 1 "igos-bootcheck: EFI/BOOT/BOOTX64.EFI: refused by firmware: no image: cannot open 'e-loop.esp/EFI/BOOT/BOOTX64.EFI': Too many levels of symbolic links" \
	"the first stage a symbolic-link loop"
bc_mk e-dirloop
rm -r e-dirloop.esp/EFI/Linux && ln -s Linux e-dirloop.esp/EFI/Linux
bc_run e-dirloop 1 "igos-bootcheck: EFI/Linux: refused by GRUB: no image: no UKI to start: cannot open 'e-dirloop.esp/EFI/Linux': Too many levels of symbolic links" \
	"EFI/Linux a symbolic-link loop"
bc_mk e-ukiloop
ln -s x.efi e-ukiloop.esp/EFI/Linux/x.efi
bc_run e-ukiloop 1 "igos-bootcheck: EFI/Linux/x.efi: not checked: cannot open 'e-ukiloop.esp/EFI/Linux/x.efi': Too many levels of symbolic links" \
	"a UKI that is a symbolic-link loop: not checked, and that fails"
is "$(printf '%s\n' "$OUT" | grep -c 'EFI/Linux/uki.efi: passes')" 1 "... the other UKI is still judged"
bc_mk e-up
ln -s .. e-up.esp/EFI/Linux/up
bc_run e-up 0 "" "a directory loop inside EFI/Linux is not followed"
bc_mk e-dir
rm e-dir.esp/EFI/BOOT/grubx64.efi && mkdir e-dir.esp/EFI/BOOT/grubx64.efi
bc_run e-dir 1 "igos-bootcheck: EFI/BOOT/grubx64.efi: refused by shim: no image: cannot read 'e-dir.esp/EFI/BOOT/grubx64.efi': not a regular file" \
	"a directory where GRUB should be"
bc_mk e-fifo
mkfifo e-fifo.esp/EFI/Linux/fifo.efi
bc_run e-fifo 1 "igos-bootcheck: EFI/Linux/fifo.efi: not checked: cannot read 'e-fifo.esp/EFI/Linux/fifo.efi': not a regular file" \
	"a FIFO among the UKIs: no hang"
bc_mk e-notpe
printf 'MZ but nothing else' >e-notpe.esp/EFI/BOOT/BOOTX64.EFI
bc_run e-notpe 1 "igos-bootcheck: EFI/BOOT/BOOTX64.EFI: refused by firmware: malformed image: truncated PE headers" \
	"a first stage that is no PE"
bc_mk e-empty
: >e-empty.esp/EFI/BOOT/grubx64.efi
bc_run e-empty 1 "igos-bootcheck: EFI/BOOT/grubx64.efi: refused by shim: malformed image: not a PE/COFF image (no MZ header)" \
	"an empty second stage"
bc_mk e-badvendor
python3 - shim.efi bv.efi <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
pe = struct.unpack_from('<I', d, 0x3c)[0]
symoff, nsym = struct.unpack_from('<II', d, pe + 12)
n = struct.unpack_from('<H', d, pe + 6)[0]; o = struct.unpack_from('<H', d, pe + 20)[0]
st = symoff + 18 * nsym
for i in range(n):
    h = pe + 24 + o + 40 * i
    nm = d[h:h + 8].rstrip(b'\0')
    if nm.startswith(b'/'):
        off = st + int(nm[1:]); nm = d[off:d.index(b'\0', off)]
    if nm == b'.vendor_cert':
        ro = struct.unpack_from('<I', d, h + 20)[0]
        struct.pack_into('<I', d, ro, 0x7fffffff)
open(sys.argv[2], 'wb').write(d)
PY
bc_sign db e-badvendor.esp/EFI/BOOT/BOOTX64.EFI bv.efi
bc_run e-badvendor 1 "igos-bootcheck: EFI/BOOT/BOOTX64.EFI: refused by shim: malformed image: shim's .vendor_cert: a list lies outside the section" \
	"shim whose .vendor_cert points outside itself"
done_testing
