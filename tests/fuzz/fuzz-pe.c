/* PE/COFF headers and section table: igos_pe_parse and what reads its result. */
#include "igos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_pe pe;

	if (igos_pe_parse(&pe, data, size) == 0) {
		for (unsigned i = 0; i < pe.nsections; i++) {
			const struct igos_pe_section *s = igos_pe_section(&pe, pe.sec[i].name);
			volatile unsigned char sink = 0;

			/* the parser promised these bytes are inside the buffer */
			if (s != NULL && s->raw_size)
				sink ^= data[s->raw_off] ^ data[s->raw_off + s->raw_size - 1];
			(void)sink;
		}
		(void)igos_pe_checksum(data, size, pe.checksum_off);
	}
	return 0;
}
