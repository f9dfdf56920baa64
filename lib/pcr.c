/* PCR 11 prediction, TPM2 PolicyPCR digests and .pcrsig JSON (see pcr.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tpm2_types.h>

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
	for (i = sizeof(tag) - 1; i < n && i < sizeof(tag) + 8; i++) {
		unsigned char c = pe->data[s->raw_off + i];

		if (c < '0' || c > '9')
			break;
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

int
igos_pcr_input_from_uki(struct igos_pcr_input *in, const unsigned char *data,
			size_t len, int flags, int *stub252)
{
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
	for (int sec = 0; sec < IGOS_SEC_N; sec++) {
		const struct igos_pe_section *s = igos_pe_section(&pe, sections[sec]);
		size_t have;

		if (!s)
			continue;
		/* stubs differ on which of two same-named sections they use */
		for (unsigned i = 0; i < pe.nsections; i++)
			if (&pe.sec[i] != s && strcmp(pe.sec[i].name, sections[sec]) == 0)
				return igos_seterr("two %s sections", sections[sec]);
		if (!igos_pcr_section_measured(sec, old))
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
igos_pcr_policy_digest(int bank, const unsigned char *value, unsigned char pol[32])
{
	/* 32 zero bytes (the fresh session), then the command code, the
	 * selection and the digest of the selected PCR values. */
	unsigned char buf[32 + sizeof(TPM2_CC) + sizeof(TPML_PCR_SELECTION) + 32];
	TPML_PCR_SELECTION sel;
	size_t off = 32;
	TSS2_RC rc;

	if (!igos_pcr_bank_md(bank))
		return igos_seterr("unknown bank %d", bank);
	memset(buf, 0, sizeof(buf));
	memset(&sel, 0, sizeof(sel));
	sel.count = 1;
	sel.pcrSelections[0].hash = banks[bank].alg;
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[IGOS_PCR_KERNEL_BOOT / 8] =
		1u << (IGOS_PCR_KERNEL_BOOT % 8);
	rc = Tss2_MU_TPM2_CC_Marshal(TPM2_CC_PolicyPCR, buf, sizeof(buf), &off);
	if (rc == TSS2_RC_SUCCESS)
		rc = Tss2_MU_TPML_PCR_SELECTION_Marshal(&sel, buf, sizeof(buf), &off);
	if (rc != TSS2_RC_SUCCESS)
		return igos_seterr("cannot marshal the PolicyPCR command: TSS2 error 0x%x", rc);
	if (off + 32 > sizeof(buf))
		return igos_seterr("PolicyPCR buffer too small");
	if (igos_digest(EVP_sha256(), value, banks[bank].size, buf + off) < 0)
		return -1;
	off += 32;
	return igos_digest(EVP_sha256(), buf, off, pol);
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

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_phases(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Normalised, sorted, unique copies of the phases (the defaults for NULL). */
static char **
phase_list(const char *const *phases, size_t n, size_t *outn)
{
	char **v;
	size_t k = 0;

	if (!phases) {
		phases = igos_pcr_default_phases;
		n = 4;
	}
	if (!(v = calloc(n ? n : 1, sizeof(*v)))) {
		igos_seterr_errno("cannot allocate");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!(v[i] = igos_pcr_phase_normalize(phases[i]))) {
			free_phases(v, i);
			return NULL;
		}
	}
	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (k && strcmp(v[k - 1], v[i]) == 0)
			free(v[i]);
		else
			v[k++] = v[i];
	}
	*outn = k;
	return v;
}

