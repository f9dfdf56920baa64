/* lib/verity.c out of resources: every allocation the tree code asks for
 * (libigos's malloc and calloc, a digest context, the digest itself) and
 * every thread it starts fails in turn, wrapped at link time (mk/verity.mk),
 * while a tree is built and verified with one thread and with a pool, over
 * SHA-256 (two blocks at a time) and SHA-1 (EVP), and while one block is
 * checked against the tree. Each run either gives the known root and the
 * same tree byte for byte, or fails with its one line: never a crash, a wrong
 * root, a mismatch reported, or memory, a context or a thread left behind. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "igos.h"
#include "unit.h"
#include "verity.h"

/* ---- the wraps: count what is live, fail call number fail_at ------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long calls, fail_at;
static void *live[4096];
static int nlive, ctxs, overflow;

static int
failing(void)
{
	int f;

	pthread_mutex_lock(&mu);
	f = ++calls == fail_at;
	pthread_mutex_unlock(&mu);
	return f;
}

static void
track(void *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&mu);
	if (nlive < (int)(sizeof(live) / sizeof(live[0])))
		live[nlive++] = p;
	else
		overflow = 1;
	pthread_mutex_unlock(&mu);
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void __real_free(void *p);
EVP_MD_CTX *__real_EVP_MD_CTX_new(void);
void __real_EVP_MD_CTX_free(EVP_MD_CTX *c);
EVP_MD *__real_EVP_MD_fetch(OSSL_LIB_CTX *l, const char *alg, const char *props);
int __real_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*f)(void *), void *arg);

void *
__wrap_malloc(size_t n)
{
	void *p;

	if (failing()) {
		errno = ENOMEM;
		return NULL;
	}
	track(p = __real_malloc(n));
	return p;
}

void *
__wrap_calloc(size_t n, size_t m)
{
	void *p;

	if (failing()) {
		errno = ENOMEM;
		return NULL;
	}
	track(p = __real_calloc(n, m));
	return p;
}

/* libigos frees memory of its own and of libc's (asprintf): only its own
 * allocations are counted */
void
__wrap_free(void *p)
{
	pthread_mutex_lock(&mu);
	for (int i = 0; p != NULL && i < nlive; i++)
		if (live[i] == p) {
			live[i] = live[--nlive];
			break;
		}
	pthread_mutex_unlock(&mu);
	__real_free(p);
}

EVP_MD_CTX *
__wrap_EVP_MD_CTX_new(void)
{
	EVP_MD_CTX *c;

	if (failing())
		return NULL;
	if ((c = __real_EVP_MD_CTX_new()) != NULL) {
		pthread_mutex_lock(&mu);
		ctxs++;
		pthread_mutex_unlock(&mu);
	}
	return c;
}

void
__wrap_EVP_MD_CTX_free(EVP_MD_CTX *c)
{
	if (c != NULL) {
		pthread_mutex_lock(&mu);
		ctxs--;
		pthread_mutex_unlock(&mu);
	}
	__real_EVP_MD_CTX_free(c);
}

EVP_MD *
__wrap_EVP_MD_fetch(OSSL_LIB_CTX *l, const char *alg, const char *props)
{
	return failing() ? NULL : __real_EVP_MD_fetch(l, alg, props);
}

int
__wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*f)(void *), void *arg)
{
	return failing() ? EAGAIN : __real_pthread_create(t, a, f, arg);
}

/* ---- the runs -------------------------------------------------------------- */

