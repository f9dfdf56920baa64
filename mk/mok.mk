# igos-mok: the machine's MOK and the EFI variables shim reads (lib/efivar.c).
LIBS_igos-mok := $(call pc_libs,libcrypt json-c)
CFLAGS_igos-mok := $(call pc_cflags,json-c)
BENCHES += tests/bench/igos-mok.sh
# efivar-fs stands in for efivarfs at link time: statfs answers its magic for the
# test directory, the immutable flag is kept per file, writes and allocations fail
UNIT_LIBS_efivar-fs := -Wl,--wrap=statfs,--wrap=write,--wrap=close,--wrap=ioctl,--wrap=malloc,--wrap=realloc,--wrap=asprintf
