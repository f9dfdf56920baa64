/* The stub's hardware matching on the host (efi/chid.c): SHA-1 against
 * OpenSSL, CHIDs against fwupd's, the SMBIOS walk, the .hwids lookup (tables
 * made by lib/ukihwids.c, igos-ukify's writer), devicetree compatible and
 * .efifw ID reading, and the .dtbauto/.efifw pick per profile. */
#include <endian.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/sha.h>

#include "igos.h"
#include "uki.h"
#include "unit.h"

#include "../../efi/pure.c"
#include "../../efi/chid.c"

/* "8849d986-2c38-5f6f-a7d2-a85c1b75e957" in EFI_GUID memory layout */
static void
guid_le(const char *t, uint8_t out[16])
{
	uint8_t be[16];
	int k = 0;

	for (const char *p = t; *p && k < 16; p++) {
		if (*p == '-')
			continue;
		unsigned v;
		sscanf(p, "%2x", &v);
		be[k++] = (uint8_t)v;
		p++;
	}
	static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	for (int i = 0; i < 16; i++)
		out[i] = be[order[i]];
}

static void
test_sha1(void)
{
	static uint8_t buf[1000];
	static const size_t lens[] = { 0, 1, 55, 56, 63, 64, 65, 119, 1000 };
	int same_all = 1;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t a[20], b[20];
		chid_sha1(buf, lens[i], a);
		SHA1(buf, lens[i], b);
		same_all &= memcmp(a, b, 20) == 0;
	}
	OK(same_all, "SHA-1 equals OpenSSL's for 0..1000 bytes across block edges");
	uint8_t c[21];
	c[20] = 0xa5;
	chid_sha1(buf, 3, c);
	OK(c[20] == 0xa5, "SHA-1 writes 20 bytes, not one more");
}

/* An SMBIOS structure table: type 0 (skipped), type 1, type 2, type 127. */
static size_t
make_smbios(uint8_t *t, const char *man, const char *fam, const char *prod, const char *sku,
	    const char *bman, const char *bprod)
{
	uint8_t *p = t;

	/* type 0, 24 bytes, one string */
	memset(p, 0, 24);
	p[0] = 0, p[1] = 24, p[4] = 1;
	p += 24;
	memcpy(p, "EDK II\0\0", 8);
	p += 8;
	/* type 1, 27 bytes: manufacturer 1, product 2, sku 3, family 4 */
	memset(p, 0, 27);
	p[0] = 1, p[1] = 27, p[4] = 1, p[5] = 2, p[6] = 0, p[25] = 3, p[26] = 4;
	p += 27;
	const char *s1[] = { man, prod, sku, fam };
	for (int i = 0; i < 4; i++) {
		size_t n = strlen(s1[i]) + 1;
		memcpy(p, s1[i], n);
		p += n;
	}
	*p++ = 0;
	/* type 2, 8 bytes: manufacturer 1, product 2 */
	memset(p, 0, 8);
	p[0] = 2, p[1] = 8, p[4] = 1, p[5] = 2;
	p += 8;
	memcpy(p, bman, strlen(bman) + 1);
	p += strlen(bman) + 1;
	memcpy(p, bprod, strlen(bprod) + 1);
	p += strlen(bprod) + 1;
	*p++ = 0;
	memset(p, 0, 6);
	p[0] = 127, p[1] = 4;
	p += 6;
	return (size_t)(p - t);
}

static int
chid_is(const chid_t c, const char *text)
{
	uint8_t g[16];
	guid_le(text, g);
	return memcmp(c, g, 16) == 0;
}

