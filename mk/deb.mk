# make deb: the Debian package igos_<version>_amd64.deb in $(BUILD)/deb (issue 26),
# built by dpkg-buildpackage from debian/ in a copy of the tree under
# $(BUILD)/deb/src (it writes beside the source directory); mk/deb.sh.
# Rebuilt only when a source file changed (the tree's hash is kept beside it).
IGOS_VERSION_STR := $(shell sed -n 's/^\#define IGOS_VERSION "\(.*\)"$$/\1/p' lib/igos.h)
DEB_DIR := $(BUILD)/deb
DEB     := $(DEB_DIR)/igos_$(IGOS_VERSION_STR)_amd64.deb

.PHONY: deb
deb:
	sh mk/deb.sh $(DEB_DIR) $(IGOS_VERSION_STR)
