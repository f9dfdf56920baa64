/*
 * Authenticode for PE/COFF images: the digest ranges, the certificate table,
 * SpcIndirectDataContent, and verification the way EDK2 does it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include "authenticode.h"

#define HASH_CHUNK (512u << 10) /* hashed, then summed while still in cache */

/* ---- image checks and ranges ---- */

static void
sort_sections(const struct igos_pe *pe, const struct igos_pe_section **s, unsigned *n)
{
	*n = 0;
	for (unsigned i = 0; i < pe->nsections; i++) {
		const struct igos_pe_section *x = &pe->sec[i];
		unsigned j;

		if (x->raw_size == 0)
			continue;
		/* insertion sort by PointerToRawData, stable like EDK2's */
		for (j = *n; j > 0 && s[j - 1]->raw_off > x->raw_off; j--)
			s[j] = s[j - 1];
		s[j] = x;
		(*n)++;
	}
}

/* End of the sections (SizeOfHeaders + the sum of SizeOfRawData). */
static uint64_t
sections_end(const struct igos_pe *pe)
{
	uint64_t sum = pe->size_of_headers;

	for (unsigned i = 0; i < pe->nsections; i++)
		sum += pe->sec[i].raw_size;
	return sum;
}

int
igos_ac_parse(struct igos_pe *pe, const unsigned char *d, size_t len)
{
	const struct igos_pe_section *s[IGOS_PE_MAX_SECTIONS];
	unsigned n;
	uint64_t at;

	if (len >= 2 && d[0] == 'M' && d[1] == 'Z' && len < 64)
		return igos_seterr("truncated PE headers");
	if (igos_pe_parse(pe, d, len) < 0)
		return -1;
	if (pe->checksum_off % 2)
		return igos_seterr("PE header at an odd offset");
	sort_sections(pe, s, &n);
	at = pe->size_of_headers;
	for (unsigned i = 0; i < n; i++) {
		if (s[i]->raw_off < at)
			return igos_seterr("PE sections '%s' and '%s' overlap",
					   i ? s[i - 1]->name : "headers", s[i]->name);
		if (s[i]->raw_off > at)
			return igos_seterr("gap of %llu bytes in the PE section table before "
					   "section '%s'",
					   (unsigned long long)(s[i]->raw_off - at), s[i]->name);
		at = (uint64_t)s[i]->raw_off + s[i]->raw_size;
	}
	if (pe->ndirs > 4 && pe->cert_size) {
		if (pe->cert_off < pe->size_of_headers)
			return igos_seterr("PE certificate table points inside the headers");
		if (pe->cert_off < at)
			return igos_seterr("PE certificate table points inside the sections");
		if ((uint64_t)pe->cert_off + pe->cert_size != len)
			return igos_seterr("PE certificate table does not end at end of file");
		if (pe->cert_off % 8)
			return igos_seterr("PE certificate table is not 8-byte aligned");
	}
	return 0;
}

int
igos_ac_is_signed(const struct igos_pe *pe)
{
	return pe->ndirs > 4 && pe->cert_size != 0;
}

size_t
igos_ac_content_end(const struct igos_pe *pe)
{
	return igos_ac_is_signed(pe) ? pe->cert_off : pe->len;
}

int
igos_ac_ranges(const struct igos_pe *pe, struct igos_ac_range *r)
{
	const struct igos_pe_section *s[IGOS_PE_MAX_SECTIONS];
	size_t end = igos_ac_content_end(pe);
	uint64_t sum;
	unsigned n;
	int k = 0;

	r[k++] = (struct igos_ac_range){ 0, pe->checksum_off };
	if (pe->ndirs > 4) {
		r[k++] = (struct igos_ac_range){ pe->checksum_off + IGOS_PE_CHECKSUM_SIZE,
						 pe->secdir_off - (pe->checksum_off + IGOS_PE_CHECKSUM_SIZE) };
		r[k++] = (struct igos_ac_range){ pe->secdir_off + IGOS_PE_DIRENT_SIZE,
						 pe->size_of_headers - (pe->secdir_off + IGOS_PE_DIRENT_SIZE) };
	} else {
		r[k++] = (struct igos_ac_range){ pe->checksum_off + IGOS_PE_CHECKSUM_SIZE,
						 pe->size_of_headers - (pe->checksum_off + IGOS_PE_CHECKSUM_SIZE) };
	}
	if (r[k - 1].off > pe->size_of_headers)
		return igos_seterr("PE SizeOfHeaders smaller than the optional header");
	sort_sections(pe, s, &n);
	for (unsigned i = 0; i < n; i++)
		r[k++] = (struct igos_ac_range){ s[i]->raw_off, s[i]->raw_size };
	sum = sections_end(pe);
	if (sum < end)
		r[k++] = (struct igos_ac_range){ (size_t)sum, end - (size_t)sum };
	else if (sum > end)
		return igos_seterr("PE sections extend into the certificate table");
	return k;
}

