/* lib/sbat.c at its edges: the generations igos-bootcheck takes as exactly
 * written, and a UTF-8 byte order mark at the start of the text. */
#include <stdlib.h>

#include "igos.h"
#include "sbat.h"
#include "unit.h"
#include "unit-pe.h"

/* a literal and its length, embedded NULs included */
#define T(s) s, sizeof(s) - 1

static struct igos_sbat s;

static int
row(const char *t, size_t len)
{
	igos_sbat_free(&s);
	if (igos_sbat_parse(&s, t, len) < 0) {
		printf("# %s\n", igos_errmsg());
		return 0;
	}
	return 1;
}

int
main(void)
{
	OK(row(T("a,0,v,p,1,u\n")) && s.n == 1 && s.e[0].gen == 0 && s.e[0].gen_exact,
	   "generation 0: exact");
	OK(row(T("a,9,v,p,1,u\n")) && s.e[0].gen == 9 && s.e[0].gen_exact, "generation 9: exact");
	OK(row(T("a,90,v,p,1,u\n")) && s.e[0].gen == 90 && s.e[0].gen_exact, "generation 90: exact");
	OK(row(T("a,/1,v,p,1,u\n")) && s.e[0].gen == 0 && !s.e[0].gen_exact, "'/' (before '0'): not exact");
	OK(row(T("a,:1,v,p,1,u\n")) && s.e[0].gen == 0 && !s.e[0].gen_exact, "':' (after '9'): not exact");

	OK(row(T("\xef\xbb\xbf")) && s.n == 0, "a byte order mark alone: no rows");
	OK(row(T("\xef\xbb\xbf" "a,1,v,p,1,u\n")) && s.n == 1 &&
	   strcmp(s.e[0].f[IGOS_SBAT_COMPONENT], "a") == 0,
	   "after a byte order mark the first component is 'a', without the mark");
	OK(row(T("\xef\xbb")) == 0 && strstr(igos_errmsg(), "line 1: 1 of the 6 fields"),
	   "two bytes of a byte order mark are text");

	/* which rows refused the image: both reported */
	struct igos_sbat lvl;
	size_t ir = 99, lr = 99;
	OK(row(T("igos,1,I,igos,1,u\ngrub,4,F,grub,2.06,u\n")) &&
	   igos_sbat_level_parse(&lvl, T("sbat,1,2025021800\nshim,4\ngrub,5\n")) == 0 &&
	   igos_sbat_check(&s, &lvl, &ir, &lr) == 1 && ir == 1 && lr == 2,
	   "grub,4 under grub,5: image row 2, level row 3");
	/* no rows: nothing to refuse, and an empty level refuses nothing */
	OK(row(T("")) && s.n == 0 && igos_sbat_check(&s, &lvl, &ir, &lr) == 0,
	   "an image without SBAT rows passes any level");
	igos_sbat_free(&lvl);
	OK(row(T("grub,1,F,grub,2.06,u\n")) && igos_sbat_level_parse(&lvl, T("")) == 0 &&
	   lvl.n == 0 && igos_sbat_check(&s, &lvl, NULL, NULL) == 0,
	   "an empty SbatLevel refuses nothing");
	igos_sbat_free(&lvl);

	/* .sbat in a PE: whole when VirtualSize equals SizeOfRawData, and
	 * when it ends at the end of the file */
	struct igos_pe pe;
	const unsigned char *d;
	size_t len;
	unit_pe_headers(2, 0x4000);
	unit_pe_section(0, ".text", 0x1000, 0x100, 0x400, 0x200);
	unit_pe_section(1, ".sbat", 0x2000, 0x200, 0x600, 0x200);
	OK(igos_pe_parse(&pe, img, sizeof(img)) == 0 && igos_sbat_find(&pe, &d, &len) == 0 &&
	   d == img + 0x600 && len == 0x200, ".sbat with VirtualSize == SizeOfRawData found");
	unit_pe_section(1, ".sbat", 0x2000, 0x50, sizeof(img) - 0x200, 0x200);
	OK(igos_pe_parse(&pe, img, sizeof(img)) == 0 && igos_sbat_find(&pe, &d, &len) == 0 &&
	   d == img + sizeof(img) - 0x200 && len == 0x200, ".sbat ending at the end of the file found");

	/* the most sections a PE may have, none of them .sbat: the walk stops at
	 * the last (the parsed image on the heap, its section array last) */
	{
		static unsigned char big[0x2000];
		struct igos_pe *hp = malloc(sizeof(*hp));

		unit_pe_headers(IGOS_PE_MAX_SECTIONS, 0x1000 * (IGOS_PE_MAX_SECTIONS + 2));
		put32(OPT + 60, 0x1200);
		memcpy(big, img, sizeof(img));
		for (int i = 0; i < IGOS_PE_MAX_SECTIONS; i++) {
			unsigned char *h = big + SHDR + 40 * i;

			memcpy(h, ".data", 5);
			igos_put_le32(h + 8, 0x10);
			igos_put_le32(h + 12, 0x1000 * (uint32_t)(i + 2));
		}
		OK(hp && igos_pe_parse(hp, big, sizeof(big)) == 0 &&
		   hp->nsections == IGOS_PE_MAX_SECTIONS && igos_sbat_find(hp, &d, &len) == IGOS_SBAT_NONE,
		   "%d sections, none .sbat: none found (%s)", IGOS_PE_MAX_SECTIONS, igos_errmsg());
		free(hp);
	}

	/* shim's .sbatlevel: 12 bytes hold a header but no text */
	unsigned char sl[12] = { 0 };
	struct igos_sbatlevel lv;
	igos_put_le32(sl + 4, 8);
	igos_put_le32(sl + 8, 8);
	OK(igos_sbatlevel_parse(sl, sizeof(sl), &lv) < 0 &&
	   strcmp(igos_errmsg(), ".sbatlevel offset 8 out of range") == 0,
	   "a 12-byte .sbatlevel: its offset is out of range");
	igos_put_le32(sl + 4, 8);
	igos_put_le32(sl + 8, 12);
	unsigned char sl16[16] = { 0 };
	memcpy(sl16, sl, 12);
	OK(igos_sbatlevel_parse(sl16, sizeof(sl16), &lv) < 0 &&
	   strcmp(igos_errmsg(), ".sbatlevel offset 12 out of range") == 0,
	   "a .sbatlevel text offset at its last four bytes: out of range");

	/* SbatLevel kept or replaced: a longer version field is a greater
	 * version, whatever the datestamps say */
	static const char v10[] = "sbat,10,2020010100\n", v9[] = "sbat,9,2025021800\n";
	OK(igos_sbat_level_kept(v10, strlen(v10), v9, strlen(v9)) == 1,
	   "sbat,10 (older date) is kept against sbat,9");
	OK(igos_sbat_level_kept(v9, strlen(v9), v10, strlen(v10)) == 1,
	   "sbat,9 with the later date is kept against sbat,10");
	static const char old9[] = "sbat,9,2019010100\n";
	OK(igos_sbat_level_kept(old9, strlen(old9), v10, strlen(v10)) == 0,
	   "sbat,9 with the earlier date is replaced by sbat,10");
	/* a level of exactly the original's 18 bytes is long enough to keep */
	static const char l18[] = "sbat,1,2099010100\n", cand[] = "sbat,1,2025021800\nshim,4\n";
	OK(sizeof(l18) - 1 == 18 && igos_sbat_level_kept(l18, 18, cand, strlen(cand)) == 1,
	   "an 18-byte sbat,1,2099010100 in NVRAM is kept against a 2025 level");
	OK(igos_sbat_level_kept(l18, 17, cand, strlen(cand)) == 0,
	   "its first 17 bytes are too short: replaced");
	/* shim's field walk ends at a NUL: one in NVRAM's level cuts its version
	 * field there, and its datestamp is then empty */
	static const char nul[] = "sbat,1\0xx,2099010100\n", c1[] = "sbat,1,2025021800\n";
	OK(igos_sbat_level_kept(nul, sizeof(nul) - 1, c1, strlen(c1)) == 0,
	   "a NUL after NVRAM's version field: replaced, whatever follows it");
	/* columns past the taken ones are not looked at, empty or not */
	OK(row(T("a,1,v,p,1,u,\n")) && s.n == 1 && strcmp(s.e[0].f[IGOS_SBAT_URL], "u") == 0,
	   "an empty seventh SBAT field is ignored, as shim takes six");
	OK(igos_sbat_level_parse(&lvl, T("grub,5,a,\n")) == 0 && lvl.n == 1 &&
	   strcmp(lvl.e[0].f[IGOS_SBAT_DATESTAMP], "a") == 0,
	   "an empty fourth SbatLevel field is ignored, as shim takes three");
	igos_sbat_free(&lvl);
	igos_sbat_free(&s);
	return DONE();
}
