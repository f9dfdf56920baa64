# igos-ukify: build and inspect Unified Kernel Images (issue 10).
CFLAGS_igos-ukify := -DIGOS_STUB_PATH='"$(LIBEXECDIR)/igos-stubx64.efi"'
BENCHES += tests/bench/igos-ukify.sh
$(BUILD)/bin/igos-ukify: lib/ini.h
