/* Unit tests of lib/indexsig.c: the index parser and lookup, the state file,
 * the acceptance rule and ECDSA signature ranges. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "igos.h"
#include "indexsig.h"
#include "unit.h"

#define H "0000000000000000000000000000000000000000000000000000000000000000"
#define HA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static int
idx(const char *s)
{
	size_t n;

	return igos_idx_index_parse((const unsigned char *)s, strlen(s), &n) < 0 ? -1 : (int)n;
}

static int
has(const char *needle)
{
	return strstr(igos_errmsg(), needle) != NULL;
}

static int64_t
T(const char *s)
{
	int64_t t;

	igos_idx_time_parse(s, strlen(s), &t);
	return t;
}

int
main(void)
{
	const char *good = "igos-index v1\n"
			   "a 1 " HA "\n"
			   "a-b 0 " H "\n"
			   "b.pkg 18446744073709551615 " HA "\n";
	unsigned char sha[32], *out;
	uint64_t size;
	size_t len;
	struct igos_idx_state st, st2, next;
	struct igos_idx_sig s;
	int r;

	/* the index */
	OK(idx(good) == 3, "a valid index of 3 entries");
	OK(idx("igos-index v1\n") == 0, "an empty index");
	OK(idx("igos-index v2\n") < 0 && has("bad magic"), "bad magic");
	OK(idx("igos-index v1\nb 1 " H "\na 1 " H "\n") < 0 && has("out of order"), "unsorted");
	OK(idx("igos-index v1\na 1 " H "\na 1 " H "\n") < 0 && has("duplicate entry 'a'"),
	   "duplicate entry");
	OK(idx("igos-index v1\nx/y 1 " H "\n") < 0, "slash in a name");
	/* which error an unparsable name line gets, exactly */
	{
		uint64_t fsz;
		unsigned char fsha[32];

		OK(igos_idx_index_find((const unsigned char *)"igos-index v1\nabc\n", 18, "abc", &fsz,
				       fsha) < 0 && strcmp(igos_errmsg(), "index is malformed") == 0,
		   "find in an index line without a space: malformed, not absent");
	}