uint64_t
igos_ac_wordsum(const unsigned char *p, size_t len, uint64_t off)
{
	uint64_t s = 0;

	if (len && (off & 1)) {
		s += (uint64_t)p[0] << 8;
		p++;
		len--;
	}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (len >= 8) {
		/* two 32-bit lanes of 16-bit sums; 16384 steps cannot overflow a lane */
		size_t k = len / 8 > 16384 ? 16384 : len / 8;
		uint64_t acc = 0, x;

		for (size_t i = 0; i < k; i++) {
			memcpy(&x, p + 8 * i, 8);
			acc += (x & 0x0000ffff0000ffffull) + ((x >> 16) & 0x0000ffff0000ffffull);
		}
		s += (acc & 0xffffffffu) + (acc >> 32);
		p += 8 * k;
		len -= 8 * k;
	}
#endif
	for (; len >= 2; p += 2, len -= 2)
		s += (uint64_t)(p[0] | p[1] << 8);
	if (len)
		s += p[0];
	return s;
}

uint32_t
igos_ac_checksum(uint64_t s, uint64_t filelen)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)(s + filelen);
}

static void
drop_pages(const unsigned char *base, size_t from, size_t to)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t a = from & ~((size_t)pg - 1), b = to & ~((size_t)pg - 1);

	if (b > a)
		madvise((void *)(base + a), b - a, MADV_DONTNEED);
}

/* Map a chunk's pages in one call rather than one fault at a time. */
static void
populate(const unsigned char *base, size_t from, size_t to)
{
#ifdef MADV_POPULATE_READ
	long pg = sysconf(_SC_PAGESIZE);
	size_t a = from & ~((size_t)pg - 1);

	madvise((void *)(base + a), to - a, MADV_POPULATE_READ);
#else
	(void)base, (void)from, (void)to;
#endif
}

