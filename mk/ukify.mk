# igos-ukify: build and inspect Unified Kernel Images (issue 10).
# --pcr-key builds the .pcrsig with lib/pcr.c (PCR_LIBS: see the Makefile).
CFLAGS_igos-ukify := -DIGOS_STUB_PATH='"$(LIBEXECDIR)/igos-stubx64.efi"' \
	-DIGOS_ADDON_STUB_PATH='"$(LIBEXECDIR)/igos-addonx64.efi"' $(call pc_cflags,tss2-mu json-c)
LIBS_igos-ukify := $(PCR_LIBS)
BENCHES += tests/bench/igos-ukify.sh
UNIT_LIBS_uki := $(call pc_libs,json-c)
