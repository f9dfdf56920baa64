/* SPDX license expressions, UTF-8 and SPDXIDs: never crash; an accepted
 * expression's normal form is accepted again, unchanged, with the same tree. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "spdx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *norm, *full, *norm2, *full2, *full3, *id;

	norm = igos_spdx_license(s, size, 0);
	full = igos_spdx_license(s, size, 1);
	if ((norm == NULL) != (full == NULL))
		abort();
	if (norm != NULL) {
		norm2 = igos_spdx_license(norm, strlen(norm), 0);
		full2 = igos_spdx_license(norm, strlen(norm), 1);
		full3 = igos_spdx_license(full, strlen(full), 1);
		if (norm2 == NULL || full2 == NULL || full3 == NULL ||
		    strcmp(norm2, norm) != 0 || strcmp(full2, full) != 0 ||
		    strcmp(full3, full) != 0)
			abort();
		free(norm2);
		free(full2);
		free(full3);
	}
	free(norm);
	free(full);
	(void)igos_utf8_valid(s, size);
	if ((id = igos_spdx_id("SPDXRef-File-", s, size)) != NULL) {
		if (strlen(id) != 13 + size || strspn(id + 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789.-") != 5 + size)
			abort();
		free(id);
	}
	return 0;
}
