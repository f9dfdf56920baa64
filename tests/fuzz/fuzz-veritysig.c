/* systemd's verity signature partition JSON: parse anything; what parses
 * is written again and parses to the same root hash and signature. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "verity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char hex[2 * IGOS_MAX_MD + 2], hex2[2 * IGOS_MAX_MD + 2], *j;
	unsigned char *sig, *sig2;
	size_t len, len2;

	(void)igos_verity_sigjson_is(data, size);
	if (igos_verity_sigjson_parse(data, size, hex, sizeof(hex), &sig, &len) < 0)
		return 0;
	if ((j = igos_verity_sigjson_build(hex, sig, len)) == NULL)
		abort();
	if (igos_verity_sigjson_parse((const unsigned char *)j, strlen(j), hex2, sizeof(hex2), &sig2,
				      &len2) < 0)
		abort();
	if (strcmp(hex, hex2) != 0 || len != len2 || memcmp(sig, sig2, len) != 0)
		abort();
	free(j);
	free(sig);
	free(sig2);
	return 0;
}
