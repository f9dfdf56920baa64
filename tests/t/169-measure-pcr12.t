#!/bin/sh
# igos-measure pcr12: PCR 12 after a systemd-stub 257 style stub, event by
# event as systemd-stub extends it (a profile other than 0 as its UTF-16
# number, a used load-options command line, the addons' joined .cmdline in one
# event, each addon's .dtb, each .ucode last addon first), against the same
# events computed here from the sections with python's hashlib; and the addons
# the stub would ignore are refused with the reason.
. "${0%/*}/../lib/tap.sh"
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
need igos-measure objcopy python3
[ -f "$STUB" ] || skip_all "$STUB missing (systemd-boot-efi)"

# an addon: a PE with these sections (the systemd stub's code does not matter
# to the measurement)
addon() { # OUT NAME=FILE...
	_o=$1; shift
	_args= _va=0x30000
	for _s; do
		_args="$_args --add-section .${_s%%=*}=${_s#*=} --change-section-vma .${_s%%=*}=$_va"
		_va=$(printf '0x%x' $((_va + 0x10000)))
	done
	# shellcheck disable=SC2086
	objcopy $_args "$STUB" "$_o"
}
printf '  foo=1 \n\tx ' > c1
printf 'bar=%s' "$(printf '\303\251')" > c2
printf '   ' > c3
head -c 3000 /dev/urandom > dtb1
head -c 1234 /dev/urandom > ucode1
head -c 777 /dev/urandom > ucode2
head -c 1000 /dev/urandom > linux
addon a1.efi cmdline=c1
addon a2.efi cmdline=c2 dtb=dtb1
addon a3.efi ucode=ucode1 cmdline=c3
addon a4.efi ucode=ucode2
addon uki.efi linux=linux cmdline=c1
addon none.efi osrel=c2
addon dtbauto.efi dtbauto=dtb1
printf '\377\376' > bad8
addon bad8.efi cmdline=bad8
# objcopy adds no second section of a name: rename .cmdlinx in the header
addon two.efi cmdline=c1 cmdlinx=c2
python3 -c 'import sys
d = bytearray(open("two.efi", "rb").read())
i = d.index(b".cmdlinx")
d[i:i + 8] = b".cmdline"
open("two.efi", "wb").write(d)'

# the expected value: python reads the sections and extends as documented
expect() { # BANK PROFILE LOADOPTS|- ADDON...
	python3 - "$@" <<'EOF'
import hashlib, struct, sys
bank, profile, opts, addons = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
H = lambda b: hashlib.new(bank, b).digest()
pcr = bytes(hashlib.new(bank).digest_size)
def extend(data):
    global pcr
    pcr = H(pcr + H(data))
def mangle(s):
    s = ''.join(' ' if ord(c) <= 0x20 or ord(c) == 0x7f else c for c in s)
    return s.strip(' ')
def u16(s):
    return s.encode('utf-16-le') + b'\0\0'
def sections(path):
    d = open(path, 'rb').read()
    pe = struct.unpack_from('<I', d, 0x3c)[0]
    n = struct.unpack_from('<H', d, pe + 6)[0]
    opt = struct.unpack_from('<H', d, pe + 20)[0]
    out = {}
    for i in range(n):
        h = pe + 24 + opt + 40 * i
        name = d[h:h + 8].rstrip(b'\0').decode()
        vsize, _, rsize, roff = struct.unpack_from('<IIII', d, h + 8)
        out[name] = (d[roff:roff + min(rsize, vsize)] + bytes(vsize)) [:vsize]
    return out
secs = [sections(a) for a in addons]
if profile:
    extend(u16(str(profile)))
if opts != '-' and mangle(opts):
    extend(u16(mangle(opts)))
acc = ''
for s in secs:
    if '.cmdline' in s:
        extra = mangle(s['.cmdline'].split(b'\0')[0].decode())
        acc = acc + ('' if acc == '' else ' ') + extra
if mangle(acc):
    extend(u16(mangle(acc)))
for s in secs:
    if '.dtb' in s:
        extend(s['.dtb'])
for s in reversed(secs):
    if '.ucode' in s:
        extend(s['.ucode'])
print('12:%s=%s' % (bank, pcr.hex()))
EOF
}

