#!/bin/sh
# make install puts the kernel-install hooks in KERNELINSTALLDIR (default
# $(PREFIX)/lib/kernel/install.d), executable, calling the commands in $(BINDIR);
# the installed hooks work with kernel-install as they are.
. "${0%/*}/../lib/tap.sh"
. "$TESTLIB/vm.sh"
. "$TESTLIB/hooks.sh"
need make kernel-install openssl
vm_kernel
plan 9
D=$T/root
run 0 "*" "make install into DESTDIR with PREFIX=/usr" make -s -C "$IGOS_SRC" install DESTDIR="$D" \
	PREFIX=/usr BUILD="$IGOS_BUILD"
for h in 60-igos-ukify.install 90-igos-uki.install; do
	ok "$h installed executable in /usr/lib/kernel/install.d" test -x "$D/usr/lib/kernel/install.d/$h"
	ok "$h calls the commands in /usr/bin" grep -qx 'PATH=/usr/bin:$PATH' "$D/usr/lib/kernel/install.d/$h"
done
run 0 "*" "KERNELINSTALLDIR=/etc/kernel/install.d" make -s -C "$IGOS_SRC" install-hooks DESTDIR="$D" \
	KERNELINSTALLDIR=/etc/kernel/install.d
ok "the hooks can go to /etc/kernel/install.d" test -x "$D/etc/kernel/install.d/60-igos-ukify.install"

# the installed hooks with the installed commands (and the installed stub by default)
hooks_env
hooks_mok mok
printf '[UKI]\nStub = %s\nSecureBootPrivateKey = %s\nSecureBootCertificate = %s\n' \
	"$D/usr/lib/igos/igos-stubx64.efi" "$T/mok.key" "$T/mok.crt" >conf/uki.conf
sed -i "s|^PATH=/usr/bin:|PATH=$D/usr/bin:|" "$D"/usr/lib/kernel/install.d/*.install
run 0 "*" "kernel-install with the installed hooks" env PATH=/usr/bin:/bin \
	KERNEL_INSTALL_PLUGINS="$D/usr/lib/kernel/install.d/60-igos-ukify.install $D/usr/lib/kernel/install.d/90-igos-uki.install" \
	kernel-install add "$VM_KVER" "$VM_VMLINUZ"
ok "the UKI is installed and verifies" "$D/usr/bin/igos-sign" verify -c mok.crt "esp/EFI/Linux/igos-$VM_KVER.efi"
done_testing
