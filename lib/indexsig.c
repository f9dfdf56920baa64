/*
 * The signed package index: strict parsers and serializers for the .sig,
 * the subkey certificate and the client state, the index parser and the
 * acceptance rule (spec/index-signature.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "igos.h"
#include "indexsig.h"

#define SIG_MAGIC "igos-index-sig v1"
#define SIG_MAGIC_PFX "igos-index-sig v"
#define STATE_MAGIC "igos-index-state v1"
#define STATE_MAGIC_PFX "igos-index-state v"
#define CERT_MSG_MAGIC "igos-subkey-cert v1\n"
#define INDEX_MAGIC "igos-index v1\n"

/* ---- values ---------------------------------------------------------------- */

static int
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
digits(const char *s, size_t n, int64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
igos_idx_time_parse(const char *s, size_t len, int64_t *t)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t y, mo, d, h, mi, se;

	if (len != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z' || digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
	    digits(s + 8, 2, &d) || digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) ||
	    digits(s + 17, 2, &se))
		return igos_seterr("invalid time '%.*s' (want YYYY-MM-DDThh:mm:ssZ)",
				   (int)(len > 64 ? 64 : len), s);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 || mi > 59 || se > 59)
		return igos_seterr("impossible time '%.*s'", (int)len, s);
	*t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}

void
igos_idx_time_format(int64_t t, char out[21])
{
	int64_t z, era, doe, yoe, y, doy, mp, d, m, secs;

	if (t < 0)
		t = 0;
	secs = t % 86400;
	z = t / 86400 + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	if (y > 9999) {
		memcpy(out, "9999-12-31T23:59:59Z", 21);
		return;
	}
	{
		char tmp[80]; /* the values are in range: exactly 20 characters */

		snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m,
			 (int)d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
		memcpy(out, tmp, 20);
		out[20] = '\0';
	}
}

int
igos_idx_duration_parse(const char *s, int64_t *secs)
{
	size_t n = strlen(s);
	int64_t unit, v = 0;

	if (n < 2 || n > 12 || s[0] == '0')
		goto bad;
	switch (s[n - 1]) {
	case 'd': unit = 86400; break;
	case 'h': unit = 3600; break;
	case 'm': unit = 60; break;
	case 's': unit = 1; break;
	default: goto bad;
	}
	if (digits(s, n - 1, &v) || v > INT64_C(100000) * 366 * 86400 / unit)
		goto bad;
	*secs = v * unit;
	return 0;
bad:
	return igos_seterr("invalid duration '%s' (want e.g. 7d, 12h, 30m)", s);
}

void
igos_idx_duration_format(int64_t secs, char out[32])
{
	if (secs > 0 && secs % 86400 == 0)
		snprintf(out, 32, "%lldd", (long long)(secs / 86400));
	else if (secs > 0 && secs % 3600 == 0)
		snprintf(out, 32, "%lldh", (long long)(secs / 3600));
	else if (secs > 0 && secs % 60 == 0)
		snprintf(out, 32, "%lldm", (long long)(secs / 60));
	else
		snprintf(out, 32, "%llds", (long long)secs);
}

static int
namechar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '+' || c == '-';
}

