# igos-measure: PCR 11 prediction and PCR policy signatures (lib/pcr.c,
# lib/pcrpolicy.c, lib/pcrsig.c; their flags and PCR_LIBS are set in the Makefile).
MEASURE_PC := tss2-mu tss2-esys tss2-tctildr tss2-rc json-c
CFLAGS_igos-measure := $(call pc_cflags,$(MEASURE_PC))
LIBS_igos-measure := $(call pc_libs,$(MEASURE_PC))
UNIT_LIBS_measure-pcr := $(PCR_LIBS)
BENCHES += tests/bench/igos-measure.sh
# pcrsig-oom fails the .pcrsig code's allocations one at a time: libigos's
# malloc and calloc and the json-c calls that allocate go through its wrappers
UNIT_LIBS_pcrsig-oom := $(PCR_LIBS) -Wl,--wrap=malloc,--wrap=calloc \
	-Wl,--wrap=json_object_new_object,--wrap=json_object_new_array \
	-Wl,--wrap=json_object_object_add,--wrap=json_object_array_add \
	-Wl,--wrap=json_tokener_new_ex,--wrap=json_tokener_free \
	-Wl,--wrap=json_object_to_json_string_ext
# pcr-faults fails the OpenSSL calls of lib/pcr.c and lib/pcrsig.c one at a time
UNIT_LIBS_pcr-faults := $(PCR_LIBS) -Wl,--wrap=EVP_MD_CTX_new,--wrap=EVP_DigestInit_ex \
	-Wl,--wrap=EVP_DigestUpdate,--wrap=EVP_DigestFinal_ex,--wrap=EVP_Digest \
	-Wl,--wrap=i2d_PublicKey,--wrap=BIO_new,--wrap=PEM_write_bio_PUBKEY \
	-Wl,--wrap=EVP_PKEY_CTX_new,--wrap=EVP_PKEY_verify_init \
	-Wl,--wrap=EVP_PKEY_CTX_set_rsa_padding,--wrap=EVP_PKEY_CTX_set_signature_md
