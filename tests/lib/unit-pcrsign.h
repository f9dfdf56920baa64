/*
 * The unit tests' own RSA PKCS#1 v1.5 signer for igos_pcrsig_build (a file
 * key, its allocations and OpenSSL calls not the library's). A test that
 * wraps some of these calls at link time (pcrsig-oom, pcr-faults) defines
 * the matching UNIT_SIGN_* as the __real_ call before including this, so the
 * signer itself is never failed.
 */
#ifndef UNIT_PCRSIGN_H
#define UNIT_PCRSIGN_H

#include <stdlib.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#ifndef UNIT_SIGN_MALLOC
#define UNIT_SIGN_MALLOC malloc
#endif
#ifndef UNIT_SIGN_CTX_NEW
#define UNIT_SIGN_CTX_NEW EVP_PKEY_CTX_new
#endif
#ifndef UNIT_SIGN_SET_PADDING
#define UNIT_SIGN_SET_PADDING EVP_PKEY_CTX_set_rsa_padding
#endif
#ifndef UNIT_SIGN_SET_MD
#define UNIT_SIGN_SET_MD EVP_PKEY_CTX_set_signature_md
#endif

static int
sign_cb(void *ctx, const EVP_MD *md, const unsigned char *d, size_t dl,
	unsigned char **sig, size_t *sl)
{
	EVP_PKEY_CTX *c = UNIT_SIGN_CTX_NEW(ctx, NULL);
	size_t n = 0;
	int ok = c && EVP_PKEY_sign_init(c) > 0 &&
		UNIT_SIGN_SET_PADDING(c, RSA_PKCS1_PADDING) > 0 &&
		UNIT_SIGN_SET_MD(c, md) > 0 &&
		EVP_PKEY_sign(c, NULL, &n, d, dl) > 0 && (*sig = UNIT_SIGN_MALLOC(n)) &&
		EVP_PKEY_sign(c, *sig, &n, d, dl) > 0;

	EVP_PKEY_CTX_free(c);
	*sl = n;
	return ok ? 0 : -1;
}

#endif
