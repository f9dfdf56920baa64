/* Robustness of the lib/indexsig.c parsers: many mutated .sig, state and
 * index inputs (byte flips, insertions, deletions, truncations) never crash
 * (run it under SANITIZE=1), and whatever parses re-serializes to the same
 * bytes, so there is one accepted form of each value. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "igos.h"
#include "indexsig.h"
#include "unit.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char alphabet[] = "0123456789abcdefABCDEF:- \n\r\t=+/.Z_*,T\0\x80\xff";

/* A mutation of in[0..len) into a fresh heap buffer of exactly *outlen bytes. */
static unsigned char *
mutate(const unsigned char *in, size_t len, size_t *outlen)
{
	unsigned char *o = malloc(len + 8);
	size_t n = len, pos = len ? rnd() % len : 0;

	memcpy(o, in, len);
	switch (rnd() % 5) {
	case 0: /* flip a byte to a likely-meaningful one */
		if (n)
			o[pos] = (unsigned char)alphabet[rnd() % (sizeof(alphabet) - 1)];
		break;
	case 1: /* insert one */
		memmove(o + pos + 1, o + pos, n - pos);
		o[pos] = (unsigned char)alphabet[rnd() % (sizeof(alphabet) - 1)];
		n++;
		break;
	case 2: /* delete one */
		if (n) {
			memmove(o + pos, o + pos + 1, n - pos - 1);
			n--;
		}
		break;
	case 3: /* truncate */
		n = pos;
		break;
	default: /* flip a bit */
		if (n)
			o[pos] ^= (unsigned char)(1u << (rnd() % 8));
		break;
	}
	/* exactly n bytes: a parser reading past them trips ASan */
	{
		unsigned char *e = malloc(n ? n : 1);

		memcpy(e, o, n);
		free(o);
		o = e;
	}
	*outlen = n;
	return o;
}

int
main(void)
{
	EVP_PKEY *master = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *sub = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	struct igos_idx_cert c = { 0 };
	struct igos_idx_sig s = { 0 }, s2;
	struct igos_idx_state st = { 0 }, st2;
	unsigned char *tbs, *msg, *block, *hdr, *sig, *state;
	size_t tl, ml, bl, hl, sl, stl;
	const char *index = "igos-index v1\n"
		"a-1.0.pkg.tar.zst 1 0000000000000000000000000000000000000000000000000000000000000000\n"
		"bash-5.2.15-1-x86_64.pkg.tar.zst 1234567 "
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n"
		"zlib-1.3-1-x86_64.pkg.tar.zst 99 "
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
	int bad_sig = 0, bad_state = 0, bad_index = 0, parsed = 0;

	igos_idx_master_id(master, c.master);
	c.serial = 7;
	igos_idx_pubkey_raw(sub, &c.alg, c.pub, &c.publen);
	strcpy(c.scope, "core,extra x86_64,aarch64");
	c.not_before = 1767225600;
	c.not_after = 1775001600;
	memset(c.sig, 0x5a, 64);
	tbs = igos_idx_cert_tbs(&c, &tl);
	msg = igos_idx_cert_message(tbs, tl, &ml);
	block = igos_idx_cert_block(tbs, tl, c.sig, &bl);
	strcpy(s.repo, "core");
	strcpy(s.arch, "x86_64");
	s.version = 1734;
	s.created = 1780315200;
	s.expires = s.created + 604800;
	s.index_size = strlen(index);
	memset(s.index_sha256, 0x42, 32);
	hdr = igos_idx_sig_header(block, bl, &s, &hl);
	{
		unsigned char raw[64];

		memset(raw, 0x11, 64); /* in range for P-256 */
		sig = igos_idx_sig_finish(hdr, hl, raw, 64, &sl);
	}
	OK(igos_idx_sig_parse(sig, sl, &s2) == 0, "the base .sig parses");
	strcpy(st.repo, "core");
	st.serial = 7;
	st.version = 1734;
	st.created = s.created;
	memset(st.index_sha256, 0x42, 32);
	state = igos_idx_state_format(&st, &stl);
	OK(igos_idx_state_parse(state, stl, &st2) == 0, "the base state parses");
	OK(igos_idx_index_parse((const unsigned char *)index, strlen(index), NULL) == 0,
	   "the base index parses");

	for (int i = 0; i < 20000; i++) {
		size_t n, n2;
		unsigned char *m = mutate(sig, sl, &n);

		/* a second mutation now and then */
		if (rnd() % 3 == 0) {
			unsigned char *m2 = mutate(m, n, &n2);

			free(m);
			m = m2;
			n = n2;
		}
		if (igos_idx_sig_parse(m, n, &s2) == 0) {
			unsigned char *h2 = igos_idx_sig_header(s2.cert.block, s2.cert.blocklen, &s2,
								&hl);
			unsigned char *f2 = igos_idx_sig_finish(h2, hl, s2.sig, s2.siglen, &n2);
			unsigned char *t2 = igos_idx_cert_tbs(&s2.cert, &tl);

			parsed++;
			if (n2 != n || memcmp(f2, m, n) != 0 || tl != s2.cert.tbslen ||
			    memcmp(t2, s2.cert.tbs, tl) != 0)
				bad_sig++;
			free(h2);
			free(f2);
			free(t2);
		}
		free(m);

		m = mutate(state, stl, &n);
		if (igos_idx_state_parse(m, n, &st2) == 0) {
			unsigned char *f2 = igos_idx_state_format(&st2, &n2);

			if (n2 != n || memcmp(f2, m, n) != 0)
				bad_state++;
			free(f2);
		}
		free(m);

		m = mutate((const unsigned char *)index, strlen(index), &n);
		if (igos_idx_index_parse(m, n, NULL) == 0) {
			uint64_t size;
			unsigned char h[32];

			/* every listed name is found by the lookup */
			for (size_t off = 14; off < n;) {
				const unsigned char *sp = memchr(m + off, ' ', n - off);
				const unsigned char *nl = memchr(m + off, '\n', n - off);
				char name[300];

				memcpy(name, m + off, (size_t)(sp - (m + off)));
				name[sp - (m + off)] = '\0';
				if (igos_idx_index_find(m, n, name, &size, h) != 1)
					bad_index++;
				off = (size_t)(nl - m) + 1;
			}
		}
		free(m);
	}
	OK(parsed > 0, "some mutated .sig files still parse (%d)", parsed);
	OK(bad_sig == 0, "every mutated .sig that parses re-serializes to its own bytes");
	OK(bad_state == 0, "every mutated state that parses re-serializes to its own bytes");
	OK(bad_index == 0, "every name of a mutated index that parses is found");
	free(tbs); free(msg); free(block); free(hdr); free(sig); free(state);
	EVP_PKEY_free(master);
	EVP_PKEY_free(sub);
	return DONE();
}
