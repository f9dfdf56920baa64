/* Unit tests of lib/indexsig.c: values, the .sig and certificate round trip
 * and the strictness of the parser. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "igos.h"
#include "indexsig.h"
#include "unit.h"

static size_t
sign_ed(EVP_PKEY *k, const unsigned char *m, size_t ml, unsigned char sig[64])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t n = 64;

	EVP_DigestSignInit(c, NULL, NULL, NULL, k);
	EVP_DigestSign(c, sig, &n, m, ml);
	EVP_MD_CTX_free(c);
	return n;
}

/* A complete valid .sig made by the library's serializers. */
static unsigned char *
make_sig(EVP_PKEY *master, EVP_PKEY *sub, size_t *len)
{
	struct igos_idx_cert c = { 0 };
	struct igos_idx_sig s = { 0 };
	unsigned char *tbs, *msg, *block, *hdr, *out, sig[64];
	size_t tl, ml, bl, hl;

	igos_idx_master_id(master, c.master);
	c.serial = 3;
	igos_idx_pubkey_raw(sub, &c.alg, c.pub, &c.publen);
	strcpy(c.scope, "core,extra x86_64");
	igos_idx_time_parse("2026-01-01T00:00:00Z", 20, &c.not_before);
	igos_idx_time_parse("2026-04-01T00:00:00Z", 20, &c.not_after);
	tbs = igos_idx_cert_tbs(&c, &tl);
	msg = igos_idx_cert_message(tbs, tl, &ml);
	sign_ed(master, msg, ml, c.sig);
	block = igos_idx_cert_block(tbs, tl, c.sig, &bl);
	strcpy(s.repo, "core");
	strcpy(s.arch, "x86_64");
	s.version = 1734;
	igos_idx_time_parse("2026-03-01T12:00:00Z", 20, &s.created);
	s.expires = s.created + 7 * 86400;
	s.index_size = 1048576;
	memset(s.index_sha256, 0xab, 32);
	hdr = igos_idx_sig_header(block, bl, &s, &hl);
	sign_ed(sub, hdr, hl, sig);
	out = igos_idx_sig_finish(hdr, hl, sig, 64, len);
	free(tbs); free(msg); free(block); free(hdr);
	return out;
}

/* Parse text with one line replaced (1-based; NULL deletes it). */
static int
parse_edit(const unsigned char *p, size_t len, int line, const char *repl)
{
	char *b = malloc(len + 256), *w = b;
	const unsigned char *q = p;
	struct igos_idx_sig s;
	int ln = 1, r;

	while (q < p + len) {
		const unsigned char *nl = memchr(q, '\n', (size_t)(p + len - q));
		size_t l = (size_t)(nl - q) + 1;

		if (ln == line) {
			if (repl) { strcpy(w, repl); w += strlen(repl); }
		} else {
			memcpy(w, q, l); w += l;
		}
		q += l; ln++;
	}
	r = igos_idx_sig_parse((unsigned char *)b, (size_t)(w - b), &s);
	free(b);
	return r;
}

static int
has(const char *needle)
{
	return strstr(igos_errmsg(), needle) != NULL;
}

/* The error of parsing p[0..len) as a .sig: exactly msg. */
static int
sig_err(const unsigned char *p, size_t len, const char *msg)
{
	struct igos_idx_sig s;

	return igos_idx_sig_parse(p, len, &s) < 0 && strcmp(igos_errmsg(), msg) == 0;
}

/* sig with line `line` (1-based) replaced by repl (NULL: deleted) and
 * tail appended; the error must be exactly msg. */
static int
edit_err(const unsigned char *p, size_t len, int line, const char *repl, const char *tail,
	 const char *msg)
{
	size_t cap = len + (repl ? strlen(repl) : 0) + strlen(tail) + 1;
	unsigned char *b = malloc(cap), *w = b;
	const unsigned char *q = p;
	int ln = 1, r;

	while (q < p + len) {
		const unsigned char *nl = memchr(q, '\n', (size_t)(p + len - q));
		size_t l = (size_t)(nl - q) + 1;

		if (ln != line) {
			memcpy(w, q, l);
			w += l;
		} else if (repl) {
			memcpy(w, repl, strlen(repl));
			w += strlen(repl);
		}
		q += l;
		ln++;
	}
	memcpy(w, tail, strlen(tail));
	w += strlen(tail);
	r = sig_err(b, (size_t)(w - b), msg);
	if (!r)
		printf("# got: %s\n", igos_errmsg());
	free(b);
	return r;
}

