/* PE/COFF headers and section table: igos_pe_parse and what reads its result
 * (the PCR 11 reading of a UKI's profiles, the PCR 12 reading of an addon). */
#include "igos.h"
#include "pcr.h"

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
	{
		struct igos_pcr_input in;
		struct igos_pcr_addon ad = { "fuzz", data, size };
		unsigned char v[IGOS_BANK_N][IGOS_MAX_MD];
		/* the profile from the last byte, so that each is reached */
		unsigned profile = size ? data[size - 1] % 4 : 0;

		igos_pcr_input_init(&in, 1u << IGOS_BANK_SHA256);
		(void)igos_pcr_input_from_uki_profile(&in, data, size, 0, profile, NULL);
		(void)igos_pcr12_predict(1u << IGOS_BANK_SHA256, profile, " a\tb ", &ad, 1, v);
	}
	return 0;
}
