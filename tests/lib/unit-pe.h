/* A small PE32+ image made in memory by the C unit tests (tests/unit/pe.c,
 * tests/unit/sbat.c): DOS header, PE header, a 240-byte optional header and
 * the section headers after it. Include after igos.h. */
#ifndef IGOS_UNIT_PE_H
#define IGOS_UNIT_PE_H

#include <string.h>

#define LFANEW 0x80
#define OPT (LFANEW + 24)
#define SHDR (OPT + 240)

static unsigned char img[0x1000];

static inline void
put16(size_t off, uint16_t v)
{
	igos_put_le16(img + off, v);
}

static inline void
put32(size_t off, uint32_t v)
{
	igos_put_le32(img + off, v);
}

/* img cleared, then the headers of an x86-64 image of nsec sections whose
 * SizeOfImage is image_size (headers 0x400, section alignment 0x1000) */
static inline void
unit_pe_headers(uint16_t nsec, uint32_t image_size)
{
	memset(img, 0, sizeof(img));
	img[0] = 'M';
	img[1] = 'Z';
	put32(0x3c, LFANEW);
	memcpy(img + LFANEW, "PE\0\0", 4);
	put16(LFANEW + 4, 0x8664);
	put16(LFANEW + 6, nsec);
	put16(LFANEW + 20, 240);
	put16(OPT, 0x20b);
	put32(OPT + 32, 0x1000);
	put32(OPT + 36, 0x200);
	put32(OPT + 56, image_size);
	put32(OPT + 60, 0x400);
	put32(OPT + 108, 16);
}

/* section header i */
static inline void
unit_pe_section(int i, const char *name, uint32_t va, uint32_t vs, uint32_t raw, uint32_t rs)
{
	size_t h = SHDR + 40 * (size_t)i;

	memcpy(img + h, name, strlen(name));
	put32(h + 8, vs);
	put32(h + 12, va);
	put32(h + 16, rs);
	put32(h + 20, raw);
}

#endif
