/* Kernel module signatures: the trailer, and the CMS sign-file makes. */
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>

#include "modsig.h"

int
igos_elf_is_rel(const unsigned char *d, size_t len)
{
	unsigned type;

	if (len < 52 || memcmp(d, "\177ELF", 4) != 0)
		return 0;
	if (d[4] != 1 && d[4] != 2)   /* ELFCLASS32/64 */
		return 0;
	if (d[4] == 2 && len < 64)
		return 0;
	if (d[5] == 1)                /* ELFDATA2LSB */
		type = d[16] | d[17] << 8;
	else if (d[5] == 2)
		type = d[16] << 8 | d[17];
	else
		return 0;
	return type == 1;             /* ET_REL */
}

int
igos_modsig_parse(const unsigned char *d, size_t len, struct igos_modsig *m)
{
	const unsigned char *info;
	uint32_t sl;

	memset(m, 0, sizeof(*m));
	m->mod_len = len;
	if (len < IGOS_MODSIG_MAGIC_LEN ||
	    memcmp(d + len - IGOS_MODSIG_MAGIC_LEN, IGOS_MODSIG_MAGIC, IGOS_MODSIG_MAGIC_LEN))
		return 0;
	if (len < IGOS_MODSIG_TRAILER_LEN)
		return igos_seterr("module signature trailer truncated");
	info = d + len - IGOS_MODSIG_TRAILER_LEN;
	/* algo, hash, id_type, signer_len, key_id_len, pad[3], be32 sig_len */
	if (info[0] || info[1] || info[2] != 2 || info[3] || info[4] || info[5] || info[6] ||
	    info[7])
		return igos_seterr("module signature is not a plain PKCS#7 one (id_type %u)",
				   info[2]);
	sl = (uint32_t)info[8] << 24 | (uint32_t)info[9] << 16 | (uint32_t)info[10] << 8 |
	     info[11];
	if (sl == 0 || sl > len - IGOS_MODSIG_TRAILER_LEN)
		return igos_seterr("module signature length %u overflows the file", sl);
	m->is_signed = 1;
	m->sig_len = sl;
	m->mod_len = len - IGOS_MODSIG_TRAILER_LEN - sl;
	m->sig = d + m->mod_len;
	return 0;
}

void
igos_modsig_trailer(unsigned char out[IGOS_MODSIG_TRAILER_LEN], uint32_t sl)
{
	memset(out, 0, IGOS_MODSIG_INFO_LEN);
	out[2] = 2; /* PKEY_ID_PKCS7 */
	out[8] = (unsigned char)(sl >> 24);
	out[9] = (unsigned char)(sl >> 16);
	out[10] = (unsigned char)(sl >> 8);
	out[11] = (unsigned char)sl;
	memcpy(out + IGOS_MODSIG_INFO_LEN, IGOS_MODSIG_MAGIC, IGOS_MODSIG_MAGIC_LEN);
}

/* ---- a growable DER buffer: parts appended, then wrapped in a header ---- */

struct dbuf {
	unsigned char *p;
	size_t len, cap;
	int oom;
};

