/* Build-time check and fix-up of an EFI image made by objcopy: PE32+ x86-64
 * EFI application, every section on a 4 KiB boundary, no COFF symbol table;
 * grows SizeOfHeaders to 4 KiB (room for the section headers a UKI builder
 * adds), sets NX-compat and recomputes the checksum. */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "igos.h"

#define PAGE 0x1000u
#define NX_COMPAT 0x0100u

static void
put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

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

	/* objcopy leaves SizeOfHeaders at 0x400: room for about 8 more section
	 * headers, too few for a UKI. Move all section data up by the difference
	 * (file offsets only; virtual addresses start at 4 KiB or later). */
	uint32_t grow = pe.size_of_headers < PAGE ? PAGE - pe.size_of_headers : 0;
	for (unsigned i = 0; i < pe.nsections; i++)
		if (pe.sec[i].vaddr < PAGE ||
		    (pe.sec[i].raw_size != 0 && pe.sec[i].raw_off < pe.size_of_headers))
			errx(1, "%s: section %s overlaps the headers", argv[1], pe.sec[i].name);
	size_t len = b.len + grow;
	if ((img = calloc(1, len)) == NULL)
		err(1, "calloc");
	memcpy(img, b.data, pe.size_of_headers);
	memcpy(img + pe.size_of_headers + grow, b.data + pe.size_of_headers,
	       b.len - pe.size_of_headers);
	if (grow) {
		put32(img + pe.opt_off + 60, PAGE);
		for (unsigned i = 0; i < pe.nsections; i++)
			if (pe.sec[i].raw_size != 0)
				put32(img + pe.sec[i].hdr_off + 20, pe.sec[i].raw_off + grow);
	}
	uint16_t dllc = pe.dll_characteristics | NX_COMPAT;
	size_t dllc_off = pe.opt_off + 70; /* same offset in PE32 and PE32+ */
	img[dllc_off] = dllc & 0xff;
	img[dllc_off + 1] = dllc >> 8;
	put32(img + pe.checksum_off, igos_pe_checksum(img, len, pe.checksum_off));
	if (igos_write_atomic(argv[1], img, len, 0, 0) < 0)
		errx(1, "%s", igos_errmsg());
	free(img);
	igos_buf_free(&b);
	return 0;
}
