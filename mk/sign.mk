# igos-sign: Authenticode signatures for PE/COFF and kernel module signatures.
BENCHES += tests/bench/igos-sign.sh
# authenticode-oom fails lib/authenticode.c's allocations one at a time (and
# tracks what they allocated through the matching frees)
UNIT_LIBS_authenticode-oom := -Wl,--wrap=malloc,--wrap=free \
	-Wl,--wrap=EVP_MD_CTX_new,--wrap=EVP_MD_CTX_free \
	-Wl,--wrap=BIO_new_mem_buf,--wrap=BIO_free \
	-Wl,--wrap=OPENSSL_sk_new_null,--wrap=OPENSSL_sk_free,--wrap=OPENSSL_sk_push \
	-Wl,--wrap=X509_STORE_new,--wrap=X509_STORE_free,--wrap=X509_STORE_add_cert
