/* The .pcrsig JSON (see pcr.h): built (with a sign callback or an igos signer),
 * parsed and verified. Needs json-c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "pcr.h"

/* root as systemd writes the .pcrsig JSON: one line, '/' not escaped, a
 * newline at the end; NULL when out of memory. */
static char *
json_line(json_object *root)
{
	const char *s = json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = s ? strlen(s) : 0;
	char *out;

	if (s == NULL || (out = malloc(n + 2)) == NULL)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\n';
	out[n + 1] = '\0';
	return out;
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
	if (pub && igos_pcr_pkfp(pub, fp) < 0) {
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
		    json_object_object_add(root, igos_pcr_bank_name(b), arr) < 0) {
			json_object_put(arr);
			goto oom;
		}
		for (size_t i = 0; i < nph; i++) {
			unsigned char pcr[IGOS_MAX_MD], pol[32], h[IGOS_MAX_MD], *sig = NULL;
			size_t siglen = 0;
			char polhex[65], *b64 = NULL;
			json_object *e, *pcrs;
			const EVP_MD *md = igos_pcr_bank_md(b);

			if (igos_pcr_predict(in, b, ph[i], pcr) < 0 ||
			    igos_pcr_policy_digest(b, pcr, pol) < 0 ||
			    igos_digest(md, pol, sizeof(pol), h) < 0)
				goto fail;
			/* no signer: the policy digests alone, what systemd-measure
			 * policy-digest writes for a signer elsewhere */
			if (sign) {
				if (sign(ctx, md, h, igos_pcr_bank_size(b), &sig, &siglen) < 0)
					goto fail;
				b64 = igos_base64_encode(sig, siglen);
				free(sig);
				if (!b64)
					goto fail;
			}
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
			    (pub && json_object_object_add(e, "pkfp", json_object_new_string(fp)) < 0) ||
			    json_object_object_add(e, "pol", json_object_new_string(polhex)) < 0 ||
			    (b64 && json_object_object_add(e, "sig", json_object_new_string(b64)) < 0)) {
				free(b64);
				goto oom;
			}
			free(b64);
		}
	}
	if ((out = json_line(root)) == NULL)
		goto oom;
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
parse_entry(struct igos_pcrsig_entry *e, json_object *o, const char *bank, size_t idx,
	    unsigned flags)
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
	if (json_object_object_get_ex(o, "pkfp", &v) || !(flags & IGOS_PCRSIG_PKFP_OPTIONAL)) {
		if (!v || !json_object_is_type(v, json_type_string))
			return igos_seterr("'%s' entry %zu: 'pkfp' is not a string", bank, idx);
		s = json_object_get_string(v);
		if (igos_hex_decode(s, (size_t)json_object_get_string_len(v), e->pkfp, 32) < 0)
			return igos_seterr("'%s' entry %zu: 'pkfp' is not 64 hex digits", bank, idx);
		e->has_pkfp = 1;
	}
	if (!json_object_object_get_ex(o, "pol", &v) || !json_object_is_type(v, json_type_string))
		return igos_seterr("'%s' entry %zu: 'pol' is not a string", bank, idx);
	s = json_object_get_string(v);
	if (igos_hex_decode(s, (size_t)json_object_get_string_len(v), e->pol, 32) < 0)
		return igos_seterr("'%s' entry %zu: 'pol' is not 64 hex digits", bank, idx);
	if (!json_object_object_get_ex(o, "sig", &v) && (flags & IGOS_PCRSIG_SIG_OPTIONAL))
		return 0;
	if (!v || !json_object_is_type(v, json_type_string))
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
	return igos_pcrsig_parse_ex(ps, data, len, 0);
}

int
igos_pcrsig_parse_ex(struct igos_pcrsig *ps, const char *data, size_t len, unsigned flags)
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
			if (b < 0 || strcmp(key, igos_pcr_bank_name(b)) != 0) {
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
						key, i + 1, flags) < 0)
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
		const char *bn = igos_pcr_bank_name(e->bank);
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
				int same;

				/* the phases normalised once already: only memory can
				 * fail here, and a guess would name the wrong phase */
				if (!nm)
					goto out;
				same = strcmp(nm, ph[j - 1]) == 0;
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

/* ---- with an igos signer (file key or token) ---- */

static int
sign_cb(void *ctx, const EVP_MD *md, const unsigned char *dgst, size_t dlen,
	unsigned char **sig, size_t *siglen)
{
	return igos_signer_sign_digest(ctx, md, dgst, dlen, sig, siglen);
}

