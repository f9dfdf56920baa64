# igos-ukify: build and inspect Unified Kernel Images (issue 10).
CFLAGS_igos-ukify := -DIGOS_STUB_PATH='"$(LIBEXECDIR)/igos-stubx64.efi"'
BENCHES += tests/bench/igos-ukify.sh
$(BUILD)/bin/igos-ukify: lib/ini.h
# --pcr-key builds the .pcrsig with lib/pcr.c (igos-measure's library)
CFLAGS_igos-ukify += $(call pc_cflags,tss2-mu json-c)
LIBS_igos-ukify := $(PCR_LIBS)
$(BUILD)/bin/igos-ukify: lib/pcr.h
$(BUILD)/obj/lib/uki.o $(BUILD)/bin/igos-ukify: lib/uki.h
