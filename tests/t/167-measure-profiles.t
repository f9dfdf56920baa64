#!/bin/sh
# igos-measure --profile N: PCR 11 of a multi-profile UKI (igos-ukify's) as
# systemd-stub 257 boots it with "@N" (base sections, the profile's own
# instead, its .profile measured), held against tests/lib/ukipcr.py (no igos
# code) and against the same sections given as files; igos-ukify's own
# .pcrsig of each profile verifies for that profile only; sign, verify,
# policy-digest and attach follow --profile; the refusals.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/ukify.sh"
B=${IGOS_BUILD:-$IGOS_SRC/build}
ISTUB=$B/efi/igos-stubx64.efi
need igos-ukify igos-measure python3 openssl objcopy "$ISTUB" "$STUB"

mkkernel vmlinuz 6.1.0-99-test 100001
head -c 5001 /dev/urandom > initrd
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pcr.key 2>/dev/null
chmod 600 pcr.key
openssl pkey -in pcr.key -pubout -out pcr.pem
igos-ukify build --profile 'ID=factory
TITLE=Factory reset' --cmdline 'quiet factory' -o p1.efi
igos-ukify build --profile 'ID=debug' --initrd initrd -o p2.efi
igos-ukify build --stub "$ISTUB" --linux vmlinuz --os-release ID=igos --cmdline 'root=/dev/vda ro' \
	--join-profile p1.efi --join-profile p2.efi --pcr-key pcr.key -o uki.efi
igos-ukify build --stub "$ISTUB" --linux vmlinuz --os-release ID=igos --cmdline 'root=/dev/vda ro' \
	-o plain.efi

# PCR 11 right after the stub and the sha256 policies, by ukipcr.py
for n in 0 1 2; do
	python3 "$TESTLIB/ukipcr.py" uki.efi $n > want$n
	run 0 "# PCR[11] Phase <:>" "calculate --profile $n" igos-measure calculate -b sha256 -p '' --profile $n uki.efi
	is "$OUT" "11:sha256=$(sed -n 's/^pcr //p' want$n)" "profile $n: PCR 11 as ukipcr.py has it"
	igos-measure policy-digest -b sha256 --profile $n uki.efi > pd$n.json
	is "$(python3 -c 'import json, sys
print("\n".join(e["pol"] for e in json.load(open(sys.argv[1]))["sha256"]))' pd$n.json)" \
		"$(sed -n '/^pcr /!s/^[^ ]* //p' want$n)" "profile $n: its four policies"
done
igos-measure calculate uki.efi > dflt.out
igos-measure calculate --profile 0 uki.efi > p0.out
same dflt.out p0.out "no --profile: profile 0, as the stub without @N"
igos-measure calculate -b sha256 -p '' --profile 1 uki.efi > p1.out
igos-measure calculate -b sha256 -p '' --profile 2 uki.efi > p2.out
ok "the profiles differ" sh -c '! cmp -s p1.out p2.out'

# the same sections as files: profile 1 is the base with its .cmdline and .profile
python3 "$TESTLIB/ukipcr.py" uki.efi --files 1 f
run 0 "# PCR[11] Phase <:>" "calculate on profile 1's sections as files" igos-measure calculate -b sha256 -p '' \
	--linux f.linux --osrel f.osrel --cmdline f.cmdline --uname f.uname --sbat f.sbat \
	--pcrpkey f.pcrpkey --profile-section f.profile
is "$OUT" "$(cat p1.out)" "the files give profile 1's PCR 11"
is "$(cat f.cmdline)" "quiet factory" "(the .cmdline file is profile 1's own)"

# igos-ukify's .pcrsig of each profile is that profile's
for n in 0 1 2; do
	python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read()
pe = struct.unpack_from("<I", d, 0x3c)[0]
n, opt = struct.unpack_from("<H", d, pe + 6)[0], struct.unpack_from("<H", d, pe + 20)[0]
got = []
for i in range(n):
    h = pe + 24 + opt + 40 * i
    if d[h:h + 8].rstrip(b"\0") == b".pcrsig":
        vs, _, rs, ro = struct.unpack_from("<IIII", d, h + 8)
        got.append(d[ro:ro + vs])
open(sys.argv[3], "wb").write(got[int(sys.argv[2])])' uki.efi $n sig$n.json
	run 0 "" "igos-ukify's .pcrsig of profile $n verifies for profile $n" \
		igos-measure verify -P pcr.pem --profile $n sig$n.json uki.efi
