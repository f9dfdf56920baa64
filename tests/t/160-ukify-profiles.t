#!/bin/sh
# igos-ukify build --profile / --join-profile: profile PEs, the layout of a
# multi-profile UKI (ukify 257's), each profile's .pcrsig held against an
# independent computation (tests/lib/ukipcr.py), inspect --profiles, and the
# refusals with their exact lines.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/ukify.sh"
B=${IGOS_BUILD:-$IGOS_SRC/build}
ISTUB=$B/efi/igos-stubx64.efi ASTUB=$B/efi/igos-addonx64.efi
need igos-ukify objdump python3 openssl "$ISTUB" "$ASTUB" "$STUB"
plan 37

mkkernel vmlinuz 6.1.0-99-test 100001
head -c 5001 /dev/urandom >initrd
printf 'ID=debug\nTITLE="Debug shell"\n' >p2.txt
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out pcr.key 2>/dev/null
chmod 600 pcr.key
names() { objdump -h "$1" | awk '/^ +[0-9]+ /{print $2}' | tr '\n' ' '; }
nth() { python3 "$TESTLIB/ukipcr.py" "$1" --dump "$2"; }
ASECS=$(names "$ASTUB") ISECS=$(names "$ISTUB")
NI=$(printf '%s' "$ISECS" | wc -w)

run 0 "" "a profile PE" igos-ukify build --profile 'ID=factory
TITLE=Factory reset' --cmdline ' quiet   factory ' -o p1.efi
is "$(names p1.efi)" "$ASECS.profile .cmdline " \
	"a profile PE: on the addon stub, .profile first, no .sbat, no .pcrsig"
is "$(section p1.efi .profile)" "ID=factory
TITLE=Factory reset" ".profile is the text, verbatim"
is "$(section p1.efi .cmdline)" "quiet factory" "its .cmdline collapsed as a UKI's"
run 0 "" "a profile PE from @FILE, with an initrd" \
	igos-ukify build --profile @p2.txt --initrd initrd -o p2.efi
section p2.efi .profile >got; same got p2.txt ".profile from @FILE"

join() { # OUT [options]
	_o=$1; shift
	igos-ukify build --stub "${JSTUB:-$ISTUB}" --linux vmlinuz --os-release ID=igos \
		--cmdline 'root=/dev/vda ro' --join-profile p1.efi --join-profile p2.efi -o "$_o" "$@"
}
run 0 "" "a UKI joining two profiles" join uki.efi
is "$(names uki.efi)" "$ISECS.osrel .cmdline .uname .linux .profile .profile .cmdline .profile .initrd " \
	"the base, its .profile, then each profile's sections in the order given"
is "$(nth uki.efi $((NI + 4)))" "ID=main" "the base profile's .profile defaults to ID=main"
is "$(nth uki.efi $((NI + 6)))" "quiet factory" "profile 1's .cmdline copied"
nth uki.efi $((NI + 8)) >got; same got initrd "profile 2's .initrd copied"
join again.efi
ok "the same inputs give the same bytes" cmp -s uki.efi again.efi
run 0 "" "--profile with --join-profile names the base profile" join base.efi --profile 'ID=base'
is "$(nth base.efi $((NI + 4)))" "ID=base" "the base .profile is --profile's"

cat >want <<'W'
profile 0:
  id: main
  title: -
  sections:
profile 1:
  id: factory
  title: Factory reset
  sections: .cmdline
profile 2:
  id: debug
  title: Debug shell
  sections: .initrd
W
igos-ukify inspect --profiles uki.efi >got
same got want "inspect --profiles: number, ID, TITLE and own sections of each"
igos-ukify inspect uki.efi | tail -n 12 >got
same got want "inspect of a UKI with profiles ends with them"
is "$(igos-ukify inspect --profiles --json uki.efi)" \
	'[{"profile":0,"id":"main","title":null,"sections":[]},{"profile":1,"id":"factory","title":"Factory reset","sections":[".cmdline"]},{"profile":2,"id":"debug","title":"Debug shell","sections":[".initrd"]}]' \
	"inspect --profiles --json"
is "$(igos-ukify inspect --profiles p1.efi | head -n 2)" "profile 0:
  id: factory" "a profile PE lists its one profile"
