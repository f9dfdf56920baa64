/* .pcrsig JSON as igos-measure verify and the stub's consumers read it, and
 * policy-digest files (no "sig", "pkfp" optional) as sign --policy-digest and
 * attach --pcrsig read them and write them back. */
#include <stdlib.h>

#include "igos.h"
#include "pcr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_pcrsig ps;

	if (igos_pcrsig_parse(&ps, (const char *)data, size) == 0)
		igos_pcrsig_free(&ps);
	if (igos_pcrsig_parse_ex(&ps, (const char *)data, size,
				 IGOS_PCRSIG_PKFP_OPTIONAL | IGOS_PCRSIG_SIG_OPTIONAL) == 0) {
		free(igos_pcrsig_format(&ps));
		igos_pcrsig_free(&ps);
	}
	return 0;
}
