/*
 * Secure Boot trust stores and the two image verifiers firmware and shim
 * run, over lib/authenticode.c's check of one signature. See secboot.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include "secboot.h"
#include "efivar.h"

/* EFI_CERT_X509_SHA256/384/512_GUID in memory order */
static const unsigned char guid_x509_sha256[16] = {
	0x92, 0xa4, 0xd2, 0x3b, 0xc0, 0x96, 0x79, 0x40,
	0xb4, 0x20, 0xfc, 0xf9, 0x8e, 0xf1, 0x03, 0xed };
static const unsigned char guid_x509_sha384[16] = {
	0x6e, 0x87, 0x76, 0x70, 0xc2, 0x80, 0xe6, 0x4e,
	0xaa, 0xd2, 0x28, 0xb3, 0x49, 0xa6, 0x86, 0x5b };
static const unsigned char guid_x509_sha512[16] = {
	0x63, 0xbf, 0x6d, 0x44, 0x02, 0x25, 0xda, 0x4c,
	0xbc, 0xfa, 0x24, 0x65, 0xd2, 0xb0, 0xfe, 0x9d };

#define MODSIGN_EKU "1.3.6.1.4.1.2312.16.1.2"

/* ---- stores -------------------------------------------------------------- */

static enum igos_sb_kind
kind_of(const unsigned char *t)
{
	if (!memcmp(t, igos_guid_cert_x509, 16))
		return IGOS_SIG_X509;
	if (!memcmp(t, igos_guid_cert_sha1, 16))
		return IGOS_SIG_SHA1;
	if (!memcmp(t, igos_guid_cert_sha256, 16))
		return IGOS_SIG_SHA256;
	if (!memcmp(t, igos_guid_cert_sha384, 16))
		return IGOS_SIG_SHA384;
	if (!memcmp(t, igos_guid_cert_sha512, 16))
		return IGOS_SIG_SHA512;
	if (!memcmp(t, guid_x509_sha256, 16))
		return IGOS_SIG_X509_SHA256;
	if (!memcmp(t, guid_x509_sha384, 16))
		return IGOS_SIG_X509_SHA384;
	if (!memcmp(t, guid_x509_sha512, 16))
		return IGOS_SIG_X509_SHA512;
	return IGOS_SIG_OTHER;
}

static void
subject_of(X509 *x, char *out, size_t size)
{
	igos_x509_name_str(X509_get_subject_name(x), out, size);
}

/* shim's checks before it uses a certificate of db, MokList or the deny lists */
static int
shim_takes(const unsigned char *d, size_t len, X509 *x)
{
	EXTENDED_KEY_USAGE *eku;
	int ok = 1;

	if (len < 4 || d[0] != 0x30 || d[1] != 0x82 || (size_t)(d[2] << 8 | d[3]) != len - 4)
		return 0;
	if (x == NULL)
		return 1; /* shim passes it on; the verifier then fails on it */
	if ((eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL)) != NULL) {
		for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
			char oid[64];

			if (OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku, i), 1) > 0 &&
			    !strcmp(oid, MODSIGN_EKU))
				ok = 0;
		}
		EXTENDED_KEY_USAGE_free(eku);
	}
	igos_ssl_clear();
	return ok;
}

static int
store_add(struct igos_sb_store *st, enum igos_sb_kind k, const unsigned char *d, size_t len)
{
	struct igos_sb_sig *s;

	if (st->n % 32 == 0) {
		struct igos_sb_sig *ns;

		if (st->n > SIZE_MAX / sizeof(*ns) - 32 ||
		    (ns = realloc(st->s, (st->n + 32) * sizeof(*ns))) == NULL)
			return igos_seterr("out of memory");
		st->s = ns;
	}
	s = &st->s[st->n++];
	memset(s, 0, sizeof(*s));
	s->kind = k;
	s->data = d;
	s->len = len;
	if (k == IGOS_SIG_X509) {
		const unsigned char *p = d;

		if (len <= 0x7fffffff)
			s->x509 = d2i_X509(NULL, &p, (long)len);
		igos_ssl_clear();
		if (s->x509)
			subject_of(s->x509, s->subject, sizeof(s->subject));
		else
			snprintf(s->subject, sizeof(s->subject), "(a certificate that does not parse)");
		s->shim_uses = shim_takes(d, len, s->x509);
	}
	return 0;
}