int
igos_idx_name_ok(const char *s, size_t len)
{
	if (len == 0 || len > IGOS_IDX_NAME_MAX || !namechar((unsigned char)s[0]) ||
	    s[0] == '.' || s[0] == '-' || s[0] == '_' || s[0] == '+')
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!namechar((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The item of the comma list s[0..len) that starts at *i, and *i moved past
 * it; 0 when none is left. */
static int
list_item(const char *s, size_t len, size_t *i, const char **item, size_t *ilen)
{
	size_t j = *i;

	if (*i > len)
		return 0;
	while (j < len && s[j] != ',')
		j++;
	*item = s + *i;
	*ilen = j - *i;
	*i = j + 1;
	return 1;
}

/* A comma list of names or "*". */
static int
list_ok(const char *s, size_t len)
{
	const char *it;
	size_t i = 0, n;

	if (len == 1 && s[0] == '*')
		return 1;
	while (list_item(s, len, &i, &it, &n))
		if (!igos_idx_name_ok(it, n))
			return 0;
	return 1;
}

int
igos_idx_scope_parse(const char *s, size_t len)
{
	const char *sp = memchr(s, ' ', len);

	if (sp == NULL || !list_ok(s, (size_t)(sp - s)) ||
	    !list_ok(sp + 1, len - (size_t)(sp - s) - 1))
		return igos_seterr("invalid scope '%.*s' (want \"REPOS ARCHES\", "
				   "each a comma list or *)", (int)(len > 200 ? 200 : len), s);
	return 0;
}

static int
list_has(const char *s, size_t len, const char *name)
{
	const char *it;
	size_t i = 0, n, nl = strlen(name);

	if (len == 1 && s[0] == '*')
		return 1;
	while (list_item(s, len, &i, &it, &n))
		if (n == nl && memcmp(it, name, nl) == 0)
			return 1;
	return 0;
}

int
igos_idx_scope_covers(const char *scope, const char *repo, const char *arch)
{
	size_t len = strlen(scope);
	const char *sp = memchr(scope, ' ', len);

	if (sp == NULL)
		return 0;
	return list_has(scope, (size_t)(sp - scope), repo) &&
	       list_has(sp + 1, len - (size_t)(sp - scope) - 1, arch);
}

/* ---- keys ------------------------------------------------------------------ */

/* The order n of P-256, big-endian. */
static const unsigned char p256_n[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

static int
scalar_ok(const unsigned char *v)
{
	static const unsigned char zero[32];

	return memcmp(v, zero, 32) != 0 && memcmp(v, p256_n, 32) < 0;
}

EVP_PKEY *
igos_idx_pubkey(enum igos_idx_alg alg, const unsigned char *pub, size_t len)
{
	EVP_PKEY *pk = NULL;

	if (alg == IGOS_IDX_ED25519) {
		if (len != 32 ||
		    (pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32)) == NULL)
			igos_seterr_ssl("invalid Ed25519 public key");
		return pk;
	}
	if (alg == IGOS_IDX_P256 && len == 65 && pub[0] == 4) {
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		OSSL_PARAM params[3];
		char group[] = "prime256v1";

		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
		params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
							      (void *)pub, len);
		params[2] = OSSL_PARAM_construct_end();
		if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
		    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
			pk = NULL;
		EVP_PKEY_CTX_free(ctx);
		if (pk != NULL) {
			/* fromdata does not always check the point: do it here */
			EVP_PKEY_CTX *c2 = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);

			if (c2 == NULL || EVP_PKEY_public_check(c2) != 1) {
				EVP_PKEY_free(pk);
				pk = NULL;
			}
			EVP_PKEY_CTX_free(c2);
		}
		if (pk == NULL)
			igos_seterr_ssl("invalid P-256 public key");
		return pk;
	}
	igos_seterr("invalid public key");
	return NULL;
}

int
igos_idx_pubkey_raw(EVP_PKEY *pk, enum igos_idx_alg *alg, unsigned char pub[65], size_t *len)
{
	if (EVP_PKEY_is_a(pk, "ED25519")) {
		size_t n = 32;

		if (EVP_PKEY_get_raw_public_key(pk, pub, &n) != 1 || n != 32)
			return igos_seterr_ssl("cannot read the Ed25519 public key");
		*alg = IGOS_IDX_ED25519;
		*len = 32;
		return 0;
	}
	if (EVP_PKEY_is_a(pk, "EC")) {
		char group[64];
		BIGNUM *x = NULL, *y = NULL;
		int rc = -1;

		if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group,
						   sizeof(group), NULL) != 1 ||
		    (strcmp(group, "prime256v1") != 0 && strcmp(group, "P-256") != 0))
			return igos_seterr("the EC key is not on P-256");
		if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
		    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
		    BN_bn2binpad(x, pub + 1, 32) == 32 && BN_bn2binpad(y, pub + 33, 32) == 32) {
			pub[0] = 4;
			*alg = IGOS_IDX_P256;
			*len = 65;
			rc = 0;
		} else {
			igos_seterr_ssl("cannot read the P-256 public key");
		}
		BN_free(x);
		BN_free(y);
		return rc;
	}
	return igos_seterr("the key is neither ECDSA P-256 nor Ed25519");
}

int
igos_idx_master_id(EVP_PKEY *master, unsigned char id[8])
{
	unsigned char raw[32], md[32];
	size_t n = sizeof(raw);

	if (!EVP_PKEY_is_a(master, "ED25519"))
		return igos_seterr("the master key must be Ed25519");
	if (EVP_PKEY_get_raw_public_key(master, raw, &n) != 1 || n != 32)
		return igos_seterr_ssl("cannot read the master public key");
	if (igos_digest(EVP_sha256(), raw, 32, md) < 0)
		return -1;
	memcpy(id, md, 8);
	return 0;
}

/* DER INTEGER of a 32-byte big-endian unsigned value. */
static size_t
der_int(unsigned char *out, const unsigned char *v)
{
	size_t i = 0, n;

	while (i < 31 && v[i] == 0)
		i++;
	n = 32 - i;
	out[0] = 2;
	if (v[i] & 0x80) {
		out[1] = (unsigned char)(n + 1);
		out[2] = 0;
		memcpy(out + 3, v + i, n);
		return n + 3;
	}
	out[1] = (unsigned char)n;
	memcpy(out + 2, v + i, n);
	return n + 2;
}

int
igos_idx_verify(enum igos_idx_alg alg, const unsigned char *pub, size_t publen,
		const unsigned char *sig, size_t siglen, const unsigned char *msg, size_t len)
{
	EVP_PKEY *pk;
	EVP_MD_CTX *ctx;
	unsigned char der[80];
	const unsigned char *s = sig;
	size_t slen = siglen;
	int ok;

	if (siglen != 64)
		return igos_seterr("signature is %zu bytes, not 64", siglen);
	if (alg == IGOS_IDX_P256) {
		size_t n;

		if (!scalar_ok(sig) || !scalar_ok(sig + 32))
			return igos_seterr("ECDSA r or s out of range");
		n = der_int(der + 2, sig);
		n += der_int(der + 2 + n, sig + 32);
		der[0] = 0x30;
		der[1] = (unsigned char)n;
		s = der;
		slen = n + 2;
	}
	if ((pk = igos_idx_pubkey(alg, pub, publen)) == NULL)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		EVP_PKEY_free(pk);
		return igos_seterr("out of memory");
	}
	ok = EVP_DigestVerifyInit(ctx, NULL, alg == IGOS_IDX_P256 ? EVP_sha256() : NULL,
				  NULL, pk) == 1 &&
	     EVP_DigestVerify(ctx, s, slen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	igos_ssl_clear();
	return ok ? 0 : igos_seterr("bad signature");
}

