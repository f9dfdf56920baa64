/*
 * SBAT: an image's .sbat rows, SbatLevel rows, shim's comparison and its
 * SbatLevel update rule. See sbat.h; the rules were read from shim 16.1
 * (csv.c, sbat.c, pe.c, verify.c, sbat_var.S) and are written here anew.
 */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "sbat.h"

/* shim's SBAT_VAR_ORIGINAL, "sbat,1,2021030218\n": a kept level is at least
 * this long; its datestamp is the width compared. */
#define SBAT_ORIGINAL_LEN 18
#define SBAT_DATESTAMP_LEN 10

static uint16_t
sbat_gen(const char *s, int *exact)
{
	uint64_t v = 0; /* shim accumulates in UINTN and stores 16 bits */
	const char *p = s;

	while (*p == ' ' || *p == '\t')
		p++;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (uint64_t)(*p++ - '0');
	/* exact: digits only, no leading zero, at most 65535 */
	*exact = *p == '\0' && s[0] >= '0' && s[0] <= '9' && (s[0] != '0' || s[1] == '\0') &&
		 p - s <= 5 && v <= 0xffff;
	return (uint16_t)v;
}

/*
 * Split one row (NUL-terminated at row[len]) into at most `cols` columns the
 * way shim's tokenizer does: no comma at all gives no column; otherwise the
 * fields between commas, the last taken column ending at the next comma.
 */
static size_t
split_row(char *row, size_t len, const char *f[], size_t cols)
{
	size_t n = 0;
	char *p = row, *end = row + len;

	if (memchr(row, ',', len) == NULL)
		return 0;
	while (n < cols) {
		char *c = memchr(p, ',', (size_t)(end - p));

		f[n++] = p;
		if (c == NULL)
			break;
		*c = '\0';
		p = c + 1;
	}
	return n;
}

static int
add_row(struct igos_sbat *s, const char *f[], size_t ncol, unsigned line)
{
	struct igos_sbat_entry *e;

	if (s->n % 16 == 0) {
		struct igos_sbat_entry *ne;

		if (s->n > SIZE_MAX / sizeof(*ne) - 16)
			return igos_seterr("out of memory");
		ne = realloc(s->e, (s->n + 16) * sizeof(*ne));
		if (ne == NULL)
			return igos_seterr("out of memory");
		s->e = ne;
	}
	e = &s->e[s->n++];
	memset(e, 0, sizeof(*e));
	for (size_t i = 0; i < ncol; i++)
		e->f[i] = f[i];
	e->gen = sbat_gen(f[IGOS_SBAT_GENERATION], &e->gen_exact);
	e->line = line;
	return 0;
}

/*
 * shim's CSV reader: `need` columns required, `cols` taken. The text is
 * copied with a NUL after it, as shim appends one to the section and to a
 * variable's data before parsing.
 */
