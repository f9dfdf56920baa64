/* Strict hex and base64 decoders: never crash, and whatever decodes re-encodes to the input. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n;
	unsigned char *d = igos_base64_decode((const char *)data, size, &n);

	if (d != NULL) {
		char *e = igos_base64_encode(d, n);

		if (e == NULL || strlen(e) != size || memcmp(e, data, size) != 0)
			abort(); /* strict decoding means a canonical round trip */
		free(e);
		free(d);
	}
	if ((d = igos_hex_decode_alloc((const char *)data, size, &n)) != NULL)
		free(d);
	return 0;
}
