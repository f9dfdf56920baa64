/* .pcrsig JSON as igos-measure verify and the stub's consumers read it. */
#include "igos.h"
#include "pcr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_pcrsig ps;

	if (igos_pcrsig_parse(&ps, (const char *)data, size) == 0)
		igos_pcrsig_free(&ps);
	return 0;
}
