/* The UKI stub's pure logic on the host: PE parsing and loading with bounds,
 * PCR 11 order, command line policy and conversion, SBAT text. */
#include <stdint.h>
#include <stdlib.h>

#include "igos.h"
#include "unit.h"

#include "../../efi/pure.c"

/* A small PE32+ file: headers in 0x200 bytes, sections .text (file 0x200,
 * VA 0x1000), .reloc (file 0x400, VA 0x2000) and .data (file 0x600,
 * VA 0x3000, virtual size larger than raw). SizeOfImage 0x5000. */
#define F_LEN 0x800
#define PE_OFF 0x80
#define OPT_OFF (PE_OFF + 24)
#define OPT_SIZE 240
#define SHDR_OFF (OPT_OFF + OPT_SIZE)

static void
section(uint8_t *f, int i, const char *name, uint32_t vsize, uint32_t va, uint32_t raw_size,
	uint32_t raw_off)
{
	uint8_t *s = f + SHDR_OFF + 40 * i;
	memset(s, 0, 40);
	memcpy(s, name, strlen(name));
	igos_put_le32(s + 8, vsize);
	igos_put_le32(s + 12, va);
	igos_put_le32(s + 16, raw_size);
	igos_put_le32(s + 20, raw_off);
}

static void
make_pe(uint8_t *f)
{
	memset(f, 0, F_LEN);
	f[0] = 'M';
	f[1] = 'Z';
	igos_put_le32(f + 0x3c, PE_OFF);
	memcpy(f + PE_OFF, "PE\0\0", 4);
	igos_put_le16(f + PE_OFF + 4, 0x8664);
	igos_put_le16(f + PE_OFF + 6, 3);
	igos_put_le16(f + PE_OFF + 20, OPT_SIZE);
	uint8_t *o = f + OPT_OFF;
	igos_put_le16(o, 0x20b);
	igos_put_le32(o + 16, 0x1010);             /* entry */
	igos_put_le64(o + 24, 0x10000000);         /* ImageBase */
	igos_put_le32(o + 32, 0x1000);
	igos_put_le32(o + 36, 0x200);
	igos_put_le16(o + 44, 1);                  /* MajorImageVersion */
	igos_put_le32(o + 56, 0x5000);             /* SizeOfImage */
	igos_put_le32(o + 60, 0x200);              /* SizeOfHeaders */
	igos_put_le16(o + 68, 10);
	igos_put_le16(o + 70, 0x100);
	igos_put_le32(o + 108, 16);
	igos_put_le32(o + 112 + 5 * 8, 0x2000);    /* base relocations */
	igos_put_le32(o + 112 + 5 * 8 + 4, 12);
	section(f, 0, ".text", 0x20, 0x1000, 0x200, 0x200);
	section(f, 1, ".reloc", 12, 0x2000, 0x200, 0x400);
	section(f, 2, ".data", 0x1800, 0x3000, 0x200, 0x600);
	for (int i = 0; i < 0x20; i++)
		f[0x200 + i] = (uint8_t)(0xa0 + i);
	/* one block: page 0x3000, a DIR64 at 0x3008 and an ABSOLUTE pad */
	igos_put_le32(f + 0x400, 0x3000);
	igos_put_le32(f + 0x404, 12);
	igos_put_le16(f + 0x408, (10 << 12) | 0x008);
	igos_put_le16(f + 0x40a, 0);
	igos_put_le64(f + 0x608, 0x10000123);      /* a pointer to ImageBase + 0x123 */
	f[0x7ff] = 0x5a;                   /* last raw byte of .data */
}

