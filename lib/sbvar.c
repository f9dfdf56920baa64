/*
 * Authenticated updates of PK, KEK, db and dbx (see sbvar.h). The layout is
 * UEFI 2.10 section 8.2.2; the choices where UEFI leaves room (SignedData
 * rather than ContentInfo, the certificate embedded, no signed attributes,
 * an EFI_TIME with zero nanoseconds) are the ones EDK2 accepts and
 * sign-efi-sig-list makes, so that our updates and efitools' are the same bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pkcs7.h>

#include "igos.h"
#include "efivar.h"
#include "sbvar.h"

const unsigned char igos_guid_cert_pkcs7[16] = {
	0x9d, 0xd2, 0xaf, 0x4a, 0xdf, 0x68, 0xee, 0x49,
	0x8a, 0xa9, 0x34, 0x7d, 0x37, 0x56, 0x65, 0xa7 };

#define NAME_MAX_CHARS 256

int
igos_guid_parse(const char *s, unsigned char g[16])
{
	unsigned char b[16];
	size_t k = 0;

	if (strlen(s) != 36)
		return igos_seterr("bad GUID '%s'", s);
	for (size_t i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return igos_seterr("bad GUID '%s'", s);
			i++;
			continue;
		}
		int hi = igos_hex_digit((unsigned char)s[i]);
		int lo = igos_hex_digit((unsigned char)s[i + 1]);

		if (hi < 0 || lo < 0)
			return igos_seterr("bad GUID '%s'", s);
		b[k++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	/* the first three fields are stored little-endian */
	g[0] = b[3]; g[1] = b[2]; g[2] = b[1]; g[3] = b[0];
	g[4] = b[5]; g[5] = b[4];
	g[6] = b[7]; g[7] = b[6];
	memcpy(g + 8, b + 8, 8);
	return 0;
}

const unsigned char *
igos_sbvar_guid(const char *name)
{
	if (strcmp(name, "PK") == 0 || strcmp(name, "KEK") == 0)
		return igos_guid_global;
	if (strcmp(name, "db") == 0 || strcmp(name, "dbx") == 0 || strcmp(name, "dbt") == 0 ||
	    strcmp(name, "dbr") == 0)
		return igos_guid_security;
	return NULL;
}

static void
put_time(unsigned char out[IGOS_EFI_TIME_SIZE], const struct tm *tm)
{
	memset(out, 0, IGOS_EFI_TIME_SIZE);
	igos_put_le16(out, (uint16_t)(tm->tm_year + 1900));
	out[2] = (unsigned char)(tm->tm_mon + 1);
	out[3] = (unsigned char)tm->tm_mday;
	out[4] = (unsigned char)tm->tm_hour;
	out[5] = (unsigned char)tm->tm_min;
	out[6] = (unsigned char)tm->tm_sec;
}

int
igos_efi_time_parse(const char *s, unsigned char out[IGOS_EFI_TIME_SIZE])
{
	struct tm tm, chk;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (end == NULL || *end != '\0' || strlen(s) != 19)
		return igos_seterr("bad timestamp '%s': want 'YYYY-MM-DD HH:MM:SS'", s);
	/* a date that does not exist (February 30) is refused, not normalised */
	chk = tm;
	if ((t = timegm(&chk)) == (time_t)-1 || chk.tm_mday != tm.tm_mday ||
	    chk.tm_mon != tm.tm_mon || tm.tm_year + 1900 < 1900 || tm.tm_year + 1900 > 9999)
		return igos_seterr("bad timestamp '%s': no such time", s);
	put_time(out, &tm);
	return 0;
}

int
igos_efi_time_from(long long t, unsigned char out[IGOS_EFI_TIME_SIZE])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		return igos_seterr("bad time");
	put_time(out, &tm);
	return 0;
}

