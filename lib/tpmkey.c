/*
 * TSS2 PRIVATE KEY files and their use through the TPM (libtss2 Esys): read
 * and write the file, load the key under the storage primary key, sign a
 * digest, make a new signing key. Formats and facts: spec/tpm-keys.md.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "internal.h"
#include "tpmkey.h"

#define PEM_LABEL "TSS2 PRIVATE KEY"
#define CLEARED_MSG "the key file was made by another TPM, or this TPM was cleared"

/* 2.23.133.10.1.3 loadableKey; .4 importableKey and .5 sealedKey are refused */
static const unsigned char oid_loadable[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x03 };
static const unsigned char oid_importable[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x04 };
static const unsigned char oid_sealed[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x05 };

/* ---- the file -------------------------------------------------------------- */

struct der {
	const unsigned char *p;
	size_t n;
};

/* The next element of d: its tag and contents; definite, minimal lengths only. */
static int
der_next(struct der *d, unsigned *tag, struct der *val)
{
	size_t len, hdr = 2;

	if (d->n < 2)
		return igos_seterr("malformed TSS2 key: truncated");
	*tag = d->p[0];
	if ((*tag & 0x1f) == 0x1f)
		return igos_seterr("malformed TSS2 key: unexpected tag");
	len = d->p[1];
	if (len & 0x80) {
		size_t k = len & 0x7f;

		if (k == 0 || k > 4 || d->n - 2 < k)
			return igos_seterr("malformed TSS2 key: bad length");
		if (d->p[2] == 0 || (k == 1 && d->p[2] < 0x80))
			return igos_seterr("malformed TSS2 key: length not in DER form");
		len = 0;
		for (size_t i = 0; i < k; i++)
			len = len << 8 | d->p[2 + i];
		hdr += k;
	}
	if (len > d->n - hdr)
		return igos_seterr("malformed TSS2 key: truncated");
	val->p = d->p + hdr;
	val->n = len;
	d->p += hdr + len;
	d->n -= hdr + len;
	return 0;
}

static int
check_public(const TPMT_PUBLIC *p)
{
	TPMA_OBJECT a = p->objectAttributes;

	if (!(a & TPMA_OBJECT_SIGN_ENCRYPT))
		return igos_seterr("the TPM key is not a signing key");
	if (a & TPMA_OBJECT_RESTRICTED)
		return igos_seterr("the TPM key is a restricted signing key (it signs only what the TPM made)");
	if (p->type == TPM2_ALG_RSA) {
		unsigned bits = p->parameters.rsaDetail.keyBits;

		if (bits < 2048 || bits > 4096 || bits % 8 ||
		    p->unique.rsa.size != bits / 8)
			return igos_seterr("the TPM key is RSA-%u: not supported (2048 to 4096 bits)", bits);
		if (p->parameters.rsaDetail.scheme.scheme != TPM2_ALG_NULL &&
		    p->parameters.rsaDetail.scheme.scheme != TPM2_ALG_RSASSA)
			return igos_seterr("the TPM key's scheme is not RSASSA (PKCS#1 v1.5)");
		return 0;
	}
	if (p->type == TPM2_ALG_ECC) {
		if (p->parameters.eccDetail.curveID != TPM2_ECC_NIST_P256 ||
		    p->unique.ecc.x.size != 32 || p->unique.ecc.y.size != 32)
			return igos_seterr("the TPM key is an ECC key: only the P-256 curve is supported");
		if (p->parameters.eccDetail.scheme.scheme != TPM2_ALG_NULL &&
		    p->parameters.eccDetail.scheme.scheme != TPM2_ALG_ECDSA)
			return igos_seterr("the TPM key's scheme is not ECDSA");
		return 0;
	}
	return igos_seterr("the TPM key is neither RSA nor ECC");
}

