#!/bin/sh
# igos-grub build: usage, refusals with their exact lines, the SBAT level of
# shim, the configuration built in (no linux module unless asked, the shell
# locked), determinism, -o -, and byte-identity with grub-mkimage given the
# same memdisk, SBAT and modules.
. "${0%/*}/../lib/tap.sh"
need igos-grub grub-mkimage grub-mkpasswd-pbkdf2 python3 tar
MODDIR=/usr/lib/grub/x86_64-efi
[ -f "$MODDIR/chain.mod" ] || skip_all "$MODDIR missing (make deps: grub-efi-amd64-bin)"
SHIM=/usr/lib/shim/shimx64.efi.signed
[ -f "$SHIM" ] || skip_all "$SHIM missing (make deps: shim-signed)"
plan 47
export SOURCE_DATE_EPOCH=1700000000

run 0 "" "--help" igos-grub --help
case $OUT in "usage: igos-grub build"*) r=0 ;; *) r=1 ;; esac
ok "--help prints the usage on stdout" test $r = 0
run 0 "" "--version" igos-grub --version
is "$OUT" "igos-grub 0.1" "--version prints the version"
run 2 "*" "no verb: usage, exit 2" igos-grub
run 2 "igos-grub: unknown verb 'make' (build or install)" "an unknown verb" igos-grub make
run 2 "igos-grub: build needs -o FILE (or -o - for standard output)" "build without -o" igos-grub build
run 2 "igos-grub: --output given twice" "-o twice" igos-grub build -o a -o b
run 2 "igos-grub: --password-hash and --no-shell exclude each other" \
	"a password and no shell at once" igos-grub build --password-hash h --no-shell -o g.efi
run 2 "igos-grub: bad --timeout '1x' (0 to 3600 seconds)" "a bad timeout" \
	igos-grub build --timeout 1x -o g.efi
run 2 "igos-grub: option '--esp' is not for build" "an install option to build" \
	igos-grub build --esp e -o g.efi
run 2 "igos-grub: option '--sbat' is not for install" "a build option to install" \
	igos-grub install --sbat s --esp e --shim s
run 2 "igos-grub: unexpected operand 'x'" "an operand" igos-grub build -o g.efi x
run 2 "igos-grub: bad module name 'a/b'" "a module name with a slash" \
	igos-grub build --modules a/b -o g.efi
run 2 "igos-grub: module 'linux' needs --allow-linux (its initrd and command line are not verified)" \
	"the linux module without --allow-linux" igos-grub build --modules linux -o g.efi
run 1 "igos-grub: no module 'nosuch' in '$MODDIR'" "a module that does not exist" \
	igos-grub build --modules nosuch -o g.efi
run 1 "igos-grub: cannot open 'none.csv': No such file or directory" "a missing SBAT file" \
	igos-grub build --sbat none.csv -o g.efi
ok "nothing written by the failed runs" test ! -e g.efi

# SBAT
S1='sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md'
printf '%s\ngrub,4,Free Software Foundation,grub,2.06,https://www.gnu.org/software/grub/\n' "$S1" >g4.csv
run 1 "igos-grub: SBAT generation 'grub,4' is below the level 'grub,5' that shim 16.1 enforces" \
	"grub,4 refused against the built-in level" igos-grub build --sbat g4.csv -o g.efi
run 1 "igos-grub: SBAT generation 'grub,4' is below the level 'grub,5' that shim '$SHIM' enforces" \
	"grub,4 refused against the level read from the shim's .sbatlevel" \
	igos-grub build --sbat g4.csv --shim "$SHIM" -o g.efi
printf '%s\nshim,3,x,shim,1,u\ngrub,5,F,grub,2.06,u\n' "$S1" >s3.csv
run 1 "igos-grub: SBAT generation 'shim,3' is below the level 'shim,4' that shim '$SHIM' enforces" \
	"any component below its level is refused" igos-grub build --sbat s3.csv --shim "$SHIM" -o g.efi
printf 'grub,5,F,grub,2.06,u\n' >nosbat.csv
run 1 "igos-grub: 'nosbat.csv': SBAT: the first entry is 'grub', not 'sbat'" "no sbat line first" \
	igos-grub build --sbat nosbat.csv -o g.efi
printf '%s\n' "$S1" >nogrub.csv
run 1 "igos-grub: 'nogrub.csv': SBAT: no 'grub' entry (the generation shim checks GRUB by)" "no grub line" \
	igos-grub build --sbat nogrub.csv -o g.efi
printf '%s\ngrub,5,F\n' "$S1" >short.csv
run 1 "igos-grub: 'short.csv': SBAT line 2: 3 of the 6 fields shim requires" "too few fields" \
	igos-grub build --sbat short.csv -o g.efi
printf '%s\ngrub,x5,F,grub,2.06,u\n' "$S1" >badgen.csv
run 1 "igos-grub: 'badgen.csv': SBAT line 2: bad generation 'x5'" "a generation that is not a number" \
	igos-grub build --sbat badgen.csv -o g.efi
printf '%s\ngrub,5,F,grub,2.06,u\ngrub,6,F,grub,2.06,u\n' "$S1" >twice.csv
run 1 "igos-grub: 'twice.csv': SBAT line 3: component 'grub' twice" "a component twice" \
	igos-grub build --sbat twice.csv -o g.efi
