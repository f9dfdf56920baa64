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

	/* a .profile left in the table by the first image is no profile of the
	 * second */
	unsigned a = 9, b = 9;
	image3();
	igos_put_le16(f + PE_OFF + 6, 4);
	sec(3, ".profile", 0x10, 0x3c00, 0x10, 0x7f0);
	OK(uki_pe_parse(f, 0x800, &pe) == UKI_OK && uki_profile_count(&pe) == 1 &&
	   uki_profile_range(&pe, 0, &a, &b) == UKI_OK && a == 3 && b == 4,
	   "a four-section image whose last is its one .profile");
	image3();
	OK(uki_pe_parse(f, 0x800, &pe) == UKI_OK && uki_profile_count(&pe) == 1,
	   "then a three-section one without: one profile, the base");
	OK(uki_profile_range(&pe, 0, &a, &b) == UKI_E_PROFILE &&
	   uki_profile_range(&pe, UKI_PROFILE_BASE, &a, &b) == UKI_OK && a == 0 && b == 3,
	   "it has no profile 0 of its own, and its base is its three sections");
	sec(2, ".profile", 0x10, 0x3000, 0x10, 0x600);
	OK(uki_pe_parse(f, 0x800, &pe) == UKI_OK && uki_profile_count(&pe) == 1 &&
	   uki_profile_range(&pe, 0, &a, &b) == UKI_OK && a == 2 && b == 3 &&
	   uki_profile_range(&pe, 1, &a, &b) == UKI_E_PROFILE,
	   "then one whose third section is its one .profile: one profile, from it to the end");
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

/* @N at the start of LoadOptions: what lies past LoadOptionsSize, or a
 * buffer the firmware did not give, is never read */
static void
test_prefix(void)
{
	unsigned p = 9;
	const uint8_t more[6] = { '@', 0, '7', 0, '5', 0 };
	OK(uki_profile_prefix(more, 2, &p) == 2 && p == 7,
	   "@7 within LoadOptionsSize, a digit after it is not taken");
	p = 9;
	OK(uki_profile_prefix(NULL, 8, &p) == 0 && p == 0, "no LoadOptions buffer, whatever its size");
	const uint8_t x1[8] = { 'x', 0, '1', 0, ' ', 0, 'q', 0 };
	p = 9;
	OK(uki_profile_prefix(x1, 4, &p) == 0 && p == 0, "x1: no @, no profile");
}

/* A cpio member writes its size and not a byte more: the stub lays
 * members end to end in one buffer. */
static void
test_cpio_exact(void)
{
	uint8_t buf[160];
	int untouched = 1;

	memset(buf, 0xee, sizeof(buf));
	OK(uki_cpio_member(buf, 5, 0100444, "a", NULL, 0) == 112 && buf[110] == 'a' && buf[111] == 0 &&
	   memcmp(buf + 6 + 8 * 11, "00000002", 8) == 0,
	   "an empty member named 'a': 112 bytes, its name and NUL last");
	for (size_t i = 112; i < sizeof(buf); i++)
		untouched &= buf[i] == 0xee;
	OK(untouched, "nothing written past them");
	memset(buf, 0xee, sizeof(buf));
	untouched = 1;
	OK(uki_cpio_member(buf, 5, 0100444, "ab", (const uint8_t *)"xyz", 3) == 120 &&
	   buf[113] == 0 && buf[116] == 'x' && buf[118] == 'z' && buf[119] == 0,
	   "a member of 3 bytes named 'ab': header 116, data padded to 4");
	for (size_t i = 120; i < sizeof(buf); i++)
		untouched &= buf[i] == 0xee;
	OK(untouched, "nothing written past its padding");
}

/* The splash BMP reader at the edge of each of its checks. */
static uint8_t bm[54 + 4 * 8193 + 4];

/* a w x h BMP of bpp bits, pixels right after the 54-byte headers */
static size_t
bmp(uint32_t w, uint32_t h, uint16_t bpp)
{
	uint32_t stride = (w * bpp + 31) / 32 * 4;
	uint32_t rows = h & 0x80000000u ? 0u - h : h;

	memset(bm, 0, sizeof(bm));
	bm[0] = 'B';
	bm[1] = 'M';
	igos_put_le32(bm + 10, 54);
	igos_put_le32(bm + 14, 40);
	igos_put_le32(bm + 18, w);
	igos_put_le32(bm + 22, h);
	igos_put_le16(bm + 26, 1);
	igos_put_le16(bm + 28, bpp);
	return 54 + (size_t)stride * rows;
}

static int
bmp_ok(size_t len)
{
	struct uki_bmp b;

	return uki_bmp_parse(bm, len, &b) == UKI_OK;
}

