#!/bin/sh
# The plugins called outside kernel-install, or by a kernel-install with a verb
# they do not know: a missing argument or environment is exit 1 with one line,
# other verbs are left alone (exit 0); syntax checked by dash -n.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/hooks.sh"
need dash
plan 12
U=60-igos-ukify.install I=90-igos-uki.install
for h in $U $I; do
	ok "$h: dash -n" dash -n "$HOOKS/$h"
done
run 1 "$U: usage: $U add VERSION ENTRY-DIR KERNEL [INITRD...] (run by kernel-install)" \
	"$U without arguments: exit 1" "$HOOKS/$U"
run 1 "$I: usage: $I add|remove VERSION ENTRY-DIR ... (run by kernel-install)" \
	"$I without arguments: exit 1" "$HOOKS/$I"
run 0 "" "$U: another verb is left alone" "$HOOKS/$U" inspect 1.0
run 0 "" "$I: another verb is left alone" "$HOOKS/$I" inspect 1.0
run 1 "$U: add needs a kernel image" "$U add without a kernel image" "$HOOKS/$U" add 1.0 /e
run 1 "$U: KERNEL_INSTALL_STAGING_AREA is not a directory (run by kernel-install)" \
	"$U add without a staging area" env -u KERNEL_INSTALL_STAGING_AREA "$HOOKS/$U" add 1.0 /e /k
run 1 "$I: KERNEL_INSTALL_BOOT_ROOT and KERNEL_INSTALL_ENTRY_TOKEN must be set (run by kernel-install)" \
	"$I remove without BOOT_ROOT" env -u KERNEL_INSTALL_BOOT_ROOT "$HOOKS/$I" remove 1.0 /e
mkdir staging
run 1 "$U: kernel image '$T/nokernel' is not a file" "$U add with a missing kernel image" \
	env KERNEL_INSTALL_STAGING_AREA="$T/staging" KERNEL_INSTALL_CONF_ROOT="$T" sh -c \
	"printf '[UKI]\nSecureBootPrivateKey = k\nSecureBootCertificate = c\n' >'$T/uki.conf'; exec '$HOOKS/$U' add 1.0 /e '$T/nokernel'"
is "$(ls -A staging)" "" "nothing left in the staging area"
run 0 "" "$I add with nothing staged: nothing to do" env KERNEL_INSTALL_BOOT_ROOT="$T/esp" \
	KERNEL_INSTALL_ENTRY_TOKEN=x KERNEL_INSTALL_STAGING_AREA="$T/staging" "$HOOKS/$I" add 1.0 /e /k
done_testing
