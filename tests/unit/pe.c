/* PE/COFF parsing: a well-formed image parses; every broken bound is refused.
 * Editing: each edit of lib/pe.c as the tools use it, and what it refuses. */
#include <stdlib.h>
#include <unistd.h>

#include "igos.h"
#include "unit.h"
#include "unit-pe.h"

static void
section(int i, const char *name, uint32_t va, uint32_t vs, uint32_t raw, uint32_t rs)
{
	unit_pe_section(i, name, va, vs, raw, rs);
}

static void
build(void)
{
	unit_pe_headers(2, 0x3000);
	section(0, ".text", 0x1000, 0x300, 0x400, 0x400);
	section(1, ".cmdline", 0x2000, 5, 0x800, 0x200);
	memcpy(img + 0x800, "quiet", 5);
}

static int
parses(size_t len)
{
	struct igos_pe pe;

	return igos_pe_parse(&pe, img, len) == 0;
}

/* An independent checksum: 32-bit sum of 16-bit words, folded at the end. */
static uint32_t
naive_checksum(const unsigned char *d, size_t len, size_t csum)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < len; i += 2) {
		uint32_t w = d[i] | (i + 1 < len ? d[i + 1] << 8 : 0);

		if (i == csum || i == csum + 2)
			continue;
		sum += w;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)sum + (uint32_t)len;
}

static int
emit_k(struct igos_out *o, void *ctx, unsigned k)
{
	static const unsigned char kk[100] = { 'k', 'k', 'k' };

	(void)k;
	return igos_out_write(o, kk, *(size_t *)ctx);
}

