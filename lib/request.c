/*
 * Signing requests and the signatures that answer them (request.h). The text
 * is small and line-oriented so that a person on the signing host can read
 * it, and strict so that two parsers cannot read one request two ways.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "igos.h"
#include "efivar.h"
#include "request.h"
#include "sbvar.h"

static const char *const kind_names[] = {
	[IGOS_REQ_PE] = "pe", [IGOS_REQ_MODULE] = "module", [IGOS_REQ_VERITY] = "verity",
	[IGOS_REQ_PCR] = "pcr-policy", [IGOS_REQ_INDEX] = "index",
	[IGOS_REQ_SUBKEY] = "subkey-cert", [IGOS_REQ_X509] = "x509-cert",
	[IGOS_REQ_EFIAUTH] = "efi-auth",
};
static const char *const alg_names[] = {
	[IGOS_REQ_RSA] = "rsa-pkcs1", [IGOS_REQ_ECDSA_P256] = "ecdsa-p256",
	[IGOS_REQ_ED25519] = "ed25519",
};

const char *
igos_req_kind_name(enum igos_req_kind k)
{
	return k >= IGOS_REQ_PE && k <= IGOS_REQ_LAST ? kind_names[k] : "?";
}

const char *
igos_req_alg_name(enum igos_req_alg a)
{
	return a >= IGOS_REQ_RSA && a <= IGOS_REQ_ED25519 ? alg_names[a] : "?";
}

/* Kinds whose signature is a PKCS#7 that carries the certificate's issuer and
 * serial: the request holds the certificate; the others a bare public key. */
static int
kind_has_cert(enum igos_req_kind k)
{
	return k == IGOS_REQ_PE || k == IGOS_REQ_MODULE || k == IGOS_REQ_VERITY ||
	       k == IGOS_REQ_X509 || k == IGOS_REQ_EFIAUTH;
}

enum igos_req_alg
igos_req_alg_of(EVP_PKEY *k)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		return IGOS_REQ_RSA;
	case EVP_PKEY_ED25519:
		return IGOS_REQ_ED25519;
	case EVP_PKEY_EC: {
		char g[32];

		if (EVP_PKEY_get_group_name(k, g, sizeof(g), NULL) &&
		    strcmp(g, "prime256v1") == 0)
			return IGOS_REQ_ECDSA_P256;
		break;
	}
	default:
		break;
	}
	igos_seterr("the key is neither RSA, ECDSA P-256 nor Ed25519");
	return 0;
}

int
igos_req_keyhash(EVP_PKEY *k, unsigned char out[32])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);

	if (n <= 0)
		return igos_seterr_ssl("cannot encode the public key");
	n = igos_digest(EVP_sha256(), der, (size_t)n, out);
	OPENSSL_free(der);
	return n;
}

void
igos_req_free(struct igos_req *r)
{
	free(r->cert);
	free(r->pubkey);
	free(r->attrs);
	for (unsigned i = 0; i < r->nitems; i++)
		free(r->item[i].data);
	memset(r, 0, sizeof(*r));
}

int
igos_req_add_item(struct igos_req *r, const EVP_MD *md, const void *p, size_t len)
{
	unsigned char *d;

	if (r->nitems == IGOS_REQ_MAX_ITEMS)
		return igos_seterr("more than %d items to sign", IGOS_REQ_MAX_ITEMS);
	if (len == 0 || (d = malloc(len)) == NULL)
		return igos_seterr(len ? "out of memory" : "an empty item to sign");
	memcpy(d, p, len);
	r->item[r->nitems++] = (struct igos_req_item){ md, d, len };
	return 0;
}

X509 *
igos_req_cert(const struct igos_req *r)
{
	const unsigned char *p = r->cert;
	X509 *x;

	if (r->cert == NULL) {
		igos_seterr("the request holds no certificate");
		return NULL;
	}
	if ((x = d2i_X509(NULL, &p, (long)r->cert_len)) == NULL ||
	    p != r->cert + r->cert_len) {
		X509_free(x);
		igos_seterr_ssl("bad certificate");
		return NULL;
	}
	return x;
}

