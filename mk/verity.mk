# igos-verity: dm-verity trees (lib/verity.c), activation through libcryptsetup.
LIBS_igos-verity := $(call pc_libs,libcryptsetup json-c) -lpthread
UNIT_LIBS_verity-tree := -lpthread -Wl,--wrap=EVP_DigestFinal_ex
UNIT_LIBS_verity-fec := -lpthread
BENCHES += tests/bench/igos-verity.sh
# verity-oom fails the tree code's allocations, digest contexts and threads one
# at a time (and counts what is left): libigos's calls go through its wrappers
UNIT_LIBS_verity-oom := -lpthread -Wl,--wrap=malloc,--wrap=calloc,--wrap=free \
	-Wl,--wrap=EVP_MD_CTX_new,--wrap=EVP_MD_CTX_free,--wrap=EVP_MD_fetch,--wrap=pthread_create
# verity-tree also fails one digest update (a block that never reaches the digest)
UNIT_LIBS_verity-tree += -Wl,--wrap=EVP_DigestUpdate
