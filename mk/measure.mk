# igos-measure: PCR 11 prediction and PCR policy signatures (lib/pcr.c,
# lib/pcrpolicy.c, lib/pcrsig.c; their flags and PCR_LIBS are set in the Makefile).
MEASURE_PC := tss2-mu tss2-esys tss2-tctildr tss2-rc json-c
CFLAGS_igos-measure := $(call pc_cflags,$(MEASURE_PC))
LIBS_igos-measure := $(call pc_libs,$(MEASURE_PC))
UNIT_LIBS_measure-pcr := $(PCR_LIBS)
BENCHES += tests/bench/igos-measure.sh