/* fd >= 0: the bytes are read from fd (the file pe->data maps) into buf */
static int
digest(const struct igos_pe *pe, int fd, const EVP_MD *md, unsigned char *out,
       uint64_t *wordsum, int flags)
{
	static const unsigned char zero[8];
	struct igos_ac_range r[IGOS_AC_MAX_RANGES];
	EVP_MD_CTX *c = NULL;
	unsigned char *buf = NULL;
	uint64_t ws = 0;
	size_t end = igos_ac_content_end(pe);
	int n, rc = -1;

	if ((n = igos_ac_ranges(pe, r)) < 0)
		return -1;
	if (fd >= 0 && (buf = malloc(HASH_CHUNK)) == NULL)
		return igos_seterr("out of memory");
	if ((c = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(c, md, NULL)) {
		igos_seterr_ssl("cannot hash");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		size_t off = r[i].off, len = r[i].len;

		while (len) {
			size_t k = len < HASH_CHUNK ? len : HASH_CHUNK;
			const unsigned char *src = pe->data + off;

			if (buf != NULL) {
				if (igos_pio_all(fd, buf, k, off, 0, NULL) < 0) {
					if (errno == 0)
						igos_seterr("the file shrank while it was read");
					else
						igos_seterr_errno("cannot read at offset %zu", off);
					goto out;
				}
				src = buf;
			} else if (flags & IGOS_AC_DROP_PAGES) {
				populate(pe->data, off, off + k);
			}
			if (!EVP_DigestUpdate(c, src, k)) {
				igos_seterr_ssl("cannot hash");
				goto out;
			}
			if (wordsum)
				ws += igos_ac_wordsum(src, k, off);
			if (buf == NULL && (flags & IGOS_AC_DROP_PAGES))
				drop_pages(pe->data, off, off + k);
			off += k;
			len -= k;
		}
	}
	if (!igos_ac_is_signed(pe) && end % 8 && !EVP_DigestUpdate(c, zero, 8 - end % 8)) {
		igos_seterr_ssl("cannot hash");
		goto out;
	}
	if (!EVP_DigestFinal_ex(c, out, NULL)) {
		igos_seterr_ssl("cannot hash");
		goto out;
	}
	if (wordsum)
		*wordsum = ws;
	rc = 0;
out:
	EVP_MD_CTX_free(c);
	free(buf);
	return rc;
}

int
igos_ac_digest(const struct igos_pe *pe, const EVP_MD *md, unsigned char *out,
	       uint64_t *wordsum, int flags)
{
	return digest(pe, -1, md, out, wordsum, flags);
}

int
igos_ac_digest_fd(const struct igos_pe *pe, int fd, const EVP_MD *md, unsigned char *out,
		  uint64_t *wordsum)
{
	return digest(pe, fd, md, out, wordsum, 0);
}

/* ---- certificate table ---- */

/*
 * EDK2's DxeImageVerificationHandler walks the table entry by entry and
 * denies the image when the walk does not end exactly at VirtualAddress +
 * Size: it stops at an entry with 8 bytes or less left, with dwLength past
 * the table or without room for its 8-byte padding, and at a PKCS entry whose
 * dwLength <= 8 (an empty WIN_CERTIFICATE). shim skips such entries, so
 * EDK2 is the stricter walk and the one kept here. Entries of another type
 * or revision are skipped by both; they are refused here (sign never makes
 * them, and a skipped entry is bytes nobody checks).
 */
int
igos_ac_walk(const unsigned char *t, size_t len, size_t base, struct igos_ac_cert *c,
	     unsigned max, unsigned *n)
{
	size_t off = 0;

	*n = 0;
	while (off < len) {
		uint32_t dw;
		size_t step;

		if (len - off < 8)
			return igos_seterr("certificate table entry %u truncated: %zu bytes left, "
					   "less than a WIN_CERTIFICATE header (EDK2 denies the "
					   "image)", *n + 1, len - off);
		dw = igos_le32(t + off);
		if (dw <= 8)
			return igos_seterr("certificate table entry %u: dwLength %u leaves no room "
					   "for a signature (EDK2 stops its walk there and denies "
					   "the image)", *n + 1, dw);
		if (dw > len - off)
			return igos_seterr("certificate table entry %u: dwLength %u overflows the "
					   "table", *n + 1, dw);
		step = ((size_t)dw + 7) & ~(size_t)7;
		if (step > len - off)
			return igos_seterr("certificate table entry %u: dwLength %u has no room for "
					   "its padding to 8 bytes in the table (EDK2 denies the "
					   "image)", *n + 1, dw);
		if (*n == max)
			return igos_seterr("more than %u certificate table entries", max);
		c[*n].off = base + off;
		c[*n].dwlength = dw;
		c[*n].revision = (uint16_t)(t[off + 4] | t[off + 5] << 8);
		c[*n].type = (uint16_t)(t[off + 6] | t[off + 7] << 8);
		c[*n].der = t + off + 8;
		c[*n].derlen = dw - 8;
		if (c[*n].type != IGOS_WIN_CERT_TYPE_PKCS)
			return igos_seterr("certificate table entry %u has type 0x%04x, not "
					   "PKCS#7 signed data", *n + 1, c[*n].type);
		if (c[*n].revision != IGOS_WIN_CERT_REVISION)
			return igos_seterr("certificate table entry %u has revision 0x%04x, not "
					   "0x0200", *n + 1, c[*n].revision);
		(*n)++;
		off += step;
	}
	return 0;
}

int
igos_ac_certs(const struct igos_pe *pe, struct igos_ac_cert *c, unsigned max, unsigned *n)
{
	*n = 0;
	if (!igos_ac_is_signed(pe))
		return 0;
	return igos_ac_walk(pe->data + pe->cert_off, pe->cert_size, pe->cert_off, c, max, n);
}

/* ---- a small DER reader and writer ---- */

int
igos_der_get(const unsigned char **p, size_t *left, unsigned tag, const unsigned char **val,
	     size_t *vlen, const unsigned char **whole, size_t *wlen)
{
	const unsigned char *q = *p;
	size_t n = *left, l, hl = 2;

	if (n < 2 || q[0] != tag)
		return -1;
	l = q[1];
	if (l & 0x80) {
		unsigned k = l & 0x7f;

		if (k == 0 || k > 4 || n - 2 < k)
			return -1;
		l = 0;
		for (unsigned i = 0; i < k; i++)
			l = l << 8 | q[2 + i];
		hl += k;
	}
	if (l > n - hl)
		return -1;
	if (val) {
		*val = q + hl;
		*vlen = l;
	}
	if (whole) {
		*whole = q;
		*wlen = hl + l;
	}
	*p = q + hl + l;
	*left = n - hl - l;
	return 0;
}

/* Append a DER header for tag/len to buf at *pos (buf NULL: just count). */
static void
der_hdr(unsigned char *buf, size_t *pos, unsigned tag, size_t len)
{
	unsigned char h[6];
	size_t n = 0;

	h[n++] = (unsigned char)tag;
	if (len < 0x80) {
		h[n++] = (unsigned char)len;
	} else if (len < 0x100) {
		h[n++] = 0x81;
		h[n++] = (unsigned char)len;
	} else if (len < 0x10000) {
		h[n++] = 0x82;
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	} else {
		h[n++] = 0x83;
		h[n++] = (unsigned char)(len >> 16);
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	}
	if (buf)
		memcpy(buf + *pos, h, n);
	*pos += n;
}

static size_t
der_len(size_t content)
{
	size_t pos = 0;

	der_hdr(NULL, &pos, 0, content);
	return pos + content;
}

/* 1.3.6.1.4.1.311.2.1.15 SPC_PE_IMAGE_DATA */
static const unsigned char oid_pe_image_data[] = {
	0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x0f,
};

unsigned char *
igos_ac_spc_build(const EVP_MD *md, const unsigned char *dg, size_t dlen, size_t *outlen)
{
	/* SpcPeImageData { flags BIT STRING {}, file [0] { [2] { [0] BMP "<<<Obsolete>>>" } } } */
	static const char obsolete[] = "<<<Obsolete>>>";
	unsigned char bmp[2 * (sizeof(obsolete) - 1)];
	unsigned char *oid = NULL, *buf;
	int oidlen;
	size_t peimg, attr, alg, dinfo, seq, pos = 0;
	ASN1_OBJECT *o;

	for (size_t i = 0; i < sizeof(obsolete) - 1; i++) {
		bmp[2 * i] = 0;
		bmp[2 * i + 1] = (unsigned char)obsolete[i];
	}
	if ((o = OBJ_nid2obj(EVP_MD_get_type(md))) == NULL ||
	    (oidlen = i2d_ASN1_OBJECT(o, &oid)) <= 0) {
		igos_seterr_ssl("cannot encode the digest algorithm");
		return NULL;
	}
	peimg = der_len(3 + der_len(der_len(der_len(sizeof(bmp)))));
	attr = der_len(sizeof(oid_pe_image_data) + peimg);
	alg = der_len((size_t)oidlen + 2);
	dinfo = der_len(alg + der_len(dlen));
	seq = der_len(attr + dinfo);
	if ((buf = malloc(seq)) == NULL) {
		OPENSSL_free(oid);
		igos_seterr("out of memory");
		return NULL;
	}
	der_hdr(buf, &pos, 0x30, attr + dinfo);
	der_hdr(buf, &pos, 0x30, sizeof(oid_pe_image_data) + peimg);
	memcpy(buf + pos, oid_pe_image_data, sizeof(oid_pe_image_data));
	pos += sizeof(oid_pe_image_data);
	der_hdr(buf, &pos, 0x30, 3 + der_len(der_len(der_len(sizeof(bmp)))));
	memcpy(buf + pos, "\x03\x01\x00", 3);
	pos += 3;
	der_hdr(buf, &pos, 0xa0, der_len(der_len(sizeof(bmp))));
	der_hdr(buf, &pos, 0xa2, der_len(sizeof(bmp)));
	der_hdr(buf, &pos, 0x80, sizeof(bmp));
	memcpy(buf + pos, bmp, sizeof(bmp));
	pos += sizeof(bmp);
	der_hdr(buf, &pos, 0x30, alg + der_len(dlen));
	der_hdr(buf, &pos, 0x30, (size_t)oidlen + 2);
	memcpy(buf + pos, oid, (size_t)oidlen);
	pos += (size_t)oidlen;
	memcpy(buf + pos, "\x05\x00", 2);
	pos += 2;
	der_hdr(buf, &pos, 0x04, dlen);
	memcpy(buf + pos, dg, dlen);
	pos += dlen;
	OPENSSL_free(oid);
	*outlen = pos;
	return buf;
}

int
igos_ac_spc_parse(const unsigned char *der, size_t len, const EVP_MD **md,
		  const unsigned char **dg, size_t *dlen)
{
	const unsigned char *p = der, *seq, *di, *alg, *oid, *oidw;
	size_t left = len, seql, dil, algl, oidl, oidwl;
	const unsigned char *q;
	ASN1_OBJECT *o;
	int nid;

	if (igos_der_get(&p, &left, 0x30, &seq, &seql, NULL, NULL) < 0 || left != 0)
		return igos_seterr("malformed SpcIndirectDataContent");
	p = seq;
	left = seql;
	if (igos_der_get(&p, &left, 0x30, NULL, NULL, NULL, NULL) < 0 ||
	    igos_der_get(&p, &left, 0x30, &di, &dil, NULL, NULL) < 0 || left != 0)
		return igos_seterr("malformed SpcIndirectDataContent");
	p = di;
	left = dil;
	if (igos_der_get(&p, &left, 0x30, &alg, &algl, NULL, NULL) < 0 ||
	    igos_der_get(&p, &left, 0x04, dg, dlen, NULL, NULL) < 0 || left != 0)
		return igos_seterr("malformed digest in SpcIndirectDataContent");
	p = alg;
	left = algl;
	if (igos_der_get(&p, &left, 0x06, &oid, &oidl, &oidw, &oidwl) < 0)
		return igos_seterr("malformed digest algorithm in SpcIndirectDataContent");
	q = oidw;
	if ((o = d2i_ASN1_OBJECT(NULL, &q, (long)oidwl)) == NULL) {
		igos_ssl_clear();
		return igos_seterr("malformed digest algorithm in SpcIndirectDataContent");
	}
	nid = OBJ_obj2nid(o);
	ASN1_OBJECT_free(o);
	if (nid != NID_sha1 && nid != NID_sha256 && nid != NID_sha384 && nid != NID_sha512)
		return igos_seterr("unsupported digest algorithm in SpcIndirectDataContent");
	*md = EVP_get_digestbynid(nid);
	if (*md == NULL || (size_t)EVP_MD_get_size(*md) != *dlen)
		return igos_seterr("digest in SpcIndirectDataContent has the wrong length");
	(void)oid;
	(void)oidl;
	return 0;
}

/* ---- PKCS#7 ---- */

static PKCS7 *
p7_parse(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	PKCS7 *p7;

	if (len > 0x7fffffff || (p7 = d2i_PKCS7(NULL, &p, (long)len)) == NULL) {
		igos_ssl_clear();
		igos_seterr("not a PKCS#7 structure");
		return NULL;
	}
	if (!PKCS7_type_is_signed(p7) || p7->d.sign == NULL ||
	    sk_PKCS7_SIGNER_INFO_num(p7->d.sign->signer_info) < 1) {
		PKCS7_free(p7);
		igos_seterr("not a PKCS#7 SignedData with a signer");
		return NULL;
	}
	return p7;
}

void
igos_x509_name_str(const X509_NAME *n, char *out, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long l;

	snprintf(out, size, "?");
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (l = BIO_get_mem_data(b, &p)) >= 0)
		snprintf(out, size, "%.*s", (int)l, p);
	BIO_free(b);
}

