# tests/t/996: igos-kernel-install(8)'s examples: kernel-install with the hooks of
# this tree, the ESP at /boot/efi (install.conf), a stand-in kernel and initrd.
need kernel-install
docs_kernel
cp vmlinuz /boot/vmlinuz-6.1.0-13-amd64
cp initrd.img /boot/initrd.img-6.1.0-13-amd64
# the plugins where make install puts them; the page links them into
# /etc/kernel/install.d only after its kernel-install example, so that one is
# told where they are (KERNEL_INSTALL_PLUGINS, which also keeps the system's
# own plugins out)
mkdir -p /etc/kernel/install.d /boot/efi /usr/local/lib/kernel/install.d
cp "$IGOS_SRC"/hooks/60-igos-ukify.install "$IGOS_SRC"/hooks/90-igos-uki.install \
	/usr/local/lib/kernel/install.d/
KERNEL_INSTALL_PLUGINS="/usr/local/lib/kernel/install.d/60-igos-ukify.install \
/usr/local/lib/kernel/install.d/90-igos-uki.install"
printf 'BOOT_ROOT=/boot/efi\nlayout=uki\n' >/etc/kernel/install.conf
[ -s /etc/machine-id ] || echo 0123456789abcdef0123456789abcdef >/etc/machine-id
doc_tty "igos-mok import*" docs-password docs-password
