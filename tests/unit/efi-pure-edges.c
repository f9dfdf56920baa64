/* The UKI stub's PE loader at its edges: the boundaries of every header
 * check, what lands in the loaded image and what does not, and relocation
 * tables of more than one block. The file buffers hold junk (0xee) past the
 * file's end, so that a byte read beyond it shows. */
#include <stdint.h>
#include <stdlib.h>

#include "igos.h"
#include "unit.h"

#include "../../efi/pure.c"

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

#define PE_OFF 0x40
#define OPT_OFF (PE_OFF + 24)
#define BASE 0x10000000ULL

static uint8_t f[0x4000];   /* the file, then junk */
static uint8_t img[0x8000]; /* the loaded image */
static unsigned shdr;       /* where the section table starts */

/* Headers of a PE32+ x86-64 image: nsec sections, an optional header of
 * opt bytes (16 data directories need 240), SizeOfHeaders hdrs. */
static void
head(unsigned nsec, unsigned opt, uint32_t hdrs, uint32_t image_size)
{
	memset(f, 0, sizeof(f));
	f[0] = 'M';
	f[1] = 'Z';
	igos_put_le32(f + 0x3c, PE_OFF);
	memcpy(f + PE_OFF, "PE\0\0", 4);
	igos_put_le16(f + PE_OFF + 4, 0x8664);
	igos_put_le16(f + PE_OFF + 6, (uint16_t)nsec);
	igos_put_le16(f + PE_OFF + 20, (uint16_t)opt);
	uint8_t *o = f + OPT_OFF;
	igos_put_le16(o, 0x20b);
	igos_put_le32(o + 16, 0x1000);    /* entry */
	igos_put_le64(o + 24, BASE);
	igos_put_le32(o + 32, 0x1000);
	igos_put_le32(o + 36, 0x200);
	igos_put_le32(o + 56, image_size);
	igos_put_le32(o + 60, hdrs);
	igos_put_le16(o + 68, 10);
	igos_put_le32(o + 108, (opt - 112) / 8);
	shdr = OPT_OFF + opt;
}

static void
sec(int i, const char *name, uint32_t vsize, uint32_t va, uint32_t raw_size, uint32_t raw_off)
{
	uint8_t *s = f + shdr + 40 * i;

	memset(s, 0, 40);
	memcpy(s, name, strlen(name));
	igos_put_le32(s + 8, vsize);
	igos_put_le32(s + 12, va);
	igos_put_le32(s + 16, raw_size);
	igos_put_le32(s + 20, raw_off);
}

static void
relocs(uint32_t rva, uint32_t size)
{
	igos_put_le32(f + OPT_OFF + 112 + 5 * 8, rva);
	igos_put_le32(f + OPT_OFF + 112 + 5 * 8 + 4, size);
}

/* The file ends at flen: junk after it. */
static void
junk(size_t flen)
{
	memset(f + flen, 0xee, sizeof(f) - flen);
}

/* .text (file 0x200, VA 0x1000, 0x20 of its 0x200 raw bytes used),
 * .reloc (file 0x400, VA 0x2000), .data (file 0x600, VA 0x3000, raw 0x200 of
 * a VirtualSize of 0x800); every raw byte is non-zero. File 0x800 bytes,
 * image 0x4000. */
static void
image3(void)
{
	head(3, 240, 0x200, 0x4000);
	sec(0, ".text", 0x20, 0x1000, 0x200, 0x200);
	sec(1, ".reloc", 0x20, 0x2000, 0x200, 0x400);
	sec(2, ".data", 0x800, 0x3000, 0x200, 0x600);
	for (int i = 0x200; i < 0x800; i++)
		f[i] = (uint8_t)(0x80 | (i & 0x7f));
	/* an empty block (page 0x1000), then page 0x3000 with a DIR64 at 0x3008
	 * and an ABSOLUTE pad */
	igos_put_le32(f + 0x400, 0x1000);
	igos_put_le32(f + 0x404, 8);
	igos_put_le32(f + 0x408, 0x3000);
	igos_put_le32(f + 0x40c, 12);
	igos_put_le16(f + 0x410, (10 << 12) | 0x008);
	igos_put_le16(f + 0x412, 0);
	relocs(0x2000, 20);
	igos_put_le64(f + 0x608, BASE + 0x123);
	junk(0x800);
}

static int
load(size_t flen, uint64_t at)
{
	struct uki_pe pe;
	int rc = uki_pe_parse(f, flen, &pe);

	memset(img, 0, sizeof(img));
	return rc != UKI_OK ? rc : uki_pe_load(&pe, f, flen, img, at);
}