static void
key_str(EVP_PKEY *k, char *out, size_t size)
{
	char grp[64];
	size_t gl;

	if (k == NULL) {
		snprintf(out, size, "unknown");
		return;
	}
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		snprintf(out, size, "RSA-%d", EVP_PKEY_get_bits(k));
		break;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_utf8_string_param(k, "group", grp, sizeof(grp), &gl))
			snprintf(out, size, "EC-%.24s", grp);
		else
			snprintf(out, size, "EC");
		break;
	case EVP_PKEY_ED25519:
		snprintf(out, size, "Ed25519");
		break;
	default:
		snprintf(out, size, "unknown");
	}
}

int
igos_ac_siginfo(const unsigned char *der, size_t len, STACK_OF(X509) *certs,
		struct igos_ac_siginfo *si)
{
	PKCS7 *p7;
	PKCS7_SIGNER_INFO *s;
	X509 *x = NULL;
	BIGNUM *bn;
	char *hex;
	int nid;

	memset(si, 0, sizeof(*si));
	if ((p7 = p7_parse(der, len)) == NULL)
		return -1;
	s = sk_PKCS7_SIGNER_INFO_value(p7->d.sign->signer_info, 0);
	if (s->issuer_and_serial == NULL) {
		PKCS7_free(p7);
		return igos_seterr("PKCS#7 signer without issuer and serial number");
	}
	igos_x509_name_str(s->issuer_and_serial->issuer, si->issuer, sizeof(si->issuer));
	if ((bn = ASN1_INTEGER_to_BN(s->issuer_and_serial->serial, NULL)) != NULL &&
	    (hex = BN_bn2hex(bn)) != NULL) {
		snprintf(si->serial, sizeof(si->serial), "%s", hex);
		OPENSSL_free(hex);
	}
	BN_free(bn);
	nid = OBJ_obj2nid(s->digest_alg->algorithm);
	snprintf(si->digest, sizeof(si->digest), "%s", nid == NID_undef ? "unknown" :
		 OBJ_nid2ln(nid));
	for (int i = 0; i < sk_X509_num(p7->d.sign->cert) && !x; i++)
		if (!X509_NAME_cmp(X509_get_issuer_name(sk_X509_value(p7->d.sign->cert, i)),
				   s->issuer_and_serial->issuer) &&
		    !ASN1_INTEGER_cmp(X509_get0_serialNumber(sk_X509_value(p7->d.sign->cert, i)),
				      s->issuer_and_serial->serial))
			x = sk_X509_value(p7->d.sign->cert, i);
	for (int i = 0; i < sk_X509_num(certs) && !x; i++)
		if (!X509_NAME_cmp(X509_get_issuer_name(sk_X509_value(certs, i)),
				   s->issuer_and_serial->issuer) &&
		    !ASN1_INTEGER_cmp(X509_get0_serialNumber(sk_X509_value(certs, i)),
				      s->issuer_and_serial->serial))
			x = sk_X509_value(certs, i);
	if (x) {
		igos_x509_name_str(X509_get_subject_name(x), si->subject, sizeof(si->subject));
		key_str(X509_get0_pubkey(x), si->key, sizeof(si->key));
	} else {
		snprintf(si->subject, sizeof(si->subject), "(certificate not included)");
		nid = OBJ_obj2nid(s->digest_enc_alg->algorithm);
		snprintf(si->key, sizeof(si->key), "%s",
			 nid == NID_rsaEncryption || nid == NID_sha256WithRSAEncryption ? "RSA" :
			 nid == NID_undef ? "unknown" : OBJ_nid2ln(nid));
	}
	PKCS7_free(p7);
	return 0;
}

