/* Build-time check and fix-up of an EFI image made by objcopy: PE32+ x86-64
 * EFI application, every section on a 4 KiB boundary, no COFF symbol table;
 * sets NX-compat in DllCharacteristics and recomputes the checksum. */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "igos.h"

#define PAGE 0x1000u
#define NX_COMPAT 0x0100u

int
main(int argc, char **argv)
{
	struct igos_buf b;
	struct igos_pe pe;
	int need_sbat = 0;
	unsigned char *img;

	if (argc == 3 && strcmp(argv[1], "--sbat") == 0) {
		need_sbat = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: efi-fixup [--sbat] FILE.efi\n");
		return 2;
	}
	if (igos_buf_read(&b, argv[1], 64u << 20) < 0)
		errx(1, "%s", igos_errmsg());
	if (igos_pe_parse(&pe, b.data, b.len) < 0)
		errx(1, "%s: %s", argv[1], igos_errmsg());
	if (!pe.pe32plus || pe.machine != 0x8664 || pe.subsystem != 10)
		errx(1, "%s: not a PE32+ x86-64 EFI application", argv[1]);
	if (pe.section_align != PAGE)
		errx(1, "%s: SectionAlignment is %#x, not 4 KiB", argv[1], pe.section_align);
	if (pe.symtab_off != 0 || pe.nsyms != 0)
		errx(1, "%s: has a COFF symbol table", argv[1]);
	if (pe.cert_size != 0)
		errx(1, "%s: is already signed", argv[1]);
	for (unsigned i = 0; i < pe.nsections; i++)
		if (pe.sec[i].vaddr % PAGE != 0)
			errx(1, "%s: section %s at %#x is not 4 KiB aligned", argv[1],
			     pe.sec[i].name, pe.sec[i].vaddr);
	if (need_sbat && igos_pe_section(&pe, ".sbat") == NULL)
		errx(1, "%s: no .sbat section", argv[1]);

	if ((img = malloc(b.len)) == NULL)
		err(1, "malloc");
	memcpy(img, b.data, b.len);
	uint16_t dllc = pe.dll_characteristics | NX_COMPAT;
	size_t dllc_off = pe.opt_off + 70; /* same offset in PE32 and PE32+ */
	img[dllc_off] = dllc & 0xff;
	img[dllc_off + 1] = dllc >> 8;
	uint32_t sum = igos_pe_checksum(img, b.len, pe.checksum_off);
	for (int i = 0; i < 4; i++)
		img[pe.checksum_off + i] = (sum >> (8 * i)) & 0xff;
	if (igos_write_atomic(argv[1], img, b.len, 0, 0) < 0)
		errx(1, "%s", igos_errmsg());
	free(img);
	igos_buf_free(&b);
	return 0;
}