static void
test_parse(void)
{
	static uint8_t f[F_LEN];
	struct uki_pe pe;
	int all_short_fail = 1;

	make_pe(f);
	OK(uki_pe_parse(f, F_LEN, &pe) == UKI_OK, "parse a PE32+ image");
	OK(pe.nsections == 3 && strcmp(pe.sec[1].name, ".reloc") == 0, "three sections, names");
	OK(pe.entry == 0x1010 && pe.size_of_image == 0x5000 && pe.image_base == 0x10000000 &&
	   pe.major_image_version == 1 && pe.subsystem == 10 && pe.dll_chars == 0x100,
	   "header fields");
	OK(pe.reloc_rva == 0x2000 && pe.reloc_size == 12, "base relocation directory");

	/* Every length short of the section table's end is refused. */
	for (size_t n = 0; n < SHDR_OFF + 3 * 40; n++)
		if (uki_pe_parse(f, n, &pe) == UKI_OK)
			all_short_fail = 0;
	OK(all_short_fail, "every truncation before the end of the section table is refused");

	make_pe(f);
	f[1] = 'X';
	OK(uki_pe_parse(f, F_LEN, &pe) == UKI_E_MAGIC, "no MZ: not a PE image");
	make_pe(f);
	f[PE_OFF + 1] = 'X';
	OK(uki_pe_parse(f, F_LEN, &pe) == UKI_E_MAGIC, "no PE signature");
	make_pe(f);
	igos_put_le32(f + 0x3c, 0xfffffff0);
	OK(uki_pe_parse(f, F_LEN, &pe) == UKI_E_TRUNC, "e_lfanew past the end (no wrap)");
	make_pe(f);
	igos_put_le16(f + OPT_OFF, 0x10b);
	OK(uki_pe_parse(f, F_LEN, &pe) == UKI_E_FORMAT, "PE32 (not PE32+) refused");
	make_pe(f);
	igos_put_le16(f + PE_OFF + 4, 0xaa64);
	OK(uki_pe_parse(f, F_LEN, &pe) == UKI_E_FORMAT, "other machine refused");
	make_pe(f);
	igos_put_le16(f + PE_OFF + 6, UKI_MAX_SECTIONS + 1);
	OK(uki_pe_parse(f, F_LEN, &pe) == UKI_E_SECTIONS, "too many sections");
	make_pe(f);
	igos_put_le32(f + OPT_OFF + 108, 1000);
	OK(uki_pe_parse(f, F_LEN, &pe) == UKI_E_FORMAT, "NumberOfRvaAndSizes beyond the header");
	make_pe(f);
	igos_put_le32(f + OPT_OFF + 60, 0x100);
	OK(uki_pe_parse(f, F_LEN, &pe) == UKI_E_FORMAT, "section table past SizeOfHeaders");
	make_pe(f);
	igos_put_le16(f + PE_OFF + 20, 0xffff);
	OK(uki_pe_parse(f, F_LEN, &pe) == UKI_E_TRUNC, "optional header past the end");
}

static void
test_loaded_section(void)
{
	static uint8_t f[F_LEN], img[0x5000];
	struct uki_pe pe;
	const uint8_t *d;
	size_t n;

	make_pe(f);
	uki_pe_parse(f, F_LEN, &pe);
	OK(uki_loaded_section(&pe, img, sizeof(img), ".data", &d, &n) == UKI_OK &&
	   d == img + 0x3000 && n == 0x1800, "section found at ImageBase + VA, VirtualSize bytes");
	OK(uki_loaded_section(&pe, img, sizeof(img), ".initrd", &d, &n) == UKI_OK &&
	   d == NULL && n == 0, "absent section: no data, no error");
	OK(uki_loaded_section(&pe, img, 0x4000, ".data", &d, &n) == UKI_E_BOUNDS,
	   "section past the loaded image size refused");
	pe.sec[2].vaddr = 0xffffff00;
	pe.sec[2].vsize = 0x200;
	OK(uki_loaded_section(&pe, img, sizeof(img), ".data", &d, &n) == UKI_E_BOUNDS,
	   "VA + size wrapping around refused");
	uki_pe_parse(f, F_LEN, &pe);
	pe.size_of_image = 0x4000;
	OK(uki_loaded_section(&pe, img, sizeof(img), ".data", &d, &n) == UKI_E_BOUNDS,
	   "section past SizeOfImage refused");
	uki_pe_parse(f, F_LEN, &pe);
	memcpy(pe.sec[0].name, ".data", 6);
	OK(uki_loaded_section(&pe, img, sizeof(img), ".data", &d, &n) == UKI_E_DUP,
	   "a duplicate section name refused");
	OK(uki_loaded_section(&pe, img, sizeof(img), ".dat", &d, &n) == UKI_OK && d == NULL,
	   "prefix of a name does not match");
}

