/* Bytes from an input made safe to show: the escaping rule, case by case. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "unit.h"

static int
esc_is(const char *in, size_t n, int flags, const char *want)
{
	char *got = igos_escape(in, n, flags);
	int ok = got != NULL && strcmp(got, want) == 0;

	if (!ok)
		printf("# got '%s', want '%s'\n", got ? got : "(null)", want);
	free(got);
	return ok;
}

#define ESC(in, flags, want) esc_is(in, sizeof(in) - 1, flags, want)

int
main(void)
{
	OK(ESC("", 0, ""), "empty in, empty out (not NULL)");
	OK(ESC("root=/dev/sda quiet", 0, "root=/dev/sda quiet"), "plain text is kept");
	OK(ESC("\033]0;pwned\007\033[2J", 0, "\\x1b]0;pwned\\x07\\x1b[2J"),
	   "ESC and BEL become \\xNN: a title change and a clear screen are inert");
	OK(ESC("a\rb", IGOS_ESC_LINES, "a\\x0db"), "CR is escaped, even in a multi-line text");
	OK(ESC("a\nb\tc", 0, "a\\nb\\tc"), "newline and tab escaped on one line");
	OK(ESC("a\nb\tc", IGOS_ESC_LINES, "a\nb\tc"), "and kept in a multi-line text");
	OK(ESC("a\0b", 0, "a\\x00b"), "NUL is shown");
	OK(ESC("\x7f", 0, "\\x7f"), "DEL");
	OK(ESC("C:\\x1b", 0, "C:\\\\x1b"), "a backslash is doubled: no text passes for an escape");
	OK(ESC("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", 0,
	       "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91"), "well-formed UTF-8 is kept");
	OK(ESC("\xc2\x9b" "2J", 0, "\\u009b2J"), "a C1 control (CSI) is escaped");
	OK(ESC("abc\xe2\x80\xae" "fdp.exe", 0, "abc\\u202efdp.exe"), "a right-to-left override");
	OK(ESC("\xe2\x81\xa6x\xe2\x81\xa9", 0, "\\u2066x\\u2069"), "isolates");
	OK(ESC("\xff\xfe", 0, "\\xff\\xfe"), "bytes that are not UTF-8");
	OK(ESC("\xc0\xaf", 0, "\\xc0\\xaf"), "an overlong form");
	OK(ESC("\xed\xa0\x80", 0, "\\xed\\xa0\\x80"), "a surrogate");
	OK(ESC("\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80"), "past U+10FFFF");
	OK(ESC("x\xe2\x82", 0, "x\\xe2\\x82"), "a sequence cut at the end");
	OK(ESC("\xe2\x82x", 0, "\\xe2\\x82x"), "a sequence cut by ASCII");
	OK(ESC("\x80", 0, "\\x80"), "a stray continuation byte");
	{
		struct igos_text t = { 0 };

		OK(igos_text_add(&t, "name: ", 6) == 0 &&
		   igos_text_escape(&t, "a\033b", 3, 0) == 0 && strcmp(t.p, "name: a\\x1bb") == 0,
		   "igos_text_escape appends");
		free(t.p);
	}
	return DONE();
}