/* ---- lines and fields --------------------------------------------------------- */

struct field {
	const char *val;
	size_t vlen;
	size_t start, end;  /* the line's bytes [start, end), LF included */
	unsigned line;
};

static unsigned
line_of(const unsigned char *p, size_t off)
{
	unsigned n = 1;

	for (size_t i = 0; i < off; i++)
		n += p[i] == '\n';
	return n;
}

/* Byte-level rules shared by the small text files. */
static int
check_bytes(const unsigned char *p, size_t len, const char *what)
{
	size_t ls = 0;

	if (len == 0)
		return igos_seterr("empty %s", what);
	if (len > IGOS_IDX_SIG_MAX)
		return igos_seterr("%s is longer than %d bytes", what, IGOS_IDX_SIG_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c == '\n') {
			if (i + 1 - ls > IGOS_IDX_LINE_MAX)
				return igos_seterr("line %u: longer than %d bytes",
						   line_of(p, i), IGOS_IDX_LINE_MAX);
			ls = i + 1;
			continue;
		}
		if (c == 0)
			return igos_seterr("line %u: NUL byte", line_of(p, i));
		if (c == '\r')
			return igos_seterr("line %u: carriage return", line_of(p, i));
		if (c < 0x20 || c > 0x7e)
			return igos_seterr("line %u: control or non-ASCII byte 0x%02x",
					   line_of(p, i), c);
	}
	if (len - ls > IGOS_IDX_LINE_MAX)
		return igos_seterr("line %u: longer than %d bytes", line_of(p, len),
				   IGOS_IDX_LINE_MAX);
	if (p[len - 1] != '\n')
		return igos_seterr("truncated %s: no newline at the end of line %u", what,
				   line_of(p, len));
	return 0;
}

static int
has_key_later(const unsigned char *p, size_t len, size_t from, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = from; i + kl < len; i++)
		if ((i == 0 || p[i - 1] == '\n') && memcmp(p + i, key, kl) == 0 &&
		    p[i + kl] == ':')
			return 1;
	return 0;
}

/*
 * Split p into the magic line (if magic is not NULL) and exactly nkeys
 * "key: value" lines in the order of keys[]. *used gets the bytes consumed
 * (the caller decides whether more may follow).
 */
static int
parse_fields(const unsigned char *p, size_t len, const char *magic, const char *magic_pfx,
	     const char *const keys[], size_t nkeys, struct field *f, size_t *used,
	     int trailing_ok)
{
	size_t off = 0, i = 0;

	if (magic != NULL) {
		const unsigned char *nl = memchr(p, '\n', len);
		size_t ml = strlen(magic);

		if ((size_t)(nl - p) != ml || memcmp(p, magic, ml) != 0) {
			size_t pl = strlen(magic_pfx);

			if ((size_t)(nl - p) > pl && memcmp(p, magic_pfx, pl) == 0)
				return igos_seterr("line 1: unsupported format version '%.*s'",
						   (int)(nl - p > 64 ? 64 : nl - p), (const char *)p);
			return igos_seterr("line 1: bad magic (not '%s')", magic);
		}
		off = ml + 1;
	}
	for (; off < len; i++) {
		const unsigned char *nl = memchr(p + off, '\n', len - off);
		const char *line = (const char *)p + off;
		size_t ll = (size_t)(nl - (p + off)), kl, k;
		unsigned ln = line_of(p, off);
		const char *colon = memchr(line, ':', ll);

		if (i >= nkeys) {
			if (trailing_ok)
				break;
			return igos_seterr("line %u: trailing data after the '%s' field", ln,
					   keys[nkeys - 1]);
		}
		if (colon == NULL)
			return igos_seterr("line %u: not a 'key: value' line", ln);
		kl = (size_t)(colon - line);
		for (k = 0; k < nkeys; k++)
			if (strlen(keys[k]) == kl && memcmp(keys[k], line, kl) == 0)
				break;
		if (k == nkeys) {
			for (size_t j = 0; j < kl; j++)
				if (line[j] == ' ' || line[j] == '\t')
					return igos_seterr("line %u: stray whitespace", ln);
			return igos_seterr("line %u: unknown field '%.*s'", ln,
					   (int)(kl > 64 ? 64 : kl), line);
		}
		if (k < i)
			return igos_seterr("line %u: duplicate field '%s'", ln, keys[k]);
		if (k > i) {
			if (has_key_later(p, len, off, keys[i]))
				return igos_seterr("line %u: field '%s' out of order", ln, keys[k]);
			return igos_seterr("line %u: missing field '%s'", ln, keys[i]);
		}
		if (kl + 2 > ll || line[kl + 1] != ' ')
			return igos_seterr("line %u: want '%s: value'", ln, keys[k]);
		f[i].val = line + kl + 2;
		f[i].vlen = ll - kl - 2;
		if (f[i].vlen == 0 || f[i].val[0] == ' ' || f[i].val[f[i].vlen - 1] == ' ')
			return igos_seterr("line %u: stray whitespace", ln);
		f[i].start = off;
		f[i].end = off + ll + 1;
		f[i].line = ln;
		off += ll + 1;
	}
	if (i < nkeys)
		return igos_seterr("line %u: missing field '%s'", line_of(p, len), keys[i]);
	*used = off;
	return 0;
}