int
igos_tpmkey_parse_der(struct igos_tpmkey *k, const unsigned char *der, size_t len)
{
	struct der top = { der, len }, seq, v;
	unsigned tag;
	size_t off;

	memset(k, 0, sizeof(*k));
	if (der_next(&top, &tag, &seq) < 0)
		return -1;
	if (tag != 0x30 || top.n != 0)
		return igos_seterr("malformed TSS2 key: not one SEQUENCE");
	if (der_next(&seq, &tag, &v) < 0)
		return -1;
	if (tag != 0x06)
		return igos_seterr("malformed TSS2 key: no type OID");
	if (v.n == sizeof(oid_importable) && memcmp(v.p, oid_importable, v.n) == 0)
		return igos_seterr("the TSS2 key is an importable key (not loadable: not supported)");
	if (v.n == sizeof(oid_sealed) && memcmp(v.p, oid_sealed, v.n) == 0)
		return igos_seterr("the TSS2 file holds sealed data, not a key");
	if (v.n != sizeof(oid_loadable) || memcmp(v.p, oid_loadable, v.n) != 0)
		return igos_seterr("not a TSS2 loadable key (OID 2.23.133.10.1.3)");
	if (der_next(&seq, &tag, &v) < 0)
		return -1;
	if (tag == 0xa0) {
		/* [0] EXPLICIT BOOLEAN: TRUE may be 0x01 (the provider) or 0xff */
		if (v.n != 3 || v.p[0] != 0x01 || v.p[1] != 0x01 ||
		    (v.p[2] != 0x00 && v.p[2] != 0x01 && v.p[2] != 0xff))
			return igos_seterr("malformed TSS2 key: bad emptyAuth");
		k->empty_auth = v.p[2] != 0;
		if (der_next(&seq, &tag, &v) < 0)
			return -1;
	}
	if (tag == 0xa1)
		return igos_seterr("the TSS2 key has a policy ([1]): not supported by igos");
	if (tag == 0xa2)
		return igos_seterr("the TSS2 key has an imported secret ([2]): not supported by igos");
	if ((tag & 0xe0) == 0xa0)
		return igos_seterr("the TSS2 key has an unknown optional field [%u]: not supported by igos",
				   tag & 0x1f);
	if (tag != 0x02 || v.n < 1 || v.n > 5 || (v.p[0] & 0x80) ||
	    (v.n > 1 && v.p[0] == 0 && !(v.p[1] & 0x80)) || (v.n == 5 && v.p[0] != 0))
		return igos_seterr("malformed TSS2 key: bad parent handle");
	for (size_t i = 0; i < v.n; i++)
		k->parent = k->parent << 8 | v.p[i];
	if (k->parent != IGOS_TPMKEY_OWNER && (k->parent >> 24) != TPM2_HT_PERSISTENT)
		return igos_seterr("the TSS2 key's parent 0x%08x is neither the owner hierarchy "
				   "nor a persistent key", (unsigned)k->parent);
	if (der_next(&seq, &tag, &v) < 0)
		return -1;
	off = 0;
	/* the unmarshaller reads the fields without holding them to the size
	 * that precedes them: that is checked here */
	if (tag != 0x04 || Tss2_MU_TPM2B_PUBLIC_Unmarshal(v.p, v.n, &off, &k->pub) != 0 ||
	    off != v.n || (size_t)k->pub.size + 2 != v.n)
		return igos_seterr("malformed TSS2 key: bad public part");
	if (der_next(&seq, &tag, &v) < 0)
		return -1;
	off = 0;
	if (tag != 0x04 || Tss2_MU_TPM2B_PRIVATE_Unmarshal(v.p, v.n, &off, &k->priv) != 0 ||
	    off != v.n || k->priv.size == 0)
		return igos_seterr("malformed TSS2 key: bad private part");
	if (seq.n != 0)
		return igos_seterr("malformed TSS2 key: data after the private part");
	return check_public(&k->pub.publicArea);
}

int
igos_tpmkey_is_pem(const char *text, size_t len)
{
	static const char begin[] = "-----BEGIN ", label[] = "-----BEGIN " PEM_LABEL "-----";
	const char *p = memmem(text, len, begin, sizeof(begin) - 1);

	return p != NULL && (size_t)(text + len - p) >= sizeof(label) - 1 &&
	       memcmp(p, label, sizeof(label) - 1) == 0;
}

