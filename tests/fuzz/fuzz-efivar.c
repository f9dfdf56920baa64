/* EFI signature lists (MokNew, MokListRT, db), MokAuth blobs and the
 * sha512-crypt strings igos-mok reads. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "efivar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_esl_entry *e = NULL;
	struct igos_mok_auth a;
	unsigned char packed[IGOS_MOK_AUTH_SIZE];
	size_t n;
	char g[37];

	if (igos_esl_parse(data, size, &e, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			volatile unsigned char sink;

			/* entries must lie inside the input */
			if (e[i].data < data || e[i].data + e[i].len > data + size || e[i].len == 0)
				abort();
			sink = e[i].data[e[i].len - 1] ^ e[i].owner[15] ^ e[i].type[15];
			(void)sink;
			(void)igos_esl_type_name(e[i].type);
			(void)igos_esl_hash_size(e[i].type);
			igos_guid_str(e[i].owner, g);
		}
		free(e);
	}
	if (igos_mok_auth_unpack(data, size, &a) == 0) {
		igos_mok_auth_pack(&a, packed);
		if (memcmp(packed, data, size) != 0)
			abort(); /* the packing is a bijection on what unpacks */
	}
	if (igos_mok_auth_from_crypt((const char *)data, size, &a) == 0)
		igos_mok_auth_pack(&a, packed);
	return 0;
}
