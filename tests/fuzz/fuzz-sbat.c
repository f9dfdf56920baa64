/* SBAT as shim reads it: .sbat rows, SbatLevel rows, the comparison, the
 * .sbatlevel section and shim's keep-or-replace rule for SbatLevel. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "sbat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* every parsed field is a non-empty string inside the parser's copy */
static void
check_rows(const struct igos_sbat *s, size_t size, size_t need)
{
	for (size_t i = 0; i < s->n; i++)
		for (size_t c = 0; c < IGOS_SBAT_COLUMNS; c++) {
			const char *f = s->e[i].f[c];

			if (f == NULL) {
				if (c < need)
					abort();
				continue;
			}
			if (f < s->text || f > s->text + size || f[0] == '\0' ||
			    strlen(f) > (size_t)(s->text + size - f))
				abort();
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_sbat img, lvl;
	struct igos_sbatlevel sl;
	int have_img, have_lvl;
	size_t half = size / 2;

	have_img = igos_sbat_parse(&img, data, size) == 0;
	if (have_img)
		check_rows(&img, size, IGOS_SBAT_COLUMNS);
	have_lvl = igos_sbat_level_parse(&lvl, data, size) == 0;
	if (have_lvl)
		check_rows(&lvl, size, 2);
	if (have_img && have_lvl) {
		size_t i = 0, j = 0;

		/* the text judged against itself read as a level: a refusal
		 * names two rows whose generations are in that order */
		if (igos_sbat_check(&img, &lvl, &i, &j) == 1 &&
		    (i >= img.n || j >= lvl.n || img.e[i].gen >= lvl.e[j].gen))
			abort();
	}
	if (have_img)
		igos_sbat_free(&img);
	if (have_lvl)
		igos_sbat_free(&lvl);
	if (igos_sbatlevel_parse(data, size, &sl) == 0) {
		if (sl.previous < (const char *)data || sl.previous + sl.previous_len >= (const char *)data + size ||
		    sl.latest < (const char *)data || sl.latest + sl.latest_len >= (const char *)data + size)
			abort();
		(void)igos_sbat_level_kept(sl.previous, sl.previous_len, sl.latest, sl.latest_len);
	}
	(void)igos_sbat_level_kept(data, half, (const char *)data + half, size - half);
	return 0;
}