static void
test_truncated(void)
{
	static uint8_t g[0x800];
	struct uki_pe pe;
	size_t bad = 0;

	/* Whatever lies past the end: a file cut before the end of its section
	 * table is "truncated PE headers", never judged on bytes it lacks. */
	image3();
	for (size_t n = 0; n < shdr + 3 * 40; n++) {
		memset(g, 0xee, sizeof(g));
		memcpy(g, f, n);
		if (uki_pe_parse(g, n, &pe) != UKI_E_TRUNC && bad++ == 0)
			printf("# cut at %zu: %s\n", n, uki_strerror(uki_pe_parse(g, n, &pe)));
	}
	OK(bad == 0, "every cut before the end of the section table: truncated PE headers");

	/* The PE signature is all four bytes. */
	image3();
	f[PE_OFF + 3] = 1;
	OK(uki_pe_parse(f, 0x800, &pe) == UKI_E_MAGIC, "\"PE\\0\\1\": not a PE image");
	image3();
	f[PE_OFF + 2] = 1;
	OK(uki_pe_parse(f, 0x800, &pe) == UKI_E_MAGIC, "\"PE\\1\\0\": not a PE image");

	/* 64 bytes hold the DOS header, and here a PE header with an empty
	 * optional header: judged on that, not as too short. */
	memset(g, 0, sizeof(g));
	g[0] = 'M';
	g[1] = 'Z';
	igos_put_le32(g + 0x3c, 4);
	memcpy(g + 4, "PE\0\0", 4);
	igos_put_le16(g + 8, 0x8664);
	OK(uki_pe_parse(g, 0x40, &pe) == UKI_E_FORMAT, "a 64-byte file with an empty optional header: %s",
	   uki_strerror(UKI_E_FORMAT));
}

static void
test_headers(void)
{
	struct uki_pe pe;

	/* The smallest PE32+ optional header: no data directories. */
	image3();
	memmove(f + OPT_OFF + 112, f + shdr, 3 * 40);
	igos_put_le16(f + PE_OFF + 20, 112);
	igos_put_le32(f + OPT_OFF + 108, 0);
	OK(uki_pe_parse(f, 0x800, &pe) == UKI_OK && pe.nsections == 3 &&
	   strcmp(pe.sec[2].name, ".data") == 0 && pe.reloc_rva == 0,
	   "a 112-byte optional header (no data directories) is accepted");

	/* Five directories: the base relocation table (the sixth) is absent,
	 * whatever the bytes after the fifth hold. */
	image3();
	igos_put_le32(f + OPT_OFF + 108, 5);
	OK(load(0x800, 0x7f000000) == UKI_OK && get64(img + 0x3008) == BASE + 0x123,
	   "NumberOfRvaAndSizes 5: no relocation applied");

	image3();
	igos_put_le32(f + OPT_OFF + 32, 0);
	OK(uki_pe_parse(f, 0x800, &pe) == UKI_E_FORMAT, "SectionAlignment 0 refused");
	igos_put_le32(f + OPT_OFF + 32, 0x1800);
	OK(uki_pe_parse(f, 0x800, &pe) == UKI_E_FORMAT, "SectionAlignment not a power of two refused");
}

/* 48 sections (the most the stub takes) are parsed, and nothing is written
 * past the parsed structure. */
static void
test_many_sections(void)
{
	static struct {
		struct uki_pe pe;
		uint8_t after[64];
	} p;
	char name[9];
	int clean = 1;

	head(UKI_MAX_SECTIONS, 240, 0xa00, 0x40000);
	for (int i = 0; i < UKI_MAX_SECTIONS; i++) {
		snprintf(name, sizeof(name), ".s%d", i);
		sec(i, name, 0x10, 0x1000 * (uint32_t)(i + 1), 0, 0);
	}
	memset(f + shdr + 40 * UKI_MAX_SECTIONS, 0x41, 40);
	memset(p.after, 0x5a, sizeof(p.after));
	OK(uki_pe_parse(f, 0xa00, &p.pe) == UKI_OK && p.pe.nsections == UKI_MAX_SECTIONS &&
	   strcmp(p.pe.sec[UKI_MAX_SECTIONS - 1].name, ".s47") == 0,
	   "%d sections accepted", UKI_MAX_SECTIONS);
	for (size_t i = 0; i < sizeof(p.after); i++)
		clean &= p.after[i] == 0x5a;
	OK(clean, "nothing written past the parsed headers");
}