done
run 1 "igos-measure: 'sig1.json': 'sha256' entry 1: pol does not match the UKI in any phase" \
	"profile 1's .pcrsig is not profile 2's" igos-measure verify -P pcr.pem --profile 2 sig1.json uki.efi

# sign and attach follow --profile
run 0 "" "sign --profile 2" igos-measure sign -k pcr.key -b sha256 --profile 2 -o s2.json uki.efi
same s2.json sig2.json "sign --profile 2 is igos-ukify's .pcrsig of profile 2"
igos-measure sign -k pcr.key --policy-digest pd1.json -o signed1.json
run 0 "" "attach --pcrsig --profile 1" \
	igos-measure attach --pcrsig signed1.json --profile 1 -b sha256 -o j1.json uki.efi
run 1 "igos-measure: 'signed1.json': no signature for one of the sha256 policies of the UKI (made for other sections, banks or phases?)" \
	"profile 1's signatures are not profile 0's" \
	igos-measure attach --pcrsig signed1.json --profile 0 -b sha256 -o j0.json uki.efi
run 0 "" "sign --request-out --profile 1" \
	igos-measure sign --request-out p1.req --profile 1 -b sha256 uki.efi

# refusals
run 1 "igos-measure: 'uki.efi': no profile 3: the UKI has 3 (0 to 2)" "a profile too many" \
	igos-measure calculate --profile 3 uki.efi
run 1 "igos-measure: 'plain.efi': no profile 1: the UKI has no .profile sections (only profile 0, itself)" \
	"profile 1 of a UKI without profiles" igos-measure calculate --profile 1 plain.efi
igos-measure calculate plain.efi > a.out
igos-measure calculate --profile 0 plain.efi > b.out
same a.out b.out "profile 0 of a UKI without profiles is the UKI"
run 2 "igos-measure: --profile applies to a UKI only" "--profile with section files" \
	igos-measure calculate --profile 1 --linux vmlinuz
run 2 "igos-measure: '1x' is not a profile number (0 to 255)" "--profile 1x" \
	igos-measure calculate --profile 1x uki.efi
run 2 "igos-measure: '' is not a profile number (0 to 255)" "--profile ''" \
	igos-measure calculate --profile '' uki.efi
run 2 "igos-measure: --profile is not an option of status" "--profile on status" \
	igos-measure status --profile 1
# two .cmdline in one profile: profile 1's .pcrsig renamed
python3 -c 'import sys
d = bytearray(open("uki.efi", "rb").read())
i = d.index(b".pcrsig\0", d.index(b".pcrsig\0") + 1)
d[i:i + 8] = b".cmdline"
open("dup.efi", "wb").write(d)'
head -c 100 /dev/urandom > dtb
objcopy --add-section .dtbauto=dtb --change-section-vma .dtbauto=0x2000000 plain.efi auto.efi
# a second .dtbauto (objcopy adds no second section of a name): .osrel renamed
python3 -c 'import sys
d = bytearray(open("auto.efi", "rb").read())
i = d.index(b".osrel\0")
d[i:i + 8] = b".dtbauto"
open("auto2.efi", "wb").write(d)'
run 1 "igos-measure: 'dup.efi': two .cmdline sections in profile 1" "two .cmdline in a profile" \
	igos-measure calculate --profile 1 dup.efi
run 0 "# PCR[11] Phase <:>" "the other profiles of it are fine" \
	igos-measure calculate -p '' --profile 2 dup.efi
run 0 "# PCR[11] Phase <:>" "one .dtbauto: as on a machine it matches" \
	igos-measure calculate -b sha256 -p '' auto.efi
is "$OUT" "11:sha256=$(python3 "$TESTLIB/ukipcr.py" auto.efi 0 | sed -n 's/^pcr //p')" \
	"one .dtbauto: measured where ukipcr.py has it"
run 1 "igos-measure: 'auto2.efi': several .dtbauto sections: the stub measures the one that matches the machine, not predicted here" \
	"several .dtbauto" igos-measure calculate auto2.efi
run 1 "igos-measure: 'uki.efi': a UKI with profiles, for a systemd-stub 252 that knows none" \
	"--stub 252 and profiles" igos-measure calculate --stub 252 uki.efi
done_testing
