/*
 * One signer for file keys and token keys: open a key reference, learn its
 * public key, sign a digest or a message. Every signature is checked against
 * the public key before it is handed out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <p11-kit/pkcs11.h>

#include "internal.h"
#include "tpmkey.h"

struct igos_signer {
	enum igos_key_type type;
	int bits;
	EVP_PKEY *pub;
	EVP_PKEY *priv;       /* file keys */
	struct igos_p11 *p11; /* token keys */
	struct igos_tpm *tpm; /* keys held by the TPM (TSS2 PRIVATE KEY files) */
};

static int
passphrase_cb(char *buf, int size, int rwflag, void *u)
{
	char prompt[512];
	char *pw;
	size_t n;

	(void)rwflag;
	snprintf(prompt, sizeof(prompt), "passphrase for '%s'", (const char *)u);
	if ((pw = igos_secret_read(NULL, prompt, (size_t)size - 1)) == NULL)
		return -1;
	n = strlen(pw);
	memcpy(buf, pw, n);
	igos_secret_free(pw);
	return (int)n;
}

/* The text of a key file, refused if group or others may read it. */
static char *
read_key_file(const char *path, size_t *len)
{
	struct stat st;
	int fd;

	if ((fd = igos_open_stat(path, O_RDONLY, &st)) < 0)
		return NULL;
	close(fd);
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		igos_seterr_errno("cannot read '%s'", path);
		return NULL;
	}
	if (st.st_mode & 077) {
		igos_seterr("key file '%s' is readable by group or others: chmod 0600 it", path);
		return NULL;
	}
	return igos_read_small(path, 1 << 20, len);
}

static EVP_PKEY *
load_key_pem(const char *path, const char *text, size_t len)
{
	EVP_PKEY *k = NULL;
	BIO *bio;

	if ((bio = BIO_new_mem_buf(text, (int)len)) != NULL) {
		k = PEM_read_bio_PrivateKey(bio, NULL, passphrase_cb, (void *)path);
		BIO_free(bio);
	}
	if (k == NULL)
		igos_seterr_ssl("cannot read private key '%s'", path);
	return k;
}

/*
 * A TSS2 PRIVATE KEY file: the key is loaded into the TPM (one session for
 * the whole command) and signs there. Its auth value, when it has one, is
 * read as a PIN is (the --pin-file file or the terminal), used once, wiped.
 */
static int
open_tpm_key(struct igos_signer *s, const char *path, const char *text, size_t len,
	     const struct igos_signer_opts *opts)
{
	struct igos_tpmkey k;
	char prompt[512], *auth = NULL;
	int r = -1;

	if (igos_tpmkey_parse_pem(&k, text, len) < 0) {
		char m[1024];

		snprintf(m, sizeof(m), "%s", igos_errmsg());
		return igos_seterr("key '%s': %s", path, m);
	}
	if ((s->pub = igos_tpmkey_pubkey(&k)) == NULL)
		goto out;
	if (!k.empty_auth) {
		snprintf(prompt, sizeof(prompt), "auth value of the TPM key '%s'", path);
		if ((auth = igos_secret_read(opts->pin_file, prompt, 32)) == NULL)
			goto out;
	}
	if ((s->tpm = igos_tpm_open(opts->tcti)) == NULL)
		goto out;
	r = igos_tpm_load(s->tpm, &k, auth, path);
out:
	igos_secret_free(auth);
	OPENSSL_cleanse(&k, sizeof(k));
	return r;
}

static int
classify(struct igos_signer *s, const char *ref)
{
	EVP_PKEY *k = s->pub;

	if (EVP_PKEY_is_a(k, "RSA")) {
		s->type = IGOS_KEY_RSA;
		s->bits = EVP_PKEY_get_bits(k);
		if (s->bits < 2048 || s->bits > 4096)
			return igos_seterr("key '%s': RSA-%d is not supported (2048 to 4096 bits)",
					   ref, s->bits);
		return 0;
	}
	if (EVP_PKEY_is_a(k, "EC")) {
		char group[64];

		if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group,
						    sizeof(group), NULL) ||
		    strcmp(group, "prime256v1") != 0)
			return igos_seterr("key '%s': only the P-256 curve is supported", ref);
		s->type = IGOS_KEY_EC_P256;
		s->bits = 256;
		return 0;
	}
	if (EVP_PKEY_is_a(k, "ED25519")) {
		s->type = IGOS_KEY_ED25519;
		s->bits = 256;
		return 0;
	}
	return igos_seterr("key '%s': unsupported key type (RSA, EC P-256 or Ed25519)", ref);
}