run 1 "igos-grub: '$MODDIR/chain.mod': not a PE/COFF image (no MZ header)" \
	"--shim that is not a PE image" igos-grub build --shim "$MODDIR/chain.mod" -o g.efi
igos-grub build -o plain.efi 2>/dev/null
run 1 "igos-grub: 'plain.efi' has no .sbatlevel section (not a shim 15.7 or later)" \
	"--shim without a .sbatlevel" igos-grub build --shim plain.efi -o g.efi

# the password hash
printf 'grub.pbkdf2.sha512.10000.abc\n' >bad.hash
run 1 "igos-grub: 'bad.hash': not a grub-mkpasswd-pbkdf2 hash (grub.pbkdf2.sha512.N.SALT.HASH)" \
	"a malformed password hash" igos-grub build --password-hash bad.hash -o g.efi
printf 'igos pw\nigos pw\n' | grub-mkpasswd-pbkdf2 -c 1000 2>/dev/null | sed -n 's/.* is //p' >good.hash
run 0 "" "a grub-mkpasswd-pbkdf2 hash from a file" igos-grub build --password-hash good.hash -o pw.efi
ok "the built-in configuration has it for the superuser" \
	grep -q -a -F "password_pbkdf2 root $(cat good.hash)" pw.efi
ok "without a hash nobody can log in: the superuser has no password" \
	sh -c 'grep -q -a "set superusers=\"igos-locked\"" plain.efi && ! grep -q -a "password_pbkdf2 root" plain.efi'

# the image: its SBAT, the memdisk, the modules, against grub-mkimage
# memdisk IMAGE OUT: the ustar archive inside the image
cat >memdisk.py <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
i = d.find(b'boot/\0')
assert i >= 0 and d[i + 257:i + 262] == b'ustar'
j, n = i, 0
while d[j:j + 512] != bytes(512):
    size = int(d[j + 124:j + 135], 8)
    j += 512 + (size + 511) // 512 * 512
open(sys.argv[2], 'wb').write(d[i:j + 1024])
PY
python3 memdisk.py plain.efi md.tar
is "$(tar -tvf md.tar --utc | awk '{ print $1, $2, $4, $5, $6 }')" "drwxr-xr-x root/root 2023-11-14 22:13 boot/
drwxr-xr-x root/root 2023-11-14 22:13 boot/grub/
-rw-r--r-- root/root 2023-11-14 22:13 boot/grub/grub.cfg" \
	"the memdisk: a tar GNU tar reads, owners root, times SOURCE_DATE_EPOCH"
tar -xOf md.tar boot/grub/grub.cfg >grub.cfg
ok "its grub.cfg looks for the UKIs in EFI/Linux on the ESP GRUB came from" \
	grep -q 'for f in ($root)/EFI/Linux/\*.efi' grub.cfg
nok "and reads no other configuration and no env block" grep -q -E 'load_env|source|configfile' grub.cfg
ver=$(sed -n 's/^grub_package_version="\(.*\)"/\1/p' "$MODDIR/modinfo.sh")
cat >sbat.csv <<EOS
$S1
grub,5,Free Software Foundation,grub,2.06,https://www.gnu.org/software/grub/
grub.intergenos,1,InterGenOS,grub2,$ver,https://intergenos.org
EOS
mods="cat chain configfile echo efi_gop efi_uga fat halt"
mods2="ls memdisk minicmd normal part_gpt part_msdos password_pbkdf2 reboot regexp sleep tar test true"
# shellcheck disable=SC2086
grub-mkimage -O x86_64-efi -d "$MODDIR" -p '(memdisk)/boot/grub' -m md.tar --sbat sbat.csv \
	-o peer.efi $mods $mods2
same plain.efi peer.efi "byte-identical to grub-mkimage with the same memdisk, SBAT and modules"
nok "the linux module is not in the image" grep -q -a 'linux' plain.efi
run 0 "" "--allow-linux" igos-grub build --allow-linux -o linux.efi
# shellcheck disable=SC2086
grub-mkimage -O x86_64-efi -d "$MODDIR" -p '(memdisk)/boot/grub' -m md.tar --sbat sbat.csv \
	-o peer-linux.efi $mods linux $mods2
python3 memdisk.py linux.efi md-linux.tar
same md.tar md-linux.tar "the same configuration"
same linux.efi peer-linux.efi "with the linux module, as grub-mkimage builds it"

# determinism: another directory, another time, another TMPDIR, modules in
# another order and given twice
mkdir -p other/tmp
sleep 1
(cd other && TMPDIR=$T/other/tmp igos-grub build --modules ls,cat --modules 'cat ls' -o again.efi)
same plain.efi other/again.efi "the same inputs and SOURCE_DATE_EPOCH give the same bytes"
SOURCE_DATE_EPOCH=1700000001 igos-grub build -o later.efi
nok "another SOURCE_DATE_EPOCH another memdisk" cmp -s plain.efi later.efi
run 0 "" "-o - writes the image to stdout" sh -c 'igos-grub build -o - >stdout.efi'
same plain.efi stdout.efi "the same bytes"
run 2 "igos-grub: bad SOURCE_DATE_EPOCH 'soon'" "a bad SOURCE_DATE_EPOCH" \
	env SOURCE_DATE_EPOCH=soon igos-grub build -o g.efi
no_temps . "no temporary file left"
is "$(ls other/tmp)" "" "nothing left in TMPDIR"
done_testing
