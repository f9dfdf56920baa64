# igos-measure: PCR 11 prediction and PCR policy signatures (lib/pcr.c, lib/pcrsign.c).
MEASURE_PC := tss2-mu tss2-esys tss2-tctildr tss2-rc json-c
CFLAGS_igos-measure := $(call pc_cflags,$(MEASURE_PC))
LIBS_igos-measure := $(call pc_libs,$(MEASURE_PC))
CFLAGS_lib_pcr := $(call pc_cflags,tss2-mu json-c)
# Whoever links lib/pcr.o (igos-ukify --pcr-key, unit tests, a fuzz-pcrsig target) adds these.
PCR_LIBS := $(call pc_libs,tss2-mu json-c)

$(BUILD)/obj/lib/pcr.o $(BUILD)/obj/lib/pcrsign.o: lib/pcr.h
$(BUILD)/bin/igos-measure: lib/pcr.h


UNIT_LIBS_measure-pcr := $(PCR_LIBS)
$(BUILD)/tests/unit/measure-pcr.t: lib/pcr.h
BENCHES += tests/bench/igos-measure.sh
FUZZ_LIBS_pcrsig := $(PCR_LIBS)
# the table of measured UKI sections, shared with the stub (efi/pure.c)
$(BUILD)/obj/lib/pcr.o $(BUILD)/obj/lib/pcrsign.o $(BUILD)/bin/igos-measure \
	$(BUILD)/bin/igos-ukify $(BUILD)/tests/unit/measure-pcr.t: lib/uki-sections.h
