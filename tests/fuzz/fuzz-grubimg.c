/* GRUB's "mods" section: every module name is printable and short; the
 * parser never reads outside the input. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "grubimg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_grub_image g;
	unsigned char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (igos_grub_image_parse(&g, copy, size) == 0) {
		for (size_t i = 0; i < g.nmodules; i++)
			if (strlen(g.modules[i]) == 0 || strlen(g.modules[i]) > 64)
				abort();
		igos_grub_image_free(&g);
	}
	free(copy);
	return 0;
}
