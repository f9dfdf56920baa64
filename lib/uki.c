/* UKI inputs a builder interprets itself: the kernel's version, the command
 * line text, the names of the sections it writes. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "uki.h"

static int
uname_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '+' || c == '-';
}

/* "VERSION (" at p[0..len): the length of VERSION, or 0. */
static size_t
uname_match(const unsigned char *p, size_t len)
{
	size_t n = 0;

	while (n < len && uname_char(p[n]))
		n++;
	if (n == 0 || n + 2 > len || p[n] != ' ' || p[n + 1] != '(')
		return 0;
	return n;
}

/* The kernel's version: x86 bzImage header, else "Linux version X (" in the
 * image. Returns a heap string, or NULL when there is none. */
char *
igos_uki_kernel_uname(const unsigned char *k, size_t len)
{
	static const char needle[] = "Linux version ";

	if (len >= 0x210 && memcmp(k + 0x202, "HdrS", 4) == 0) {
		size_t off = 0x200 + (size_t)igos_le16(k + 0x20e), n, max;

		if (off < len) {
			max = len - off < 128 ? len - off : 128;
			n = strnlen((const char *)k + off, max);
			if ((n = uname_match(k + off, n)) > 0)
				return strndup((const char *)k + off, n);
		}
	}
	for (const unsigned char *p = k; len >= sizeof(needle) &&
	     (p = memmem(p, len - (size_t)(p - k), needle, sizeof(needle) - 1)) != NULL; p++) {
		const unsigned char *v = p + sizeof(needle) - 1;
		size_t n, rest = len - (size_t)(v - k);

		if (rest > 0 && *v >= '0' && *v <= '9' && (n = uname_match(v, rest < 128 ? rest : 128)))
			return strndup((const char *)v, n);
	}
	return NULL;
}

char *
igos_uki_cmdline(const char *s)
{
	char *r = malloc(strlen(s) + 1), *w = r;
	int sp = 0;

	if (r == NULL)
		return NULL;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' ||
		    *s == '\v') {
			sp = w != r;
			continue;
		}
		if (sp)
			*w++ = ' ';
		sp = 0;
		*w++ = *s;
	}
	*w = '\0';
	return r;
}

int
igos_uki_reserved(const char *name, size_t n)
{
	static const char *const reserved[] = {
		".osrel", ".cmdline", ".dtb", ".uname", ".splash", ".pcrpkey", ".initrd",
		".linux", ".sbat", ".pcrsig", ".ucode", ".profile", ".dtbauto", ".hwids", ".efifw",
		NULL,
	};

	for (int i = 0; reserved[i]; i++)
		if (strlen(reserved[i]) == n && memcmp(reserved[i], name, n) == 0)
			return 1;
	return 0;
}

int
igos_uki_profile_carries(const char *name)
{
#define CARRIED(n) n,
	static const char *const carried[] = { IGOS_UKI_PROFILE_SECTIONS(CARRIED) NULL };
#undef CARRIED

	for (int i = 0; carried[i]; i++)
		if (strcmp(carried[i], name) == 0)
			return 1;
	return 0;
}

/* Sections that may come more than once in the base or in one profile: the
 * stub picks one by the hardware's IDs. */
static int
may_repeat(const char *name)
{
	return strcmp(name, ".dtbauto") == 0 || strcmp(name, ".efifw") == 0;
}

int
igos_uki_profiles(const struct igos_pe *pe, struct igos_uki_profiles *p)
{
	unsigned start = 0;

	memset(p, 0, sizeof(*p));
	p->base_end = pe->nsections;
	for (unsigned i = 0; i < pe->nsections; i++) {
		const char *name = pe->sec[i].name;

		if (strcmp(name, ".profile") == 0) {
			if (p->n == IGOS_UKI_PROFILES_MAX)
				return igos_seterr("more than %u profiles", IGOS_UKI_PROFILES_MAX);
			if (p->n == 0)
				p->base_end = i;
			else
				p->end[p->n - 1] = i;
			p->first[p->n++] = i;
			start = i + 1;
			continue;
		}
		if (may_repeat(name))
			continue;
		for (unsigned k = start; k < i; k++)
			if (strcmp(pe->sec[k].name, name) == 0) {
				if (p->n == 0)
					return igos_seterr("two %s sections", name);
				return igos_seterr("two %s sections in profile %u", name, p->n - 1);
			}
	}
	if (p->n > 0)
		p->end[p->n - 1] = pe->nsections;
	return 0;
}

int
igos_uki_profile_section(const struct igos_pe *pe, const struct igos_uki_profiles *p,
			 unsigned k, const char *name)
{
	if (p->n > 0 && k < p->n)
		for (unsigned i = p->first[k]; i < p->end[k]; i++)
			if (strcmp(pe->sec[i].name, name) == 0)
				return (int)i;
	for (unsigned i = 0; i < p->base_end; i++)
		if (strcmp(pe->sec[i].name, name) == 0)
			return (int)i;
	return -1;
}

char *
igos_uki_profile_field(const unsigned char *t, size_t len, const char *key)
{
	size_t klen = strlen(key);

	igos_seterr("%s", "");
	for (size_t at = 0; at < len;) {
		const unsigned char *nl = memchr(t + at, '\n', len - at);
		size_t e = nl ? (size_t)(nl - t) : len, n;
		const unsigned char *v;

		/* leading blanks are allowed, as systemd's env-file parser allows them */
		while (at < e && (t[at] == ' ' || t[at] == '\t'))
			at++;
		if (e - at > klen && memcmp(t + at, key, klen) == 0 && t[at + klen] == '=') {
			v = t + at + klen + 1;
			n = e - (at + klen + 1);
			while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
				v++;
				n -= 2;
			}
			if (memchr(v, '\0', n) != NULL)
				n = strnlen((const char *)v, n);
			return strndup((const char *)v, n);
		}
		at = e + 1;
	}
	return NULL;
}

unsigned char *
igos_uki_efifw(const char *fwid, const unsigned char *payload, size_t plen, size_t *len)
{
	size_t flen = strlen(fwid) + 1, total;
	unsigned char *b;

	if (plen > UINT32_MAX - 16 - flen || flen > UINT32_MAX) {
		igos_seterr("firmware '%s' larger than 4 GiB", fwid);
		return NULL;
	}
	total = 16 + flen + plen;
	if ((b = malloc(total)) == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	igos_put_le32(b, 0xfeeddeadu);
	igos_put_le32(b + 4, 16);
	igos_put_le32(b + 8, (uint32_t)flen);
	igos_put_le32(b + 12, (uint32_t)plen);
	memcpy(b + 16, fwid, flen);
	if (plen)
		memcpy(b + 16 + flen, payload, plen);
	*len = total;
	return b;
}
