/* lib/sbat.c at its edges: the generations igos-bootcheck takes as exactly
 * written, and a UTF-8 byte order mark at the start of the text. */
#include <stdlib.h>

#include "igos.h"
#include "sbat.h"
#include "unit.h"

/* a literal and its length, embedded NULs included */
#define T(s) s, sizeof(s) - 1

static struct igos_sbat s;

static int
row(const char *t, size_t len)
{
	igos_sbat_free(&s);
	if (igos_sbat_parse(&s, t, len) < 0) {
		printf("# %s\n", igos_errmsg());
		return 0;
	}
	return 1;
}

int
main(void)
{
	OK(row(T("a,0,v,p,1,u\n")) && s.n == 1 && s.e[0].gen == 0 && s.e[0].gen_exact,
	   "generation 0: exact");
	OK(row(T("a,9,v,p,1,u\n")) && s.e[0].gen == 9 && s.e[0].gen_exact, "generation 9: exact");
	OK(row(T("a,90,v,p,1,u\n")) && s.e[0].gen == 90 && s.e[0].gen_exact, "generation 90: exact");
	OK(row(T("a,/1,v,p,1,u\n")) && s.e[0].gen == 0 && !s.e[0].gen_exact, "'/' (before '0'): not exact");
	OK(row(T("a,:1,v,p,1,u\n")) && s.e[0].gen == 0 && !s.e[0].gen_exact, "':' (after '9'): not exact");

	OK(row(T("\xef\xbb\xbf")) && s.n == 0, "a byte order mark alone: no rows");
	OK(row(T("\xef\xbb\xbf" "a,1,v,p,1,u\n")) && s.n == 1 &&
	   strcmp(s.e[0].f[IGOS_SBAT_COMPONENT], "a") == 0,
	   "after a byte order mark the first component is 'a', without the mark");
	OK(row(T("\xef\xbb")) == 0 && strstr(igos_errmsg(), "line 1: 1 of the 6 fields"),
	   "two bytes of a byte order mark are text");

	/* which rows refused the image: both reported */
	struct igos_sbat lvl;
	size_t ir = 99, lr = 99;
	OK(row(T("igos,1,I,igos,1,u\ngrub,4,F,grub,2.06,u\n")) &&
	   igos_sbat_level_parse(&lvl, T("sbat,1,2025021800\nshim,4\ngrub,5\n")) == 0 &&
	   igos_sbat_check(&s, &lvl, &ir, &lr) == 1 && ir == 1 && lr == 2,
	   "grub,4 under grub,5: image row 2, level row 3");
	igos_sbat_free(&lvl);
	igos_sbat_free(&s);
	return DONE();
}