/* n bytes of c and a NUL, in a static buffer */
static const char *
rep(int c, size_t n)
{
	static char b[2048];

	memset(b, c, n);
	b[n] = '\0';
	return b;
}

int
main(void)
{
	int64_t t, d;
	char buf[32];
	EVP_PKEY *master = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *sub = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	struct igos_idx_sig s;
	unsigned char *sig;
	size_t len;

	/* times */
	OK(igos_idx_time_parse("1970-01-01T00:00:00Z", 20, &t) == 0 && t == 0, "epoch");
	OK(igos_idx_time_parse("2024-02-29T23:59:59Z", 20, &t) == 0 && t == 1709251199,
	   "leap day 2024");
	igos_idx_time_format(1709251199, buf);
	OK(strcmp(buf, "2024-02-29T23:59:59Z") == 0, "format round trip");
	OK(igos_idx_time_parse("2025-02-29T00:00:00Z", 20, &t) < 0 && has("impossible"),
	   "2025-02-29 impossible");
	OK(igos_idx_time_parse("2100-02-29T00:00:00Z", 20, &t) < 0, "2100 is not leap");
	OK(igos_idx_time_parse("2026-01-01T24:00:00Z", 20, &t) < 0, "hour 24");
	OK(igos_idx_time_parse("2026-01-01T00:00:60Z", 20, &t) < 0, "leap second");
	OK(igos_idx_time_parse("2026-01-01T00:00:00+", 20, &t) < 0, "not Z");
	OK(igos_idx_time_parse("2026-01-01 00:00:00Z", 20, &t) < 0, "space for T");
	OK(igos_idx_time_parse("2026-1-01T00:00:00Z", 19, &t) < 0, "short month");
	OK(igos_idx_time_parse("1969-12-31T23:59:59Z", 20, &t) < 0, "before 1970");
	/* durations */
	OK(igos_idx_duration_parse("7d", &d) == 0 && d == 604800, "7d");
	OK(igos_idx_duration_parse("12h", &d) == 0 && d == 43200, "12h");
	OK(igos_idx_duration_parse("07d", &d) < 0, "leading zero duration");
	OK(igos_idx_duration_parse("7", &d) < 0, "no unit");
	OK(igos_idx_duration_parse("-7d", &d) < 0, "negative");
	OK(igos_idx_duration_parse("99999999999d", &d) < 0, "huge");
	/* scope */
	OK(igos_idx_scope_parse("core x86_64", 11) == 0, "scope ok");
	OK(igos_idx_scope_parse("core  x86_64", 12) < 0, "two spaces");
	OK(igos_idx_scope_parse("core,", 5) < 0, "no arches");
	OK(igos_idx_scope_parse("core, x86_64", 12) < 0, "empty list item");
	OK(igos_idx_scope_covers("core,extra *", "extra", "aarch64"), "list and *");
	OK(!igos_idx_scope_covers("core x86_64", "core", "aarch64"), "arch not covered");
	OK(!igos_idx_scope_covers("core x86_64", "cor", "x86_64"), "prefix is not a match");
	OK(!igos_idx_name_ok("..", 2) && !igos_idx_name_ok("a/b", 3) && igos_idx_name_ok("x86_64", 6),
	   "names");

	/* the .sig: round trip */
	sig = make_sig(master, sub, &len);
	OK(igos_idx_sig_parse(sig, len, &s) == 0, "a serialized .sig parses: %s", igos_errmsg());
	OK(s.version == 1734 && s.cert.serial == 3 && s.cert.alg == IGOS_IDX_ED25519 &&
	   strcmp(s.repo, "core") == 0 && s.index_size == 1048576, "fields read back");
	OK(igos_idx_sig_verify(&s) == 0, "subkey signature verifies");
	OK(igos_idx_cert_verify(&s.cert, master) == 0, "cert signature verifies");
	OK(igos_idx_cert_verify(&s.cert, sub) < 0, "cert does not verify with another key");
	{
		EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

		OK(igos_idx_cert_verify(&s.cert, ec) < 0 &&
		   strcmp(igos_errmsg(), "the master key must be Ed25519") == 0,
		   "a P-256 master key: refused as such, not as a bad signature");
		EVP_PKEY_free(ec);
	}
	{
		unsigned char *c2 = malloc(len);
		struct igos_idx_sig s2;

		memcpy(c2, sig, len);
		c2[s.tbslen - 2] ^= 1; /* a header byte: index-sha256's last hex digit */
		OK(igos_idx_sig_parse(c2, len, &s2) == 0 && igos_idx_sig_verify(&s2) < 0,
		   "changed header field: signature fails");
		free(c2);
	}
	/* strictness */
	OK(igos_idx_sig_parse(sig, 0, &s) < 0 && has("empty"), "empty");
	OK(igos_idx_sig_parse(sig, len - 1, &s) < 0 && has("truncated"), "no final newline");
	OK(igos_idx_sig_parse(sig, len - 40, &s) < 0, "truncated in the middle");
	OK(parse_edit(sig, len, 1, "igos-index-sig v2\n") < 0 && has("unsupported format version"),
	   "version 2");
	OK(parse_edit(sig, len, 1, "igos-index-sgi v1\n") < 0 && has("bad magic"), "bad magic");
	OK(parse_edit(sig, len, 11, "colour: blue\n") < 0 && has("unknown field 'colour'"),
	   "unknown field");
	OK(parse_edit(sig, len, 11, "repo: core\n") < 0 && has("duplicate field 'repo'"),
	   "duplicate field");
	OK(parse_edit(sig, len, 10, NULL) < 0 && has("missing field 'repo'"), "missing field");
	OK(parse_edit(sig, len, 12, "version: 01734\n") < 0 && has("invalid number"),
	   "leading zero");
	OK(parse_edit(sig, len, 12, "version: +1734\n") < 0, "sign");
	OK(parse_edit(sig, len, 12, "version: 18446744073709551616\n") < 0 && has("out of range"),
	   "2^64");
	OK(parse_edit(sig, len, 12, "version: 18446744073709551615\n") == 0, "2^64-1 is fine");
	OK(parse_edit(sig, len, 12, "version:  1734\n") < 0 && has("stray whitespace"),
	   "two spaces");
	OK(parse_edit(sig, len, 12, "version: 1734 \n") < 0 && has("stray whitespace"),
	   "trailing space");
	OK(parse_edit(sig, len, 13, "created: 2026-03-01T12:00:00+00:00\n") < 0, "not Z");
	OK(parse_edit(sig, len, 4, "cert-alg: rsa-pss-sha256\n") < 0 && has("algorithm not allowed"),
	   "algorithm not allowed");
	OK(parse_edit(sig, len, 5, "cert-pubkey: AAAA\n") < 0 && has("public key is 3 bytes"),
	   "wrong key length");
	OK(parse_edit(sig, len, 5, "cert-pubkey: AAB=\n") < 0 && has("invalid base64"),
	   "non-canonical base64");
	OK(parse_edit(sig, len, 2, "cert-master: 1AF1E45D9129A163\n") < 0 && has("lowercase hex"),
	   "uppercase hex");
	{
		char *big = malloc(9000);

		memcpy(big, sig, len);
		memset(big + len, 'x', 9000 - len);
		OK(igos_idx_sig_parse((unsigned char *)big, 9000, &s) < 0 && has("longer than 8192"),
		   "over 8 KiB");
		memcpy(big, sig, len);
		big[len] = 'x'; big[len + 1] = '\n';
		OK(igos_idx_sig_parse((unsigned char *)big, len + 2, &s) < 0 && has("trailing data"),
		   "trailing bytes");
		memcpy(big, sig, len);
		big[30] = '\r';
		OK(igos_idx_sig_parse((unsigned char *)big, len, &s) < 0 && has("carriage return"),
		   "CR");
		big[30] = '\0';
		OK(igos_idx_sig_parse((unsigned char *)big, len, &s) < 0 && has("NUL"), "NUL");
		big[30] = (char)0xc3;
		OK(igos_idx_sig_parse((unsigned char *)big, len, &s) < 0 && has("non-ASCII"),
		   "non-ASCII");
		free(big);
	}

	/* edges found by make mutate (tests/mutate): each boundary on both sides */
	{
		char b[64], line[2100];
		int64_t t2;

		OK(igos_idx_time_parse("2026-12-31T23:59:59Z", 20, &t) == 0 &&
		   (igos_idx_time_format(t, b), strcmp(b, "2026-12-31T23:59:59Z") == 0),
		   "December and its 31st day parse and print");
		OK(igos_idx_time_parse("2026-01-15T08:09:10Z", 20, &t) == 0 &&
		   (igos_idx_time_format(t, b), strcmp(b, "2026-01-15T08:09:10Z") == 0),
		   "January parses and prints");
		OK(igos_idx_time_parse("2026-13-01T00:00:00Z", 20, &t) < 0 && has("impossible"),
		   "month 13 is impossible");
		OK(igos_idx_time_parse("2026-04-31T00:00:00Z", 20, &t) < 0 && has("impossible"),
		   "April 31 is impossible");
		OK(igos_idx_time_parse("9999-06-01T00:00:00Z", 20, &t) == 0 &&
		   (igos_idx_time_format(t, b), strcmp(b, "9999-06-01T00:00:00Z") == 0),
		   "a time in year 9999 prints as itself");
		igos_idx_time_parse("9999-12-31T23:59:59Z", 20, &t2);
		igos_idx_time_format(t2 + 400 * 86400, b);
		OK(strcmp(b, "9999-12-31T23:59:59Z") == 0, "a time past 9999 prints as the last second");
		igos_idx_time_format(-5, b);
		OK(strcmp(b, "1970-01-01T00:00:00Z") == 0, "a time before the epoch prints as the epoch");

		OK(igos_idx_duration_parse("10000000000s", &d) == 0 && d == INT64_C(10000000000),
		   "a duration of 12 characters");
		OK(igos_idx_duration_parse("100000000000s", &d) < 0, "a duration of 13 characters");
		OK(igos_idx_duration_parse("36600000d", &d) == 0 && d == INT64_C(36600000) * 86400,
		   "the longest duration (100000 years of 366 days)");
		OK(igos_idx_duration_parse("36600001d", &d) < 0 && has("invalid duration '36600001d'"),
		   "one day more is refused");
		OK(igos_idx_duration_parse("1s", &d) == 0 && d == 1, "1s");
		OK(igos_idx_duration_parse("d", &d) < 0, "a unit alone");
		{
			static const struct { int64_t v; const char *s; } fm[] = {
				{ 0, "0s" }, { 1, "1s" }, { 90, "90s" }, { 120, "2m" }, { 5400, "90m" },
				{ 3600, "1h" }, { 90000, "25h" }, { 86400, "1d" }, { 14 * 86400, "14d" },
			};
			int bad = 0;

			for (size_t i = 0; i < sizeof(fm) / sizeof(fm[0]); i++) {
				igos_idx_duration_format(fm[i].v, b);
				if (strcmp(b, fm[i].s) != 0) {
					printf("# %lld printed as %s\n", (long long)fm[i].v, b);
					bad++;
				}
			}
			OK(bad == 0, "durations print in the largest whole unit");
		}

		OK(igos_idx_name_ok("az", 2) && igos_idx_name_ok("AZ", 2) && igos_idx_name_ok("09", 2) &&
		   igos_idx_name_ok("a.b_c+d-e", 9), "names: a-z A-Z 0-9 and . _ + - inside");
		OK(!igos_idx_name_ok("a`", 2) && !igos_idx_name_ok("a{", 2) && !igos_idx_name_ok("a@", 2) &&
		   !igos_idx_name_ok("a[", 2) && !igos_idx_name_ok("a:", 2) && !igos_idx_name_ok("a/", 2) &&
		   !igos_idx_name_ok("a*", 2) && !igos_idx_name_ok("a,", 2),
		   "names: the bytes next to each allowed range are refused");
		OK(!igos_idx_name_ok(".a", 2) && !igos_idx_name_ok("-a", 2) && !igos_idx_name_ok("_a", 2) &&
		   !igos_idx_name_ok("+a", 2) && igos_idx_name_ok("a", 1) && igos_idx_name_ok("Z9", 2),
		   "names: no punctuation first");
		OK(igos_idx_name_ok(rep('x', 64), 64) && !igos_idx_name_ok(rep('x', 65), 65),
		   "names: 64 bytes at most");

		OK(igos_idx_scope_parse("* *", 3) == 0, "scope '* *'");
		OK(igos_idx_scope_parse("*x x86_64", 9) < 0 && igos_idx_scope_parse("core,* x86_64", 13) < 0 &&
		   igos_idx_scope_parse("core x86_64,", 12) < 0 && igos_idx_scope_parse(",core x86_64", 12) < 0 &&
		   igos_idx_scope_parse("core,,extra x86_64", 18) < 0 &&
		   igos_idx_scope_parse("core x86_64 ", 12) < 0,
		   "scope: '*' only alone, no empty item");
		OK(igos_idx_scope_parse("core x86_64", 4) < 0 &&
		   has("invalid scope 'core' (want \"REPOS ARCHES\", each a comma list or *)"),
		   "scope without arches: exact message");
		OK(!igos_idx_scope_covers("c x86_64", "core", "x86_64") &&
		   !igos_idx_scope_covers("core x", "core", "x86_64") &&
		   !igos_idx_scope_covers("*x x86_64", "core", "x86_64"),
		   "scope: a one-letter name covers only itself");
		OK(igos_idx_scope_covers("* *", "core", "x86_64") &&
		   igos_idx_scope_covers("core,extra aarch64,x86_64", "extra", "x86_64") &&
		   !igos_idx_scope_covers("core", "core", "x86_64") &&
		   !igos_idx_scope_covers("core,extra x86_64", "core,extra", "x86_64"),
		   "scope: any item of each list, nothing without arches");

		OK(igos_idx_filename_ok(rep('p', 255), 255) && !igos_idx_filename_ok(rep('p', 256), 256),
		   "package file names: 255 bytes at most");
		OK(igos_idx_filename_ok("a.b", 3) && !igos_idx_filename_ok("a..b", 4) &&
		   !igos_idx_filename_ok(".a", 2) && !igos_idx_filename_ok("a b", 3) &&
		   igos_idx_filename_ok("~!", 2), "package file names: bytes and dots");

		/* the byte and line rules of the small files, with the line they name */
		snprintf(line, sizeof(line), "colour: %s\n", rep('x', 1015));
		OK(edit_err(sig, len, 12, line, "", "line 12: unknown field 'colour'"),
		   "a line of 1024 bytes is not too long");
		snprintf(line, sizeof(line), "colour: %s\n", rep('x', 1016));
		OK(edit_err(sig, len, 12, line, "", "line 12: longer than 1024 bytes"),
		   "a line of 1025 bytes is, and the message names it");
		snprintf(line, sizeof(line), "%s", rep('x', 1024));
		OK(edit_err(sig, len, 0, NULL, line,
			    "truncated signature file: no newline at the end of line 18"),
		   "a last line of 1024 bytes without LF is truncated, not too long");
		snprintf(line, sizeof(line), "%s", rep('x', 1025));
		OK(edit_err(sig, len, 0, NULL, line, "line 18: longer than 1024 bytes"),
		   "a last line of 1025 bytes without LF is too long");
		{
			unsigned char *big = malloc(8192);
			size_t off = len;

			memcpy(big, sig, len);
			while (off < 8192) {
				size_t n = 8192 - off > 1000 ? 1000 : 8192 - off;

				memset(big + off, 'x', n - 1);
				big[off + n - 1] = '\n';
				off += n;
			}
			OK(sig_err(big, 8192, "line 18: trailing data after the 'sig' field"),
			   "a file of exactly 8192 bytes is not too long");
			free(big);
		}
		OK(edit_err(sig, len, 11, "~colour: blue\n", "", "line 11: unknown field '~colour'"),
		   "'~' is a printable byte");
		OK(edit_err(sig, len, 11, "\x7f" "colour: blue\n", "",
			    "line 11: control or non-ASCII byte 0x7f"), "DEL is refused");
		OK(edit_err(sig, len, 11, "\x1f" "colour: blue\n", "",
			    "line 11: control or non-ASCII byte 0x1f"), "0x1f is refused");
		OK(edit_err(sig, len, 11, "\n", "", "line 11: not a 'key: value' line"),
		   "an empty line, named by its number");
		OK(edit_err(sig, len, 1, "igos-index-sig v\n", "",
			    "line 1: bad magic (not 'igos-index-sig v1')"), "a magic without a version");
		OK(edit_err(sig, len, 1, "igos-index-sig v12\n", "",
			    "line 1: unsupported format version 'igos-index-sig v12'"),
		   "a magic of another version");
		OK(edit_err(sig, len, 12, "version :1734\n", "", "line 12: stray whitespace") &&
		   edit_err(sig, len, 12, " version: 1734\n", "", "line 12: stray whitespace"),
		   "a space before the colon or the key: stray whitespace, not an unknown field");
		OK(edit_err(sig, len, 12, "version:1734\n", "", "line 12: want 'version: value'"),
		   "no space after the colon: refused, not read from the second digit");
		OK(edit_err(sig, len, 17, NULL, "", "line 17: missing field 'sig'"),
		   "a .sig without its last field");
		OK(edit_err(sig, len, 2, "cert-master: 1af1e45d9129a1\n", "",
			    "line 2: wrong length of a hex value") &&
		   edit_err(sig, len, 16, "index-sha256: 00\n", "", "line 16: wrong length of a hex value"),
		   "hex values of the wrong length, by their message");
		OK(edit_err(sig, len, 12, "version: \n", "", "line 12: stray whitespace"),
		   "an empty value");
		OK(edit_err(sig, len, 12, "version:\n", "", "line 12: want 'version: value'"),
		   "a key without a value");
		OK(edit_err(sig, len, 10, NULL, "x-repo: core\n", "line 10: missing field 'repo'"),
		   "a later line ending in the key is not the missing field");
		OK(edit_err(sig, len, 10, NULL, "repo: core\n", "line 10: field 'arch' out of order"),
		   "the field later in the file is out of order");
		OK(edit_err(sig, len, 12, "version: 0\n", "", "line 12: must not be 0"), "version 0");
		OK(parse_edit(sig, len, 15, "index-size: 0\n") == 0, "index-size 0 is fine");
		OK(edit_err(sig, len, 8, "cert-not-after: 2026-01-01T00:00:00Z\n", "",
			    "line 8: cert-not-after is not after cert-not-before"),
		   "a certificate window of no time");
		OK(edit_err(sig, len, 5, "cert-pubkey: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", "",
			    "line 5: public key is 33 bytes, expected 32"), "an Ed25519 key of 33 bytes");
		{
			/* 64 bytes of 0xff: out of ECDSA's range, but an Ed25519 signature is not
			 * ECDSA: it parses and then fails as a bad signature */
			char l17[128], *b64;
			unsigned char ff[64];
			unsigned char *c2 = malloc(len + 64);
			size_t l2;
			struct igos_idx_sig s2;

			memset(ff, 0xff, 64);
			b64 = igos_base64_encode(ff, 64);
			snprintf(l17, sizeof(l17), "sig: %s\n", b64);
			memcpy(c2, sig, s.tbslen);
			memcpy(c2 + s.tbslen, l17, strlen(l17));
			l2 = s.tbslen + strlen(l17);
			OK(igos_idx_sig_parse(c2, l2, &s2) == 0 && igos_idx_sig_verify(&s2) < 0 &&
			   strcmp(igos_errmsg(), "bad index signature (sig): bad signature") == 0,
			   "an Ed25519 signature of 0xff bytes parses, then does not verify");
			free(b64);
			free(c2);
		}
		OK(parse_edit(sig, len, 16, "index-sha256: 0123456789abcdef0123456789abcdef"
			      "0123456789abcdef0123456789abcdef\n") == 0, "every hex digit");
		{
			static const char evil[] = ":`g/G";
			int bad = 0;

			for (size_t e = 0; e < sizeof(evil) - 1; e++) {
				snprintf(line, sizeof(line), "index-sha256: %c%s\n", evil[e], rep('0', 63));
				if (!edit_err(sig, len, 16, line, "", "line 16: not lowercase hex"))
					bad++;
			}
			OK(bad == 0, "the bytes next to 0-9 and a-f are not hex");
		}
	}

	/* a .sig whose subkey is P-256: the certificate names the algorithm, the
	 * key is a 65-byte point, r and s are in range */
	{
		EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		unsigned char pub[65], rs[64], *b, *w;
		size_t pl;
		enum igos_idx_alg alg;
		char *b64k, *b64s, l5[160], l17[160];
		struct igos_idx_sig s2;
		const unsigned char *q = sig;
		int ln = 1;

		igos_idx_pubkey_raw(ec, &alg, pub, &pl);
		memset(rs, 0x11, sizeof(rs));
		b64k = igos_base64_encode(pub, 65);
		b64s = igos_base64_encode(rs, 64);
		snprintf(l5, sizeof(l5), "cert-pubkey: %s\n", b64k);
		snprintf(l17, sizeof(l17), "sig: %s\n", b64s);
		b = malloc(len + 256);
		w = b;
		while (q < sig + len) {
			const unsigned char *nl = memchr(q, '\n', (size_t)(sig + len - q));
			size_t l = (size_t)(nl - q) + 1;
			const char *r = ln == 4 ? "cert-alg: ecdsa-p256-sha256\n" : ln == 5 ? l5 :
					ln == 17 ? l17 : NULL;

			if (r) { memcpy(w, r, strlen(r)); w += strlen(r); }
			else { memcpy(w, q, l); w += l; }
			q += l;
			ln++;
		}
		OK(igos_idx_sig_parse(b, (size_t)(w - b), &s2) == 0 && s2.cert.alg == IGOS_IDX_P256 &&
		   s2.cert.publen == 65 && memcmp(s2.cert.pub, pub, 65) == 0,
		   "a .sig with a P-256 subkey parses as P-256: %s", igos_errmsg());
		/* the same with the point's first byte 2 (a compressed point's tag) */
		free(b64k);
		pub[0] = 2;
		b64k = igos_base64_encode(pub, 65);
		snprintf(l5, sizeof(l5), "cert-pubkey: %s\n", b64k);
		w = b;
		q = sig;
		ln = 1;
		while (q < sig + len) {
			const unsigned char *nl = memchr(q, '\n', (size_t)(sig + len - q));
			size_t l = (size_t)(nl - q) + 1;
			const char *r = ln == 4 ? "cert-alg: ecdsa-p256-sha256\n" : ln == 5 ? l5 :
					ln == 17 ? l17 : NULL;

			if (r) { memcpy(w, r, strlen(r)); w += strlen(r); }
			else { memcpy(w, q, l); w += l; }
			q += l;
			ln++;
		}
		OK(sig_err(b, (size_t)(w - b), "line 5: not an uncompressed P-256 point"),
		   "a P-256 subkey of 65 bytes not starting with 4 is refused: %s", igos_errmsg());
		/* the point again, and s = 0xff...: past the order n */
		free(b64k);
		free(b64s);
		pub[0] = 4;
		b64k = igos_base64_encode(pub, 65);
		snprintf(l5, sizeof(l5), "cert-pubkey: %s\n", b64k);
		memset(rs + 32, 0xff, 32);
		b64s = igos_base64_encode(rs, 64);
		snprintf(l17, sizeof(l17), "sig: %s\n", b64s);
		w = b;
		q = sig;
		ln = 1;
		while (q < sig + len) {
			const unsigned char *nl = memchr(q, '\n', (size_t)(sig + len - q));
			size_t l = (size_t)(nl - q) + 1;
			const char *r = ln == 4 ? "cert-alg: ecdsa-p256-sha256\n" : ln == 5 ? l5 :
					ln == 17 ? l17 : NULL;

			if (r) { memcpy(w, r, strlen(r)); w += strlen(r); }
			else { memcpy(w, q, l); w += l; }
			q += l;
			ln++;
		}
		OK(sig_err(b, (size_t)(w - b), "line 17: ECDSA r or s out of range"),
		   "a P-256 .sig whose s is past the order is refused: %s", igos_errmsg());
		free(b);
		free(b64k);
		free(b64s);
		EVP_PKEY_free(ec);
	}
	OK(edit_err(sig, len, 4, "cert-alg: ecdsa-p384-sha384\n", "", "line 4: algorithm not allowed") &&
	   edit_err(sig, len, 4, "cert-alg: ecdsa\n", "", "line 4: algorithm not allowed") &&
	   edit_err(sig, len, 4, "cert-alg: ed2551\n", "", "line 4: algorithm not allowed"),
	   "an algorithm as long as an allowed one or a prefix of it is not allowed");
	OK(edit_err(sig, len, 6, "cert-scope: core\n", "", "line 6: invalid scope 'core' "
		    "(want \"REPOS ARCHES\", each a comma list or *)"), "a scope without arches");
	OK(edit_err(sig, len, 7, "cert-not-before: 2026-01-01\n", "",
		    "line 7: invalid time '2026-01-01' (want YYYY-MM-DDThh:mm:ssZ)") &&
	   edit_err(sig, len, 8, "cert-not-after: 2026-02-30T00:00:00Z\n", "",
		    "line 8: impossible time '2026-02-30T00:00:00Z'"),
	   "a certificate time that is not a time, by its message");
	OK(edit_err(sig, len, 9, "cert-sig: AAAA\n", "", "line 9: cert-sig is 3 bytes, expected 64"),
	   "a cert-sig of 3 bytes");
	/* a certificate file: the cert lines of the .sig on their own */
	{
		struct igos_idx_cert c;
		unsigned char *cb;
		size_t cl;

		igos_idx_sig_parse(sig, len, &s);
		cb = malloc(s.cert.blocklen);
		cl = s.cert.blocklen;

		memcpy(cb, s.cert.block, cl);
		OK(igos_idx_cert_parse(cb, cl, &c) == 0 && c.serial == 3 && c.alg == IGOS_IDX_ED25519 &&
		   strcmp(c.scope, "core,extra x86_64") == 0 && c.blocklen == cl &&
		   igos_idx_cert_verify(&c, master) == 0,
		   "a certificate file parses and verifies: %s", igos_errmsg());
		OK(igos_idx_cert_parse(cb, 0, &c) < 0 && strcmp(igos_errmsg(), "empty certificate") == 0,
		   "an empty certificate file");
		OK(igos_idx_cert_parse(cb, cl - 1, &c) < 0 &&
		   strcmp(igos_errmsg(), "truncated certificate: no newline at the end of line 8") == 0,
		   "a certificate file without its last newline");
		free(cb);
	}
	OK(edit_err(sig, len, 10, "repo: .core\n", "", "line 10: invalid name") &&
	   edit_err(sig, len, 11, "arch: x86/64\n", "", "line 11: invalid name"),
	   "a repo or arch that is not a name");

	/* cert-master is the first 8 bytes of SHA-256 over the raw Ed25519 key
	 * (spec/index-signature.md), computed here without the library */
	{
		unsigned char raw[32], md[32], id[8];
		size_t rl = sizeof(raw);

		EVP_PKEY_get_raw_public_key(master, raw, &rl);
		EVP_Digest(raw, 32, md, NULL, EVP_sha256(), NULL);
		memset(id, 0x55, sizeof(id));
		OK(igos_idx_master_id(master, id) == 0 && memcmp(id, md, 8) == 0,
		   "the master id is SHA-256 of the raw key, its first 8 bytes");
	}

	/* the serializer never writes a sig line it had to cut */
	{
		unsigned char big[200], *r;
		size_t rl = 12345;

		memset(big, 0x5a, sizeof(big));
		igos_seterr("none");
		r = igos_idx_sig_finish((const unsigned char *)"x\n", 2, big, sizeof(big), &rl);
		OK(r == NULL && strcmp(igos_errmsg(), "signature too long") == 0,
		   "a signature of 200 bytes (a sig line past 256 bytes) is refused, not cut: %s",
		   igos_errmsg());
		free(r);
		r = igos_idx_sig_finish((const unsigned char *)"x\n", 2, big, 64, &rl);
		OK(r != NULL && rl == 2 + 6 + 88 && memcmp(r, "x\nsig: ", 7) == 0 && r[rl - 1] == '\n',
		   "a 64-byte signature gives the header and one sig line of 94 bytes");
		free(r);
	}
	free(sig);
	EVP_PKEY_free(master);
	EVP_PKEY_free(sub);
	return DONE();
}
