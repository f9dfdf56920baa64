#!/bin/sh
# Boot counting: with tries in KERNEL_INSTALL_CONF_ROOT the UKI is named
# <token>-<version>+<tries>.efi; installing it replaces the version's other names
# (plain and boot-counted +N-M) only once the new file is in place; remove deletes
# them all; a tries file without an integer is an error.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/hooks.sh"
need kernel-install igos-ukify igos-sign openssl
vm_kernel
plan 12
KVER=$VM_KVER
L=$T/esp/EFI/Linux
hooks_env
hooks_mok mok
hooks_conf "$T/mok.key" "$T/mok.crt"
echo "root=/dev/vda2 ro" >conf/cmdline

run 0 "*" "add without tries" ki add "$KVER" "$VM_VMLINUZ"
ok "plain name" test -f "$L/igos-$KVER.efi"
echo 3 >conf/tries
mkdir -p "$L"
echo other >"$L/igos-$KVER-old+1-2.efi"
echo counted >"$L/igos-$KVER+2-1.efi"
run 0 "*" "add with tries 3" ki add "$KVER" "$VM_VMLINUZ"
is "$(cd "$L" && ls -A | sort | paste -sd ' ')" "igos-$KVER+3.efi igos-$KVER-old+1-2.efi" \
	"+3 installed; the plain and the +2-1 names of that version gone; other versions kept"
ok "the +3 UKI verifies" igos-sign verify -c mok.crt "$L/igos-$KVER+3.efi"
ok "and carries the cmdline" sh -c "[ \"\$(igos-ukify inspect --section .cmdline '$L/igos-$KVER+3.efi')\" = 'root=/dev/vda2 ro' ]"
echo 5 >conf/tries
run 0 "*" "add again with tries 5" ki add "$KVER" "$VM_VMLINUZ"
is "$(cd "$L" && ls -A | sort | paste -sd ' ')" "igos-$KVER+5.efi igos-$KVER-old+1-2.efi" "+5 replaces +3"
cp "$L/igos-$KVER+5.efi" "$L/igos-$KVER+4-1.efi"
run 0 "" "remove" ki remove "$KVER"
is "$(ls -A "$L")" "igos-$KVER-old+1-2.efi" "remove deletes +N and +N-M names of the version"

echo three >conf/tries
run 1 "*" "tries without an integer: exit 1" ki add "$KVER" "$VM_VMLINUZ"
last_err "90-igos-uki.install: '$T/conf/tries' does not contain an integer" "and says so"
done_testing
