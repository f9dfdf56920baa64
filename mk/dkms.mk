# DKMS signs the modules it builds with the machine's MOK through igos-sign
# (issue 26, igos-dkms(8)): dkms/igos.conf goes to /etc/dkms/framework.conf.d,
# which Debian's dkms 3.0.10 reads, and dkms/dkms-sign to $(LIBEXECDIR). Not
# part of `make install` (DKMS reads only /etc/dkms, whatever PREFIX is): the
# package installs it (mk/deb.mk), or `make install-dkms`.
DKMSCONFDIR ?= /etc/dkms/framework.conf.d

.PHONY: install-dkms
install-dkms:
	install -d $(DESTDIR)$(DKMSCONFDIR) $(DESTDIR)$(LIBEXECDIR)
	sed 's|@BINDIR@|$(BINDIR)|g; s|@LIBEXECDIR@|$(LIBEXECDIR)|g' dkms/igos.conf \
		>$(DESTDIR)$(DKMSCONFDIR)/igos.conf.tmp && \
		chmod 0644 $(DESTDIR)$(DKMSCONFDIR)/igos.conf.tmp && \
		mv -f $(DESTDIR)$(DKMSCONFDIR)/igos.conf.tmp $(DESTDIR)$(DKMSCONFDIR)/igos.conf
	sed 's|@BINDIR@|$(BINDIR)|g' dkms/dkms-sign >$(DESTDIR)$(LIBEXECDIR)/dkms-sign.tmp && \
		chmod 0755 $(DESTDIR)$(LIBEXECDIR)/dkms-sign.tmp && \
		mv -f $(DESTDIR)$(LIBEXECDIR)/dkms-sign.tmp $(DESTDIR)$(LIBEXECDIR)/dkms-sign
