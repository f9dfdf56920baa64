/* Signing requests and the signatures that answer them: the strict parsers,
 * and what a parsed request gives (its key, its text written back, which
 * must parse to the same request; an efi-auth request's signed bundle). */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "request.h"
#include "sbvar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_req r, back;
	struct igos_rsig s;
	struct igos_text t = { 0 };

	if (igos_req_parse(&r, data, size) == 0) {
		EVP_PKEY *k = igos_req_pubkey(&r);

		EVP_PKEY_free(k);
		/* a parsed request writes back to the very same bytes */
		if (igos_req_format(&r, &t) < 0 || t.len != size || memcmp(t.p, data, size) != 0 ||
		    igos_req_parse(&back, (const unsigned char *)t.p, t.len) < 0 ||
		    !igos_req_equal(&r, &back))
			abort();
		igos_req_free(&back);
		free(t.p);
		for (unsigned i = 0; i < r.nitems; i++)
			(void)igos_req_verify_item(&r, i, data, size > 64 ? 64 : size);
		/* an efi-auth request's fields make the bundle attach hashes */
		if (r.kind == IGOS_REQ_EFIAUTH) {
			unsigned char h[32];

			if (igos_sbvar_digest(r.var, r.guid, r.attr, r.time, data, size, h) < 0)
				abort();
		}
	}
	igos_req_free(&r);
	if (igos_rsig_parse(&s, data, size) == 0) {
		struct igos_text u = { 0 };

		if (igos_rsig_format(&s, &u) < 0 || u.len != size || memcmp(u.p, data, size) != 0)
			abort();
		free(u.p);
	}
	igos_rsig_free(&s);
	return 0;
}