static void
test_chids(void)
{
	static uint8_t t[512];
	struct chid_smbios f;
	chid_t c[CHID_COUNT];
	size_t n = make_smbios(t, "Igos Labs", "Test Family", "Board 42", "SKU-7", "Igos Boards", "BB-1");

	chid_smbios_read(t, n, &f);
	OK(f.s[CHID_MANUFACTURER] && f.len[CHID_MANUFACTURER] == 9 &&
	   memcmp(f.s[CHID_MANUFACTURER], "Igos Labs", 9) == 0 && f.len[CHID_FAMILY] == 11 &&
	   f.len[CHID_PRODUCT_SKU] == 5 && f.len[CHID_BOARD_PRODUCT] == 4,
	   "SMBIOS: type 1 and type 2 strings found by their numbers");
	struct { chid_t c[CHID_COUNT]; uint8_t canary[16]; } guard;
	memset(guard.canary, 0xa5, sizeof(guard.canary));
	chid_compute(&f, guard.c);
	int intact = 1;
	for (int i = 0; i < 16; i++)
		intact &= guard.canary[i] == 0xa5;
	OK(intact, "chid_compute writes CHID_COUNT IDs, nothing after them");
	chid_compute(&f, c);
	/* fwupdtool hwids (fwupd 2.0.20, Debian 12) given these values in a
	 * [HwIds] key file: HardwareID-3..11, 13, 14 */
	static const struct { int id; const char *g; } fw[] = {
		{ 3, "8849d986-2c38-5f6f-a7d2-a85c1b75e957" },
		{ 4, "dde52647-1d2a-5347-9d98-671d8b168551" },
		{ 5, "2fd214bf-6c21-5fa3-8193-f5ae7d8db724" },
		{ 6, "da24b89b-5a2a-5b2f-819b-b9d9d33e4c35" },
		{ 7, "17073cd5-e206-5774-bbad-78718af7a26f" },
		{ 8, "0884810f-7fd5-557e-855f-2d5ef7fd6978" },
		{ 9, "b4eed444-a6cc-51f4-8395-98f2140bbff8" },
		{ 10, "07347c4e-0e58-51db-b00f-36a2c9c36fa4" },
		{ 11, "8b2b38cd-047e-5a5d-985c-e167dd23ba33" },
		{ 13, "b21bd00a-5cd2-5bfc-aaf1-9ed6db6b0b1d" },
		{ 14, "28df41cf-99b7-5e86-adac-b4633dcb0ebe" },
	};
	for (size_t i = 0; i < sizeof(fw) / sizeof(fw[0]); i++)
		OK(chid_is(c[fw[i].id], fw[i].g), "HardwareID-%d equals fwupdtool's %s", fw[i].id, fw[i].g);
	static const uint8_t zero[16];
	OK(memcmp(c[0], zero, 16) == 0 && memcmp(c[1], zero, 16) == 0 && memcmp(c[2], zero, 16) == 0 &&
	   memcmp(c[12], zero, 16) == 0, "IDs 0-2 and 12 (BIOS, enclosure) are not computed");

	/* stripping: leading spaces, then leading zeros, trailing spaces */
	chid_t d[CHID_COUNT];
	n = make_smbios(t, "  Igos Labs ", "Test Family", "00Board 42  ", "SKU-7", "Igos Boards", "BB-1");
	chid_smbios_read(t, n, &f);
	chid_compute(&f, d);
	OK(memcmp(c, d, sizeof(c)) == 0, "spaces around and zeros in front of a field do not change any CHID");
	n = make_smbios(t, "Igos Labs", "Test Family", " 0 Board 42", "SKU-7", "Igos Boards", "BB-1");
	chid_smbios_read(t, n, &f);
	chid_compute(&f, d);
	OK(memcmp(c[9], d[9], 16) != 0, "a space after the leading zero is kept (only spaces, then zeros)");

	/* no type 2: the board fields are empty strings (python: hashlib over
	 * the namespace and "Igos Labs&Test Family&Board 42&SKU-7&&") */
	n = make_smbios(t, "Igos Labs", "Test Family", "Board 42", "SKU-7", "Igos Boards", "BB-1");
	t[24 + 8 + 27 + 38] = 200; /* type 2 becomes type 200 */
	chid_smbios_read(t, n, &f);
	OK(f.s[CHID_BOARD_MANUFACTURER] == NULL && f.s[CHID_MANUFACTURER] != NULL,
	   "SMBIOS: a table without type 2 leaves the board fields missing");
	chid_compute(&f, d);
	OK(chid_is(d[3], "39d9bcff-b5c4-5be8-978e-1c804127e9d7") && chid_is(d[5], "2fd214bf-6c21-5fa3-8193-f5ae7d8db724"),
	   "missing fields hash as empty strings");

	/* UTF-8 read as UTF-16 (python: "Bo\u00e4rd 42") */
	n = make_smbios(t, "Igos Labs", "Test Family", "Bo\xc3\xa4rd 42", "SKU-7", "Igos Boards", "BB-1");
	chid_smbios_read(t, n, &f);
	chid_compute(&f, d);
	OK(chid_is(d[5], "a3502659-2e7f-562e-b009-32a1ee082484"), "a UTF-8 field is hashed as UTF-16");

	/* a field longer than CHID_FIELD_MAX makes no ID that uses it */
	static char big[CHID_FIELD_MAX + 2];
	memset(big, 'x', CHID_FIELD_MAX + 1);
	f.s[CHID_FAMILY] = big;
	f.len[CHID_FAMILY] = CHID_FIELD_MAX + 1;
	chid_compute(&f, d);
	OK(memcmp(d[5], zero, 16) == 0 && memcmp(d[9], zero, 16) != 0,
	   "an over-long family makes the IDs with the family zero, the others stay");
	f.len[CHID_FAMILY] = CHID_FIELD_MAX;
	chid_compute(&f, d);
	OK(memcmp(d[5], zero, 16) != 0, "a family of exactly CHID_FIELD_MAX bytes still makes its IDs");
}

