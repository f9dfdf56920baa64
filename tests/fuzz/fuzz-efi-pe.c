/* The UKI stub's pure logic (efi/pure.c) on arbitrary bytes: PE parse, section
 * lookup in a "loaded" buffer, PE load with relocations, LoadOptions text and
 * UTF-8 conversion. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../efi/pure.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct uki_pe pe;
	const uint8_t *d;
	size_t n;

	if (uki_pe_parse(data, size, &pe) == UKI_OK) {
		/* The input taken as a loaded image of its own size. */
		for (unsigned i = 0; i < uki_pcr11_count; i++)
			if (uki_loaded_section(&pe, data, size, uki_pcr11_order[i], &d, &n) == UKI_OK &&
			    n > 0) {
				volatile uint8_t sink = d[0] ^ d[n - 1];
				(void)sink;
			}
		/* Loaded as a kernel, into an exact-size buffer (capped). */
		if (pe.size_of_image <= (16u << 20)) {
			uint8_t *dst = calloc(1, pe.size_of_image ? pe.size_of_image : 1);
			if (dst != NULL) {
				(void)uki_pe_load(&pe, data, size, dst, 0x12345000);
				free(dst);
			}
		}
	}
	(void)uki_loadopts_chars(data, size);
	uint16_t *out = malloc((size + 1) * sizeof(uint16_t));
	if (out != NULL) {
		(void)uki_utf8_to_utf16(data, size, out);
		free(out);
	}
	(void)uki_sbat_valid((const char *)data, size);
	return 0;
}