static int
zeros(size_t len)
{
	int fd = memfd_create("data", 0);

	if (fd >= 0 && ftruncate(fd, (off_t)len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
params(struct igos_verity *v, const char *alg, uint64_t blocks, unsigned bs)
{
	memset(v, 0, sizeof(*v));
	v->hash_type = 1;
	strcpy(v->alg, alg);
	v->data_block_size = v->hash_block_size = bs;
	v->data_blocks = blocks;
	v->salt_size = 32;
	memset(v->salt, 0x5a, 32);
}

/* the whole hash device's bytes */
static unsigned char *
slurp(int fd, size_t len)
{
	unsigned char *b = __real_malloc(len ? len : 1);

	if (b != NULL && len > 0 && pread(fd, b, len, 0) != (ssize_t)len) {
		__real_free(b);
		return NULL;
	}
	return b;
}

/* one message a failure may give, by what failed */
static int
allowed(const char *alg)
{
	char use[64];
	const char *m = igos_errmsg();

	snprintf(use, sizeof(use), "cannot use hash algorithm '%s'", alg);
	return strcmp(m, "out of memory") == 0 || strcmp(m, "cannot start a thread") == 0 ||
	       strncmp(m, use, strlen(use)) == 0;
}

/*
 * Build (or verify) once with nothing failing, counting the calls; then once
 * with each call failing in turn. verify: against the tree just built.
 */
static int
each_failing(const char *alg, uint64_t blocks, unsigned bs, int threads, int verify, int *runs)
{
	struct igos_verity v;
	struct igos_verity_tree t;
	unsigned char root[64], got[64], *tree = NULL, *now;
	int dfd, hfd, mm, ok = 1;
	long total;

	*runs = 0;
	params(&v, alg, blocks, bs);
	dfd = zeros((size_t)blocks * bs);
	hfd = memfd_create("hash", 0);
	if (dfd < 0 || hfd < 0 || igos_verity_tree_init(&t, &v, 0, 1) < 0 ||
	    ftruncate(hfd, (off_t)t.hash_end) < 0 ||
	    igos_verity_build(&t, dfd, "data", hfd, "hash", threads, root) < 0 ||
	    (tree = slurp(hfd, t.hash_end)) == NULL)
		return 0;
	fail_at = 0;
	calls = 0;
	if (verify)
		ok = igos_verity_verify(&t, dfd, "data", hfd, "hash", threads, root, &mm) == 0;
	else
		ok = igos_verity_build(&t, dfd, "data", hfd, "hash", threads, got) == 0 &&
		     memcmp(got, root, t.ds) == 0;
	total = calls;
	for (long k = 1; ok && k <= total; k++) {
		int r;

		/* a build writes the tree anew on zeros */
		if (!verify && (ftruncate(hfd, 0) < 0 || ftruncate(hfd, (off_t)t.hash_end) < 0))
			return 0;
		calls = 0;
		fail_at = k;
		memset(got, 0, sizeof(got));
		mm = -1;
		r = verify ? igos_verity_verify(&t, dfd, "data", hfd, "hash", threads, root, &mm)
			   : igos_verity_build(&t, dfd, "data", hfd, "hash", threads, got);
		fail_at = 0;
		if (r == 0) {
			/* the failed call had a way round it: the same answer */
			now = verify ? NULL : slurp(hfd, t.hash_end);
			ok = verify ? mm == 0
				    : now != NULL && memcmp(got, root, t.ds) == 0 &&
				      memcmp(now, tree, t.hash_end) == 0;
			__real_free(now);
		} else {
			ok = allowed(alg) && (!verify || mm == 0);
		}
		if (nlive != 0 || ctxs != 0 || overflow)
			ok = 0;
		if (!ok)
			printf("# call %ld of %ld failing: %d '%s', %d allocations and %d contexts left\n",
			       k, total, r, r ? igos_errmsg() : "", nlive, ctxs);
		(*runs)++;
	}
	__real_free(tree);
	close(dfd);
	close(hfd);
	return ok && total > 0;
}

/* verify a tree whose data block 700 was changed, each call failing in
 * turn: never accepted; the block named, or one line and no mismatch */
static int
corrupt_each_failing(int threads, int *runs)
{
	struct igos_verity v;
	struct igos_verity_tree t;
	unsigned char root[64];
	int dfd, hfd, mm, ok;
	long total;
	const char *named = "data block 700 (offset 2867200) does not match hash block 7";

	*runs = 0;
	params(&v, "sha256", 2048, 4096);
	dfd = zeros((size_t)2048 * 4096);
	hfd = memfd_create("hash", 0);
	if (dfd < 0 || hfd < 0 || igos_verity_tree_init(&t, &v, 0, 1) < 0 ||
	    ftruncate(hfd, (off_t)t.hash_end) < 0 ||
	    igos_verity_build(&t, dfd, "data", hfd, "hash", threads, root) < 0 ||
	    pwrite(dfd, "x", 1, 700 * 4096 + 5) != 1)
		return 0;
	calls = 0;
	ok = igos_verity_verify(&t, dfd, "data", hfd, "hash", threads, root, &mm) < 0 && mm == 1 &&
	     strcmp(igos_errmsg(), named) == 0;
	total = calls;
	for (long k = 1; ok && k <= total; k++) {
		int r;

		calls = 0;
		fail_at = k;
		mm = -1;
		r = igos_verity_verify(&t, dfd, "data", hfd, "hash", threads, root, &mm);
		fail_at = 0;
		ok = r < 0 && ((mm == 1 && strcmp(igos_errmsg(), named) == 0) ||
			       (mm == 0 && allowed("sha256"))) && nlive == 0 && ctxs == 0;
		if (!ok)
			printf("# call %ld of %ld failing: %d, mismatch %d, '%s'\n", k, total, r, mm,
			       igos_errmsg());
		(*runs)++;
	}
	close(dfd);
	close(hfd);
	return ok && total > 0;
}

static int
block_each_failing(int is_hash, uint64_t idx)
{
	struct igos_verity v;
	struct igos_verity_tree t;
	unsigned char root[64], blk[4096] = { 0 };
	int dfd, hfd, ok;
	long total;

	params(&v, "sha256", 2048, 4096);
	dfd = zeros((size_t)2048 * 4096);
	hfd = memfd_create("hash", 0);
	if (dfd < 0 || hfd < 0 || igos_verity_tree_init(&t, &v, 0, 1) < 0 ||
	    igos_verity_build(&t, dfd, "data", hfd, "hash", 1, root) < 0)
		return 0;
	if (is_hash && pread(hfd, blk, sizeof(blk), (off_t)(idx * 4096)) != (ssize_t)sizeof(blk))
		return 0;
	calls = 0;
	ok = igos_verity_block_ok(&t, hfd, root, is_hash, idx, blk) == 1;
	total = calls;
	for (long k = 1; ok && k <= total; k++) {
		int r;

		calls = 0;
		fail_at = k;
		r = igos_verity_block_ok(&t, hfd, root, is_hash, idx, blk);
		fail_at = 0;
		ok = (r == 1 || (r < 0 && allowed("sha256"))) && nlive == 0 && ctxs == 0;
		if (!ok)
			printf("# call %ld of %ld failing: %d '%s'\n", k, total, r, igos_errmsg());
	}
	close(dfd);
	close(hfd);
	return ok && total > 0;
}

int
main(void)
{
	static const struct {
		const char *alg;
		uint64_t blocks;
		unsigned bs;
	} shapes[] = {
		{ "sha256", 2048, 4096 },  /* 8 MiB: two levels, the leaves two blocks at a time */
		{ "sha1", 2048, 4096 },    /* the leaves through EVP in the threads */
		{ "sha256", 10000, 512 },  /* 5 MB in 512-byte blocks: four levels, the leaf
					      level written in two batches */
		{ "sha256", 1, 4096 },     /* one block: the root is its digest, no tree */
	};
	int runs;

	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		for (int threads = 1; threads <= 3; threads += 2)
			for (int verify = 0; verify <= 1; verify++)
				OK(each_failing(shapes[i].alg, shapes[i].blocks, shapes[i].bs, threads,
						verify, &runs),
				   "%s of %llu %u-byte blocks, %s, %d thread(s): each of %d calls failing "
				   "in turn gives the tree or one line, nothing left behind",
				   verify ? "verify" : "build", (unsigned long long)shapes[i].blocks,
				   shapes[i].bs, shapes[i].alg, threads, runs);
	for (int threads = 1; threads <= 3; threads += 2)
		OK(corrupt_each_failing(threads, &runs),
		   "verify of a changed 8 MiB image, %d thread(s): each of %d calls failing in turn "
		   "never accepts it", threads, runs);
	OK(block_each_failing(0, 7), "one data block against the tree: each call failing in turn");
	OK(block_each_failing(1, 3), "one hash block against the tree: each call failing in turn");
	return DONE();
}
