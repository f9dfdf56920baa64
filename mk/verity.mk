# igos-verity: dm-verity trees (lib/verity.c), activation through libcryptsetup.
LIBS_igos-verity := $(call pc_libs,libcryptsetup json-c) -lpthread
UNIT_LIBS_verity-tree := -lpthread -Wl,--wrap=EVP_DigestFinal_ex
UNIT_LIBS_verity-fec := -lpthread
BENCHES += tests/bench/igos-verity.sh