#define IERR(text, msg) (idx(text) < 0 && strcmp(igos_errmsg(), msg) == 0)
	OK(IERR("igos-index v1\nx/y 1 " H "\n", "index line 2: bad file name") &&
	   IERR("igos-index v1\n 1 " H "\n", "index line 2: bad file name") &&
	   IERR("igos-index v1\na\nb 1 " H "\n", "index line 2: bad file name") &&
	   IERR("igos-index v1\nabc\n", "index line 2: bad file name") &&
	   IERR("igos-index v1\nabc", "index line 2: truncated line") &&
	   IERR("igos-index v1\nabc\nd 1 x\n", "index line 2: bad file name") &&
	   IERR("igos-index v1\nabc 1 x\n", "index line 2: truncated line") &&
	   IERR("igos-index v1\na~b\x7f 1 " H "\n", "index line 2: forbidden file name 'a~b\\x7f'"),
	   "a name with '/' or LF, an empty name, a line without a space: bad file name or "
	   "truncated line, exactly");

	OK(idx("igos-index v1\na..b 1 " H "\n") < 0 && has("forbidden file name 'a..b'"),
	   "dot-dot in a name");
	OK(idx("igos-index v1\n.. 1 " H "\n") < 0, "dot-dot name");
	OK(idx("igos-index v1\na 01 " H "\n") < 0 && has("bad size"), "size with a leading zero");
	OK(idx("igos-index v1\na 18446744073709551616 " H "\n") < 0 && has("out of range"),
	   "size over 2^64-1");
	OK(idx("igos-index v1\na 1 " H) < 0 && has("truncated"), "no final newline");
	OK(idx("igos-index v1\na 1 " H " \n") < 0 && has("trailing"), "trailing space");
	OK(idx("igos-index v1\na 1 " HA "A\n") < 0, "65 hex digits");
	OK(idx("igos-index v1\na 1 AAAAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n") < 0
	   && has("lowercase"), "uppercase hex");
	OK(idx("igos-index v1\na  1 " H "\n") < 0, "two spaces");
	OK(idx("igos-index v1\r\na 1 " H "\n") < 0, "CRLF");
	{
		/* long names go through the 16-byte checks: every position counts */
		char line[512], name[64];
		int bad = 0;

		for (int len = 1; len <= 40; len++) {
			for (int pos = 0; pos < len; pos++) {
				static const char evil[] = { '/', ' ', '\x7f', (char)0x80, '\t' };

				memset(name, 'a', (size_t)len);
				name[len] = '\0';
				for (size_t e = 0; e < sizeof(evil); e++) {
					name[pos] = evil[e];
					snprintf(line, sizeof(line), "igos-index v1\n%s 1 %s\n", name, H);
					if (idx(line) >= 0)
						bad++;
				}
				name[pos] = 'a';
				if (pos + 1 < len) {
					name[pos] = name[pos + 1] = '.';
					snprintf(line, sizeof(line), "igos-index v1\n%s 1 %s\n", name, H);
					if (idx(line) >= 0)
						bad++;
					name[pos] = name[pos + 1] = 'a';
				}
				if (pos > 0 && pos + 1 < len) {
					name[pos] = '.';
					snprintf(line, sizeof(line), "igos-index v1\n%s 1 %s\n", name, H);
					if (idx(line) != 1)
						bad++;
					name[pos] = 'a';
				}
			}
		}
		OK(bad == 0, "names of 1-40 bytes: a bad byte or '..' anywhere is refused, a '.' is not");
		for (int pos = 0; pos < 64; pos++) {
			char h[65];

			memcpy(h, H, 65);
			h[pos] = 'g';
			snprintf(line, sizeof(line), "igos-index v1\na 1 %s\n", h);
			if (idx(line) >= 0)
				bad++;
			h[pos] = 'F';
			snprintf(line, sizeof(line), "igos-index v1\na 1 %s\n", h);
			if (idx(line) >= 0)
				bad++;
			h[pos] = 'f';
			snprintf(line, sizeof(line), "igos-index v1\na 1 %s\n", h);
			if (idx(line) != 1)
				bad++;
		}
		OK(bad == 0, "a non-hex or uppercase digit anywhere in the hash is refused");
	}
	r = igos_idx_index_find((const unsigned char *)good, strlen(good), "b.pkg", &size, sha);
	OK(r == 1 && size == UINT64_MAX && sha[0] == 0xaa, "find the last entry");
	r = igos_idx_index_find((const unsigned char *)good, strlen(good), "a", &size, sha);
	OK(r == 1 && size == 1, "find the first entry (a prefix of the next)");
	r = igos_idx_index_find((const unsigned char *)good, strlen(good), "a-b", &size, sha);
	OK(r == 1 && size == 0, "find a middle entry");
	OK(igos_idx_index_find((const unsigned char *)good, strlen(good), "a-", &size, sha) == 0 &&
	   igos_idx_index_find((const unsigned char *)good, strlen(good), "c", &size, sha) == 0 &&
	   igos_idx_index_find((const unsigned char *)good, strlen(good), "0", &size, sha) == 0,
	   "unlisted names are not found");
	{
		/* a large index: every entry is found */
		size_t n = 5000, cap = n * 90 + 32, off = 0, bad = 0;
		char *b = malloc(cap), name[32];

		off += (size_t)sprintf(b, "igos-index v1\n");
		for (size_t i = 0; i < n; i++)
			off += (size_t)sprintf(b + off, "p%06zu %zu " H "\n", i * 2, i);
		OK(igos_idx_index_parse((unsigned char *)b, off, &len) == 0 && len == n,
		   "5000-entry index");
		for (size_t i = 0; i < 2 * n; i++) {
			sprintf(name, "p%06zu", i);
			r = igos_idx_index_find((unsigned char *)b, off, name, &size, sha);
			if (r != (i % 2 == 0) || (r == 1 && size != i / 2))
				bad++;
		}
		OK(bad == 0, "binary search finds each listed name and no other");
		free(b);
	}

	{
		/* find on its own: a buffer that was never parsed is refused, not overrun */
		static const char *const bad[] = {
			"igos-index v1\nabc",
			"igos-index v1\na 1 " H,
			"igos-index v1\na 1 gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg\n",
		};
		int nbad = 0;

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			size_t bl = strlen(bad[i]);
			unsigned char *b = malloc(bl);

			memcpy(b, bad[i], bl); /* exactly bl bytes: ASan sees an overrun */
			r = igos_idx_index_find(b, bl, "a", &size, sha);
			if (r != -1 || (i < 2 && strcmp(igos_errmsg(), "index is malformed") != 0)) {
				printf("# find in bad index %zu: %d %s\n", i, r, igos_errmsg());
				nbad++;
			}
			free(b);
		}
		OK(nbad == 0, "find in a malformed index: an error, not a result");
	}

	/* the state */
	memset(&st, 0, sizeof(st));
	strcpy(st.repo, "core");
	st.serial = 3;
	st.version = 1734;
	st.created = T("2026-06-01T12:00:00Z");
	memset(st.index_sha256, 0x11, 32);
	out = igos_idx_state_format(&st, &len);
	OK(igos_idx_state_parse(out, len, &st2) == 0 && memcmp(&st, &st2, sizeof(st)) == 0,
	   "state round trip");
	OK(igos_idx_state_parse(out, len - 1, &st2) < 0, "truncated state");
	out[len - 2] = 'X';
	OK(igos_idx_state_parse(out, len, &st2) < 0, "corrupt state");
	OK(igos_idx_state_parse((const unsigned char *)"", 0, &st2) < 0, "empty state");
	free(out);

	/* the acceptance rule */
	memset(&s, 0, sizeof(s));
	strcpy(s.repo, "core");
	strcpy(s.arch, "x86_64");
	strcpy(s.cert.scope, "core x86_64");
	s.cert.serial = 3;
	s.cert.not_before = T("2026-01-01T00:00:00Z");
	s.cert.not_after = T("2027-01-01T00:00:00Z");
	s.version = 1735;
	s.created = T("2026-06-02T12:00:00Z");
	s.expires = T("2026-06-09T12:00:00Z");
	memset(s.index_sha256, 0x22, 32);
