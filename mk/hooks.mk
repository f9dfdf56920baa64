# kernel-install hooks (issue 14): 60-igos-ukify.install builds, signs and verifies
# the UKI, 90-igos-uki.install installs it on the ESP; igos-kernel-install(8).
# kernel-install runs plugins from /usr/lib/kernel/install.d and /etc/kernel/install.d
# only: with PREFIX=/usr/local, link them from /etc/kernel/install.d or install with
# KERNELINSTALLDIR=/etc/kernel/install.d. The hooks call the commands in $(BINDIR).
KERNELINSTALLDIR ?= $(PREFIX)/lib/kernel/install.d
HOOK_FILES := hooks/60-igos-ukify.install hooks/90-igos-uki.install
INSTALL_EXTRA += install-hooks
BENCHES += tests/bench/hooks.sh

.PHONY: install-hooks
install-hooks:
	install -d $(DESTDIR)$(KERNELINSTALLDIR)
	for h in $(HOOK_FILES); do \
		t=$(DESTDIR)$(KERNELINSTALLDIR)/$${h##*/}; \
		sed 's|@BINDIR@|$(BINDIR)|g' $$h >$$t.tmp && chmod 0755 $$t.tmp && mv -f $$t.tmp $$t \
			|| { rm -f $$t.tmp; exit 1; }; \
	done
