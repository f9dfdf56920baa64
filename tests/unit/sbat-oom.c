/* lib/sbat.c out of memory: each allocation (wrapped at link time:
 * mk/sbat.mk) fails in turn while a .sbat, a SbatLevel and shim's keep-or-
 * replace rule are read. A parse fails with "out of memory" and leaves an
 * empty result (nothing half-read, no leak); the update rule, which cannot
 * report an error, answers "replaced", as shim writes its own level when it
 * cannot compare. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "sbat.h"
#include "unit.h"

static long fail_at, calls;

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);

void *
__wrap_malloc(size_t n)
{
	return fail_at && ++calls == fail_at ? NULL : __real_malloc(n);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return fail_at && ++calls == fail_at ? NULL : __real_realloc(p, n);
}

#define T(s) s, sizeof(s) - 1

int
main(void)
{
	struct igos_sbat s;
	char big[17 * 12 + 1];
	static const char level[] = "sbat,1,2024010900\nshim,4\ngrub,3\n";

	/* 17 rows: the row array grows twice */
	big[0] = '\0';
	for (int i = 0; i < 17; i++)
		strcat(big, "a,1,v,p,1,u\n");
	for (long k = 1; k <= 3; k++) {
		int rc;

		fail_at = k;
		calls = 0;
		rc = igos_sbat_parse(&s, big, strlen(big));
		OK(rc < 0 && !strcmp(igos_errmsg(), "out of memory") && s.n == 0 && s.e == NULL &&
		   s.text == NULL, "SBAT of 17 rows, allocation %ld fails: out of memory, nothing kept",
		   k);
	}
	fail_at = 4;
	calls = 0;
	OK(igos_sbat_parse(&s, big, strlen(big)) == 0 && s.n == 17 && calls == 3,
	   "SBAT of 17 rows: three allocations");
	igos_sbat_free(&s);
	for (long k = 1; k <= 2; k++) {
		fail_at = k;
		calls = 0;
		OK(igos_sbat_level_parse(&s, T(level)) < 0 && !strcmp(igos_errmsg(), "out of memory") &&
		   s.n == 0 && s.e == NULL && s.text == NULL,
		   "SbatLevel, allocation %ld fails: out of memory, nothing kept", k);
	}
	fail_at = 0;
	OK(igos_sbat_level_parse(&s, T(level)) == 0 && s.n == 3, "SbatLevel without a fault");
	igos_sbat_free(&s);

	/* keep-or-replace: kept without a fault, replaced when it cannot compare */
	fail_at = 0;
	OK(igos_sbat_level_kept(T("sbat,1,2024010900\n"), T("sbat,1,2023012900\n")) == 1,
	   "a newer SbatLevel is kept");
	for (long k = 1; k <= 2; k++) {
		fail_at = k;
		calls = 0;
		OK(igos_sbat_level_kept(T("sbat,1,2024010900\n"), T("sbat,1,2023012900\n")) == 0,
		   "allocation %ld of the rule fails: replaced", k);
	}
	fail_at = 0;
	return DONE();
}