EVP_PKEY *
igos_req_pubkey(const struct igos_req *r)
{
	const unsigned char *p = r->pubkey;
	EVP_PKEY *k;

	if (r->cert) {
		X509 *x = igos_req_cert(r);

		if (x == NULL)
			return NULL;
		k = X509_get_pubkey(x);
		X509_free(x);
		if (k == NULL)
			igos_seterr_ssl("bad certificate key");
		return k;
	}
	if (r->pubkey == NULL) {
		igos_seterr("the request holds no public key");
		return NULL;
	}
	if ((k = d2i_PUBKEY(NULL, &p, (long)r->pubkey_len)) == NULL ||
	    p != r->pubkey + r->pubkey_len) {
		EVP_PKEY_free(k);
		igos_seterr_ssl("bad public key");
		return NULL;
	}
	return k;
}

static int
set_key(struct igos_req *r, EVP_PKEY *k)
{
	if ((r->alg = igos_req_alg_of(k)) == 0)
		return -1;
	return igos_req_keyhash(k, r->key);
}

int
igos_req_set_cert(struct igos_req *r, X509 *x)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	EVP_PKEY *k = X509_get0_pubkey(x);

	if (n <= 0 || k == NULL)
		return igos_seterr_ssl("cannot encode the certificate");
	free(r->cert);
	if ((r->cert = malloc((size_t)n)) == NULL) {
		OPENSSL_free(der);
		return igos_seterr("out of memory");
	}
	memcpy(r->cert, der, (size_t)n);
	r->cert_len = (size_t)n;
	OPENSSL_free(der);
	return set_key(r, k);
}

int
igos_req_set_pubkey(struct igos_req *r, EVP_PKEY *k)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);

	if (n <= 0)
		return igos_seterr_ssl("cannot encode the public key");
	free(r->pubkey);
	if ((r->pubkey = malloc((size_t)n)) == NULL) {
		OPENSSL_free(der);
		return igos_seterr("out of memory");
	}
	memcpy(r->pubkey, der, (size_t)n);
	r->pubkey_len = (size_t)n;
	OPENSSL_free(der);
	return set_key(r, k);
}

/* ---- the rules every request obeys, whether parsed or about to be written ---- */

static int
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > IGOS_REQ_MAX_NAME || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("._+-@=,~", c)))
			return 0;
	}
	return 1;
}

static int
var_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > IGOS_REQ_MAX_VAR)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

void
igos_req_time_str(const unsigned char t[16], char out[20])
{
	snprintf(out, 20, "%04u-%02u-%02u %02u:%02u:%02u", (unsigned)(t[0] | t[1] << 8) % 10000,
		 t[2] % 100u, t[3] % 100u, t[4] % 100u, t[5] % 100u, t[6] % 100u);
}

