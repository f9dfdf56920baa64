/* The firmware's TPM event log as igos-sbkeys enroll reads it: events, the
 * image-load and variable events inside them, device paths as text. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "tpmlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_tpm_event *ev;
	size_t n;
	char text[256];

	if (igos_tpmlog_parse(data, size, &ev, &n) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct igos_image_load il;
		struct igos_tpm_var v;

		if (ev[i].data < data || ev[i].data + ev[i].len > data + size)
			abort();
		if (ev[i].sha256 && (ev[i].sha256 < data || ev[i].sha256 + 32 > data + size))
			abort();
		if (igos_tpmlog_image_load(&ev[i], &il) == 0) {
			if (il.dp + il.dplen > ev[i].data + ev[i].len)
				abort();
			igos_devpath_str(il.dp, il.dplen, text, sizeof(text));
			if (strlen(text) >= sizeof(text))
				abort();
		}
		if (igos_tpmlog_var(&ev[i], &v) == 0 && v.data + v.len > ev[i].data + ev[i].len)
			abort();
	}
	free(ev);
	return 0;
}
