#!/bin/sh
# igos-ukify build: contents and order of the sections, PE layout rules,
# peers (objdump, sbsign, sbverify), determinism, output to stdout.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/ukify.sh"
need igos-ukify igos-sign objcopy objdump sbsign sbverify python3 "$STUB" \
	"${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-stubx64.efi"
plan 53

mkkernel vmlinuz 6.1.0-99-test 300001
head -c 100001 /dev/urandom >initrd1
head -c 5000 /dev/urandom >initrd2
head -c 7 /dev/urandom >initrd3
printf 'ID=igos\nNAME="igos test"\n' >osrel
head -c 3000 /dev/urandom >dtb
head -c 4000 /dev/urandom >splash
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null | openssl pkey -pubout >pcrpkey
printf '{"sha256":[]}' >pcrsig
printf 'extra data\n' >extra.txt

build() { # OUT [extra options]
	_o=$1; shift
	igos-ukify build --stub "$STUB" --linux vmlinuz --initrd initrd1 --initrd initrd2 \
		--initrd initrd3 --cmdline "  root=/dev/vda1	 ro
  quiet " --os-release @osrel --devicetree dtb --splash splash -o "$_o" "$@"
}
names() { objdump -h "$1" | awk '/^ +[0-9]+ /{print $2}' | tr '\n' ' '; }
STUBSECS=".text .reloc .data .dynamic .rela .dynsym .sbat .sdmagic"

# Debian 12's stub has header room for 7 more sections: two builds cover all.
run 0 "" "build with the standard sections" build uki.efi
is "$(names uki.efi)" "$STUBSECS .osrel .cmdline .dtb .uname .splash .initrd .linux " \
	"objdump reads it; sections in ukify's order after the stub's"
run 0 "" "build with .pcrpkey, .pcrsig and extra sections" igos-ukify build --stub "$STUB" \
	--linux vmlinuz --os-release @osrel --pcrpkey pcrpkey --pcrsig pcrsig \
	--section .extra:@extra.txt --section .note:hello -o more.efi
is "$(names more.efi)" "$STUBSECS .osrel .uname .pcrpkey .extra .note .linux .pcrsig " \
	"extra sections before .linux, .pcrsig last"

section uki.efi .linux >got; same got vmlinuz ".linux is the kernel"
for f in initrd1 initrd2 initrd3; do
	cp $f pad.$f; n=$(wc -c <$f); truncate -s $(( (n + 3) / 4 * 4 )) pad.$f
done
cat pad.initrd1 pad.initrd2 pad.initrd3 >want
section uki.efi .initrd >got; same got want ".initrd: several initrds each zero-padded to 4 bytes"
is "$(section uki.efi .cmdline | od -An -c | tr -s ' ')" "$(printf 'root=/dev/vda1 ro quiet' | od -An -c | tr -s ' ')" \
	".cmdline: white space collapsed, no newline"
section uki.efi .osrel >got; same got osrel ".osrel is the file, verbatim"
is "$(section uki.efi .uname)" "6.1.0-99-test" ".uname read from the bzImage header"
section uki.efi .dtb >got; same got dtb ".dtb"
section uki.efi .splash >got; same got splash ".splash"
section more.efi .pcrpkey >got; same got pcrpkey ".pcrpkey"
section more.efi .pcrsig >got; same got pcrsig ".pcrsig"
section more.efi .extra >got; same got extra.txt "--section NAME:@FILE"
is "$(section more.efi .note)" "hello" "--section NAME:TEXT"

# .sbat: header, the stub's own lines, the UKI line, "\n\0"
{
	echo 'sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md'
	section "$STUB" .sbat | tr -d '\000' | tail -n +2
	echo 'uki,1,UKI,uki,1,https://uapi-group.org/specifications/specs/unified_kernel_image/'
	printf '\000'
} >want
section uki.efi .sbat >got; same got want ".sbat: stub's lines and the UKI line merged, ending with a newline and a NUL"