int
igos_tpmkey_parse_pem(struct igos_tpmkey *k, const char *text, size_t len)
{
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long dlen = 0;
	BIO *bio;
	int r = -1;

	if (len > INT_MAX || (bio = BIO_new_mem_buf(text, (int)len)) == NULL)
		return igos_seterr("out of memory");
	if (!PEM_read_bio(bio, &name, &header, &der, &dlen)) {
		igos_ssl_clear();
		igos_seterr("malformed TSS2 key: bad PEM");
	} else if (strcmp(name, PEM_LABEL) != 0) {
		igos_seterr("not a TSS2 private key (PEM label '%s')", name);
	} else if (header[0] != '\0') {
		igos_seterr("malformed TSS2 key: PEM headers (an encrypted file?)");
	} else {
		r = igos_tpmkey_parse_der(k, der, (size_t)dlen);
	}
	BIO_free(bio);
	OPENSSL_free(name);
	OPENSSL_free(header);
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)dlen);
	return r;
}

/* DER writing: a tag and a definite length before n content bytes. */
static size_t
der_hdr(unsigned char *out, unsigned tag, size_t n)
{
	size_t i = 0;

	out[i++] = (unsigned char)tag;
	if (n < 0x80) {
		out[i++] = (unsigned char)n;
	} else if (n < 0x100) {
		out[i++] = 0x81;
		out[i++] = (unsigned char)n;
	} else {
		out[i++] = 0x82;
		out[i++] = (unsigned char)(n >> 8);
		out[i++] = (unsigned char)n;
	}
	return i;
}