struct igos_signer *
igos_signer_open(const char *ref, const struct igos_signer_opts *opts)
{
	static const struct igos_signer_opts none;
	struct igos_signer *s;

	if (opts == NULL)
		opts = &none;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	if (strncmp(ref, "pkcs11:", 7) == 0) {
		if ((s->p11 = igos_p11_open_key(ref, opts, &s->pub)) == NULL)
			goto fail;
	} else {
		size_t len;
		char *text = read_key_file(ref, &len);
		int tss2;

		if (text == NULL)
			goto fail;
		tss2 = igos_tpmkey_is_pem(text, len);
		if (tss2) {
			if (open_tpm_key(s, ref, text, len, opts) < 0) {
				OPENSSL_cleanse(text, len);
				free(text);
				goto fail;
			}
		} else {
			s->priv = load_key_pem(ref, text, len);
		}
		OPENSSL_cleanse(text, len);
		free(text);
		if (!tss2 && s->priv == NULL)
			goto fail;
		/* a public-only copy, so callers never hold the private part */
		unsigned char *der = NULL;
		const unsigned char *p;
		int n = tss2 ? 0 : i2d_PUBKEY(s->priv, &der);

		p = der;
		if (!tss2 && (n <= 0 || (s->pub = d2i_PUBKEY(NULL, &p, n)) == NULL)) {
			OPENSSL_free(der);
			igos_seterr_ssl("key '%s'", ref);
			goto fail;
		}
		OPENSSL_free(der);
	}
	if (classify(s, ref) < 0)
		goto fail;
	return s;
fail:
	igos_ref_scrub_errmsg(ref);
	igos_signer_free(s);
	return NULL;
}

struct igos_signer *
igos_signer_tpm_new(int bits, const struct igos_signer_opts *opts, char **pem, size_t *pemlen)
{
	struct igos_signer *s;
	struct igos_tpmkey k;
	char *auth = NULL;

	*pem = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	memset(&k, 0, sizeof(k));
	if (opts->pin_file != NULL &&
	    (auth = igos_secret_read(opts->pin_file, "auth value", 32)) == NULL)
		goto fail;
	if ((s->tpm = igos_tpm_open(opts->tcti)) == NULL ||
	    igos_tpm_create_rsa(s->tpm, bits, auth, &k) < 0 ||
	    (s->pub = igos_tpmkey_pubkey(&k)) == NULL || classify(s, "the new TPM key") < 0 ||
	    (*pem = igos_tpmkey_pem(&k, pemlen)) == NULL)
		goto fail;
	igos_secret_free(auth);
	OPENSSL_cleanse(&k, sizeof(k));
	return s;
fail:
	igos_secret_free(auth);
	OPENSSL_cleanse(&k, sizeof(k));
	igos_signer_free(s);
	return NULL;
}

void
igos_signer_free(struct igos_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->pub);
	EVP_PKEY_free(s->priv);
	igos_p11_close(s->p11);
	igos_tpm_close(s->tpm);
	free(s);
}

EVP_PKEY *
igos_signer_pubkey(const struct igos_signer *s)
{
	return s->pub;
}

enum igos_key_type
igos_signer_type(const struct igos_signer *s)
{
	return s->type;
}

int
igos_signer_bits(const struct igos_signer *s)
{
	return s->bits;
}

int
igos_signer_is_token(const struct igos_signer *s)
{
	return s->p11 != NULL || s->tpm != NULL;
}

/* DER DigestInfo prefixes (RFC 8017 section 9.2, note 1). */
static const unsigned char *
digestinfo_prefix(const EVP_MD *md, size_t *len)
{
	static const unsigned char sha1[] = {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
					     0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14};
	static const unsigned char sha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
					       0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					       0x01, 0x05, 0x00, 0x04, 0x20};
	static const unsigned char sha384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60,
					       0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					       0x02, 0x05, 0x00, 0x04, 0x30};
	static const unsigned char sha512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60,
					       0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					       0x03, 0x05, 0x00, 0x04, 0x40};

	*len = 15;
	switch (EVP_MD_get_type(md)) {
	case NID_sha1:
		return sha1;
	case NID_sha256:
		*len = 19;
		return sha256;
	case NID_sha384:
		*len = 19;
		return sha384;
	case NID_sha512:
		*len = 19;
		return sha512;
	}
	return NULL;
}

static int
verify_digest(struct igos_signer *s, const EVP_MD *md, const unsigned char *dgst,
	      size_t dlen, const unsigned char *sig, size_t siglen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(s->pub, NULL);
	int ok = ctx && EVP_PKEY_verify_init(ctx) == 1 &&
		 EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 &&
		 (s->type != IGOS_KEY_RSA ||
		  EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1) &&
		 EVP_PKEY_verify(ctx, sig, siglen, dgst, dlen) == 1;

	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return igos_seterr_ssl("the new signature does not verify with the public key");
	return 0;
}