/* The value as a C string for the helpers that want one. */
static const char *
cstr(const struct field *f, char *buf, size_t size)
{
	size_t n = f->vlen < size - 1 ? f->vlen : size - 1;

	memcpy(buf, f->val, n);
	buf[n] = '\0';
	return buf;
}

static int
field_err(const struct field *f, const char *msg)
{
	char m[512];

	snprintf(m, sizeof(m), "%s", msg);
	return igos_seterr("line %u: %s", f->line, m);
}

static int
get_u64(const struct field *f, uint64_t *v, int nonzero)
{
	char b[IGOS_IDX_LINE_MAX];

	if (igos_parse_u64(cstr(f, b, sizeof(b)), v) < 0)
		return field_err(f, igos_errmsg());
	if (nonzero && *v == 0)
		return field_err(f, "must not be 0");
	return 0;
}

static int
get_time(const struct field *f, int64_t *t)
{
	if (igos_idx_time_parse(f->val, f->vlen, t) < 0)
		return field_err(f, igos_errmsg());
	return 0;
}

static int
get_hex(const struct field *f, unsigned char *out, size_t n)
{
	if (f->vlen != 2 * n)
		return field_err(f, "wrong length of a hex value");
	for (size_t i = 0; i < f->vlen; i++) {
		char c = f->val[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return field_err(f, "not lowercase hex");
	}
	return igos_hex_decode(f->val, f->vlen, out, n);
}

static int
get_b64(const struct field *f, unsigned char *out, size_t min, size_t max, size_t *n,
	const char *what)
{
	unsigned char *d;
	size_t dl;
	char m[128];

	if ((d = igos_base64_decode(f->val, f->vlen, &dl)) == NULL)
		return field_err(f, "invalid base64");
	if (dl < min || dl > max) {
		free(d);
		snprintf(m, sizeof(m), "%s is %zu bytes, expected %zu", what, dl, min);
		return field_err(f, m);
	}
	memcpy(out, d, dl);
	free(d);
	*n = dl;
	return 0;
}

static int
get_name(const struct field *f, char *out)
{
	if (!igos_idx_name_ok(f->val, f->vlen))
		return field_err(f, "invalid name");
	memcpy(out, f->val, f->vlen);
	out[f->vlen] = '\0';
	return 0;
}

/* ---- the certificate ---------------------------------------------------------- */

static const char *const cert_keys[] = {
	"cert-master", "cert-serial", "cert-alg", "cert-pubkey", "cert-scope",
	"cert-not-before", "cert-not-after", "cert-sig",
};
#define NCERT (sizeof(cert_keys) / sizeof(cert_keys[0]))

/* A whole small text file (a certificate, a .sig, a state file): its bytes
 * checked, then split into the magic line and exactly the fields of keys[]. */
static int
parse_file(const unsigned char *p, size_t len, const char *what, const char *magic,
	   const char *magic_pfx, const char *const keys[], size_t nkeys, struct field *f)
{
	size_t used;

	if (check_bytes(p, len, what) < 0 ||
	    parse_fields(p, len, magic, magic_pfx, keys, nkeys, f, &used, 0) < 0)
		return -1;
	return 0;
}

static const char alg_p256[] = "ecdsa-p256-sha256";
static const char alg_ed25519[] = "ed25519";

static int
cert_fields(const unsigned char *p, const struct field *f, struct igos_idx_cert *c)
{
	size_t n;

	memset(c, 0, sizeof(*c));
	if (get_hex(&f[0], c->master, 8) < 0 || get_u64(&f[1], &c->serial, 1) < 0)
		return -1;
	if (f[2].vlen == sizeof(alg_p256) - 1 && memcmp(f[2].val, alg_p256, f[2].vlen) == 0)
		c->alg = IGOS_IDX_P256;
	else if (f[2].vlen == sizeof(alg_ed25519) - 1 &&
		 memcmp(f[2].val, alg_ed25519, f[2].vlen) == 0)
		c->alg = IGOS_IDX_ED25519;
	else
		return field_err(&f[2], "algorithm not allowed");
	if (get_b64(&f[3], c->pub, c->alg == IGOS_IDX_P256 ? 65 : 32,
		    c->alg == IGOS_IDX_P256 ? 65 : 32, &c->publen, "public key") < 0)
		return -1;
	if (c->alg == IGOS_IDX_P256 && c->pub[0] != 4)
		return field_err(&f[3], "not an uncompressed P-256 point");
	if (igos_idx_scope_parse(f[4].val, f[4].vlen) < 0)
		return field_err(&f[4], igos_errmsg());
	memcpy(c->scope, f[4].val, f[4].vlen);
	c->scope[f[4].vlen] = '\0';
	if (get_time(&f[5], &c->not_before) < 0 || get_time(&f[6], &c->not_after) < 0)
		return -1;
	if (c->not_after <= c->not_before)
		return field_err(&f[6], "cert-not-after is not after cert-not-before");
	if (get_b64(&f[7], c->sig, 64, 64, &n, "cert-sig") < 0)
		return -1;
	c->tbs = p + f[0].start;
	c->tbslen = f[6].end - f[0].start;
	c->block = p + f[0].start;
	c->blocklen = f[7].end - f[0].start;
	return 0;
}

int
igos_idx_cert_parse(const unsigned char *p, size_t len, struct igos_idx_cert *c)
{
	struct field f[NCERT];

	if (parse_file(p, len, "certificate", NULL, NULL, cert_keys, NCERT, f) < 0)
		return -1;
	return cert_fields(p, f, c);
}

unsigned char *
igos_idx_cert_tbs(const struct igos_idx_cert *c, size_t *len)
{
	struct igos_text b = { 0 };
	char hex[17], nb[21], na[21], *pub;

	igos_hex_encode(c->master, 8, hex);
	igos_idx_time_format(c->not_before, nb);
	igos_idx_time_format(c->not_after, na);
	if ((pub = igos_base64_encode(c->pub, c->publen)) == NULL)
		return NULL;
	if (igos_text_printf(&b,
		   "cert-master: %s\ncert-serial: %llu\ncert-alg: %s\ncert-pubkey: %s\n"
		   "cert-scope: %s\ncert-not-before: %s\ncert-not-after: %s\n",
		   hex, (unsigned long long)c->serial,
		   c->alg == IGOS_IDX_P256 ? alg_p256 : alg_ed25519, pub, c->scope, nb,
		   na) < 0) {
		free(b.p);
		b.p = NULL;
	}
	free(pub);
	*len = b.len;
	return (unsigned char *)b.p;
}

static unsigned char *
concat(const void *a, size_t al, const void *b, size_t bl, const void *c, size_t cl,
       size_t *len)
{
	unsigned char *r = malloc(al + bl + cl + 1);

	if (r == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	memcpy(r, a, al);
	memcpy(r + al, b, bl);
	memcpy(r + al + bl, c, cl);
	*len = al + bl + cl;
	return r;
}

unsigned char *
igos_idx_cert_message(const unsigned char *tbs, size_t tbslen, size_t *len)
{
	return concat(CERT_MSG_MAGIC, sizeof(CERT_MSG_MAGIC) - 1, tbs, tbslen, "", 0, len);
}

unsigned char *
igos_idx_cert_block(const unsigned char *tbs, size_t tbslen, const unsigned char sig[64],
		    size_t *len)
{
	char *b64 = igos_base64_encode(sig, 64), line[128];
	int n;

	if (b64 == NULL)
		return NULL;
	n = snprintf(line, sizeof(line), "cert-sig: %s\n", b64);
	free(b64);
	return concat(tbs, tbslen, line, (size_t)n, "", 0, len);
}

int
igos_idx_cert_verify(const struct igos_idx_cert *c, EVP_PKEY *master)
{
	unsigned char raw[32], *msg;
	size_t n = sizeof(raw), ml;
	int rc;

	if (EVP_PKEY_get_raw_public_key(master, raw, &n) != 1 || n != 32)
		return igos_seterr("the master key must be Ed25519");
	if ((msg = igos_idx_cert_message(c->tbs, c->tbslen, &ml)) == NULL)
		return -1;
	rc = igos_idx_verify(IGOS_IDX_ED25519, raw, 32, c->sig, 64, msg, ml);
	free(msg);
	if (rc < 0)
		return igos_seterr("bad certificate signature (cert-sig)");
	return 0;
}

/* ---- the .sig ------------------------------------------------------------------ */

static const char *const sig_keys[] = {
	"cert-master", "cert-serial", "cert-alg", "cert-pubkey", "cert-scope",
	"cert-not-before", "cert-not-after", "cert-sig",
	"repo", "arch", "version", "created", "expires", "index-size", "index-sha256", "sig",
};
#define NSIG (sizeof(sig_keys) / sizeof(sig_keys[0]))

int
igos_idx_sig_parse(const unsigned char *p, size_t len, struct igos_idx_sig *s)
{
	struct field f[NSIG];

	if (parse_file(p, len, "signature file", SIG_MAGIC, SIG_MAGIC_PFX, sig_keys, NSIG, f) < 0)
		return -1;
	memset(s, 0, sizeof(*s));
	if (cert_fields(p, f, &s->cert) < 0 || get_name(&f[8], s->repo) < 0 ||
	    get_name(&f[9], s->arch) < 0 || get_u64(&f[10], &s->version, 1) < 0 ||
	    get_time(&f[11], &s->created) < 0 || get_time(&f[12], &s->expires) < 0 ||
	    get_u64(&f[13], &s->index_size, 0) < 0 || get_hex(&f[14], s->index_sha256, 32) < 0 ||
	    get_b64(&f[15], s->sig, 64, 64, &s->siglen, "signature") < 0)
		return -1;
	if (s->cert.alg == IGOS_IDX_P256 && (!scalar_ok(s->sig) || !scalar_ok(s->sig + 32)))
		return field_err(&f[15], "ECDSA r or s out of range");
	s->tbs = p;
	s->tbslen = f[15].start;
	return 0;
}

unsigned char *
igos_idx_sig_header(const unsigned char *block, size_t blocklen, const struct igos_idx_sig *s,
		    size_t *len)
{
	struct igos_text b = { 0 };
	char cr[21], ex[21], hex[65];
	unsigned char *r;

	igos_idx_time_format(s->created, cr);
	igos_idx_time_format(s->expires, ex);
	igos_hex_encode(s->index_sha256, 32, hex);
	if (igos_text_printf(&b,
		   "repo: %s\narch: %s\nversion: %llu\ncreated: %s\nexpires: %s\n"
		   "index-size: %llu\nindex-sha256: %s\n",
		   s->repo, s->arch, (unsigned long long)s->version, cr, ex,
		   (unsigned long long)s->index_size, hex) < 0) {
		free(b.p);
		return NULL;
	}
	r = concat(SIG_MAGIC "\n", sizeof(SIG_MAGIC), block, blocklen, b.p, b.len, len);
	free(b.p);
	return r;
}

unsigned char *
igos_idx_sig_finish(const unsigned char *hdr, size_t hdrlen, const unsigned char *sig,
		    size_t siglen, size_t *len)
{
	char *b64 = igos_base64_encode(sig, siglen), line[256];
	int n;

	if (b64 == NULL)
		return NULL;
	n = snprintf(line, sizeof(line), "sig: %s\n", b64);
	free(b64);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		igos_seterr("signature too long");
		return NULL;
	}
	return concat(hdr, hdrlen, line, (size_t)n, "", 0, len);
}

int
igos_idx_sig_verify(const struct igos_idx_sig *s)
{
	if (igos_idx_verify(s->cert.alg, s->cert.pub, s->cert.publen, s->sig, s->siglen,
			    s->tbs, s->tbslen) < 0) {
		char m[256];

		snprintf(m, sizeof(m), "%s", igos_errmsg());
		return igos_seterr("bad index signature (sig): %s", m);
	}
	return 0;
}

/* ---- the state ------------------------------------------------------------------ */

static const char *const state_keys[] = {
	"repo", "cert-serial", "version", "created", "index-sha256",
};
#define NSTATE (sizeof(state_keys) / sizeof(state_keys[0]))

int
igos_idx_state_parse(const unsigned char *p, size_t len, struct igos_idx_state *st)
{
	struct field f[NSTATE];

	memset(st, 0, sizeof(*st));
	if (parse_file(p, len, "state file", STATE_MAGIC, STATE_MAGIC_PFX, state_keys, NSTATE,
		       f) < 0 ||
	    get_name(&f[0], st->repo) < 0 || get_u64(&f[1], &st->serial, 0) < 0 ||
	    get_u64(&f[2], &st->version, 0) < 0 || get_time(&f[3], &st->created) < 0 ||
	    get_hex(&f[4], st->index_sha256, 32) < 0)
		return -1;
	return 0;
}

unsigned char *
igos_idx_state_format(const struct igos_idx_state *st, size_t *len)
{
	struct igos_text b = { 0 };
	char cr[21], hex[65];

	igos_idx_time_format(st->created, cr);
	igos_hex_encode(st->index_sha256, 32, hex);
	if (igos_text_printf(&b,
		   STATE_MAGIC "\nrepo: %s\ncert-serial: %llu\nversion: %llu\ncreated: %s\n"
		   "index-sha256: %s\n",
		   st->repo, (unsigned long long)st->serial, (unsigned long long)st->version,
		   cr, hex) < 0) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return (unsigned char *)b.p;
}

/* ---- the acceptance rule ---------------------------------------------------------- */

int
igos_idx_accept(const struct igos_idx_sig *s, const struct igos_idx_state *st,
		const char *repo, const char *arch, int64_t now, int64_t max_validity,
		struct igos_idx_state *next)
{
	int64_t now_eff = now > st->created ? now : st->created;
	char t1[21], t2[21], d1[32], d2[32];

	if (strcmp(s->repo, repo) != 0)
		return igos_seterr("signature is for repo '%s', not '%s'", s->repo, repo);
	if (strcmp(s->arch, arch) != 0)
		return igos_seterr("signature is for arch '%s', not '%s'", s->arch, arch);
	if (strcmp(st->repo, repo) != 0)
		return igos_seterr("state is for repo '%s', not '%s'", st->repo, repo);
	if (!igos_idx_scope_covers(s->cert.scope, repo, arch))
		return igos_seterr("subkey scope '%s' does not cover repo '%s' arch '%s'",
				   s->cert.scope, repo, arch);
	if (now_eff < s->cert.not_before) {
		igos_idx_time_format(s->cert.not_before, t1);
		return igos_seterr("subkey certificate not valid before %s", t1);
	}
	if (now_eff >= s->cert.not_after) {
		igos_idx_time_format(s->cert.not_after, t1);
		return igos_seterr("subkey certificate expired at %s", t1);
	}
	if (s->cert.serial < st->serial)
		return igos_seterr("subkey serial %llu is retired (serial %llu accepted)",
				   (unsigned long long)s->cert.serial,
				   (unsigned long long)st->serial);
	if (s->expires <= s->created)
		return igos_seterr("signature expires before it was created");
	if (s->expires - s->created > max_validity) {
		igos_idx_duration_format(s->expires - s->created, d1);
		igos_idx_duration_format(max_validity, d2);
		return igos_seterr("signature validity %s exceeds the maximum %s", d1, d2);
	}
	if (now_eff >= s->expires) {
		igos_idx_time_format(s->expires, t1);
		igos_idx_time_format(now_eff, t2);
		return igos_seterr("signature expired at %s (now %s): frozen index", t1, t2);
	}
	if (s->cert.serial == st->serial && s->version == st->version) {
		if (memcmp(s->index_sha256, st->index_sha256, 32) != 0)
			return igos_seterr("version %llu (serial %llu) was accepted with another "
					   "index: equivocation",
					   (unsigned long long)s->version,
					   (unsigned long long)s->cert.serial);
		if (next)
			*next = *st;
		return IGOS_IDX_NOCHANGE;
	}
	if (s->cert.serial == st->serial && s->version < st->version)
		return igos_seterr("version %llu is older than the accepted version %llu: "
				   "rollback", (unsigned long long)s->version,
				   (unsigned long long)st->version);
	if (next) {
		memset(next, 0, sizeof(*next));
		snprintf(next->repo, sizeof(next->repo), "%s", repo);
		next->serial = s->cert.serial;
		next->version = s->version;
		next->created = s->created > st->created ? s->created : st->created;
		memcpy(next->index_sha256, s->index_sha256, 32);
	}
	return IGOS_IDX_NEW;
}

/* ---- the index -------------------------------------------------------------------- */

/* 1: a byte allowed in a package file name (printable ASCII but space and '/'). */
static const unsigned char fnchar[256] = {
#define R8(v) v, v, v, v, v, v, v, v
	R8(0), R8(0), R8(0), R8(0),            /* 0x00-0x1f */
	0, 1, 1, 1, 1, 1, 1, 1,                /* 0x20-0x27: space not allowed */
	1, 1, 1, 1, 1, 1, 1, 0,                /* 0x28-0x2f: '/' not allowed */
	R8(1), R8(1), R8(1), R8(1), R8(1), R8(1), /* 0x30-0x5f */
	R8(1), R8(1), R8(1),                   /* 0x60-0x77 */
	1, 1, 1, 1, 1, 1, 1, 0,                /* 0x78-0x7f: DEL not allowed */
	R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
	R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
#undef R8
};

int
igos_idx_filename_ok(const char *s, size_t len)
{
	if (len == 0 || len > IGOS_IDX_FILE_MAX || s[0] == '.')
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (!fnchar[(unsigned char)s[i]])
			return 0;
		if (s[i] == '.' && i > 0 && s[i - 1] == '.')
			return 0;
	}
	return 1;
}

