/* PE/COFF parsing: a well-formed image parses; every broken bound is refused. */
#include <stdlib.h>

#include "igos.h"
#include "unit.h"

#define LFANEW 0x80
#define OPT (LFANEW + 24)
#define SHDR (OPT + 240)

static unsigned char img[0x1000];

static void
put16(size_t off, uint16_t v)
{
	img[off] = v & 0xff;
	img[off + 1] = v >> 8;
}

static void
put32(size_t off, uint32_t v)
{
	put16(off, v & 0xffff);
	put16(off + 2, v >> 16);
}

static void
section(int i, const char *name, uint32_t va, uint32_t vs, uint32_t raw, uint32_t rs)
{
	size_t h = SHDR + 40 * (size_t)i;

	memcpy(img + h, name, strlen(name));
	put32(h + 8, vs);
	put32(h + 12, va);
	put32(h + 16, rs);
	put32(h + 20, raw);
}

static void
build(void)
{
	memset(img, 0, sizeof(img));
	img[0] = 'M';
	img[1] = 'Z';
	put32(0x3c, LFANEW);
	memcpy(img + LFANEW, "PE\0\0", 4);
	put16(LFANEW + 4, 0x8664);
	put16(LFANEW + 6, 2);
	put16(LFANEW + 20, 240);
	put16(OPT, 0x20b);
	put32(OPT + 32, 0x1000);
	put32(OPT + 36, 0x200);
	put32(OPT + 56, 0x3000);
	put32(OPT + 60, 0x400);
	put32(OPT + 108, 16);
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
	return DONE();
}
