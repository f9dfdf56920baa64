/* lib/efivar.c at its edges: which sha512-crypt lines become a MokAuth
 * record and with which message the others are refused, signature lists at
 * their size limits, the toggle record's password limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "igos.h"
#include "efivar.h"
#include "unit.h"

/* The digest of the sha-crypt spec's example line. */
#define DIGEST "svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"

static struct igos_mok_auth a;

/* Refused, with a message holding msg? */
static int
crypt_fails(const char *line, const char *msg)
{
	if (igos_mok_auth_from_crypt(line, strlen(line), &a) == 0)
		return 0;
	if (strstr(igos_errmsg(), msg) == NULL) {
		printf("# '%s': %s\n", line, igos_errmsg());
		return 0;
	}
	return 1;
}

static int
crypt_ok(const char *line)
{
	if (igos_mok_auth_from_crypt(line, strlen(line), &a) < 0) {
		printf("# '%s': %s\n", line, igos_errmsg());
		return 0;
	}
	return 1;
}

static void
test_crypt(void)
{
	char line[256];

	OK(crypt_ok("$6$rounds=1000$salt$" DIGEST) && a.iter_count == 1000, "rounds=1000, the least, accepted");
	OK(crypt_ok("$6$rounds=999999999$salt$" DIGEST) && a.iter_count == 999999999,
	   "rounds=999999999, the most, accepted");
	OK(crypt_fails("$6$rounds=1000000000$salt$" DIGEST, "bad rounds="), "rounds=1000000000 refused");
	OK(crypt_fails("$6$rounds=01000$salt$" DIGEST, "bad rounds="), "rounds with a leading zero refused");
	OK(crypt_fails("$6$rounds=$salt$" DIGEST, "bad rounds="), "rounds= without digits refused");
	OK(crypt_fails("$6$rounds=5000", "bad rounds="), "rounds= at the end of the line refused");
	OK(crypt_fails("$6$rounds=5000x$salt$" DIGEST, "bad rounds="), "rounds= not ended by '$' refused");
	OK(crypt_fails("$6$rounds=", "bad rounds="), "the line ending in rounds= refused");

	OK(crypt_ok("$6$0123456789abcdef$" DIGEST) && a.salt_size == 16, "a 16-character salt accepted");
	OK(crypt_fails("$6$0123456789abcdefg$" DIGEST, "salt must be 1 to 16 characters"),
	   "a 17-character salt refused");
	OK(crypt_fails("$6$$" DIGEST, "salt must be 1 to 16 characters"), "an empty salt refused");
	OK(crypt_fails("$6$sa-lt$" DIGEST, "bad character in sha512-crypt salt"), "'-' in the salt refused");
	OK(crypt_fails("$6$salt", "no salt in sha512-crypt hash"), "no '$' after the salt refused");

	OK(crypt_fails("$6$salt$" DIGEST "1", "digest must be 86 characters"), "an 87-character digest refused");
	snprintf(line, sizeof(line), "$6$salt$%.85s", DIGEST);
	OK(crypt_fails(line, "digest must be 86 characters"), "an 85-character digest refused");
	snprintf(line, sizeof(line), "$6$salt$%.83s-z1", DIGEST);
	OK(crypt_fails(line, "bad character in sha512-crypt digest"), "a bad character in the last group refused");
	snprintf(line, sizeof(line), "$6$salt$%.84s-1", DIGEST);
	OK(crypt_fails(line, "bad character in sha512-crypt digest"), "a bad character in the last byte refused");
	snprintf(line, sizeof(line), "$6$salt$%.84sz-", DIGEST);
	OK(crypt_fails(line, "bad character in sha512-crypt digest"), "a bad last character refused");
	snprintf(line, sizeof(line), "$6$salt$%.84sz2", DIGEST);
	OK(crypt_fails(line, "not canonical"), "a last byte over 8 bits refused");

	OK(crypt_ok("$6$salt$" DIGEST) && a.iter_count == 5000, "no rounds=: 5000");
	OK(crypt_ok("$6$salt$" DIGEST "\n"), "one final newline taken off");
	OK(crypt_fails("$6$salt$" DIGEST "\n\n", "not a single sha512-crypt line"), "two lines refused");
	OK(igos_mok_auth_from_crypt("$6$salt$\0" DIGEST, 9 + 86, &a) < 0 &&
	   strstr(igos_errmsg(), "not a single sha512-crypt line"), "a NUL in the line refused");
	OK(crypt_fails("$5$salt$" DIGEST, "not a sha512-crypt hash"), "a sha256-crypt ($5$) line refused as such");
	OK(crypt_fails("$1$salt$" DIGEST, "not a sha512-crypt hash"), "an md5-crypt ($1$) line refused as such");
	OK(crypt_fails("$6$", "no salt in sha512-crypt hash"), "\"$6$\" alone: no salt");
	OK(crypt_ok("$6$./xy$" DIGEST) && memcmp(a.salt, "./xy", 4) == 0, "'.' and '/' are salt characters");
	snprintf(line, sizeof(line), "$6$salt$%.86s", "......................................"
		 "................................................");
	OK(crypt_ok(line) && a.hash[0] == 0 && a.hash[63] == 0, "an all-'.' digest is 64 zero bytes");
	/* cut by the length inside rounds=: the bytes after it are not read */
	OK(igos_mok_auth_from_crypt("$6$rounds=10000$salt$" DIGEST, 14, &a) < 0 &&
	   strstr(igos_errmsg(), "bad rounds="), "a line cut after rounds=1000: bad rounds=");
	/* an empty input right after a newline in memory */
	OK(igos_mok_auth_from_crypt("\n" + 1, 0, &a) < 0 &&
	   strstr(igos_errmsg(), "not a sha512-crypt hash"), "an empty input: not a sha512-crypt hash");
	OK(crypt_fails("$6", "not a sha512-crypt hash"), "\"$6\" refused");
	OK(crypt_fails("\n", "not a sha512-crypt hash"), "an empty line refused");
}