static void
test_smbios_edges(void)
{
	static uint8_t t[512];
	struct chid_smbios f;
	size_t n = make_smbios(t, "A", "B", "C", "D", "E", "F");
	int none = 1;

	for (size_t cut = 0; cut < 24 + 8 + 27 + 2; cut++) {
		chid_smbios_read(t, cut, &f);
		none &= f.s[CHID_MANUFACTURER] == NULL;
	}
	OK(none, "SMBIOS: a table cut before type 1's strings yields nothing");
	chid_smbios_read(t, 24 + 8 + 27 + 3, &f);
	OK(f.s[CHID_MANUFACTURER] && f.s[CHID_PRODUCT_NAME] == NULL,
	   "SMBIOS: a string cut without its NUL is missing, earlier ones kept");
	t[24 + 8 + 4] = 9; /* manufacturer: string 9 of 4 */
	chid_smbios_read(t, n, &f);
	OK(f.s[CHID_MANUFACTURER] == NULL && f.s[CHID_FAMILY] != NULL, "SMBIOS: a string number past the strings is missing");
	t[24 + 8 + 4] = 1;
	t[24 + 8 + 1] = 26; /* type 1 too short for the family */
	chid_smbios_read(t, n, &f);
	OK(f.s[CHID_MANUFACTURER] == NULL, "SMBIOS: a type 1 shorter than 27 bytes is not read");
	t[24 + 8 + 1] = 27;
	t[0] = 127;
	chid_smbios_read(t, n, &f);
	OK(f.s[CHID_MANUFACTURER] == NULL, "SMBIOS: type 127 ends the table");
	t[0] = 0;
	t[1] = 2; /* a length below the header */
	chid_smbios_read(t, n, &f);
	OK(f.s[CHID_MANUFACTURER] == NULL, "SMBIOS: a structure shorter than its header ends the walk");

	/* a header-only structure (length 4) before type 1 is skipped */
	static uint8_t u[600];
	u[0] = 200, u[1] = 4, u[2] = u[3] = 0, u[4] = u[5] = 0;
	size_t m = make_smbios(u + 6, "A", "B", "C", "D", "E", "F");
	chid_smbios_read(u, m + 6, &f);
	OK(f.s[CHID_MANUFACTURER] != NULL, "SMBIOS: a structure of only its 4-byte header is skipped");
	/* the table ends right after a string's NUL; past its end lies a zero
	 * and a complete type 1: not read */
	memset(u, 0, sizeof(u));
	u[0] = 200, u[1] = 4;
	memcpy(u + 4, "X", 2);
	make_smbios(u + 7, "A", "B", "C", "D", "E", "F");
	chid_smbios_read(u, 6, &f);
	OK(f.s[CHID_MANUFACTURER] == NULL, "SMBIOS: nothing past the table's end is read (string table cut after a NUL)");
	/* a string running to the end of the table, the byte past it not NUL */
	n = make_smbios(t, "A", "B", "Prod", "D", "E", "F");
	chid_smbios_read(t, 24 + 8 + 27 + 2 + 2, &f);
	OK(f.s[CHID_MANUFACTURER] != NULL && f.s[CHID_PRODUCT_NAME] == NULL,
	   "SMBIOS: a string cut by the table's end is missing, though bytes follow in memory");
	/* the fields' struct is written, nothing after it */
	struct { struct chid_smbios f; uint8_t canary[32]; } g;
	memset(g.canary, 0xa5, sizeof(g.canary));
	chid_smbios_read(t, n, &g.f);
	int intact = 1;
	for (size_t i = 0; i < sizeof(g.canary); i++)
		intact &= g.canary[i] == 0xa5;
	OK(intact, "SMBIOS: nothing is written past the fields");

	uint8_t ep3[24] = "_SM3_";
	uint64_t addr;
	uint32_t len;
	ep3[6] = 24;
	igos_put_le32(ep3 + 12, 0x1234);
	igos_put_le64(ep3 + 16, 0x100000000ull + 0x5000);
	OK(chid_smbios_entry(ep3, 24, 1, &addr, &len) == 0 && addr == 0x100005000ull && len == 0x1234,
	   "SMBIOS 3 entry point: table address and maximum size");
	int refused = 1;
	for (int i = 0; i < 5; i++) {
		ep3[i] ^= 0x20;
		refused &= chid_smbios_entry(ep3, 24, 1, &addr, &len) < 0;
		ep3[i] ^= 0x20;
	}
	OK(refused, "SMBIOS 3 entry point: a wrong byte anywhere in the anchor is refused");
	OK(chid_smbios_entry(ep3, 23, 1, &addr, &len) < 0, "SMBIOS 3 entry point: fewer than 24 bytes are refused");
	ep3[6] = 25;
	OK(chid_smbios_entry(ep3, 24, 1, &addr, &len) < 0, "SMBIOS 3 entry point: a length over 24 is refused");
	uint8_t ep2[31] = "_SM_";
	ep2[5] = 31;
	igos_put_le16(ep2 + 22, 0x321);
	igos_put_le32(ep2 + 24, 0xe0000);
	OK(chid_smbios_entry(ep2, 31, 0, &addr, &len) == 0 && addr == 0xe0000 && len == 0x321,
	   "SMBIOS 2 entry point: table address and length");
	refused = 1;
	for (int i = 0; i < 4; i++) {
		ep2[i] ^= 0x20;
		refused &= chid_smbios_entry(ep2, 31, 0, &addr, &len) < 0;
		ep2[i] ^= 0x20;
	}
	OK(refused, "SMBIOS 2 entry point: a wrong byte anywhere in the anchor is refused");
	OK(chid_smbios_entry(ep2, 30, 0, &addr, &len) < 0, "SMBIOS 2 entry point: fewer than 31 bytes are refused");
	ep2[5] = 32;
	OK(chid_smbios_entry(ep2, 31, 0, &addr, &len) < 0, "SMBIOS 2 entry point: a length over 31 is refused");
}

