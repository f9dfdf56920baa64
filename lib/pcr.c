/* PCR 11 as a UKI stub measures it: banks, sections, phases, the prediction,
 * and the .pcrpkey public key (see pcr.h). libcrypto only; the TPM2 policy
 * digest is in pcrpolicy.c (tss2-mu), the .pcrsig JSON in pcrsig.c (json-c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <tss2/tss2_tpm2_types.h> /* the TPM2_ALG_* numbers only: no tss2 library */

#include "pcr.h"

static const struct {
	const char *name;
	uint16_t alg;
	size_t size;
} banks[IGOS_BANK_N] = {
	[IGOS_BANK_SHA1] = { "sha1", TPM2_ALG_SHA1, 20 },
	[IGOS_BANK_SHA256] = { "sha256", TPM2_ALG_SHA256, 32 },
	[IGOS_BANK_SHA384] = { "sha384", TPM2_ALG_SHA384, 48 },
	[IGOS_BANK_SHA512] = { "sha512", TPM2_ALG_SHA512, 64 },
};

static const char *const sections[IGOS_SEC_N] = {
#define SECTION_NAME(id, name) [IGOS_SEC_##id] = name,
	IGOS_UKI_PCR11_SECTIONS(SECTION_NAME)
#undef SECTION_NAME
};

/* What the systemd 252 stub measured. */
static const unsigned sections_252 = 1u << IGOS_SEC_LINUX | 1u << IGOS_SEC_OSREL |
	1u << IGOS_SEC_CMDLINE | 1u << IGOS_SEC_INITRD | 1u << IGOS_SEC_SPLASH |
	1u << IGOS_SEC_DTB | 1u << IGOS_SEC_PCRPKEY;

const char *const igos_pcr_phase_words[] = {
	"enter-initrd", "leave-initrd", "sysinit", "ready", "shutdown", "final", NULL,
};

const char *const igos_pcr_default_phases[4] = {
	"enter-initrd",
	"enter-initrd:leave-initrd",
	"enter-initrd:leave-initrd:sysinit",
	"enter-initrd:leave-initrd:sysinit:ready",
};

int
igos_pcr_bank_parse(const char *name)
{
	for (int i = 0; i < IGOS_BANK_N; i++)
		if (strcasecmp(name, banks[i].name) == 0)
			return i;
	return igos_seterr("unknown bank '%s' (sha1, sha256, sha384, sha512)", name);
}

const char *
igos_pcr_bank_name(int bank)
{
	return bank >= 0 && bank < IGOS_BANK_N ? banks[bank].name : NULL;
}

const EVP_MD *
igos_pcr_bank_md(int bank)
{
	return bank >= 0 && bank < IGOS_BANK_N ? igos_md(banks[bank].name) : NULL;
}

uint16_t
igos_pcr_bank_alg(int bank)
{
	return bank >= 0 && bank < IGOS_BANK_N ? banks[bank].alg : 0;
}

size_t
igos_pcr_bank_size(int bank)
{
	return bank >= 0 && bank < IGOS_BANK_N ? banks[bank].size : 0;
}

int
igos_pcr_section_index(const char *name)
{
	for (int i = 0; i < IGOS_SEC_N; i++)
		if (strcmp(name, sections[i]) == 0)
			return i;
	return -1;
}

const char *
igos_pcr_section_name(int sec)
{
	return sec >= 0 && sec < IGOS_SEC_N ? sections[sec] : NULL;
}

void
igos_pcr_input_init(struct igos_pcr_input *in, unsigned banks_mask)
{
	memset(in, 0, sizeof(*in));
	in->banks = banks_mask & IGOS_BANKS_ALL;
}

static int
check_set(struct igos_pcr_input *in, int sec)
{
	if (sec < 0 || sec >= IGOS_SEC_N)
		return igos_seterr("section %d is not measured", sec);
	if (in->given[sec])
		return igos_seterr("section %s given twice", sections[sec]);
	return 0;
}

void
igos_pcr_section_abort(struct igos_pcr_section_ctx *c)
{
	for (int b = 0; b < IGOS_BANK_N; b++) {
		EVP_MD_CTX_free(c->md[b]);
		c->md[b] = NULL;
	}
}

