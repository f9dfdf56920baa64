/* PCR 12 (kernel-config) as a systemd-stub 257 style stub extends it: the
 * profile chosen, a command line taken from the load options, and the addons
 * it applies (see pcr.h). libcrypto only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcr.h"

/* The stub's whitespace: every control character, space and DEL. */
static int
stub_space(uint16_t c)
{
	return c <= 0x20 || c == 0x7f;
}

/* systemd-stub's mangle_stub_cmdline over UTF-16 in place: leading
 * whitespace dropped, each inner control character turned into one space,
 * trailing whitespace dropped. Returns the new length. */
static size_t
mangle(uint16_t *s, size_t n)
{
	size_t i = 0, o = 0, end = 0;

	while (i < n && stub_space(s[i]))
		i++;
	for (; i < n; i++) {
		if (stub_space(s[i])) {
			s[o++] = ' ';
			continue;
		}
		s[o++] = s[i];
		end = o;
	}
	return end;
}

/* UTF-8 text[0..len) up to its first NUL as UTF-16 code units (as the
 * stub's xstrn8_to_16); invalid UTF-8 is refused: what the stub makes of it
 * is not predicted. *out gets room for one more unit. */
static int
utf8_to_16(const unsigned char *t, size_t len, uint16_t **out, size_t *n, const char *what)
{
	uint16_t *u;
	size_t o = 0;

	if (len > SIZE_MAX / 2 / sizeof(*u) - 1)
		return igos_seterr("%s: too long", what);
	if (!(u = malloc((len + 1) * sizeof(*u))))
		return igos_seterr_errno("cannot allocate");
	for (size_t i = 0; i < len && t[i];) {
		uint32_t c = t[i], min;
		size_t k;

		if (c < 0x80) {
			k = 0;
			min = 0;
		} else if ((c & 0xe0) == 0xc0) {
			k = 1;
			c &= 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			c &= 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3;
			c &= 0x07;
			min = 0x10000;
		} else {
			goto bad;
		}
		if (k >= len - i)
			goto bad;
		for (size_t j = 1; j <= k; j++) {
			if ((t[i + j] & 0xc0) != 0x80)
				goto bad;
			c = c << 6 | (t[i + j] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			goto bad;
		i += k + 1;
		if (c >= 0x10000) {
			c -= 0x10000;
			u[o++] = (uint16_t)(0xd800 | c >> 10);
			u[o++] = (uint16_t)(0xdc00 | (c & 0x3ff));
		} else {
			u[o++] = (uint16_t)c;
		}
	}
	*out = u;
	*n = o;
	return 0;
bad:
	free(u);
	return igos_seterr("%s: not valid UTF-8", what);
}

/* Extend pcr with the digest of the UTF-16LE string s[0..n) and its NUL, as
 * the stub measures a command line (strsize16). */
static int
extend_utf16(int bank, unsigned char *pcr, const uint16_t *s, size_t n)
{
	unsigned char *b = malloc(2 * n + 2);
	int rc;

	if (!b)
		return igos_seterr_errno("cannot allocate");
	for (size_t i = 0; i < n; i++) {
		b[2 * i] = (unsigned char)(s[i] & 0xff);
		b[2 * i + 1] = (unsigned char)(s[i] >> 8);
	}
	b[2 * n] = b[2 * n + 1] = 0;
	rc = igos_pcr_extend_data(bank, pcr, b, 2 * n + 2);
	free(b);
	return rc;
}

int
igos_pcr_extend_data(int bank, unsigned char *pcr, const void *data, size_t len)
{
	const EVP_MD *md = igos_pcr_bank_md(bank);
	size_t size = igos_pcr_bank_size(bank);
	unsigned char h[IGOS_MAX_MD];
	EVP_MD_CTX *ctx;
	int ok;

	if (!md)
		return igos_seterr("unknown bank %d", bank);
	if (igos_digest(md, data, len, h) < 0)
		return -1;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, pcr, size) &&
	     EVP_DigestUpdate(ctx, h, size) && EVP_DigestFinal_ex(ctx, pcr, NULL);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : igos_seterr_ssl("cannot extend the PCR");
}

/* A section's bytes as loaded (VirtualSize, zeros past the raw data) in a
 * new buffer. */
static unsigned char *
loaded(const struct igos_pe *pe, const struct igos_pe_section *s)
{
	unsigned char *b = calloc(1, s->vsize ? s->vsize : 1);
	size_t have = s->raw_size < s->vsize ? s->raw_size : s->vsize;

	if (!b) {
		igos_seterr_errno("cannot allocate");
		return NULL;
	}
	memcpy(b, pe->data + s->raw_off, have);
	return b;
}

/* The largest section of an addon predicted (a microcode or devicetree blob
 * is a few MiB; a command line far less). */
#define ADDON_SECTION_MAX (256u << 20)

struct addon {
	const char *name;
	struct igos_pe pe;
	const struct igos_pe_section *cmdline, *dtb, *ucode;
};

static int
addon_parse(struct addon *a, const struct igos_pcr_addon *in)
{
	static const char *const used[] = { ".cmdline", ".dtb", ".ucode" };
	const struct igos_pe_section *s, *got[3];
	int any = 0;

	memset(a, 0, sizeof(*a));
	a->name = in->name;
	if (igos_pe_parse(&a->pe, in->data, in->len) < 0) {
		char why[256];

		/* igos_seterr formats into the buffer igos_errmsg reads */
		snprintf(why, sizeof(why), "%s", igos_errmsg());
		return igos_seterr("'%s': %s", in->name, why);
	}
	/* the stub ignores these: predicting them as applied would be wrong */
	if (igos_pe_section(&a->pe, ".linux"))
		return igos_seterr("'%s': a UKI (it has .linux), not an addon: the stub ignores it",
				   in->name);
	if (igos_pe_section(&a->pe, ".dtbauto"))
		return igos_seterr("'%s': a .dtbauto section: the stub applies it only on the "
				   "machines it matches, not predicted here", in->name);
	for (size_t i = 0; i < 3; i++) {
		got[i] = NULL;
		for (unsigned j = 0; j < a->pe.nsections; j++) {
			s = &a->pe.sec[j];
			if (strcmp(s->name, used[i]) != 0)
				continue;
			if (got[i])
				return igos_seterr("'%s': two %s sections", in->name, used[i]);
			got[i] = s;
			any = 1;
		}
	}
	if (!any)
		return igos_seterr("'%s': no .cmdline, .dtb or .ucode section: the stub ignores it",
				   in->name);
	/* each is measured as loaded (VirtualSize bytes, zeros past the raw
	 * data) and predicted from a copy of that size: bounded here */
	for (size_t i = 0; i < 3; i++)
		if (got[i] && got[i]->vsize > ADDON_SECTION_MAX)
			return igos_seterr("'%s': its %s section is %u bytes in memory, more than the "
					   "%u this prediction takes", in->name, used[i],
					   got[i]->vsize, (unsigned)ADDON_SECTION_MAX);
	a->cmdline = got[0];
	a->dtb = got[1];
	a->ucode = got[2];
	return 0;
}

/* The command line all addons add, as the stub joins them: each .cmdline
 * mangled, joined with one space, the whole mangled again. */
static int
addon_cmdline(const struct addon *a, size_t n, uint16_t **out, size_t *outn)
{
	uint16_t *acc = NULL, *u;
	size_t len = 0, un;

	for (size_t i = 0; i < n; i++) {
		unsigned char *b;
		uint16_t *t;
		int rc;

		if (!a[i].cmdline)
			continue;
		char what[300];

		if (!(b = loaded(&a[i].pe, a[i].cmdline)))
			goto fail;
		snprintf(what, sizeof(what), "'%s'", a[i].name);
		rc = utf8_to_16(b, a[i].cmdline->vsize, &u, &un, what);
		free(b);
		if (rc < 0)
			goto fail;
		un = mangle(u, un);
		if (!(t = realloc(acc, (len + 1 + un + 1) * sizeof(*t)))) {
			free(u);
			igos_seterr_errno("cannot allocate");
			goto fail;
		}
		acc = t;
		if (len)
			acc[len++] = ' ';
		memcpy(acc + len, u, un * sizeof(*u));
		len += un;
		free(u);
	}
	*out = acc;
	*outn = acc ? mangle(acc, len) : 0;
	return 0;
fail:
	free(acc);
	return -1;
}

int
igos_pcr12_predict(unsigned banks, unsigned profile, const char *loadopts,
		   const struct igos_pcr_addon *addons, size_t naddons,
		   unsigned char out[IGOS_BANK_N][IGOS_MAX_MD])
{
	struct addon *a = calloc(naddons ? naddons : 1, sizeof(*a));
	uint16_t *opts = NULL, *acmd = NULL;
	size_t nopts = 0, nacmd = 0;
	int rc = -1;

	if (!a)
		return igos_seterr_errno("cannot allocate");
	for (size_t i = 0; i < naddons; i++)
		if (addon_parse(&a[i], &addons[i]) < 0)
			goto out;
	if (loadopts) {
		if (utf8_to_16((const unsigned char *)loadopts, strlen(loadopts), &opts, &nopts,
			       "the load options") < 0)
			goto out;
		nopts = mangle(opts, nopts);
	}
	if (addon_cmdline(a, naddons, &acmd, &nacmd) < 0)
		goto out;
	for (int b = 0; b < IGOS_BANK_N; b++) {
		unsigned char *pcr = out[b];

		if (!(banks & 1u << b))
			continue;
		memset(pcr, 0, igos_pcr_bank_size(b));
		/* 1. the profile, unless the default 0: its number in UTF-16 */
		if (profile) {
			uint16_t num[12];
			char dec[12];
			size_t n = (size_t)snprintf(dec, sizeof(dec), "%u", profile);

			for (size_t i = 0; i < n; i++)
				num[i] = (uint16_t)dec[i];
			if (extend_utf16(b, pcr, num, n) < 0)
				goto out;
		}
		/* 2. a command line from the load options that the stub uses */
		if (nopts && extend_utf16(b, pcr, opts, nopts) < 0)
			goto out;
		/* 3. what the addons add to the command line, in one event */
		if (nacmd && extend_utf16(b, pcr, acmd, nacmd) < 0)
			goto out;
		/* 4. each addon's devicetree, in order */
		for (size_t i = 0; i < naddons; i++) {
			unsigned char *d;
			int r;

			if (!a[i].dtb)
				continue;
			if (!(d = loaded(&a[i].pe, a[i].dtb)))
				goto out;
			r = igos_pcr_extend_data(b, pcr, d, a[i].dtb->vsize);
			free(d);
			if (r < 0)
				goto out;
		}
		/* 5. microcode addons last to first: the kernel takes the first
		 * microcode it finds, so the stub puts the last addon's first */
		for (size_t i = naddons; i-- > 0;) {
			unsigned char *d;
			int r;

			if (!a[i].ucode)
				continue;
			if (!(d = loaded(&a[i].pe, a[i].ucode)))
				goto out;
			r = igos_pcr_extend_data(b, pcr, d, a[i].ucode->vsize);
			free(d);
			if (r < 0)
				goto out;
		}
	}
	rc = 0;
out:
	free(opts);
	free(acmd);
	free(a);
	return rc;
}
