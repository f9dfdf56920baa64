/* Small helpers every command uses. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "igos.h"

int
igos_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (s == NULL || *s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return igos_seterr("invalid number '%s'", s ? s : "");
	for (p = s; *p; p++) {
		unsigned d;

		if (*p < '0' || *p > '9')
			return igos_seterr("invalid number '%s'", s);
		d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return igos_seterr("number out of range '%s'", s);
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}


/* ---- bytes from an input shown to a person ---- */

/* Length of the well-formed UTF-8 sequence at s (its code point in *cp), or 0:
 * a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut. */
static size_t
utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0];
	size_t len;
	uint32_t v, min;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2; v = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3; v = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4; v = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[k] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* C1 controls (U+009B is CSI to a terminal that takes 8-bit controls) and the
 * bidirectional embeddings, overrides and isolates, which reorder what
 * follows them on the line. */
static int
cp_hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

int
igos_text_escape(struct igos_text *t, const void *p, size_t n, int flags)
{
	const unsigned char *s = p;
	size_t i = 0, run = 0;
	char e[12];

	while (i < n) {
		unsigned char c = s[i];
		uint32_t cp = 0;
		size_t len = 1;
		int esc;

		if (c >= 0x80) {
			len = utf8_seq(s + i, n - i, &cp);
			esc = len == 0 || cp_hidden(cp);
		} else if (c == '\n' || c == '\t') {
			esc = !(flags & IGOS_ESC_LINES);
		} else {
			esc = c < 0x20 || c == 0x7f || c == '\\';
		}
		if (!esc) {
			run += len;
			i += len;
			continue;
		}
		if (run && igos_text_add(t, s + i - run, run) < 0)
			return -1;
		run = 0;
		if (c == '\\')
			snprintf(e, sizeof(e), "\\\\");
		else if (c == '\n')
			snprintf(e, sizeof(e), "\\n");
		else if (c == '\t')
			snprintf(e, sizeof(e), "\\t");
		else if (len > 1)
			snprintf(e, sizeof(e), "\\u%04x", (unsigned)cp);
		else
			snprintf(e, sizeof(e), "\\x%02x", c);
		if (igos_text_add(t, e, strlen(e)) < 0)
			return -1;
		i += len ? len : 1;
	}
	if (run && igos_text_add(t, s + i - run, run) < 0)
		return -1;
	if (t->p == NULL)
		return igos_text_add(t, "", 0);
	return 0;
}

char *
igos_escape(const void *p, size_t n, int flags)
{
	struct igos_text t = { 0 };

	if (igos_text_escape(&t, p, n, flags) < 0) {
		free(t.p);
		return NULL;
	}
	return t.p;
}

int
igos_print_escaped(FILE *f, const void *p, size_t n, int flags)
{
	char *s = igos_escape(p, n, flags);
	int rc;

	if (s == NULL)
		return -1;
	rc = fputs(s, f) == EOF ? -1 : 0;
	free(s);
	return rc;
}

int
igos_text_add(struct igos_text *t, const void *p, size_t n)
{
	if (n > SIZE_MAX / 2 - t->len - 1)
		return igos_seterr("out of memory");
	if (t->len + n + 1 > t->cap) {
		size_t ncap = (t->len + n + 1) * 2;
		char *np = realloc(t->p, ncap);

		if (np == NULL)
			return igos_seterr("out of memory");
		t->p = np;
		t->cap = ncap;
	}
	if (n)
		memcpy(t->p + t->len, p, n);
	t->len += n;
	t->p[t->len] = '\0';
	return 0;
}

int
igos_text_printf(struct igos_text *t, const char *fmt, ...)
{
	va_list ap;
	char small[256], *big;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return igos_seterr("cannot format");
	if ((size_t)n < sizeof(small))
		return igos_text_add(t, small, (size_t)n);
	/* longer: formatted again into a buffer of its size */
	if ((big = malloc((size_t)n + 1)) == NULL)
		return igos_seterr("out of memory");
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = igos_text_add(t, big, (size_t)n);
	free(big);
	return rc;
}

int
igos_json_str(struct igos_text *t, const void *p, size_t n)
{
	const unsigned char *s = p;
	char esc[8];

	if (igos_text_add(t, "\"", 1) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		const char *e = NULL;

		if (c == '"')
			e = "\\\"";
		else if (c == '\\')
			e = "\\\\";
		else if (c == '\n')
			e = "\\n";
		else if (c == '\t')
			e = "\\t";
		else if (c == '\r')
			e = "\\r";
		else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			e = esc;
		}
		if (igos_text_add(t, e ? e : (const char *)&s[i], e ? strlen(e) : 1) < 0)
			return -1;
	}
	return igos_text_add(t, "\"", 1);
}

int
igos_utf8_valid(const void *str, size_t len)
{
	const unsigned char *s = str;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_seq(s + i, len - i, &cp)) == 0)
			return 0;
		i += n;
	}
	return 1;
}