static void
put(struct dbuf *b, const void *data, size_t len)
{
	if (b->oom)
		return;
	if (b->len + len > b->cap) {
		size_t ncap = (b->len + len) * 2 + 64;
		unsigned char *np = realloc(b->p, ncap);

		if (np == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* Wrap everything in b as the value of one tag. */
static void
wrap(struct dbuf *b, unsigned tag)
{
	unsigned char h[6];
	size_t n = 0, l = b->len;

	h[n++] = (unsigned char)tag;
	if (l < 0x80) {
		h[n++] = (unsigned char)l;
	} else if (l < 0x100) {
		h[n++] = 0x81;
		h[n++] = (unsigned char)l;
	} else if (l < 0x10000) {
		h[n++] = 0x82;
		h[n++] = (unsigned char)(l >> 8);
		h[n++] = (unsigned char)l;
	} else {
		h[n++] = 0x83;
		h[n++] = (unsigned char)(l >> 16);
		h[n++] = (unsigned char)(l >> 8);
		h[n++] = (unsigned char)l;
	}
	put(b, h, n); /* grow first, then shift */
	if (b->oom)
		return;
	memmove(b->p + n, b->p, l);
	memcpy(b->p, h, n);
}

/* Append b2 (consumed) to b. */
static void
append(struct dbuf *b, struct dbuf *b2)
{
	if (b2->oom)
		b->oom = 1;
	else
		put(b, b2->p, b2->len);
	free(b2->p);
	memset(b2, 0, sizeof(*b2));
}

static const unsigned char oid_signed_data[] = {
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
};
static const unsigned char oid_data[] = {
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
};
static const unsigned char oid_sha256[] = {
	0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
};
static const unsigned char alg_rsa[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
};

unsigned char *
igos_modsig_cms(struct igos_signer *s, X509 *cert, const unsigned char *mod, size_t len,
		size_t *outlen)
{
	struct dbuf top = { 0 }, sd = { 0 }, x = { 0 }, si = { 0 }, ias = { 0 };
	unsigned char dg[32], *sig = NULL, *der = NULL, *q;
	size_t siglen = 0;
	int l;

	if (igos_signer_type(s) != IGOS_KEY_RSA) {
		igos_seterr("module signing needs an RSA key (the kernel's module keys are RSA)");
		return NULL;
	}
	if (igos_digest(EVP_sha256(), mod, len, dg) < 0)
		return NULL;
	if (igos_signer_sign_digest(s, EVP_sha256(), dg, sizeof(dg), &sig, &siglen) < 0)
		return NULL;

	/* issuerAndSerialNumber */
	if ((l = i2d_X509_NAME(X509_get_issuer_name(cert), NULL)) <= 0 ||
	    (der = malloc((size_t)l)) == NULL)
		goto oom;
	q = der;
	i2d_X509_NAME(X509_get_issuer_name(cert), &q);
	put(&ias, der, (size_t)l);
	free(der);
	der = NULL;
	if ((l = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert), NULL)) <= 0 ||
	    (der = malloc((size_t)l)) == NULL)
		goto oom;
	q = der;
	i2d_ASN1_INTEGER(X509_get0_serialNumber(cert), &q);
	put(&ias, der, (size_t)l);
	free(der);
	der = NULL;
	wrap(&ias, 0x30);

	/* SignerInfo: version 1, sid, digestAlgorithm, signatureAlgorithm, signature */
	put(&si, "\x02\x01\x01", 3);
	append(&si, &ias);
	put(&x, oid_sha256, sizeof(oid_sha256));
	wrap(&x, 0x30);
	append(&si, &x);
	put(&si, alg_rsa, sizeof(alg_rsa));
	put(&x, sig, siglen);
	wrap(&x, 0x04);
	append(&si, &x);
	wrap(&si, 0x30);
	wrap(&si, 0x31);

	/* SignedData: version 1, digestAlgorithms, encapContentInfo (detached), signerInfos */
	put(&sd, "\x02\x01\x01", 3);
	put(&x, oid_sha256, sizeof(oid_sha256));
	wrap(&x, 0x30);
	wrap(&x, 0x31);
	append(&sd, &x);
	put(&x, oid_data, sizeof(oid_data));
	wrap(&x, 0x30);
	append(&sd, &x);
	append(&sd, &si);
	wrap(&sd, 0x30);
	wrap(&sd, 0xa0);

	put(&top, oid_signed_data, sizeof(oid_signed_data));
	append(&top, &sd);
	wrap(&top, 0x30);
	if (top.oom)
		goto oom;
	free(sig);
	*outlen = top.len;
	return top.p;
oom:
	free(der);
	free(sig);
	free(top.p);
	free(sd.p);
	free(x.p);
	free(si.p);
	free(ias.p);
	igos_seterr("out of memory");
	return NULL;
}
