# igos-bootcheck: the whole chain judged offline (lib/secboot.c, lib/loadopt.c,
# lib/sbat.c, lib/pcr.c for .pcrsig).
CFLAGS_igos-bootcheck := $(call pc_cflags,json-c tss2-mu)
LIBS_igos-bootcheck = $(PCR_LIBS) -lpthread
$(BUILD)/obj/lib/secboot.o $(BUILD)/obj/lib/loadopt.o: lib/secboot.h lib/authenticode.h lib/efivar.h
$(BUILD)/bin/igos-bootcheck: lib/secboot.h lib/sbat.h lib/pcr.h lib/efivar.h lib/authenticode.h
FUZZ_LIBS_secboot :=
BENCHES += tests/bench/igos-bootcheck.sh
# secboot-faults fails lib/secboot.c's allocations and OpenSSL calls one at a time
UNIT_LIBS_secboot-faults := -Wl,--wrap=malloc,--wrap=realloc,--wrap=EVP_MD_CTX_new \
	-Wl,--wrap=EVP_DigestInit_ex,--wrap=EVP_DigestUpdate,--wrap=EVP_DigestFinal_ex \
	-Wl,--wrap=EVP_MD_CTX_copy_ex,--wrap=EVP_Digest,--wrap=OPENSSL_sk_new_null \
	-Wl,--wrap=OPENSSL_sk_push,--wrap=EVP_get_digestbyname,--wrap=d2i_PKCS7 \
	-Wl,--wrap=i2d_X509,--wrap=d2i_X509,--wrap=X509_get_ext_d2i