# PE layout, checked by an independent reading of the headers.
cat >pecheck.py <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
stub = open(sys.argv[2], 'rb').read()
u16 = lambda o: struct.unpack_from('<H', d, o)[0]
u32 = lambda o: struct.unpack_from('<I', d, o)[0]
pe = u32(0x3c); nsec = u16(pe + 6); optsz = u16(pe + 20); opt = pe + 24
sa, fa = u32(opt + 32), u32(opt + 36)
soi, soh, csum = u32(opt + 56), u32(opt + 60), u32(opt + 64)
shdr = opt + optsz
nstub = u16(struct.unpack_from('<I', stub, 0x3c)[0] + 6)
secs = []
for i in range(nsec):
    h = shdr + 40 * i
    name = d[h:h + 8].rstrip(b'\0').decode()
    vs, va, rs, ro, fl = u32(h + 8), u32(h + 12), u32(h + 16), u32(h + 20), u32(h + 36)
    secs.append((name, vs, va, rs, ro, fl))
bad = []
if shdr + 40 * nsec > soh: bad.append('section headers past SizeOfHeaders')
if soh % fa: bad.append('SizeOfHeaders not FileAlignment-aligned')
for (name, vs, va, rs, ro, fl) in secs[nstub:]:
    if va % 4096: bad.append(name + ' VirtualAddress not on a 4 KiB boundary')
    if va % sa: bad.append(name + ' VirtualAddress not SectionAlignment-aligned')
    if ro % fa or rs % fa: bad.append(name + ' raw pointer/size not FileAlignment-aligned')
    if rs < vs: bad.append(name + ' raw data shorter than VirtualSize')
    if fl & 0x20000000: bad.append(name + ' executable')
    want = 0x40000020 if name == '.linux' else 0x40000040
    if fl != want: bad.append(name + ' flags %x' % fl)
for (a, b) in zip(secs[nstub - 1:], secs[nstub:]):
    if b[2] < a[2] + a[1]: bad.append(b[0] + ' overlaps ' + a[0] + ' in memory')
raw = sorted((s for s in secs if s[3]), key=lambda s: s[4])
for (a, b) in zip(raw, raw[1:]):
    if b[4] < a[4] + a[3]: bad.append(b[0] + ' overlaps ' + a[0] + ' in the file')
    if b[4] > a[4] + a[3]: bad.append('gap before ' + b[0] + ' in the file')