unsigned char *
igos_tpmkey_der(const struct igos_tpmkey *k, size_t *len)
{
	unsigned char pub[sizeof(TPM2B_PUBLIC)], priv[sizeof(TPM2B_PRIVATE)], par[5], *out, *p;
	size_t publen = 0, privlen = 0, parlen = 0, body, hl;
	unsigned char h[4];

	if (Tss2_MU_TPM2B_PUBLIC_Marshal(&k->pub, pub, sizeof(pub), &publen) != 0 ||
	    Tss2_MU_TPM2B_PRIVATE_Marshal(&k->priv, priv, sizeof(priv), &privlen) != 0) {
		igos_seterr("cannot encode the TPM key");
		return NULL;
	}
	/* the parent as a minimal positive INTEGER */
	for (int sh = 24; sh >= 0; sh -= 8)
		if (parlen > 0 || (k->parent >> sh) & 0xff || sh == 0) {
			if (parlen == 0 && ((k->parent >> sh) & 0x80))
				par[parlen++] = 0;
			par[parlen++] = (unsigned char)(k->parent >> sh);
		}
	body = 2 + sizeof(oid_loadable) + (k->empty_auth ? 5 : 0) + 2 + parlen +
	       der_hdr(h, 4, publen) + publen + der_hdr(h, 4, privlen) + privlen;
	if ((out = malloc(body + 4)) == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	p = out;
	p += der_hdr(p, 0x30, body);
	p += der_hdr(p, 0x06, sizeof(oid_loadable));
	memcpy(p, oid_loadable, sizeof(oid_loadable));
	p += sizeof(oid_loadable);
	if (k->empty_auth) {
		static const unsigned char t[] = { 0xa0, 0x03, 0x01, 0x01, 0xff };

		memcpy(p, t, sizeof(t));
		p += sizeof(t);
	}
	p += der_hdr(p, 0x02, parlen);
	memcpy(p, par, parlen);
	p += parlen;
	p += der_hdr(p, 0x04, publen);
	memcpy(p, pub, publen);
	p += publen;
	p += der_hdr(p, 0x04, privlen);
	memcpy(p, priv, privlen);
	p += privlen;
	hl = (size_t)(p - out);
	*len = hl;
	OPENSSL_cleanse(priv, sizeof(priv));
	return out;
}

char *
igos_tpmkey_pem(const struct igos_tpmkey *k, size_t *len)
{
	unsigned char *der;
	size_t dlen;
	char *out = NULL, *p;
	long n;
	BIO *mem;

	if ((der = igos_tpmkey_der(k, &dlen)) == NULL)
		return NULL;
	if ((mem = BIO_new(BIO_s_mem())) != NULL &&
	    PEM_write_bio(mem, PEM_LABEL, "", der, (long)dlen) > 0 &&
	    (n = BIO_get_mem_data(mem, &p)) > 0 && (out = malloc((size_t)n + 1)) != NULL) {
		memcpy(out, p, (size_t)n);
		out[n] = '\0';
		*len = (size_t)n;
	} else {
		igos_seterr("cannot encode the TPM key");
	}
	BIO_free(mem);
	OPENSSL_clear_free(der, dlen);
	return out;
}

EVP_PKEY *
igos_tpmkey_pubkey(const struct igos_tpmkey *k)
{
	const TPMT_PUBLIC *p = &k->pub.publicArea;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *n = NULL, *e = NULL;
	unsigned char pt[65];
	int ok = bld != NULL;

	if (ok && p->type == TPM2_ALG_RSA) {
		uint32_t exp = p->parameters.rsaDetail.exponent ? p->parameters.rsaDetail.exponent
								 : 65537;

		ok = (n = BN_bin2bn(p->unique.rsa.buffer, p->unique.rsa.size, NULL)) != NULL &&
		     (e = BN_new()) != NULL && BN_set_word(e, exp) &&
		     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
		     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
		     (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) != NULL;
	} else if (ok && p->type == TPM2_ALG_ECC && p->unique.ecc.x.size == 32 &&
		   p->unique.ecc.y.size == 32) {
		pt[0] = 0x04;
		memcpy(pt + 1, p->unique.ecc.x.buffer, 32);
		memcpy(pt + 33, p->unique.ecc.y.buffer, 32);
		ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
		     OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt)) &&
		     (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) != NULL;
	} else {
		ok = 0;
	}
	ok = ok && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
	     EVP_PKEY_fromdata_init(ctx) == 1 &&
	     EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) == 1;
	if (!ok)
		igos_seterr_ssl("cannot read the public part of the TPM key");
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(n);
	BN_free(e);
	return ok ? pk : NULL;
}

/* ---- the TPM --------------------------------------------------------------- */

struct igos_tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	ESYS_TR session, key;
	TPMT_PUBLIC pub;     /* the loaded key's */
	int auth_failed;     /* never ask the TPM twice with a wrong auth value */
	char conf[320];      /* as shown in messages */
	struct igos_tpm *next;
};

/*
 * A TPM without a resource manager (swtpm, /dev/tpm0) keeps what a program
 * leaves loaded, and has three object slots: a command that exits on an error
 * elsewhere must still flush. Every connection still open is closed at exit.
 */
static struct igos_tpm *open_tpms;

static void
close_all_at_exit(void)
{
	while (open_tpms != NULL)
		igos_tpm_close(open_tpms);
}

/* The TPM's response code without the layer of the resource manager, or -1
 * when the TSS itself failed. */
static long
tpm_rc(TSS2_RC rc)
{
	TSS2_RC layer = rc & TSS2_RC_LAYER_MASK;

	if (layer == TSS2_TPM_RC_LAYER || layer == TSS2_RESMGR_TPM_RC_LAYER)
		return (long)(rc & 0xffff);
	return -1;
}

/* Format-one error number (TPM2_RC_*) of a TPM response code, or 0. */
static unsigned
rc_fmt1(TSS2_RC rc)
{
	long r = tpm_rc(rc);

	if (r < 0 || !(r & TPM2_RC_FMT1))
		return 0;
	return (unsigned)(r & 0xbf);
}

