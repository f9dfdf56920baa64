/* Keys, certificates, signed PE images and signature lists made in memory
 * for the C unit tests of lib/secboot.c (tests/unit/secboot-judge.c,
 * tests/unit/secboot-faults.c). Include after igos.h, efivar.h, secboot.h
 * and unit-pe.h. */
#ifndef IGOS_UNIT_SECBOOT_H
#define IGOS_UNIT_SECBOOT_H

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#define SPC_OID "1.3.6.1.4.1.311.2.1.4"

struct key {
	EVP_PKEY *pk;
	X509 *cert;
	struct igos_signer *s;
	unsigned char *der;
	size_t derlen;
};

static char keyfile[64];

static inline X509 *
mkcert(const char *cn, EVP_PKEY *pub, X509 *issuer, EVP_PKEY *ikey, int ca, const char *eku)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509V3_CTX ctx;
	static long serial = 1;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650);
	X509_set_pubkey(x, pub);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	if (ca) {
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
							"critical,CA:TRUE");
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	if (eku) {
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_ext_key_usage, eku);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	X509_sign(x, ikey ? ikey : NULL, EVP_sha256());
	return x;
}

/* An RSA key of bits (or an EC P-256 key, bits 0), its certificate issued by
 * ca (self-signed when NULL), and a signer over it. */
static inline struct key
mkkey(const char *cn, int bits, const struct key *ca, int isca, const char *eku)
{
	struct key k = {0};
	unsigned char *p = NULL;
	FILE *f;
	int l;

	k.pk = bits ? EVP_RSA_gen((unsigned)bits) : EVP_EC_gen("P-256");
	k.cert = mkcert(cn, k.pk, ca ? ca->cert : NULL, ca ? ca->pk : k.pk, isca, eku);
	f = fdopen(open(keyfile, O_WRONLY | O_CREAT | O_TRUNC, 0600), "w");
	PEM_write_PrivateKey(f, k.pk, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	k.s = igos_signer_open(keyfile, NULL);
	unlink(keyfile);
	l = i2d_X509(k.cert, &p);
	k.der = p;
	k.derlen = (size_t)l;
	return k;
}

static inline void
key_free(struct key *k)
{
	EVP_PKEY_free(k->pk);
	X509_free(k->cert);
	igos_signer_free(k->s);
	OPENSSL_free(k->der);
}

/* ---- images ---------------------------------------------------------------- */

#define BODY 0x600 /* headers 0x400, one section of 0x200 */

struct image {
	unsigned char d[0x18000];
	size_t len;
};

/* The unsigned image (len 0x600, or 0x603 with three trailing bytes). */
static inline void
image_base(struct image *im, int odd, unsigned char fill)
{
	unit_pe_headers(1, 0x2000);
	unit_pe_section(0, ".text", 0x1000, 0x200, 0x400, 0x200);
	memset(img + 0x400, fill, 0x200);
	memset(im->d, 0, sizeof(im->d));
	memcpy(im->d, img, BODY);
	im->len = BODY;
	if (odd) {
		memcpy(im->d + BODY, "abc", 3);
		im->len += 3;
	}
}

static const struct key *helper;
static X509 *extra_cert;

/* The PKCS#7 der signed again by pk (when not NULL), or its signature
 * algorithm changed to nid (when not NID_undef); extra 1: 100 more copies
 * of the signer certificate, 2: MD5 among the digest algorithms, 3: extra_cert
 * embedded after the signer's. */
static inline unsigned char *
p7_edit(unsigned char *der, size_t *len, EVP_PKEY *pk, int nid, int extra)
{
	const unsigned char *p = der;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)*len);
	PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(p7->d.sign->signer_info, 0);
	unsigned char *out = NULL;
	int n;

	if (pk) {
		unsigned char *abuf = NULL, *sig;
		int alen = ASN1_item_i2d((ASN1_VALUE *)si->auth_attr, &abuf,
					 ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
		EVP_MD_CTX *c = EVP_MD_CTX_new();
		size_t sl = 0;

		EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, pk);
		EVP_DigestSign(c, NULL, &sl, abuf, (size_t)alen);
		sig = OPENSSL_malloc(sl);
		EVP_DigestSign(c, sig, &sl, abuf, (size_t)alen);
		ASN1_STRING_set0(si->enc_digest, sig, (int)sl);
		EVP_MD_CTX_free(c);
		OPENSSL_free(abuf);
	}
	if (nid != NID_undef)
		X509_ALGOR_set0(si->digest_enc_alg, OBJ_nid2obj(nid), V_ASN1_UNDEF, NULL);
	if (extra == 3)
		PKCS7_add_certificate(p7, extra_cert);
	for (int i = 0; extra == 1 && i < 100; i++)
		PKCS7_add_certificate(p7, sk_X509_value(p7->d.sign->cert, 0));
	if (extra == 2) {
		X509_ALGOR *a = X509_ALGOR_new();

		X509_ALGOR_set0(a, OBJ_nid2obj(NID_md5), V_ASN1_NULL, NULL);
		sk_X509_ALGOR_push(p7->d.sign->md_algs, a);
	}
	free(der);
	n = i2d_PKCS7(p7, NULL);
	out = malloc((size_t)n);
	p = out;
	*len = (size_t)i2d_PKCS7(p7, (unsigned char **)&p);
	PKCS7_free(p7);
	return out;
}