static void
test_load(void)
{
	static uint8_t f[F_LEN], img[0x5000];
	struct uki_pe pe;
	int zero = 1;

	make_pe(f);
	uki_pe_parse(f, F_LEN, &pe);
	memset(img, 0, sizeof(img));
	OK(uki_pe_load(&pe, f, F_LEN, img, 0x10000000) == UKI_OK, "load at the preferred base");
	OK(memcmp(img, f, 0x200) == 0, "headers copied");
	OK(img[0x1000] == 0xa0 && img[0x101f] == 0xbf && img[0x1020] == 0,
	   ".text copied up to VirtualSize");
	OK(img[0x31ff] == 0x5a, ".data copied");
	for (int i = 0x3200; i < 0x4800; i++)
		if (img[i])
			zero = 0;
	OK(zero, "the rest of .data's VirtualSize is zero");
	OK(img[0x3008] == 0x23 && img[0x3009] == 0x01 && img[0x300a] == 0 && img[0x300b] == 0x10,
	   "no delta: DIR64 value unchanged");

	memset(img, 0, sizeof(img));
	OK(uki_pe_load(&pe, f, F_LEN, img, 0x7f000000) == UKI_OK, "load elsewhere");
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | img[0x3008 + i];
	OK(v == 0x7f000123, "DIR64 relocated by the load delta");

	make_pe(f);
	igos_put_le16(f + 0x408, (3 << 12) | 0x008);
	uki_pe_parse(f, F_LEN, &pe);
	OK(uki_pe_load(&pe, f, F_LEN, img, 0x7f000000) == UKI_E_RELOC,
	   "HIGHLOW relocation refused in a PE32+ image");
	make_pe(f);
	igos_put_le32(f + 0x404, 0x1000);
	uki_pe_parse(f, F_LEN, &pe);
	OK(uki_pe_load(&pe, f, F_LEN, img, 0x7f000000) == UKI_E_RELOC,
	   "relocation block larger than the directory refused");
	make_pe(f);
	igos_put_le16(f + 0x408, (10 << 12) | 0xffc);
	igos_put_le32(f + 0x400, 0x4000);
	uki_pe_parse(f, F_LEN, &pe);
	OK(uki_pe_load(&pe, f, F_LEN, img, 0x7f000000) == UKI_E_RELOC,
	   "relocation target past the image refused");

	make_pe(f);
	uki_pe_parse(f, F_LEN, &pe);
	OK(uki_pe_load(&pe, f, F_LEN - 1, img, 0x10000000) == UKI_E_BOUNDS,
	   "section raw data past the end of the file refused");
	pe.sec[2].vsize = 0x2001;
	OK(uki_pe_load(&pe, f, F_LEN, img, 0x10000000) == UKI_E_BOUNDS,
	   "section past SizeOfImage refused");
	uki_pe_parse(f, F_LEN, &pe);
	pe.sec[0].vaddr = 0x100;
	OK(uki_pe_load(&pe, f, F_LEN, img, 0x10000000) == UKI_E_BOUNDS,
	   "section overlapping the headers refused");
	uki_pe_parse(f, F_LEN, &pe);
	pe.entry = 0x5000;
	OK(uki_pe_load(&pe, f, F_LEN, img, 0x10000000) == UKI_E_FORMAT,
	   "entry point outside the image refused");
}