static int
tpm_err(struct igos_tpm *t, const char *what, TSS2_RC rc)
{
	long r = tpm_rc(rc);

	if (r == TPM2_RC_LOCKOUT)
		return igos_seterr("%s: the TPM is in dictionary-attack lockout (too many wrong "
				   "auth values): wait, or reset it with the lockout auth", what);
	if (r == (TPM2_RC_OBJECT_MEMORY & 0xffff) || r == (TPM2_RC_SESSION_MEMORY & 0xffff))
		return igos_seterr("%s: the TPM has no free slot (%s); use its resource "
				   "manager (device:/dev/tpmrm0)", what, Tss2_RC_Decode(rc));
	(void)t;
	return igos_seterr("%s: %s", what, Tss2_RC_Decode(rc));
}

struct igos_tpm *
igos_tpm_open(const char *conf)
{
	static int registered;
	struct igos_tpm *t;
	TSS2_RC rc;

	if (conf == NULL || *conf == '\0')
		conf = getenv("TPM2TOOLS_TCTI");
	/* the kernel's resource manager by name, rather than the TSS2 loader's
	 * search (which would try a D-Bus daemon first) */
	if (conf == NULL || *conf == '\0')
		conf = NULL;
	/* the TSS logs its own failures to stderr; ours is one line (-v keeps them) */
	if (!igos_verbose)
		setenv("TSS2_LOG", "all+NONE", 0);
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	t->session = t->key = ESYS_TR_NONE;
	if (conf != NULL)
		snprintf(t->conf, sizeof(t->conf), "'%s'", conf);
	else
		snprintf(t->conf, sizeof(t->conf), "'device:/dev/tpmrm0' (the default; --tcti names another)");
	rc = Tss2_TctiLdr_Initialize(conf ? conf : "device:/dev/tpmrm0", &t->tcti);
	if (rc != TSS2_RC_SUCCESS) {
		igos_seterr("cannot open the TPM %s: %s", t->conf, Tss2_RC_Decode(rc));
		free(t);
		return NULL;
	}
	rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		igos_seterr("cannot talk to the TPM %s: %s", t->conf, Tss2_RC_Decode(rc));
		Tss2_TctiLdr_Finalize(&t->tcti);
		free(t);
		return NULL;
	}
	if (!registered && atexit(close_all_at_exit) == 0)
		registered = 1;
	t->next = open_tpms;
	open_tpms = t;
	return t;
}

