/* lib/sbat.c: .sbat and SbatLevel parsing, shim's comparison, its .sbatlevel
 * section and its SbatLevel update rule, each case as shim 16.1 decides it. */
#include <stdlib.h>

#include "igos.h"
#include "sbat.h"
#include "unit.h"
#include "unit-pe.h"

/* a literal and its length, embedded NULs included */
#define T(s) s, sizeof(s) - 1

#define CHECK(cond, ...) do { int r_ = !!(cond); OK(r_, __VA_ARGS__); } while (0)

static const char SHIM_SBAT[] =
	"sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\n"
	"shim,4,UEFI shim,shim,1,https://github.com/rhboot/shim\n"
	"shim.debian,1,Debian,shim,16.1,https://tracker.debian.org/pkg/shim\n";

static int
parse(struct igos_sbat *s, const char *t, size_t len)
{
	return igos_sbat_parse(s, t, len);
}

/* parse fails with exactly msg */
static int
fails(const char *t, size_t len, const char *msg)
{
	struct igos_sbat s;

	if (parse(&s, t, len) == 0) {
		igos_sbat_free(&s);
		return 0;
	}
	if (strcmp(igos_errmsg(), msg) != 0) {
		printf("# got '%s'\n", igos_errmsg());
		return 0;
	}
	return 1;
}

static size_t
rows(const char *t, size_t len)
{
	struct igos_sbat s;
	size_t n;

	if (parse(&s, t, len) < 0)
		return (size_t)-1;
	n = s.n;
	igos_sbat_free(&s);
	return n;
}

static uint16_t
gen_of(const char *g, int *exact)
{
	char t[128];
	struct igos_sbat s;
	uint16_t v;

	snprintf(t, sizeof(t), "x,%s,v,p,1,u\n", g);
	if (parse(&s, t, strlen(t)) < 0)
		return 0xdead;
	v = s.e[0].gen;
	*exact = s.e[0].gen_exact;
	igos_sbat_free(&s);
	return v;
}

/* 0 pass, 1 refused, -1 parse error; on refusal *ir is the image row */
static int
judge(const char *img, const char *lvl, size_t *ir)
{
	struct igos_sbat a, b;
	size_t i = 99, j = 99;
	int r;

	if (igos_sbat_parse(&a, img, strlen(img)) < 0)
		return -1;
	if (igos_sbat_level_parse(&b, lvl, strlen(lvl)) < 0) {
		igos_sbat_free(&a);
		return -1;
	}
	r = igos_sbat_check(&a, &b, &i, &j);
	if (ir)
		*ir = i;
	igos_sbat_free(&a);
	igos_sbat_free(&b);
	return r;
}

static int
kept(const char *cur, const char *cand)
{
	return igos_sbat_level_kept(cur, strlen(cur), cand, strlen(cand));
}

/* ---- a tiny PE with chosen .sbat section headers ---- */
static void
pe_build(int nsec)
{
	unit_pe_headers((uint16_t)nsec, 0x4000);
}

static void
pe_section(int i, const char *name, uint32_t vs, uint32_t raw, uint32_t rs)
{
	unit_pe_section(i, name, 0x1000 * (uint32_t)(i + 1), vs, raw, rs);
}

static int
find(size_t *off, size_t *len)
{
	struct igos_pe pe;
	const unsigned char *p;
	int r;

	if (igos_pe_parse(&pe, img, sizeof(img)) < 0)
		return -2;
	r = igos_sbat_find(&pe, &p, len);
	if (r == 0)
		*off = (size_t)(p - img);
	return r;
}

