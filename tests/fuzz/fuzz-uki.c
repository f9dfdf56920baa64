/* What igos-ukify reads from others' files: the profiles of a UKI (its PE
 * section table, the .profile fields) and the .hwids device descriptions
 * (JSON), laid out as the stub reads them. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "uki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
profiles(const uint8_t *data, size_t size)
{
	struct igos_pe pe;
	struct igos_uki_profiles *p;

	if (igos_pe_parse(&pe, data, size) < 0 || (p = malloc(sizeof(*p))) == NULL)
		return;
	if (igos_uki_profiles(&pe, p) == 0) {
		unsigned n = p->n ? p->n : 1;

		if (p->base_end > pe.nsections)
			abort();
		for (unsigned k = 0; k < n; k++) {
			int idx = igos_uki_profile_section(&pe, p, k, ".cmdline");

			/* a section found is the profile's own or the base's */
			if (idx >= 0 && (unsigned)idx >= p->base_end &&
			    (p->n == 0 || (unsigned)idx <= p->first[k] || (unsigned)idx >= p->end[k]))
				abort();
			if (p->n) {
				const struct igos_pe_section *s = &pe.sec[p->first[k]];
				size_t have = s->raw_size < s->vsize ? s->raw_size : s->vsize;
				char *id = igos_uki_profile_field(data + s->raw_off, have, "ID");

				if (strcmp(s->name, ".profile") != 0)
					abort();
				free(id);
			}
		}
	}
	free(p);
}

/* The input cut at each 0x1e byte: up to four files of device descriptions. */
static void
hwids(const uint8_t *data, size_t size)
{
	char *texts[4];
	size_t lens[4], n = 0, at = 0;
	const char *what[4] = { "a", "b", "c", "d" };
	unsigned char *out = NULL;
	size_t len = 0;

	while (n < 4 && at <= size) {
		const uint8_t *e = memchr(data + at, 0x1e, size - at);
		size_t l = e ? (size_t)(e - (data + at)) : size - at;

		if ((texts[n] = malloc(l + 1)) == NULL)
			break;
		memcpy(texts[n], data + at, l);
		texts[n][l] = '\0';
		lens[n++] = l;
		at += l + 1;
		if (e == NULL)
			break;
	}
	if (igos_uki_hwids((const char *const *)texts, lens, what, n, &out, &len) == 0) {
		size_t k = 0;

		/* entries up to a zero one, each pointing at a string that ends
		 * inside the section */
		for (;; k += 28) {
			uint32_t d, on, oc;

			if (k + 28 > len)
				abort();
			d = igos_le32(out + k);
			if (d == 0)
				break;
			on = igos_le32(out + k + 20);
			oc = igos_le32(out + k + 24);
			if ((d & 0x0fffffff) != 28 || on >= len || oc >= len ||
			    memchr(out + on, 0, len - on) == NULL || memchr(out + oc, 0, len - oc) == NULL)
				abort();
		}
		free(out);
	}
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v;

	profiles(data, size);
	hwids(data, size);
	v = igos_uki_profile_field(data, size, "TITLE");
	free(v);
	return 0;
}
