/* lib/efivar.c: signature lists, MokAuth records, variables in a directory. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "igos.h"
#include "efivar.h"
#include "unit.h"

/* OK() evaluates its condition twice: evaluate once here */
#define CHECK(cond, ...) do { int r_ = !!(cond); OK(r_, __VA_ARGS__); } while (0)

static int
parse_fails(const unsigned char *d, size_t len, const char *msg)
{
	struct igos_esl_entry *e;
	size_t n;

	if (igos_esl_parse(d, len, &e, &n) == 0) {
		free(e);
		return 0;
	}
	return strstr(igos_errmsg(), msg) != NULL;
}

/* The lists with the 32-bit field at off set to v, copied to buf: refused
 * with a message holding msg? */
static int
patched_fails(unsigned char *buf, const unsigned char *list, size_t len, size_t off, uint32_t v,
	      const char *msg)
{
	memcpy(buf, list, len);
	igos_put_le32(buf + off, v);
	return parse_fails(buf, len, msg);
}

/* sha512-crypt's encoder, written from the spec, to check the decoder */
static void
encode_sha512(const unsigned char h[64], char out[87])
{
	static const char c64[] =
		"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	char *p = out;

	for (int g = 0; g < 21; g++) {
		/* group g holds bytes 22g, 22g+21, 22g+42 (mod 63) */
		int a = (g * 22) % 63, b = (a + 21) % 63, c = (a + 42) % 63;
		uint32_t w = (uint32_t)h[a] << 16 | (uint32_t)h[b] << 8 | h[c];

		for (int i = 0; i < 4; i++, w >>= 6)
			*p++ = c64[w & 63];
	}
	*p++ = c64[h[63] & 63];
	*p++ = c64[h[63] >> 6];
	*p = '\0';
}

