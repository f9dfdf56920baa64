/* hex, base64 and number parsing: canonical forms in, errors for the rest. */
#include <stdlib.h>

#include "igos.h"
#include "unit.h"

static int
b64_rt(const char *in, size_t len, const char *want)
{
	char *e = igos_base64_encode(in, len);
	size_t n = 0;
	unsigned char *d = e ? igos_base64_decode(e, strlen(e), &n) : NULL;
	int good = e && strcmp(e, want) == 0 && d && n == len && memcmp(d, in, len) == 0;

	free(e);
	free(d);
	return good;
}

static int
b64_bad(const char *s)
{
	size_t n;
	unsigned char *d = igos_base64_decode(s, strlen(s), &n);

	free(d);
	return d == NULL;
}

int
main(void)
{
	unsigned char buf[4];
	char hex[9];
	uint64_t v;

	igos_hex_encode("\x00\xab\xff\x10", 4, hex);
	OK(strcmp(hex, "00abff10") == 0, "hex encodes lowercase");
	OK(igos_hex_decode("00ABff10", 8, buf, 4) == 0 && memcmp(buf, "\x00\xab\xff\x10", 4) == 0,
	   "hex decodes either case");
	OK(igos_hex_decode("00abff1", 7, buf, 4) < 0, "hex refuses a short string");
	OK(igos_hex_decode("00abfg10", 8, buf, 4) < 0, "hex refuses a non-digit");
	OK(b64_rt("", 0, ""), "base64 of nothing");
	OK(b64_rt("f", 1, "Zg=="), "base64 one byte");
	OK(b64_rt("fo", 2, "Zm8="), "base64 two bytes");
	OK(b64_rt("foobar", 6, "Zm9vYmFy"), "base64 six bytes");
	OK(b64_bad("Zh=="), "base64 refuses non-zero padding bits");
	OK(b64_bad("Zm9"), "base64 refuses a missing pad");
	OK(b64_bad("Zm9v\n"), "base64 refuses whitespace");
	OK(b64_bad("Z==="), "base64 refuses three pads");
	OK(b64_bad("Zg==Zg=="), "base64 refuses padding in the middle");
	OK(b64_bad("Zm-v"), "base64 refuses the URL alphabet");
	OK(igos_parse_u64("0", &v) == 0 && v == 0, "u64 zero");
	OK(igos_parse_u64("18446744073709551615", &v) == 0 && v == UINT64_MAX, "u64 max");
	OK(igos_parse_u64("18446744073709551616", &v) < 0, "u64 overflow refused");
	OK(igos_parse_u64("012", &v) < 0, "u64 leading zero refused");
	OK(igos_parse_u64("+1", &v) < 0, "u64 sign refused");
	OK(igos_parse_u64("", &v) < 0, "u64 empty refused");
	return DONE();
}
