#!/bin/sh
# The newer kernel-install protocol (systemd 253+: layout=uki, uki.efi in the staging
# area, 90-uki-copy.install), simulated with Debian 12's kernel-install and a
# stand-in 90-uki-copy.install (253+ is not installable here): exactly one installer
# writes the UKI. KERNEL_INSTALL_UKI_GENERATOR (254+) naming another generator
# makes the hooks step aside. With Debian's own 90-loaderentry.install (layout=bls)
# both the type #1 entry and the UKI are installed.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/hooks.sh"
need kernel-install igos-ukify igos-sign openssl /usr/lib/kernel/install.d/90-loaderentry.install
vm_kernel
plan 21
KVER=$VM_KVER
UKI=$T/esp/EFI/Linux/igos-$KVER.efi

# stand-in for 253+'s 90-uki-copy.install: installs the staged uki.efi under the
# protocol's name, and logs what it did
cat >90-uki-copy.install <<'P'
#!/bin/sh
set -e
d=$KERNEL_INSTALL_BOOT_ROOT/EFI/Linux
case $1 in
remove) rm -f "$d/$KERNEL_INSTALL_ENTRY_TOKEN-$2.efi"; echo removed >>"$COPY_LOG"; exit 0 ;;
add) [ "$KERNEL_INSTALL_LAYOUT" = uki ] || exit 0 ;;
*) exit 0 ;;
esac
if ! [ -f "$KERNEL_INSTALL_STAGING_AREA/uki.efi" ]; then echo "no uki.efi" >>"$COPY_LOG"; exit 0; fi
mkdir -p "$d"
install -m 0644 "$KERNEL_INSTALL_STAGING_AREA/uki.efi" "$d/$KERNEL_INSTALL_ENTRY_TOKEN-$2.efi"
echo "installed $(stat -c %i "$d/$KERNEL_INSTALL_ENTRY_TOKEN-$2.efi")" >>"$COPY_LOG"
P
chmod +x 90-uki-copy.install
COPY_LOG=$T/copy.log; export COPY_LOG
hooks_env
hooks_mok mok
hooks_conf "$T/mok.key" "$T/mok.crt"
echo "root=/dev/vda2 ro" >conf/cmdline
PLUGINS_252=$KERNEL_INSTALL_PLUGINS
export KERNEL_INSTALL_PLUGINS="$PLUGINS_252 $T/90-uki-copy.install"

# layout=uki (from install.conf, the only place kernel-install takes it from)
echo layout=uki >conf/install.conf
run 0 "*" "layout=uki with 90-uki-copy.install: add" ki --verbose add "$KVER" "$VM_VMLINUZ"
is "$(cat copy.log)" "installed $(stat -c %i "$UKI")" \
	"90-uki-copy.install installed the UKI, and nothing replaced it after"
ok "90-igos-uki.install stepped aside" sh -c "printf '%s\n' \"\$1\" | grep -qx '90-igos-uki.install: layout=uki: .*/uki.efi verified, 90-uki-copy.install installs it'" - "$OUT"
nok "90-igos-uki.install did not install" sh -c "printf '%s\n' \"\$1\" | grep -q '^90-igos-uki.install: installing'" - "$OUT"
ok "the installed UKI is the signed one" igos-sign verify -c mok.crt "$UKI"
is "$(ls -A esp/EFI/Linux)" "igos-$KVER.efi" "one file in EFI/Linux"
run 0 "*" "remove with both plugins" ki remove "$KVER"
is "$(ls -A esp/EFI/Linux)" "" "the UKI is gone"

# layout=uki but 90-uki-copy.install not among the plugins (masked): we install
export KERNEL_INSTALL_PLUGINS="$PLUGINS_252"
: >copy.log
run 0 "*" "layout=uki without 90-uki-copy.install: add" ki --verbose add "$KVER" "$VM_VMLINUZ"
ok "90-igos-uki.install installed it" sh -c "printf '%s\n' \"\$1\" | grep -qx '90-igos-uki.install: installing .* as $UKI'" - "$OUT"
ok "and it verifies" igos-sign verify -c mok.crt "$UKI"

# KERNEL_INSTALL_UKI_GENERATOR (254+), plugins run as kernel-install runs them
cp "$UKI" before.efi
mkdir staging
# the plugins in order, with the arguments and environment of the newer kernel-install
cat >plugins <<P
#!/bin/sh
for p in $HOOKS/60-igos-ukify.install $HOOKS/90-igos-uki.install $T/90-uki-copy.install; do
	"\$p" add "$KVER" "$T/esp/igos/$KVER" "$VM_VMLINUZ" || exit
done
P
chmod +x plugins
export KERNEL_INSTALL_BOOT_ROOT=$T/esp KERNEL_INSTALL_ENTRY_TOKEN=igos KERNEL_INSTALL_MACHINE_ID=$MID \
	KERNEL_INSTALL_LAYOUT=uki KERNEL_INSTALL_STAGING_AREA=$T/staging KERNEL_INSTALL_VERBOSE=1 \
	KERNEL_INSTALL_IMAGE_TYPE=pe KERNEL_INSTALL_PLUGINS="$PLUGINS_252 $T/90-uki-copy.install"
run 0 "*" "generator ukify: the plugins run" env KERNEL_INSTALL_UKI_GENERATOR=ukify ./plugins
ok "60-igos-ukify.install stepped aside" sh -c "printf '%s\n' \"\$1\" | grep -qx '60-igos-ukify.install: KERNEL_INSTALL_UKI_GENERATOR=ukify, not building'" - "$OUT"
is "$(ls -A staging)" "" "nothing staged"
same "$UKI" before.efi "the installed UKI untouched"
: >copy.log
run 0 "*" "generator igos: the plugins run" env KERNEL_INSTALL_UKI_GENERATOR=igos ./plugins
is "$(cat copy.log)" "installed $(stat -c %i "$UKI")" "generator igos: built by us, installed once by 90-uki-copy.install"
: >copy.log
run 0 "*" "image type uki: the plugins run" env KERNEL_INSTALL_IMAGE_TYPE=uki ./plugins
ok "60-igos-ukify.install does not wrap a UKI in a UKI" sh -c "printf '%s\n' \"\$1\" | grep -qx '60-igos-ukify.install: .* is a UKI already, not building'" - "$OUT"
unset KERNEL_INSTALL_BOOT_ROOT KERNEL_INSTALL_ENTRY_TOKEN KERNEL_INSTALL_MACHINE_ID KERNEL_INSTALL_LAYOUT \
	KERNEL_INSTALL_STAGING_AREA KERNEL_INSTALL_VERBOSE KERNEL_INSTALL_IMAGE_TYPE

# layout=bls with Debian's 90-loaderentry.install: a type #1 entry and the UKI
echo layout=bls >conf/install.conf
export KERNEL_INSTALL_PLUGINS="$HOOKS/60-igos-ukify.install $HOOKS/90-igos-uki.install /usr/lib/kernel/install.d/90-loaderentry.install"
run 0 "*" "layout=bls with 90-loaderentry.install: add" ki add "$KVER" "$VM_VMLINUZ"
ok "the type #1 entry and the UKI are both there" test -f "esp/loader/entries/igos-$KVER.conf" -a -f "esp/igos/$KVER/linux" -a -f "$UKI"
done_testing
