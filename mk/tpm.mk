# keys held by the TPM (lib/tpmkey.c, linked through BASE_LIBS): the signing bench
BENCHES += tests/bench/tpm.sh
# tpmkey-tpm runs lib/tpmkey.c against a swtpm; these wraps pass every call
# through unless the unit makes one fail (out of memory, a TSS call failing);
# tss2-sys flushes what the unit itself leaves in the TPM
UNIT_LIBS_tpmkey-tpm := $(call pc_libs,tss2-sys) -Wl,--wrap=calloc,--wrap=malloc,--wrap=Esys_Initialize \
	-Wl,--wrap=Esys_GetCapability,--wrap=Esys_TRSess_SetAttributes,--wrap=Esys_TR_SetAuth \
	-Wl,--wrap=Esys_TR_FromTPMPublic,--wrap=Esys_Load,--wrap=Esys_Sign
# and the key file's PEM written or read without memory, or a write failing partway
UNIT_LIBS_tpmkey-tpm += -Wl,--wrap=BIO_new,--wrap=BIO_new_mem_buf,--wrap=PEM_write_bio
UNIT_LIBS_tpmkey-tpm += -Wl,--wrap=Esys_Create
