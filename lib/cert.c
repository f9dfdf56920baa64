/* Certificates and public keys from files (PEM or DER) or tokens; a new
 * self-signed code-signing certificate. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

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

	if (strncmp(path, "pkcs11:", 7) == 0)
		return igos_p11_load_pubkey(path);
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

static int
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = e != NULL && X509_add_ext(x, e, -1);

	X509_EXTENSION_free(e);
	if (!ok)
		return igos_seterr_ssl("cannot add the %s extension", OBJ_nid2sn(nid));
	return 0;
}

/* The certificate with everything but its signature (signer and pkey NULL
 * in build(): the signature algorithm set for RSA with SHA-256, the value
 * left empty). */
static X509 *build(const X509_NAME *name, EVP_PKEY *pkey, struct igos_signer *signer,
		   int days, const char *eku, int sign);

X509 *
igos_cert_selfsigned(const X509_NAME *name, EVP_PKEY *pkey, struct igos_signer *signer,
		     int days, const char *eku)
{
	return build(name, pkey, signer, days, eku, 1);
}

X509 *
igos_cert_selfsigned_unsigned(const X509_NAME *name, EVP_PKEY *pub, int days, const char *eku)
{
	if (EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA) {
		igos_seterr("not an RSA key");
		return NULL;
	}
	return build(name, pub, NULL, days, eku, 0);
}

static X509 *
build(const X509_NAME *name, EVP_PKEY *pkey, struct igos_signer *signer, int days,
      const char *eku, int sign)
{
	unsigned char rnd[16];
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;
	X509V3_CTX ctx;
	X509 *x;

	if ((x = X509_new()) == NULL || !X509_set_version(x, X509_VERSION_3)) {
		igos_seterr("out of memory");
		goto fail;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		igos_seterr_errno("cannot get random bytes");
		goto fail;
	}
	rnd[0] = (rnd[0] & 0x7f) | 0x40; /* positive, full 16 bytes */
	if ((bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL || !X509_set_serialNumber(x, serial)) {
		igos_seterr("out of memory");
		goto fail;
	}
	BN_free(bn);
	bn = NULL;
	ASN1_INTEGER_free(serial);
	serial = NULL;
	if (!X509_set_subject_name(x, name) || !X509_set_issuer_name(x, name) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), 0) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) ||
	    !X509_set_pubkey(x, pkey)) {
		igos_seterr("cannot build the certificate");
		goto fail;
	}
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") < 0 ||
	    add_ext(x, &ctx, NID_ext_key_usage, eku) < 0 ||
	    add_ext(x, &ctx, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") < 0)
		goto fail;
	if (!sign) {
		const ASN1_BIT_STRING *csig;
		const X509_ALGOR *calg;

		/* what igos_x509_sign sets for RSA with SHA-256, so that the
		 * to-be-signed bytes are final */
		X509_get0_signature(&csig, &calg, x);
		if (!X509_ALGOR_set0((X509_ALGOR *)X509_get0_tbs_sigalg(x),
				     OBJ_nid2obj(NID_sha256WithRSAEncryption), V_ASN1_NULL, NULL) ||
		    !X509_ALGOR_set0((X509_ALGOR *)calg,
				     OBJ_nid2obj(NID_sha256WithRSAEncryption), V_ASN1_NULL, NULL)) {
			igos_seterr_ssl("cannot set the signature algorithm");
			goto fail;
		}
	} else if (signer != NULL) {
		if (igos_x509_sign(x, signer, EVP_sha256()) < 0)
			goto fail;
	} else if (X509_sign(x, pkey, EVP_sha256()) <= 0) {
		igos_seterr_ssl("cannot sign the certificate");
		goto fail;
	}
	return x;
fail:
	BN_free(bn);
	ASN1_INTEGER_free(serial);
	X509_free(x);
	return NULL;
}
