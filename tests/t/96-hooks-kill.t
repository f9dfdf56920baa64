#!/bin/sh
# The installer killed while its file on the ESP is being synced or renamed: SIGTERM exits 1
# and removes the temporary copy; SIGKILL cannot be caught and leaves it, and the
# next add of that version removes it. The installed UKI stays byte-identical.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/hooks.sh"
need kernel-install igos-ukify igos-sign openssl ps
vm_kernel
plan 9
KVER=$VM_KVER
UKI=$T/esp/EFI/Linux/igos-$KVER.efi
hooks_env
hooks_mok mok
hooks_conf "$T/mok.key" "$T/mok.crt"
run 0 "*" "a first UKI installed" ki add "$KVER" "$VM_VMLINUZ"
cp "$UKI" before.efi

# a sync(1) that stops on the ESP copy and says which installer runs it
hooks_stop_sync
killed_add() { # SIGNAL: add, kill the installer during its sync, status of kernel-install
	rm -f hookpid syncpid
	PATH=$T/wrap:$PATH kernel-install add "$KVER" "$VM_VMLINUZ" >/dev/null 2>ki.err & kpid=$!
	i=0
	while ! [ -s hookpid ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	kill -"$1" "$(cat hookpid)"
	st=0; wait $kpid || st=$?
	kill "$(cat syncpid)" 2>/dev/null
	return $st
}

killed_add TERM; st=$?
is "$st" 1 "SIGTERM to the installer: kernel-install exits 1"
same "$UKI" before.efi "SIGTERM: the installed UKI is byte-identical"
is "$(ls -A esp/EFI/Linux)" "igos-$KVER.efi" "SIGTERM: the temporary copy is gone"

killed_add KILL; st=$?
is "$st" 137 "SIGKILL to the installer: kernel-install passes its status on"
same "$UKI" before.efi "SIGKILL: the installed UKI is byte-identical"
is "$(ls -A esp/EFI/Linux | grep -c "^\.igos-igos-$KVER\.efi\.......\(\.[0-9][0-9]*\)\{0,1\}$")" 1 \
	"SIGKILL: the temporary copy is left"
run 0 "*" "the next add of that version" ki add "$KVER" "$VM_VMLINUZ"
is "$(ls -A esp/EFI/Linux)" "igos-$KVER.efi" "removes the leftover"
done_testing
