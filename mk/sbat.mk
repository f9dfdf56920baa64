# lib/sbat.c: SBAT as shim reads it (igos-bootcheck, igos-grub).
$(BUILD)/obj/lib/sbat.o: lib/sbat.h
$(BUILD)/tests/unit/sbat.t: lib/sbat.h
$(FUZZ_BUILD)/obj/sbat.o: lib/sbat.h
# sbat-oom fails lib/sbat.c's allocations one at a time
UNIT_LIBS_sbat-oom := -Wl,--wrap=malloc,--wrap=realloc