/* The offset where the signature list at off ends, or 0 when its header is
 * unusable (the walk stops there). */
static size_t
list_end(const unsigned char *d, size_t len, size_t off)
{
	uint32_t lsize;

	if (len - off < IGOS_ESL_HEADER)
		return 0;
	lsize = igos_le32(d + off + 16);
	if (lsize < IGOS_ESL_HEADER || lsize > len - off)
		return 0;
	return off + lsize;
}

int
igos_sb_store_esl(struct igos_sb_store *st, const char *name, const unsigned char *data,
		  size_t len)
{
	struct igos_esl_entry *e = NULL;
	size_t n = 0, off = 0, list = 0;

	memset(st, 0, sizeof(*st));
	snprintf(st->name, sizeof(st->name), "%s", name);
	st->present = 1;
	if (len == 0)
		return 0;
	if ((st->raw = malloc(len)) == NULL)
		return igos_seterr("out of memory");
	memcpy(st->raw, data, len);
	st->rawlen = len;
	/* whole lists, one at a time: a bad one ends the walk, as in firmware */
	while (off < len) {
		size_t end = list_end(st->raw, len, off);

		list++;
		if (end == 0 || igos_esl_parse(st->raw + off, end - off, &e, &n) < 0) {
			if (end == 0)
				igos_esl_parse(st->raw + off, len - off, &e, &n);
			snprintf(st->bad, sizeof(st->bad), "signature list %zu at offset %zu: %s", list,
				 off, strstr(igos_errmsg(), ": ") ? strstr(igos_errmsg(), ": ") + 2 :
				 igos_errmsg());
			break;
		}
		for (size_t i = 0; i < n; i++)
			if (store_add(st, kind_of(e[i].type), e[i].data, e[i].len) < 0) {
				free(e);
				return -1;
			}
		free(e);
		e = NULL;
		off = end;
	}
	return 0;
}

int
igos_sb_store_cert(struct igos_sb_store *st, const char *name, const unsigned char *der,
		   size_t len)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->name, sizeof(st->name), "%s", name);
	st->present = 1;
	if ((st->raw = malloc(len ? len : 1)) == NULL)
		return igos_seterr("out of memory");
	memcpy(st->raw, der, len);
	st->rawlen = len;
	st->single = 1;
	if (store_add(st, IGOS_SIG_X509, st->raw, len) < 0)
		return -1;
	/* shim hands vendor_cert to the verifier without its DER and EKU checks */
	st->s[0].shim_uses = 1;
	return 0;
}

void
igos_sb_store_free(struct igos_sb_store *st)
{
	for (size_t i = 0; i < st->n; i++)
		X509_free(st->s[i].x509);
	free(st->s);
	free(st->raw);
	memset(st, 0, sizeof(*st));
}

int
igos_sb_store_has(const struct igos_sb_store *st, enum igos_sb_kind k)
{
	for (size_t i = 0; st && i < st->n; i++)
		if (st->s[i].kind == k)
			return 1;
	return 0;
}

int
igos_shim_vendor_parse(const unsigned char *sec, size_t len, struct igos_shim_vendor *v)
{
	uint32_t as, ds, ao, dox;

	memset(v, 0, sizeof(*v));
	if (len < 16)
		return igos_seterr(".vendor_cert section too short (%zu bytes)", len);
	as = igos_le32(sec);
	ds = igos_le32(sec + 4);
	ao = igos_le32(sec + 8);
	dox = igos_le32(sec + 12);
	if ((as && (ao < 16 || ao > len || as > len - ao)) ||
	    (ds && (dox < 16 || dox > len || ds > len - dox)))
		return igos_seterr(".vendor_cert: a list lies outside the section");
	v->auth = as ? sec + ao : NULL;
	v->authlen = as;
	v->deauth = ds ? sec + dox : NULL;
	v->deauthlen = ds;
	v->auth_is_cert = as >= 4 && sec[ao] == 0x30 && (sec[ao + 1] & 0x80);
	return 0;
}