int
igos_pcr_section_begin(struct igos_pcr_section_ctx *c, struct igos_pcr_input *in, int sec)
{
	memset(c, 0, sizeof(*c));
	if (check_set(in, sec) < 0)
		return -1;
	c->in = in;
	c->sec = sec;
	in->given[sec] = 1;
	for (int b = 0; b < IGOS_BANK_N; b++) {
		if (!(in->banks & 1u << b))
			continue;
		if (!(c->md[b] = EVP_MD_CTX_new()) ||
		    !EVP_DigestInit_ex(c->md[b], igos_pcr_bank_md(b), NULL)) {
			igos_seterr_ssl("cannot digest %s", sections[sec]);
			igos_pcr_section_abort(c);
			return -1;
		}
	}
	return 0;
}

int
igos_pcr_section_update(struct igos_pcr_section_ctx *c, const void *data, size_t len)
{
	static const unsigned char zeros[4096];

	for (int b = 0; b < IGOS_BANK_N; b++) {
		if (!c->md[b])
			continue;
		if (data) {
			if (len && !EVP_DigestUpdate(c->md[b], data, len))
				return igos_seterr_ssl("cannot digest %s", sections[c->sec]);
			continue;
		}
		for (size_t left = len; left;) {
			size_t n = left < sizeof(zeros) ? left : sizeof(zeros);

			if (!EVP_DigestUpdate(c->md[b], zeros, n))
				return igos_seterr_ssl("cannot digest %s", sections[c->sec]);
			left -= n;
		}
	}
	c->len += len;
	return 0;
}

int
igos_pcr_section_end(struct igos_pcr_section_ctx *c)
{
	struct igos_pcr_input *in = c->in;

	for (int b = 0; b < IGOS_BANK_N; b++) {
		if (c->md[b] && !EVP_DigestFinal_ex(c->md[b], in->digest[c->sec][b], NULL)) {
			igos_seterr_ssl("cannot digest %s", sections[c->sec]);
			igos_pcr_section_abort(c);
			return -1;
		}
	}
	igos_pcr_section_abort(c);
	in->size[c->sec] = c->len;
	/* an empty section is not measured */
	in->present[c->sec] = c->len > 0;
	return 0;
}

/* A section whose first `have` bytes are data and the rest zeros (its
 * VirtualSize past its SizeOfRawData), len bytes in all. */
static int
digest_section(struct igos_pcr_input *in, int sec, const void *data, size_t have, size_t len)
{
	struct igos_pcr_section_ctx c;

	if (igos_pcr_section_begin(&c, in, sec) < 0)
		return -1;
	if (igos_pcr_section_update(&c, data, have) < 0 ||
	    igos_pcr_section_update(&c, NULL, len - have) < 0) {
		igos_pcr_section_abort(&c);
		return -1;
	}
	return igos_pcr_section_end(&c);
}

int
igos_pcr_input_set(struct igos_pcr_input *in, int sec, const void *data, size_t len)
{
	return digest_section(in, sec, data, len, len);
}

int
igos_pcr_input_set_file(struct igos_pcr_input *in, int sec, const char *path)
{
	struct igos_buf b;
	int rc;

	if (check_set(in, sec) < 0)
		return -1;
	if (igos_buf_read(&b, path, 0) < 0)
		return -1;
	rc = igos_pcr_input_set(in, sec, b.data, b.len);
	igos_buf_free(&b);
	return rc;
}

/* "#### LoaderInfo: systemd-stub 252.39-1~deb12u2 ####": a systemd stub
 * before 253 measured the 252 set only. */
int
igos_pcr_stub252(const struct igos_pe *pe)
{
	static const char tag[] = "#### LoaderInfo: systemd-stub ";
	const struct igos_pe_section *s = igos_pe_section(pe, ".sdmagic");
	size_t n, i;
	unsigned long v = 0;

	if (!s || !s->raw_size)
		return 0;
	n = s->raw_size < s->vsize ? s->raw_size : s->vsize;
	if (n < sizeof(tag) || memcmp(pe->data + s->raw_off, tag, sizeof(tag) - 1) != 0)
		return 0;
	for (i = sizeof(tag) - 1; i < n; i++) {
		unsigned char c = pe->data[s->raw_off + i];

		if (c < '0' || c > '9')
			break;
		/* the number however long (leading zeros too), held below
		 * overflow: any value from 1000 on is past 252 alike */
		if (v < 1000)
			v = v * 10 + (c - '0');
	}
	return i > sizeof(tag) - 1 && v < 253;
}

int
igos_pcr_section_measured(int sec, int stub252)
{
	if (sec < 0 || sec >= IGOS_SEC_N)
		return 0;
	return !stub252 || (sections_252 & 1u << sec);
}