/* The built stub, parsed by this code and by lib/pe.c alike. */
static void
test_built_stub(void)
{
	const char *b = getenv("IGOS_BUILD");
	char path[4096];
	struct igos_buf buf;
	static struct igos_pe lp;
	static struct uki_pe pe;
	int same = 1;

	if (b == NULL) {
		OK(1, "# SKIP IGOS_BUILD not set");
		return;
	}
	snprintf(path, sizeof(path), "%s/efi/igos-stubx64.efi", b);
	OK(igos_buf_read(&buf, path, 0) == 0, "read the built stub");
	if (buf.len == 0)
		return;
	OK(uki_pe_parse(buf.data, buf.len, &pe) == UKI_OK && igos_pe_parse(&lp, buf.data, buf.len) == 0,
	   "both parsers accept the built stub");
	same = pe.nsections == lp.nsections && pe.entry == lp.entry &&
	       pe.size_of_image == lp.size_of_image;
	for (unsigned i = 0; same && i < pe.nsections; i++)
		same = strcmp(pe.sec[i].name, lp.sec[i].name) == 0 &&
		       pe.sec[i].vaddr == lp.sec[i].vaddr && pe.sec[i].vsize == lp.sec[i].vsize;
	OK(same, "section tables agree with lib/pe.c");
	const struct igos_pe_section *s = igos_pe_section(&lp, ".sbat");
	OK(s != NULL && s->vsize == IGOS_SBAT_SIZE && s->raw_off + s->vsize <= buf.len &&
	   uki_sbat_valid((const char *)buf.data + s->raw_off, s->vsize) &&
	   memcmp(buf.data + s->raw_off, IGOS_SBAT_TEXT, strlen(IGOS_SBAT_TEXT)) == 0,
	   "the stub's .sbat is the SBAT text padded with NULs to %d bytes", IGOS_SBAT_SIZE);
	igos_buf_free(&buf);
}

static void
test_order(void)
{
	const char *want[] = { ".linux", ".osrel", ".cmdline", ".initrd", ".ucode",
			       ".splash", ".dtb", ".uname", ".sbat", ".pcrpkey",
			       ".profile", ".dtbauto", ".hwids", ".efifw" };
	int same = uki_pcr11_count == 14;

	for (unsigned i = 0; same && i < 14; i++)
		same = strcmp(uki_pcr11_order[i], want[i]) == 0;
	OK(same, "PCR 11 order is systemd's");
	int sig = 0;
	for (unsigned i = 0; i < uki_pcr11_count; i++)
		sig |= strcmp(uki_pcr11_order[i], ".pcrsig") == 0;
	OK(!sig, ".pcrsig is never measured");
}

static void
test_cmdline(void)
{
	OK(uki_cmdline_choose(1, 10, 5) == UKI_CMDLINE_SECTION, "SB on + .cmdline: LoadOptions ignored");
	OK(uki_cmdline_choose(0, 10, 5) == UKI_CMDLINE_LOADOPTS, "SB off: LoadOptions used");
	OK(uki_cmdline_choose(1, 0, 5) == UKI_CMDLINE_LOADOPTS, "SB on, no .cmdline: LoadOptions used");
	OK(uki_cmdline_choose(0, 10, 0) == UKI_CMDLINE_SECTION, "SB off, no LoadOptions: .cmdline");
	OK(uki_cmdline_choose(1, 0, 0) == UKI_CMDLINE_NONE, "neither: empty command line");

	const uint8_t a[] = { 'a', 0, ' ', 0, 'b', 0, 0, 0, 'x', 0 };
	OK(uki_loadopts_chars(a, sizeof(a)) == 3, "LoadOptions text stops at the NUL");
	OK(uki_loadopts_chars(a, 5) == 2, "odd size: the last byte ignored");
	OK(uki_loadopts_chars(a, 0) == 0 && uki_loadopts_chars(NULL, 8) == 0, "empty or NULL");
	/* OVMF's auto-created boot options carry this GUID as OptionalData. */
	const uint8_t guid[] = { 0x4e, 0xac, 0x08, 0x81, 0x11, 0x9f, 0x59, 0x4d,
				 0x85, 0x0e, 0xe2, 0x1a, 0x52, 0x2c, 0x59, 0xb2 };
	OK(uki_loadopts_chars(guid, sizeof(guid)) == 0, "binary OptionalData (a GUID) is not a command line");
	const uint8_t low[] = { 0x01, 0x02, 0x13, 0x44 };
	OK(uki_loadopts_chars(low, sizeof(low)) == 0, "binary starting with a control character");
	const uint8_t ctl[] = { 'a', 0, '\n', 0, 'b', 0 };
	OK(uki_loadopts_chars(ctl, sizeof(ctl)) == 0, "a control character makes it binary");
	const uint8_t tab[] = { 'a', 0, '\t', 0, '~', 0 };
	OK(uki_loadopts_chars(tab, sizeof(tab)) == 3, "tab and printable ASCII accepted");
	const uint8_t lat[] = { 'a', 0, 0xe9, 0 };
	OK(uki_loadopts_chars(lat, sizeof(lat)) == 0, "non-ASCII refused");
	const uint8_t nul[] = { 0, 0, 'a', 0 };
	OK(uki_loadopts_chars(nul, sizeof(nul)) == 0, "an empty string is no command line");
}

