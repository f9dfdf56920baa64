#!/bin/sh
# igos-measure's command line: help, version, usage errors (exit 2) and bad
# inputs (exit 1), each with its exact one-line message.
. "${0%/*}/../lib/tap.sh"
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
need igos-measure objcopy python3
[ -f "$STUB" ] || skip_all "$STUB missing (systemd-boot-efi)"
plan 37

printf 'kernel' > linux
printf 'ID=igos\n' > osrel
{ printf 'MZ'; head -c 200 /dev/zero; } > mz.bin
objcopy --add-section .osrel=osrel --change-section-vma .osrel=0x20000 "$STUB" nolinux.efi
objcopy --add-section .linux=linux --change-section-vma .linux=0x20000 "$STUB" uki.efi
# objcopy refuses a second .cmdline: add .cmdlinX and rename it in the header
objcopy --add-section .cmdline=osrel --change-section-vma .cmdline=0x30000 \
	--add-section .cmdlinX=linux --change-section-vma .cmdlinX=0x31000 uki.efi dup1.efi
python3 -c 'import sys; d=open("dup1.efi","rb").read(); i=d.index(b".cmdlinX", 0, 4096)
open("dup.efi","wb").write(d[:i]+b".cmdline"+d[i+8:])'

run 0 "" "--help" igos-measure --help
case $OUT in "usage: igos-measure calculate"*) r=0 ;; *) r=1 ;; esac
is "$r" 0 "--help prints the usage on stdout"
run 0 "" "calculate --help" igos-measure calculate --help
run 0 "" "--version" igos-measure --version
is "$OUT" "igos-measure 0.1" "--version prints the version"
U="igos-measure: no verb given (calculate, sign, verify, status, attach, policy-digest or pcr12; see --help)"
run 2 "$U" "no command" igos-measure
run 2 "igos-measure: unknown verb 'frob' (calculate, sign, verify, status, attach, policy-digest or pcr12)" "unknown command" \
	igos-measure frob
run 2 "igos-measure: unknown option '--bogus'" "unknown option" \
	igos-measure calculate --bogus uki.efi
run 2 "igos-measure: unknown bank 'md5' (sha1, sha256, sha384, sha512)" "unknown bank" \
	igos-measure calculate -b md5 uki.efi
run 2 "igos-measure: unknown phase word 'enter-intrd' in 'enter-intrd:leave-initrd' (enter-initrd, leave-initrd, sysinit, ready, shutdown, final)" \
	"unknown phase word" igos-measure calculate -p enter-intrd:leave-initrd uki.efi
run 2 "igos-measure: unknown phase word 'Ready' in 'Ready' (enter-initrd, leave-initrd, sysinit, ready, shutdown, final)" \
	"phase words are case-sensitive" igos-measure sign -k k.pem -p Ready uki.efi
run 2 "igos-measure: --linux given twice" "a section given twice" \
	igos-measure calculate --linux linux --linux linux
run 2 "igos-measure: --json given twice" "--json twice" igos-measure calculate -j -j uki.efi
run 2 "igos-measure: --key given twice" "--key twice" igos-measure sign -k a -k b uki.efi
run 2 "igos-measure: --linux is required with section files" "section files without --linux" \
	igos-measure calculate --osrel osrel
run 2 "igos-measure: give a UKI or section files, not both" "UKI and section files" \
	igos-measure calculate --linux linux uki.efi
run 2 "igos-measure: no UKI and no section files given" "no input" igos-measure calculate
run 2 "igos-measure: calculate takes one UKI, or section files and no operand" "two UKIs" \
	igos-measure calculate uki.efi uki.efi
run 2 "igos-measure: --stub applies to a UKI only" "--stub with files" \
	igos-measure calculate --stub 252 --linux linux
run 2 "igos-measure: unknown stub '251' (auto, 252, current)" "unknown --stub" \
	igos-measure calculate --stub 251 uki.efi
run 2 "igos-measure: sign needs --key" "sign without --key" igos-measure sign uki.efi
run 2 "igos-measure: --output is an option of sign, attach and policy-digest" "--output for calculate" \
	igos-measure calculate -o x uki.efi
run 2 "igos-measure: --json is an option of calculate, status and pcr12" "--json for sign" \
	igos-measure sign -k k.pem -j uki.efi
run 2 "igos-measure: verify needs --public-key" "verify without --public-key" \
	igos-measure verify x.pcrsig uki.efi
run 2 "igos-measure: verify takes a .pcrsig and one UKI, or a .pcrsig and section files" \
	"verify without the .pcrsig" igos-measure verify -P p.pem
run 2 "igos-measure: the .pcrsig and the UKI cannot both be standard input" "verify - -" \
	igos-measure verify -P p.pem - -
run 2 "igos-measure: --bank is not an option of verify (the .pcrsig names its banks)" \
	"verify with --bank" igos-measure verify -P p.pem -b sha256 x uki.efi
run 2 "igos-measure: status takes no operand" "status with an operand" igos-measure status x
run 2 "igos-measure: status takes no phase, section or stub option" "status with a phase" \
	igos-measure status -p enter-initrd
run 2 "igos-measure: --tcti is an option of status and sign" "--tcti for calculate" \
	igos-measure calculate --tcti device:/dev/null uki.efi

# bad inputs
run 1 "igos-measure: 'nolinux.efi': no .linux section" "a UKI without .linux" \
	igos-measure calculate nolinux.efi
run 1 "igos-measure: 'dup.efi': two .cmdline sections" "a UKI with two .cmdline sections" \
	igos-measure calculate dup.efi
run 1 "igos-measure: 'osrel': not a PE/COFF image (no MZ header)" "a non-PE file" \
	igos-measure calculate osrel
run 1 "igos-measure: 'mz.bin': not a PE/COFF image (no PE signature)" "an MZ file that is not PE" \
	igos-measure calculate mz.bin
run 1 "igos-measure: cannot open 'none.efi': No such file or directory" "a missing UKI" \
	igos-measure calculate none.efi
run 1 "igos-measure: cannot open 'none': No such file or directory" "a missing section file" \
	igos-measure calculate --linux linux --initrd none
run 1 "igos-measure: cannot write to standard output: No space left on device" "stdout full" \
	sh -c 'igos-measure calculate --json uki.efi >/dev/full'
done_testing