static int
index_err(const unsigned char *p, size_t off, const char *msg, const unsigned char *name,
	  size_t nl)
{
	if (name != NULL)
		return igos_seterr("index line %u: %s '%.*s'", line_of(p, off), msg,
				   (int)(nl > 255 ? 255 : nl), (const char *)name);
	return igos_seterr("index line %u: %s", line_of(p, off), msg);
}

/*
 * The index parser runs over every byte of an index of hundreds of thousands
 * of lines, right after its SHA-256: the hot checks go 16 bytes at a time
 * (GCC/Clang vector extensions; SSE2 or NEON code, no intrinsics).
 */
typedef unsigned char v16 __attribute__((vector_size(16)));

static inline v16
load16(const unsigned char *p)
{
	v16 v;

	memcpy(&v, p, 16);
	return v;
}

static inline int
all_set(v16 m)
{
	uint64_t w[2];

	memcpy(w, &m, 16);
	return (w[0] & w[1]) == UINT64_MAX;
}

static inline int
any_set(v16 m)
{
	uint64_t w[2];

	memcpy(w, &m, 16);
	return (w[0] | w[1]) != 0;
}

/* 16 lowercase hex digits? */
static inline int
hex16(const unsigned char *p)
{
	v16 x = load16(p), z = { 0 };
	v16 d = (v16)((x - (z + '0')) < (z + 10));
	v16 a = (v16)((x - (z + 'a')) < (z + 6));

	return all_set(d | a);
}