static int
sbat_parse(struct igos_sbat *s, const void *data, size_t len, size_t need, size_t cols,
	   const char *what)
{
	char *t;
	size_t pos = 0, last = len; /* t[last] is the appended NUL */
	unsigned line = 1;

	memset(s, 0, sizeof(*s));
	if (len == SIZE_MAX)
		return igos_seterr("%s too large", what);
	t = malloc(len + 1);
	if (t == NULL)
		return igos_seterr("out of memory");
	if (len)
		memcpy(t, data, len);
	t[len] = '\0';
	s->text = t;
	if (len >= 3 && memcmp(t, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos <= last && t[pos] != '\0') {
		size_t e;
		const char *f[IGOS_SBAT_COLUMNS];
		size_t ncol;
		int eof;
		char endc;

		while (pos < last && (t[pos] == '\r' || t[pos] == '\n')) {
			if (t[pos] == '\n')
				line++;
			pos++;
		}
		for (e = pos; e < last && t[e] != '\0' && t[e] != '\r' && t[e] != '\n'; e++)
			;
		endc = t[e];
		eof = endc == '\0';
		if (pos == last || e == pos) {
			/* An empty row: shim steps over the byte that ended it,
			 * which can be a NUL with text after it. */
			pos = e + 1;
			continue;
		}
		t[e] = '\0';
		ncol = split_row(t + pos, e - pos, f, cols);
		if (ncol < need) {
			igos_seterr("%s line %u: %zu of the %zu fields shim requires", what, line,
				    ncol == 0 ? (size_t)1 : ncol, need);
			goto fail;
		}
		for (size_t i = 0; i < ncol; i++)
			if (f[i][0] == '\0') {
				igos_seterr("%s line %u: field %zu is empty", what, line, i + 1);
				goto fail;
			}
		if (add_row(s, f, ncol, line) < 0)
			goto fail;
		if (eof)
			break;
		if (endc == '\n')
			line++;
		pos = e + 1;
	}
	return 0;
fail:
	igos_sbat_free(s);
	return -1;
}

int
igos_sbat_parse(struct igos_sbat *s, const void *data, size_t len)
{
	return sbat_parse(s, data, len, IGOS_SBAT_COLUMNS, IGOS_SBAT_COLUMNS, "SBAT");
}

int
igos_sbat_level_parse(struct igos_sbat *s, const void *data, size_t len)
{
	return sbat_parse(s, data, len, 2, 3, "SbatLevel");
}

void
igos_sbat_free(struct igos_sbat *s)
{
	free(s->e);
	free(s->text);
	memset(s, 0, sizeof(*s));
}

int
igos_sbat_check(const struct igos_sbat *img, const struct igos_sbat *lvl,
		size_t *img_row, size_t *lvl_row)
{
	for (size_t i = 0; i < img->n; i++) {
		for (size_t j = 0; j < lvl->n; j++) {
			if (strcmp(img->e[i].f[IGOS_SBAT_COMPONENT],
				   lvl->e[j].f[IGOS_SBAT_COMPONENT]) != 0)
				continue;
			if (img->e[i].gen < lvl->e[j].gen) {
				if (img_row)
					*img_row = i;
				if (lvl_row)
					*lvl_row = j;
				return 1;
			}
			break; /* the first matching level row decides */
		}
	}
	return 0;
}

int
igos_sbat_find(const struct igos_pe *pe, const unsigned char **data, size_t *len)
{
	const unsigned char *found = NULL;
	size_t flen = 0;

	for (unsigned i = 0; i < pe->nsections; i++) {
		const struct igos_pe_section *s = &pe->sec[i];
		const unsigned char *h = pe->data + s->hdr_off;

		if (memcmp(h, ".sbat\0\0\0", 8) != 0)
			continue;
		/* shim counts only a .sbat it took: one it ignored does not
		 * make a second one "multiple" */
		if (found != NULL)
			return igos_seterr("two .sbat sections");
		/* PointerToRelocations and NumberOfRelocations */
		if (igos_le32(h + 24) != 0 || igos_le16(h + 32) != 0)
			return igos_seterr(".sbat section has relocations");
		if (s->raw_size == 0 || s->raw_size < s->vsize)
			continue; /* shim ignores it */
		if ((uint64_t)s->raw_off + s->raw_size > pe->len)
			return igos_seterr(".sbat section past end of file");
		found = pe->data + s->raw_off;
		flen = s->raw_size;
	}
	if (found == NULL)
		return IGOS_SBAT_NONE;
	*data = found;
	*len = flen;
	return 0;
}

int
igos_sbatlevel_parse(const unsigned char *sec, size_t len, struct igos_sbatlevel *out)
{
	uint32_t ver, off[2];
	const char *p[2];
	size_t n[2];

	if (len < 12)
		return igos_seterr(".sbatlevel section too short (%zu bytes)", len);
	ver = igos_le32(sec);
	if (ver != 0)
		return igos_seterr(".sbatlevel format version %u unknown", ver);
	off[0] = igos_le32(sec + 4);
	off[1] = igos_le32(sec + 8);
	for (int i = 0; i < 2; i++) {
		const unsigned char *z;

		if (off[i] < 8 || off[i] >= len - 4)
			return igos_seterr(".sbatlevel offset %u out of range", off[i]);
		p[i] = (const char *)sec + 4 + off[i];
		z = memchr(p[i], '\0', len - 4 - off[i]);
		if (z == NULL)
			return igos_seterr(".sbatlevel text not terminated");
		n[i] = (size_t)((const char *)z - p[i]);
	}
	out->previous = p[0];
	out->previous_len = n[0];
	out->latest = p[1];
	out->latest_len = n[1];
	return 0;
}

/* shim's nth_sbat_field: the index where field n starts (or where the text ends). */
static size_t
nth_field(const char *s, size_t limit, int n)
{
	size_t i;

	for (i = 0; i < limit && s[i] != '\0'; i++) {
		if (n == 0)
			return i;
		if (s[i] == ',')
			n--;
	}
	return i;
}

int
igos_sbat_level_kept(const void *cur, size_t curlen, const char *cand, size_t candlen)
{
	char *c, *w;
	size_t cv, cd, nv, nd, wlen;
	long clen, nlen;
	int keep;

	if (curlen < SBAT_ORIGINAL_LEN || memcmp(cur, "sbat,", 5) != 0)
		return 0;
	/* both NUL-terminated, as shim has them */
	c = malloc(curlen + 1);
	w = malloc(candlen + 1);
	if (c == NULL || w == NULL) {
		free(c);
		free(w);
		return 0;
	}
	memcpy(c, cur, curlen);
	c[curlen] = '\0';
	memcpy(w, cand, candlen);
	w[candlen] = '\0';
	wlen = strlen(w);
	cv = nth_field(c, curlen, 1);
	cd = nth_field(c, curlen, 2);
	nv = nth_field(w, wlen + 1, 1);
	nd = nth_field(w, wlen + 1, 2);
	clen = (long)cd - (long)cv - 1;
	nlen = (long)nd - (long)nv - 1;
	keep = clen > nlen ||
	       (clen == nlen && strncmp(c + cv, w + nv, nlen < 0 ? SIZE_MAX : (size_t)nlen) > 0) ||
	       strncmp(c + cd, w + nd, SBAT_DATESTAMP_LEN) >= 0;
	free(c);
	free(w);
	return keep;
}