int
main(void)
{
	unsigned char buf[512], *list = NULL;
	size_t len = 0, n;
	struct igos_esl_entry *e;
	char g[37];
	static const unsigned char cert[5] = { 1, 2, 3, 4, 5 };
	unsigned char h[32];

	igos_guid_str(igos_guid_shim, g);
	CHECK(strcmp(g, "605dab50-e046-4300-abb6-3dd810dd8b23") == 0, "shim GUID");
	igos_guid_str(igos_guid_global, g);
	CHECK(strcmp(g, "8be4df61-93ca-11d2-aa0d-00e098032b8c") == 0, "global GUID");
	igos_guid_str(igos_guid_cert_x509, g);
	CHECK(strcmp(g, "a5c059a1-94e4-4aa7-87b5-ab155c2bf072") == 0, "X.509 GUID");
	igos_guid_str(igos_guid_cert_sha256, g);
	CHECK(strcmp(g, "c1c41626-504c-4092-aca9-41f936934328") == 0, "SHA-256 GUID");
	igos_guid_str(igos_guid_security, g);
	CHECK(strcmp(g, "d719b2cb-3d3a-4596-a3bc-dad00e67656f") == 0, "security database GUID");

	/* build two lists and read them back */
	memset(h, 0xab, sizeof(h));
	CHECK(igos_esl_append(&list, &len, igos_guid_cert_x509, igos_guid_shim, cert, 5) == 0,
	   "append a certificate list");
	CHECK(igos_esl_append(&list, &len, igos_guid_cert_sha256, igos_guid_shim, h, 32) == 0,
	   "append a digest list");
	CHECK(len == 28 + 16 + 5 + 28 + 16 + 32, "lengths add up");
	CHECK(igos_esl_parse(list, len, &e, &n) == 0 && n == 2, "parse: two entries");
	CHECK(e[0].len == 5 && memcmp(e[0].data, cert, 5) == 0 && e[0].list == 0, "certificate back");
	CHECK(e[1].len == 32 && memcmp(e[1].data, h, 32) == 0 && e[1].list == 1, "digest back");
	CHECK(memcmp(e[1].owner, igos_guid_shim, 16) == 0, "owner back");
	CHECK(strcmp(igos_esl_type_name(e[1].type), "sha256") == 0, "type name");
	free(e);
	CHECK(igos_esl_parse(list, 0, &e, &n) == 0 && n == 0 && e == NULL, "empty input, no entries");

	/* every length checked */
	CHECK(parse_fails(list, 27, "a header needs 28"), "short header");
	CHECK(parse_fails(list, len - 1, "exceeds the"), "second list cut short");
	CHECK(patched_fails(buf, list, len, 16, 0xffffffffu, "SignatureListSize 4294967295 exceeds"),
	      "ListSize overflow");
	CHECK(patched_fails(buf, list, len, 16, 20, "smaller than its header"),
	      "ListSize under the header");
	CHECK(patched_fails(buf, list, len, 20, 1000, "SignatureHeaderSize 1000 exceeds"),
	      "HeaderSize past the list");
	CHECK(patched_fails(buf, list, len, 24, 16, "leaves no signature data"),
	      "SignatureSize 16");
	CHECK(patched_fails(buf, list, len, 24, 0, "leaves no signature data"), "SignatureSize 0");
	CHECK(patched_fails(buf, list, len, 24, 20, "does not divide"), "SignatureSize mismatch");
	CHECK(patched_fails(buf, list, len, 49 + 24, 40, "does not match sha256 (48)"),
	      "hash SignatureSize mismatch");
	memcpy(buf, list, 49);
	igos_put_le32(buf + 16, 28);
	igos_put_le32(buf + 24, 21);
	CHECK(parse_fails(buf, 28, "no signatures"), "empty list");
	free(list);

	/* request edits: a hash joins the first list of its type, removal shrinks it */
	{
		unsigned char *r = NULL, *o;
		size_t rl = 0, ol;
		unsigned char h2[32], t[IGOS_MOK_TOGGLE_SIZE];
		uint32_t st, pl;

		memset(h2, 0xcd, sizeof(h2));
		CHECK(igos_esl_add_hash(&r, &rl, igos_guid_cert_sha256, igos_guid_shim, h, 32) == 0 &&
		      rl == 28 + 48, "first hash: a list of its own");
		CHECK(igos_esl_append(&r, &rl, igos_guid_cert_x509, igos_guid_shim, cert, 5) == 0,
		      "a certificate after it");
		CHECK(igos_esl_add_hash(&r, &rl, igos_guid_cert_sha256, igos_guid_shim, h2, 32) == 0 &&
		      rl == 28 + 48 + 48 + 28 + 21 && igos_le32(r + 16) == 28 + 96,
		      "second hash: appended to that list, its size grown");
		CHECK(igos_esl_parse(r, rl, &e, &n) == 0 && n == 3 && e[1].list == 0 &&
		      memcmp(e[1].data, h2, 32) == 0 && e[2].list == 1, "parses: h, h2 | cert");
		CHECK(igos_esl_remove(r, rl, e, n, 0, &o, &ol) == 0 && ol == rl - 48 &&
		      igos_le32(o + 16) == 28 + 48 && memcmp(o + 44, h2, 32) == 0,
		      "remove h: the list keeps h2, its size rewritten");
		free(o);
		CHECK(igos_esl_remove(r, rl, e, n, 2, &o, &ol) == 0 && ol == 28 + 96,
		      "remove the certificate: its list goes");
		free(o);
		free(e);
		CHECK(igos_esl_add_hash(&r, &rl, igos_guid_cert_sha256, igos_guid_shim, h, 20) < 0,
		      "a 20-byte SHA-256 refused");
		free(r);
		CHECK(igos_mok_toggle_pack(1, "abcdefgh", t) == 0 && igos_le32(t) == 1 &&
		      igos_le32(t + 4) == 8 && t[8] == 'a' && t[9] == 0 && t[22] == 'h' && t[24] == 0 &&
		      t[39] == 0, "toggle: state, length, UCS-2, zeros after");
		CHECK(igos_mok_toggle_pack(0, "sixteen-chars-xy", t) == 0 && t[38] == 'y',
		      "toggle: all 16 characters kept");
		CHECK(igos_mok_toggle_pack(0, "seven77", t) < 0, "toggle: 7 characters refused");
		CHECK(igos_mok_toggle_unpack(t, 39, &st, &pl) < 0, "toggle: 39 bytes refused");
	}

	/* MokAuth from a sha512-crypt line (the example of the sha-crypt spec) */
	{
		static const char line[] = "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/"
			"O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1\n";
		struct igos_mok_auth a, b;
		unsigned char packed[IGOS_MOK_AUTH_SIZE];
		char enc[87];

		CHECK(igos_mok_auth_from_crypt(line, strlen(line), &a) == 0, "parse a $6$ line");
		CHECK(a.method == 4 && a.iter_count == 5000 && a.salt_size == 10 &&
		   memcmp(a.salt, "saltstring", 10) == 0, "method 4, 5000 rounds, salt");
		encode_sha512(a.hash, enc);
			CHECK(strncmp(enc, strchr(line + 3, '$') + 1, 86) == 0, "digest re-encodes to the line");
		igos_mok_auth_pack(&a, packed);
		CHECK(packed[0] == 4 && packed[1] == 0 && packed[2] == 0x88 && packed[3] == 0x13 &&
		   packed[10] == 10 && memcmp(packed + 12, "saltstring", 10) == 0,
		   "packed little-endian, salt at 12");
		CHECK(igos_mok_auth_unpack(packed, sizeof(packed), &b) == 0 &&
		   memcmp(&a, &b, sizeof(a)) == 0, "unpack reverses pack");
		CHECK(igos_mok_auth_unpack(packed, 171, &b) < 0, "171-byte record refused");
		CHECK(igos_mok_auth_from_crypt("$5$abc$def", 10, &a) < 0, "$5$ refused");
		CHECK(igos_mok_auth_from_crypt(line, 20, &a) < 0, "cut line refused");
		CHECK(igos_mok_auth_from_crypt("$6$rounds=999$s$", 16, &a) < 0, "rounds under 1000 refused");
	}

	/* variables in a plain directory */
	{
		char dir[] = "/tmp/igos-efivar.XXXXXX", path[256];
		unsigned char *d;
		size_t dl;
		uint32_t attr;
		FILE *f;

		CHECK(mkdtemp(dir) != NULL, "temp dir");
		CHECK(igos_efivar_read(dir, "MokNew", igos_guid_shim, &attr, &d, &dl) ==
		   IGOS_EFIVAR_ABSENT, "absent variable");
		CHECK(igos_efivar_write(dir, "MokNew", igos_guid_shim, 7, "abc", 3) == 0, "write");
		CHECK(igos_efivar_read(dir, "MokNew", igos_guid_shim, &attr, &d, &dl) == 0 &&
		   attr == 7 && dl == 3 && memcmp(d, "abc", 3) == 0, "read back");
		free(d);
		CHECK(igos_efivar_write(dir, "MokNew", igos_guid_shim, 7, "xy", 2) == 0, "replace");
		CHECK(igos_efivar_read(dir, "MokNew", igos_guid_shim, &attr, &d, &dl) == 0 && dl == 2,
		   "replaced whole");
		free(d);
		snprintf(path, sizeof(path), "%s/Short-605dab50-e046-4300-abb6-3dd810dd8b23", dir);
		f = fopen(path, "w");
		fputs("ab", f);
		fclose(f);
		CHECK(igos_efivar_read(dir, "Short", igos_guid_shim, &attr, &d, &dl) < 0 &&
		   strstr(igos_errmsg(), "shorter than the attribute word"), "3-byte file refused");
		f = fopen(path, "w");
		fclose(f);
		CHECK(igos_efivar_read(dir, "Short", igos_guid_shim, &attr, &d, &dl) ==
		   IGOS_EFIVAR_ABSENT, "empty file is no variable");
		unlink(path);
		CHECK(igos_efivar_delete(dir, "MokNew", igos_guid_shim) == 0, "delete");
		CHECK(igos_efivar_delete(dir, "MokNew", igos_guid_shim) == IGOS_EFIVAR_ABSENT,
		   "delete again: absent");
		CHECK(rmdir(dir) == 0, "nothing left in the directory");
	}
	return DONE();
}
