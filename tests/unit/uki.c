/* lib/uki.c: the kernel version as ukify finds it, the command-line text,
 * the section names a builder keeps for itself. */
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
	return DONE();
}
