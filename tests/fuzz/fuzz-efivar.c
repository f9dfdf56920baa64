/* EFI signature lists (MokNew, MokListRT, db), MokAuth blobs and the
 * sha512-crypt strings igos-mok reads; the request edits it makes on a list
 * it read (remove an entry, add a hash) must leave a list that parses. */
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
		if (n > 0) {
			unsigned char *out, *buf;
			struct igos_esl_entry *e2;
			size_t outlen, n2, blen = size;
			static const unsigned char h[32] = { 1 };

			if (igos_esl_remove(data, size, e, n, n - 1, &out, &outlen) < 0 ||
			    igos_esl_parse(out, outlen, &e2, &n2) < 0 || n2 >= n)
				abort(); /* removing one entry leaves a smaller valid list */
			free(e2);
			free(out);
			if ((buf = malloc(size)) == NULL)
				abort();
			memcpy(buf, data, size);
			if (igos_esl_add_hash(&buf, &blen, igos_guid_cert_sha256, igos_guid_shim, h,
					      32) < 0 ||
			    igos_esl_parse(buf, blen, &e2, &n2) < 0 || n2 != n + 1)
				abort(); /* adding a hash adds exactly one entry */
			free(e2);
			free(buf);
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
	{
		uint32_t state, pwlen;

		(void)igos_mok_toggle_unpack(data, size, &state, &pwlen);
	}
	return 0;
}
