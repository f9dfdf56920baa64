/* lib/uki.c: the kernel version as ukify finds it, the command-line text,
 * the section names a builder keeps for itself; the profiles of a UKI, the
 * .profile fields, an .efifw entry; lib/ukihwids.c: the .hwids table. */
#include <stdio.h>
#include <stdlib.h>

#include "igos.h"
#include "uki.h"
#include "unit.h"

static int
uname_is(const unsigned char *k, size_t len, const char *want)
{
	char *u = igos_uki_kernel_uname(k, len);
	int good = want == NULL ? u == NULL : u != NULL && strcmp(u, want) == 0;

	free(u);
	return good;
}

/* a parse holding only section names, enough for igos_uki_profiles */
static void
names(struct igos_pe *pe, const char *const *n)
{
	memset(pe, 0, sizeof(*pe));
	for (; *n; n++)
		snprintf(pe->sec[pe->nsections++].name, 9, "%s", *n);
}

static int
field_is(const char *text, const char *key, const char *want)
{
	char *v = igos_uki_profile_field((const unsigned char *)text, strlen(text), key);
	int good = want == NULL ? v == NULL && igos_errmsg()[0] == '\0' :
				  v != NULL && strcmp(v, want) == 0;

	free(v);
	return good;
}

static int
hwids_fail(const char *json, const char *msg)
{
	const char *t[] = { json }, *w[] = { "f.json" };
	size_t l[] = { strlen(json) }, len;
	unsigned char *out = NULL;
	int r = igos_uki_hwids(t, l, w, 1, &out, &len);

	free(out);
	return r < 0 && strcmp(igos_errmsg(), msg) == 0;
}

static void
profiles(void)
{
	static const char *const uki[] = { ".text", ".osrel", ".cmdline", ".profile", ".pcrsig",
		".profile", ".cmdline", ".profile", ".initrd", ".dtbauto", ".dtbauto", NULL };
	static const char *const dup[] = { ".cmdline", ".profile", ".cmdline", ".cmdline", NULL };
	static const char *const dupbase[] = { ".osrel", ".dtbauto", ".dtbauto", ".osrel", NULL };
	static const char *const none[] = { ".text", ".linux", NULL };
	static struct igos_pe pe;
	static struct igos_uki_profiles p;

	names(&pe, uki);
	OK(igos_uki_profiles(&pe, &p) == 0 && p.n == 3 && p.base_end == 3 && p.first[0] == 3 &&
	   p.end[0] == 5 && p.first[1] == 5 && p.end[1] == 7 && p.first[2] == 7 && p.end[2] == 11,
	   "profiles: the base before the first .profile, each .profile up to the next");
	OK(igos_uki_profile_section(&pe, &p, 1, ".cmdline") == 6 &&
	   igos_uki_profile_section(&pe, &p, 2, ".cmdline") == 2 &&
	   igos_uki_profile_section(&pe, &p, 0, ".cmdline") == 2 &&
	   igos_uki_profile_section(&pe, &p, 2, ".linux") == -1,
	   "a profile's own section, else the base's, else none");
	names(&pe, dup);
	OK(igos_uki_profiles(&pe, &p) < 0 && strcmp(igos_errmsg(), "two .cmdline sections in profile 0") == 0,
	   "a name twice in one profile is refused");
	names(&pe, dupbase);
	OK(igos_uki_profiles(&pe, &p) < 0 && strcmp(igos_errmsg(), "two .osrel sections") == 0,
	   "a name twice in the base is refused; .dtbauto may repeat");
	names(&pe, none);
	OK(igos_uki_profiles(&pe, &p) == 0 && p.n == 0 && p.base_end == 2 &&
	   igos_uki_profile_section(&pe, &p, 0, ".linux") == 1, "no .profile: profile 0 is the base");
	OK(igos_uki_profile_carries(".profile") && igos_uki_profile_carries(".efifw") &&
	   !igos_uki_profile_carries(".pcrsig") && !igos_uki_profile_carries(".hwids") &&
	   !igos_uki_profile_carries(".text"), "what a profile PE carries: ukify's set");

	OK(field_is("ID=main\nTITLE=\"Main one\"\n", "TITLE", "Main one"), ".profile: a quoted value");
	OK(field_is("  ID='x' \r\n", "ID", "x"), ".profile: blanks, single quotes, CR dropped");
	OK(field_is("IDX=1\nID=2", "ID", "2"), ".profile: a key that only starts alike is not it");
	OK(field_is("TITLE=x", "ID", NULL), ".profile: an absent key is NULL, no error");
	OK(field_is("ID=", "ID", ""), ".profile: an empty value");
}

