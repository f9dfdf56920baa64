# igos-bootcheck: the whole chain judged offline (lib/secboot.c, lib/loadopt.c,
# lib/sbat.c, lib/pcr.c for .pcrsig).
CFLAGS_igos-bootcheck := $(call pc_cflags,json-c tss2-mu)
LIBS_igos-bootcheck = $(PCR_LIBS) -lpthread
$(BUILD)/obj/lib/secboot.o $(BUILD)/obj/lib/loadopt.o: lib/secboot.h lib/authenticode.h lib/efivar.h
$(BUILD)/bin/igos-bootcheck: lib/secboot.h lib/sbat.h lib/pcr.h lib/efivar.h lib/authenticode.h
FUZZ_LIBS_secboot :=
BENCHES += tests/bench/igos-bootcheck.sh