check() { # DESC PROFILE LOADOPTS|- ADDON...
	_d=$1 _p=$2 _l=$3; shift 3
	: > exp.out
	for _b in sha1 sha256 sha384 sha512; do
		expect "$_b" "$_p" "$_l" "$@" >> exp.out
	done
	if [ "$_l" = - ]; then
		igos-measure pcr12 --profile "$_p" "$@" > got.out 2> got.err
	else
		igos-measure pcr12 --profile "$_p" --load-options "$_l" "$@" > got.out 2> got.err
	fi
	if [ $? -eq 0 ] && cmp -s exp.out got.out; then _tap_result 0 "$_d"; else
		_tap_result 1 "$_d"; diag "$(cat got.err; diff exp.out got.out)"; fi
}

check "nothing: all zeros" 0 -
ok "zero is zero" grep -q '^12:sha256=0000000000000000000000000000000000000000000000000000000000000000$' got.out
check "profile 3 is measured" 3 -
check "profile 0 is not" 0 - a4.efi
check "a load-options command line, mangled" 0 "  root=/dev/vda	 quiet  "
check "load options all whitespace: nothing" 0 "  	 "
check "one .cmdline addon" 0 - a1.efi
check "two .cmdline addons: one event, joined" 0 - a1.efi a2.efi
check "UTF-8 in a .cmdline: as UTF-16" 0 - a2.efi
check "an addon whose .cmdline is blank" 0 - a3.efi a1.efi
check "devicetrees and microcode, microcode last first" 0 - a4.efi a2.efi a3.efi
check "all at once" 7 "quiet" a1.efi a2.efi a3.efi a4.efi
check "the order of the addons counts" 7 "quiet" a4.efi a3.efi a2.efi a1.efi
igos-measure pcr12 -b sha256 -j --profile 2 > j.json
expect sha256 2 - > e.txt
ok "JSON: the same value" python3 -c 'import json, sys
d = json.load(open("j.json"))
assert list(d) == ["sha256"] and d["sha256"] == [{"pcr": 12, "hash": open("e.txt").read().split("=")[1].strip()}]'

run 1 "igos-measure: 'uki.efi': a UKI (it has .linux), not an addon: the stub ignores it" \
	"a UKI as an addon" igos-measure pcr12 uki.efi
run 1 "igos-measure: 'none.efi': no .cmdline, .dtb or .ucode section: the stub ignores it" \
	"a PE with nothing to add" igos-measure pcr12 none.efi
run 1 "igos-measure: 'dtbauto.efi': a .dtbauto section: the stub applies it only on the machines it matches, not predicted here" \
	"an addon with .dtbauto" igos-measure pcr12 dtbauto.efi
run 1 "igos-measure: 'two.efi': two .cmdline sections" "two .cmdline sections" \
	igos-measure pcr12 two.efi
run 1 "igos-measure: 'bad8.efi': not valid UTF-8" "a .cmdline that is not UTF-8" \
	igos-measure pcr12 bad8.efi
run 1 "igos-measure: the load options: not valid UTF-8" "load options that are not UTF-8" \
	igos-measure pcr12 --load-options "$(printf 'a\377')"
run 1 "igos-measure: 'c1': not a PE/COFF image (no MZ header)" "not a PE" igos-measure pcr12 c1
run 1 "igos-measure: cannot open 'nothere.efi': No such file or directory" "a missing addon" \
	igos-measure pcr12 nothere.efi
run 2 "igos-measure: 'x' is not a profile number (0 to 255)" "--profile x" \
	igos-measure pcr12 --profile x
run 2 "igos-measure: '256' is not a profile number (0 to 255)" "--profile 256" \
	igos-measure pcr12 --profile 256
run 2 "igos-measure: '-1' is not a profile number (0 to 255)" "--profile -1" \
	igos-measure pcr12 --profile -1
run 2 "igos-measure: pcr12 takes addons: no phase, section or stub option" "a phase" \
	igos-measure pcr12 -p enter-initrd
run 2 "igos-measure: --load-options is an option of pcr12" "--load-options on calculate" \
	igos-measure calculate --load-options x uki.efi
run 2 "igos-measure: standard input can be one addon only" "two standard inputs" \
	igos-measure pcr12 - -
done_testing