/* A .hwids section from JSON texts through igos-ukify's writer. */
static unsigned char *
hwids(const char *const *json, size_t n, size_t *len)
{
	size_t lens[8];
	const char *what[8];
	unsigned char *out = NULL;

	for (size_t i = 0; i < n; i++)
		lens[i] = strlen(json[i]), what[i] = "test";
	if (igos_uki_hwids(json, lens, what, n, &out, len) < 0)
		return NULL;
	return out;
}

static chid_t mine[CHID_COUNT];

static void
test_match(void)
{
	static uint8_t t[512];
	struct chid_smbios f;
	const char *s;
	size_t len;

	chid_smbios_read(t, make_smbios(t, "Igos Labs", "Test Family", "Board 42", "SKU-7", "Igos Boards", "BB-1"), &f);
	chid_compute(&f, mine);
	/* CHID 9 (manufacturer + product) for "loose", CHID 3 for "exact",
	 * listed loose first: the more specific ID wins whatever the order */
	const char *js[] = {
		"{\"type\":\"devicetree\",\"name\":\"Loose\",\"compatible\":\"igos,loose\","
		"\"hwids\":[\"b4eed444-a6cc-51f4-8395-98f2140bbff8\"]}",
		"{\"type\":\"devicetree\",\"name\":\"Exact\",\"compatible\":\"igos,exact\","
		"\"hwids\":[\"8849d986-2c38-5f6f-a7d2-a85c1b75e957\",\"00000000-0000-5000-8000-000000000001\"]}",
		"{\"type\":\"uefi-fw\",\"name\":\"FW\",\"fwid\":\"igos-fw-1\","
		"\"hwids\":[\"8b2b38cd-047e-5a5d-985c-e167dd23ba33\"]}",
	};
	unsigned char *h = hwids(js, 3, &len);
	OK(h != NULL, "igos-ukify's .hwids writer builds the table");
	if (h == NULL)
		return;
	OK(chid_match(h, len, mine, CHID_TYPE_DEVICETREE, &s) == CHID_MATCH && strcmp(s, "igos,exact") == 0,
	   "the HardwareID-3 entry wins over an earlier HardwareID-9 one");
	OK(chid_match(h, len, mine, CHID_TYPE_UEFI_FW, &s) == CHID_MATCH && strcmp(s, "igos-fw-1") == 0,
	   "firmware entries are matched by type (HardwareID-11)");
	unsigned char *h2 = hwids(js, 1, &len);
	OK(h2 && chid_match(h2, len, mine, CHID_TYPE_DEVICETREE, &s) == CHID_MATCH && strcmp(s, "igos,loose") == 0,
	   "a HardwareID-9 entry alone matches");
	OK(h2 && chid_match(h2, len, mine, CHID_TYPE_UEFI_FW, &s) == CHID_NONE && s == NULL,
	   "no firmware entry: none");
	free(h2);
	const char *other[] = { "{\"type\":\"devicetree\",\"name\":\"X\",\"compatible\":\"x\","
				"\"hwids\":[\"28df41cf-99b7-5e86-adac-b4633dcb0ebf\"]}" };
	h2 = hwids(other, 1, &len);
	OK(h2 && chid_match(h2, len, mine, CHID_TYPE_DEVICETREE, &s) == CHID_NONE,
	   "another machine's CHID does not match");
	free(h2);
	const char *idonly[] = { "{\"type\":\"devicetree\",\"name\":\"X\",\"compatible\":\"x\","
				 "\"hwids\":[\"28df41cf-99b7-5e86-adac-b4633dcb0ebe\"]}" };
	h2 = hwids(idonly, 1, &len);
	OK(h2 && chid_match(h2, len, mine, CHID_TYPE_DEVICETREE, &s) == CHID_NONE,
	   "HardwareID-14 (manufacturer only) is not among the IDs systemd-stub matches devicetrees by");
	free(h2);

	/* malformed tables, edited copies of h */
	size_t hl;
	unsigned char *hh = hwids(js, 3, &hl);
	uint8_t *b = malloc(hl);
	memcpy(b, hh, hl);
	igos_put_le32(b, 3u << 28 | 28);
	OK(chid_match(b, hl, mine, CHID_TYPE_DEVICETREE, &s) == CHID_BAD, "an entry of unknown type makes the table bad");
	memcpy(b, hh, hl);
	igos_put_le32(b + 24, (uint32_t)hl);
	OK(chid_match(b, hl, mine, CHID_TYPE_DEVICETREE, &s) == CHID_BAD, "an offset past the table makes it bad");
	memcpy(b, hh, hl);
	igos_put_le32(b + 24, (uint32_t)hl + 100);
	OK(chid_match(b, hl, mine, CHID_TYPE_DEVICETREE, &s) == CHID_BAD, "a compatible offset far past the table makes it bad");
	memcpy(b, hh, hl);
	igos_put_le32(b + 20, (uint32_t)hl + 100);
	OK(chid_match(b, hl, mine, CHID_TYPE_DEVICETREE, &s) == CHID_BAD, "a name offset far past the table makes it bad");
	memcpy(b, hh, hl);
	b[hl - 1] = 'x';
	OK(chid_match(b, hl, mine, CHID_TYPE_DEVICETREE, &s) == CHID_BAD, "a last string without its NUL makes it bad");
	memcpy(b, hh, hl);
	for (int i = 0; i < 4; i++) /* every entry's compatible offset 0 */
		igos_put_le32(b + 28 * i + 24, 0);
	OK(chid_match(b, hl, mine, CHID_TYPE_DEVICETREE, &s) == CHID_NONE && s == NULL,
	   "a matching entry without a compatible picks nothing");
	OK(chid_match(b, 28, mine, CHID_TYPE_DEVICETREE, &s) == CHID_NONE,
	   "one entry and nothing after it: no entries (systemd's count)");
	OK(chid_match(NULL, 0, mine, CHID_TYPE_DEVICETREE, &s) == CHID_NONE, "no .hwids: none");
	free(b);
	free(hh);
	free(h);
}