void
igos_tpm_close(struct igos_tpm *t)
{
	struct igos_tpm **pp;

	if (t == NULL)
		return;
	for (pp = &open_tpms; *pp != NULL; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	if (t->key != ESYS_TR_NONE)
		Esys_FlushContext(t->esys, t->key);
	if (t->session != ESYS_TR_NONE)
		Esys_FlushContext(t->esys, t->session);
	Esys_Finalize(&t->esys);
	Tss2_TctiLdr_Finalize(&t->tcti);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

/* The storage primary key: the TCG template (ECC P-256 when the TPM has ECC,
 * else RSA-2048), `unique` of zero size so that every TSS2 tool makes the
 * same key. Or the persistent parent. *flush: whether it is ours to flush. */
static int
parent_handle(struct igos_tpm *t, uint32_t parent, ESYS_TR *h, int *flush)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC tmpl = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	TSS2_RC rc;
	int ecc;

	*flush = 0;
	if (parent != IGOS_TPMKEY_OWNER) {
		rc = Esys_TR_FromTPMPublic(t->esys, parent, ESYS_TR_NONE, ESYS_TR_NONE,
					   ESYS_TR_NONE, h);
		if (rc_fmt1(rc) == TPM2_RC_HANDLE)
			return igos_seterr(CLEARED_MSG " (no parent key at 0x%08x)", (unsigned)parent);
		if (rc != TSS2_RC_SUCCESS)
			return tpm_err(t, "cannot use the parent key", rc);
		return 0;
	}
	rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				TPM2_CAP_ALGS, TPM2_ALG_ECC, 1, &more, &cap);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_err(t, "cannot ask the TPM its algorithms", rc);
	ecc = cap->data.algorithms.count > 0 &&
	      cap->data.algorithms.algProperties[0].alg == TPM2_ALG_ECC;
	Esys_Free(cap);

	tmpl.publicArea.nameAlg = TPM2_ALG_SHA256;
	tmpl.publicArea.objectAttributes = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT |
		TPMA_OBJECT_NODA | TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH;
	if (ecc) {
		TPMS_ECC_PARMS *e = &tmpl.publicArea.parameters.eccDetail;

		tmpl.publicArea.type = TPM2_ALG_ECC;
		e->symmetric.algorithm = TPM2_ALG_AES;
		e->symmetric.keyBits.aes = 128;
		e->symmetric.mode.aes = TPM2_ALG_CFB;
		e->scheme.scheme = TPM2_ALG_NULL;
		e->curveID = TPM2_ECC_NIST_P256;
		e->kdf.scheme = TPM2_ALG_NULL;
	} else {
		TPMS_RSA_PARMS *r = &tmpl.publicArea.parameters.rsaDetail;

		tmpl.publicArea.type = TPM2_ALG_RSA;
		r->symmetric.algorithm = TPM2_ALG_AES;
		r->symmetric.keyBits.aes = 128;
		r->symmetric.mode.aes = TPM2_ALG_CFB;
		r->scheme.scheme = TPM2_ALG_NULL;
		r->keyBits = 2048;
		r->exponent = 0;
	}
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, &sens, &tmpl, &outside, &pcrs, h, NULL, NULL,
				NULL, NULL);
	if (rc_fmt1(rc) == TPM2_RC_BAD_AUTH || rc_fmt1(rc) == TPM2_RC_AUTH_FAIL)
		return igos_seterr("cannot make the storage primary key: the owner hierarchy "
				   "has a password (use a persistent parent key)");
	if (rc != TSS2_RC_SUCCESS)
		return tpm_err(t, "cannot make the storage primary key", rc);
	*flush = 1;
	return 0;
}

/* A salted HMAC session (the salt encrypted to the parent) with AES-128 CFB
 * parameter encryption of the first command parameter: an auth value never
 * crosses the bus in clear, nor a new key's sensitive part. */
static int
start_session(struct igos_tpm *t, ESYS_TR salt)
{
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_AES, .keyBits.aes = 128,
			     .mode.aes = TPM2_ALG_CFB };
	TSS2_RC rc;

	rc = Esys_StartAuthSession(t->esys, salt, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, NULL, TPM2_SE_HMAC, &sym, TPM2_ALG_SHA256,
				   &t->session);
	if (rc != TSS2_RC_SUCCESS) {
		t->session = ESYS_TR_NONE;
		return tpm_err(t, "cannot start a TPM session", rc);
	}
	rc = Esys_TRSess_SetAttributes(t->esys, t->session,
				       TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_DECRYPT, 0xff);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_err(t, "cannot set up the TPM session", rc);
	return 0;
}

static int
set_auth(struct igos_tpm *t, const char *auth)
{
	TPM2B_AUTH a = { 0 };
	size_t n = auth ? strlen(auth) : 0;
	TSS2_RC rc;

	if (n == 0)
		return 0;
	if (n > 32)
		return igos_seterr("the key's auth value is longer than 32 bytes");
	a.size = (UINT16)n;
	memcpy(a.buffer, auth, n);
	rc = Esys_TR_SetAuth(t->esys, t->key, &a);
	OPENSSL_cleanse(&a, sizeof(a));
	if (rc != TSS2_RC_SUCCESS)
		return tpm_err(t, "cannot set the key's auth value", rc);
	return 0;
}

