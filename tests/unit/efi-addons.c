/* The stub's addon rules on the host (efi/addons-pure.c): which names are
 * addons, the UKI's own addon directory, command line tidying and joining,
 * the .uname rule, reading an addon's sections from its loaded image. */
#include <stdint.h>
#include <stdlib.h>

#include "igos.h"
#include "unit.h"

#include "../../efi/addons-pure.c"
#include "../../efi/pure.c"

/* ASCII to UTF-16 in a static buffer (one at a time) */
static uint16_t *
u16(const char *s)
{
	static uint16_t b[2][600];
	static int k;
	uint16_t *o = b[k ^= 1];
	size_t i = 0;

	for (; s[i] && i < 599; i++)
		o[i] = (unsigned char)s[i];
	o[i] = 0;
	return o;
}

static int
eq16(const uint16_t *a, const char *b)
{
	size_t i = 0;

	for (; b[i]; i++)
		if (a[i] != (unsigned char)b[i])
			return 0;
	return a[i] == 0;
}

static void
test_names(void)
{
	OK(addon_name_ok(u16("10-debug.addon.efi")), "NAME.addon.efi is an addon");
	OK(addon_name_ok(u16("X.ADDON.EFI")) && addon_name_ok(u16("x.Addon.Efi")),
	   "the suffix in any case (FAT keeps the case it was given)");
	OK(addon_name_ok(u16(".addon.efi")) == 0, "a name starting with a dot is skipped");
	OK(addon_name_ok(u16(".hidden.addon.efi")) == 0, "hidden files are skipped");
	OK(addon_name_ok(u16("x.addon.efi.bak")) == 0, "another suffix is not an addon");
	OK(addon_name_ok(u16("x.efi")) == 0 && addon_name_ok(u16("readme.txt")) == 0,
	   "other files are not addons");
	OK(addon_name_ok(u16("")) == 0, "an empty name");
	uint16_t *n = u16("a.addon.efi");
	n[0] = 0xe9;
	OK(addon_name_ok(n) == 0, "a non-ASCII name is skipped");
	char longname[300];
	memset(longname, 'a', sizeof(longname));
	memcpy(longname + 255 - 10, ".addon.efi", 11);
	OK(addon_name_ok(u16(longname)), "255 characters are allowed");
	memset(longname, 'a', sizeof(longname));
	memcpy(longname + 256 - 10, ".addon.efi", 11);
	OK(addon_name_ok(u16(longname)) == 0, "256 characters are not");
	OK(addon_strcmp16(u16("10-a.addon.efi"), u16("2-a.addon.efi")) < 0 &&
	   addon_strcmp16(u16("B.addon.efi"), u16("a.addon.efi")) < 0 &&
	   addon_strcmp16(u16("a.addon.efi"), u16("a.addon.efi")) == 0,
	   "sorted by code unit, as systemd-stub sorts (so '10' before '2', 'B' before 'a')");
}

static int
dir_is(const char *path, const char *want)
{
	uint16_t out[300];
	uint16_t *p = u16(path);
	size_t n = addon_extra_dir(p, addon_strlen16(p), out, 300);

	if (want == 0)
		return n == 0;
	return n == strlen(want) && eq16(out, want);
}

static void
test_extra_dir(void)
{
	OK(dir_is("\\EFI\\Linux\\uki.efi", "\\EFI\\Linux\\uki.efi.extra.d"), "<uki>.extra.d beside the UKI");
	OK(dir_is("\\uki.efi", "\\uki.efi.extra.d"), "at the root");
	OK(dir_is("/EFI/Linux/uki.efi", "\\EFI\\Linux\\uki.efi.extra.d"), "'/' read as '\\'");
	OK(dir_is("\\EFI\\\\Linux\\\\\\uki.efi", "\\EFI\\Linux\\uki.efi.extra.d"), "doubled '\\' collapsed");
	OK(dir_is("\\EFI\\Linux\\uki+3-0.efi", "\\EFI\\Linux\\uki.efi.extra.d"),
	   "boot counting: +3-0 dropped");
	OK(dir_is("\\EFI\\Linux\\uki+5.efi", "\\EFI\\Linux\\uki.efi.extra.d"), "boot counting: +5 dropped");
	OK(dir_is("\\EFI\\Linux\\uki+x.efi", "\\EFI\\Linux\\uki+x.efi.extra.d"), "a '+' not followed by digits stays");
	OK(dir_is("\\EFI\\Linux\\uki+3-.efi", "\\EFI\\Linux\\uki+3-.efi.extra.d"), "'+3-' without the second number stays");
	OK(dir_is("\\EFI\\Linux\\uki+3-0x.efi", "\\EFI\\Linux\\uki+3-0x.efi.extra.d"), "digits then not '.' stay");
	OK(dir_is("\\EFI\\Linux\\uki+3", "\\EFI\\Linux\\uki.extra.d"), "a counter at the end is dropped");
	OK(dir_is("", 0) && dir_is("\\", 0) && dir_is("\\EFI\\", 0), "no file name: no directory");
	uint16_t out[20], *p = u16("\\EFI\\Linux\\uki.efi");
	OK(addon_extra_dir(p, addon_strlen16(p), out, 20) == 0, "too long for the buffer: none");
	OK(addon_extra_dir(p, 4, out, 20) == 12 && eq16(out, "\\EFI.extra.d"), "the length given is respected");
}