/* A structure reused for a second, smaller image: only its sections count. */
static void
test_reused(void)
{
	static struct uki_pe pe;
	const uint8_t *d;
	size_t n;
	int zero = 1;

	image3();
	igos_put_le16(f + PE_OFF + 6, 4);
	sec(3, ".extra", 0x10, 0x3c00, 0x10, 0x7f0);
	OK(uki_pe_parse(f, 0x800, &pe) == UKI_OK && pe.nsections == 4, "a four-section image");
	image3();
	OK(uki_pe_parse(f, 0x800, &pe) == UKI_OK && pe.nsections == 3, "then a three-section one");
	OK(uki_loaded_section(&pe, img, 0x4000, ".extra", &d, &n) == UKI_OK && d == NULL,
	   "the first image's fourth section is not found in the second");
	memset(img, 0, sizeof(img));
	OK(uki_pe_load(&pe, f, 0x800, img, BASE) == UKI_OK, "the second image loads");
	for (int i = 0x3c00; i < 0x3c10; i++)
		zero &= img[i] == 0;
	OK(zero, "and nothing of the first image's fourth section is copied");
}

static void
test_copy(void)
{
	int zero = 1;

	image3();
	OK(load(0x800, BASE) == UKI_OK, "three sections load");
	OK(img[0x1000] == f[0x200] && img[0x101f] == f[0x21f] && img[0x1020] == 0,
	   ".text: VirtualSize bytes copied, not its file padding");
	OK(img[0x200] == 0 && img[0x1ff] == f[0x1ff], "nothing but the headers below the first section");
	OK(img[0x31ff] == f[0x7ff], ".data: its raw bytes copied");
	for (int i = 0x3200; i < 0x3800; i++)
		zero &= img[i] == 0;
	OK(zero, ".data past its raw size is zero, not the bytes after the file");

	/* A section of VirtualSize 0 takes its raw size. */
	image3();
	sec(0, ".text", 0, 0x1000, 0x200, 0x200);
	OK(load(0x800, BASE) == UKI_OK && img[0x1000] == f[0x200] && img[0x11ff] == f[0x3ff],
	   "VirtualSize 0: the raw data copied");

	/* Small section alignment: the first section right after the headers. */
	image3();
	sec(0, ".text", 0x20, 0x200, 0x200, 0x200);
	igos_put_le32(f + OPT_OFF + 16, 0x200);
	OK(load(0x800, BASE) == UKI_OK && img[0x200] == f[0x200],
	   "a section at VA == SizeOfHeaders loads");

	/* Uninitialised data: no raw bytes, PointerToRawData at the file end. */
	image3();
	sec(1, ".bss", 0x100, 0x2000, 0, 0x800);
	relocs(0, 0);
	OK(load(0x800, BASE) == UKI_OK, "a section without raw data pointing at the file end loads");

	/* Only VirtualSize has to fit SizeOfImage, as in EDK2: the file
	 * padding of the last section may run past it. */
	image3();
	sec(2, ".data", 0x100, 0x3000, 0x200, 0x600);
	igos_put_le32(f + OPT_OFF + 56, 0x3100);
	OK(load(0x800, BASE) == UKI_OK, "the last section's file padding past SizeOfImage is no error");

	/* An image that is only its headers. */
	head(0, 240, 0x200, 0x200);
	igos_put_le32(f + OPT_OFF + 16, 0x10);
	junk(0x200);
	OK(load(0x200, BASE) == UKI_OK && img[0] == 'M', "headers filling the file and the image load");

	image3();
	igos_put_le32(f + OPT_OFF + 60, 0xa00);
	OK(load(0x800, BASE) == UKI_E_BOUNDS, "SizeOfHeaders past the end of the file refused");
	head(0, 240, 0x800, 0x400);
	igos_put_le32(f + OPT_OFF + 16, 0x10);
	junk(0x800);
	OK(load(0x800, BASE) == UKI_E_BOUNDS, "SizeOfHeaders past SizeOfImage refused");
}

