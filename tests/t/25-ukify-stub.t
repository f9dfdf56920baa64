#!/bin/sh
# igos-ukify build: stub fix-ups as ukify does them: a trailing COFF symbol
# table dropped (one elsewhere kept), section raw data and SizeOfHeaders
# rounded up to FileAlignment; inputs from standard input.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/ukify.sh"
need igos-ukify objcopy objdump sbsign python3 "$STUB" \
	"${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-stubx64.efi"
plan 19

mkkernel vmlinuz 6.1.0-99-test
b() { igos-ukify build --linux vmlinuz --os-release ID=x --uname 1 "$@"; }
cat >mkstub.py <<'PY'
# Variants of systemd's stub with the defects old stubs had.
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
pe = struct.unpack_from('<I', d, 0x3c)[0]
opt = pe + 24
sh = opt + struct.unpack_from('<H', d, pe + 20)[0]
n = struct.unpack_from('<H', d, pe + 6)[0]
hdr = {d[sh + 40 * i:sh + 40 * i + 8].rstrip(b'\0').decode(): sh + 40 * i for i in range(n)}
u32 = lambda o: struct.unpack_from('<I', d, o)[0]
def put(o, v): struct.pack_into('<I', d, o, v)
symtab = u32(pe + 12)
last = hdr['.sdmagic']
kind = sys.argv[2]
if kind == 'unaligned':
    # a stripped stub: .sbat and .sdmagic raw data packed at their exact
    # lengths, .sdmagic's pointer not aligned; no symbols
    sb = hdr['.sbat']
    soff, svs = u32(sb + 20), u32(sb + 8)
    off, vs = u32(last + 20), u32(last + 8)
    d = d[:soff] + d[soff:soff + svs] + d[off:off + vs]
    put(sb + 16, svs)
    put(last + 20, soff + svs); put(last + 16, vs)
    put(pe + 12, 0); put(pe + 16, 0)
elif kind == 'midsyms':
    # the symbol table followed by other data: not at the end, so kept
    d += b'trailing'
elif kind == 'intosyms':
    put(last + 16, u32(last + 16) + 0x200)  # .sdmagic's raw data reaches the symbols
elif kind == 'headers':
    put(opt + 60, u32(opt + 60) - 0x10)   # SizeOfHeaders not FileAlignment-aligned
open(sys.argv[3], 'wb').write(d)
PY
sections() { objdump -h "$1" | awk '/^ +[0-9]+ /{print $2, $3, $6}'; }
python3 - "$STUB" >symtab.txt <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read(); pe = struct.unpack_from('<I', d, 0x3c)[0]
print(struct.unpack_from('<I', d, pe + 12)[0], len(d))
PY
read -r symoff stublen <symtab.txt
ok "systemd's stub ends with a COFF symbol table" test "$symoff" -gt 0

run 0 "" "build with systemd's stub" b --stub "$STUB" -o a.efi
is "$(python3 -c "import struct;d=open('a.efi','rb').read();p=struct.unpack_from('<I',d,0x3c)[0];print(struct.unpack_from('<II',d,p+12)+struct.unpack_from('<H',d,p+22))")" \
	"(0, 0, $(python3 -c "import struct;d=open('$STUB','rb').read();p=struct.unpack_from('<I',d,0x3c)[0];print(struct.unpack_from('<H',d,p+22)[0] | 8)"))" \
	"symbol table pointer and count zeroed, LOCAL_SYMS_STRIPPED set"
is "$(objdump -h a.efi | awk '$2 == ".osrel" {print $6}')" "$(printf '%08x' "$symoff")" \
	"the first new section starts where the symbols were"

python3 mkstub.py "$STUB" unaligned un.efi
run 0 "" "a stub with unaligned raw data" b --stub un.efi -o un-uki.efi
is "$(objdump -h un-uki.efi | awk '$2 == ".sdmagic" {print $6}')" \
	"$(printf '%08x' $(( ($(objdump -h un.efi | awk '$2 == ".sdmagic" {print "0x" $6}') + 511) / 512 * 512 )))" \
	"its raw pointer rounded up to FileAlignment"