unsigned
igos_pcr_uki_profiles(const struct igos_pe *pe)
{
	unsigned n = 0;

	for (unsigned i = 0; i < pe->nsections; i++)
		n += strcmp(pe->sec[i].name, ".profile") == 0;
	return n;
}

/* The one section called name in sec[lo..hi), or NULL; two are an error
 * (stubs differ on which of two same-named sections they use). */
static int
find_in(const struct igos_pe *pe, unsigned lo, unsigned hi, const char *name,
	const struct igos_pe_section **out, const char *where)
{
	*out = NULL;
	for (unsigned i = lo; i < hi; i++) {
		if (strcmp(pe->sec[i].name, name) != 0)
			continue;
		/* several .dtbauto are normal: the stub picks the one matching
		 * the machine, which cannot be known here */
		if (*out && strcmp(name, ".dtbauto") == 0)
			return igos_seterr("several .dtbauto sections%s: the stub measures the one "
					   "that matches the machine, not predicted here", where);
		if (*out)
			return igos_seterr("two %s sections%s", name, where);
		*out = &pe->sec[i];
	}
	return 0;
}

int
igos_pcr_uki_find(const struct igos_pe *pe, unsigned profile, const char *name,
		  const struct igos_pe_section **out)
{
	unsigned first = pe->nsections, lo = 0, hi, k = 0, n = igos_pcr_uki_profiles(pe);
	const struct igos_pe_section *p;
	char where[48];

	/* the base: every section before the first .profile */
	for (unsigned i = 0; i < pe->nsections; i++)
		if (strcmp(pe->sec[i].name, ".profile") == 0) {
			first = i;
			break;
		}
	if (find_in(pe, 0, first, name, out, "") < 0)
		return -1;
	if (n == 0 && profile == 0)
		return 0; /* as systemd-stub: the first profile is implied */
	if (n == 0)
		return igos_seterr("no profile %u: the UKI has no .profile sections (only "
				   "profile 0, itself)", profile);
	if (profile >= n)
		return igos_seterr("no profile %u: the UKI has %u (0 to %u)", profile, n, n - 1);
	/* profile N: its .profile section and what follows up to the next */
	for (unsigned i = first; i < pe->nsections; i++) {
		if (strcmp(pe->sec[i].name, ".profile") != 0)
			continue;
		if (k++ == profile)
			lo = i;
		else if (k == profile + 2)
			break;
	}
	for (hi = lo + 1; hi < pe->nsections && strcmp(pe->sec[hi].name, ".profile") != 0; hi++)
		;
	snprintf(where, sizeof(where), " in profile %u", profile);
	if (find_in(pe, lo, hi, name, &p, where) < 0)
		return -1;
	if (p)
		*out = p; /* the profile's own overrides the base's */
	return 0;
}

int
igos_pcr_input_from_uki(struct igos_pcr_input *in, const unsigned char *data,
			size_t len, int flags, int *stub252)
{
	return igos_pcr_input_from_uki_profile(in, data, len, flags, 0, stub252);
}

int
igos_pcr_input_from_uki_profile(struct igos_pcr_input *in, const unsigned char *data,
				size_t len, int flags, unsigned profile, int *stub252)
{
	const struct igos_pe_section *s;
	struct igos_pe pe;
	int old;

	if (igos_pe_parse(&pe, data, len) < 0)
		return -1;
	if (flags & IGOS_PCR_STUB_252)
		old = 1;
	else if (flags & IGOS_PCR_STUB_CURRENT)
		old = 0;
	else
		old = igos_pcr_stub252(&pe);
	if (stub252)
		*stub252 = old;
	if (old && igos_pcr_uki_profiles(&pe))
		return igos_seterr("a UKI with profiles, for a systemd-stub 252 that knows none");
	/* which .dtbauto the stub measures depends on the machine it runs on */
	for (int sec = 0; sec < IGOS_SEC_N; sec++) {
		size_t have;

		if (igos_pcr_uki_find(&pe, profile, sections[sec], &s) < 0)
			return -1;
		if (!s || !igos_pcr_section_measured(sec, old))
			continue;
		/* The stub hashes VirtualSize bytes of the loaded image: raw data,
		 * then the zeros the loader fills in. */
		have = s->raw_size < s->vsize ? s->raw_size : s->vsize;
		if (digest_section(in, sec, data + s->raw_off, have, s->vsize) < 0)
			return -1;
	}
	if (!in->present[IGOS_SEC_LINUX])
		return igos_seterr("no .linux section");
	return 0;
}