char *
igos_pcrsig_build(const struct igos_pcr_input *in, unsigned banks_mask,
		  const char *const *phases, size_t nphases, EVP_PKEY *pub,
		  igos_pcr_sign_fn sign, void *ctx)
{
	json_object *root = NULL;
	char **ph = NULL, *out = NULL, fp[65];
	size_t nph = 0;

	if (!(banks_mask & IGOS_BANKS_ALL)) {
		igos_seterr("no PCR bank selected");
		return NULL;
	}
	if (igos_pcr_pkfp(pub, fp) < 0) {
		igos_seterr("a PCR policy needs an RSA key: systemd's TPM-side check "
			    "uses RSASSA");
		return NULL;
	}
	if (!(ph = phase_list(phases, nphases, &nph)))
		return NULL;
	if (!(root = json_object_new_object()))
		goto oom;
	for (int b = 0; b < IGOS_BANK_N; b++) {
		json_object *arr;

		if (!(banks_mask & 1u << b))
			continue;
		if (!(arr = json_object_new_array()) ||
		    json_object_object_add(root, banks[b].name, arr) < 0) {
			json_object_put(arr);
			goto oom;
		}
		for (size_t i = 0; i < nph; i++) {
			unsigned char pcr[IGOS_MAX_MD], pol[32], h[IGOS_MAX_MD], *sig = NULL;
			size_t siglen = 0;
			char polhex[65], *b64;
			json_object *e, *pcrs;
			const EVP_MD *md = igos_pcr_bank_md(b);

			if (igos_pcr_predict(in, b, ph[i], pcr) < 0 ||
			    igos_pcr_policy_digest(b, pcr, pol) < 0 ||
			    igos_digest(md, pol, sizeof(pol), h) < 0)
				goto fail;
			if (sign(ctx, md, h, banks[b].size, &sig, &siglen) < 0)
				goto fail;
			b64 = igos_base64_encode(sig, siglen);
			free(sig);
			if (!b64)
				goto fail;
			igos_hex_encode(pol, sizeof(pol), polhex);
			e = json_object_new_object();
			pcrs = json_object_new_array();
			if (!e || !pcrs ||
			    json_object_array_add(arr, e) < 0) {
				json_object_put(e);
				json_object_put(pcrs);
				free(b64);
				goto oom;
			}
			if (json_object_array_add(pcrs, json_object_new_int(IGOS_PCR_KERNEL_BOOT)) < 0 ||
			    json_object_object_add(e, "pcrs", pcrs) < 0 ||
			    json_object_object_add(e, "pkfp", json_object_new_string(fp)) < 0 ||
			    json_object_object_add(e, "pol", json_object_new_string(polhex)) < 0 ||
			    json_object_object_add(e, "sig", json_object_new_string(b64)) < 0) {
				free(b64);
				goto oom;
			}
			free(b64);
		}
	}
	{
		const char *s = json_object_to_json_string_ext(root,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		size_t n = s ? strlen(s) : 0;

		if (!s || !(out = malloc(n + 2)))
			goto oom;
		memcpy(out, s, n);
		out[n] = '\n';
		out[n + 1] = '\0';
	}
	json_object_put(root);
	free_phases(ph, nph);
	return out;
oom:
	igos_seterr("cannot build the .pcrsig JSON: out of memory");
fail:
	json_object_put(root);
	free_phases(ph, nph);
	return NULL;
}

/* ---- parsing --------------------------------------------------------------- */

void
igos_pcrsig_free(struct igos_pcrsig *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->e[i].sig);
	free(ps->e);
	ps->e = NULL;
	ps->n = 0;
}