/* One list: type, ListSize, HeaderSize, SignatureSize, then body bytes. */
static size_t
esl(unsigned char *p, const unsigned char type[16], uint32_t hsize, uint32_t ssize, size_t body)
{
	memcpy(p, type, 16);
	igos_put_le32(p + 16, (uint32_t)(IGOS_ESL_HEADER + hsize + body));
	igos_put_le32(p + 20, hsize);
	igos_put_le32(p + 24, ssize);
	for (size_t i = 0; i < hsize + body; i++)
		p[IGOS_ESL_HEADER + i] = (unsigned char)i;
	return IGOS_ESL_HEADER + hsize + body;
}

static int
esl_fails(const unsigned char *d, size_t len, const char *msg)
{
	struct igos_esl_entry *e;
	size_t n;

	if (igos_esl_parse(d, len, &e, &n) == 0) {
		free(e);
		return 0;
	}
	if (strstr(igos_errmsg(), msg) == NULL) {
		printf("# %s\n", igos_errmsg());
		return 0;
	}
	return 1;
}

static void
test_esl(void)
{
	static unsigned char b[4096];
	struct igos_esl_entry *e;
	size_t len, n;

	/* A vendor list with a SignatureHeader: the signatures follow it. */
	len = esl(b, igos_guid_cert_x509, 4, 20, 40);
	OK(igos_esl_parse(b, len, &e, &n) == 0 && n == 2 && e[0].offset == 32 &&
	   e[1].offset == 52 && e[1].len == 4 && e[1].data == b + 68, "a SignatureHeader skipped");
	free(e);
	len = esl(b, igos_guid_cert_x509, 20, 20, 0);
	OK(esl_fails(b, len, "no signatures"), "a header filling the list: no signatures");
	len = esl(b, igos_guid_cert_x509, 0, 17, 17);
	OK(igos_esl_parse(b, len, &e, &n) == 0 && n == 1 && e[0].len == 1,
	   "a 17-byte SignatureSize (one byte of data) accepted");
	free(e);

	/* A type igos has no name for (EFI_CERT_RSA2048_GUID): no hash size,
	 * its SignatureSize taken as it is. */
	static const unsigned char rsa2048[16] = { 0xe8, 0x66, 0x57, 0x3c, 0x9c, 0x26, 0x34, 0x4e,
						   0xaa, 0x14, 0xed, 0x77, 0x6e, 0x85, 0xb3, 0xb6 };
	OK(igos_esl_hash_size(rsa2048) == 0 && igos_esl_type_name(rsa2048) == NULL,
	   "an unknown type: no hash size, no name");
	len = esl(b, rsa2048, 0, 16 + 256, 2 * (16 + 256));
	OK(igos_esl_parse(b, len, &e, &n) == 0 && n == 2 && e[1].len == 256, "a list of an unknown type parses");
	free(e);

	/* 40 SHA-256 entries in one list, 2 in the next. */
	len = esl(b, igos_guid_cert_sha256, 0, 48, 40 * 48);
	len += esl(b + len, igos_guid_cert_sha256, 0, 48, 2 * 48);
	OK(igos_esl_parse(b, len, &e, &n) == 0 && n == 42 && e[39].list == 0 &&
	   e[39].offset == 28 + 39 * 48 && e[40].list == 1 && e[41].offset == len - 48,
	   "42 entries in two lists, every one where it is");
	free(e);
	OK(esl_fails(b, len + 27, "27 bytes left, a header needs 28"), "27 bytes after the lists refused");
	OK(esl_fails(b, len + 28, "list 3"), "a 28-byte tail is a third list, refused");

	/* a signature whose list would not fit ListSize's 32 bits: refused
	 * before its bytes are read */
	unsigned char *big = NULL;
	size_t blen = 0;
	OK(igos_esl_append(&big, &blen, igos_guid_cert_x509, igos_guid_shim, b, UINT32_MAX) < 0 &&
	   strstr(igos_errmsg(), "too large for a list") && big == NULL && blen == 0,
	   "a 4 GiB signature refused");

	/* removing: an index past the last refused */
	OK(igos_esl_parse(b, len, &e, &n) == 0, "parse again");
	unsigned char *o;
	size_t ol;
	OK(igos_esl_remove(b, len, e, n, n, &o, &ol) < 0 && strstr(igos_errmsg(), "no signature 42"),
	   "removing signature n of n refused");
	OK(igos_esl_remove(b, len, e, n, 41, &o, &ol) == 0 && ol == len - 48 &&
	   igos_le32(o + 40 * 48 + 28 + 16) == 28 + 48, "removing the last: its list shrinks");
	free(o);
	free(e);

	/* a hash request: only a hash type with a hash of its size */
	unsigned char *q = NULL;
	size_t ql = 0;
	OK(igos_esl_add_hash(&q, &ql, igos_guid_cert_x509, igos_guid_shim, b, 0) < 0 &&
	   strcmp(igos_errmsg(), "a 0-byte hash does not match its signature type") == 0 && q == NULL,
	   "a request to add an empty 'hash' of the X.509 type refused");
}

