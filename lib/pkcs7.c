/*
 * PKCS#7 SignedData and X.509 signatures made with any igos signer: OpenSSL
 * builds the structures, the signer (file or token) makes the signature.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>

#include "igos.h"

/* The contents octets of a DER value (what follows its tag and length). */
static int
der_contents(const unsigned char *der, size_t len, const unsigned char **c, size_t *clen)
{
	const unsigned char *p = der;
	long l;
	int tag, cls;

	if ((ASN1_get_object(&p, &l, &tag, &cls, (long)len) & 0x80) ||
	    (size_t)(p - der) + (size_t)l != len)
		return igos_seterr("content is not a single DER value");
	*c = p;
	*clen = (size_t)l;
	return 0;
}

static int
set_content(PKCS7 *p7, const char *oid, const unsigned char *content, size_t len, int flags)
{
	PKCS7 *inner;
	ASN1_TYPE *t;
	ASN1_STRING *s;

	if (oid == NULL) {
		if (!PKCS7_content_new(p7, NID_pkcs7_data))
			return -1;
		if (flags & IGOS_P7_DETACHED)
			return PKCS7_set_detached(p7, 1) ? 0 : -1;
		return ASN1_OCTET_STRING_set(p7->d.sign->contents->d.data, content, (int)len)
			       ? 0 : -1;
	}
	if ((inner = PKCS7_new()) == NULL)
		return -1;
	t = ASN1_TYPE_new();
	s = ASN1_STRING_new();
	if ((inner->type = OBJ_txt2obj(oid, 1)) == NULL || t == NULL || s == NULL ||
	    !ASN1_STRING_set(s, content, (int)len)) {
		ASN1_TYPE_free(t);
		ASN1_STRING_free(s);
		PKCS7_free(inner);
		return -1;
	}
	ASN1_TYPE_set(t, V_ASN1_SEQUENCE, s);
	inner->d.other = t;
	return PKCS7_set_content(p7, inner) ? 0 : (PKCS7_free(inner), -1);
}

/*
 * The one builder: s NULL stops once the signed attributes are known and
 * returns their DER (what a signing request carries); cdgst, when not NULL,
 * is the digest of a detached id-data content that is not at hand; sigin,
 * with s NULL, is the signature value made elsewhere (the PKCS#7 is built
 * around it, nothing is signed).
 */