static void
test_relocs(void)
{
	image3();
	f[0x610] = 0x77;
	OK(load(0x800, 0x7f000000) == UKI_OK, "two relocation blocks, the first empty");
	OK(get64(img + 0x3008) == 0x7f000123, "DIR64 of the second block relocated");
	OK(img[0x3010] == 0x77 && img[0x3007] == f[0x607], "the bytes around it unchanged");

	image3();
	relocs(0xfffffff0, 0);
	OK(load(0x800, 0x7f000000) == UKI_OK && get64(img + 0x3008) == BASE + 0x123,
	   "a relocation directory of size 0: nothing to do, wherever it points");

	/* Straight on a loaded image of 0x3000 bytes. */
	memset(img, 0, sizeof(img));
	igos_put_le32(img + 0x2ff8, 0x1000);
	igos_put_le32(img + 0x2ffc, 8);
	OK(uki_pe_relocate(img, 0x3000, 0x2ff8, 12, 0x1000) == UKI_E_RELOC,
	   "a directory running past the image refused, its first block sound or not");
	igos_put_le32(img + 0x100, 0x1000);
	igos_put_le32(img + 0x104, 12);
	OK(uki_pe_relocate(img, 0x3000, 0x100, 8, 0x1000) == UKI_E_RELOC,
	   "a block header claiming more than the 8 bytes of the directory refused");
	igos_put_le32(img + 0x104, 0);
	OK(uki_pe_relocate(img, 0x3000, 0x100, 16, 0x1000) == UKI_E_RELOC, "a block of size 0 refused");
	igos_put_le32(img + 0x104, 6);
	OK(uki_pe_relocate(img, 0x3000, 0x100, 16, 0x1000) == UKI_E_RELOC,
	   "a block of size 6 (shorter than its header) refused");
	igos_put_le32(img + 0x104, 13);
	OK(uki_pe_relocate(img, 0x3000, 0x100, 16, 0x1000) == UKI_E_RELOC, "a block of odd size refused");
}

/* in[0..inlen) to UTF-16; the bytes after inlen are "\xa9\xa9...": a
 * continuation byte the conversion must not take. */
static int
conv(const char *in, size_t inlen, const uint16_t *want, size_t wantn)
{
	uint8_t buf[16];
	uint16_t out[20];

	memset(buf, 0xa9, sizeof(buf));
	memcpy(buf, in, inlen);
	size_t n = uki_utf8_to_utf16(buf, inlen, out);
	return n == wantn && memcmp(out, want, n * 2) == 0 && out[n] == 0;
}

static void
test_text(void)
{
	const uint8_t del[] = { 'a', 0, 0x7f, 0, 'b', 0 };
	OK(uki_loadopts_chars(del, sizeof(del)) == 0, "LoadOptions with a DEL are binary, not a command line");

	const uint16_t cut[] = { 0xfffd };
	OK(conv("\xc3", 1, cut, 1), "a sequence cut by the length is replaced, the byte after it not taken");
	const uint16_t a[] = { 0x80 }, b[] = { 0x800 }, c[] = { 0xd800, 0xdc00 };
	OK(conv("\xc2\x80", 2, a, 1), "U+0080, the smallest 2-byte sequence");
	OK(conv("\xe0\xa0\x80", 3, b, 1), "U+0800, the smallest 3-byte sequence");
	OK(conv("\xf0\x90\x80\x80", 4, c, 2), "U+10000, the smallest 4-byte sequence");
	const uint16_t top[] = { 0xdbff, 0xdfff };
	OK(conv("\xf4\x8f\xbf\xbf", 4, top, 2), "U+10FFFF, the largest code point");
	const uint16_t sur[] = { 0xfffd, 0xfffd, 0xfffd };
	OK(conv("\xed\xbf\xbf", 3, sur, 3), "U+DFFF, the last surrogate, replaced");
	const uint16_t over[] = { 0xfffd, 0xfffd, 0xfffd, 0xfffd };
	OK(conv("\xf4\x90\x80\x80", 4, over, 4), "past U+10FFFF replaced");
}

/* The SBAT text check the tests judge the stub's .sbat with: text[0..len),
 * followed in memory by `after`. */
static int
sbat(const char *text, const char *after)
{
	char buf[64];
	size_t len = strlen(text);

	memcpy(buf, text, len);
	memcpy(buf + len, after, strlen(after) + 1);
	return uki_sbat_valid(buf, len);
}

static void
test_sbat(void)
{
	OK(sbat("sbat,1,a,b,c,d\n", "x,1,y"), "valid, whatever follows its length in memory");
	OK(!sbat("sbat,1,a,b,c,d", "\n"), "no final newline within the length: invalid");
	char nul[] = "sbat,1,a,b,c,d";
	OK(!uki_sbat_valid(nul, sizeof(nul)), "a line ended by a NUL, not a newline: invalid");
	OK(sbat("sbat,1,a,b,c,~\n", ""), "'~' is text");
	OK(!sbat("sbat,1,a,b,c,\x7f\n", ""), "DEL is not");
	OK(!sbat("sbat,1,a,b\tx,c,d\n", ""), "nor a tab");
	OK(!sbat("sbat,1,a,b,c,\xc3\xa9\n", ""), "nor a byte past ASCII");
}

int
main(void)
{
	test_truncated();
	test_headers();
	test_many_sections();
	test_reused();
	test_copy();
	test_relocs();
	test_text();
	test_sbat();
	return DONE();
}