static void
test_toggle(void)
{
	unsigned char t[IGOS_MOK_TOGGLE_SIZE];
	uint32_t st, pl;

	OK(igos_mok_toggle_pack(1, "a~b c!d?", t) == 0, "toggle: '~' and ' ' are printable");
	OK(igos_mok_toggle_pack(1, "abcdefg\x7f", t) < 0 && strstr(igos_errmsg(), "printable ASCII"),
	   "toggle: DEL refused");
	OK(igos_mok_toggle_pack(1, "abcdefg\x1f", t) < 0 && strstr(igos_errmsg(), "printable ASCII"),
	   "toggle: a control character refused");
	OK(igos_mok_toggle_pack(1, "abcdefg\xc3\xa9", t) < 0, "toggle: a byte past ASCII refused");
	OK(igos_mok_toggle_pack(1, "sixteen-chars-xyz", t) < 0, "toggle: 17 characters refused");
	{
		/* 16 characters fill the record's 40 bytes exactly: nothing past them */
		unsigned char g[IGOS_MOK_TOGGLE_SIZE + 8];

		memset(g, 0xa5, sizeof(g));
		OK(igos_mok_toggle_pack(1, "sixteen-chars-xy", g) == 0 && g[38] == 'y' &&
		   g[39] == 0 && g[40] == 0xa5 && g[41] == 0xa5,
		   "toggle: a 16-character password ends the record, no byte written past it");
	}

	memset(t, 0, sizeof(t));
	igos_put_le32(t + 4, 1);
	OK(igos_mok_toggle_unpack(t, sizeof(t), &st, &pl) == 0 && pl == 1, "toggle record: length 1 accepted");
	igos_put_le32(t + 4, 16);
	OK(igos_mok_toggle_unpack(t, sizeof(t), &st, &pl) == 0 && pl == 16, "length 16 accepted");
	igos_put_le32(t + 4, 17);
	OK(igos_mok_toggle_unpack(t, sizeof(t), &st, &pl) < 0 && strstr(igos_errmsg(), "17 is not 1 to 16"),
	   "length 17 refused");
	igos_put_le32(t + 4, 0);
	OK(igos_mok_toggle_unpack(t, sizeof(t), &st, &pl) < 0, "length 0 refused");
}

