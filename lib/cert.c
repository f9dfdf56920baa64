/* Certificates and public keys from files (PEM or DER) or tokens. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "internal.h"

static int
looks_pem(const struct igos_buf *b)
{
	return b->len >= 11 && memmem(b->data, b->len, "-----BEGIN ", 11) != NULL;
}

X509 *
igos_cert_load(const char *ref)
{
	struct igos_buf b;
	X509 *x = NULL;

	if (strncmp(ref, "pkcs11:", 7) == 0) {
		if ((x = igos_p11_load_cert(ref)) == NULL)
			igos_ref_scrub_errmsg(ref);
		return x;
	}
	if (igos_buf_read(&b, ref, 1 << 20) < 0) {
		igos_ref_scrub_errmsg(ref);
		return NULL;
	}
	if (looks_pem(&b)) {
		BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);

		if (bio != NULL)
			x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else if (b.len > 0) {
		const unsigned char *p = b.data;

		x = d2i_X509(NULL, &p, (long)b.len);
		if (x != NULL && p != b.data + b.len) {
			X509_free(x);
			x = NULL;
		}
	}
	igos_buf_free(&b);
	if (x == NULL) {
		igos_seterr_ssl("cannot read certificate '%s'", ref);
		igos_ref_scrub_errmsg(ref);
	}
	return x;
}

STACK_OF(X509) *
igos_certs_load(const char *path)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	struct igos_buf b;
	X509 *x;

	if (sk == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	if (igos_buf_read(&b, path, 16 << 20) < 0) {
		sk_X509_free(sk);
		return NULL;
	}
	if (looks_pem(&b)) {
		BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);

		while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
			sk_X509_push(sk, x);
		BIO_free(bio);
		ERR_clear_error();
	} else if (b.len > 0) {
		const unsigned char *p = b.data;

		if ((x = d2i_X509(NULL, &p, (long)b.len)) != NULL)
			sk_X509_push(sk, x);
	}
	igos_buf_free(&b);
	if (sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		igos_seterr_ssl("cannot read certificate '%s'", path);
		return NULL;
	}
	return sk;
}

int
igos_cert_matches(X509 *cert, const struct igos_signer *s)
{
	EVP_PKEY *k = X509_get0_pubkey(cert);

	if (k == NULL || EVP_PKEY_eq(k, igos_signer_pubkey(s)) != 1)
		return igos_seterr("the certificate does not match the key");
	return 0;
}

EVP_PKEY *
igos_pubkey_load(const char *path)
{
	struct igos_buf b;
	EVP_PKEY *k = NULL;
	X509 *x = NULL;

	if (igos_buf_read(&b, path, 1 << 20) < 0)
		return NULL;
	if (looks_pem(&b)) {
		BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);

		if (bio && (k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL)) == NULL) {
			BIO_reset(bio);
			if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
				k = X509_get_pubkey(x);
		}
		BIO_free(bio);
	} else if (b.len > 0) {
		const unsigned char *p = b.data;

		if ((k = d2i_PUBKEY(NULL, &p, (long)b.len)) == NULL) {
			p = b.data;
			if ((x = d2i_X509(NULL, &p, (long)b.len)) != NULL)
				k = X509_get_pubkey(x);
		}
	}
	X509_free(x);
	igos_buf_free(&b);
	if (k == NULL)
		igos_seterr_ssl("cannot read public key '%s'", path);
	else
		ERR_clear_error();
	return k;
}