static int
conv(const char *in, size_t inlen, const uint16_t *want, size_t wantn)
{
	uint16_t out[64];

	for (size_t i = 0; i < 64; i++)
		out[i] = 0xcccc;
	size_t n = uki_utf8_to_utf16((const uint8_t *)in, inlen, out);
	if (n != wantn || out[n] != 0 || memcmp(out, want, n * 2) != 0)
		return 0;
	for (size_t i = inlen + 1; i < 64; i++)
		if (out[i] != 0xcccc)
			return 0;
	return 1;
}

static void
test_utf8(void)
{
	const uint16_t a[] = { 'r', 'o', '=', '1' };
	OK(conv("ro=1", 4, a, 4), "ASCII");
	OK(conv("ro=1\0junk", 9, a, 4), "stops at a NUL");
	OK(conv("ro=1", 2, a, 2), "stops at the length");
	const uint16_t b[] = { 0xe9, 0x20ac };
	OK(conv("\xc3\xa9\xe2\x82\xac", 5, b, 2), "2- and 3-byte sequences");
	const uint16_t c[] = { 0xd83d, 0xde00 };
	OK(conv("\xf0\x9f\x98\x80", 4, c, 2), "4-byte sequence to a surrogate pair");
	const uint16_t d[] = { 0xfffd, 'a' };
	OK(conv("\xc3" "a", 2, d, 2), "truncated sequence replaced, resync");
	const uint16_t e[] = { 0xfffd, 0xfffd };
	OK(conv("\xc0\xaf", 2, e, 2), "overlong encoding replaced");
	const uint16_t f[] = { 0xfffd, 0xfffd, 0xfffd };
	OK(conv("\xed\xa0\x80", 3, f, 3), "encoded surrogate replaced");
	OK(conv("\xf0\x9f\x98", 3, f, 3), "4-byte sequence cut short");
	const uint16_t g[] = { 0xfffd };
	OK(conv("\xff", 1, g, 1), "invalid lead byte replaced");
}

static void
test_sbat(void)
{
	char pad[IGOS_SBAT_SIZE];

	OK(uki_sbat_valid(IGOS_SBAT_TEXT, strlen(IGOS_SBAT_TEXT)), "the stub's SBAT text is valid");
	OK(strstr(IGOS_SBAT_TEXT, "\nigos,1,InterGenOS,igos-stub," IGOS_STUB_VERSION ",") != NULL,
	   "it has the igos generation line after the header");
	OK(strncmp(IGOS_SBAT_TEXT, "sbat,1,SBAT Version,sbat,1,", 27) == 0, "it starts with the sbat,1 header");
	memset(pad, 0, sizeof(pad));
	memcpy(pad, IGOS_SBAT_TEXT, strlen(IGOS_SBAT_TEXT));
	OK(uki_sbat_valid(pad, sizeof(pad)), "padded with NULs it is valid");
	pad[sizeof(pad) - 1] = 'x';
	OK(!uki_sbat_valid(pad, sizeof(pad)), "junk after the NULs is not");
	OK(!uki_sbat_valid("igos,1,a,b,c,d\n", 15), "no sbat header line");
	OK(!uki_sbat_valid("sbat,1,a,b,c\n", 13), "five fields");
	OK(!uki_sbat_valid("sbat,1,a,b,c,d", 14), "no final newline");
	OK(!uki_sbat_valid("sbat,1,a,,c,d\n", 14), "an empty field");
	OK(!uki_sbat_valid("", 0), "empty");
}