static X509_STORE *
trust_store(STACK_OF(X509) *trusted)
{
	X509_STORE *st = X509_STORE_new();

	if (st == NULL)
		return NULL;
	for (int i = 0; i < sk_X509_num(trusted); i++)
		if (!X509_STORE_add_cert(st, sk_X509_value(trusted, i))) {
			X509_STORE_free(st);
			return NULL;
		}
	/* as EDK2: partial chains, no time check, any purpose */
	X509_STORE_set_flags(st, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
	X509_STORE_set_purpose(st, X509_PURPOSE_ANY);
	return st;
}

/* The reason of the last OpenSSL error, made readable for the usual cases. */
static int
p7_fail(const char *what)
{
	unsigned long e = ERR_peek_last_error();

	if (ERR_GET_LIB(e) == ERR_LIB_PKCS7 &&
	    ERR_GET_REASON(e) == PKCS7_R_CERTIFICATE_VERIFY_ERROR) {
		igos_ssl_clear();
		return igos_seterr("%s: the signer is neither a given certificate nor issued "
				   "by one", what);
	}
	if (ERR_GET_LIB(e) == ERR_LIB_PKCS7 &&
	    ERR_GET_REASON(e) == PKCS7_R_SIGNER_CERTIFICATE_NOT_FOUND) {
		igos_ssl_clear();
		return igos_seterr("%s: signer certificate not found", what);
	}
	if (ERR_GET_LIB(e) == ERR_LIB_PKCS7 && ERR_GET_REASON(e) == PKCS7_R_DIGEST_FAILURE) {
		igos_ssl_clear();
		return igos_seterr("%s: content digest does not match the signed attributes",
				   what);
	}
	if (ERR_GET_LIB(e) == ERR_LIB_PKCS7 && ERR_GET_REASON(e) == PKCS7_R_SIGNATURE_FAILURE) {
		igos_ssl_clear();
		return igos_seterr("%s: bad signature", what);
	}
	return igos_seterr_ssl("%s", what);
}

static int
image_digest(struct igos_ac_digests *dg, const EVP_MD *md, const unsigned char **out)
{
	int nid = EVP_MD_get_type(md);

	for (unsigned i = 0; i < dg->n; i++)
		if (dg->nid[i] == nid) {
			*out = dg->d[i];
			return 0;
		}
	if (dg->n == 4)
		return igos_seterr("too many digest algorithms");
	if ((dg->flags & IGOS_AC_READ_FD ?
	     igos_ac_digest_fd(dg->pe, dg->fd, md, dg->d[dg->n], NULL) :
	     igos_ac_digest(dg->pe, md, dg->d[dg->n], NULL, dg->flags)) < 0)
		return -1;
	dg->nid[dg->n] = nid;
	*out = dg->d[dg->n++];
	return 0;
}

int
igos_ac_firmware_form(const unsigned char *der, size_t len, const EVP_MD **md)
{
	/* the value octets of the sha1, sha256, sha384 and sha512 OIDs */
	static const struct {
		unsigned char oid[9];
		size_t len;
		int nid;
	} algs[] = {
		{ { 0x2b, 0x0e, 0x03, 0x02, 0x1a }, 5, NID_sha1 },
		{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 }, 9, NID_sha256 },
		{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 }, 9, NID_sha384 },
		{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 }, 9, NID_sha512 },
	};

	/* EDK2 reads the digest algorithm at a fixed offset, which holds only
	 * when the outer lengths are in the two-byte form */
	if (len < 2 || der[0] != 0x30 || der[1] != 0x82)
		return igos_seterr("PKCS#7 length not in the two-byte form UEFI firmware reads");
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (len >= 32 + algs[i].len && !memcmp(der + 32, algs[i].oid, algs[i].len)) {
			*md = EVP_get_digestbynid(algs[i].nid);
			return 0;
		}
	return igos_seterr("PKCS#7 digest algorithm not where UEFI firmware reads it");
}