static int
known_word(const char *w, size_t n)
{
	for (size_t i = 0; igos_pcr_phase_words[i]; i++)
		if (strlen(igos_pcr_phase_words[i]) == n &&
		    memcmp(igos_pcr_phase_words[i], w, n) == 0)
			return 1;
	return 0;
}

char *
igos_pcr_phase_normalize(const char *path)
{
	size_t len = strlen(path), o = 0;
	char *out = malloc(len + 1);

	if (!out) {
		igos_seterr_errno("cannot allocate");
		return NULL;
	}
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");

		if (n) {
			if (!known_word(p, n)) {
				igos_seterr("unknown phase word '%.*s' in '%s' (enter-initrd, "
					    "leave-initrd, sysinit, ready, shutdown, final)",
					    (int)n, p, path);
				free(out);
				return NULL;
			}
			if (o)
				out[o++] = ':';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		if (*p == ':')
			p++;
	}
	out[o] = '\0';
	return out;
}

static int
extend(const EVP_MD *md, unsigned char *pcr, size_t size, const void *data, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) &&
		EVP_DigestUpdate(ctx, pcr, size) && EVP_DigestUpdate(ctx, data, len) &&
		EVP_DigestFinal_ex(ctx, pcr, NULL);

	EVP_MD_CTX_free(ctx);
	return ok ? 0 : igos_seterr_ssl("cannot extend the PCR");
}

/* extend(H(data)) */
static int
extend_hash(const EVP_MD *md, unsigned char *pcr, size_t size, const void *data, size_t len)
{
	unsigned char h[IGOS_MAX_MD];

	if (igos_digest(md, data, len, h) < 0)
		return -1;
	return extend(md, pcr, size, h, size);
}

int
igos_pcr_predict(const struct igos_pcr_input *in, int bank, const char *phase,
		 unsigned char *out)
{
	const EVP_MD *md = igos_pcr_bank_md(bank);
	size_t size = igos_pcr_bank_size(bank);

	if (!md)
		return igos_seterr("unknown bank %d", bank);
	if (!(in->banks & 1u << bank))
		return igos_seterr("bank %s was not computed", banks[bank].name);
	memset(out, 0, size);
	for (int sec = 0; sec < IGOS_SEC_N; sec++) {
		if (!in->present[sec])
			continue;
		/* the name with its NUL, then the contents */
		if (extend_hash(md, out, size, sections[sec], strlen(sections[sec]) + 1) < 0 ||
		    extend(md, out, size, in->digest[sec][bank], size) < 0)
			return -1;
	}
	for (const char *p = phase ? phase : ""; *p;) {
		size_t n = strcspn(p, ":");

		if (n && extend_hash(md, out, size, p, n) < 0)
			return -1;
		p += n;
		if (*p == ':')
			p++;
	}
	return 0;
}

int
igos_pcr_pkfp(EVP_PKEY *pub, char out[65])
{
	unsigned char *der = NULL, h[32];
	int n;

	if (EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA)
		return igos_seterr("the key is not an RSA key");
	/* systemd fingerprints the PKCS#1 RSAPublicKey, not the SPKI */
	n = i2d_PublicKey(pub, &der);
	if (n <= 0)
		return igos_seterr_ssl("cannot encode the public key");
	if (igos_digest(EVP_sha256(), der, (size_t)n, h) < 0) {
		OPENSSL_free(der);
		return -1;
	}
	OPENSSL_free(der);
	igos_hex_encode(h, 32, out);
	return 0;
}

char *
igos_pcr_pubkey_pem(EVP_PKEY *pub, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p, *out = NULL;
	long n;

	if (!bio || !PEM_write_bio_PUBKEY(bio, pub)) {
		igos_seterr_ssl("cannot write the public key");
		BIO_free(bio);
		return NULL;
	}
	n = BIO_get_mem_data(bio, &p);
	if (n > 0 && (out = malloc((size_t)n + 1))) {
		memcpy(out, p, (size_t)n);
		out[n] = '\0';
		if (len)
			*len = (size_t)n;
	} else {
		igos_seterr("cannot write the public key");
	}
	BIO_free(bio);
	return out;
}

EVP_PKEY *
igos_pcr_pubkey_parse(const void *data, size_t len)
{
	BIO *bio;
	EVP_PKEY *k = NULL;

	if (len > INT32_MAX) {
		igos_seterr("not a PEM public key: too long");
		return NULL;
	}
	if ((bio = BIO_new_mem_buf(data, (int)len)))
		k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!k)
		igos_seterr_ssl("not a PEM public key");
	return k;
}