/* 16 name bytes (printable, no space, no '/'), and no ".." starting in them;
 * p[16] must be readable. */
static inline int
name16(const unsigned char *p)
{
	v16 x = load16(p), y = load16(p + 1), z = { 0 };
	v16 ok = (v16)((x - (z + 0x21)) < (z + 0x5e)) & (v16)(x != (z + '/'));
	v16 dd = (v16)(x == (z + '.')) & (v16)(y == (z + '.'));

	return all_set(ok) && !any_set(dd);
}

/* The name p[0..n), followed in the buffer by at least 17 more bytes. */
static int
name_fast_ok(const unsigned char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > IGOS_IDX_FILE_MAX || p[0] == '.')
		return 0;
	if (n < 16)
		return igos_idx_filename_ok((const char *)p, n);
	for (i = 0; i + 16 <= n; i += 16)
		if (!name16(p + i))
			return 0;
	if (i < n && !name16(p + n - 16))
		return 0;
	/* a ".." whose first dot is the name's last byte is not a pair */
	return 1;
}

int
igos_idx_index_parse(const unsigned char *p, size_t len, size_t *count)
{
	const size_t ml = sizeof(INDEX_MAGIC) - 1;
	const unsigned char *prev = NULL, *end = p + len;
	size_t prevlen = 0, off = ml, n = 0;

	if (len < ml || memcmp(p, INDEX_MAGIC, ml) != 0)
		return igos_seterr("index line 1: bad magic (not 'igos-index v1')");
	while (off < len) {
		const unsigned char *name = p + off, *q, *sp;
		size_t nl;
		int c;

		sp = memchr(name, ' ', (size_t)(end - name));
		if (sp == NULL) {
			if (memchr(name, '\n', (size_t)(end - name)) != NULL)
				return index_err(p, off, "bad file name", NULL, 0);
			return index_err(p, off, "truncated line", NULL, 0);
		}
		nl = (size_t)(sp - name);
		/* a minimal line follows the name: " 0 " + 64 hex + LF = 68 bytes */
		if ((size_t)(end - sp) < 68) {
			if (memchr(name, '\n', nl) != NULL)
				return index_err(p, off, "bad file name", NULL, 0);
			return index_err(p, off, "truncated line", NULL, 0);
		}
		if (!name_fast_ok(name, nl)) {
			if (nl == 0 || memchr(name, '\n', nl) != NULL || memchr(name, '/', nl) != NULL)
				return index_err(p, off, "bad file name", NULL, 0);
			return index_err(p, off, "forbidden file name", name, nl);
		}
		if (prev != NULL) {
			int d = memcmp(prev, name, prevlen < nl ? prevlen : nl);

			if (d == 0 && prevlen == nl)
				return index_err(p, off, "duplicate entry", name, nl);
			if (d > 0 || (d == 0 && prevlen > nl))
				return index_err(p, off, "entry out of order", name, nl);
		}
		q = sp + 1;
		if (*q == '0' && q[1] != ' ')
			return index_err(p, off, "bad size", NULL, 0);
		{
			/* no arithmetic: up to 19 digits always fit, 20 are compared */
			const unsigned char *ds = q;

			while (q < end && (c = *q - '0', c >= 0 && c <= 9))
				q++;
			if (q == ds || q == end || *q != ' ')
				return index_err(p, off, "bad size", NULL, 0);
			if (q - ds > 20 || (q - ds == 20 && memcmp(ds, "18446744073709551615", 20) > 0))
				return index_err(p, off, "size out of range", NULL, 0);
		}
		q++;
		if ((size_t)(end - q) < 65)
			return index_err(p, off, "truncated line", NULL, 0);
		if (!hex16(q) || !hex16(q + 16) || !hex16(q + 32) || !hex16(q + 48))
			return index_err(p, off, "bad SHA-256 (want 64 lowercase hex)", NULL, 0);
		if (q[64] != '\n')
			return index_err(p, off, "trailing data", NULL, 0);
		prev = name;
		prevlen = nl;
		off = (size_t)(q + 65 - p);
		n++;
	}
	if (count)
		*count = n;
	return 0;
}

