/* INI reader for uki.conf-style files (see ini.h). */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "ini.h"

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Trim [*b, *e) of blanks on both sides. */
static void
trim(const char **b, const char **e)
{
	while (*b < *e && is_blank(**b))
		(*b)++;
	while (*e > *b && is_blank((*e)[-1]))
		(*e)--;
}

/* Cut an inline comment: a '#' preceded by a blank. */
static const char *
cut_comment(const char *b, const char *e)
{
	for (const char *p = b + 1; p < e; p++)
		if (*p == '#' && is_blank(p[-1]))
			return p;
	return e;
}

int
igos_ini_parse(const char *data, size_t len, igos_ini_cb cb, void *ctx)
{
	const char *p = data, *end = data + len;
	struct igos_text sec = {0}, key = {0}, val = {0};
	int have_sec = 0, have_key = 0, rc = -1;
	unsigned line = 0, key_line = 0;

	if (len > 0 && memchr(data, '\0', len) != NULL) {
		const char *z = memchr(data, '\0', len);
		unsigned n = 1;

		for (const char *q = data; q < z; q++)
			n += *q == '\n';
		igos_seterr("line %u: NUL byte", n);
		goto out;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *b = p, *e = nl ? nl : end;
		int indented;

		p = nl ? nl + 1 : end;
		line++;
		indented = b < e && is_blank(*b);
		trim(&b, &e);
		if (b == e) {
			/* a blank line ends a value (configparser: no empty lines in values) */
			goto flush;
		}
		if (*b == '#' || *b == ';')
			continue;
		if (indented && have_key) {
			e = cut_comment(b, e);
			trim(&b, &e);
			if (igos_text_add(&val, "\n", 1) < 0 || igos_text_add(&val, b, (size_t)(e - b)) < 0)
				goto out;
			continue;
		}
		if (have_key) {
			if (cb(ctx, sec.p, sec.len, key.p, key.len, val.p, val.len, key_line) < 0)
				goto out;
			have_key = 0;
		}
		if (*b == '[') {
			const char *c = memchr(b, ']', (size_t)(e - b));
			const char *nb = b + 1;

			if (c == NULL || c == nb) {
				igos_seterr("line %u: bad section header", line);
				goto out;
			}
			sec.len = 0;
			if (igos_text_add(&sec, nb, (size_t)(c - nb)) < 0)
				goto out;
			have_sec = 1;
			continue;
		}
		{
			const char *eq = memchr(b, '=', (size_t)(e - b));
			const char *kb = b, *ke = eq, *vb, *ve;

			if (eq == NULL) {
				igos_seterr("line %u: expected KEY=VALUE", line);
				goto out;
			}
			if (!have_sec) {
				igos_seterr("line %u: setting outside a [section]", line);
				goto out;
			}
			trim(&kb, &ke);
			if (kb == ke) {
				igos_seterr("line %u: empty key", line);
				goto out;
			}
			vb = eq + 1;
			ve = e;
			ve = vb < ve ? cut_comment(vb - 1, ve) : ve;
			trim(&vb, &ve);
			key.len = val.len = 0;
			if (igos_text_add(&key, kb, (size_t)(ke - kb)) < 0 ||
			    igos_text_add(&val, "", 0) < 0 || igos_text_add(&val, vb, (size_t)(ve - vb)) < 0)
				goto out;
			have_key = 1;
			key_line = line;
		}
		continue;
flush:
		if (have_key) {
			if (cb(ctx, sec.p, sec.len, key.p, key.len, val.p, val.len, key_line) < 0)
				goto out;
			have_key = 0;
		}
	}
	if (have_key && cb(ctx, sec.p, sec.len, key.p, key.len, val.p, val.len, key_line) < 0)
		goto out;
	rc = 0;
out:
	free(sec.p);
	free(key.p);
	free(val.p);
	return rc;
}