#define ACC(now) igos_idx_accept(&s, &st, "core", "x86_64", T(now), 14 * 86400, &next)
	OK(ACC("2026-06-03T00:00:00Z") == IGOS_IDX_NEW && next.version == 1735 &&
	   next.created == s.created, "newer version accepted");
	OK(igos_idx_accept(&s, &st, "extra", "x86_64", T("2026-06-03T00:00:00Z"), 14 * 86400,
			   &next) < 0 &&
	   strcmp(igos_errmsg(), "signature is for repo 'core', not 'extra'") == 0,
	   "repo mismatch: the signature's repo is named first");
	OK(igos_idx_accept(&s, &st, "core", "aarch64", T("2026-06-03T00:00:00Z"), 14 * 86400,
			   &next) < 0 && has("for arch"), "arch mismatch");
	OK(ACC("2026-05-01T00:00:00Z") == IGOS_IDX_NEW, "created in the future is accepted");
	OK(ACC("2026-06-09T12:00:00Z") < 0 && has("expired"), "expired at expires");
	s.version = 1734;
	OK(ACC("2026-06-03T00:00:00Z") < 0 && has("equivocation"), "equivocation");
	memset(s.index_sha256, 0x11, 32);
	memset(&next, 0x5a, sizeof(next));
	OK(ACC("2026-06-03T00:00:00Z") == IGOS_IDX_NOCHANGE, "same pair and index: no change");
	OK(memcmp(&next, &st, sizeof(st)) == 0, "and the state to commit is the accepted one");
	s.version = 1733;
	OK(ACC("2026-06-03T00:00:00Z") < 0 && has("rollback"), "rollback");
	s.cert.serial = 4;
	OK(ACC("2026-06-03T00:00:00Z") == IGOS_IDX_NEW, "a higher serial may restart versions");
	s.cert.serial = 2;
	s.version = 9999;
	OK(ACC("2026-06-03T00:00:00Z") < 0 && has("retired"), "retired serial");
	s.cert.serial = 3;
	s.expires = s.created + 15 * 86400;
	OK(ACC("2026-06-03T00:00:00Z") < 0 && has("validity 15d exceeds the maximum 14d"),
	   "over-long validity");
	s.expires = s.created;
	OK(ACC("2026-06-03T00:00:00Z") < 0 && has("before it was created"), "expires = created");
	/* clock behind the stored created: the stored time is the floor */
	s.created = T("2026-05-20T00:00:00Z");
	s.expires = T("2026-05-27T00:00:00Z");
	OK(ACC("2026-05-21T00:00:00Z") < 0 && has("expired"),
	   "clock behind the last created: expired against the floor");
	s.created = T("2026-06-05T00:00:00Z");
	s.expires = T("2026-06-12T00:00:00Z");
	OK(ACC("1970-01-01T00:00:00Z") == IGOS_IDX_NEW, "clock reset to 1970: floor is used");
	s.cert.not_after = T("2026-06-01T00:00:00Z");
	OK(ACC("1970-01-01T00:00:00Z") < 0 && has("certificate expired"),
	   "cert expired against the floor");
	s.cert.not_after = T("2027-01-01T00:00:00Z");
	s.cert.not_before = T("2026-07-01T00:00:00Z");
	OK(ACC("2026-06-06T00:00:00Z") < 0 && has("not valid before"), "cert not yet valid");
	s.cert.not_before = T("2026-01-01T00:00:00Z");
	strcpy(s.cert.scope, "extra *");
	OK(ACC("2026-06-06T00:00:00Z") < 0 && has("does not cover"), "scope");
	strcpy(s.cert.scope, "core x86_64");
	/* the time floor never goes back */
	s.version = 1800;
	s.created = T("2026-05-30T00:00:00Z");
	s.expires = T("2026-06-06T00:00:00Z");
	OK(ACC("2026-06-02T00:00:00Z") == IGOS_IDX_NEW && next.created == st.created,
	   "an older created does not lower the stored floor");

	/* ECDSA ranges and key forms */
	{
		EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		enum igos_idx_alg alg;
		unsigned char pub[65], sig[64];
		size_t pl;

		OK(igos_idx_pubkey_raw(k, &alg, pub, &pl) == 0 && alg == IGOS_IDX_P256 && pl == 65 &&
		   pub[0] == 4, "P-256 raw key");
		memset(sig, 0, 64);
		sig[31] = 1;
		OK(igos_idx_verify(alg, pub, pl, sig, 64, (const unsigned char *)"m", 1) < 0 &&
		   has("out of range"), "s = 0 refused");
		memset(sig, 0xff, 64);
		OK(igos_idx_verify(alg, pub, pl, sig, 64, (const unsigned char *)"m", 1) < 0 &&
		   has("out of range"), "r, s >= n refused");
		pub[64] ^= 1;
		OK(igos_idx_pubkey(IGOS_IDX_P256, pub, 65) == NULL, "a point off the curve");
		EVP_PKEY_free(k);
	}

	/* edges found by make mutate (tests/mutate): each boundary on both sides */
	{
		static char line[600];
		char name[300];

		OK(idx("igos-index v1\na 0 " H "\n") == 1, "a last entry of size 0 (the shortest line)");
		OK(idx("igos-index v1\na 0 " H) < 0 && has("index line 2: truncated line"),
		   "the shortest line without its LF");
		memset(name, 'p', 255);
		name[255] = '\0';
		snprintf(line, sizeof(line), "igos-index v1\n%s 1 " H "\n", name);
		OK(idx(line) == 1, "a file name of 255 bytes");
		memset(name, 'p', 256);
		name[256] = '\0';
		snprintf(line, sizeof(line), "igos-index v1\n%s 1 " H "\n", name);
		OK(idx(line) < 0 && has("index line 2: forbidden file name 'ppp"), "one of 256 bytes");
		{
			static const char evil[] = ":`g/G";
			int bad = 0;

			for (int pos = 0; pos < 64; pos += 21) {
				for (size_t e = 0; e < sizeof(evil) - 1; e++) {
					char h[65];

					memcpy(h, H, 65);
					h[pos] = evil[e];
					snprintf(line, sizeof(line), "igos-index v1\na 1 %s\n", h);
					if (idx(line) >= 0 || !has("index line 2: bad SHA-256 (want 64 lowercase hex)"))
						bad++;
				}
			}
			OK(bad == 0, "the bytes next to 0-9 and a-f are not hex");
		}
		OK(idx("igos-index v1\na 12") < 0 && has("index line 2: truncated line") &&
		   idx("igos-index v1\na 1 " H "\nb 0") < 0 && has("index line 3: truncated line"),
		   "a line cut in its size is truncated");
		OK(idx("igos-index v1\na 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n")
		   == 1, "every hex digit");
		OK(idx("igos-index v1\na 99999999999999999999 " H "\n") < 0 && has("size out of range"),
		   "20 digits over 2^64-1");
		OK(idx("igos-index v1\na 100000000000000000000 " H "\n") < 0 && has("size out of range"),
		   "21 digits");
		OK(idx("igos-index v1\na 9 " H "\n") == 1 && idx("igos-index v1\na 0" H "\n") < 0,
		   "sizes: 9, and 0 must be followed by a space");
		OK(idx("igos-index v1\na 12345 " HA "\n") == 1 &&
		   idx("igos-index v1\na 12345 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n") < 0 &&
		   has("index line 2: truncated line"),
		   "a hash cut short after a long size is a truncated line");
		OK(idx("igos-index v1\na  1 " H "\n") < 0 && strcmp(igos_errmsg(), "index line 2: bad size") == 0,
		   "two spaces before the size: a bad size");
		{
			/* the index ends inside a size: what follows in memory is not read */
			static const char cut[] = "igos-index v1\na 12345678901234567890123456789012345678901234567890"
						  "123456789012345678901 " H "\n";
			size_t cl = strlen(cut) - 66;

			OK(igos_idx_index_parse((const unsigned char *)cut, cl, NULL) < 0 &&
			   strcmp(igos_errmsg(), "index line 2: bad size") == 0,
			   "an index that ends inside a size: a bad size, the bytes past its end unread");
		}
		OK(idx("igos-index v1\na 1234567890123456789012345678901234567890123456789012345678901234567890") < 0 &&
		   has("index line 2: bad size"), "a size that runs to the end of the index");
		OK(idx("igos-index v1\na 1 " H "\nab 1 " H "\nb 1 " H "\n") == 3 &&
		   idx("igos-index v1\nab 1 " H "\na 1 " H "\n") < 0 && has("index line 3: entry out of order 'a'"),
		   "a name sorts before its extensions");
	}
	{
		/* the acceptance rule at each boundary */
		memset(&st, 0, sizeof(st));
		strcpy(st.repo, "core");
		st.serial = 3;
		st.version = 10;
		st.created = T("2026-06-01T00:00:00Z");
		memset(&s, 0, sizeof(s));
		strcpy(s.repo, "core");
		strcpy(s.arch, "x86_64");
		strcpy(s.cert.scope, "core x86_64");
		s.cert.serial = 3;
		s.cert.not_before = T("2026-06-02T00:00:00Z");
		s.cert.not_after = T("2026-06-10T00:00:00Z");
		s.version = 11;
		s.created = T("2026-06-02T00:00:00Z");
		s.expires = T("2026-06-16T00:00:00Z");
		OK(ACC("2026-06-02T00:00:00Z") == IGOS_IDX_NEW,
		   "accepted at the first second of the certificate, with exactly the maximum validity");
		OK(ACC("2026-06-01T23:59:59Z") < 0 &&
		   has("subkey certificate not valid before 2026-06-02T00:00:00Z"), "one second before it");
		OK(ACC("2026-06-09T23:59:59Z") == IGOS_IDX_NEW, "the last second of the certificate");
		OK(ACC("2026-06-10T00:00:00Z") < 0 &&
		   has("subkey certificate expired at 2026-06-10T00:00:00Z"), "its not-after is excluded");
		s.expires++;
		OK(ACC("2026-06-02T00:00:00Z") < 0 &&
		   has("signature validity 1209601s exceeds the maximum 14d"), "one second too long");
		s.expires = T("2026-06-09T00:00:00Z");
		st.created = T("2026-06-03T00:00:00Z");
		OK(ACC("2026-06-02T00:00:00Z") == IGOS_IDX_NEW && next.created == st.created &&
		   next.serial == 3 && next.version == 11, "a clock behind the floor: the floor is kept");
		s.cert.serial = 4;
		s.version = 1;
		OK(ACC("2026-06-04T00:00:00Z") == IGOS_IDX_NEW && next.serial == 4 && next.version == 1,
		   "a new serial starts over");
		s.cert.serial = 2;
		OK(ACC("2026-06-04T00:00:00Z") < 0 && has("subkey serial 2 is retired (serial 3 accepted)"),
		   "a lower serial is retired");
		s.cert.serial = 3;
		s.version = 9;
		OK(ACC("2026-06-04T00:00:00Z") < 0 &&
		   has("version 9 is older than the accepted version 10: rollback"), "an older version");
		OK(igos_idx_accept(&s, &st, "core", "x86_64", T("2026-06-04T00:00:00Z"), 14 * 86400,
				   NULL) < 0, "refused without a next state too");
		s.version = 12;
		OK(igos_idx_accept(&s, &st, "core", "x86_64", T("2026-06-04T00:00:00Z"), 14 * 86400,
				   NULL) == IGOS_IDX_NEW, "accepted without a next state");
		strcpy(st.repo, "extra");
		OK(ACC("2026-06-04T00:00:00Z") < 0 && has("state is for repo 'extra', not 'core'"),
		   "the state of another repo");
	}
	{
		/* ECDSA r and s: in range is 1..n-1 */
		static const unsigned char n[32] = {
			0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
			0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
		};
		EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		EVP_PKEY *k384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
		enum igos_idx_alg alg;
		unsigned char pub[65], sig[64], id[8];
		size_t pl;

		igos_idx_pubkey_raw(k, &alg, pub, &pl);
		memcpy(sig, n, 32);
		memset(sig + 32, 0, 32);
		sig[63] = 1;
		OK(igos_idx_verify(alg, pub, pl, sig, 64, (const unsigned char *)"m", 1) < 0 &&
		   has("ECDSA r or s out of range"), "r = n refused as out of range");
		memcpy(sig + 32, n, 32);
		memset(sig, 0, 32);
		sig[31] = 1;
		OK(igos_idx_verify(alg, pub, pl, sig, 64, (const unsigned char *)"m", 1) < 0 &&
		   has("ECDSA r or s out of range"), "s = n refused as out of range");
		memcpy(sig, n, 32);
		sig[31]--;
		memcpy(sig + 32, n, 32);
		sig[63]--;
		OK(igos_idx_verify(alg, pub, pl, sig, 64, (const unsigned char *)"m", 1) < 0 &&
		   strcmp(igos_errmsg(), "bad signature") == 0, "r = s = n - 1: in range, a bad signature");
		OK(igos_idx_verify(alg, pub, pl, sig, 63, (const unsigned char *)"m", 1) < 0 &&
		   has("signature is 63 bytes, not 64"), "a signature of 63 bytes");
		{
			/* a real signature whose r or s is short or has its top bit set: the DER
			 * INTEGERs are built right (many signatures: every shape comes up) */
			int bad = 0;

			for (int i = 0; i < 64; i++) {
				unsigned char msg[8] = { 'm', (unsigned char)i }, der[80], *dp = der;
				size_t dl = sizeof(der);
				EVP_MD_CTX *c = EVP_MD_CTX_new();
				ECDSA_SIG *es;
				const BIGNUM *r, *sv;

				EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, k);
				EVP_DigestSign(c, der, &dl, msg, sizeof(msg));
				EVP_MD_CTX_free(c);
				es = d2i_ECDSA_SIG(NULL, (const unsigned char **)&dp, (long)dl);
				ECDSA_SIG_get0(es, &r, &sv);
				BN_bn2binpad(r, sig, 32);
				BN_bn2binpad(sv, sig + 32, 32);
				ECDSA_SIG_free(es);
				if (igos_idx_verify(alg, pub, pl, sig, 64, msg, sizeof(msg)) != 0)
					bad++;
				msg[7] = 1;
				if (igos_idx_verify(alg, pub, pl, sig, 64, msg, sizeof(msg)) == 0)
					bad++;
			}
			OK(bad == 0, "64 P-256 signatures verify, and not over another message");
		}
		OK(igos_idx_pubkey_raw(k384, &alg, pub, &pl) < 0 &&
		   strcmp(igos_errmsg(), "the EC key is not on P-256") == 0, "a P-384 subkey");
		OK(igos_idx_pubkey_raw(rsa, &alg, pub, &pl) < 0 &&
		   strcmp(igos_errmsg(), "the key is neither ECDSA P-256 nor Ed25519") == 0, "an RSA subkey");
		OK(igos_idx_pubkey_raw(ed, &alg, pub, &pl) == 0 && alg == IGOS_IDX_ED25519 && pl == 32,
		   "an Ed25519 subkey");
		OK(igos_idx_master_id(k, id) < 0 && has("the master key must be Ed25519"),
		   "a P-256 master key");
		OK(igos_idx_pubkey(IGOS_IDX_ED25519, pub, 31) == NULL &&
		   igos_idx_pubkey(IGOS_IDX_ED25519, pub, 65) == NULL, "Ed25519 keys are 32 bytes");
		igos_idx_pubkey_raw(k, &alg, pub, &pl);
		OK(igos_idx_pubkey(IGOS_IDX_P256, pub, 64) == NULL && has("invalid public key") &&
		   igos_idx_pubkey(IGOS_IDX_ED25519, pub, 65) == NULL, "P-256 keys are 65 bytes");
		pub[0] = 2;
		OK(igos_idx_pubkey(IGOS_IDX_P256, pub, 65) == NULL && has("invalid public key"),
		   "only the uncompressed form");
		pub[0] = 4;
		pub[64] ^= 1;
		OK(igos_idx_pubkey(IGOS_IDX_P256, pub, 65) == NULL && has("invalid P-256 public key"),
		   "a point off the curve, with its message");
		/* a subkey off the curve is refused when a signature is checked with it */
		memcpy(sig, n, 32);
		sig[31]--;
		memcpy(sig + 32, n, 32);
		sig[63]--;
		OK(igos_idx_verify(IGOS_IDX_P256, pub, 65, sig, 64, (const unsigned char *)"m", 1) < 0 &&
		   strncmp(igos_errmsg(), "invalid P-256 public key", 24) == 0,
		   "a signature over a key off the curve: the key is refused, by name");
		OK(igos_idx_verify(IGOS_IDX_ED25519, pub, 31, sig, 64, (const unsigned char *)"m", 1) < 0 &&
		   strncmp(igos_errmsg(), "invalid Ed25519 public key", 26) == 0,
		   "a signature over an Ed25519 key of 31 bytes: the key is refused, by name");
		pub[64] ^= 1;
		{
			EVP_PKEY *back = igos_idx_pubkey(IGOS_IDX_P256, pub, 65);

			OK(back != NULL && EVP_PKEY_eq(back, k) == 1, "a P-256 key read back");
			EVP_PKEY_free(back);
		}
		EVP_PKEY_free(k);
		EVP_PKEY_free(k384);
		EVP_PKEY_free(ed);
		EVP_PKEY_free(rsa);
	}
	return DONE();
}
