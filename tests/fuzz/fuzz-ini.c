/* The uki.conf INI reader: every string handed to the callback is inside
 * its stated length and NUL-terminated. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
cb(void *ctx, const char *section, size_t slen, const char *key, size_t klen,
   const char *value, size_t vlen, unsigned line)
{
	unsigned *calls = ctx;

	if (strlen(section) != slen || strlen(key) != klen || strlen(value) != vlen ||
	    line == 0 || klen == 0)
		abort();
	return ++*calls > 1000 ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned calls = 0;

	(void)igos_ini_parse((const char *)data, size, cb, &calls);
	return 0;
}