static unsigned char *
p7_make(struct igos_signer *s, X509 *cert, const EVP_MD *md, const char *content_oid,
	const unsigned char *content, size_t content_len, int flags,
	const unsigned char *cdgst, const unsigned char *sigin, size_t siginlen, size_t *outlen)
{
	unsigned char dgst[IGOS_MAX_MD], *sig = NULL, *abuf = NULL, *der = NULL, *out = NULL;
	const unsigned char *hashed = content;
	size_t hashed_len = content_len, siglen = 0;
	unsigned int dlen = (unsigned)EVP_MD_get_size(md);
	PKCS7_SIGNER_INFO *si;
	PKCS7 *p7;
	int alen = 0, n;

	if (content_oid != NULL &&
	    der_contents(content, content_len, &hashed, &hashed_len) < 0)
		return NULL;
	if (content_oid != NULL && (flags & IGOS_P7_NOATTR)) {
		igos_seterr("a typed content needs signed attributes");
		return NULL;
	}
	if (cdgst != NULL && (content_oid != NULL || !(flags & IGOS_P7_DETACHED))) {
		igos_seterr("a given content digest needs a detached id-data content");
		return NULL;
	}
	if ((s ? igos_signer_type(s) == IGOS_KEY_ED25519
	       : EVP_PKEY_get_base_id(X509_get0_pubkey(cert)) == EVP_PKEY_ED25519)) {
		igos_seterr("PKCS#7 signatures need an RSA or ECDSA key");
		return NULL;
	}
	if ((p7 = PKCS7_new()) == NULL || !PKCS7_set_type(p7, NID_pkcs7_signed) ||
	    (si = PKCS7_add_signature(p7, cert, s ? igos_signer_pubkey(s) : X509_get0_pubkey(cert),
				      md)) == NULL ||
	    set_content(p7, content_oid, content, content_len, flags) < 0 ||
	    (!(flags & IGOS_P7_NOCERTS) && !PKCS7_add_certificate(p7, cert))) {
		igos_seterr_ssl("cannot build PKCS#7");
		goto out;
	}
	if (flags & IGOS_P7_MD_NOPARAM) {
		STACK_OF(X509_ALGOR) *algs = p7->d.sign->md_algs;

		for (int i = 0; i < sk_X509_ALGOR_num(algs); i++)
			X509_ALGOR_set0(sk_X509_ALGOR_value(algs, i),
					OBJ_nid2obj(EVP_MD_get_type(md)), V_ASN1_UNDEF, NULL);
		X509_ALGOR_set0(si->digest_alg, OBJ_nid2obj(EVP_MD_get_type(md)), V_ASN1_UNDEF,
				NULL);
	}
	if (cdgst)
		memcpy(dgst, cdgst, dlen);
	else if (igos_digest(md, hashed, hashed_len, dgst) < 0)
		goto out;
	if (!(flags & IGOS_P7_NOATTR)) {
		ASN1_OBJECT *ct = content_oid ? OBJ_txt2obj(content_oid, 1)
					      : OBJ_nid2obj(NID_pkcs7_data);

		if (ct == NULL ||
		    !PKCS7_add_signed_attribute(si, NID_pkcs9_contentType, V_ASN1_OBJECT, ct) ||
		    !PKCS7_add1_attrib_digest(si, dgst, (int)dlen)) {
			igos_seterr_ssl("cannot build PKCS#7 attributes");
			goto out;
		}
		/* the signature covers the DER SET OF attributes, as OpenSSL signs it */
		alen = ASN1_item_i2d((ASN1_VALUE *)si->auth_attr, &abuf,
				     ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
		if (alen <= 0 || igos_digest(md, abuf, (size_t)alen, dgst) < 0) {
			igos_seterr_ssl("cannot encode PKCS#7 attributes");
			goto out;
		}
	}
	if (s == NULL && sigin != NULL) {
		if ((sig = malloc(siginlen ? siginlen : 1)) == NULL) {
			igos_seterr("out of memory");
			goto out;
		}
		memcpy(sig, sigin, siginlen);
		siglen = siginlen;
	} else if (s == NULL) {
		if (abuf == NULL) {
			igos_seterr("no signed attributes");
			goto out;
		}
		if ((out = malloc((size_t)alen)) == NULL) {
			igos_seterr("out of memory");
			goto out;
		}
		memcpy(out, abuf, (size_t)alen);
		*outlen = (size_t)alen;
		goto out;
	} else if (igos_signer_sign_digest(s, md, dgst, dlen, &sig, &siglen) < 0) {
		goto out;
	}
	ASN1_STRING_set0(si->enc_digest, sig, (int)siglen);
	sig = NULL;
	if ((n = i2d_PKCS7(p7, &der)) <= 0 || (out = malloc((size_t)n)) == NULL) {
		igos_seterr_ssl("cannot encode PKCS#7");
		goto out;
	}
	memcpy(out, der, (size_t)n);
	*outlen = (size_t)n;
out:
	free(sig);
	OPENSSL_free(abuf);
	OPENSSL_free(der);
	PKCS7_free(p7);
	return out;
}

unsigned char *
igos_pkcs7_sign(struct igos_signer *s, X509 *cert, const EVP_MD *md, const char *content_oid,
		const unsigned char *content, size_t content_len, int flags, size_t *outlen)
{
	return p7_make(s, cert, md, content_oid, content, content_len, flags, NULL, NULL, 0,
		       outlen);
}

unsigned char *
igos_pkcs7_sign_dgst(struct igos_signer *s, X509 *cert, const EVP_MD *md,
		     const unsigned char *cdgst, int flags, size_t *outlen)
{
	return p7_make(s, cert, md, NULL, NULL, 0, flags, cdgst, NULL, 0, outlen);
}

unsigned char *
igos_pkcs7_from_sig(X509 *cert, const EVP_MD *md, const unsigned char *cdgst, int flags,
		    const unsigned char *sig, size_t siglen, size_t *outlen)
{
	if (sig == NULL || siglen == 0) {
		igos_seterr("no signature value");
		return NULL;
	}
	return p7_make(NULL, cert, md, NULL, NULL, 0, flags, cdgst, sig, siglen, outlen);
}

unsigned char *
igos_pkcs7_attrs(X509 *cert, const EVP_MD *md, const char *content_oid,
		 const unsigned char *content, size_t content_len, int flags, size_t *outlen)
{
	return p7_make(NULL, cert, md, content_oid, content, content_len, flags, NULL, NULL, 0,
		       outlen);
}

int
igos_x509_sign(X509 *x, struct igos_signer *s, const EVP_MD *md)
{
	const ASN1_BIT_STRING *csig;
	const X509_ALGOR *calg;
	X509_ALGOR *tbs_alg, *alg;
	ASN1_BIT_STRING *bits;
	unsigned char *tbs = NULL, *sig = NULL;
	size_t siglen = 0;
	int nid, ptype = V_ASN1_UNDEF, len;

	switch (igos_signer_type(s)) {
	case IGOS_KEY_RSA:
		if (!OBJ_find_sigid_by_algs(&nid, EVP_MD_get_type(md), NID_rsaEncryption))
			return igos_seterr("unsupported hash for RSA");
		ptype = V_ASN1_NULL;
		break;
	case IGOS_KEY_EC_P256:
		if (!OBJ_find_sigid_by_algs(&nid, EVP_MD_get_type(md), NID_X9_62_id_ecPublicKey))
			return igos_seterr("unsupported hash for ECDSA");
		break;
	case IGOS_KEY_ED25519:
		nid = NID_ED25519;
		md = NULL;
		break;
	default:
		return igos_seterr("unsupported key type");
	}
	X509_get0_signature(&csig, &calg, x);
	tbs_alg = (X509_ALGOR *)X509_get0_tbs_sigalg(x);
	alg = (X509_ALGOR *)calg;
	bits = (ASN1_BIT_STRING *)csig;
	if (!X509_ALGOR_set0(tbs_alg, OBJ_nid2obj(nid), ptype, NULL) ||
	    !X509_ALGOR_set0(alg, OBJ_nid2obj(nid), ptype, NULL))
		return igos_seterr_ssl("cannot set the signature algorithm");
	if ((len = i2d_re_X509_tbs(x, &tbs)) <= 0)
		return igos_seterr_ssl("cannot encode the certificate");
	if (igos_signer_sign_msg(s, md, tbs, (size_t)len, &sig, &siglen) < 0) {
		OPENSSL_free(tbs);
		return -1;
	}
	OPENSSL_free(tbs);
	ASN1_BIT_STRING_set(bits, sig, (int)siglen);
	bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
	bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
	free(sig);
	if (X509_verify(x, igos_signer_pubkey(s)) != 1)
		return igos_seterr_ssl("the new certificate signature does not verify");
	return 0;
}
