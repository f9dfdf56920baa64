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
		".linux", ".sbat", ".pcrsig", NULL,
	};

	for (int i = 0; reserved[i]; i++)
		if (strlen(reserved[i]) == n && memcmp(reserved[i], name, n) == 0)
			return 1;
	return 0;
}