int
igos_signer_sign_digest(struct igos_signer *s, const EVP_MD *md, const unsigned char *dgst,
			size_t dlen, unsigned char **sig, size_t *siglen)
{
	unsigned char *out = NULL;
	size_t outlen = 0;

	*sig = NULL;
	if (s->type == IGOS_KEY_ED25519)
		return igos_seterr("Ed25519 keys sign messages, not digests");
	if (md == NULL || (size_t)EVP_MD_get_size(md) != dlen)
		return igos_seterr("digest length does not match the hash algorithm");
	if (s->tpm != NULL) {
		if (igos_tpm_sign(s->tpm, md, dgst, dlen, &out, &outlen) < 0)
			return -1;
	} else if (s->p11 != NULL) {
		if (s->type == IGOS_KEY_RSA) {
			unsigned char di[19 + IGOS_MAX_MD];
			size_t plen;
			const unsigned char *prefix = digestinfo_prefix(md, &plen);

			if (prefix == NULL)
				return igos_seterr("unsupported hash algorithm for RSA");
			memcpy(di, prefix, plen);
			memcpy(di + plen, dgst, dlen);
			if (igos_p11_sign(s->p11, CKM_RSA_PKCS, di, plen + dlen, &out, &outlen) < 0)
				return -1;
		} else {
			unsigned char *raw;
			size_t rawlen;

			if (igos_p11_sign(s->p11, CKM_ECDSA, dgst, dlen, &raw, &rawlen) < 0)
				return -1;
			if (rawlen != 64) {
				free(raw);
				return igos_seterr("token returned an ECDSA signature of %zu bytes",
						   rawlen);
			}
			out = igos_ecdsa_raw_to_der(raw, &outlen);
			free(raw);
			if (out == NULL)
				return -1;
		}
	} else {
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(s->priv, NULL);

		if (ctx == NULL || EVP_PKEY_sign_init(ctx) != 1 ||
		    EVP_PKEY_CTX_set_signature_md(ctx, md) != 1 ||
		    (s->type == IGOS_KEY_RSA &&
		     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1) ||
		    EVP_PKEY_sign(ctx, NULL, &outlen, dgst, dlen) != 1 ||
		    (out = malloc(outlen)) == NULL ||
		    EVP_PKEY_sign(ctx, out, &outlen, dgst, dlen) != 1) {
			EVP_PKEY_CTX_free(ctx);
			free(out);
			return igos_seterr_ssl("signing failed");
		}
		EVP_PKEY_CTX_free(ctx);
	}
	if (verify_digest(s, md, dgst, dlen, out, outlen) < 0) {
		free(out);
		return -1;
	}
	*sig = out;
	*siglen = outlen;
	return 0;
}

int
igos_signer_sign_msg(struct igos_signer *s, const EVP_MD *md, const unsigned char *msg,
		     size_t len, unsigned char **sig, size_t *siglen)
{
	unsigned char dgst[IGOS_MAX_MD], *out = NULL;
	size_t outlen = 64;
	EVP_MD_CTX *ctx;
	int ok;

	*sig = NULL;
	if (s->type != IGOS_KEY_ED25519) {
		if (md == NULL)
			return igos_seterr("a hash algorithm is needed for this key");
		if (igos_digest(md, msg, len, dgst) < 0)
			return -1;
		return igos_signer_sign_digest(s, md, dgst, (size_t)EVP_MD_get_size(md), sig,
					       siglen);
	}
	if (md != NULL)
		return igos_seterr("Ed25519 signs the message itself, without a separate hash");
	if (s->p11 != NULL) {
		if (igos_p11_sign(s->p11, CKM_EDDSA, msg, len, &out, &outlen) < 0)
			return -1;
	} else {
		ctx = EVP_MD_CTX_new();
		ok = ctx && (out = malloc(outlen)) != NULL &&
		     EVP_DigestSignInit(ctx, NULL, NULL, NULL, s->priv) == 1 &&
		     EVP_DigestSign(ctx, out, &outlen, msg, len) == 1;
		EVP_MD_CTX_free(ctx);
		if (!ok) {
			free(out);
			return igos_seterr_ssl("signing failed");
		}
	}
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, s->pub) == 1 &&
	     EVP_DigestVerify(ctx, out, outlen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		free(out);
		return igos_seterr_ssl("the new signature does not verify with the public key");
	}
	*sig = out;
	*siglen = outlen;
	return 0;
}

int
igos_ecdsa_der_to_raw(const unsigned char *der, size_t len, unsigned char raw[64])
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;
	int ok;

	if (sig == NULL || p != der + len) {
		ECDSA_SIG_free(sig);
		return igos_seterr("invalid ECDSA signature encoding");
	}
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32;
	ECDSA_SIG_free(sig);
	return ok ? 0 : igos_seterr("ECDSA signature values out of range");
}

unsigned char *
igos_ecdsa_raw_to_der(const unsigned char raw[64], size_t *len)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, 32, NULL), *s = BN_bin2bn(raw + 32, 32, NULL);
	unsigned char *der = NULL, *out = NULL;
	int n;

	if (sig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		igos_seterr("out of memory");
		return NULL;
	}
	n = i2d_ECDSA_SIG(sig, &der);
	ECDSA_SIG_free(sig);
	if (n <= 0 || (out = malloc((size_t)n)) == NULL) {
		OPENSSL_free(der);
		igos_seterr("cannot encode ECDSA signature");
		return NULL;
	}
	memcpy(out, der, (size_t)n);
	OPENSSL_free(der);
	*len = (size_t)n;
	return out;
}