last = max(secs, key=lambda s: s[2])
if soi != -(-(last[2] + last[1]) // max(sa, 4096)) * max(sa, 4096): bad.append('SizeOfImage %x' % soi)
if raw[-1][4] + raw[-1][3] != len(d): bad.append('data after the last section')
if u32(pe + 12) or u32(pe + 16): bad.append('COFF symbol table left')
if csum: bad.append('CheckSum %x' % csum)
print('\n'.join(bad))
PY
is "$(python3 pecheck.py more.efi "$STUB")" "" "layout of the second build too"
is "$(python3 pecheck.py uki.efi "$STUB")" "" \
	"layout: 4 KiB VAs, aligned raw data, no overlap or gap, SizeOfImage, headers fit, no symbols"
is "$(objdump -p uki.efi | awk '/^SizeOfImage/{print $2}')" \
	"$(python3 -c "import struct;d=open('uki.efi','rb').read();p=struct.unpack_from('<I',d,0x3c)[0];print('%08x'%struct.unpack_from('<I',d,p+24+56)[0])")" \
	"objdump agrees on SizeOfImage"

cp "$STUB" stub.efi
sbsign --key /dev/null --cert /dev/null stub.efi >/dev/null 2>sbsign.err
ok "the stub alone makes sbsign warn about gaps (its symbol table)" grep -q "gaps between" sbsign.err
openssl req -x509 -newkey rsa:2048 -nodes -keyout db.key -out db.crt -subj /CN=test -days 30 2>/dev/null
run 0 "*" "sbsign signs the UKI" sbsign --key db.key --cert db.crt --output signed.efi uki.efi
nok "no 'gaps between sections' warning from sbsign" grep -q "gaps" err
run 0 "*" "sbverify accepts it" sbverify --cert db.crt signed.efi
nok "sbverify prints no warning" grep -qi "warning" err
chmod 600 db.key
run 0 "" "igos-sign signs the UKI" igos-sign sign -k db.key -c db.crt -o isigned.efi uki.efi
run 0 "*" "sbverify accepts the igos-sign signature" sbverify --cert db.crt isigned.efi
nok "no warning from sbverify" grep -qi "warning" err

build again.efi >/dev/null 2>&1
same uki.efi again.efi "deterministic: two runs give the same bytes"
build - >stdout.efi 2>/dev/null
same uki.efi stdout.efi "-o - writes the same bytes to standard output"
build - 2>/dev/null | igos-ukify inspect --section .uname /dev/stdin >piped
is "$(cat piped)" "6.1.0-99-test" "-o - works in a pipeline"
no_temps . "no temporary file left"
is "$(stat -c %a uki.efi)" "644" "output mode follows the umask"

# one initrd: verbatim, no padding
run 0 "" "build with one initrd and defaults" igos-ukify build --stub "$STUB" --linux vmlinuz \
	--initrd initrd3 -o one.efi
section one.efi .initrd >got; same got initrd3 ".initrd: a single initrd is used verbatim"
section one.efi .osrel >got
if [ -f /etc/os-release ]; then same got /etc/os-release ".osrel defaults to /etc/os-release"
else same got /usr/lib/os-release ".osrel defaults to /usr/lib/os-release"; fi
nok "no .cmdline without --cmdline" sh -c "objdump -h one.efi | grep -q ' .cmdline '"

# --uname wins; a kernel without a version: a warning, no .uname
run 0 "" "--uname given" igos-ukify build --stub "$STUB" --linux vmlinuz --uname 9.9.9-x -o u2.efi
is "$(section u2.efi .uname)" "9.9.9-x" "--uname is used as given"
head -c 20000 /dev/zero >plain
# the igos stub (efi/, page-sized .sbat): layout rules, and no overlap at all
IGSTUB=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-stubx64.efi
run 0 "" "build with the igos stub" igos-ukify build --stub "$IGSTUB" --linux vmlinuz \
	--initrd initrd1 --cmdline quiet --os-release @osrel -o ig.efi
is "$(python3 pecheck.py ig.efi "$IGSTUB")" "" "layout rules hold with the igos stub"
is "$(objdump -h ig.efi | python3 -c '
import sys
secs = sorted((int(l.split()[3], 16), int(l.split()[2], 16), l.split()[1]) for l in sys.stdin
              if l[:1] == " " and l.split()[0].isdigit())
for (a, b) in zip(secs, secs[1:]):
    if b[0] < a[0] + a[1]: print(b[2], "overlaps", a[2])
')" "" \
	"with the igos stub no section overlaps another in memory, .sbat included"

run 0 "igos-ukify: cannot find the kernel version in 'plain': no .uname section (give --uname)" \
	"a kernel with no version string: warned, built" igos-ukify build --stub "$STUB" --linux plain -o u3.efi

# @FILE from procfs and sysfs, whose stat size is 0 or 4096, not their content's:
# read to their end like a pipe, the section holds exactly what cat shows
for f in /proc/cmdline /proc/self/mountinfo /sys/kernel/uevent_seqnum; do
	cat "$f" >want 2>/dev/null || { skip 1 "no $f"; continue; }
	igos-ukify build --stub "$STUB" --linux vmlinuz --uname 6.1 --cmdline "@$f" -o pf.efi 2>err
	section pf.efi .cmdline >got
	ok "--cmdline @$f: the section is the file's content" cmp -s want got
done
# Empty texts as systemd's ukify takes them (its finalize_options and make_uki,
# which write a section only for a value that is not empty)
run 0 "" "--cmdline of white space only" igos-ukify build --stub "$STUB" --linux vmlinuz \
	--cmdline "   	
 " -o ws.efi
nok "white space only: no .cmdline section" sh -c "objdump -h ws.efi | grep -q ' .cmdline '"
run 0 "" "--os-release ''" igos-ukify build --stub "$STUB" --linux vmlinuz --os-release '' -o eo.efi
section eo.efi .osrel >got
if [ -f /etc/os-release ]; then same got /etc/os-release "--os-release '' falls back to /etc/os-release"
else same got /usr/lib/os-release "--os-release '' falls back to /usr/lib/os-release"; fi
run 0 "" "--uname '': no guessing, no warning" igos-ukify build --stub "$STUB" --linux vmlinuz \
	--uname '' -o eu.efi
nok "--uname '': no .uname section" sh -c "objdump -h eu.efi | grep -q ' .uname '"
# .linux VirtualSize is the kernel file's length, not its SizeOfImage (the
# stub lays the kernel out in SizeOfImage bytes of its own; see the man page)
run 0 "" "a PE kernel" igos-ukify build --stub "$STUB" --linux "$IGSTUB" --uname 1 -o pek.efi
is "$(objdump -h pek.efi | awk '$2 == ".linux" {print $3}')" \
	"$(printf '%08x' "$(wc -c <"$IGSTUB")")" ".linux VirtualSize: the kernel file's length"
done_testing
