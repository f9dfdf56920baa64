/* The text helpers every tool shares: the growable string, JSON strings, UTF-8. */
#include <stdlib.h>

#include "igos.h"
#include "unit.h"

int
main(void)
{
	struct igos_text t = { 0 };
	char big[600];

	OK(igos_text_printf(&t, "a%db", 12) == 0 && t.len == 4 && strcmp(t.p, "a12b") == 0,
	   "printf appends");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	OK(igos_text_printf(&t, "<%s>", big) == 0 && t.len == 4 + 601 && t.p[t.len] == '\0' &&
	   t.p[4] == '<' && t.p[t.len - 1] == '>', "printf past the small buffer");
	free(t.p);
	memset(&t, 0, sizeof(t));
	OK(igos_json_str(&t, "a\"b\\c\n\t\r\001\177\0z\xc3\xa9", 14) == 0 &&
	   strcmp(t.p, "\"a\\\"b\\\\c\\n\\t\\r\\u0001\\u007f\\u0000z\xc3\xa9\"") == 0,
	   "a JSON string: quotes, backslashes, control bytes, DEL and NUL escaped, UTF-8 kept");
	free(t.p);
	OK(igos_utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", 14), "UTF-8 accepted");
	OK(igos_utf8_valid("a\0b", 3), "U+0000 is UTF-8 (callers refuse it where it cannot be)");
	OK(!igos_utf8_valid("\xc3", 1), "a truncated sequence refused");
	OK(!igos_utf8_valid("\xc0\xaf", 2), "an overlong form refused");
	OK(!igos_utf8_valid("\xe0\x80\xaf", 3), "an overlong 3-byte form refused");
	OK(!igos_utf8_valid("\xed\xa0\x80", 3), "a surrogate refused");
	OK(!igos_utf8_valid("\xf4\x90\x80\x80", 4), "above U+10FFFF refused");
	OK(!igos_utf8_valid("\xff", 1), "0xff refused");
	return DONE();
}