static int
lowerhex(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

static int
check(const struct igos_req *r)
{
	unsigned char h[32];
	EVP_PKEY *k;
	enum igos_req_alg alg;
	int rc;

	if (r->kind < IGOS_REQ_PE || r->kind > IGOS_REQ_LAST)
		return igos_seterr("unknown kind");
	if (!name_ok(r->file))
		return igos_seterr("bad file name (letters, digits and ._+-@=,~ only)");
	if (kind_has_cert(r->kind) ? r->cert == NULL || r->pubkey != NULL
				   : r->pubkey == NULL || r->cert != NULL)
		return igos_seterr("a %s request needs a %s", igos_req_kind_name(r->kind),
				   kind_has_cert(r->kind) ? "certificate" : "public key");
	if ((k = igos_req_pubkey(r)) == NULL)
		return -1;
	alg = igos_req_alg_of(k);
	rc = alg ? igos_req_keyhash(k, h) : -1;
	EVP_PKEY_free(k);
	if (rc < 0)
		return -1;
	if (alg != r->alg)
		return igos_seterr("alg is not the key's algorithm");
	if (memcmp(h, r->key, 32) != 0)
		return igos_seterr("key is not the hash of the %s's public key",
				   r->cert ? "certificate" : "public key");
	if ((r->kind == IGOS_REQ_PE) != (r->attrs != NULL))
		return igos_seterr("attrs belongs to pe requests only");
	if (r->nitems == 0)
		return igos_seterr("nothing to sign");
	if (r->kind != IGOS_REQ_PCR && r->nitems != 1)
		return igos_seterr("a %s request signs one item", igos_req_kind_name(r->kind));
	for (unsigned i = 0; i < r->nitems; i++) {
		const struct igos_req_item *it = &r->item[i];

		if (it->md && it->len != (size_t)EVP_MD_get_size(it->md))
			return igos_seterr("sign: digest of the wrong length");
	}
	switch (r->kind) {
	case IGOS_REQ_PE:
		/* what the key signs is the hash of the signed attributes */
		if (r->alg != IGOS_REQ_RSA)
			return igos_seterr("a pe request needs an RSA key");
		if (r->item[0].md != EVP_sha256() ||
		    igos_digest(EVP_sha256(), r->attrs, r->attrs_len, h) < 0 ||
		    memcmp(h, r->item[0].data, 32) != 0)
			return igos_seterr("sign is not the SHA-256 of attrs");
		break;
	case IGOS_REQ_MODULE:
		if (r->alg != IGOS_REQ_RSA)
			return igos_seterr("a module request needs an RSA key");
		if (r->item[0].md != EVP_sha256() || memcmp(r->item[0].data, r->digest, 32))
			return igos_seterr("sign is not the module digest");
		break;
	case IGOS_REQ_VERITY:
		/* the root hash as the kernel reads it: lowercase hex */
		if (r->alg == IGOS_REQ_ED25519)
			return igos_seterr("a verity request needs an RSA or ECDSA key");
		if (r->item[0].md || r->item[0].len < 2 || r->item[0].len > 2 * IGOS_MAX_MD ||
		    r->item[0].len % 2 || !lowerhex(r->item[0].data, r->item[0].len))
			return igos_seterr("sign is not a root hash in lowercase hex");
		break;
	case IGOS_REQ_PCR:
		if (r->alg != IGOS_REQ_RSA)
			return igos_seterr("a pcr-policy request needs an RSA key");
		for (unsigned i = 0; i < r->nitems; i++)
			if (r->item[i].md == NULL)
				return igos_seterr("sign: a pcr-policy request signs digests");
		break;
	case IGOS_REQ_X509: {
		/* what is signed is the certificate's own tbsCertificate */
		X509 *x = igos_req_cert(r);
		unsigned char *tbs = NULL;
		int n = x ? i2d_re_X509_tbs(x, &tbs) : -1;
		int same = n > 0 && r->item[0].md == NULL && (size_t)n == r->item[0].len &&
			   memcmp(tbs, r->item[0].data, (size_t)n) == 0;

		OPENSSL_free(tbs);
		X509_free(x);
		ERR_clear_error();
		if (r->alg != IGOS_REQ_RSA)
			return igos_seterr("an x509-cert request needs an RSA key");
		if (!same)
			return igos_seterr("sign is not the certificate's tbsCertificate");
		break;
	}
	case IGOS_REQ_EFIAUTH: {
		/* the firmware (EDK2) verifies RSA only; the timestamp must read
		 * back as the same bytes (sign-efi-sig-list's: no nanoseconds,
		 * time zone or daylight) */
		unsigned char t[16];
		char ts[20];

		if (r->alg != IGOS_REQ_RSA)
			return igos_seterr("an efi-auth request needs an RSA key");
		if (!var_ok(r->var))
			return igos_seterr("bad variable name (1 to %d letters, digits and _)",
					   IGOS_REQ_MAX_VAR);
		if (!(r->attr & IGOS_EFI_TIME_AUTH) || (r->attr & ~0x67u))
			return igos_seterr("attributes 0x%08x are not those of a time-based "
					   "authenticated update", r->attr);
		igos_req_time_str(r->time, ts);
		if (igos_efi_time_parse(ts, t) < 0 || memcmp(t, r->time, 16) != 0)
			return igos_seterr("bad timestamp");
		if (r->item[0].md != EVP_sha256())
			return igos_seterr("sign: an efi-auth request signs a SHA-256 digest");
		break;
	}
	case IGOS_REQ_INDEX:
	case IGOS_REQ_SUBKEY:
		if (r->alg == IGOS_REQ_RSA)
			return igos_seterr("an %s request needs an ECDSA P-256 or Ed25519 key",
					   igos_req_kind_name(r->kind));
		if (r->item[0].md)
			return igos_seterr("sign: an %s request signs text",
					   igos_req_kind_name(r->kind));
		break;
	}
	return 0;
}

/* ---- text ---- */

static int
add_b64(struct igos_text *t, const char *name, const void *p, size_t n)
{
	char *b = igos_base64_encode(p, n);
	int rc;

	if (b == NULL)
		return igos_seterr("out of memory");
	rc = igos_text_printf(t, "%s: %s\n", name, b);
	free(b);
	return rc < 0 ? igos_seterr("out of memory") : 0;
}

static int
add_hex(struct igos_text *t, const char *name, const char *pfx, const void *p, size_t n)
{
	char hex[2 * IGOS_MAX_MD + 1];

	igos_hex_encode(p, n, hex);
	if (igos_text_printf(t, "%s: %s%s\n", name, pfx, hex) < 0)
		return igos_seterr("out of memory");
	return 0;
}

int
igos_req_format(const struct igos_req *r, struct igos_text *t)
{
	if (check(r) < 0)
		return -1;
	if (igos_text_printf(t, "%s\nkind: %s\nfile: %s\nsize: %llu\n", IGOS_REQ_MAGIC,
			     igos_req_kind_name(r->kind), r->file,
			     (unsigned long long)r->size) < 0 ||
	    add_hex(t, "sha256", "", r->sha256, 32) < 0 ||
	    igos_text_printf(t, "alg: %s\n", igos_req_alg_name(r->alg)) < 0 ||
	    add_hex(t, "key", "", r->key, 32) < 0)
		return igos_seterr("out of memory");
	if (r->cert ? add_b64(t, "cert", r->cert, r->cert_len) < 0
		    : add_b64(t, "pubkey", r->pubkey, r->pubkey_len) < 0)
		return -1;
	if ((r->kind == IGOS_REQ_PE || r->kind == IGOS_REQ_MODULE) &&
	    add_hex(t, "digest", "", r->digest, 32) < 0)
		return -1;
	if (r->attrs && add_b64(t, "attrs", r->attrs, r->attrs_len) < 0)
		return -1;
	if (r->kind == IGOS_REQ_EFIAUTH) {
		char g[37], ts[20];

		igos_guid_str(r->guid, g);
		igos_req_time_str(r->time, ts);
		if (igos_text_printf(t, "variable: %s\nguid: %s\nattributes: 0x%08x\n"
				     "timestamp: %s\n", r->var, g, r->attr, ts) < 0)
			return igos_seterr("out of memory");
	}
	for (unsigned i = 0; i < r->nitems; i++) {
		const struct igos_req_item *it = &r->item[i];
		char pfx[16];

		if (it->md) {
			snprintf(pfx, sizeof(pfx), "%s:", EVP_MD_get0_name(it->md));
			for (char *c = pfx; *c; c++)
				*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
			if (add_hex(t, "sign", pfx, it->data, it->len) < 0)
				return -1;
		} else {
			char *b = igos_base64_encode(it->data, it->len);

			if (b == NULL || igos_text_printf(t, "sign: data:%s\n", b) < 0) {
				free(b);
				return igos_seterr("out of memory");
			}
			free(b);
		}
	}
	return 0;
}

/* Lines of a text in (p, n): each ends in LF, printable ASCII only. */
struct lines {
	const unsigned char *p;
	size_t left;
	unsigned no;
};

/* The next line: "name: value" with name exactly `name`; value (vlen bytes)
 * points into the text. Returns 1 if found, 0 if the next line is another
 * field (or the text ended: *end set), -1 on a malformed line. */
static int
field(struct lines *l, const char *name, const unsigned char **v, size_t *vlen)
{
	const unsigned char *nl;
	size_t n = strlen(name), ll;

	if (l->left == 0)
		return 0;
	if ((nl = memchr(l->p, '\n', l->left)) == NULL)
		return igos_seterr("line %u: no newline at the end", l->no + 1);
	ll = (size_t)(nl - l->p);
	for (size_t i = 0; i < ll; i++)
		if (l->p[i] < 0x20 || l->p[i] > 0x7e)
			return igos_seterr("line %u: a byte that is not printable ASCII",
					   l->no + 1);
	if (ll < n + 2 || memcmp(l->p, name, n) != 0 || l->p[n] != ':')
		return 0;
	if (l->p[n + 1] != ' ' || ll == n + 2 || l->p[n + 2] == ' ' || l->p[ll - 1] == ' ')
		return igos_seterr("line %u: '%s' is not 'name: value'", l->no + 1, name);
	*v = l->p + n + 2;
	*vlen = ll - n - 2;
	l->p = nl + 1;
	l->left -= ll + 1;
	l->no++;
	return 1;
}

static int
need(struct lines *l, const char *name, const unsigned char **v, size_t *vlen)
{
	int r = field(l, name, v, vlen);

	if (r == 0)
		return igos_seterr("line %u: expected '%s:'", l->no + 1, name);
	return r < 0 ? -1 : 0;
}

static int
value_is(const unsigned char *v, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(v, s, n) == 0;
}

static int
get_hex32(struct lines *l, const char *name, unsigned char out[32])
{
	const unsigned char *v;
	size_t n;

	if (need(l, name, &v, &n) < 0)
		return -1;
	if (n != 64 || !lowerhex(v, n) || igos_hex_decode((const char *)v, n, out, 32) < 0)
		return igos_seterr("line %u: %s is not 64 lowercase hex digits", l->no, name);
	return 0;
}

static int
get_b64(struct lines *l, const char *name, unsigned char **out, size_t *outlen)
{
	const unsigned char *v;
	size_t n;

	if (need(l, name, &v, &n) < 0)
		return -1;
	if ((*out = igos_base64_decode((const char *)v, n, outlen)) == NULL || *outlen == 0)
		return igos_seterr("line %u: %s is not canonical base64", l->no, name);
	return 0;
}

static int
parse_item(struct igos_req *r, unsigned no, const unsigned char *v, size_t n)
{
	static const char *const mds[] = { "sha1", "sha256", "sha384", "sha512" };
	const unsigned char *colon = memchr(v, ':', n);
	size_t pl;

	if (colon == NULL)
		return igos_seterr("line %u: sign is not 'KIND:VALUE'", no);
	pl = (size_t)(colon - v);
	if (value_is(v, pl, "data")) {
		unsigned char *d;
		size_t dl;

		if ((d = igos_base64_decode((const char *)colon + 1, n - pl - 1, &dl)) == NULL ||
		    dl == 0) {
			free(d);
			return igos_seterr("line %u: sign data is not canonical base64", no);
		}
		if (igos_req_add_item(r, NULL, d, dl) < 0) {
			free(d);
			return -1;
		}
		free(d);
		return 0;
	}
	for (size_t i = 0; i < sizeof(mds) / sizeof(mds[0]); i++) {
		unsigned char d[IGOS_MAX_MD];
		const EVP_MD *md;
		size_t hl = n - pl - 1, ml;

		if (!value_is(v, pl, mds[i]))
			continue;
		md = igos_md(mds[i]);
		ml = (size_t)EVP_MD_get_size(md);
		if (md == NULL || hl != 2 * ml || !lowerhex(colon + 1, hl) ||
		    igos_hex_decode((const char *)colon + 1, hl, d, ml) < 0)
			return igos_seterr("line %u: sign is not a %s digest in lowercase hex", no,
					   mds[i]);
		return igos_req_add_item(r, md, d, ml);
	}
	return igos_seterr("line %u: sign: unknown kind '%.*s'", no, (int)(pl > 16 ? 16 : pl), v);
}

/* A field's value as a C string; 0, or -1 when longer than max. */
static int
get_str(struct lines *l, const char *name, char *out, size_t max)
{
	const unsigned char *v;
	size_t n;

	if (need(l, name, &v, &n) < 0)
		return -1;
	if (n > max)
		return igos_seterr("line %u: %s too long", l->no, name);
	memcpy(out, v, n);
	out[n] = 0;
	return 0;
}

static int
parse_efi(struct igos_req *r, struct lines *l)
{
	char g[37], a[11], ts[20], back[37];
	unsigned long v;
	char *end;

	if (get_str(l, "variable", r->var, IGOS_REQ_MAX_VAR) < 0)
		return -1;
	if (!var_ok(r->var))
		return igos_seterr("line %u: bad variable name", l->no);
	/* the GUID as igos writes it (lowercase), so that one request has one text */
	if (get_str(l, "guid", g, 36) < 0)
		return -1;
	if (igos_guid_parse(g, r->guid) < 0 || (igos_guid_str(r->guid, back), strcmp(back, g)))
		return igos_seterr("line %u: guid is not a lowercase GUID", l->no);
	if (get_str(l, "attributes", a, 10) < 0)
		return -1;
	v = strtoul(a, &end, 16);
	if (strlen(a) != 10 || a[0] != '0' || a[1] != 'x' || *end || !lowerhex((void *)(a + 2), 8))
		return igos_seterr("line %u: attributes are not 0x and 8 lowercase hex digits",
				   l->no);
	r->attr = (uint32_t)v;
	if (get_str(l, "timestamp", ts, 19) < 0)
		return -1;
	/* strptime takes spaces and short fields: only the one spelling igos writes */
	if (igos_efi_time_parse(ts, r->time) < 0 || (igos_req_time_str(r->time, back),
						      strcmp(back, ts)))
		return igos_seterr("line %u: timestamp is not 'YYYY-MM-DD HH:MM:SS'", l->no);
	return 0;
}

int
igos_req_parse(struct igos_req *r, const unsigned char *data, size_t len)
{
	struct lines l = { data, len, 0 };
	const unsigned char *v;
	size_t n;
	int f;

	memset(r, 0, sizeof(*r));
	if (len > IGOS_REQ_MAX)
		return igos_seterr("longer than %d bytes", IGOS_REQ_MAX);
	if (len < sizeof(IGOS_REQ_MAGIC) || memcmp(data, IGOS_REQ_MAGIC "\n",
						   sizeof(IGOS_REQ_MAGIC)) != 0)
		return igos_seterr("not an igos request (no '%s' line)", IGOS_REQ_MAGIC);
	l.p += sizeof(IGOS_REQ_MAGIC);
	l.left -= sizeof(IGOS_REQ_MAGIC);
	l.no = 1;
	if (need(&l, "kind", &v, &n) < 0)
		return -1;
	for (int k = IGOS_REQ_PE; k <= IGOS_REQ_LAST; k++)
		if (value_is(v, n, kind_names[k]))
			r->kind = k;
	if (r->kind == 0)
		return igos_seterr("line %u: unknown kind", l.no);
	if (need(&l, "file", &v, &n) < 0)
		return -1;
	if (n > IGOS_REQ_MAX_NAME)
		return igos_seterr("line %u: file name too long", l.no);
	memcpy(r->file, v, n);
	if (!name_ok(r->file))
		return igos_seterr("line %u: bad file name (letters, digits and ._+-@=,~ only)",
				   l.no);
	if (need(&l, "size", &v, &n) < 0)
		return -1;
	{
		char num[24];

		if (n >= sizeof(num))
			return igos_seterr("line %u: bad size", l.no);
		memcpy(num, v, n);
		num[n] = 0;
		if (igos_parse_u64(num, &r->size) < 0)
			return igos_seterr("line %u: bad size", l.no);
	}
	if (get_hex32(&l, "sha256", r->sha256) < 0 || need(&l, "alg", &v, &n) < 0)
		return -1;
	for (int a = IGOS_REQ_RSA; a <= IGOS_REQ_ED25519; a++)
		if (value_is(v, n, alg_names[a]))
			r->alg = a;
	if (r->alg == 0)
		return igos_seterr("line %u: unknown alg", l.no);
	if (get_hex32(&l, "key", r->key) < 0)
		return -1;
	if (kind_has_cert(r->kind) ? get_b64(&l, "cert", &r->cert, &r->cert_len) < 0
				   : get_b64(&l, "pubkey", &r->pubkey, &r->pubkey_len) < 0)
		return -1;
	if ((r->kind == IGOS_REQ_PE || r->kind == IGOS_REQ_MODULE) &&
	    get_hex32(&l, "digest", r->digest) < 0)
		return -1;
	if (r->kind == IGOS_REQ_PE && get_b64(&l, "attrs", &r->attrs, &r->attrs_len) < 0)
		return -1;
	if (r->kind == IGOS_REQ_EFIAUTH && parse_efi(r, &l) < 0)
		return -1;
	while ((f = field(&l, "sign", &v, &n)) == 1)
		if (parse_item(r, l.no, v, n) < 0)
			return -1;
	if (f < 0)
		return -1;
	if (l.left)
		return igos_seterr("line %u: unexpected field", l.no + 1);
	if (check(r) < 0) {
		char m[256];

		snprintf(m, sizeof(m), "%s", igos_errmsg());
		return igos_seterr("inconsistent request: %s", m);
	}
	return 0;
}

int
igos_req_check_file(const struct igos_req *r, const char *path, const unsigned char *data,
		    size_t len)
{
	unsigned char h[32];

	if (len != r->size)
		return igos_seterr("'%s' is not the file the request is for (%zu bytes, the "
				   "request says %llu)", path, len, (unsigned long long)r->size);
	if (igos_digest(EVP_sha256(), data, len, h) < 0)
		return -1;
	if (memcmp(h, r->sha256, 32) != 0)
		return igos_seterr("'%s' is not the file the request is for (its SHA-256 "
				   "differs)", path);
	return 0;
}

static int
same(const void *a, size_t al, const void *b, size_t bl)
{
	return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

int
igos_req_equal(const struct igos_req *a, const struct igos_req *b)
{
	if (a->kind != b->kind || strcmp(a->file, b->file) || a->size != b->size ||
	    memcmp(a->sha256, b->sha256, 32) || a->alg != b->alg || memcmp(a->key, b->key, 32) ||
	    !same(a->cert, a->cert_len, b->cert, b->cert_len) ||
	    !same(a->pubkey, a->pubkey_len, b->pubkey, b->pubkey_len) ||
	    memcmp(a->digest, b->digest, 32) ||
	    !same(a->attrs, a->attrs_len, b->attrs, b->attrs_len) || strcmp(a->var, b->var) ||
	    memcmp(a->guid, b->guid, 16) || a->attr != b->attr || memcmp(a->time, b->time, 16) ||
	    a->nitems != b->nitems)
		return 0;
	for (unsigned i = 0; i < a->nitems; i++)
		if (a->item[i].md != b->item[i].md ||
		    !same(a->item[i].data, a->item[i].len, b->item[i].data, b->item[i].len))
			return 0;
	return 1;
}

/* ---- signatures outside PKCS#7 ---- */

void
igos_rsig_free(struct igos_rsig *s)
{
	for (unsigned i = 0; i < s->n; i++)
		free(s->sig[i]);
	memset(s, 0, sizeof(*s));
}

int
igos_rsig_format(const struct igos_rsig *s, struct igos_text *t)
{
	if (s->n == 0 || s->n > IGOS_REQ_MAX_ITEMS)
		return igos_seterr("no signature");
	if (igos_text_printf(t, "%s\n", IGOS_RSIG_MAGIC) < 0 ||
	    add_hex(t, "request", "", s->request, 32) < 0)
		return igos_seterr("out of memory");
	for (unsigned i = 0; i < s->n; i++)
		if (add_b64(t, "sig", s->sig[i], s->len[i]) < 0)
			return -1;
	return 0;
}

int
igos_rsig_parse(struct igos_rsig *s, const unsigned char *data, size_t len)
{
	struct lines l = { data, len, 1 };
	unsigned char *d;
	size_t dl;
	int f;

	memset(s, 0, sizeof(*s));
	if (len > IGOS_REQ_MAX)
		return igos_seterr("longer than %d bytes", IGOS_REQ_MAX);
	if (len < sizeof(IGOS_RSIG_MAGIC) ||
	    memcmp(data, IGOS_RSIG_MAGIC "\n", sizeof(IGOS_RSIG_MAGIC)) != 0)
		return igos_seterr("not an igos signature (no '%s' line)", IGOS_RSIG_MAGIC);
	l.p += sizeof(IGOS_RSIG_MAGIC);
	l.left -= sizeof(IGOS_RSIG_MAGIC);
	if (get_hex32(&l, "request", s->request) < 0)
		return -1;
	for (;;) {
		const unsigned char *v;
		size_t n;

		if ((f = field(&l, "sig", &v, &n)) <= 0)
			break;
		if (s->n == IGOS_REQ_MAX_ITEMS)
			return igos_seterr("line %u: more than %d signatures", l.no,
					   IGOS_REQ_MAX_ITEMS);
		if ((d = igos_base64_decode((const char *)v, n, &dl)) == NULL || dl == 0) {
			free(d);
			return igos_seterr("line %u: sig is not canonical base64", l.no);
		}
		s->sig[s->n] = d;
		s->len[s->n++] = dl;
	}
	if (f < 0)
		return -1;
	if (l.left)
		return igos_seterr("line %u: unexpected field", l.no + 1);
	if (s->n == 0)
		return igos_seterr("no signature");
	return 0;
}

int
igos_req_verify_item(const struct igos_req *r, unsigned i, const unsigned char *sig,
		     size_t siglen)
{
	const struct igos_req_item *it = &r->item[i];
	EVP_PKEY *k = igos_req_pubkey(r);
	EVP_PKEY_CTX *c = NULL;
	EVP_MD_CTX *m = NULL;
	int ok = 0;

	if (k == NULL)
		return -1;
	if (it->md) {
		ok = (c = EVP_PKEY_CTX_new(k, NULL)) && EVP_PKEY_verify_init(c) > 0 &&
		     (r->alg != IGOS_REQ_RSA ||
		      EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0) &&
		     EVP_PKEY_CTX_set_signature_md(c, it->md) > 0 &&
		     EVP_PKEY_verify(c, sig, siglen, it->data, it->len) == 1;
	} else {
		const EVP_MD *md = r->alg == IGOS_REQ_ED25519 ? NULL : EVP_sha256();

		ok = (m = EVP_MD_CTX_new()) && EVP_DigestVerifyInit(m, NULL, md, NULL, k) > 0 &&
		     EVP_DigestVerify(m, sig, siglen, it->data, it->len) == 1;
	}
	EVP_PKEY_CTX_free(c);
	EVP_MD_CTX_free(m);
	EVP_PKEY_free(k);
	ERR_clear_error();
	if (!ok)
		return igos_seterr("the signature is not the request's key's over what the "
				   "request asks to sign");
	return 0;
}
