/* lib/spdx.c: license-expression grammar, UTF-8 check, SPDXIDs, UUIDv5. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "spdx.h"
#include "unit.h"

static void
parses(const char *in, const char *norm, const char *full)
{
	char *n = igos_spdx_license(in, strlen(in), 0);
	char *f = igos_spdx_license(in, strlen(in), 1);

	OK(n != NULL && strcmp(n, norm) == 0, "'%s' normalises to '%s' (got '%s')", in, norm,
	    n ? n : igos_errmsg());
	OK(f != NULL && strcmp(f, full) == 0, "'%s' parses as '%s' (got '%s')", in, full,
	    f ? f : igos_errmsg());
	free(n);
	free(f);
}

static void
refused(const char *in, const char *why)
{
	char want[512];
	char *r = igos_spdx_license(in, strlen(in), 0);
	/* messages show input bytes escaped (igos_escape) */
	char *shown = igos_escape(in, strlen(in), 0);

	snprintf(want, sizeof(want), "invalid license expression '%s': %s", shown, why);
	free(shown);
	OK(r == NULL && strcmp(igos_errmsg(), want) == 0, "'%s' refused: %s (got '%s')", in, why,
	    r ? r : igos_errmsg());
	free(r);
}

int
main(void)
{
	char u[37], *id;
	char deep[300];
	size_t i;

	/* simple expressions */
	parses("MIT", "MIT", "MIT");
	parses("  GPL-2.0-or-later ", "GPL-2.0-or-later", "GPL-2.0-or-later");
	parses("GPL-2.0+", "GPL-2.0+", "GPL-2.0+");
	parses("LicenseRef-InterGenOS.1", "LicenseRef-InterGenOS.1", "LicenseRef-InterGenOS.1");
	parses("DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
	    "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
	    "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2");
	parses("NONE", "NONE", "NONE");
	parses("NOASSERTION", "NOASSERTION", "NOASSERTION");
	/* precedence: WITH over AND over OR; left to right within one */
	parses("A OR B AND C", "A OR B AND C", "(A OR (B AND C))");
	parses("A AND B OR C", "A AND B OR C", "((A AND B) OR C)");
	parses("A AND B AND C", "A AND B AND C", "((A AND B) AND C)");
	parses("A OR B OR C AND D", "A OR B OR C AND D", "((A OR B) OR (C AND D))");
	parses("GPL-2.0-only WITH Linux-syscall-note AND MIT",
	    "GPL-2.0-only WITH Linux-syscall-note AND MIT",
	    "((GPL-2.0-only WITH Linux-syscall-note) AND MIT)");
	parses("MIT OR GPL-2.0+ WITH Classpath-exception-2.0",
	    "MIT OR GPL-2.0+ WITH Classpath-exception-2.0",
	    "(MIT OR (GPL-2.0+ WITH Classpath-exception-2.0))");
	/* parentheses override it and are kept as written */
	parses("(A OR B) AND C", "(A OR B) AND C", "((A OR B) AND C)");
	parses("( A  OR B )AND(C)", "(A OR B) AND (C)", "((A OR B) AND C)");
	parses("((MIT))", "((MIT))", "MIT");
	parses("BSD-2-Clause-Patent AND (MIT OR (Apache-2.0 AND LicenseRef-x))",
	    "BSD-2-Clause-Patent AND (MIT OR (Apache-2.0 AND LicenseRef-x))",
	    "(BSD-2-Clause-Patent AND (MIT OR (Apache-2.0 AND LicenseRef-x)))");
	/* lower-case words are ids, so "and" between two ids is an error */
	parses("and", "and", "and");

	refused("", "empty");
	refused("   ", "empty");
	refused("MIT AND", "unexpected end");
	refused("AND MIT", "unexpected AND");
	refused("MIT OR OR GPL-2.0", "unexpected OR");
	refused("GPL 2", "unexpected license (missing AND or OR?)");
	refused("MIT and BSD-3-Clause", "unexpected license (missing AND or OR?)");
	refused("MIT/X11", "unexpected character '/'");
	refused("MIT, BSD", "unexpected character ','");
	refused("MIT\x01", "unexpected byte 0x01");
	refused("MIT\tOR Zlib", "unexpected byte 0x09");
	refused("Apache-2.0 \xc3\xa9", "unexpected byte 0xc3");
	refused("(MIT", "missing ')'");
	refused("MIT)", "unexpected ')'");
	refused("()", "unexpected ')'");
	refused("MIT ()", "unexpected '('");
	refused("(MIT OR BSD) WITH X", "WITH follows a single license, not '(...)'");
	refused("MIT WITH", "WITH needs a license exception id");
	refused("MIT WITH (X)", "WITH needs a license exception id");
	refused("MIT WITH LicenseRef-x", "WITH needs a license exception id");
	refused("MIT WITH X+", "WITH needs a license exception id");
	refused("MIT WITH X WITH Y", "unexpected WITH");
	refused("WITH", "unexpected WITH");
	refused("LicenseRef-x+", "'+' follows a license id only");
	refused("LicenseRef-", "LicenseRef- needs an id after it");
	refused("LicenseRef-a_b", "unexpected character '_'");
	refused("DocumentRef-x", "a reference is DocumentRef-ID:LicenseRef-ID");
	refused("DocumentRef-x:MIT", "a reference is DocumentRef-ID:LicenseRef-ID");
	refused("MIT:x", "a reference is DocumentRef-ID:LicenseRef-ID");
	refused("GPL-2.0++", "unexpected character '+'");
	refused("+", "unexpected character '+'");
	refused("MIT OR NONE", "NONE and NOASSERTION stand alone");
	refused("(NOASSERTION)", "NONE and NOASSERTION stand alone");
	refused("NONE+", "NONE and NOASSERTION stand alone");
	for (i = 0; i < 100; i++)
		deep[i] = '(';
	deep[100] = 'A';
	deep[101] = '\0';
	refused(deep, "parentheses nested too deep");
	/* (pointer, length): no terminator is read */
	{
		char *r = igos_spdx_license("MIT OR X", 3, 0);

		OK(r != NULL && strcmp(r, "MIT") == 0, "length bounds the input");
		free(r);
	}

	id = igos_spdx_id("SPDXRef-File-", "a \"b\"\\c\n\xc3\xa9.patch", 16);
	OK(id && strcmp(id, "SPDXRef-File-a--b--c---.patch") == 0, "SPDXID from an odd name (%s)",
	    id ? id : igos_errmsg());
	free(id);
	id = igos_spdx_id("SPDXRef-File-", "-.\xc3\xa9", 4);
	OK(id == NULL && strcmp(igos_errmsg(),
	    "name '-.\xc3\xa9' cannot make an SPDXID: it has no letter or digit") == 0,
	    "a name without a letter or digit makes no SPDXID");

	/* Python: uuid.uuid5(uuid.NAMESPACE_URL, "https://example.org/") */
	OK(igos_uuid5(igos_uuid_ns_url, "https://example.org/", 20, u) == 0, "uuid5");
	OK(strcmp(u, "527dda32-a0de-5105-a042-cb475b5f7d11") == 0, "uuid5 value (%s)", u);
	return DONE();
}