int
igos_tpm_load(struct igos_tpm *t, const struct igos_tpmkey *k, const char *auth,
	      const char *what)
{
	ESYS_TR parent;
	TSS2_RC rc;
	int flush, r = -1;
	unsigned e;

	if (parent_handle(t, k->parent, &parent, &flush) < 0)
		return -1;
	if (start_session(t, parent) < 0)
		goto out;
	rc = Esys_Load(t->esys, parent, t->session, ESYS_TR_NONE, ESYS_TR_NONE, &k->priv,
		       &k->pub, &t->key);
	if (rc != TSS2_RC_SUCCESS) {
		t->key = ESYS_TR_NONE;
		e = rc_fmt1(rc);
		/* the blob's integrity is checked with the parent's seed: another
		 * TPM, a cleared one, or another parent all look the same */
		if (e == TPM2_RC_INTEGRITY || e == TPM2_RC_BINDING || e == TPM2_RC_KEY ||
		    e == TPM2_RC_SIZE)
			igos_seterr("key '%s': " CLEARED_MSG, what);
		else
			tpm_err(t, "cannot load the key into the TPM", rc);
		goto out;
	}
	t->pub = k->pub.publicArea;
	r = set_auth(t, auth);
out:
	if (flush)
		Esys_FlushContext(t->esys, parent);
	else
		Esys_TR_Close(t->esys, &parent);
	return r;
}

int
igos_tpm_create_rsa(struct igos_tpm *t, int bits, const char *auth, struct igos_tpmkey *k)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC tmpl = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_PUBLIC *pub = NULL;
	ESYS_TR parent;
	TSS2_RC rc;
	size_t n = auth ? strlen(auth) : 0;
	int flush, r = -1;

	memset(k, 0, sizeof(*k));
	if (n > 32)
		return igos_seterr("the key's auth value is longer than 32 bytes");
	sens.sensitive.userAuth.size = (UINT16)n;
	memcpy(sens.sensitive.userAuth.buffer, auth ? auth : "", n);
	tmpl.publicArea.type = TPM2_ALG_RSA;
	tmpl.publicArea.nameAlg = TPM2_ALG_SHA256;
	/* sign only; no policy; the scheme is the signer's choice, as the
	 * provider's keys have it, so openssl can use the key as it wants */
	tmpl.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
		TPMA_OBJECT_SIGN_ENCRYPT;
	/* without an auth value there is nothing to guess: such a key is kept out
	 * of the dictionary-attack logic, so that a lockout (after power losses,
	 * which count as failures) never stops the kernel hook from signing */
	if (n == 0)
		tmpl.publicArea.objectAttributes |= TPMA_OBJECT_NODA;
	tmpl.publicArea.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
	tmpl.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
	tmpl.publicArea.parameters.rsaDetail.keyBits = (TPMI_RSA_KEY_BITS)bits;
	tmpl.publicArea.parameters.rsaDetail.exponent = 0;

	if (parent_handle(t, IGOS_TPMKEY_OWNER, &parent, &flush) < 0)
		goto out_wipe;
	if (start_session(t, parent) < 0)
		goto out;
	rc = Esys_Create(t->esys, parent, t->session, ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl,
			 &outside, &pcrs, &priv, &pub, NULL, NULL, NULL);
	if (rc_fmt1(rc) == TPM2_RC_KEY_SIZE || rc_fmt1(rc) == TPM2_RC_VALUE) {
		igos_seterr("this TPM cannot make an RSA-%d key", bits);
		goto out;
	}
	if (rc != TSS2_RC_SUCCESS) {
		tpm_err(t, "cannot make a key in the TPM", rc);
		goto out;
	}
	k->empty_auth = n == 0;
	k->parent = IGOS_TPMKEY_OWNER;
	k->pub = *pub;
	k->priv = *priv;
	rc = Esys_Load(t->esys, parent, t->session, ESYS_TR_NONE, ESYS_TR_NONE, priv, pub,
		       &t->key);
	if (rc != TSS2_RC_SUCCESS) {
		t->key = ESYS_TR_NONE;
		tpm_err(t, "cannot load the new key", rc);
		goto out;
	}
	t->pub = pub->publicArea;
	r = set_auth(t, auth);
