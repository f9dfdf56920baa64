#!/bin/sh
# igos-ukify build with a hostile stub (issue 18): the COFF symbol table is
# dropped only when it lies after the headers and every section's raw data;
# anywhere else it is a one-line error, exit 1, and nothing is written. The
# first case is the 328-byte stub that made stub_load write out of bounds.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/ukify.sh"
need igos-ukify python3 "$STUB"
plan 20

mkkernel vmlinuz 6.1.0-99-test
mkdir w
printf 'old\n' >w/uki.efi
b() { igos-ukify build --stub "$1" --linux vmlinuz --os-release ID=x --uname 1 -o w/uki.efi; }

cat >mkpe.py <<'PY'
# mkpe.py OUT [symtab=OFF] [nsyms=N] [strsize=N|eof] [sec=NAME:OFF:SIZE]... [fa=N] [soh=N] [tail=N]
# A minimal PE32+ EFI application: 328 bytes of headers, then the sections' raw data.
import struct, sys
out, args = sys.argv[1], dict(a.split('=', 1) for a in sys.argv[2:] if not a.startswith('sec='))
secs = [a[4:].split(':') for a in sys.argv[2:] if a.startswith('sec=')]
soh = int(args.get('soh', str(0x148 + 40 * len(secs))), 0)
end = max([soh] + [int(o, 0) + int(n, 0) for _, o, n in secs])
d = bytearray(end + int(args.get('tail', '0'), 0))
d[0:2] = b'MZ'; struct.pack_into('<I', d, 0x3c, 0x40); d[0x40:0x44] = b'PE\0\0'
struct.pack_into('<HHIIIHH', d, 0x44, 0x8664, len(secs), 0, int(args.get('symtab', '0'), 0),
                 int(args.get('nsyms', '0'), 0), 240, 0x22)
o = 0x58
struct.pack_into('<H', d, o, 0x20b)
struct.pack_into('<II', d, o + 32, 1, int(args.get('fa', '1'), 0))
struct.pack_into('<I', d, o + 60, soh)
struct.pack_into('<H', d, o + 68, 10)
struct.pack_into('<I', d, o + 108, 16)
for i, (name, off, n) in enumerate(secs):
    h = 0x148 + 40 * i
    d[h:h + 8] = name.encode().ljust(8, b'\0')
    struct.pack_into('<IIII', d, h + 8, int(n, 0), 0x1000 * (i + 1), int(n, 0), int(off, 0))
    struct.pack_into('<I', d, h + 36, 0x40000040)
    if name == '.sbat':
        t = b'sbat,1,SBAT Version,sbat,1,https://x\n'
        d[int(off, 0):int(off, 0) + len(t)] = t
if 'strsize' in args:
    at = int(args['symtab'], 0) + 18 * int(args.get('nsyms', '0'), 0)
    v = len(d) - at if args['strsize'] == 'eof' else int(args['strsize'], 0)
    struct.pack_into('<I', d, at, v)
open(out, 'wb').write(d)
PY
python3 mkpe.py evil.efi symtab=8 strsize=eof
is "$(wc -c <evil.efi | tr -d ' ')" 328 "the stub of the issue: 328 bytes"
run 1 "igos-ukify: stub 'evil.efi': COFF symbol table inside the headers" \
	"a symbol table at offset 8 ending at end of file (the attack)" b evil.efi
is "$(cat w/uki.efi)" old "the previous output is kept"
if [ "${SANITIZE:-}" = 1 ]; then
	# an ASan build does not run under valgrind: ASan checks every access itself
	igos-ukify build --stub evil.efi --linux vmlinuz --os-release ID=x --uname 1 \
		-o w/uki.efi >/dev/null 2>vg.err
	is "$? $(grep -c 'Sanitizer' vg.err)" "1 0" "ASan: no invalid access, exit 1"
elif command -v valgrind >/dev/null; then
	valgrind -q --error-exitcode=99 igos-ukify build --stub evil.efi --linux vmlinuz \
		--os-release ID=x --uname 1 -o w/uki.efi >/dev/null 2>vg.err
	is "$? $(grep -c 'Invalid' vg.err)" "1 0" "valgrind: no invalid access, exit 1"
else
	skip "valgrind not installed (make deps)" "valgrind: no invalid access"
fi