int
main(void)
{
	struct igos_sbat s, l;
	struct igos_sbatlevel sl;
	size_t ir, off = 0, len = 0;
	int ex = -1;
	char buf[512];

	/* shim 16.1's own .sbat, NUL-padded as in the section */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, SHIM_SBAT, sizeof(SHIM_SBAT) - 1);
	CHECK(parse(&s, buf, 200) == 0 && s.n == 3, "shim's .sbat: three rows");
	CHECK(strcmp(s.e[1].f[IGOS_SBAT_COMPONENT], "shim") == 0 && s.e[1].gen == 4 &&
	      strcmp(s.e[1].f[IGOS_SBAT_VENDOR], "UEFI shim") == 0 &&
	      strcmp(s.e[2].f[IGOS_SBAT_VERSION], "16.1") == 0 &&
	      strcmp(s.e[2].f[IGOS_SBAT_URL], "https://tracker.debian.org/pkg/shim") == 0 &&
	      s.e[2].line == 3, "fields, generation and line numbers");
	igos_sbat_free(&s);

	CHECK(rows(T("\xef\xbb\xbf" "a,1,v,p,1,u\n")) == 1, "a UTF-8 BOM at the start is skipped");
	CHECK(rows(T("a,1,v,p,1,u\n\xef\xbb\xbf" "b,1,v,p,1,u\n")) == 2,
	      "a BOM elsewhere is part of the component name");
	CHECK(rows(T("a,1,v,p,1,u\r\nb,2,v,p,1,u\r\n")) == 2, "CRLF rows");
	CHECK(rows(T("\n\r\n\ra,1,v,p,1,u\n\n\nb,2,v,p,1,u")) == 2, "blank rows and no final newline");
	CHECK(rows(T("")) == 0, "an empty text has no rows");
	CHECK(rows(T("\0\0\0\0")) == 0, "an all-NUL section has no rows (shim refuses nothing)");
	CHECK(rows(T("\n\n\r\n")) == 0, "line breaks only: no rows");
	CHECK(rows(T("a,1,v,p,1,u,extra,more\n")) == 1, "fields after the sixth are ignored");
	CHECK(parse(&s, T("a,1,v,p,1,u,extra\n")) == 0 && strcmp(s.e[0].f[IGOS_SBAT_URL], "u") == 0,
	      "the sixth column ends at the next comma");
	igos_sbat_free(&s);
	CHECK(parse(&s, T("a b ,1,Vendor Name,p,1.0 beta,u\n")) == 0 &&
	      strcmp(s.e[0].f[IGOS_SBAT_COMPONENT], "a b ") == 0 &&
	      strcmp(s.e[0].f[IGOS_SBAT_VENDOR], "Vendor Name") == 0,
	      "spaces are kept, as shim keeps them");
	igos_sbat_free(&s);

	CHECK(fails(T("a,1,v,p,1,u\nb,1,v,p,1\n"), "SBAT line 2: 5 of the 6 fields shim requires"),
	      "a row of five fields is refused");
	CHECK(fails(T("sbat\n"), "SBAT line 1: 1 of the 6 fields shim requires"),
	      "a row with no comma is refused");
	CHECK(fails(T("a,1,v,,1,u\n"), "SBAT line 1: field 4 is empty"), "an empty field is refused");
	CHECK(fails(T("a,1,v,p,1,\n"), "SBAT line 1: field 6 is empty"), "an empty last field is refused");
	CHECK(fails(T("a,1,v,p,1,u\r\n\r\nb,1\n"), "SBAT line 3: 2 of the 6 fields shim requires"),
	      "line numbers count LF, CRLF and blank lines");

	/* the text ends at a NUL ... */
	CHECK(rows(T("a,1,v,p,1,u\n\0b,1\n")) == 1, "text after a NUL that ends a row is not read");
	CHECK(rows(T("a,1,v,p,1,u\0b,1\n")) == 1, "a row ending in a NUL is the last");
	/* ... except where shim steps over it after a run of line breaks */
	CHECK(rows(T("a,1,v,p,1,u\r\n\0b,2,v,p,1,u\n")) == 2,
	      "after CRLF and a NUL shim reads on, and so do we");
	CHECK(fails(T("a,1,v,p,1,u\n\n\0junk\n"), "SBAT line 3: 1 of the 6 fields shim requires"),
	      "junk after two newlines and a NUL is read and refused as shim does");

	CHECK(gen_of("5", &ex) == 5 && ex, "generation 5");
	CHECK(gen_of(" \t7", &ex) == 7 && !ex, "leading blanks skipped, not exact");
	CHECK(gen_of("05", &ex) == 5 && !ex, "leading zero read, not exact");
	CHECK(gen_of("3rc1", &ex) == 3 && !ex, "digits up to the first other character");
	CHECK(gen_of("abc", &ex) == 0 && !ex, "no digits is generation 0");
	CHECK(gen_of("-1", &ex) == 0 && !ex, "a minus sign is not a digit: 0");
	CHECK(gen_of("65535", &ex) == 65535 && ex, "65535 is the largest");
	CHECK(gen_of("65537", &ex) == 1 && !ex, "wrapped to 16 bits as shim stores it");
	CHECK(gen_of("18446744073709551617", &ex) == 1 && !ex, "64-bit wrap first, then 16 bits");

	/* SbatLevel */
	CHECK(igos_sbat_level_parse(&l, T("sbat,1,2025021800\nshim,4\ngrub,5\n")) == 0 && l.n == 3 &&
	      strcmp(l.e[0].f[IGOS_SBAT_DATESTAMP], "2025021800") == 0 && l.e[1].f[IGOS_SBAT_DATESTAMP] == NULL &&
	      l.e[2].gen == 5, "SbatLevel: two or three columns");
	igos_sbat_free(&l);
	CHECK(igos_sbat_level_parse(&l, T("grub\n")) < 0 &&
	      strcmp(igos_errmsg(), "SbatLevel line 1: 1 of the 2 fields shim requires") == 0,
	      "SbatLevel row of one column refused");
	CHECK(igos_sbat_level_parse(&l, T("grub,5,\n")) < 0 &&
	      strcmp(igos_errmsg(), "SbatLevel line 1: field 3 is empty") == 0,
	      "SbatLevel empty third column refused");
	CHECK(igos_sbat_level_parse(&l, T("grub,5,a,b\n")) == 0 && l.n == 1, "SbatLevel: a fourth column ignored");
	igos_sbat_free(&l);

	/* the comparison */
	CHECK(judge("sbat,1,S,sbat,1,u\ngrub,4,F,grub,2.06,u\n", "sbat,1,2025021800\nshim,4\ngrub,5\n", &ir) == 1 &&
	      ir == 1, "grub,4 under grub,5: refused, by the grub row");
	CHECK(judge("sbat,1,S,sbat,1,u\ngrub,5,F,grub,2.06,u\n", "sbat,1,2025021800\nshim,4\ngrub,5\n", NULL) == 0,
	      "grub,5 under grub,5 passes");
	CHECK(judge("grub,6,F,grub,2.06,u\n", "grub,5\n", NULL) == 0, "a newer generation passes");
	CHECK(judge("igos,1,I,igos,0.1,u\n", "sbat,1,2025021800\nshim,4\ngrub,5\n", NULL) == 0,
	      "a component the level does not name passes");
	CHECK(judge("GRUB,1,F,grub,2.06,u\n", "grub,5\n", NULL) == 0, "names compare case-sensitively");
	CHECK(judge("grub,4,F,grub,2.06,u\n", "grub,3\ngrub,9\n", NULL) == 0,
	      "the first matching level row decides");
	CHECK(judge("grub,5,F,grub,2.06,u\ngrub,3,F,grub,2.06,u\n", "grub,4\n", &ir) == 1 && ir == 1,
	      "every image row is checked");
	CHECK(judge("grub,65540,F,grub,2.06,u\n", "grub,5\n", NULL) == 1,
	      "65540 wraps to 4 and is refused, as shim refuses it");
	CHECK(judge("grub,4,F,grub,2.06,u\n", "grub,x\n", NULL) == 0, "a level generation without digits is 0");
	CHECK(judge("grub,4,F,grub,2.06,u\n", "\n", NULL) == 0, "an empty level refuses nothing");

	/* .sbatlevel as shim 16.1 carries it */
	{
		static const char prev[] = "sbat,1,2025021800\nshim,4\ngrub,5\n";
		static const char latest[] = "sbat,1,2025051000\nshim,4\ngrub,5\ngrub.proxmox,2\n";
		unsigned char sec[128] = {0};
		size_t po = 8, lo = 8 + sizeof(prev);

		sec[4] = (unsigned char)po;
		sec[8] = (unsigned char)lo;
		memcpy(sec + 4 + po, prev, sizeof(prev));
		memcpy(sec + 4 + lo, latest, sizeof(latest));
		CHECK(igos_sbatlevel_parse(sec, 4 + lo + sizeof(latest), &sl) == 0 &&
		      sl.previous_len == sizeof(prev) - 1 && memcmp(sl.previous, prev, sl.previous_len) == 0 &&
		      sl.latest_len == sizeof(latest) - 1 && memcmp(sl.latest, latest, sl.latest_len) == 0,
		      ".sbatlevel: previous and latest");
		CHECK(igos_sbatlevel_parse(sec, 4 + lo + sizeof(latest) - 1, &sl) < 0 &&
		      strcmp(igos_errmsg(), ".sbatlevel text not terminated") == 0, ".sbatlevel: unterminated text refused");
		CHECK(igos_sbatlevel_parse(sec, 11, &sl) < 0 &&
		      strcmp(igos_errmsg(), ".sbatlevel section too short (11 bytes)") == 0, ".sbatlevel: short refused");
		sec[8] = 200;
		CHECK(igos_sbatlevel_parse(sec, sizeof(sec), &sl) < 0 &&
		      strcmp(igos_errmsg(), ".sbatlevel offset 200 out of range") == 0, ".sbatlevel: offset past the end");
		sec[8] = (unsigned char)lo;
		sec[0] = 1;
		CHECK(igos_sbatlevel_parse(sec, sizeof(sec), &sl) < 0 &&
		      strcmp(igos_errmsg(), ".sbatlevel format version 1 unknown") == 0, ".sbatlevel: unknown version");
	}

	/* which SbatLevel shim keeps at start */
	CHECK(kept("sbat,1,2025021800\nshim,4\ngrub,5\n", "sbat,1,2024010900\nshim,4\ngrub,3\n") == 1,
	      "a newer level in NVRAM is kept");
	CHECK(kept("sbat,1,2025021800\nshim,4\ngrub,5\n", "sbat,1,2025021800\nshim,4\ngrub,5\n") == 1,
	      "the same datestamp is kept");
	CHECK(kept("sbat,1,2024010900\nshim,4\ngrub,3\n", "sbat,1,2025021800\nshim,4\ngrub,5\n") == 0,
	      "an older level is replaced");
	CHECK(kept("sbat,1,2021030218\n", "sbat,1,2025021800\nshim,4\ngrub,5\n") == 0,
	      "the original level (Secure Boot off) is replaced");
	CHECK(kept("sbat,2,2020010100\n", "sbat,1,2025021800\n") == 1, "a greater version field is kept");
	CHECK(kept("sbat,1,20250218\n", "sbat,1,2024010900\n") == 0, "shorter than the original level: replaced");
	CHECK(kept("xbat,1,2099010100\n", "sbat,1,2024010900\n") == 0, "not starting with sbat,: replaced");

	/* finding .sbat in a PE as shim does */
	pe_build(2);
	pe_section(0, ".text", 0x100, 0x400, 0x200);
	pe_section(1, ".sbat", 0x50, 0x600, 0x200);
	CHECK(find(&off, &len) == 0 && off == 0x600 && len == 0x200, ".sbat found: all SizeOfRawData bytes");
	pe_section(1, ".sbat", 0x300, 0x600, 0x200);
	CHECK(find(&off, &len) == IGOS_SBAT_NONE, "VirtualSize above SizeOfRawData: ignored, as none");
	pe_section(1, ".sbat", 0x50, 0x600, 0);
	CHECK(find(&off, &len) == IGOS_SBAT_NONE, "SizeOfRawData 0: none");
	pe_section(1, ".sbatx", 0x50, 0x600, 0x200);
	CHECK(find(&off, &len) == IGOS_SBAT_NONE, "the name must be exactly .sbat");
	pe_build(3);
	pe_section(0, ".sbat", 0x50, 0x400, 0x200);
	pe_section(1, ".text", 0x100, 0x600, 0x200);
	pe_section(2, ".sbat", 0x50, 0x800, 0x200);
	CHECK(find(&off, &len) == -1 && strcmp(igos_errmsg(), "two .sbat sections") == 0,
	      "two .sbat sections refused");
	pe_section(0, ".sbat", 0x300, 0x400, 0x200);
	CHECK(find(&off, &len) == 0 && off == 0x800, "an ignored .sbat does not count as the first of two");
	pe_build(2);
	pe_section(0, ".text", 0x100, 0x400, 0x200);
	pe_section(1, ".sbat", 0x50, 0x600, 0x200);
	put16(SHDR + 40 + 32, 1);
	CHECK(find(&off, &len) == -1 && strcmp(igos_errmsg(), ".sbat section has relocations") == 0,
	      "relocations on .sbat refused");
	return DONE();
}