static void
test_bmp(void)
{
	struct uki_bmp b;
	size_t n;
	uint8_t px[12];

	OK(bmp_ok(bmp(1, 1, 24)) && bmp_ok(bmp(1, 1, 32)), "a 1x1 BMP of 24 and of 32 bits");
	OK(uki_bmp_parse(NULL, 100, &b) == UKI_E_FORMAT, "no data, whatever its length: not a BMP");
	n = bmp(1, 1, 24);
	igos_put_le32(bm + 10, 0);
	OK(bmp_ok(54) && !bmp_ok(53),
	   "54 bytes are a BMP (its pixel inside the headers); 53 are too short for the headers");
	n = bmp(1, 1, 24);
	bm[0] = 'X';
	OK(!bmp_ok(n), "'XM' is not a BMP");
	bm[0] = 'B';
	bm[1] = 'X';
	OK(!bmp_ok(n), "nor is 'BX'");
	n = bmp(1, 1, 24);
	igos_put_le32(bm + 14, 39);
	OK(!bmp_ok(n), "an info header of 39 bytes refused (BITMAPINFOHEADER has 40)");
	igos_put_le32(bm + 14, 124);
	OK(bmp_ok(n), "a BITMAPV5HEADER of 124 is taken");
	n = bmp(1, 1, 24);
	igos_put_le16(bm + 26, 0);
	OK(!bmp_ok(n), "0 planes refused");
	igos_put_le16(bm + 26, 2);
	OK(!bmp_ok(n), "2 planes refused");
	n = bmp(1, 1, 16);
	OK(!bmp_ok(n), "16 bits a pixel refused");
	n = bmp(1, 1, 24);
	igos_put_le32(bm + 30, 3);
	OK(!bmp_ok(n), "BI_BITFIELDS refused");
	OK(!bmp_ok(bmp(0, 1, 24)), "width 0 refused");
	OK(!bmp_ok(bmp(1, 0, 24)), "height 0 refused");
	OK(bmp_ok(bmp(8192, 1, 32)), "width 8192 taken");
	OK(!bmp_ok(bmp(8193, 1, 24)), "width 8193 refused");
	OK(bmp_ok(bmp(1, 8192, 24)), "height 8192 taken");
	OK(!bmp_ok(bmp(1, 8193, 24)), "height 8193 refused");
	OK(bmp_ok(bmp(1, (uint32_t)-8192, 24)) && uki_bmp_parse(bm, sizeof(bm), &b) == UKI_OK &&
	   b.top_down && b.height == 8192, "height -8192: 8192 rows, top-down");
	OK(!bmp_ok(bmp(1, (uint32_t)-8193, 24)), "height -8193 refused");
	n = bmp(3, 2, 24);
	OK(bmp_ok(n) && !bmp_ok(n - 1), "3x2 of 24 bits: rows of 12 bytes (9 padded to 4), not one byte less");

	/* 32 bits a pixel: four bytes a pixel, the fourth not shown */
	n = bmp(3, 1, 32);
	memcpy(bm + 54, "\x01\x02\x03\xff\x04\x05\x06\xff\x07\x08\x09\xff", 12);
	memset(px, 0xee, sizeof(px));
	OK(uki_bmp_parse(bm, n, &b) == UKI_OK && b.stride == 12 && b.bpp == 32,
	   "3x1 of 32 bits: a row of 12 bytes");
	uki_bmp_row(bm, &b, 0, px);
	OK(memcmp(px, "\x01\x02\x03\0\x04\x05\x06\0\x07\x08\x09\0", 12) == 0,
	   "its row: three pixels, the alpha byte not shown");
	n = bmp(2, 1, 24);
	memcpy(bm + 54, "\x01\x02\x03\x04\x05\x06", 6);
	uint8_t two[12];
	memset(two, 0xee, sizeof(two));
	OK(uki_bmp_parse(bm, n, &b) == UKI_OK, "2x1 of 24 bits");
	uki_bmp_row(bm, &b, 0, two);
	OK(memcmp(two, "\x01\x02\x03\0\x04\x05\x06\0", 8) == 0 && two[8] == 0xee,
	   "its row: two pixels, nothing written past them");
}

/* A devicetree's size at the edges: its 40-byte header, totalsize against
 * the section. */
static void
test_fdt(void)
{
	uint8_t d[64] = { 0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0, 40 };

	OK(uki_fdt_size(d, 40) == 40, "a devicetree of its header alone, 40 bytes, in 40");
	OK(uki_fdt_size(d, 39) == 0, "a section of 39 bytes holds no devicetree header");
	d[7] = 39;
	OK(uki_fdt_size(d, 64) == 0, "a totalsize of 39, less than the header, refused");
	d[7] = 64;
	OK(uki_fdt_size(d, 64) == 64, "a totalsize filling the section taken");
	OK(uki_fdt_size(d, 63) == 0, "one byte past it refused");
	OK(uki_fdt_size(NULL, 64) == 0, "no section, no devicetree");
	d[0] = 0xd1;
	OK(uki_fdt_size(d, 64) == 0, "a magic wrong in its first byte refused");
}

/* The directories before a cpio path: a path up to 127 characters, no
 * member of an empty name for a leading '/'. */
static void
test_cpio_prefix(void)
{
	char path[129];
	uint32_t ino = 1;

	memset(path, 'p', sizeof(path));
	path[127] = '\0';
	OK(uki_cpio_prefix(NULL, &ino, path, 0500) == ((110 + 128 + 3) & ~3u) && ino == 2,
	   "a path of 127 characters: one member");
	path[127] = 'p';
	path[128] = '\0';
	ino = 1;
	OK(uki_cpio_prefix(NULL, &ino, path, 0500) == 0, "one of 128 characters refused");
	ino = 1;
	OK(uki_cpio_prefix(NULL, &ino, "/abs", 0500) == 116 && ino == 2,
	   "a leading '/': one member, no directory of an empty name before it");
	ino = 1;
	OK(uki_cpio_prefix(NULL, &ino, "a/b/c", 0500) == 112 + 116 + 116 && ino == 4,
	   "a/b/c: the directories a and a/b, then a/b/c");
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
	test_prefix();
	test_cpio_exact();
	test_bmp();
	test_fdt();
	test_cpio_prefix();
	return DONE();
}