unsigned char *
igos_sbvar_bundle(const char *name, const unsigned char guid[16], uint32_t attr,
		  const unsigned char time[IGOS_EFI_TIME_SIZE], const unsigned char *data,
		  size_t len, size_t *outlen)
{
	size_t nl = strlen(name), total, off = 0;
	unsigned char *b;

	if (nl == 0 || nl > NAME_MAX_CHARS) {
		igos_seterr("bad variable name '%s'", name);
		return NULL;
	}
	for (size_t i = 0; i < nl; i++)
		if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] > 0x7e) {
			igos_seterr("bad variable name: printable ASCII only");
			return NULL;
		}
	if (len > SIZE_MAX - 2 * nl - 16 - 4 - IGOS_EFI_TIME_SIZE) {
		igos_seterr("variable data too large");
		return NULL;
	}
	total = 2 * nl + 16 + 4 + IGOS_EFI_TIME_SIZE + len;
	if ((b = malloc(total)) == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	for (size_t i = 0; i < nl; i++, off += 2)
		igos_put_le16(b + off, (unsigned char)name[i]);
	memcpy(b + off, guid, 16);
	off += 16;
	igos_put_le32(b + off, attr);
	off += 4;
	memcpy(b + off, time, IGOS_EFI_TIME_SIZE);
	off += IGOS_EFI_TIME_SIZE;
	if (len)
		memcpy(b + off, data, len);
	*outlen = total;
	return b;
}

unsigned char *
igos_sbvar_auth_wrap(const unsigned char *ci, size_t cilen,
		     const unsigned char time[IGOS_EFI_TIME_SIZE], const unsigned char *data,
		     size_t len, size_t *outlen)
{
	unsigned char *sd = NULL, *out = NULL, *q;
	const unsigned char *p = ci;
	size_t total;
	PKCS7 *p7;
	int sdlen;

	/* the variable carries the SignedData itself, not its ContentInfo */
	if ((p7 = d2i_PKCS7(NULL, &p, (long)cilen)) == NULL || p != ci + cilen ||
	    !PKCS7_type_is_signed(p7) || (sdlen = i2d_PKCS7_SIGNED(p7->d.sign, &sd)) <= 0) {
		igos_seterr_ssl("cannot encode the SignedData");
		goto done;
	}
	if ((size_t)sdlen > UINT32_MAX - 24 || len > SIZE_MAX - IGOS_SBAUTH_HDR - (size_t)sdlen) {
		igos_seterr("authenticated update too large");
		goto done;
	}
	total = IGOS_SBAUTH_HDR + (size_t)sdlen + len;
	if ((out = malloc(total)) == NULL) {
		igos_seterr("out of memory");
		goto done;
	}
	q = out;
	memcpy(q, time, IGOS_EFI_TIME_SIZE);
	igos_put_le32(q + 16, (uint32_t)(24 + sdlen));
	igos_put_le16(q + 20, 0x0200);
	igos_put_le16(q + 22, 0x0ef1);
	memcpy(q + 24, igos_guid_cert_pkcs7, 16);
	memcpy(q + IGOS_SBAUTH_HDR, sd, (size_t)sdlen);
	if (len)
		memcpy(q + IGOS_SBAUTH_HDR + sdlen, data, len);
	*outlen = total;
done:
	OPENSSL_free(sd);
	PKCS7_free(p7);
	return out;
}

int
igos_sbvar_digest(const char *name, const unsigned char guid[16], uint32_t attr,
		  const unsigned char time[IGOS_EFI_TIME_SIZE], const unsigned char *data,
		  size_t len, unsigned char out[32])
{
	size_t blen;
	unsigned char *b = igos_sbvar_bundle(name, guid, attr, time, data, len, &blen);
	int rc;

	if (b == NULL)
		return -1;
	rc = igos_digest(EVP_sha256(), b, blen, out);
	free(b);
	return rc;
}

unsigned char *
igos_sbvar_auth(struct igos_signer *s, X509 *cert, const char *name, const unsigned char guid[16],
		uint32_t attr, const unsigned char time[IGOS_EFI_TIME_SIZE],
		const unsigned char *data, size_t len, size_t *outlen)
{
	unsigned char *bundle, *ci, *out;
	size_t blen, cilen;

	if ((bundle = igos_sbvar_bundle(name, guid, attr, time, data, len, &blen)) == NULL)
		return NULL;
	ci = igos_pkcs7_sign(s, cert, EVP_sha256(), NULL, bundle, blen, IGOS_SBVAR_P7_FLAGS,
			     &cilen);
	free(bundle);
	if (ci == NULL)
		return NULL;
	out = igos_sbvar_auth_wrap(ci, cilen, time, data, len, outlen);
	free(ci);
	return out;
}

