#!/bin/sh
# igos-measure calculate equals systemd-measure calculate (Debian's 252) for
# every bank and phase, on the section sets 252 knows, with and without
# .pcrpkey, with empty section files; and reading the same sections from a UKI
# (systemd's stub + objcopy) gives the same values.
. "${0%/*}/../lib/tap.sh"
SM=/usr/lib/systemd/systemd-measure
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
need igos-measure "$SM" objcopy openssl
[ -f "$STUB" ] || skip_all "$STUB missing (systemd-boot-efi)"

head -c 300000 /dev/urandom > linux
printf 'ID=igos\nVERSION_ID=1\n' > osrel
printf 'root=/dev/vda ro quiet' > cmdline
head -c 123457 /dev/urandom > initrd
head -c 5000 /dev/urandom > splash
head -c 777 /dev/urandom > dtb
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null | openssl pkey -pubout > pcrpkey
: > empty

# both tools, text (stdout and the phase notes on stderr) and JSON
compare() { # DESC ARGS...
	_d=$1; shift
	"$SM" calculate "$@" >sm.out 2>sm.err
	_rc=$?
	igos-measure calculate "$@" >ig.out 2>ig.err
	_rc2=$?
	if [ $_rc -ne 0 ] || [ $_rc2 -ne 0 ]; then _tap_result 1 "$_d"; diag "failed: $*" "$(cat sm.err ig.err)"; return; fi
	if cmp -s sm.out ig.out && cmp -s sm.err ig.err; then _tap_result 0 "$_d"; else
		_tap_result 1 "$_d"; diag "differs: $*"; diff sm.out ig.out | head -5 | diag "$(cat)"; fi
	"$SM" calculate --json=short "$@" >sm.json 2>/dev/null
	igos-measure calculate --json "$@" >ig.json 2>/dev/null
	same sm.json ig.json "$_d (JSON)"
}

sets="--linux=linux
--linux=linux --osrel=osrel
--linux=linux --osrel=osrel --cmdline=cmdline --initrd=initrd
--linux=linux --osrel=osrel --cmdline=cmdline --initrd=initrd --splash=splash --dtb=dtb
--linux=linux --osrel=osrel --cmdline=cmdline --initrd=initrd --splash=splash --dtb=dtb --pcrpkey=pcrpkey
--linux=linux --cmdline=cmdline --pcrpkey=pcrpkey
--linux=linux --osrel=empty --cmdline=cmdline --initrd=empty --pcrpkey=pcrpkey
--linux=linux --osrel=osrel --cmdline=empty --splash=empty --dtb=empty --pcrpkey=empty"
phases="--phase=enter-initrd:leave-initrd:sysinit:ready:shutdown:final --phase=shutdown --phase=final
--phase=
--phase=::enter-initrd::leave-initrd: --phase=enter-initrd:leave-initrd --phase=sysinit"

nl='
'
set -f
IFS=$nl
for s in $sets; do
	for p in $phases; do
		IFS=' '
		# shellcheck disable=SC2086
		compare "phases $p: $s" $s $p
		IFS=$nl
	done
	IFS=' '
	# shellcheck disable=SC2086
	compare "default banks and phases: $s" $s
	IFS=$nl
done
IFS=' 	
'
set +f
for b in sha1 sha256 sha384 sha512; do
	compare "bank $b alone" --bank=$b --linux=linux --osrel=osrel --initrd=initrd
done
compare "banks given twice and out of order" --bank=sha512 --bank=sha1 --bank=SHA1 \
	--linux=linux --cmdline=cmdline
compare "phases given out of order and twice" --phase=sysinit --phase=enter-initrd --phase=sysinit --linux=linux

# a UKI of systemd's 252 stub: calculate on the UKI equals calculate on the files
objcopy --add-section .osrel=osrel --change-section-vma .osrel=0x20000 \
	--add-section .cmdline=cmdline --change-section-vma .cmdline=0x21000 \
	--add-section .splash=splash --change-section-vma .splash=0x22000 \
	--add-section .dtb=dtb --change-section-vma .dtb=0x24000 \
	--add-section .pcrpkey=pcrpkey --change-section-vma .pcrpkey=0x25000 \
	--add-section .initrd=initrd --change-section-vma .initrd=0x30000 \
	--add-section .linux=linux --change-section-vma .linux=0x80000 "$STUB" uki.efi
"$SM" calculate --json=short --linux=linux --osrel=osrel --cmdline=cmdline --splash=splash \
	--dtb=dtb --pcrpkey=pcrpkey --initrd=initrd >sm.json 2>/dev/null
run 0 "" "calculate a UKI" igos-measure calculate --json uki.efi
printf '%s\n' "$OUT" > ig.json
same sm.json ig.json "the UKI's sections give systemd-measure's values"
"$SM" calculate --phase= --bank=sha256 --linux=linux --osrel=osrel --cmdline=cmdline \
	--splash=splash --dtb=dtb --pcrpkey=pcrpkey --initrd=initrd >sm.out 2>/dev/null
run 0 "# PCR[11] Phase <:>" "calculate a UKI read from stdin, empty phase" \
	sh -c 'igos-measure calculate --phase= --bank=sha256 - < uki.efi'
is "$OUT" "$(cat sm.out)" "stdin UKI equals systemd-measure"

# an empty section in the UKI is skipped, as the stub skips it
objcopy --add-section .linux=linux --change-section-vma .linux=0x80000 \
	--add-section .cmdline=empty --change-section-vma .cmdline=0x21000 "$STUB" uki2.efi
"$SM" calculate --json=short --linux=linux >sm.json 2>/dev/null
igos-measure calculate --json uki2.efi > ig.json
same sm.json ig.json "an empty .cmdline section in a UKI is skipped"

# The 252 stub does not measure .sbat/.uname; a current stub does, in its order.
objcopy -O binary --only-section=.sbat "$STUB" sbat
printf '6.1.0-igos' > uname
objcopy --add-section .uname=uname --change-section-vma .uname=0x21000 \
	--add-section .linux=linux --change-section-vma .linux=0x80000 "$STUB" uki3.efi
igos-measure calculate --json uki3.efi > ig.json
same sm.json ig.json "a 252 stub's UKI: .sbat and .uname are not measured (as that stub does)"
run 0 "" "--stub current measures them" igos-measure calculate --stub current --json uki3.efi
printf '%s\n' "$OUT" > cur.json
igos-measure calculate --json --linux=linux --uname=uname --sbat=sbat > files.json 2>/dev/null
same cur.json files.json "--stub current equals the files .linux .uname .sbat"
nok "... which differs from the 252 set" cmp -s cur.json sm.json
run 0 "" "--stub 252 on the same UKI" igos-measure calculate --stub 252 --json uki3.efi
is "$OUT" "$(cat sm.json)" "--stub 252 forces the 252 set"
done_testing