char *
igos_pcrsig_build_signer(const struct igos_pcr_input *in, unsigned banks,
			 const char *const *phases, size_t nphases, struct igos_signer *s)
{
	if (igos_signer_type(s) != IGOS_KEY_RSA) {
		igos_seterr("a PCR policy needs an RSA key: systemd's TPM-side check uses "
			    "RSASSA");
		return NULL;
	}
	return igos_pcrsig_build(in, banks, phases, nphases, igos_signer_pubkey(s), sign_cb, s);
}

/* ---- the offline flow: policy digests signed elsewhere, joined back ---- */

char *
igos_pcrsig_format(const struct igos_pcrsig *ps)
{
	json_object *root = json_object_new_object();
	char *out = NULL;

	if (!root)
		goto oom;
	/* banks in systemd's order, each bank's entries in the order given */
	for (int b = 0; b < IGOS_BANK_N; b++) {
		json_object *arr = NULL;

		for (size_t i = 0; i < ps->n; i++) {
			const struct igos_pcrsig_entry *e = &ps->e[i];
			json_object *o, *pcrs;
			char hex[65];

			if (e->bank != b)
				continue;
			if (!arr && (!(arr = json_object_new_array()) ||
				     json_object_object_add(root, igos_pcr_bank_name(b), arr) < 0)) {
				json_object_put(arr);
				goto oom;
			}
			if (!(o = json_object_new_object()) || json_object_array_add(arr, o) < 0) {
				json_object_put(o);
				goto oom;
			}
			if (!(pcrs = json_object_new_array()) ||
			    json_object_object_add(o, "pcrs", pcrs) < 0) {
				json_object_put(pcrs);
				goto oom;
			}
			for (int p = 0; p < 24; p++)
				if ((e->pcrs & 1u << p) &&
				    json_object_array_add(pcrs, json_object_new_int(p)) < 0)
					goto oom;
			if (e->has_pkfp) {
				igos_hex_encode(e->pkfp, 32, hex);
				if (json_object_object_add(o, "pkfp", json_object_new_string(hex)) < 0)
					goto oom;
			}
			igos_hex_encode(e->pol, 32, hex);
			if (json_object_object_add(o, "pol", json_object_new_string(hex)) < 0)
				goto oom;
			if (e->sig) {
				char *b64 = igos_base64_encode(e->sig, e->siglen);
				int rc;

				if (!b64)
					goto fail;
				rc = json_object_object_add(o, "sig", json_object_new_string(b64));
				free(b64);
				if (rc < 0)
					goto oom;
			}
		}
	}
	if ((out = json_line(root)) == NULL)
		goto oom;
	json_object_put(root);
	return out;
oom:
	igos_seterr("cannot build the .pcrsig JSON: out of memory");
fail:
	json_object_put(root);
	return NULL;
}

char *
igos_pcrsig_sign_digests(const struct igos_pcrsig *pd, struct igos_signer *s)
{
	struct igos_pcrsig out = { 0 };
	unsigned char fp[32];
	char fphex[65], *json = NULL;

	if (igos_signer_type(s) != IGOS_KEY_RSA) {
		igos_seterr("a PCR policy needs an RSA key: systemd's TPM-side check uses "
			    "RSASSA");
		return NULL;
	}
	if (igos_pcr_pkfp(igos_signer_pubkey(s), fphex) < 0)
		return NULL;
	igos_hex_decode(fphex, 64, fp, 32);
	if (!(out.e = calloc(pd->n ? pd->n : 1, sizeof(*out.e)))) {
		igos_seterr_errno("cannot allocate");
		return NULL;
	}
	for (size_t i = 0; i < pd->n; i++) {
		const struct igos_pcrsig_entry *e = &pd->e[i];
		const EVP_MD *md = igos_pcr_bank_md(e->bank);
		unsigned char h[IGOS_MAX_MD];
		size_t idx = 1;

		for (size_t j = 0; j < i; j++)
			idx += pd->e[j].bank == e->bank;
		/* a digest made for another key would be signed in vain: the
		 * stub hands on .pcrpkey, and that key must check it */
		if (e->has_pkfp && memcmp(e->pkfp, fp, 32) != 0) {
			igos_seterr("'%s' entry %zu: made for another public key than the signer's "
				    "(pkfp differs)", igos_pcr_bank_name(e->bank), idx);
			goto out;
		}
		out.e[i] = *e;
		out.e[i].sig = NULL;
		out.e[i].has_pkfp = 1;
		memcpy(out.e[i].pkfp, fp, 32);
		out.n = i + 1;
		if (igos_digest(md, e->pol, 32, h) < 0 ||
		    igos_signer_sign_digest(s, md, h, igos_pcr_bank_size(e->bank), &out.e[i].sig,
					    &out.e[i].siglen) < 0)
			goto out;
	}
	json = igos_pcrsig_format(&out);
out:
	igos_pcrsig_free(&out);
	return json;
}

