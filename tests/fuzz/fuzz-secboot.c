/* igos-bootcheck's parsers: boot entries (EFI_LOAD_OPTION, device paths),
 * BootOrder, shim's .vendor_cert table, trust stores from signature lists,
 * and long section names through the COFF string table. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "secboot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_loadopt lo;
	struct igos_shim_vendor v;
	struct igos_sb_store st;
	struct igos_pe pe;
	uint16_t *ids;
	size_t n;

	if (igos_loadopt_parse(data, size, &lo) == 0) {
		if (lo.optional < data || lo.optional + lo.optlen != data + size)
			abort();
		if (strlen(lo.path) >= sizeof(lo.path) || strlen(lo.desc) >= sizeof(lo.desc))
			abort();
		if (lo.kind == IGOS_LO_FILE && (lo.path[0] == '\0' || lo.path[0] == '/'))
			abort();
	}
	if (igos_bootorder_parse(data, size, &ids, &n) == 0) {
		if (n != size / 2)
			abort();
		free(ids);
	}
	if (igos_shim_vendor_parse(data, size, &v) == 0) {
		if ((v.auth && (v.auth < data || v.auth + v.authlen > data + size)) ||
		    (v.deauth && (v.deauth < data || v.deauth + v.deauthlen > data + size)))
			abort();
		if (v.auth && igos_sb_store_esl(&st, "a", v.auth, v.authlen) == 0)
			igos_sb_store_free(&st);
	}
	if (igos_sb_store_esl(&st, "db", data, size) == 0) {
		for (size_t i = 0; i < st.n; i++)
			if (st.s[i].data < st.raw || st.s[i].data + st.s[i].len > st.raw + st.rawlen)
				abort();
		igos_sb_store_free(&st);
	}
	if (igos_pe_parse(&pe, data, size) == 0) {
		(void)igos_pe_section(&pe, ".vendor_cert");
		(void)igos_pe_section(&pe, ".sbatlevel");
	}
	return 0;
}
