#!/bin/sh
# igos-ukify build --addon: a UKI addon on the igos addon stub, laid out as
# ukify lays one out on systemd's addon stub (the sections given, then its own
# .sbat), signed like any PE; what an addon cannot carry is refused.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/ukify.sh"
. "$TESTLIB/sign.sh"
B=${IGOS_BUILD:-$IGOS_SRC/build}
ASTUB=$B/efi/igos-addonx64.efi
need igos-ukify igos-sign objdump sbverify python3 openssl "$ASTUB"
plan 27

names() { objdump -h "$1" | awk '/^ +[0-9]+ /{print $2}' | tr '\n' ' '; }
ASECS=$(names "$ASTUB")
head -c 3001 /dev/urandom >dtb
head -c 2001 /dev/urandom >ucode
head -c 1001 /dev/urandom >initrd
H='sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md'

# the addon stub itself: an EFI application with no .sbat of its own
is "$(objdump -p "$ASTUB" | awk '/^Subsystem/{print $2}')" 0000000a "the addon stub is an EFI application"
is "$(objdump -f "$ASTUB" | sed -n 's/.*file format //p')" pei-x86-64 "an x86-64 PE32+ image"
ok "the addon stub has no .sbat (igos-ukify adds the addon's)" sh -c "! objdump -h '$ASTUB' | grep -q ' \.sbat '"

run 0 "" "an addon with a command line" igos-ukify build --addon --cmdline '  debug  loglevel=7 ' -o cmd.addon.efi
is "$(names cmd.addon.efi)" "$ASECS.cmdline .sbat " "the default stub is the addon stub; .sbat last"
is "$(section cmd.addon.efi .cmdline)" "debug loglevel=7" ".cmdline collapsed as for a UKI"
printf '%s\nuki-addon,1,UKI Addon,addon,1,https://www.freedesktop.org/software/systemd/man/latest/systemd-stub.html\n\000' "$H" >want
section cmd.addon.efi .sbat >got
same got want ".sbat: the header and ukify's uki-addon line, ending \"\\n\\0\""

run 0 "" "an addon with every section an addon carries" igos-ukify build --addon \
	--cmdline x --devicetree dtb --initrd initrd --ucode ucode -o all.addon.efi
is "$(names all.addon.efi)" "$ASECS.cmdline .dtb .initrd .ucode .sbat " "in ukify's order"
section all.addon.efi .dtb >got; same got dtb ".dtb"
section all.addon.efi .ucode >got; same got ucode ".ucode"
section all.addon.efi .initrd >got; same got initrd ".initrd"

# --uname, as ukify: the addon is for that kernel only (the stub compares
# it with the UKI's .uname); nothing is guessed without it
run 0 "" "an addon with --uname" igos-ukify build --addon --cmdline x --uname 6.1.0-27-amd64 \
	-o u.addon.efi
is "$(names u.addon.efi)" "$ASECS.cmdline .uname .sbat " ".uname after .cmdline, as ukify orders them"
printf '6.1.0-27-amd64' >want; section u.addon.efi .uname >got
same got want ".uname is the version given, without a NUL or newline"
run 0 "" "an empty --uname" igos-ukify build --addon --cmdline x --uname '' -o nou.addon.efi
is "$(names nou.addon.efi)" "$ASECS.cmdline .sbat " "an empty --uname writes no .uname"

printf '%s\nacme-addon,1,ACME,addon,3,https://acme.example\n' "$H" >sbat.txt
run 0 "" "an addon with --sbat" igos-ukify build --addon --cmdline x --sbat @sbat.txt -o s.addon.efi
printf '%s\nacme-addon,1,ACME,addon,3,https://acme.example\n\000' "$H" >want
section s.addon.efi .sbat >got; same got want "--sbat replaces the default addon line"

igos-ukify build --addon --cmdline x -o again.addon.efi
igos-ukify build --addon --cmdline x -o again2.addon.efi
ok "the same inputs give the same bytes" cmp -s again.addon.efi again2.addon.efi

rsa_cert db 2048
run 0 "" "igos-sign signs the addon" igos-sign sign -k db.key -c db.crt -o signed.addon.efi cmd.addon.efi
ok "sbverify accepts the signed addon" sbverify --cert db.crt signed.addon.efi

run 2 "igos-ukify: --addon and --linux exclude each other (an addon carries .cmdline, .dtb, .dtbauto, .hwids, .initrd, .ucode, .uname)" \
	"--addon with --linux" igos-ukify build --addon --linux ucode -o x.efi
run 2 "igos-ukify: --addon and --pcr-key exclude each other (an addon carries .cmdline, .dtb, .dtbauto, .hwids, .initrd, .ucode, .uname)" \
	"--addon with --pcr-key" igos-ukify build --addon --pcr-key db.key -o x.efi
run 2 "igos-ukify: --addon and --profile exclude each other (an addon carries .cmdline, .dtb, .dtbauto, .hwids, .initrd, .ucode, .uname)" \
	"--addon with --profile" igos-ukify build --addon --profile ID=x -o x.efi
run 2 "igos-ukify: --addon takes no -c: give the addon's sections as options" \
	"--addon with -c" igos-ukify build --addon -c sbat.txt -o x.efi
run 2 "igos-ukify: --addon given twice" "--addon twice" igos-ukify build --addon --addon -o x.efi