/* A flattened devicetree: root node with optional child first, a NOP, and a
 * compatible property. */
static size_t
make_fdt(uint8_t *o, const char *compat, size_t clen, int child_first, int nop)
{
	uint32_t st[64] = { 0 };
	size_t w = 0;
	static const char strings[] = "model\0compatible";
#define W(x) (st[w++] = htobe32(x))
	W(1), W(0);
	if (child_first)
		W(1), W(0x63000000), W(2); /* node "c" */
	if (nop)
		W(4);
	W(3), W(4), W(0), W(0x78797a00); /* model = "xyz" */
	W(3), W((uint32_t)clen), W(6);
	memcpy(&st[w], compat, clen);
	w += (clen + 3) / 4;
	W(2), W(9);
#undef W
	size_t soff = 40, ssize = w * 4, stroff = soff + ssize, total = stroff + sizeof(strings);
	memset(o, 0, total);
	uint32_t hdr[10] = { htobe32(0xd00dfeed), htobe32((uint32_t)total), htobe32((uint32_t)soff),
			     htobe32((uint32_t)stroff), htobe32(40), htobe32(17), htobe32(16), 0,
			     htobe32(sizeof(strings)), htobe32((uint32_t)ssize) };
	memcpy(o, hdr, 40);
	memcpy(o + soff, st, ssize);
	memcpy(o + stroff, strings, sizeof(strings));
	return total;
}

