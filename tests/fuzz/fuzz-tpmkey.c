/* TSS2 PRIVATE KEY files (PEM or DER) as every command's -k reads them: what
 * parses is written back and must read the same. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "tpmkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
roundtrip(const struct igos_tpmkey *k)
{
	struct igos_tpmkey again;
	unsigned char *der;
	EVP_PKEY *pk;
	size_t len;

	if ((der = igos_tpmkey_der(k, &len)) != NULL) {
		if (igos_tpmkey_parse_der(&again, der, len) != 0 ||
		    again.parent != k->parent || again.empty_auth != k->empty_auth ||
		    memcmp(&again.pub, &k->pub, sizeof(k->pub)) != 0)
			abort();
		free(der);
	}
	if ((pk = igos_tpmkey_pubkey(k)) != NULL)
		EVP_PKEY_free(pk);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_tpmkey k;

	if (igos_tpmkey_parse_der(&k, data, size) == 0)
		roundtrip(&k);
	if (igos_tpmkey_is_pem((const char *)data, size) &&
	    igos_tpmkey_parse_pem(&k, (const char *)data, size) == 0)
		roundtrip(&k);
	return 0;
}