out:
	Esys_Free(priv);
	Esys_Free(pub);
	if (flush)
		Esys_FlushContext(t->esys, parent);
out_wipe:
	OPENSSL_cleanse(&sens, sizeof(sens));
	return r;
}

static TPM2_ALG_ID
hash_alg(const EVP_MD *md)
{
	switch (EVP_MD_get_type(md)) {
	case NID_sha1:
		return TPM2_ALG_SHA1;
	case NID_sha256:
		return TPM2_ALG_SHA256;
	case NID_sha384:
		return TPM2_ALG_SHA384;
	case NID_sha512:
		return TPM2_ALG_SHA512;
	}
	return TPM2_ALG_NULL;
}

int
igos_tpm_sign(struct igos_tpm *t, const EVP_MD *md, const unsigned char *dgst, size_t dlen,
	      unsigned char **sig, size_t *siglen)
{
	TPMT_TK_HASHCHECK ticket = { .tag = TPM2_ST_HASHCHECK, .hierarchy = TPM2_RH_NULL };
	TPMT_SIG_SCHEME scheme = { 0 };
	TPM2B_DIGEST d = { 0 };
	TPMT_SIGNATURE *s = NULL;
	TSS2_RC rc;
	unsigned e;

	*sig = NULL;
	if (t->auth_failed)
		return igos_seterr("the TPM refused the key's auth value: not tried again");
	if (t->key == ESYS_TR_NONE)
		return igos_seterr("no key loaded in the TPM");
	if ((scheme.details.any.hashAlg = hash_alg(md)) == TPM2_ALG_NULL ||
	    dlen > sizeof(d.buffer))
		return igos_seterr("unsupported hash algorithm for a TPM key");
	scheme.scheme = t->pub.type == TPM2_ALG_RSA ? TPM2_ALG_RSASSA : TPM2_ALG_ECDSA;
	d.size = (UINT16)dlen;
	memcpy(d.buffer, dgst, dlen);
	rc = Esys_Sign(t->esys, t->key, t->session, ESYS_TR_NONE, ESYS_TR_NONE, &d, &scheme,
		       &ticket, &s);
	e = rc_fmt1(rc);
	if (e == TPM2_RC_AUTH_FAIL || e == TPM2_RC_BAD_AUTH) {
		t->auth_failed = 1;
		return igos_seterr("wrong auth value for the TPM key (not retried: the TPM counts "
				   "failures toward its dictionary-attack lockout)");
	}
	if (rc_fmt1(rc) == TPM2_RC_HASH || rc_fmt1(rc) == TPM2_RC_SCHEME)
		return igos_seterr("the TPM key does not sign with %s", EVP_MD_get0_name(md));
	if (rc != TSS2_RC_SUCCESS)
		return tpm_err(t, "the TPM cannot sign", rc);
	if (s->sigAlg == TPM2_ALG_RSASSA) {
		size_t n = s->signature.rsassa.sig.size;

		if ((*sig = malloc(n ? n : 1)) == NULL) {
			Esys_Free(s);
			return igos_seterr("out of memory");
		}
		memcpy(*sig, s->signature.rsassa.sig.buffer, n);
		*siglen = n;
	} else if (s->sigAlg == TPM2_ALG_ECDSA && s->signature.ecdsa.signatureR.size <= 32 &&
		   s->signature.ecdsa.signatureS.size <= 32) {
		unsigned char raw[64] = { 0 };
		const TPM2B_ECC_PARAMETER *pr = &s->signature.ecdsa.signatureR,
					  *ps = &s->signature.ecdsa.signatureS;

		memcpy(raw + 32 - pr->size, pr->buffer, pr->size);
		memcpy(raw + 64 - ps->size, ps->buffer, ps->size);
		if ((*sig = igos_ecdsa_raw_to_der(raw, siglen)) == NULL) {
			Esys_Free(s);
			return -1;
		}
	} else {
		Esys_Free(s);
		return igos_seterr("the TPM returned an unexpected signature");
	}
	Esys_Free(s);
	return 0;
}