static int
mangled(const char *in, const char *want)
{
	uint16_t *s = u16(in);
	size_t n = addon_mangle_cmdline(s);
	return n == strlen(want) && eq16(s, want);
}

static void
test_cmdline(void)
{
	OK(mangled("  a  b\n", "a  b"), "leading and trailing whitespace dropped, inner kept");
	OK(mangled("a\tb\nc\x7f" "d", "a b c d"), "each control character and DEL becomes one space");
	OK(mangled("\n\t ", ""), "only whitespace: empty");
	OK(mangled("", ""), "empty stays empty");
	uint16_t acc[64] = { 0 };
	size_t n = addon_cmdline_join(acc, 0, u16("a=1"), 3);
	OK(n == 3 && eq16(acc, "a=1"), "the first addon: no leading space");
	n = addon_cmdline_join(acc, n, u16("b=2"), 3);
	OK(n == 7 && eq16(acc, "a=1 b=2"), "the next after one space");
	n = addon_cmdline_join(acc, n, u16(""), 0);
	OK(n == 8 && eq16(acc, "a=1 b=2 "), "an empty one still adds the space (as systemd-stub)");
	uint16_t e[8] = { 0 };
	OK(addon_cmdline_join(e, 0, u16(""), 0) == 0 && e[0] == 0, "empty after empty: empty");
}

static void
test_uname(void)
{
	const uint8_t k[] = "6.1.0-13-cloud-amd64";
	OK(addon_uname_ok(k, sizeof(k) - 1, 0, 0), "an addon without .uname fits any UKI");
	OK(addon_uname_ok(0, 0, k, sizeof(k) - 1), "a UKI without .uname takes any addon");
	OK(addon_uname_ok(k, sizeof(k) - 1, k, sizeof(k)), "equal (a NUL inside the section ends it)");
	OK(!addon_uname_ok(k, sizeof(k) - 1, (const uint8_t *)"6.1.0", 5),
	   "a prefix is not the same kernel (systemd-stub 257 would take it: igos is stricter)");
	OK(!addon_uname_ok(k, sizeof(k) - 1, (const uint8_t *)"6.1.0-13-cloud-amd64x", 21), "longer");
	OK(!addon_uname_ok(k, sizeof(k) - 1, (const uint8_t *)"6.1.0-14-cloud-amd64", 20), "other");
	OK(addon_pad4(0) == 0 && addon_pad4(1) == 4 && addon_pad4(4) == 4 && addon_pad4(5) == 8,
	   "initrd pieces padded to 4 bytes");
}

/* A loaded addon image (as LoadImage lays it out: headers at 0, each section
 * at its VirtualAddress): IMG_LEN bytes, sections of 0x100 bytes from 0x1000
 * on, one per page, holding the given text (vsize = its length). */
#define IMG_LEN 0x8000
static uint8_t img[IMG_LEN];
static struct uki_pe scratch;

