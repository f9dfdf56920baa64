/* The ESP's partition from a disk's first sectors (MBR or GPT), and the
 * device path of a load option: never a read outside the input; a found
 * GPT partition is given its GUID. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "bootentry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy;
	struct igos_hd hd;
	const unsigned char *dp;
	size_t dplen;

	if (size < 6)
		return 0;
	/* the first bytes pick the partition, start, size and block size */
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (igos_hd_from_disk(copy, size, data[0] & 1 ? 4096 : 512, data[1] % 8, data[2],
	    data[3] * 256u + data[4], &hd) == 0 && hd.mbr_type != 1 && hd.mbr_type != 2)
		abort();
	if (igos_load_option_path(copy, size, &dp, &dplen) == 0 &&
	    (dp < copy || dp + dplen > copy + size))
		abort();
	free(copy);
	return 0;
}