/* A section table only (no image bytes needed but for bounds): names at
 * VA 0x1000 * (i + 1), 0x10 bytes each, in an image of 0x20000 bytes. */
static void
profile_pe(struct uki_pe *pe, const char *const *names, unsigned n)
{
	memset(pe, 0, sizeof(*pe));
	pe->size_of_image = 0x20000;
	pe->nsections = n;
	for (unsigned i = 0; i < n; i++) {
		snprintf(pe->sec[i].name, sizeof(pe->sec[i].name), "%s", names[i]);
		pe->sec[i].vaddr = 0x1000 * (i + 1);
		pe->sec[i].vsize = 0x10;
	}
}

static void
test_profiles(void)
{
	static uint8_t img[0x20000];
	struct uki_pe pe;
	const uint8_t *d;
	size_t n;
	unsigned a, b;
	/* base: .osrel .cmdline .linux; profile 0: .profile; profile 1:
	 * .profile .cmdline; profile 2: .profile .cmdline .dtb */
	static const char *const uki[] = { ".osrel", ".cmdline", ".linux", ".profile", ".profile",
					   ".cmdline", ".profile", ".cmdline", ".dtb" };

	profile_pe(&pe, uki, 9);
	OK(uki_profile_count(&pe) == 3, "three .profile sections: three profiles");
	OK(uki_profile_range(&pe, UKI_PROFILE_BASE, &a, &b) == UKI_OK && a == 0 && b == 3,
	   "the base runs up to the first .profile");
	OK(uki_profile_range(&pe, 0, &a, &b) == UKI_OK && a == 3 && b == 4, "profile 0: its .profile alone");
	OK(uki_profile_range(&pe, 2, &a, &b) == UKI_OK && a == 6 && b == 9, "the last profile runs to the end");
	OK(uki_profile_range(&pe, 3, &a, &b) == UKI_E_PROFILE, "profile 3 of 3 refused");
	OK(uki_profile_section(&pe, img, sizeof(img), 0, ".cmdline", &d, &n) == UKI_OK &&
	   d == img + 0x2000 && n == 0x10, "profile 0 without its own .cmdline sees the base's");
	OK(uki_profile_section(&pe, img, sizeof(img), 1, ".cmdline", &d, &n) == UKI_OK &&
	   d == img + 0x6000, "profile 1's .cmdline replaces the base's");
	OK(uki_profile_section(&pe, img, sizeof(img), 2, ".dtb", &d, &n) == UKI_OK &&
	   d == img + 0x9000, "a section only profile 2 has");
	OK(uki_profile_section(&pe, img, sizeof(img), 1, ".dtb", &d, &n) == UKI_OK && d == NULL,
	   "profile 1 does not see profile 2's .dtb");
	OK(uki_profile_section(&pe, img, sizeof(img), 1, ".profile", &d, &n) == UKI_OK &&
	   d == img + 0x5000, "the chosen .profile section itself");
	OK(uki_profile_section(&pe, img, sizeof(img), UKI_PROFILE_BASE, ".profile", &d, &n) == UKI_OK &&
	   d == NULL, "the base has no .profile");
	OK(uki_profile_section(&pe, img, sizeof(img), 1, ".linux", &d, &n) == UKI_OK &&
	   d == img + 0x3000, "the base's .linux for every profile");
	OK(uki_profile_section(&pe, img, sizeof(img), 7, ".linux", &d, &n) == UKI_E_PROFILE,
	   "a profile past the last refused");

	static const char *const plain[] = { ".osrel", ".cmdline", ".linux" };
	profile_pe(&pe, plain, 3);
	OK(uki_profile_count(&pe) == 1, "no .profile: one profile");
	OK(uki_profile_section(&pe, img, sizeof(img), 0, ".cmdline", &d, &n) == UKI_OK &&
	   d == img + 0x2000, "profile 0 of a UKI without profiles is the base");
	OK(uki_profile_section(&pe, img, sizeof(img), 1, ".cmdline", &d, &n) == UKI_E_PROFILE,
	   "profile 1 of a UKI without profiles refused");

	static const char *const dup[] = { ".linux", ".profile", ".cmdline", ".cmdline" };
	profile_pe(&pe, dup, 4);
	OK(uki_profile_section(&pe, img, sizeof(img), 0, ".cmdline", &d, &n) == UKI_E_DUP,
	   "a name twice in one profile refused");
	static const char *const dupb[] = { ".linux", ".linux", ".profile" };
	profile_pe(&pe, dupb, 3);
	OK(uki_profile_section(&pe, img, sizeof(img), 0, ".linux", &d, &n) == UKI_E_DUP,
	   "a name twice in the base refused");
	profile_pe(&pe, uki, 9);
	pe.sec[5].vaddr = 0x1fff8;
	OK(uki_profile_section(&pe, img, sizeof(img), 1, ".cmdline", &d, &n) == UKI_E_BOUNDS,
	   "a profile section past the image refused");
}