static void
test_auth_record(void)
{
	unsigned char r[IGOS_MOK_AUTH_SIZE];

	memset(r, 0, sizeof(r));
	igos_put_le16(r + 10, 32);
	OK(igos_mok_auth_unpack(r, sizeof(r), &a) == 0 && a.salt_size == 32, "record: a 32-byte salt accepted");
	igos_put_le16(r + 10, 33);
	OK(igos_mok_auth_unpack(r, sizeof(r), &a) < 0 && strstr(igos_errmsg(), "salt size 33 exceeds 32"),
	   "record: a 33-byte salt refused");
}

/* Variables as files: the size limits of a read, a variable holding only its
 * attribute word, the largest variable written (64 MiB; reading
 * such a file back is refused, its 4-byte attribute word puts it past the
 * read limit, which no NVRAM comes near), a symbolic link where a
 * variable should be (neither replaced nor removed). */
static void
test_files(void)
{
	char dir[] = "/tmp/igos-efivar-edges.XXXXXX", path[256], link[512], msg[1024];
	static const char g[] = "605dab50-e046-4300-abb6-3dd810dd8b23";
	unsigned char *d, *big;
	size_t dl;
	uint32_t attr;
	FILE *f;

	OK(mkdtemp(dir) != NULL, "files: a temporary directory");
	OK(igos_efivar_dir_check(dir, 1) == 0, "a plain directory may hold variables");
	OK(igos_efivar_dir_check("/sys", 0) < 0 &&
	   strcmp(igos_errmsg(), "'/sys' is not efivarfs: mount -t efivarfs efivarfs '/sys'") == 0,
	   "the bare sysfs directory is refused with the mount command");
	/* procfs' sysctl directories take no new file, not even from root */
	OK(igos_efivar_dir_check("/proc/sys", 1) < 0 &&
	   strcmp(igos_errmsg(), "cannot write to '/proc/sys': Permission denied") == 0,
	   "a directory nobody may write to is refused for writing (%s)", igos_errmsg());
	OK(igos_efivar_dir_check("/proc/sys", 0) == 0, "it may still be read from");
	snprintf(path, sizeof(path), "%s/nodir", dir);
	snprintf(msg, sizeof(msg), "cannot open '%s': No such file or directory", path);
	OK(igos_efivar_dir_check(path, 0) < 0 && strcmp(igos_errmsg(), msg) == 0,
	   "a missing directory is refused");
	f = fopen(path, "w");
	fclose(f);
	snprintf(msg, sizeof(msg), "cannot open '%s': Not a directory", path);
	OK(igos_efivar_dir_check(path, 0) < 0 && strcmp(igos_errmsg(), msg) == 0,
	   "a file is not a directory of variables");
	unlink(path);
	snprintf(path, sizeof(path), "%s/five", dir);
	f = fopen(path, "w");
	fputs("12345", f);
	fclose(f);
	OK(igos_efivar_read_file(path, 5, &d, &dl) == 0 && dl == 5 && memcmp(d, "12345", 5) == 0,
	   "read_file: a file of exactly the limit is read whole");
	free(d);
	snprintf(msg, sizeof(msg), "cannot read '%s': larger than 4 bytes", path);
	OK(igos_efivar_read_file(path, 4, &d, &dl) < 0 && strcmp(igos_errmsg(), msg) == 0 &&
	   d == NULL, "read_file: one byte over the limit is refused");
	f = fopen(path, "w");
	for (int i = 0; i < 8193; i++)
		fputc('x', f);
	fclose(f);
	OK(igos_efivar_read_file(path, 8193, &d, &dl) == 0 && dl == 8193 && d[8192] == 'x',
	   "read_file: 8193 bytes, past two buffer sizes, read whole");
	free(d);
	snprintf(msg, sizeof(msg), "cannot read '%s': larger than 8192 bytes", path);
	OK(igos_efivar_read_file(path, 8192, &d, &dl) < 0 && strcmp(igos_errmsg(), msg) == 0,
	   "read_file: 8193 bytes over a limit of 8192 refused");
	snprintf(link, sizeof(link), "%s/x", path);
	snprintf(msg, sizeof(msg), "cannot open '%s': Not a directory", link);
	OK(igos_efivar_read_file(link, 100, &d, &dl) < 0 && strcmp(igos_errmsg(), msg) == 0,
	   "read_file: a path through a file is an error, not an absent variable");
	snprintf(msg, sizeof(msg), "cannot read '%s': Is a directory", dir);
	OK(igos_efivar_read_file(dir, 100, &d, &dl) < 0 && strcmp(igos_errmsg(), msg) == 0,
	   "read_file: a directory is an error");
	unlink(path);

	/* a variable that cannot be read is an error, not an absent variable */
	snprintf(path, sizeof(path), "%s/Dir-%s", dir, g);
	snprintf(msg, sizeof(msg), "cannot read '%s': Is a directory", path);
	OK(mkdir(path, 0700) == 0 &&
	   igos_efivar_read(dir, "Dir", igos_guid_shim, &attr, &d, &dl) == -1 &&
	   strcmp(igos_errmsg(), msg) == 0 && d == NULL && dl == 0,
	   "read: a variable that is a directory is an error (%s)", igos_errmsg());
	rmdir(path);

	/* only the attribute word: a variable with no data */
	OK(igos_efivar_write(dir, "Empty", igos_guid_shim, 7, NULL, 0) == 0, "write a variable of no data");
	d = (unsigned char *)"";
	OK(igos_efivar_read(dir, "Empty", igos_guid_shim, &attr, &d, &dl) == 0 && attr == 7 &&
	   dl == 0 && d == NULL, "read it: attributes 7, no data, a NULL pointer");
	OK(igos_efivar_delete(dir, "Empty", igos_guid_shim) == 0, "delete it");

	/* 64 MiB, far above any NVRAM, is the most a variable may hold */
	if ((big = calloc(1, (64u << 20) + 1)) != NULL) {
		big[(64u << 20) - 1] = 0x5a;
		OK(igos_efivar_write(dir, "Big", igos_guid_shim, 7, big, 64u << 20) == 0,
		   "a variable of 64 MiB is written");
		snprintf(path, sizeof(path), "%s/Big-%s", dir, g);
		OK((f = fopen(path, "r")) != NULL && fseek(f, 0, SEEK_END) == 0 &&
		   ftell(f) == 4 + (64L << 20), "its file holds the attribute word and 64 MiB");
		if (f != NULL)
			fclose(f);
		igos_efivar_delete(dir, "Big", igos_guid_shim);
		OK(igos_efivar_write(dir, "Big", igos_guid_shim, 7, big, (64u << 20) + 1) < 0 &&
		   strcmp(igos_errmsg(), "variable Big of 67108865 bytes is too large") == 0,
		   "64 MiB and one byte is refused");
		free(big);
	}

	/* a symbolic link in place of the variable is an error, and stays */
	snprintf(path, sizeof(path), "%s/MokNew-%s", dir, g);
	snprintf(link, sizeof(link), "%s/target", dir);
	f = fopen(link, "w");
	fputs("abcdefg", f);
	fclose(f);
	OK(symlink("target", path) == 0, "MokNew is a symbolic link");
	snprintf(msg, sizeof(msg), "cannot open '%s': Too many levels of symbolic links", path);
	OK(igos_efivar_write(dir, "MokNew", igos_guid_shim, 7, "xy", 2) < 0 &&
	   strcmp(igos_errmsg(), msg) == 0, "writing through it is refused");
	OK(igos_efivar_delete(dir, "MokNew", igos_guid_shim) < 0 && strcmp(igos_errmsg(), msg) == 0,
	   "deleting it is refused");
	OK(readlink(path, msg, sizeof(msg)) == 6, "the link is still there");
	unlink(path);
	unlink(link);
	OK(rmdir(dir) == 0, "files: nothing else left in the directory");
}

int
main(void)
{
	test_crypt();
	test_esl();
	test_toggle();
	test_auth_record();
	test_files();
	return DONE();
}