int
igos_sbauth_parse(const unsigned char *p, size_t len, struct igos_sbauth *a)
{
	uint32_t dw;
	const unsigned char *q;
	long l;
	int tag, cls;

	memset(a, 0, sizeof(*a));
	if (len < IGOS_SBAUTH_HDR)
		return igos_seterr("authenticated update: %zu bytes, shorter than its "
				   "40-byte header", len);
	dw = igos_le32(p + 16);
	if (dw < 24 || dw - 24 > len - IGOS_SBAUTH_HDR)
		return igos_seterr("authenticated update: certificate length %u does not fit "
				   "the %zu bytes", dw, len);
	if (igos_le16(p + 20) != 0x0200)
		return igos_seterr("authenticated update: certificate revision 0x%04x, "
				   "want 0x0200", igos_le16(p + 20));
	if (igos_le16(p + 22) != 0x0ef1 || memcmp(p + 24, igos_guid_cert_pkcs7, 16) != 0)
		return igos_seterr("authenticated update: not a WIN_CERT_TYPE_EFI_GUID "
				   "PKCS#7 certificate");
	if (p[8] != 0 || p[9] != 0 || igos_le32(p + 8) != 0 || igos_le16(p + 12) != 0 ||
	    p[14] != 0 || p[15] != 0)
		return igos_seterr("authenticated update: timestamp with nanoseconds, "
				   "time zone or daylight set (firmware refuses it)");
	a->time = p;
	a->sig = p + IGOS_SBAUTH_HDR;
	a->siglen = dw - 24;
	a->data = a->sig + a->siglen;
	a->len = len - IGOS_SBAUTH_HDR - a->siglen;
	q = a->sig;
	if (a->siglen == 0 ||
	    (ASN1_get_object(&q, &l, &tag, &cls, (long)a->siglen) & 0x80) ||
	    tag != V_ASN1_SEQUENCE || (size_t)(q - a->sig) + (size_t)l != a->siglen) {
		igos_ssl_clear();
		return igos_seterr("authenticated update: the signature is not one DER value");
	}
	return 0;
}

STACK_OF(X509) *
igos_sbauth_certs(const struct igos_sbauth *a)
{
	const unsigned char *p = a->sig;
	PKCS7_SIGNED *sd;
	STACK_OF(X509) *out;

	if ((sd = d2i_PKCS7_SIGNED(NULL, &p, (long)a->siglen)) == NULL) {
		igos_seterr_ssl("authenticated update: bad SignedData");
		return NULL;
	}
	if ((out = sk_X509_new_null()) == NULL) {
		PKCS7_SIGNED_free(sd);
		igos_seterr("out of memory");
		return NULL;
	}
	for (int i = 0; sd->cert != NULL && i < sk_X509_num(sd->cert); i++) {
		X509 *x = sk_X509_value(sd->cert, i);

		if (!X509_up_ref(x) || !sk_X509_push(out, x)) {
			sk_X509_pop_free(out, X509_free);
			PKCS7_SIGNED_free(sd);
			igos_seterr("out of memory");
			return NULL;
		}
	}
	PKCS7_SIGNED_free(sd);
	return out;
}

int
igos_esl_append_sha256(unsigned char **buf, size_t *len, const unsigned char owner[16],
		       const unsigned char (*h)[32], size_t n)
{
	size_t add, nlen;
	unsigned char *nb, *p;

	if (n == 0 || n > (UINT32_MAX - IGOS_ESL_HEADER) / 48)
		return igos_seterr("bad number of hashes for one list");
	add = IGOS_ESL_HEADER + n * 48;
	if (*len > SIZE_MAX - add)
		return igos_seterr("signature list too large");
	nlen = *len + add;
	if ((nb = realloc(*buf, nlen)) == NULL)
		return igos_seterr("out of memory");
	p = nb + *len;
	memcpy(p, igos_guid_cert_sha256, 16);
	igos_put_le32(p + 16, (uint32_t)add);
	igos_put_le32(p + 20, 0);
	igos_put_le32(p + 24, 48);
	for (size_t i = 0; i < n; i++) {
		memcpy(p + IGOS_ESL_HEADER + i * 48, owner, 16);
		memcpy(p + IGOS_ESL_HEADER + i * 48 + 16, h[i], 32);
	}
	*buf = nb;
	*len = nlen;
	return 0;
}
