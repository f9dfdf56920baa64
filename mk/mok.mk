# igos-mok: the machine's MOK and the EFI variables shim reads (lib/efivar.c).
LIBS_igos-mok := $(call pc_libs,libcrypt json-c)
CFLAGS_igos-mok := $(call pc_cflags,json-c)
BENCHES += tests/bench/igos-mok.sh