static int
parse_entry(struct igos_pcrsig_entry *e, json_object *o, const char *bank, size_t idx)
{
	json_object *v;
	const char *s;
	size_t n;

	if (!json_object_is_type(o, json_type_object))
		return igos_seterr("'%s' entry %zu is not an object", bank, idx);
	if (!json_object_object_get_ex(o, "pcrs", &v) || !json_object_is_type(v, json_type_array))
		return igos_seterr("'%s' entry %zu: 'pcrs' is not an array", bank, idx);
	n = json_object_array_length(v);
	if (n == 0)
		return igos_seterr("'%s' entry %zu: 'pcrs' is empty", bank, idx);
	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(v, i);
		int64_t x;

		if (!json_object_is_type(p, json_type_int))
			return igos_seterr("'%s' entry %zu: 'pcrs' holds a non-integer", bank, idx);
		x = json_object_get_int64(p);
		if (x < 0 || x > 23)
			return igos_seterr("'%s' entry %zu: PCR %lld out of range", bank, idx,
					   (long long)x);
		e->pcrs |= 1u << x;
	}
	if (!json_object_object_get_ex(o, "pkfp", &v) || !json_object_is_type(v, json_type_string))
		return igos_seterr("'%s' entry %zu: 'pkfp' is not a string", bank, idx);
	s = json_object_get_string(v);
	if (igos_hex_decode(s, (size_t)json_object_get_string_len(v), e->pkfp, 32) < 0)
		return igos_seterr("'%s' entry %zu: 'pkfp' is not 64 hex digits", bank, idx);
	if (!json_object_object_get_ex(o, "pol", &v) || !json_object_is_type(v, json_type_string))
		return igos_seterr("'%s' entry %zu: 'pol' is not a string", bank, idx);
	s = json_object_get_string(v);
	if (igos_hex_decode(s, (size_t)json_object_get_string_len(v), e->pol, 32) < 0)
		return igos_seterr("'%s' entry %zu: 'pol' is not 64 hex digits", bank, idx);
	if (!json_object_object_get_ex(o, "sig", &v) || !json_object_is_type(v, json_type_string))
		return igos_seterr("'%s' entry %zu: 'sig' is not a string", bank, idx);
	s = json_object_get_string(v);
	e->sig = igos_base64_decode(s, (size_t)json_object_get_string_len(v), &e->siglen);
	if (!e->sig || e->siglen == 0)
		return igos_seterr("'%s' entry %zu: 'sig' is not valid base64", bank, idx);
	return 0;
}

int
igos_pcrsig_parse(struct igos_pcrsig *ps, const char *data, size_t len)
{
	struct json_tokener *tok = NULL;
	json_object *root = NULL;
	char *copy = NULL;
	size_t total = 0, k = 0;
	int rc = -1;

	memset(ps, 0, sizeof(*ps));
	if (len && memchr(data, '\0', len))
		return igos_seterr("not JSON: a NUL byte at offset %zu",
				   (size_t)((const char *)memchr(data, '\0', len) - data));
	if (len > INT32_MAX - 1)
		return igos_seterr("not JSON: too long");
	/* the terminating NUL ends a number at the top level */
	if (!(copy = malloc(len + 1)))
		return igos_seterr_errno("cannot allocate");
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	if (!(tok = json_tokener_new_ex(16))) {
		igos_seterr("cannot allocate a JSON parser");
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, copy, (int)len + 1);
	if (!root) {
		enum json_tokener_error je = json_tokener_get_error(tok);

		if (je == json_tokener_success)
			igos_seterr("not JSON: null");
		else if (je == json_tokener_continue)
			igos_seterr("not JSON: unexpected end of data");
		else
			igos_seterr("not JSON: %s at offset %zu", json_tokener_error_desc(je),
				    json_tokener_get_parse_end(tok));
		goto out;
	}
	for (size_t i = json_tokener_get_parse_end(tok); i < len; i++) {
		if (!strchr(" \t\r\n", copy[i])) {
			igos_seterr("not JSON: trailing data at offset %zu", i);
			goto out;
		}
	}
	if (!json_object_is_type(root, json_type_object)) {
		igos_seterr("not a .pcrsig: the top level is not an object");
		goto out;
	}
	{
		json_object_object_foreach(root, key, val) {
			int b = igos_pcr_bank_parse(key);

			/* systemd writes the names in lower case */
			if (b < 0 || strcmp(key, banks[b].name) != 0) {
				igos_seterr("not a .pcrsig: unknown bank '%s'", key);
				goto out;
			}
			if (!json_object_is_type(val, json_type_array)) {
				igos_seterr("not a .pcrsig: '%s' is not an array", key);
				goto out;
			}
			total += json_object_array_length(val);
		}
	}
	if (total == 0) {
		igos_seterr("not a .pcrsig: no entries");
		goto out;
	}
	if (!(ps->e = calloc(total, sizeof(*ps->e)))) {
		igos_seterr_errno("cannot allocate");
		goto out;
	}
	{
		json_object_object_foreach(root, key, val) {
			size_t n = json_object_array_length(val);

			for (size_t i = 0; i < n; i++) {
				ps->e[k].bank = igos_pcr_bank_parse(key);
				ps->n = ++k;
				if (parse_entry(&ps->e[k - 1], json_object_array_get_idx(val, i),
						key, i + 1) < 0)
					goto out;
			}
		}
	}
	rc = 0;
out:
	if (rc < 0)
		igos_pcrsig_free(ps);
	json_object_put(root);
	if (tok)
		json_tokener_free(tok);
	free(copy);
	return rc;
}

