/* The stub's hardware matching (efi/chid.c built for the host): the SMBIOS
 * entry points and structure walk, CHIDs, the .hwids lookup, the devicetree
 * compatible and .efifw fwid readers, and the .dtbauto/.efifw pick of every
 * profile of the input taken as a loaded UKI. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../efi/pure.c"
#include "../../efi/chid.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static chid_t chids[CHID_COUNT];
	struct chid_smbios f;
	uint64_t addr;
	uint32_t len;
	const char *s;

	(void)chid_smbios_entry(data, size, 1, &addr, &len);
	(void)chid_smbios_entry(data, size, 0, &addr, &len);
	chid_smbios_read(data, size, &f);
	for (int i = 0; i < CHID_NFIELDS; i++)
		if (f.s[i] != NULL && f.len[i] > 0) {
			volatile char sink = f.s[i][0] ^ f.s[i][f.len[i] - 1];
			(void)sink;
		}
	chid_compute(&f, chids);
	for (uint32_t t = CHID_TYPE_DEVICETREE; t <= CHID_TYPE_UEFI_FW; t++)
		if (chid_match(data, size, (const chid_t *)chids, t, &s) == CHID_MATCH && strlen(s) > size)
			abort();
	if ((s = chid_fdt_compatible(data, size)) != NULL && strlen(s) >= size)
		abort();
	if ((s = chid_efifw_fwid(data, size)) != NULL && strlen(s) >= size)
		abort();

	/* the input as a loaded UKI; the machine: the CHIDs above, and with a
	 * firmware devicetree whose compatible is the input's own */
	struct uki_pe pe;
	if (uki_pe_parse(data, size, &pe) == UKI_OK) {
		struct chid_machine m[2] = { { (const chid_t *)chids, 0, NULL },
					     { (const chid_t *)chids, 1, chid_fdt_compatible(data, size) } };
		unsigned n = uki_profile_count(&pe);
		for (unsigned k = 0; k < 2; k++)
			for (unsigned p = 0; p <= n; p++) {
				const uint8_t *d;
				size_t l;
				int bad;
				if (uki_profile_pick(&pe, data, size, p == n ? UKI_PROFILE_BASE : p, ".dtbauto", &m[k],
						     &d, &l, &bad) == UKI_OK && d != NULL &&
				    (d < data || l > size || (size_t)(d - data) > size - l))
					abort();
				if (uki_profile_pick(&pe, data, size, p == n ? UKI_PROFILE_BASE : p, ".efifw", &m[k],
						     &d, &l, &bad) == UKI_OK && d != NULL &&
				    (d < data || l > size || (size_t)(d - data) > size - l))
					abort();
			}
	}
	return 0;
}
