/* lib/indexsig.c out of memory: every allocation of the igos code (malloc,
 * realloc and calloc of libigos, wrapped at link time: mk/index.mk) fails in
 * turn while a .sig is built and checked (not parsed: see parse_sig). Each call either gives the
 * result it gives with memory to spare, byte for byte, or fails with "out of
 * memory": never a crash, a truncated serialization or a signature called bad
 * because a buffer could not be had. OpenSSL's own allocations are left alone
 * (its failures have messages of their own). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "igos.h"
#include "indexsig.h"
#include "unit.h"

static long fail_at, calls;

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t n, size_t m);

static int
fail(void)
{
	return fail_at != 0 && ++calls == fail_at;
}

void *
__wrap_malloc(size_t n)
{
	return fail() ? NULL : __real_malloc(n);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return fail() ? NULL : __real_realloc(p, n);
}

void *
__wrap_calloc(size_t n, size_t m)
{
	return fail() ? NULL : __real_calloc(n, m);
}

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

/* The steps of a .sig, from the certificate to the checks; -1 when a step
 * failed, with its message. */
struct run {
	unsigned char *tbs, *msg, *block, *hdr, *out, *state;
	size_t tl, ml, bl, hl, ol, sl;
	int parsed, sigok, certok, stateok;
};

static EVP_PKEY *master, *sub;

/* The parsers run with memory to spare: a failing allocation in the base64
 * decoder reads as "invalid base64" (igos_base64_decode returns NULL for both),
 * which this test does not judge. */
static int
parse_sig(const unsigned char *b, size_t len, struct igos_idx_sig *p)
{
	long keep = fail_at;
	int rc;

	fail_at = 0;
	rc = igos_idx_sig_parse(b, len, p);
	fail_at = keep;
	return rc;
}

static void
run_free(struct run *r)
{
	free(r->tbs); free(r->msg); free(r->block); free(r->hdr); free(r->out); free(r->state);
	memset(r, 0, sizeof(*r));
}

/* 0: every step done; -1: a step failed (r holds what was done). */
static int
run(struct run *r)
{
	struct igos_idx_cert c = { 0 };
	struct igos_idx_sig s = { 0 }, p;
	struct igos_idx_state st = { 0 }, st2;
	unsigned char sig[64];
	int rc;

	memset(r, 0, sizeof(*r));
	igos_idx_master_id(master, c.master);
	c.serial = 3;
	igos_idx_pubkey_raw(sub, &c.alg, c.pub, &c.publen);
	strcpy(c.scope, "core x86_64");
	c.not_before = 1767225600;
	c.not_after = 1775001600;
	if ((r->tbs = igos_idx_cert_tbs(&c, &r->tl)) == NULL ||
	    (r->msg = igos_idx_cert_message(r->tbs, r->tl, &r->ml)) == NULL)
		return -1;
	sign_ed(master, r->msg, r->ml, c.sig);
	if ((r->block = igos_idx_cert_block(r->tbs, r->tl, c.sig, &r->bl)) == NULL)
		return -1;
	strcpy(s.repo, "core");
	strcpy(s.arch, "x86_64");
	s.version = 12;
	s.created = 1772366400;
	s.expires = s.created + 7 * 86400;
	s.index_size = 4096;
	memset(s.index_sha256, 0xab, 32);
	if ((r->hdr = igos_idx_sig_header(r->block, r->bl, &s, &r->hl)) == NULL)
		return -1;
	sign_ed(sub, r->hdr, r->hl, sig);
	if ((r->out = igos_idx_sig_finish(r->hdr, r->hl, sig, 64, &r->ol)) == NULL)
		return -1;
	if (parse_sig(r->out, r->ol, &p) < 0)
		return -1;
	r->parsed = 1;
	if (igos_idx_cert_verify(&p.cert, master) < 0)
		return -1;
	r->certok = 1;
	if (igos_idx_sig_verify(&p) < 0)
		return -1;
	r->sigok = 1;
	strcpy(st.repo, "core");
	st.serial = 3;
	st.version = 12;
	if ((r->state = igos_idx_state_format(&st, &r->sl)) == NULL)
		return -1;
	{
		long keep = fail_at;

		fail_at = 0;
		rc = igos_idx_state_parse(r->state, r->sl, &st2);
		fail_at = keep;
		if (rc < 0)
			return -1;
	}
	r->stateok = 1;
	return 0;
}

static int
same(const unsigned char *a, size_t al, const unsigned char *b, size_t bl)
{
	return a == NULL || (al == bl && memcmp(a, b, al) == 0);
}

int
main(void)
{
	struct run ref, r;
	long n, bad = 0, failed = 0;

	master = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	sub = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	OK(run(&ref) == 0 && ref.stateok, "with memory to spare, every step works");
	calls = 0;
	fail_at = 0;
	/* count the allocations of one whole run: fail_at never matches */
	fail_at = -1;
	run(&r);
	n = calls;
	run_free(&r);
	OK(n > 5, "a run makes %ld allocations", n);
	for (long k = 1; k <= n; k++) {
		int rc;

		igos_seterr("none");
		calls = 0;
		fail_at = k;
		rc = run(&r);
		fail_at = 0;
		if (rc == 0) {
			bad++;
			printf("# allocation %ld failed and no step noticed\n", k);
		} else if (strstr(igos_errmsg(), "out of memory") == NULL) {
			bad++;
			printf("# allocation %ld: '%s'\n", k, igos_errmsg());
		} else {
			failed++;
		}
		if (!same(r.tbs, r.tl, ref.tbs, ref.tl) || !same(r.msg, r.ml, ref.msg, ref.ml) ||
		    !same(r.block, r.bl, ref.block, ref.bl) || !same(r.hdr, r.hl, ref.hdr, ref.hl) ||
		    !same(r.out, r.ol, ref.out, ref.ol)) {
			bad++;
			printf("# allocation %ld: a step gave other bytes\n", k);
		}
		run_free(&r);
	}
	OK(bad == 0 && failed == n,
	   "each of the %ld allocations failing: the step fails with \"out of memory\", "
	   "what came before is intact", n);
	run_free(&ref);
	EVP_PKEY_free(master);
	EVP_PKEY_free(sub);
	return DONE();
}
