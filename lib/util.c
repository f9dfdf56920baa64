/* Small helpers every command uses. */
#include <errno.h>
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