is "$(section un-uki.efi .sdmagic | od -An -c)" "$(section "$STUB" .sdmagic | od -An -c)" \
	"its contents moved with it"
sbsign --key /dev/null --cert /dev/null un-uki.efi >/dev/null 2>sb.err
nok "sbsign finds no gaps" grep -q gaps sb.err

python3 mkstub.py "$STUB" midsyms mid.efi
run 0 "" "a stub with data after its symbol table" b --stub mid.efi -o mid-uki.efi
is "$(python3 -c "import struct;d=open('mid-uki.efi','rb').read();p=struct.unpack_from('<I',d,0x3c)[0];print(struct.unpack_from('<I',d,p+12)[0])")" \
	"$symoff" "a symbol table not at the end is kept"

python3 mkstub.py "$STUB" headers hdr.efi
run 0 "" "a stub with SizeOfHeaders not FileAlignment-aligned" b --stub hdr.efi -o hdr-uki.efi
is "$(objdump -p hdr-uki.efi | awk '/^SizeOfHeaders/{print $2}')" "00000400" "SizeOfHeaders rounded up"

python3 mkstub.py "$STUB" intosyms into.efi
run 1 "igos-ukify: stub 'into.efi': section .sdmagic runs into the symbol table" \
	"a stub section that overlaps its trailing symbol table" b --stub into.efi -o into-uki.efi

# NX compatibility: kept only when the kernel (a PE) declares it too
IGSTUB=${IGOS_BUILD:-$IGOS_SRC/build}/efi/igos-stubx64.efi
dllchar() { objdump -p "$1" | awk '/^DllCharacteristics/{print $2}'; }
python3 - "$IGSTUB" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read()); pe = struct.unpack_from('<I', d, 0x3c)[0]
struct.pack_into('<H', d, pe + 24 + 70, struct.unpack_from('<H', d, pe + 24 + 70)[0] & ~0x100)
open('nonx.efi', 'wb').write(d)
PY
igos-ukify build --stub "$IGSTUB" --linux "$IGSTUB" --uname 1 -o nx1.efi 2>/dev/null
igos-ukify build --stub "$IGSTUB" --linux nonx.efi --uname 1 -o nx2.efi 2>/dev/null
is "$(dllchar "$IGSTUB") $(dllchar nx1.efi) $(dllchar nx2.efi)" "00000100 00000100 00000000" \
	"NX_COMPAT kept with an NX kernel, cleared with a kernel without it"

cat vmlinuz | igos-ukify build --stub "$STUB" --linux - --os-release ID=x --uname 1 -o stdin.efi 2>/dev/null
same stdin.efi a.efi "--linux - reads the kernel from standard input"

# Without --stub: the stub beside the executable (the build tree's
# build/bin/../efi/), else the installed one.
igos-ukify build --stub "$IGSTUB" --linux vmlinuz --os-release ID=x --uname 1 -o explicit.efi
run 0 "" "build/bin/igos-ukify without --stub" \
	igos-ukify build --linux vmlinuz --os-release ID=x --uname 1 -o beside.efi
same beside.efi explicit.efi "it uses the stub of its build tree (build/efi)"
mkdir -p lone/bin
cp "$(command -v igos-ukify)" lone/bin/
# the install path compiled in (LIBEXECDIR), as make install puts it
inst=$(strings lone/bin/igos-ukify | grep '^/.*/igos-stubx64\.efi$' | head -n 1)
if [ -f "$inst" ]; then
	igos-ukify build --stub "$inst" --linux vmlinuz --os-release ID=x --uname 1 -o inst.efi
	run 0 "" "a copy with no stub beside it uses the installed one" \
		lone/bin/igos-ukify build --linux vmlinuz --os-release ID=x --uname 1 -o lone.efi
	same lone.efi inst.efi "the stub of $inst"
else
	run 1 "igos-ukify: no stub: '$inst' does not exist (make install puts the igos stub there; or give --stub FILE or Stub=)" \
		"a copy with no stub beside it names the install path" \
		lone/bin/igos-ukify build --linux vmlinuz --os-release ID=x --uname 1 -o lone.efi
	ok "no output" test ! -e lone.efi
fi
done_testing
