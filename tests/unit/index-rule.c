/* Unit tests of lib/indexsig.c: the index parser and lookup, the state file,
 * the acceptance rule and ECDSA signature ranges. */
#include <stdlib.h>
#include <string.h>

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
			   &next) < 0 && has("for repo 'core', not 'extra'"), "repo mismatch");
	OK(igos_idx_accept(&s, &st, "core", "aarch64", T("2026-06-03T00:00:00Z"), 14 * 86400,
			   &next) < 0 && has("for arch"), "arch mismatch");
	OK(ACC("2026-05-01T00:00:00Z") == IGOS_IDX_NEW, "created in the future is accepted");
	OK(ACC("2026-06-09T12:00:00Z") < 0 && has("expired"), "expired at expires");
	s.version = 1734;
	OK(ACC("2026-06-03T00:00:00Z") < 0 && has("equivocation"), "equivocation");
	memset(s.index_sha256, 0x11, 32);
	OK(ACC("2026-06-03T00:00:00Z") == IGOS_IDX_NOCHANGE, "same pair and index: no change");
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
	return DONE();
}
