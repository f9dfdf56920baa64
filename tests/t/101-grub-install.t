#!/bin/sh
# igos-grub install: the ESP as shim expects it (EFI/BOOT/BOOTX64.EFI = shim,
# mmx64.efi and grubx64.efi beside it, optionally EFI/<vendor>/ too), inputs
# checked before anything changes, and under injected faults and kills the old
# set stays whole, or the new one is complete, or (killed between two renames)
# GRUB is new while shim is still the old one -- never a shim without a GRUB.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/fault.sh"
need igos-grub igos-sign igos-mok
SHIM=/usr/lib/shim/shimx64.efi.signed
MM=/usr/lib/shim/mmx64.efi.signed
[ -f "$SHIM" ] && [ -f "$MM" ] || skip_all "shim-signed missing (make deps)"
[ -f /usr/lib/grub/x86_64-efi/chain.mod ] || skip_all "grub-efi-amd64-bin missing (make deps)"
plan 26

igos-mok new -k k.key -c k.crt --subject "igos grub install test" >/dev/null || exit 1
igos-grub build --timeout 0 -o grub.efi || exit 1
igos-sign sign -k k.key -c k.crt -o grub-old.efi grub.efi &&
	SOURCE_DATE_EPOCH=1 igos-grub build -o grub2.efi &&
	igos-sign sign -k k.key -c k.crt -o grub-new.efi grub2.efi &&
	igos-sign sign -k k.key -c k.crt -o shim-new.efi /usr/lib/shim/shimx64.efi &&
	igos-sign sign -k k.key -c k.crt -o mm-new.efi /usr/lib/shim/mmx64.efi || exit 1

mkdir esp
run 0 "" "install shim, MokManager, GRUB" \
	igos-grub install --esp esp --shim "$SHIM" --mokmanager "$MM" --grub grub-old.efi
same esp/EFI/BOOT/BOOTX64.EFI "$SHIM" "EFI/BOOT/BOOTX64.EFI is shim"
same esp/EFI/BOOT/mmx64.efi "$MM" "mmx64.efi beside it"
same esp/EFI/BOOT/grubx64.efi grub-old.efi "grubx64.efi beside it"
is "$(cd esp && find . | LC_ALL=C sort | tr '\n' ' ')" ". ./EFI ./EFI/BOOT ./EFI/BOOT/BOOTX64.EFI ./EFI/BOOT/grubx64.efi ./EFI/BOOT/mmx64.efi " \
	"nothing else on the ESP (no staging names left)"
run 0 "" "--vendor-dir intergenos" igos-grub install --esp esp --shim "$SHIM" --mokmanager "$MM" \
	--grub grub-old.efi --vendor-dir intergenos
same esp/EFI/intergenos/shimx64.efi "$SHIM" "EFI/intergenos/shimx64.efi"
same esp/EFI/intergenos/grubx64.efi grub-old.efi "EFI/intergenos/grubx64.efi"
same esp/EFI/intergenos/mmx64.efi "$MM" "EFI/intergenos/mmx64.efi"
run 0 "" "a new shim alone keeps GRUB and MokManager" igos-grub install --esp esp --shim shim-new.efi
same esp/EFI/BOOT/grubx64.efi grub-old.efi "GRUB is the one installed before"
run 1 "igos-grub: 'empty' has no GRUB and no --grub was given: shim would have nothing to start" \
	"a shim alone on an ESP without GRUB" sh -c 'mkdir -p empty && igos-grub install --esp empty --shim "$0"' "$SHIM"

# refusals leave the ESP as it was
cp -R esp esp.before
run 1 "igos-grub: 'grub.efi' is not signed (Secure Boot would refuse it)" "an unsigned GRUB" \
	igos-grub install --esp esp --shim "$SHIM" --grub grub.efi
run 1 "igos-grub: cannot open 'none.efi': No such file or directory" "a missing MokManager" \
	igos-grub install --esp esp --shim "$SHIM" --mokmanager none.efi --grub grub-new.efi
run 1 "igos-grub: 'k.crt': not a PE/COFF image (no MZ header)" "a shim that is not a PE image" \
	igos-grub install --esp esp --shim k.crt --grub grub-new.efi
run 1 "igos-grub: cannot open 'nodir': No such file or directory" "a missing ESP" \
	igos-grub install --esp nodir --shim "$SHIM"
run 2 "igos-grub: bad --vendor-dir 'a/b' (one directory name under EFI/)" "a vendor path" \
	igos-grub install --esp esp --shim "$SHIM" --vendor-dir a/b
run 2 "igos-grub: install needs --esp DIR and --shim FILE" "no --shim" igos-grub install --esp esp
# the vendor directory cannot be made: GRUB and MokManager were staged first
: >esp/EFI/blocked
run 1 "igos-grub: cannot write '$T/esp/EFI/blocked/.grubx64.efi.igos-new': Not a directory" \
	"a failure after some files were staged" igos-grub install --esp "$T/esp" --shim shim-new.efi \
	--mokmanager mm-new.efi --grub grub-new.efi --vendor-dir blocked
rm -f esp/EFI/blocked
ok "every refusal left the ESP as it was, no staging name behind" diff -r esp.before esp

# the boot entry: usage, and an ESP that is not on a disk partition
run 2 "igos-grub: --efivars goes with --boot-entry LABEL" "--efivars alone" \
	igos-grub install --esp esp --shim "$SHIM" --efivars vars
mkdir -p vars
run 1 "igos-grub: the files are in place; the boot entry: 'esp' is not on a disk partition" \
	"--boot-entry for an ESP that is not a partition (a directory here)" \
	igos-grub install --esp esp --shim "$SHIM" --boot-entry InterGenOS --efivars vars
is "$(ls vars)" "" "no variable written"

# faults and kills
f_prep() {
	rm -rf w && mkdir -p w/EFI/BOOT && cp "$SHIM" w/EFI/BOOT/BOOTX64.EFI &&
		cp "$MM" w/EFI/BOOT/mmx64.efi && cp grub-old.efi w/EFI/BOOT/grubx64.efi
}
f_state() {
	_s=o _m=o _g=o
	cmp -s w/EFI/BOOT/BOOTX64.EFI shim-new.efi && _s=n
	cmp -s w/EFI/BOOT/mmx64.efi mm-new.efi && _m=n
	cmp -s w/EFI/BOOT/grubx64.efi grub-new.efi && _g=n
	cmp -s w/EFI/BOOT/BOOTX64.EFI "$SHIM" || [ $_s = n ] || _s=x
	cmp -s w/EFI/BOOT/mmx64.efi "$MM" || [ $_m = n ] || _m=x
	cmp -s w/EFI/BOOT/grubx64.efi grub-old.efi || [ $_g = n ] || _g=x
	case $_g$_m$_s in
	ooo) echo old ;; nnn) echo new ;;
	# killed between two renames: GRUB (and MokManager) already new, shim old
	nno|noo) echo grubfirst ;;
	*) echo "grub=$_g mm=$_m shim=$_s" ;;
	esac
}
F_KILL_OK=grubfirst FAULT_KILLS=${FAULT_KILLS:-20} fault_suite "igos-grub install" w/EFI/BOOT \
	igos-grub install --esp w --shim shim-new.efi --mokmanager mm-new.efi --grub grub-new.efi
f_prep
igos-grub install --esp w --shim shim-new.efi --mokmanager mm-new.efi --grub grub-new.efi
is "$(f_state):$(find w -name '.*.igos-new' | wc -l | tr -d ' ')" new:0 \
	"a run after a killed one completes and leaves no staging name"
done_testing