/* ---- hashing ----------------------------------------------------------------- */

int
igos_sb_image_init(struct igos_sb_image *im, const unsigned char *data, size_t len)
{
	memset(im, 0, sizeof(*im));
	im->data = data;
	im->len = len;
	if (igos_ac_parse(&im->pe, data, len) < 0) {
		snprintf(im->pe_err, sizeof(im->pe_err), "%s", igos_errmsg());
		return 0;
	}
	im->pe_ok = 1;
	return 0;
}

#define CHUNK (1u << 20)

/* Map a chunk's pages in one call, not one fault at a time (the image is
 * usually a file mapping; for anything else the call fails harmlessly). */
static void
populate(const unsigned char *base, size_t from, size_t to)
{
#ifdef MADV_POPULATE_READ
	static long pg;
	size_t a;

	if (pg == 0)
		pg = sysconf(_SC_PAGESIZE);
	a = from & ~((size_t)pg - 1);
	madvise((void *)(base + a), to - a, MADV_POPULATE_READ);
#else
	(void)base, (void)from, (void)to;
#endif
}

int
igos_sb_image_hash(struct igos_sb_image *im, int want_sha1)
{
	static const unsigned char zero[8];
	struct igos_ac_range r[IGOS_AC_MAX_RANGES];
	EVP_MD_CTX *c256 = NULL, *c1 = NULL, *cfw = NULL;
	size_t end;
	int n, rc = -1;

	if (!im->pe_ok)
		return igos_seterr("not a parsed image");
	if (im->hashed && (im->have_sha1 || !want_sha1))
		return 0;
	if ((n = igos_ac_ranges(&im->pe, r)) < 0)
		return -1;
	c256 = EVP_MD_CTX_new();
	c1 = want_sha1 ? EVP_MD_CTX_new() : NULL;
	if (c256 == NULL || (want_sha1 && c1 == NULL) ||
	    !EVP_DigestInit_ex(c256, EVP_sha256(), NULL) ||
	    (c1 && !EVP_DigestInit_ex(c1, EVP_sha1(), NULL))) {
		igos_seterr_ssl("cannot hash");
		goto out;
	}
	/* one pass: each range once, fed to every digest while in cache */
	for (int i = 0; i < n; i++)
		for (size_t off = r[i].off, left = r[i].len; left;) {
			size_t k = left < CHUNK ? left : CHUNK;

			populate(im->data, off, off + k);
			if (!EVP_DigestUpdate(c256, im->data + off, k) ||
			    (c1 && !EVP_DigestUpdate(c1, im->data + off, k))) {
				igos_seterr_ssl("cannot hash");
				goto out;
			}
			off += k;
			left -= k;
		}
	end = igos_ac_content_end(&im->pe);
	/* an unsigned image not a multiple of 8 long: signers (and shim) hash
	 * the zero padding they add, EDK2 does not */
	if (!igos_ac_is_signed(&im->pe) && end % 8) {
		if ((cfw = EVP_MD_CTX_new()) == NULL || !EVP_MD_CTX_copy_ex(cfw, c256) ||
		    !EVP_DigestFinal_ex(cfw, im->sha256_fw, NULL) ||
		    !EVP_DigestUpdate(c256, zero, 8 - end % 8) ||
		    (c1 && !EVP_DigestUpdate(c1, zero, 8 - end % 8))) {
			igos_seterr_ssl("cannot hash");
			goto out;
		}
		if (!EVP_DigestFinal_ex(c256, im->sha256, NULL)) {
			igos_seterr_ssl("cannot hash");
			goto out;
		}
	} else {
		if (!EVP_DigestFinal_ex(c256, im->sha256, NULL)) {
			igos_seterr_ssl("cannot hash");
			goto out;
		}
		memcpy(im->sha256_fw, im->sha256, 32);
	}
	if (c1) {
		if (!EVP_DigestFinal_ex(c1, im->sha1, NULL)) {
			igos_seterr_ssl("cannot hash");
			goto out;
		}
		im->have_sha1 = 1;
	}
	/* what igos_ac_verify compares with: computed here, not again there */
	im->dg.pe = &im->pe;
	im->dg.n = 1;
	im->dg.nid[0] = NID_sha256;
	memcpy(im->dg.d[0], im->sha256, 32);
	im->hashed = 1;
	rc = 0;
out:
	EVP_MD_CTX_free(c256);
	EVP_MD_CTX_free(c1);
	EVP_MD_CTX_free(cfw);
	return rc;
}