/* An Authenticode PKCS#7 over the image's first BODY bytes, by k, with the
 * digest md in SpcIndirectDataContent and the signer. */
static inline unsigned char *
p7_of(struct image *im, const struct key *k, const EVP_MD *md, const EVP_MD *smd, size_t *plen)
{
	struct igos_pe pe;
	unsigned char dg[64], *spc, *p7;
	size_t sl;

	static unsigned char body[BODY];

	/* the digest leaves the table's directory entry out: the image before
	 * its first signature */
	memcpy(body, im->d, BODY);
	memset(body + OPT + 144, 0, 8);
	if (igos_ac_parse(&pe, body, BODY) < 0 ||
	    igos_ac_digest(&pe, md, dg, NULL, 0) < 0 ||
	    (spc = igos_ac_spc_build(md, dg, (size_t)EVP_MD_get_size(md), &sl)) == NULL)
		return NULL;
	/* a key the signer refuses (RSA 1024): made by another, signed again below */
	p7 = igos_pkcs7_sign(k->s ? k->s : helper->s, k->cert, smd, SPC_OID, spc, sl, 0, plen);
	free(spc);
	if (p7 && k->s == NULL)
		p7 = p7_edit(p7, plen, k->pk, NID_undef, 0);
	return p7;
}

/* Append one WIN_CERTIFICATE holding p7 to the image's table. */
static inline void
add_sig(struct image *im, const unsigned char *p7, size_t plen)
{
	uint32_t off = igos_le32(im->d + OPT + 144), size = igos_le32(im->d + OPT + 148);
	size_t at = im->len, pad = (8 - (8 + plen) % 8) % 8;

	if (size == 0)
		off = (uint32_t)at;
	igos_put_le32(im->d + at, (uint32_t)(8 + plen));
	igos_put_le16(im->d + at + 4, 0x200);
	igos_put_le16(im->d + at + 6, 2);
	memcpy(im->d + at + 8, p7, plen);
	im->len = at + 8 + plen + pad;
	igos_put_le32(im->d + OPT + 144, off);
	igos_put_le32(im->d + OPT + 148, (uint32_t)(im->len - off));
}

static inline void
sign(struct image *im, const struct key *k)
{
	size_t pl;
	unsigned char *p7 = p7_of(im, k, EVP_sha256(), EVP_sha256(), &pl);

	if (p7) {
		add_sig(im, p7, pl);
		free(p7);
	}
}

/* ---- stores ---------------------------------------------------------------- */

static const unsigned char owner[16] = { 1, 2, 3 };

struct esl {
	unsigned char *b;
	size_t len;
};

static inline void
esl_add(struct esl *e, const unsigned char type[16], const void *d, size_t l)
{
	igos_esl_append(&e->b, &e->len, type, owner, d, l);
}

static inline void
esl_cert(struct esl *e, const struct key *k)
{
	esl_add(e, igos_guid_cert_x509, k->der, k->derlen);
}

static inline void
image_sha256(const struct image *im, int fw, unsigned char out[32])
{
	struct igos_sb_image s;

	igos_sb_image_init(&s, im->d, im->len);
	igos_sb_image_hash(&s, 0);
	memcpy(out, fw ? s.sha256_fw : s.sha256, 32);
}

static inline void
esl_hash(struct esl *e, const struct image *im, int fw)
{
	unsigned char h[32];

	image_sha256(im, fw, h);
	esl_add(e, igos_guid_cert_sha256, h, 32);
}

static const unsigned char guid_x509_sha256[16] = {
	0x92, 0xa4, 0xd2, 0x3b, 0xc0, 0x96, 0x79, 0x40,
	0xb4, 0x20, 0xfc, 0xf9, 0x8e, 0xf1, 0x03, 0xed };
static const unsigned char guid_x509_sha384[16] = {
	0x6e, 0x87, 0x76, 0x70, 0xc2, 0x80, 0xe6, 0x4e,
	0xaa, 0xd2, 0x28, 0xb3, 0x49, 0xa6, 0x86, 0x5b };
static const unsigned char guid_x509_sha512[16] = {
	0x63, 0xbf, 0x6d, 0x44, 0x02, 0x25, 0xda, 0x4c,
	0xbc, 0xfa, 0x24, 0x65, 0xd2, 0xb0, 0xfe, 0x9d };

/* The TBSCertificate hash of k's certificate with revocation time zero. */
static inline void
esl_tbs(struct esl *e, const struct key *k, const EVP_MD *md, const unsigned char guid[16])
{
	unsigned char *tbs = NULL, v[64 + 16];
	int l = i2d_re_X509_tbs(k->cert, &tbs);
	unsigned hl = (unsigned)EVP_MD_get_size(md);

	memset(v, 0, sizeof(v));
	igos_digest(md, tbs, (size_t)l, v);
	esl_add(e, guid, v, hl + 16);
	OPENSSL_free(tbs);
}

static inline void
store(struct igos_sb_store *st, const char *name, struct esl *e)
{
	igos_sb_store_esl(st, name, e->b, e->len);
	free(e->b);
	e->b = NULL;
	e->len = 0;
}

#endif
