/* Build-time check and fix-up of an EFI image made by objcopy: PE32+ x86-64
 * EFI application, every section on a 4 KiB boundary, no COFF symbol table;
 * grows SizeOfHeaders to 4 KiB (room for the section headers a UKI builder
 * adds), sets NX-compat and recomputes the checksum. */
#include <err.h>
#include <string.h>

#include "igos.h"

#define PAGE 0x1000u
#define NX_COMPAT 0x0100u

int
main(int argc, char **argv)
{
	struct igos_buf b;
	struct igos_pe_edit e;
	const struct igos_pe *pe = &e.pe;
	int need_sbat = 0, r;

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
	r = igos_pe_edit_open(&e, b.data, b.len);
	igos_buf_free(&b);
	if (r < 0)
		errx(1, "%s: %s", argv[1], igos_errmsg());
	if (!pe->pe32plus || pe->machine != 0x8664 || pe->subsystem != 10)
		errx(1, "%s: not a PE32+ x86-64 EFI application", argv[1]);
	if (pe->section_align != PAGE)
		errx(1, "%s: SectionAlignment is %#x, not 4 KiB", argv[1], pe->section_align);
	if (pe->symtab_off != 0 || pe->nsyms != 0)
		errx(1, "%s: has a COFF symbol table", argv[1]);
	if (pe->cert_size != 0)
		errx(1, "%s: is already signed", argv[1]);
	for (unsigned i = 0; i < pe->nsections; i++)
		if (pe->sec[i].vaddr < PAGE)
			errx(1, "%s: section %s overlaps the headers", argv[1], pe->sec[i].name);
		else if (pe->sec[i].vaddr % PAGE != 0)
			errx(1, "%s: section %s at %#x is not 4 KiB aligned", argv[1],
			     pe->sec[i].name, pe->sec[i].vaddr);
	if (need_sbat && igos_pe_section(pe, ".sbat") == NULL)
		errx(1, "%s: no .sbat section", argv[1]);

	/* objcopy leaves SizeOfHeaders at 0x400: room for about 8 more section
	 * headers, too few for a UKI. All section data moves up (file offsets
	 * only; virtual addresses start at 4 KiB or later). */
	if (igos_pe_grow_headers(&e, PAGE) < 0)
		errx(1, "%s: %s", argv[1], igos_errmsg());
	igos_pe_set_dll_characteristics(&e, pe->dll_characteristics | NX_COMPAT);
	if (igos_pe_update_checksum(&e) < 0 ||
	    igos_write_atomic(argv[1], e.d, e.len, 0, 0) < 0)
		errx(1, "%s", igos_errmsg());
	igos_pe_edit_free(&e);
	return 0;
}