static void
loaded(const char *const *names, const char *const *texts, unsigned n)
{
	memset(img, 0, sizeof(img));
	img[0] = 'M';
	img[1] = 'Z';
	igos_put_le32(img + 0x3c, 0x80);
	memcpy(img + 0x80, "PE\0\0", 4);
	igos_put_le16(img + 0x84, 0x8664);
	igos_put_le16(img + 0x86, (uint16_t)n);
	igos_put_le16(img + 0x94, 240);
	uint8_t *o = img + 0x98;
	igos_put_le16(o, 0x20b);
	igos_put_le32(o + 32, 0x1000);       /* SectionAlignment */
	igos_put_le32(o + 36, 0x200);
	igos_put_le32(o + 56, IMG_LEN);      /* SizeOfImage */
	igos_put_le32(o + 60, 0x400);        /* SizeOfHeaders */
	igos_put_le16(o + 68, 10);
	igos_put_le32(o + 108, 16);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *sh = img + 0x98 + 240 + 40 * i;
		uint32_t va = 0x1000 * (i + 1);
		memcpy(sh, names[i], strlen(names[i]));
		igos_put_le32(sh + 8, (uint32_t)strlen(texts[i]));
		igos_put_le32(sh + 12, va);
		memcpy(img + va, texts[i], strlen(texts[i]));
	}
}

static enum addon_verdict
judge(const char *uname, struct addon_parts *a, int *err)
{
	return addon_read(img, IMG_LEN, (const uint8_t *)uname, uname ? strlen(uname) : 0, &scratch,
			  a, err);
}

static void
test_read(void)
{
	struct addon_parts a;
	int err;

	loaded((const char *const[]){ ".text", ".cmdline", ".uname", ".sbat" },
	       (const char *const[]){ "code", "quiet x=1", "6.1.0-13", "sbat,1" }, 4);
	memset(&a, 0xee, sizeof(a));
	OK(judge("6.1.0-13", &a, &err) == ADDON_USE && err == UKI_OK,
	   "an addon with .cmdline for this kernel is used");
	OK(a.cmdline == img + 0x2000 && a.cmdline_len == 9 && a.dtb == 0 && a.dtb_len == 0 &&
	   a.ucode == 0 && a.ucode_len == 0,
	   "its .cmdline (VirtualSize bytes in the loaded image); no .dtb or .ucode");
	OK(judge("6.1.0-14", &a, &err) == ADDON_OTHER_KERNEL, "another kernel's .uname: not used");
	OK(judge(0, &a, &err) == ADDON_USE, "a UKI without .uname takes it");

	loaded((const char *const[]){ ".dtb", ".ucode" }, (const char *const[]){ "DTB!", "UC" }, 2);
	OK(judge("6.1.0-13", &a, &err) == ADDON_USE && a.dtb == img + 0x1000 && a.dtb_len == 4 &&
	   a.ucode == img + 0x2000 && a.ucode_len == 2 && a.cmdline_len == 0,
	   ".dtb and .ucode alone are enough; without .uname it fits any kernel");

	loaded((const char *const[]){ ".cmdline", ".linux" }, (const char *const[]){ "a", "kernel" }, 2);
	OK(judge(0, &a, &err) == ADDON_HAS_LINUX, "a .linux: a UKI, not an addon");
	loaded((const char *const[]){ ".osrel", ".uname" }, (const char *const[]){ "ID=x", "6" }, 2);
	OK(judge("6", &a, &err) == ADDON_NOTHING, "nothing to apply (.osrel and .uname only)");
	loaded((const char *const[]){ ".cmdline", ".cmdline" }, (const char *const[]){ "a", "b" }, 2);
	OK(judge(0, &a, &err) == ADDON_BAD_PE && err == UKI_E_DUP, "two .cmdline: refused");

	loaded((const char *const[]){ ".cmdline" }, (const char *const[]){ "a=1" }, 1);
	igos_put_le32(img + 0x98 + 240 + 12, IMG_LEN - 2); /* VirtualAddress: runs past the image */
	OK(judge(0, &a, &err) == ADDON_BAD_PE && err == UKI_E_BOUNDS,
	   "a section past the end of the loaded image: refused");
	loaded((const char *const[]){ ".cmdline" }, (const char *const[]){ "a=1" }, 1);
	OK(addon_read(img, 0x1002, 0, 0, &scratch, &a, &err) == ADDON_BAD_PE && err == UKI_E_BOUNDS,
	   "bounded by the image size given, not SizeOfImage");
	img[0] = 'Z';
	OK(judge(0, &a, &err) == ADDON_BAD_PE && err == UKI_E_MAGIC, "not a PE image");
}

int
main(void)
{
	test_names();
	test_extra_dir();
	test_cmdline();
	test_uname();
	test_read();
	return DONE();
}