/* The image written by the editor, read back. */
static size_t
write_back(struct igos_pe_edit *e, size_t emit_len, unsigned char *out, size_t max, int *rc)
{
	char dir[] = "/tmp/igos-pe-unit.XXXXXX", path[64];
	struct igos_out o;
	ssize_t n = -1;
	FILE *f;

	*rc = -1;
	if (mkdtemp(dir) == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/out.efi", dir);
	if (igos_out_open(&o, path, 0, 0) == 0) {
		*rc = igos_pe_edit_write(e, &o, emit_k, &emit_len);
		if (*rc == 0)
			*rc = igos_out_commit(&o);
		else
			igos_out_abort(&o);
	}
	if (*rc == 0 && (f = fopen(path, "rb")) != NULL) {
		n = (ssize_t)fread(out, 1, max, f);
		fclose(f);
	}
	unlink(path);
	rmdir(dir);
	return n < 0 ? 0 : (size_t)n;
}

static void
edit_tests(void)
{
	static unsigned char out[0x4000];
	struct igos_pe_edit e;
	struct igos_pe pe;
	size_t n;
	int rc, idx, stripped, added;

	build();
	OK(igos_pe_edit_open(&e, img, sizeof(img)) == 0, "edit: an image opens for editing");
	idx = igos_pe_add_section(&e, ".linux", 100, 0x60000020u, 4096);
	OK(idx == 2 && e.pe.nsections == 3, "edit: a section added after the two");
	OK(e.pe.sec[2].vaddr == 0x3000 && e.pe.sec[2].raw_off == 0x1000 &&
	   e.pe.sec[2].raw_size == 0x200 && e.pe.sec[2].vsize == 100,
	   "edit: placed after the highest section in memory, at the end of the file");
	OK(e.pe.size_of_image == 0x4000 && igos_le32(e.d + OPT + 56) == 0x4000 &&
	   igos_le32(e.d + OPT + 8) == 100 && igos_le16(e.d + LFANEW + 6) == 3,
	   "edit: SizeOfImage, SizeOfInitializedData, NumberOfSections follow");
	n = write_back(&e, 100, out, sizeof(out), &rc);
	OK(rc == 0 && n == 0x1200 && igos_pe_parse(&pe, out, n) == 0 && pe.nsections == 3 &&
	   out[0x1000] == 'k' && out[0x1063] == 0 && out[0x11ff] == 0,
	   "edit: written, its data emitted and padded to FileAlignment, it parses");
	n = write_back(&e, 99, out, sizeof(out), &rc);
	OK(rc < 0, "edit: an emitter that writes the wrong length is an error");
	OK(igos_pe_align_raw(&e) < 0 && igos_pe_grow_headers(&e, 0x1000) < 0,
	   "edit: no layout change once sections were added");
	igos_pe_edit_free(&e);

	build();
	igos_pe_edit_open(&e, img, sizeof(img));
	OK(igos_pe_set_section_data(&e, 1, "root=x", 6) == 0 && e.pe.sec[1].vsize == 6 &&
	   memcmp(e.d + 0x800, "root=x\0\0", 8) == 0 && igos_le32(e.d + SHDR + 40 + 8) == 6,
	   "edit: a section's data replaced in place, VirtualSize follows");
	OK(igos_pe_set_section_data(&e, 1, img, 0x201) < 0, "edit: not more than SizeOfRawData");
	for (added = 0; igos_pe_add_section(&e, ".x", 1, 0, 4096) >= 0; added++)
		;
	OK(added == 13 && strstr(igos_errmsg(), "not enough header space") != NULL,
	   "edit: sections added while the section table fits in SizeOfHeaders");
	igos_pe_edit_free(&e);

	build();
	igos_pe_edit_open(&e, img, sizeof(img));
	OK(igos_pe_grow_headers(&e, 0x1000) == 0 && e.len == 0x1c00 &&
	   e.pe.size_of_headers == 0x1000 && e.pe.sec[0].raw_off == 0x1000 &&
	   memcmp(e.d + 0x1400, "quiet", 5) == 0 && igos_pe_parse(&pe, e.d, e.len) == 0,
	   "edit: headers grown to 4 KiB, section data moved up with them");
	OK(igos_pe_update_checksum(&e) == 0 &&
	   igos_le32(e.d + LFANEW + 88) == igos_pe_checksum(e.d, e.len, LFANEW + 88),
	   "edit: the checksum over the edited image");
	OK(igos_pe_set_cert_table(&e, 0x1c00, 0) == 0 && igos_le32(e.d + LFANEW + 168) == 0x1c00,
	   "edit: the certificate table entry set");
	igos_pe_edit_free(&e);
	build();
	igos_pe_edit_open(&e, img, sizeof(img));
	OK(igos_pe_grow_headers(&e, 0x1800) < 0, "edit: headers may not grow over a section in memory");
	igos_pe_edit_free(&e);

	/* the symbol table: dropped only after everything, at the end */
	build();
	put32(LFANEW + 12, 0xa00);
	put32(0xa00, 0x1000 - 0xa00);
	igos_pe_edit_open(&e, img, sizeof(img));
	OK(igos_pe_strip_symbols(&e, &stripped) == 0 && stripped && e.len == 0xa00 &&
	   igos_le32(e.d + LFANEW + 12) == 0 && (igos_le16(e.d + LFANEW + 22) & 8),
	   "edit: a symbol table ending the file after the sections is dropped");
	igos_pe_edit_free(&e);
	put32(0xa00, 0x10);
	igos_pe_edit_open(&e, img, sizeof(img));
	OK(igos_pe_strip_symbols(&e, &stripped) == 0 && !stripped && e.len == sizeof(img),
	   "edit: one followed by other data is kept");
	igos_pe_edit_free(&e);
	put32(0xa00, 0x7fffffff);
	igos_pe_edit_open(&e, img, sizeof(img));
	OK(igos_pe_strip_symbols(&e, NULL) < 0, "edit: a string table past the end: refused");
	igos_pe_edit_free(&e);
	put32(LFANEW + 12, 0x500);
	put32(0x500, 0x1000 - 0x500);
	igos_pe_edit_open(&e, img, sizeof(img));
	OK(igos_pe_strip_symbols(&e, NULL) < 0, "edit: one inside a section: refused");
	igos_pe_edit_free(&e);
	put32(LFANEW + 12, 8);
	put32(8, 0x1000 - 8);
	igos_pe_edit_open(&e, img, sizeof(img));
	OK(igos_pe_strip_symbols(&e, NULL) < 0, "edit: one inside the headers: refused");
	igos_pe_edit_free(&e);

	build();
	put32(OPT + 36, 0x40000000);
	put32(OPT + 32, 0x40000000);
	OK(igos_pe_edit_open(&e, img, sizeof(img)) == 0 && igos_pe_align_raw(&e) < 0,
	   "edit: a FileAlignment of 1 GiB is refused before any allocation");
	igos_pe_edit_free(&e);
}

int
main(void)
{
	struct igos_pe pe;
	const struct igos_pe_section *s;

	build();
	OK(igos_pe_parse(&pe, img, sizeof(img)) == 0, "a well-formed PE32+ parses");
	OK(pe.pe32plus && pe.nsections == 2 && pe.file_align == 0x200 &&
	   pe.section_align == 0x1000 && pe.size_of_headers == 0x400, "header fields read");
	OK(pe.checksum_off == LFANEW + 88 && pe.secdir_off == LFANEW + 168,
	   "CheckSum and Certificate Table offsets as Authenticode places them");
	s = igos_pe_section(&pe, ".cmdline");
	OK(s && s->vsize == 5 && memcmp(img + s->raw_off, "quiet", 5) == 0, "section found by name");
	OK(igos_pe_section(&pe, ".linux") == NULL, "absent section not found");
	OK(igos_pe_section(&pe, ".cmdlinex") == NULL, "a name over 8 characters never matches");

	OK(!parses(63), "too short for a DOS header");
	img[0] = 'X';
	OK(!parses(sizeof(img)), "no MZ");
	build();
	put32(0x3c, sizeof(img) - 10);
	OK(!parses(sizeof(img)), "e_lfanew out of range");
	build();
	put32(0x3c, 0xfffffff0u);
	OK(!parses(sizeof(img)), "e_lfanew overflowing");
	build();
	img[LFANEW + 1] = 'X';
	OK(!parses(sizeof(img)), "no PE signature");
	build();
	OK(!parses(OPT + 100), "optional header truncated");
	build();
	put16(LFANEW + 6, 90);
	OK(!parses(sizeof(img)), "section table past SizeOfHeaders");
	build();
	put16(LFANEW + 6, 2000);
	OK(!parses(sizeof(img)), "absurd section count");
	build();
	put32(OPT + 60, 0x2000);
	OK(!parses(sizeof(img)), "SizeOfHeaders past end of file");
	build();
	section(1, ".cmdline", 0x2000, 5, 0xe00, 0x400);
	OK(!parses(sizeof(img)), "section raw data past end of file");
	build();
	section(1, ".cmdline", 0x2000, 5, 0xffffff00u, 0x200);
	OK(!parses(sizeof(img)), "section raw pointer overflowing");
	build();
	section(1, ".cmdline", 0x2000, 5, 0x200, 0x200);
	OK(!parses(sizeof(img)), "section inside the headers");
	build();
	put32(OPT + 108, 17);
	OK(!parses(sizeof(img)), "more than 16 data directories");
	build();
	put32(OPT + 108, 4);
	OK(parses(sizeof(img)), "four data directories parse");
	OK(igos_pe_parse(&pe, img, sizeof(img)) == 0 && pe.secdir_off == 0,
	   "and have no certificate table entry");
	build();
	put32(LFANEW + 168, 0xf00);
	put32(LFANEW + 172, 0x200);
	OK(!parses(sizeof(img)), "certificate table past end of file");
	build();
	put32(OPT + 36, 0x300);
	OK(!parses(sizeof(img)), "FileAlignment not a power of two");
	build();
	put16(OPT, 0x10b);
	put32(OPT + 92, 16);
	OK(igos_pe_parse(&pe, img, sizeof(img)) == 0 && !pe.pe32plus &&
	   pe.secdir_off == LFANEW + 152, "PE32: certificate table entry at e_lfanew+152");
	build();
	img[0x123] = 0x5a;
	img[0xfff] = 0x77;
	OK(igos_pe_checksum(img, sizeof(img), LFANEW + 88) ==
	   naive_checksum(img, sizeof(img), LFANEW + 88), "checksum of an even-length image");
	OK(igos_pe_checksum(img, sizeof(img) - 1, LFANEW + 88) ==
	   naive_checksum(img, sizeof(img) - 1, LFANEW + 88), "checksum of an odd-length image");
	edit_tests();
	return DONE();
}