/* ---- verdicts ------------------------------------------------------------------ */

static const char *const reason_str[] = {
	[IGOS_SB_PASS] = "passes",
	[IGOS_SB_MALFORMED] = "malformed image",
	[IGOS_SB_NOT_SIGNED] = "not signed",
	[IGOS_SB_UNTRUSTED] = "untrusted signer",
	[IGOS_SB_REVOKED_CERT] = "revoked by certificate",
	[IGOS_SB_REVOKED_HASH] = "revoked by image hash",
	[IGOS_SB_TAMPERED] = "tampered after signing",
	[IGOS_SB_ALGORITHM] = "algorithm refused",
	[IGOS_SB_SBAT] = "SBAT generation below SbatLevel",
	[IGOS_SB_NO_SBAT] = "no usable .sbat",
	[IGOS_SB_MISSING] = "no image",
};

static const char *const reason_code[] = {
	[IGOS_SB_PASS] = "pass",
	[IGOS_SB_MALFORMED] = "malformed",
	[IGOS_SB_NOT_SIGNED] = "not-signed",
	[IGOS_SB_UNTRUSTED] = "untrusted-signer",
	[IGOS_SB_REVOKED_CERT] = "revoked-certificate",
	[IGOS_SB_REVOKED_HASH] = "revoked-hash",
	[IGOS_SB_TAMPERED] = "tampered",
	[IGOS_SB_ALGORITHM] = "algorithm",
	[IGOS_SB_SBAT] = "sbat",
	[IGOS_SB_NO_SBAT] = "no-sbat",
	[IGOS_SB_MISSING] = "missing",
};

const char *
igos_sb_reason_str(enum igos_sb_reason r)
{
	return (unsigned)r < sizeof(reason_str) / sizeof(reason_str[0]) ? reason_str[r] : "?";
}

const char *
igos_sb_reason_code(enum igos_sb_reason r)
{
	return (unsigned)r < sizeof(reason_code) / sizeof(reason_code[0]) ? reason_code[r] : "?";
}

static void
set_store(struct igos_sb_verdict *v, const struct igos_sb_store *st, size_t i)
{
	snprintf(v->store, sizeof(v->store), "%s", st->name);
	v->entry = st->single ? 0 : i + 1;
	if (st->s[i].kind == IGOS_SIG_X509)
		snprintf(v->entry_what, sizeof(v->entry_what), "%s", st->s[i].subject);
	else if (st->s[i].kind == IGOS_SIG_SHA1)
		snprintf(v->entry_what, sizeof(v->entry_what), "SHA-1 image hash");
	else if (st->s[i].kind >= IGOS_SIG_X509_SHA256)
		snprintf(v->entry_what, sizeof(v->entry_what), "certificate hash");
	else
		snprintf(v->entry_what, sizeof(v->entry_what), "SHA-256 image hash");
}

/* Is hash (of kind k) an entry of st? Its index, or -1. */
static long
find_hash(const struct igos_sb_store *st, enum igos_sb_kind k, const unsigned char *h, size_t hl)
{
	for (size_t i = 0; st && i < st->n; i++)
		if (st->s[i].kind == k && st->s[i].len >= hl && !memcmp(st->s[i].data, h, hl))
			return (long)i;
	return -1;
}

/* One signature on its own: valid, over this image, in a form and with
 * algorithms the verifiers take (lib/authenticode.c decides). */