static size_t
prefix(const char *s, unsigned *p)
{
	uint8_t lo[64];
	size_t n = strlen(s);

	for (size_t i = 0; i <= n; i++)
		igos_put_le16(lo + 2 * i, (uint8_t)s[i]);
	return uki_profile_prefix(lo, n + 1, p);
}

static void
test_profile_prefix(void)
{
	unsigned p = 99;

	OK(prefix("@1 quiet", &p) == 3 && p == 1, "@1 and one space taken");
	OK(prefix("@12", &p) == 3 && p == 12, "@12 at the end");
	OK(prefix("@0  x", &p) == 3 && p == 0, "only one space taken");
	OK(prefix("@4294967295", &p) == 11 && p == 4294967295u, "UINT32_MAX (the base)");
	p = 5;
	OK(prefix("@4294967296", &p) == 0 && p == 0, "past UINT32_MAX: no profile");
	OK(prefix("@1x", &p) == 0 && p == 0, "a digit run followed by a letter: no profile");
	OK(prefix("@ 1", &p) == 0 && p == 0, "no digits: no profile");
	OK(prefix("quiet @1", &p) == 0, "@N only at the start");
	OK(prefix("@", &p) == 0, "@ alone");
	uint8_t lo[4] = { '@', 0, '7', 0 };
	OK(uki_profile_prefix(lo, 2, &p) == 2 && p == 7, "no NUL within LoadOptionsSize");
	OK(uki_profile_prefix(NULL, 0, &p) == 0, "no LoadOptions");
}