static void
efifw_hwids(void)
{
	static const unsigned char want[] = { 0xad, 0xde, 0xed, 0xfe, 16, 0, 0, 0, 3, 0, 0, 0,
		2, 0, 0, 0, 'f', 'w', 0, 'A', 'B' };
	const char *t[] = { "{\"type\":\"uefi-fw\",\"name\":\"n\",\"fwid\":\"f\",\"hwids\":"
			    "[\"00000001-0002-0003-0405-060708090a0b\"]}" }, *w[] = { "x" };
	size_t len, l[] = { strlen(t[0]) };
	unsigned char *b = igos_uki_efifw("fw", (const unsigned char *)"AB", 2, &len);

	OK(b != NULL && len == sizeof(want) && memcmp(b, want, len) == 0,
	   ".efifw: 16-byte header, the ID with its NUL, the payload");
	free(b);
	b = NULL;
	OK(igos_uki_hwids(t, l, w, 1, &b, &len) == 0 && len == 2 * 28 + 4 &&
	   igos_le32(b) == (28u | 2u << 28) && b[4] == 1 && b[5] == 0 && b[8] == 2 && b[10] == 3 &&
	   b[12] == 4 && b[19] == 0x0b && igos_le32(b + 20) == 58 && igos_le32(b + 24) == 56 &&
	   igos_le32(b + 28) == 0 && memcmp(b + 56, "f\0n\0", 4) == 0,
	   ".hwids: an entry (type, GUID in EFI order, offsets), the zero entry, the strings sorted");
	free(b);
	OK(hwids_fail("{\"type\":\"uefi-fw\"} x", "'f.json': not JSON: unexpected character"),
	   ".hwids: trailing data refused");
	OK(hwids_fail("[1]", "'f.json': not a JSON object"), ".hwids: not an object");
	OK(hwids_fail("{\"type\":\"gpu\",\"name\":\"n\",\"hwids\":[]}",
		      "'f.json': unknown \"type\" (devicetree or uefi-fw)"), ".hwids: unknown type");
	OK(hwids_fail("{\"type\":\"devicetree\",\"name\":1,\"hwids\":[]}",
		      "'f.json': \"name\" is not a string"), ".hwids: a name that is not a string");
	OK(hwids_fail("{\"type\":\"devicetree\",\"name\":\"n\",\"compatible\":\"c\",\"hwids\":{}}",
		      "'f.json': \"hwids\" is not an array"), ".hwids: hwids not an array");
}

static int
cmdline_is(const char *in, const char *want)
{
	char *c = igos_uki_cmdline(in);
	int good = c != NULL && strcmp(c, want) == 0;

	free(c);
	return good;
}

int
main(void)
{
	static unsigned char k[0x2000];
	static const char v[] = "6.1.0-13-amd64 (debian-kernel@lists.debian.org) #1 SMP";

	/* bzImage: "HdrS" at 0x202, the string at 0x200 + le16 at 0x20e */
	memcpy(k + 0x202, "HdrS", 4);
	k[0x20e] = 0x00;
	k[0x20f] = 0x0e;
	memcpy(k + 0x1000, v, sizeof(v));
	OK(uname_is(k, sizeof(k), "6.1.0-13-amd64"), "version from the x86 boot header");
	OK(uname_is(k, 0x1005, NULL), "a header string cut by the end of the file");
	k[0x20e] = 0xff;
	k[0x20f] = 0xff;
	OK(uname_is(k, sizeof(k), NULL), "a header pointer past the end of the file");
	memset(k, 0, sizeof(k));
	memcpy(k + 100, "Linux version 6.6.1-x (b@h) #1", 30);
	OK(uname_is(k, sizeof(k), "6.6.1-x"), "\"Linux version X (\" in an uncompressed image");
	memset(k, 0, sizeof(k));
	memcpy(k + sizeof(k) - 16, "Linux version 6.", 16);
	OK(uname_is(k, sizeof(k), NULL), "\"Linux version\" at the very end: none");
	memcpy(k + 100, "Linux version X.1 (b@h)", 23);
	OK(uname_is(k, sizeof(k), NULL), "a version that does not start with a digit: none");
	OK(uname_is(k, 0, NULL), "an empty kernel: none");

	OK(cmdline_is("  root=/dev/vda1\t ro\n quiet ", "root=/dev/vda1 ro quiet"),
	   "white space collapsed and trimmed");
	OK(cmdline_is(" \t\n\r\f\v", ""), "white space only: empty");
	OK(cmdline_is("", ""), "empty: empty");

	OK(igos_uki_reserved(".linux", 6) && igos_uki_reserved(".sbat", 5) &&
	   igos_uki_reserved(".pcrsig", 7), "the builder's own sections are reserved");
	OK(!igos_uki_reserved(".linux2", 7) && !igos_uki_reserved(".linu", 5) &&
	   !igos_uki_reserved(".extra", 6), "other names are not");
	OK(igos_uki_reserved(".profile", 8) && igos_uki_reserved(".ucode", 6) &&
	   igos_uki_reserved(".dtbauto", 8) && igos_uki_reserved(".hwids", 6) &&
	   igos_uki_reserved(".efifw", 6), "and the sections of systemd 257 are reserved");
	profiles();
	efifw_hwids();
	return DONE();
}
