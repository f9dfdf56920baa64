#!/bin/sh
# Fault injection into kernel-install add with the igos hooks (every process:
# kernel-install, the hooks' shells, igos-ukify, igos-sign, cp, sync, mv):
# the N-th write, fsync, rename, link or close fails in each process for every
# N, and FAULT_KILLS runs are SIGKILLed at a random call or byte. Afterwards
# the UKI on the ESP is the previous one, byte for byte, or the new one that
# igos-sign verify accepts: the previous UKI stays bootable. A fault leaves no
# temporary file on the ESP; a kill may leave one (.igos-*.efi.XXXXXX, which
# the next add or remove of that version deletes: 96-hooks-kill.t).
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/hooks.sh"
. "$TESTLIB/ukify.sh"
. "$TESTLIB/fault.sh"
need kernel-install igos-ukify igos-sign openssl "$FI" "$STUB_EFI"
KVER=6.1.0-fault
mkkernel vmlinuz "$KVER" 300000
hooks_env
hooks_mok mok
hooks_conf "$T/mok.key" "$T/mok.crt"
UKI=$T/esp/EFI/Linux/igos-$KVER.efi
echo "root=/dev/vda2 ro old" >conf/cmdline
run 0 "*" "the previous UKI installed" kernel-install add "$KVER" vmlinuz
cp "$UKI" old.efi
echo "root=/dev/vda2 ro new" >conf/cmdline
run 0 "*" "the new UKI installed" kernel-install add "$KVER" vmlinuz
cp "$UKI" new.efi
ok "the new UKI verifies" igos-sign verify -c mok.crt new.efi
f_prep() { cp old.efi "$UKI"; rm -f "$T"/esp/EFI/Linux/.igos-*; }
f_state() {
	if cmp -s "$UKI" old.efi; then echo old
	elif cmp -s "$UKI" new.efi && igos-sign verify -c mok.crt "$UKI" >/dev/null 2>&1; then echo new
	elif [ ! -e "$UKI" ]; then echo "no UKI"
	else echo "a broken UKI"; fi
}
F_TEMPS='.igos-*' F_KILL_TEMP_OK=1 F_ANYMSG=1
FAULT_KILLS=${FAULT_KILLS:-100}
fault_suite "kernel-install add (igos hooks)" "$T/esp/EFI/Linux" kernel-install add "$KVER" vmlinuz
done_testing