static enum igos_sb_reason
sig_check(struct igos_sb_image *im, const struct igos_ac_cert *c, char *why, size_t wsize)
{
	const char *m;

	if (igos_ac_verify(c->der, c->derlen, &im->dg, NULL) == 0)
		return IGOS_SB_PASS;
	m = igos_errmsg();
	snprintf(why, wsize, "%s", m);
	igos_ssl_clear();
	if (strstr(m, "image digest does not match"))
		return IGOS_SB_TAMPERED;
	if (strstr(m, "RSA only") || strstr(m, "SHA-256 only") || strstr(m, "igos accepts RSA") ||
	    strstr(m, "PKCS#1 v1.5") || strstr(m, "unsupported digest") ||
	    strstr(m, "not where UEFI firmware reads") || strstr(m, "two-byte form"))
		return IGOS_SB_ALGORITHM;
	if (strstr(m, "bad signature") || strstr(m, "does not match the signed attributes"))
		return IGOS_SB_TAMPERED;
	return IGOS_SB_MALFORMED;
}

/* Does the signature chain to cert (AuthenticodeVerify with it as the one
 * trusted certificate)? */
static int
sig_chains(struct igos_sb_image *im, const struct igos_ac_cert *c, X509 *cert)
{
	STACK_OF(X509) *t;
	int ok;

	if (cert == NULL || (t = sk_X509_new_null()) == NULL)
		return 0;
	if (!sk_X509_push(t, cert)) {
		sk_X509_free(t);
		return 0;
	}
	ok = igos_ac_verify(c->der, c->derlen, &im->dg, t) == 0;
	sk_X509_free(t);
	igos_ssl_clear();
	return ok;
}

/* The TBSCertificate bytes of a DER certificate. */
static int
tbs_of(const unsigned char *d, size_t len, const unsigned char **tbs, size_t *tlen)
{
	const unsigned char *v;
	size_t vlen;

	/* outer SEQUENCE header, then the inner one taken whole */
	if (igos_der_get(&d, &len, 0x30, &v, &vlen, NULL, NULL) < 0)
		return -1;
	return igos_der_get(&v, &vlen, 0x30, NULL, NULL, tbs, tlen);
}

/* Is the TBS hash of the DER certificate der an X509_SHA* entry of st? */
static long
cert_hash_in(const struct igos_sb_store *st, const unsigned char *der, size_t len)
{
	static const struct {
		enum igos_sb_kind k;
		const char *md;
	} kinds[] = {
		{ IGOS_SIG_X509_SHA256, "sha256" },
		{ IGOS_SIG_X509_SHA384, "sha384" },
		{ IGOS_SIG_X509_SHA512, "sha512" },
	};
	const unsigned char *tbs;
	size_t tl;

	if (st == NULL || tbs_of(der, len, &tbs, &tl) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		unsigned char h[64];
		const EVP_MD *md;
		long at;

		if (!igos_sb_store_has(st, kinds[i].k))
			continue;
		md = EVP_get_digestbyname(kinds[i].md);
		if (md == NULL || igos_digest(md, tbs, tl, h) < 0)
			continue;
		if ((at = find_hash(st, kinds[i].k, h, (size_t)EVP_MD_get_size(md))) >= 0)
			return at;
	}
	return -1;
}

/* Every certificate the signature carries, hashed against st's X509_SHA*
 * entries (EDK2's IsForbiddenByDbx, second half). Index, or -1. */
static long
embedded_hash_in(const struct igos_sb_store *st, const struct igos_ac_cert *c, char *subj,
		 size_t ssize)
{
	const unsigned char *p = c->der;
	PKCS7 *p7;
	long at = -1;

	if (!igos_sb_store_has(st, IGOS_SIG_X509_SHA256) &&
	    !igos_sb_store_has(st, IGOS_SIG_X509_SHA384) &&
	    !igos_sb_store_has(st, IGOS_SIG_X509_SHA512))
		return -1;
	if (c->derlen > 0x7fffffff || (p7 = d2i_PKCS7(NULL, &p, (long)c->derlen)) == NULL) {
		igos_ssl_clear();
		return -1;
	}
	if (PKCS7_type_is_signed(p7) && p7->d.sign)
		for (int i = 0; i < sk_X509_num(p7->d.sign->cert) && at < 0; i++) {
			X509 *x = sk_X509_value(p7->d.sign->cert, i);
			unsigned char *der = NULL;
			int l = i2d_X509(x, &der);

			if (l > 0 && (at = cert_hash_in(st, der, (size_t)l)) >= 0)
				subject_of(x, subj, ssize);
			OPENSSL_free(der);
		}
	PKCS7_free(p7);
	return at;
}