static void
test_keys(void)
{
	static uint8_t d[512];
	size_t n = make_fdt(d, "igos,exact\0igos,soc", 20, 0, 1);
	const char *c = chid_fdt_compatible(d, n);

	OK(c && strcmp(c, "igos,exact") == 0, "devicetree: the root's first compatible string");
	OK(chid_fdt_compatible(d, n - 1) == NULL, "devicetree: a blob shorter than its totalsize has none");
	n = make_fdt(d, "igos,exact", 10, 0, 0);
	OK(chid_fdt_compatible(d, n) == NULL, "devicetree: a compatible without its NUL is none");
	n = make_fdt(d, "igos,exact", 11, 1, 0);
	OK(chid_fdt_compatible(d, n) == NULL, "devicetree: only the root's properties before any child count");
	n = make_fdt(d, "igos,exact", 11, 0, 0);
	d[0] = 0;
	OK(chid_fdt_compatible(d, n) == NULL, "devicetree: wrong magic, none");
	/* one header field or token out of range at a time: none */
	static const struct { unsigned off; uint32_t add; const char *what; } bad[] = {
		{ 8, 1, "structure offset not a multiple of 4" },
		{ 36, 1, "structure size not a multiple of 4" },
		{ 8, 0x10000, "structure offset past totalsize" },
		{ 36, 0x10000, "structure block past totalsize" },
		{ 12, 0x10000, "strings offset past totalsize" },
		{ 32, 0x10000, "strings block past totalsize" },
		{ 40, 1, "first token not FDT_BEGIN_NODE" },
		{ 44, 1, "a root node with a name" },
		{ 68, 0x10000, "a property longer than the structure block" },
		{ 68, 40, "a property running past the structure block" },
		{ 72, 0x10000, "a property name offset past the strings" },
	};
	size_t n0 = make_fdt(d, "igos,exact", 11, 0, 0);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		static uint8_t e[512];
		memcpy(e, d, n0);
		uint32_t v = be32(e + bad[k].off) + bad[k].add;
		uint32_t bev = htobe32(v);
		memcpy(e + bad[k].off, &bev, 4);
		OK(chid_fdt_compatible(e, n0) == NULL, "devicetree: %s, none", bad[k].what);
	}
	static uint8_t e4[512];
	memcpy(e4, d, n0);
	uint32_t four = htobe32(4);
	memcpy(e4 + 36, &four, 4);
	OK(chid_fdt_compatible(e4, n0) == NULL, "devicetree: a structure block of one word, none");
	int safe = 1;
	n = make_fdt(d, "igos,exact", 11, 0, 0);
	for (size_t cut = 0; cut < n; cut++)
		safe &= chid_fdt_compatible(d, cut) == NULL;
	OK(safe, "devicetree: every shorter length gives none");

	size_t len;
	unsigned char *fw = igos_uki_efifw("igos-fw-1", (const unsigned char *)"PAYLOAD", 7, &len);
	const char *id = fw ? chid_efifw_fwid(fw, len) : NULL;
	OK(id && strcmp(id, "igos-fw-1") == 0, ".efifw: the fwid of igos-ukify's blob");
	OK(fw && chid_efifw_fwid(fw, len - 1) == NULL, ".efifw: a blob shorter than its lengths has none");
	if (fw) {
		fw[16 + 3] = 0; /* a NUL inside the fwid */
		OK(chid_efifw_fwid(fw, len) == NULL, ".efifw: a NUL before the fwid's end is refused");
		fw[16 + 3] = 'x';
		fw[0] ^= 1;
		OK(chid_efifw_fwid(fw, len) == NULL, ".efifw: wrong magic is refused");
		fw[0] ^= 1;
		igos_put_le32(fw + 4, 15);
		OK(chid_efifw_fwid(fw, len) == NULL, ".efifw: a header length below 16 is refused");
		free(fw);
	}
}