static const char *
md_name(const EVP_MD *md)
{
	switch (EVP_MD_get_type(md)) {
	case NID_sha1:
		return "SHA-1";
	case NID_sha384:
		return "SHA-384";
	case NID_sha512:
		return "SHA-512";
	default:
		return "SHA-256";
	}
}

/*
 * What the verifiers in firmware and shim can check of a signature whose
 * bytes are valid: OVMF and shim link an OpenSSL built without EC, so only
 * RSA with PKCS#1 v1.5 signs; the signer's digest must be SHA-256 as the
 * image digest is. RSA below 2048 or above 4096 bits is refused here though
 * OVMF and shim accept it (see igos-sign(1)): 1024 is breakable, and keys
 * past 4096 bits are not what firmware vendors test.
 */
static int
signer_rules(PKCS7 *p7)
{
	PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(p7->d.sign->signer_info, 0);
	STACK_OF(X509) *signers;
	EVP_PKEY *k;
	char key[32];
	int nid, bits, rc = 0;

	if (sk_PKCS7_SIGNER_INFO_num(p7->d.sign->signer_info) != 1)
		return igos_seterr("%d signers in one PKCS#7: Authenticode has exactly one",
				   sk_PKCS7_SIGNER_INFO_num(p7->d.sign->signer_info));
	if (OBJ_obj2nid(si->digest_alg->algorithm) != NID_sha256)
		return igos_seterr("signer digest is not SHA-256: shim accepts SHA-256 only");
	if ((signers = PKCS7_get0_signers(p7, NULL, 0)) == NULL || sk_X509_num(signers) != 1) {
		sk_X509_free(signers);
		igos_ssl_clear();
		return igos_seterr("signer certificate not found");
	}
	k = X509_get0_pubkey(sk_X509_value(signers, 0));
	sk_X509_free(signers);
	key_str(k, key, sizeof(key));
	if (k == NULL || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA)
		return igos_seterr("signer key is %s: UEFI firmware and shim verify RSA only", key);
	bits = EVP_PKEY_get_bits(k);
	if (bits < 2048 || bits > 4096)
		rc = igos_seterr("signer key is %s: igos accepts RSA 2048 to 4096 bits", key);
	nid = OBJ_obj2nid(si->digest_enc_alg->algorithm);
	if (rc == 0 && nid != NID_rsaEncryption && nid != NID_sha256WithRSAEncryption)
		rc = igos_seterr("signature algorithm %s: UEFI firmware and shim verify RSA "
				 "PKCS#1 v1.5 only", nid == NID_undef ? "unknown" : OBJ_nid2sn(nid));
	return rc;
}