# the class: a symbol table (with its string table) anywhere but after everything
python3 mkpe.py hdr2.efi symtab=0x100 strsize=eof sec=.sbat:0x200:0x100
run 1 "igos-ukify: stub 'hdr2.efi': COFF symbol table inside the headers" \
	"in the section table" b hdr2.efi
python3 mkpe.py sec.efi symtab=0x210 strsize=eof sec=.sbat:0x200:0x100
run 1 "igos-ukify: stub 'sec.efi': section .sbat runs into the symbol table" \
	"inside a section's raw data" b sec.efi
python3 mkpe.py gap.efi symtab=0x200 sec=.sbat:0x300:0x100 sec=.text:0x400:0x40 strsize=eof
run 1 "igos-ukify: stub 'gap.efi': COFF symbol table before section .sbat" \
	"between the headers and the first section" b gap.efi
python3 mkpe.py mid.efi symtab=0x380 nsyms=2 sec=.sbat:0x200:0x100 sec=.text:0x300:0x100 strsize=4
run 1 "igos-ukify: stub 'mid.efi': section .text runs into the symbol table" \
	"overlapping a later section" b mid.efi
python3 mkpe.py strpast.efi symtab=0x300 sec=.sbat:0x200:0x100 tail=8 strsize=0x7ffffff0
run 1 "igos-ukify: stub 'strpast.efi': COFF string table past end of file" \
	"a string-table size past the end of file" b strpast.efi
python3 mkpe.py strwrap.efi symtab=0x300 sec=.sbat:0x200:0x100 tail=8 strsize=0xfffffffc
run 1 "igos-ukify: stub 'strwrap.efi': COFF string table past end of file" \
	"a string-table size that would wrap 32 bits" b strwrap.efi
python3 mkpe.py nsyms.efi symtab=0x300 nsyms=0x0fffffff sec=.sbat:0x200:0x100 tail=8
run 1 "igos-ukify: stub 'nsyms.efi': COFF symbol table past end of file" \
	"a symbol count past the end of file" b nsyms.efi
python3 mkpe.py ptr.efi symtab=0xfffffff0 sec=.sbat:0x200:0x100
run 1 "igos-ukify: stub 'ptr.efi': COFF symbol table past end of file" \
	"a symbol table pointer past the end of file" b ptr.efi
is "$(cat w/uki.efi)" old "after each refusal the previous output is kept"
no_temps w "no temporary file left behind"

# what is fine: a symbol table after everything is dropped when it ends the
# file, kept when data follows it (as systemd's ukify does)
python3 mkpe.py end.efi symtab=0x300 nsyms=1 sec=.sbat:0x200:0x100 tail=22 strsize=4 soh=0x200
run 0 "" "a symbol table at the end" b end.efi
is "$(python3 -c "import struct;d=open('w/uki.efi','rb').read();s=struct.unpack_from('<IIHH',d,0x44+8);print((s[0],s[1],s[3]))")" \
	"(0, 0, 42)" "dropped: pointer and count zeroed, LOCAL_SYMS_STRIPPED set"
python3 mkpe.py keep.efi symtab=0x300 nsyms=1 sec=.sbat:0x200:0x100 tail=40 strsize=4 soh=0x200
run 0 "" "a symbol table followed by other data" b keep.efi
is "$(python3 -c "import struct;d=open('w/uki.efi','rb').read();print(struct.unpack_from('<I',d,0x44+8)[0])")" \
	"768" "kept: its pointer unchanged"

# FileAlignment so large that aligning the stub would need gigabytes
python3 mkpe.py fa.efi sec=.sbat:0x200:0x100 fa=0x40000000
run 1 "igos-ukify: stub 'fa.efi': PE FileAlignment 0x40000000 larger than 64 KiB" \
	"a FileAlignment of 1 GiB" b fa.efi
# a real stub with its trailing symbol table pointed into .text
python3 - "$STUB" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read()); pe = struct.unpack_from('<I', d, 0x3c)[0]
struct.pack_into('<II', d, pe + 12, 0x500, 0)
struct.pack_into('<I', d, 0x500, len(d) - 0x500)
open('sdtext.efi', 'wb').write(d)
PY
run 1 "igos-ukify: stub 'sdtext.efi': section .text runs into the symbol table" \
	"systemd's stub with its symbol table pointer moved into .text" b sdtext.efi
done_testing