/* A loaded image with a section table written by hand. */
static struct uki_pe pe;
static uint8_t img[0x10000];
static unsigned at = 0x1000;

static void
add(const char *name, const void *data, size_t len)
{
	struct uki_section *s = &pe.sec[pe.nsections++];
	memset(s, 0, sizeof(*s));
	strcpy(s->name, name);
	s->vaddr = at;
	s->vsize = (uint32_t)len;
	memcpy(img + at, data, len);
	at += (uint32_t)((len + 0xfff) & ~0xfffu);
}

static void
test_pick(void)
{
	static uint8_t d1[256], d2[256], d3[256];
	size_t l1 = make_fdt(d1, "igos,loose", 11, 0, 0), l2 = make_fdt(d2, "igos,exact", 11, 0, 0),
	       l3 = make_fdt(d3, "igos,prof", 10, 0, 0);
	const char *js[] = {
		"{\"type\":\"devicetree\",\"name\":\"E\",\"compatible\":\"igos,exact\","
		"\"hwids\":[\"8849d986-2c38-5f6f-a7d2-a85c1b75e957\"]}",
		"{\"type\":\"uefi-fw\",\"name\":\"F\",\"fwid\":\"fw-b\","
		"\"hwids\":[\"b4eed444-a6cc-51f4-8395-98f2140bbff8\"]}",
	};
	const char *pjs[] = { "{\"type\":\"devicetree\",\"name\":\"P\",\"compatible\":\"igos,prof\","
			      "\"hwids\":[\"b4eed444-a6cc-51f4-8395-98f2140bbff8\"]}" };
	size_t hl, pl, fal, fbl;
	unsigned char *h = hwids(js, 2, &hl), *ph = hwids(pjs, 1, &pl);
	unsigned char *fa = igos_uki_efifw("fw-a", (const unsigned char *)"A", 1, &fal);
	unsigned char *fb = igos_uki_efifw("fw-b", (const unsigned char *)"B", 1, &fbl);
	struct chid_machine m = { mine, 0, NULL };
	const uint8_t *data;
	size_t len;
	int bad;

	memset(&pe, 0, sizeof(pe));
	pe.size_of_image = sizeof(img);
	add(".linux", "K", 1);
	add(".dtbauto", d1, l1);
	add(".dtbauto", d2, l2);
	add(".efifw", fa, fal);
	add(".efifw", fb, fbl);
	add(".hwids", h, hl);
	OK(uki_profile_pick(&pe, img, sizeof(img), 0, ".dtbauto", &m, &data, &len, &bad) == UKI_OK &&
	   data == img + pe.sec[2].vaddr && len == l2 && !bad,
	   "pick: the .dtbauto whose compatible the machine's .hwids entry names, not the first");
	OK(uki_profile_pick(&pe, img, sizeof(img), 0, ".efifw", &m, &data, &len, &bad) == UKI_OK &&
	   data == img + pe.sec[4].vaddr && len == fbl, "pick: the .efifw whose fwid the firmware entry names");
	struct chid_machine dt = { mine, 1, "igos,loose" };
	OK(uki_profile_pick(&pe, img, sizeof(img), 0, ".dtbauto", &dt, &data, &len, &bad) == UKI_OK &&
	   data == img + pe.sec[1].vaddr, "pick: with a firmware devicetree its compatible decides, not .hwids");
	struct chid_machine dtnone = { mine, 1, NULL };
	OK(uki_profile_pick(&pe, img, sizeof(img), 0, ".dtbauto", &dtnone, &data, &len, &bad) == UKI_OK &&
	   data == NULL, "pick: a firmware devicetree without compatible: none");
	OK(uki_profile_pick(&pe, img, sizeof(img), 0, ".efifw", &dtnone, &data, &len, &bad) == UKI_OK &&
	   data == img + pe.sec[4].vaddr, "pick: .efifw is matched by .hwids even with a firmware devicetree");
	chid_t nobody[CHID_COUNT];
	memset(nobody, 0x11, sizeof(nobody));
	struct chid_machine other = { (const chid_t *)nobody, 0, NULL };
	OK(uki_profile_pick(&pe, img, sizeof(img), 0, ".dtbauto", &other, &data, &len, &bad) == UKI_OK &&
	   data == NULL && !bad, "pick: a machine no entry names gets no .dtbauto");
	OK(uki_profile_pick(&pe, img, sizeof(img), 0, ".efifw", &other, &data, &len, &bad) == UKI_OK &&
	   data == NULL, "pick: nor an .efifw");

	/* profiles: 0 with its own .hwids and .dtbauto, 1 with a .dtbauto only */
	add(".profile", "ID=a", 4);
	add(".dtbauto", d3, l3);
	add(".hwids", ph, pl);
	add(".profile", "ID=b", 4);
	add(".dtbauto", d3, l3);
	OK(uki_profile_pick(&pe, img, sizeof(img), 0, ".dtbauto", &m, &data, &len, &bad) == UKI_OK &&
	   data == img + pe.sec[7].vaddr, "pick: a profile's own match replaces the base's");
	OK(uki_profile_pick(&pe, img, sizeof(img), 1, ".dtbauto", &m, &data, &len, &bad) == UKI_OK &&
	   data == img + pe.sec[2].vaddr, "pick: a profile without its own .hwids keeps the base's pick");
	OK(uki_profile_pick(&pe, img, sizeof(img), UKI_PROFILE_BASE, ".dtbauto", &m, &data, &len, &bad) == UKI_OK &&
	   data == img + pe.sec[2].vaddr, "pick: the base alone");
	OK(uki_profile_pick(&pe, img, sizeof(img), 2, ".dtbauto", &m, &data, &len, &bad) == UKI_E_PROFILE,
	   "pick: a profile the UKI lacks is an error");
	OK(uki_profile_pick(&pe, img, sizeof(img), 1, ".efifw", &m, &data, &len, &bad) == UKI_OK &&
	   data == img + pe.sec[4].vaddr, "pick: .efifw from the base for a profile without one");

	/* bad .hwids in the base: nothing from it, flagged */
	pe.sec[5].vsize = 28;
	OK(uki_profile_pick(&pe, img, sizeof(img), UKI_PROFILE_BASE, ".dtbauto", &m, &data, &len, &bad) == UKI_OK &&
	   data == NULL && !bad, "pick: a .hwids of one entry and no more holds no entries");
	pe.sec[5].vsize = (uint32_t)hl;
	img[pe.sec[5].vaddr + 3] = 0x70; /* type 7 */
	OK(uki_profile_pick(&pe, img, sizeof(img), UKI_PROFILE_BASE, ".dtbauto", &m, &data, &len, &bad) == UKI_OK &&
	   data == NULL && bad, "pick: a malformed .hwids picks nothing and says so");
	img[pe.sec[5].vaddr + 3] = 0x10;
	pe.sec[2].vsize = 0x20000;
	OK(uki_profile_pick(&pe, img, sizeof(img), UKI_PROFILE_BASE, ".dtbauto", &m, &data, &len, &bad) == UKI_E_BOUNDS,
	   "pick: a candidate outside the image is an error");
	pe.sec[2].vsize = (uint32_t)l2;
	strcpy(pe.sec[1].name, ".hwids");
	OK(uki_profile_pick(&pe, img, sizeof(img), UKI_PROFILE_BASE, ".dtbauto", &m, &data, &len, &bad) == UKI_E_DUP,
	   "pick: two .hwids in one range are refused");
	free(h);
	free(ph);
	free(fa);
	free(fb);
}

int
main(void)
{
	test_sha1();
	test_chids();
	test_smbios_edges();
	test_match();
	test_keys();
	test_pick();
	return DONE();
}