static void
test_cpio(void)
{
	uint8_t buf[512];
	const uint8_t data[5] = "hello";
	size_t n = uki_cpio_member(NULL, 2, 0100444, ".extra/x", data, 5);

	OK(n == 120 + 8, "member size: 110 + name 9 padded to 120, data padded to 8");
	OK(uki_cpio_member(buf, 2, 0100444, ".extra/x", data, 5) == n &&
	   memcmp(buf, "070701" "00000002" "00008124" "00000000" "00000000" "00000001" "00000000"
		  "00000005" "00000000" "00000000" "00000000" "00000000" "00000009" "00000000"
		  ".extra/x", 118) == 0 && buf[118] == 0 && memcmp(buf + 120, "hello\0\0\0", 8) == 0,
	   "newc header fields, name and data with their padding");
	OK(uki_cpio_member(buf, 1, 040555, ".extra", NULL, 0) == 120 &&
	   memcmp(buf + 14, "0000416d", 8) == 0 && memcmp(buf + 38, "00000001", 8) == 0,
	   "a directory: mode 040555, one link (as systemd)");
	uint32_t ino = 1;
	size_t pn = uki_cpio_prefix(NULL, &ino, ".extra/credentials", 0500);
	ino = 1;
	OK(pn == 120 + 132 && uki_cpio_prefix(buf, &ino, ".extra/credentials", 0500) == pn && ino == 3 &&
	   memcmp(buf + 14, "0000416d", 8) == 0 && memcmp(buf + 110, ".extra", 7) == 0 &&
	   memcmp(buf + 120 + 6, "00000002" "00004140", 16) == 0 &&
	   memcmp(buf + 120 + 110, ".extra/credentials", 19) == 0,
	   "prefix directories: .extra 0555, then the path with its own mode");
	uint8_t fdt[64] = { 0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0, 48 };
	OK(uki_fdt_size(fdt, 64) == 48, "a devicetree: its totalsize");
	OK(uki_fdt_size(fdt, 47) == 0, "a devicetree longer than its section refused");
	fdt[3] = 0xee;
	OK(uki_fdt_size(fdt, 64) == 0, "no devicetree magic refused");
	/* a 2x2 24-bit BMP, rows bottom-up, each padded to 8 bytes */
	uint8_t bmp[54 + 16] = { 'B', 'M' };
	struct uki_bmp b;
	uint8_t px[8];
	igos_put_le32(bmp + 10, 54);
	igos_put_le32(bmp + 14, 40);
	igos_put_le32(bmp + 18, 2);
	igos_put_le32(bmp + 22, 2);
	igos_put_le16(bmp + 26, 1);
	igos_put_le16(bmp + 28, 24);
	memcpy(bmp + 54, "\x01\x02\x03\x04\x05\x06\0\0" "\x11\x12\x13\x14\x15\x16\0\0", 16);
	OK(uki_bmp_parse(bmp, sizeof(bmp), &b) == UKI_OK && b.width == 2 && b.height == 2 &&
	   b.stride == 8 && !b.top_down, "a 24-bit BMP: size, stride padded to 4");
	uki_bmp_row(bmp, &b, 0, px);
	OK(memcmp(px, "\x11\x12\x13\0\x14\x15\x16\0", 8) == 0, "its top row is the last in the file");
	igos_put_le32(bmp + 22, (uint32_t)-2);
	OK(uki_bmp_parse(bmp, sizeof(bmp), &b) == UKI_OK && b.top_down, "negative height: top-down");
	uki_bmp_row(bmp, &b, 0, px);
	OK(memcmp(px, "\x01\x02\x03\0\x04\x05\x06\0", 8) == 0, "top-down: the first row is the top");
	OK(uki_bmp_parse(bmp, sizeof(bmp) - 1, &b) == UKI_E_BOUNDS, "pixels past the data refused");
	igos_put_le16(bmp + 28, 8);
	OK(uki_bmp_parse(bmp, sizeof(bmp), &b) == UKI_E_FORMAT, "8 bits a pixel refused");
	igos_put_le16(bmp + 28, 24);
	igos_put_le32(bmp + 30, 1);
	OK(uki_bmp_parse(bmp, sizeof(bmp), &b) == UKI_E_FORMAT, "RLE refused");
	igos_put_le32(bmp + 30, 0);
	igos_put_le32(bmp + 18, 0x20000);
	OK(uki_bmp_parse(bmp, sizeof(bmp), &b) == UKI_E_FORMAT, "wider than 8192 refused");
	OK(uki_cpio_trailer(buf) == 124 &&
	   memcmp(buf, "070701" "00000000" "00000000" "00000000" "00000000" "00000001" "00000000"
		  "00000000" "00000000" "00000000" "00000000" "00000000" "0000000B" "00000000"
		  "TRAILER!!!\0\0\0\0", 124) == 0,
	   "the trailer, byte for byte systemd's");
}

int
main(void)
{
	test_parse();
	test_loaded_section();
	test_load();
	test_built_stub();
	test_order();
	test_cmdline();
	test_utf8();
	test_sbat();
	test_profiles();
	test_profile_prefix();
	test_cpio();
	return DONE();
}