/* Answers the .pcrsig builder from the signatures of a signed policy-digest
 * file, checking each one before it is used. */
struct join_ctx {
	const struct igos_pcrsig *ps;
	EVP_PKEY *pub;
	unsigned char fp[32];
	unsigned char *used;
};

static int
join_cb(void *ctx, const EVP_MD *md, const unsigned char *dgst, size_t dlen,
	unsigned char **sig, size_t *siglen)
{
	struct join_ctx *c = ctx;

	for (size_t i = 0; i < c->ps->n; i++) {
		const struct igos_pcrsig_entry *e = &c->ps->e[i];
		unsigned char h[IGOS_MAX_MD];

		if (c->used[i] || igos_pcr_bank_md(e->bank) != md ||
		    igos_digest(md, e->pol, 32, h) < 0 || memcmp(h, dgst, dlen) != 0)
			continue;
		if (!e->sig)
			return igos_seterr("a %s policy without a signature ('sig')",
					   igos_pcr_bank_name(e->bank));
		if (!verify_sig(c->pub, md, e->pol, e->sig, e->siglen))
			return igos_seterr("a bad signature over the %s policy: not the public "
					   "key's", igos_pcr_bank_name(e->bank));
		if (!(*sig = malloc(e->siglen)))
			return igos_seterr_errno("cannot allocate");
		memcpy(*sig, e->sig, e->siglen);
		*siglen = e->siglen;
		c->used[i] = 1;
		return 0;
	}
	for (int b = 0; b < IGOS_BANK_N; b++)
		if (igos_pcr_bank_md(b) == md)
			return igos_seterr("no signature for one of the %s policies of the UKI (made "
					   "for other sections, banks or phases?)",
					   igos_pcr_bank_name(b));
	return igos_seterr("no signature for one of the UKI's policies");
}

char *
igos_pcrsig_join(const struct igos_pcr_input *in, unsigned banks, const char *const *phases,
		 size_t nphases, EVP_PKEY *pub, const struct igos_pcrsig *ps)
{
	struct join_ctx c = { .ps = ps, .pub = pub };
	char fphex[65], *json;

	if (igos_pcr_pkfp(pub, fphex) < 0) {
		igos_seterr("a PCR policy needs an RSA key: systemd's TPM-side check uses RSASSA");
		return NULL;
	}
	igos_hex_decode(fphex, 64, c.fp, 32);
	/* what the file holds that the UKI's policies would not use is refused
	 * first, with the entry named */
	for (size_t i = 0; i < ps->n; i++) {
		const struct igos_pcrsig_entry *e = &ps->e[i];
		const char *why = NULL;
		size_t idx = 0;

		for (size_t j = 0; j <= i; j++)
			idx += ps->e[j].bank == e->bank;
		if (e->pcrs != 1u << IGOS_PCR_KERNEL_BOOT)
			why = "covers PCRs other than 11";
		else if (e->has_pkfp && memcmp(e->pkfp, c.fp, 32) != 0)
			why = "signed for another public key (pkfp differs)";
		else if (!(banks & 1u << e->bank))
			why = "a bank not asked for";
		if (why) {
			igos_seterr("'%s' entry %zu: %s", igos_pcr_bank_name(e->bank), idx, why);
			return NULL;
		}
	}
	if (!(c.used = calloc(ps->n ? ps->n : 1, 1))) {
		igos_seterr_errno("cannot allocate");
		return NULL;
	}
	json = igos_pcrsig_build(in, banks, phases, nphases, pub, join_cb, &c);
	for (size_t i = 0, idx = 0; json && i < ps->n; i++, idx = 0) {
		for (size_t j = 0; j <= i; j++)
			idx += ps->e[j].bank == ps->e[i].bank;
		if (!c.used[i]) {
			igos_seterr("'%s' entry %zu: its policy is none of the UKI's (or given twice)",
				    igos_pcr_bank_name(ps->e[i].bank), idx);
			free(json);
			json = NULL;
		}
	}
	free(c.used);
	return json;
}