igos-ukify build --stub "$ISTUB" --linux vmlinuz --os-release ID=igos -o plain.efi 2>/dev/null
is "$(igos-ukify inspect --profiles plain.efi)" "profile 0:
  id: -
  title: -
  sections:" "a UKI without .profile has profile 0 alone"

# the .pcrsig of each profile: the policy of the PCR 11 the stub measures
run 0 "" "joined with --pcr-key" join signed.efi --pcr-key pcr.key
is "$(names signed.efi)" "$ISECS.osrel .cmdline .uname .pcrpkey .linux .profile .pcrsig .profile .cmdline .pcrsig .profile .initrd .pcrsig " \
	"a .pcrsig after the base and after each profile"
pols() { # UKI INDEX: the sha256 "pol" values of that .pcrsig, sorted
	nth "$1" "$2" | python3 -c 'import json,sys; print(" ".join(sorted(e["pol"] for e in json.load(sys.stdin)["sha256"])))'
}
want() { python3 "$TESTLIB/ukipcr.py" "$1" "$2" | grep -v '^pcr ' | cut -d' ' -f2 | sort | tr '\n' ' ' | sed 's/ $//'; }
is "$(pols signed.efi $((NI + 6)))" "$(want signed.efi 0)" "profile 0's .pcrsig signs its PCR 11 (base sections, its .profile)"
is "$(pols signed.efi $((NI + 9)))" "$(want signed.efi 1)" "profile 1's: its .cmdline in the base's place, its .profile"
is "$(pols signed.efi $((NI + 12)))" "$(want signed.efi 2)" "profile 2's: the base's .cmdline, its .initrd and .profile"
is "$(python3 "$TESTLIB/ukipcr.py" plain.efi 0 | sed -n 's/^pcr //p')" \
	"$(igos-measure calculate --phase= -b sha256 plain.efi 2>/dev/null | sed 's/^11:sha256=//')" \
	"(the independent computation agrees with igos-measure on a UKI without profiles)"

# refusals
run 1 "igos-ukify: --join-profile 'plain.efi' carries a .sbat section: shim refuses a UKI with two" \
	"a UKI is not a profile PE" join x.efi --join-profile plain.efi
igos-ukify build --addon --cmdline x -o x.addon.efi
run 1 "igos-ukify: --join-profile 'x.addon.efi': its first profile section is .cmdline, not .profile (build it with --profile)" \
	"a PE whose first profile section is not .profile" join x.efi --join-profile x.addon.efi
igos-ukify build --stub p1.efi --profile ID=again -o twice.efi
run 1 "igos-ukify: --join-profile 'twice.efi' has more than one .profile section" \
	"a PE with two .profile sections" join x.efi --join-profile twice.efi
igos-ukify build --stub "$ISTUB" --linux vmlinuz --profile ID=k -o withsbat.efi 2>/dev/null
run 1 "igos-ukify: --join-profile 'withsbat.efi' carries a .sbat section: shim refuses a UKI with two" \
	"a profile PE on the igos stub carries its .sbat (shim refuses two)" join x.efi --join-profile withsbat.efi
run 1 "igos-ukify: --join-profile '$ASTUB' has no .profile section (build it with --profile)" \
	"a PE without profile sections" join x.efi --join-profile "$ASTUB"
run 1 "igos-ukify: --join-profile 'p2.txt': not a PE/COFF image (no MZ header)" \
	"not a PE" join x.efi --join-profile p2.txt
run 1 "igos-ukify: cannot open 'nope.efi': No such file or directory" \
	"a missing profile PE" join x.efi --join-profile nope.efi
run 1 "igos-ukify: stub '$STUB' is systemd-stub 252, which knows no profiles" \
	"systemd 252's stub cannot carry profiles" env JSTUB="$STUB" sh -c '
	igos-ukify build --stub "$JSTUB" --linux vmlinuz --join-profile p1.efi -o x.efi' 
run 2 "igos-ukify: a profile PE (--profile without --join-profile) carries no .pcrsig: give --pcr-key when joining it" \
	"a profile PE with --pcr-key" igos-ukify build --profile ID=x --pcr-key pcr.key -o x.efi
run 2 "igos-ukify: a profile PE (--profile without --join-profile) carries no .sbat: give --sbat when joining it" \
	"a profile PE with --sbat" igos-ukify build --profile ID=x --sbat @p2.txt -o x.efi
ok "no output after the refusals" test ! -e x.efi
no_temps . "no temporary file left behind"