#define OID_EKU_MODSIGN "1.3.6.1.4.1.2312.16.1.2"

static int
eku_modsign(X509 *x)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	char oid[64];
	int found = 0;

	for (int i = 0; i < sk_ASN1_OBJECT_num(eku) && !found; i++)
		found = OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku, i), 1) > 0 &&
			strcmp(oid, OID_EKU_MODSIGN) == 0;
	EXTENDED_KEY_USAGE_free(eku);
	igos_ssl_clear();
	return found;
}

/*
 * The certificates an image may chain to: shim skips every db and MokList
 * certificate whose EKU names module signing (igos-mok new --modules-only
 * makes such MOKs), so an image signed for one does not boot through shim.
 * A new stack (not owning the certificates), or NULL with the error set.
 */
static STACK_OF(X509) *
image_anchors(STACK_OF(X509) *trusted, unsigned *skipped)
{
	STACK_OF(X509) *a = sk_X509_new_null();

	*skipped = 0;
	if (a == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	for (int i = 0; i < sk_X509_num(trusted); i++) {
		if (eku_modsign(sk_X509_value(trusted, i)))
			(*skipped)++;
		else if (!sk_X509_push(a, sk_X509_value(trusted, i))) {
			sk_X509_free(a);
			igos_seterr("out of memory");
			return NULL;
		}
	}
	if (sk_X509_num(a) == 0) {
		sk_X509_free(a);
		igos_seterr("no usable certificate: shim trusts no certificate with the "
			    "module-signing EKU %s for images", OID_EKU_MODSIGN);
		return NULL;
	}
	return a;
}

int
igos_ac_verify(const unsigned char *der, size_t len, struct igos_ac_digests *dg,
	       STACK_OF(X509) *trusted)
{
	const EVP_MD *fw_md;
	PKCS7 *p7;
	ASN1_TYPE *content;
	const EVP_MD *md;
	const unsigned char *sdg, *idg = NULL, *p, *val;
	size_t sdlen, left, vlen;
	char oid[64];
	X509_STORE *st = NULL;
	STACK_OF(X509) *anchors = NULL;
	unsigned skipped = 0;
	BIO *in = NULL;
	int rc = -1;

	if ((p7 = p7_parse(der, len)) == NULL)
		return -1;
	if (p7->d.sign->contents == NULL || p7->d.sign->contents->type == NULL ||
	    OBJ_obj2txt(oid, sizeof(oid), p7->d.sign->contents->type, 1) <= 0 ||
	    strcmp(oid, IGOS_AC_SPC_INDIRECT_OID) != 0) {
		igos_seterr("PKCS#7 content is not SpcIndirectDataContent");
		goto out;
	}
	content = p7->d.sign->contents->d.other;
	if (content == NULL || content->type != V_ASN1_SEQUENCE ||
	    content->value.sequence == NULL) {
		igos_seterr("malformed SpcIndirectDataContent");
		goto out;
	}
	p = content->value.sequence->data;
	left = (size_t)content->value.sequence->length;
	if (igos_ac_spc_parse(p, left, &md, &sdg, &sdlen) < 0)
		goto out;
	if (igos_ac_firmware_form(der, len, &fw_md) < 0)
		goto out;
	if (EVP_MD_get_type(fw_md) != EVP_MD_get_type(md)) {
		igos_seterr("PKCS#7 and SpcIndirectDataContent name different digests");
		goto out;
	}
	/* EDK2 would hash with SHA-1, -384 or -512 too; shim compares a SHA-256
	 * image digest only, so anything else fails under shim */
	if (EVP_MD_get_type(md) != NID_sha256) {
		igos_seterr("%s image digest: shim accepts SHA-256 only", md_name(md));
		goto out;
	}
	if (image_digest(dg, md, &idg) < 0)
		goto out;
	if (CRYPTO_memcmp(idg, sdg, sdlen) != 0) {
		igos_seterr("image digest does not match the signed digest");
		goto out;
	}
	/* the signature covers the content's value octets, without tag and length */
	if (igos_der_get(&p, &left, 0x30, &val, &vlen, NULL, NULL) < 0) {
		igos_seterr("malformed SpcIndirectDataContent");
		goto out;
	}
	if ((in = BIO_new_mem_buf(val, (int)vlen)) == NULL) {
		igos_seterr_ssl("cannot verify");
		goto out;
	}
	if (trusted && (anchors = image_anchors(trusted, &skipped)) == NULL)
		goto out;
	if (anchors && (st = trust_store(anchors)) == NULL) {
		igos_seterr_ssl("cannot verify");
		goto out;
	}
	if (st == NULL && (st = X509_STORE_new()) == NULL) {
		igos_seterr_ssl("cannot verify");
		goto out;
	}
	if (PKCS7_verify(p7, NULL, st, in, NULL, PKCS7_BINARY | (trusted ? 0 : PKCS7_NOVERIFY))
	    != 1) {
		p7_fail("signature not valid");
		if (skipped && strstr(igos_errmsg(), "nor issued by one"))
			igos_seterr("signature not valid: the signer is neither a given "
				    "certificate nor issued by one (%u not used: shim trusts no certificate with "
				    "the module-signing EKU %s for images)", skipped, OID_EKU_MODSIGN);
		goto out;
	}
	if (signer_rules(p7) < 0)
		goto out;
	rc = 0;
out:
	sk_X509_free(anchors);
	BIO_free(in);
	X509_STORE_free(st);
	PKCS7_free(p7);
	return rc;
}

int
igos_p7_verify_detached(const unsigned char *der, size_t derlen, const unsigned char *data,
			size_t len, STACK_OF(X509) *certs)
{
	PKCS7 *p7;
	X509_STORE *st = NULL;
	STACK_OF(X509) *signers = NULL;
	EVP_PKEY *k;
	char key[32];
	BIO *in = NULL;
	int rc = -1;

	if ((p7 = p7_parse(der, derlen)) == NULL)
		return -1;
	if (!PKCS7_type_is_data(p7->d.sign->contents)) {
		igos_seterr("PKCS#7 content is not id-data");
		goto out;
	}
	if (len > 0x7fffffff) {
		igos_seterr("module too large");
		goto out;
	}
	if ((in = BIO_new_mem_buf(data, (int)len)) == NULL || (st = trust_store(certs)) == NULL) {
		igos_seterr_ssl("cannot verify");
		goto out;
	}
	if (PKCS7_verify(p7, certs, st, in, NULL, PKCS7_BINARY) != 1) {
		p7_fail("signature not valid");
		goto out;
	}
	/* Debian's kernel is built without ECDSA: it loads RSA-signed modules only */
	if ((signers = PKCS7_get0_signers(p7, certs, 0)) == NULL || sk_X509_num(signers) != 1) {
		igos_ssl_clear();
		if (signers != NULL)
			igos_seterr("%d signers in one module signature: igos takes exactly one",
				    sk_X509_num(signers));
		else
			igos_seterr("signer certificate not found");
		goto out;
	}
	k = X509_get0_pubkey(sk_X509_value(signers, 0));
	if (k == NULL || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
		key_str(k, key, sizeof(key));
		igos_seterr("signer key is %s: the kernel verifies RSA module signatures only", key);
		goto out;
	}
	rc = 0;
out:
	sk_X509_free(signers);
	BIO_free(in);
	X509_STORE_free(st);
	PKCS7_free(p7);
	return rc;
}