int
igos_idx_index_find(const unsigned char *p, size_t len, const char *name, uint64_t *size,
		    unsigned char sha256[32])
{
	size_t lo = sizeof(INDEX_MAGIC) - 1, hi = len, nl = strlen(name);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, e, ll;
		const unsigned char *sp, *q;
		int d;

		while (mid > lo && p[mid - 1] != '\n')
			mid--;
		sp = memchr(p + mid, ' ', len - mid);
		if (sp == NULL)
			return igos_seterr("index is malformed");
		ll = (size_t)(sp - (p + mid));
		d = memcmp(p + mid, name, ll < nl ? ll : nl);
		if (d == 0)
			d = ll < nl ? -1 : ll > nl;
		q = memchr(p + mid, '\n', len - mid);
		if (q == NULL)
			return igos_seterr("index is malformed");
		e = (size_t)(q - p) + 1;
		if (d == 0) {
			uint64_t v = 0;

			q = sp + 1;
			while (*q >= '0' && *q <= '9')
				v = v * 10 + (uint64_t)(*q++ - '0');
			*size = v;
			if (igos_hex_decode((const char *)q + 1, 64, sha256, 32) < 0)
				return -1;
			return 1;
		}
		if (d < 0)
			lo = e;
		else
			hi = mid;
	}
	return 0;
}
