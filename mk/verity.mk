# igos-verity: dm-verity trees (lib/verity.c), activation through libcryptsetup.
LIBS_igos-verity := $(call pc_libs,libcryptsetup json-c) -lpthread
UNIT_LIBS_verity-tree := -lpthread
BENCHES += tests/bench/igos-verity.sh

$(BUILD)/obj/lib/verity.o: lib/verity.h
$(BUILD)/bin/igos-verity: lib/verity.h
$(BUILD)/tests/unit/verity-tree.t: lib/verity.h