static void
signer_of(const struct igos_ac_cert *c, char *out, size_t size)
{
	struct igos_ac_siginfo si;

	if (igos_ac_siginfo(c->der, c->derlen, NULL, &si) == 0)
		snprintf(out, size, "%.*s", (int)(size - 1), si.subject);
	else
		snprintf(out, size, "(unreadable signature)");
	igos_ssl_clear();
}

static int
setv(struct igos_sb_verdict *v, enum igos_sb_reason r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
setv(struct igos_sb_verdict *v, enum igos_sb_reason r, const char *fmt, ...)
{
	va_list ap;

	v->reason = r;
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
	return 0;
}

static void
hex8(const unsigned char *h, char out[17])
{
	igos_hex_encode(h, 8, out);
}

/* The certificate table as EDK2 walks it: the walk must end at its end. */
static int
certs_of(struct igos_sb_image *im, struct igos_ac_cert *c, unsigned *n, struct igos_sb_verdict *v)
{
	if (igos_ac_certs(&im->pe, c, IGOS_AC_MAX_CERTS, n) < 0) {
		setv(v, IGOS_SB_MALFORMED, "%s", igos_errmsg());
		return -1;
	}
	return 0;
}

int
igos_sb_judge_firmware(struct igos_sb_image *im, const struct igos_sb_store *db,
		       const struct igos_sb_store *dbx, struct igos_sb_verdict *v)
{
	struct igos_ac_cert c[IGOS_AC_MAX_CERTS];
	enum igos_sb_reason first = IGOS_SB_PASS;
	char why[512] = "", w[512], h[17];
	unsigned n;
	long at;
	int allowed = 0, valid = 0;

	memset(v, 0, sizeof(*v));
	if (!im->pe_ok)
		return setv(v, IGOS_SB_MALFORMED, "%s", im->pe_err);
	if (!im->hashed && igos_sb_image_hash(im, 0) < 0)
		return -1;
	if (!igos_ac_is_signed(&im->pe)) {
		hex8(im->sha256_fw, h);
		if ((at = find_hash(dbx, IGOS_SIG_SHA256, im->sha256_fw, 32)) >= 0) {
			set_store(v, dbx, (size_t)at);
			return setv(v, IGOS_SB_REVOKED_HASH, "unsigned; its SHA-256 %s... is dbx entry %ld",
				    h, at + 1);
		}
		if ((at = find_hash(db, IGOS_SIG_SHA256, im->sha256_fw, 32)) >= 0) {
			set_store(v, db, (size_t)at);
			return setv(v, IGOS_SB_PASS, "unsigned, its SHA-256 %s... is db entry %ld", h,
				    at + 1);
		}
		return setv(v, IGOS_SB_NOT_SIGNED, "no signature, and its SHA-256 %s... is not in db",
			    h);
	}
	if (certs_of(im, c, &n, v) < 0)
		return 0;
	hex8(im->sha256, h);
	for (unsigned i = 0; i < n; i++) {
		enum igos_sb_reason r = sig_check(im, &c[i], w, sizeof(w));
		char subj[256];

		if (!v->signer[0] || (r == IGOS_SB_PASS && !valid))
			signer_of(&c[i], v->signer, sizeof(v->signer));
		if (r != IGOS_SB_PASS) {
			/* the first refusal is reported, with its own words */
			if (first == IGOS_SB_PASS) {
				first = r;
				memcpy(why, w, sizeof(why));
			}
			/* EDK2 goes on with the next signature, but once it could
			 * hash the image by the signature's algorithm it still
			 * looks the image hash up in dbx and db */
			if (r != IGOS_SB_TAMPERED)
				continue;
			if ((at = find_hash(dbx, IGOS_SIG_SHA256, im->sha256, 32)) >= 0) {
				set_store(v, dbx, (size_t)at);
				return setv(v, IGOS_SB_REVOKED_HASH, "its SHA-256 %s... is dbx entry %ld",
					    h, at + 1);
			}
			if (!allowed && (at = find_hash(db, IGOS_SIG_SHA256, im->sha256, 32)) >= 0) {
				allowed = 1;
				set_store(v, db, (size_t)at);
			}
			continue;
		}
		valid = 1;
		for (size_t j = 0; dbx && j < dbx->n; j++)
			if (dbx->s[j].kind == IGOS_SIG_X509 && sig_chains(im, &c[i], dbx->s[j].x509)) {
				set_store(v, dbx, j);
				return setv(v, IGOS_SB_REVOKED_CERT,
					    "signature %u chains to dbx entry %zu (%s)", i + 1, j + 1,
					    dbx->s[j].subject);
			}
		if ((at = embedded_hash_in(dbx, &c[i], subj, sizeof(subj))) >= 0) {
			set_store(v, dbx, (size_t)at);
			return setv(v, IGOS_SB_REVOKED_CERT,
				    "certificate '%s' of signature %u is dbx entry %ld (by its hash)",
				    subj, i + 1, at + 1);
		}
		if (!allowed)
			for (size_t j = 0; db && j < db->n; j++) {
				if (db->s[j].kind != IGOS_SIG_X509 || !sig_chains(im, &c[i], db->s[j].x509))
					continue;
				/* the first db certificate it chains to decides */
				if ((at = cert_hash_in(dbx, db->s[j].data, db->s[j].len)) < 0) {
					allowed = 1;
					set_store(v, db, j);
					signer_of(&c[i], v->signer, sizeof(v->signer));
				}
				break;
			}
		if ((at = find_hash(dbx, IGOS_SIG_SHA256, im->sha256, 32)) >= 0) {
			set_store(v, dbx, (size_t)at);
			return setv(v, IGOS_SB_REVOKED_HASH, "its SHA-256 %s... is dbx entry %ld", h,
				    at + 1);
		}
		if (!allowed && (at = find_hash(db, IGOS_SIG_SHA256, im->sha256, 32)) >= 0) {
			allowed = 1;
			set_store(v, db, (size_t)at);
		}
	}
	if (allowed)
		return setv(v, IGOS_SB_PASS, "%s", "");
	if (valid)
		return setv(v, IGOS_SB_UNTRUSTED, "signer '%s' chains to no db certificate and the "
			    "image hash is not in db", v->signer);
	return setv(v, first, "%s", why);
}

/* A signature against a list of certificates shim takes; index or -1. */
static long
chains_to_any(struct igos_sb_image *im, const struct igos_ac_cert *c, const struct igos_sb_store *st)
{
	for (size_t j = 0; st && j < st->n; j++)
		if (st->s[j].kind == IGOS_SIG_X509 && st->s[j].shim_uses &&
		    sig_chains(im, c, st->s[j].x509))
			return (long)j;
	return -1;
}

int
igos_sb_judge_shim(struct igos_sb_image *im, const struct igos_sb_shim_stores *s,
		   struct igos_sb_verdict *v)
{
	struct igos_ac_cert c[IGOS_AC_MAX_CERTS];
	const struct igos_sb_store *deny[3] = { s->vendor_dbx, s->dbx, s->mokx };
	const struct igos_sb_store *allow[4] = { s->ignore_db ? NULL : s->db, s->vendor_db, s->mok,
						  s->vendor_cert };
	enum igos_sb_reason first = IGOS_SB_PASS, revoked = IGOS_SB_PASS;
	char why[512] = "", w[512], h[17], rdetail[640] = "";
	struct igos_sb_verdict rv;
	unsigned n;
	long at;
	int want1, valid = 0;

	memset(v, 0, sizeof(*v));
	if (!im->pe_ok)
		return setv(v, IGOS_SB_MALFORMED, "%s", im->pe_err);
	/* SHA-1 only when a list holds SHA-1 entries (shim looks in these) */
	want1 = igos_sb_store_has(s->vendor_dbx, IGOS_SIG_SHA1) ||
		igos_sb_store_has(s->dbx, IGOS_SIG_SHA1) ||
		(!s->ignore_db && igos_sb_store_has(s->db, IGOS_SIG_SHA1));
	if ((!im->hashed || (want1 && !im->have_sha1)) && igos_sb_image_hash(im, want1) < 0)
		return -1;
	hex8(im->sha256, h);
	/* by image hash first: vendor dbx, dbx (SHA-256, SHA-1), MokListX (SHA-256) */
	for (int i = 0; i < 3; i++) {
		if ((at = find_hash(deny[i], IGOS_SIG_SHA256, im->sha256, 32)) >= 0 ||
		    (i < 2 && im->have_sha1 &&
		     (at = find_hash(deny[i], IGOS_SIG_SHA1, im->sha1, 20)) >= 0)) {
			set_store(v, deny[i], (size_t)at);
			return setv(v, IGOS_SB_REVOKED_HASH, "its image hash is %s entry %ld",
				    deny[i]->name, at + 1);
		}
	}
	if ((at = find_hash(allow[0], IGOS_SIG_SHA256, im->sha256, 32)) >= 0 ||
	    (im->have_sha1 && (at = find_hash(allow[0], IGOS_SIG_SHA1, im->sha1, 20)) >= 0)) {
		set_store(v, allow[0], (size_t)at);
		return setv(v, IGOS_SB_PASS, "%s", "");
	}
	for (int i = 1; i < 3; i++)
		if ((at = find_hash(allow[i], IGOS_SIG_SHA256, im->sha256, 32)) >= 0) {
			set_store(v, allow[i], (size_t)at);
			return setv(v, IGOS_SB_PASS, "%s", "");
		}
	if (!igos_ac_is_signed(&im->pe))
		return setv(v, IGOS_SB_NOT_SIGNED, "no signature, and its SHA-256 %s... is in no "
			    "allow list", h);
	if (certs_of(im, c, &n, v) < 0)
		return 0;
	memset(&rv, 0, sizeof(rv));
	for (unsigned i = 0; i < n; i++) {
		enum igos_sb_reason r = sig_check(im, &c[i], w, sizeof(w));
		int denied = 0;

		if (!v->signer[0])
			signer_of(&c[i], v->signer, sizeof(v->signer));
		if (r != IGOS_SB_PASS) {
			if (first == IGOS_SB_PASS) {
				first = r;
				memcpy(why, w, sizeof(why));
			}
			continue;
		}
		valid = 1;
		/* a signature chaining to a denied certificate fails, but shim
		 * still takes another signature of the same image */
		for (int d = 0; d < 3 && !denied; d++)
			if ((at = chains_to_any(im, &c[i], deny[d])) >= 0) {
				denied = 1;
				if (revoked == IGOS_SB_PASS) {
					revoked = IGOS_SB_REVOKED_CERT;
					set_store(&rv, deny[d], (size_t)at);
					signer_of(&c[i], rv.signer, sizeof(rv.signer));
					snprintf(rdetail, sizeof(rdetail),
						 "signature %u chains to %s entry %ld (%s)", i + 1,
						 deny[d]->name, at + 1, deny[d]->s[at].subject);
				}
			}
		if (denied)
			continue;
		for (int a = 0; a < 4; a++)
			if ((at = chains_to_any(im, &c[i], allow[a])) >= 0) {
				set_store(v, allow[a], (size_t)at);
				signer_of(&c[i], v->signer, sizeof(v->signer));
				return setv(v, IGOS_SB_PASS, "%s", "");
			}
	}
	if (revoked != IGOS_SB_PASS) {
		memcpy(v->store, rv.store, sizeof(v->store));
		v->entry = rv.entry;
		memcpy(v->entry_what, rv.entry_what, sizeof(v->entry_what));
		memcpy(v->signer, rv.signer, sizeof(v->signer));
		return setv(v, revoked, "%s", rdetail);
	}
	if (valid)
		return setv(v, IGOS_SB_UNTRUSTED, "signer '%s' chains to no certificate of db, "
			    "MokList or shim's vendor certificate, and the image hash is in none",
			    v->signer);
	return setv(v, first, "%s", why);
}
