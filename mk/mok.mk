# igos-mok: the machine's MOK and the EFI variables shim reads (lib/efivar.c).
LIBS_igos-mok := $(call pc_libs,libcrypt json-c)
CFLAGS_igos-mok := $(call pc_cflags,json-c)
UNIT_LIBS_efivar := 
$(BUILD)/obj/lib/efivar.o: lib/efivar.h
$(BUILD)/bin/igos-mok: lib/efivar.h
$(BUILD)/tests/unit/efivar.t: lib/efivar.h
BENCHES += tests/bench/igos-mok.sh
