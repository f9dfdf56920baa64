/* The UKI stub's pure helpers (efi/pure.c built for the host): SBAT text,
 * the PE parser, section lookup (in the input taken as a loaded image, and in
 * the image the loader lays out) and the loader with relocations, the
 * LoadOptions conversions and "@N" selector, the profile ranges, the .splash
 * BMP reader, the devicetree header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../efi/pure.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uki_pe pe;
	uint16_t *u;

	(void)uki_sbat_valid((const char *)data, size);
	(void)uki_loadopts_chars(data, size);
	if ((u = malloc((size + 1) * sizeof(*u))) == NULL)
		abort();
	(void)uki_utf8_to_utf16(data, size, u);
	free(u);
	unsigned prof;
	(void)uki_profile_prefix(data, size / 2, &prof);
	(void)uki_fdt_size(data, size);
	struct uki_bmp b;
	if (uki_bmp_parse(data, size, &b) == UKI_OK) {
		uint8_t *row = malloc((size_t)b.width * 4);
		if (row == NULL)
			abort();
		for (uint32_t y = 0; y < b.height; y++)
			uki_bmp_row(data, &b, y, row);
		free(row);
	}
	if (uki_pe_parse(data, size, &pe) == UKI_OK) {
		const uint8_t *p;
		size_t n;

		/* The input taken as a loaded image of its own size, looked up
		 * in PCR 11 order as the stub does. */
		for (unsigned i = 0; i < uki_pcr11_count; i++)
			if (uki_loaded_section(&pe, data, size, uki_pcr11_order[i], &p, &n) == UKI_OK &&
			    n > 0) {
				volatile uint8_t sink = p[0] ^ p[n - 1];
				(void)sink;
			}
		/* Each profile's view, as the stub looks sections up. */
		for (unsigned prof_n = 0; prof_n <= uki_profile_count(&pe); prof_n++)
			for (unsigned i = 0; i < uki_pcr11_count; i++)
				if (uki_profile_section(&pe, data, size, prof_n, uki_pcr11_order[i], &p,
							&n) == UKI_OK && n > 0) {
					volatile uint8_t sink = p[0] ^ p[n - 1];
					(void)sink;
				}
		if (pe.size_of_image <= (1u << 20)) {
			uint8_t *img = calloc(1, pe.size_of_image ? pe.size_of_image : 1);

			if (img == NULL)
				abort();
			if (uki_pe_load(&pe, data, size, img, 0x140000000ull) == UKI_OK)
				for (unsigned i = 0; i < pe.nsections; i++)
					(void)uki_loaded_section(&pe, img, pe.size_of_image,
								 pe.sec[i].name, &p, &n);
			free(img);
		}
	}
	return 0;
}