/* ---- verification ---------------------------------------------------------- */

static int
verify_sig(EVP_PKEY *pub, const EVP_MD *md, const unsigned char *pol,
	   const unsigned char *sig, size_t siglen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
	unsigned char h[IGOS_MAX_MD];
	int ok = 0;

	if (ctx && igos_digest(md, pol, 32, h) == 0 &&
	    EVP_PKEY_verify_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, md) > 0)
		ok = EVP_PKEY_verify(ctx, sig, siglen, h, (size_t)EVP_MD_get_size(md)) == 1;
	EVP_PKEY_CTX_free(ctx);
	igos_ssl_clear();
	return ok;
}

int
igos_pcrsig_verify(const struct igos_pcrsig *ps, const struct igos_pcr_input *in,
		   const char *const *phases, size_t nphases, EVP_PKEY *pub,
		   size_t *matched)
{
	unsigned char fp[32];
	char fphex[65];
	char **ph;
	size_t nph = 0;
	const char *const *orig = phases ? phases : igos_pcr_default_phases;
	size_t norig = phases ? nphases : 4;
	int rc = -1;

	if (igos_pcr_pkfp(pub, fphex) < 0)
		return igos_seterr("the public key is not an RSA key");
	igos_hex_decode(fphex, 64, fp, 32);
	if (!(ph = phase_list(phases, nphases, &nph)))
		return -1;
	for (size_t i = 0; i < ps->n; i++) {
		const struct igos_pcrsig_entry *e = &ps->e[i];
		const char *bn = banks[e->bank].name;
		size_t idx = 0, j;
		int found = 0;

		/* entries are numbered within their bank, as the parser does */
		for (j = 0; j < i; j++)
			if (ps->e[j].bank == e->bank)
				idx++;
		idx++;
		if (e->pcrs != 1u << IGOS_PCR_KERNEL_BOOT) {
			igos_seterr("'%s' entry %zu: covers PCRs other than 11", bn, idx);
			goto out;
		}
		if (memcmp(e->pkfp, fp, 32) != 0) {
			igos_seterr("'%s' entry %zu: pkfp is not the fingerprint of the public key",
				    bn, idx);
			goto out;
		}
		if (!(in->banks & 1u << e->bank)) {
			igos_seterr("'%s' entry %zu: bank not computed", bn, idx);
			goto out;
		}
		for (j = 0; j < nph && !found; j++) {
			unsigned char pcr[IGOS_MAX_MD], pol[32];

			if (igos_pcr_predict(in, e->bank, ph[j], pcr) < 0 ||
			    igos_pcr_policy_digest(e->bank, pcr, pol) < 0)
				goto out;
			if (memcmp(pol, e->pol, 32) == 0)
				found = 1;
		}
		if (!found) {
			igos_seterr("'%s' entry %zu: pol does not match the UKI in any phase", bn, idx);
			goto out;
		}
		if (!verify_sig(pub, igos_pcr_bank_md(e->bank), e->pol, e->sig, e->siglen)) {
			igos_seterr("'%s' entry %zu: bad signature", bn, idx);
			goto out;
		}
		if (matched) {
			/* back to the caller's index for the matched phase */
			matched[i] = 0;
			for (size_t m = 0; m < norig; m++) {
				char *nm = igos_pcr_phase_normalize(orig[m]);
				int same = nm && strcmp(nm, ph[j - 1]) == 0;

				free(nm);
				if (same) {
					matched[i] = m;
					break;
				}
			}
		}
	}
	rc = 0;
out:
	free_phases(ph, nph);
	return rc;
}
