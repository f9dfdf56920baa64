#!/bin/sh
# igos-ukify inspect: text and JSON figures per section (size = VirtualSize,
# sha256 of those bytes), raw section bytes with --section, errors.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/ukify.sh"
need igos-ukify objcopy objdump python3 sha256sum "$STUB"
plan 15

mkkernel vmlinuz 6.1.0-99-test 100000
head -c 5001 /dev/urandom >initrd
printf 'ID=igos\nNAME="igos \\"test\\""\n' >osrel
igos-ukify build --stub "$STUB" --linux vmlinuz --initrd initrd --os-release @osrel \
	--cmdline "ro quiet" -o uki.efi

run 0 "" "inspect --json" igos-ukify inspect --json uki.efi
printf '%s\n' "$OUT" >j.json
cat >check.py <<'PY'
import json, sys, hashlib, subprocess
j = json.load(open('j.json'))
names = [l.split()[1] for l in subprocess.run(['objdump', '-h', 'uki.efi'], capture_output=True,
         text=True).stdout.splitlines() if l[:1] == ' ' and l.split()[0].isdigit()]
bad = []
if list(j) != names: bad.append('keys %s != objdump %s' % (list(j), names))
for n in names:
    subprocess.run(['objcopy', '-O', 'binary', '--only-section=' + n, 'uki.efi', 'sec.bin'], check=True)
    d = open('sec.bin', 'rb').read()
    if j[n]['size'] != len(d): bad.append(n + ' size')
    if j[n]['sha256'] != hashlib.sha256(d).hexdigest(): bad.append(n + ' sha256')
    text = n in ('.cmdline', '.osrel', '.uname', '.sbat')
    if text != ('text' in j[n]): bad.append(n + ' text presence')
    if text and j[n]['text'] != d.decode(): bad.append(n + ' text')
print('\n'.join(bad))
PY
is "$(python3 check.py)" "" "JSON: every section in PE order; size, sha256, text agree with objcopy's bytes"
is "$(python3 -c 'import json;print(json.load(open("j.json"))[".osrel"]["text"], end="")')" \
	"$(cat osrel)" "JSON text escapes quotes and newlines"

run 0 "" "inspect (text)" igos-ukify inspect uki.efi
want=$(printf '.cmdline:\n  size: 8 bytes\n  sha256: %s\n  text:\n    ro quiet' \
	"$(printf 'ro quiet' | sha256sum | cut -d' ' -f1)")
is "$(printf '%s\n' "$OUT" | grep -A4 '^\.cmdline:')" "$want" "text form of a text section"
want=$(printf '.initrd:\n  size: 5001 bytes\n  sha256: %s' "$(sha256sum <initrd | cut -d' ' -f1)")
is "$(printf '%s\n' "$OUT" | grep -A2 '^\.initrd:')" "$want" "text form of a binary section"

igos-ukify inspect --section .linux uki.efi >linux.out
same linux.out vmlinuz "--section prints the raw bytes"
igos-ukify inspect --section .initrd uki.efi | cmp -s - initrd
is $? 0 "--section into a pipe"
# a section whose VirtualSize exceeds its raw data reads as zeros past it
python3 - <<'PY'
import struct
d = bytearray(open('uki.efi', 'rb').read())
pe = struct.unpack_from('<I', d, 0x3c)[0]; n = struct.unpack_from('<H', d, pe + 6)[0]
sh = pe + 24 + struct.unpack_from('<H', d, pe + 20)[0]
for i in range(n):
    h = sh + 40 * i
    if d[h:h + 8].rstrip(b'\0') == b'.uname':
        struct.pack_into('<I', d, h + 8, 600)  # raw size is 512
open('big.efi', 'wb').write(d)
PY
{ printf '6.1.0-99-test'; head -c $((600 - 13)) /dev/zero; } >want
igos-ukify inspect --section .uname big.efi >got
same got want "VirtualSize past the raw data: zeros"

run 1 "igos-ukify: 'uki.efi' has no section .nope" "--section of a missing section" \
	igos-ukify inspect --section .nope uki.efi
echo junk >junk.efi
run 1 "igos-ukify: 'junk.efi': not a PE/COFF image (no MZ header)" "not a PE" \
	igos-ukify inspect junk.efi
run 1 "igos-ukify: cannot open 'none.efi': No such file or directory" "a missing file" \
	igos-ukify inspect none.efi
run 2 "igos-ukify: inspect takes one UKI" "no operand" igos-ukify inspect
run 2 "igos-ukify: inspect takes one UKI" "two operands" igos-ukify inspect uki.efi uki.efi
run 2 "igos-ukify: --json and --section cannot be used together" "--json with --section" \
	igos-ukify inspect --json --section .linux uki.efi
done_testing
