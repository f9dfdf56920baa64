/*
 * dm-verity hash trees, laid out byte for byte as veritysetup does: the
 * superblock, the geometry, and a tree built or checked in one streaming pass
 * (the leaf level, ~99% of the work, hashed by a pool of threads).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "igos.h"
#include "sha256x2.h"
#include "verity.h"

static const unsigned char magic[8] = { 'v', 'e', 'r', 'i', 't', 'y', 0, 0 };

static const char *const algs[] = { "sha1", "sha224", "sha256", "sha384", "sha512" };

const EVP_MD *
igos_verity_md(const char *alg)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(alg, algs[i]) == 0)
			return EVP_get_digestbyname(alg);
	return igos_seterr("unknown hash algorithm '%s'", alg), NULL;
}

static int
pow2(uint32_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

int
igos_verity_check(const struct igos_verity *v)
{
	if (v->hash_type > 1)
		return igos_seterr("unsupported hash type %u", v->hash_type);
	if (memchr(v->alg, '\0', sizeof(v->alg)) == NULL)
		return igos_seterr("unknown hash algorithm (name not terminated)");
	if (igos_verity_md(v->alg) == NULL)
		return -1;
	if (!pow2(v->data_block_size) || v->data_block_size < IGOS_VERITY_BLOCK_MIN ||
	    v->data_block_size > IGOS_VERITY_BLOCK_MAX)
		return igos_seterr("invalid data block size %u", v->data_block_size);
	if (!pow2(v->hash_block_size) || v->hash_block_size < IGOS_VERITY_BLOCK_MIN ||
	    v->hash_block_size > IGOS_VERITY_BLOCK_MAX)
		return igos_seterr("invalid hash block size %u", v->hash_block_size);
	if (v->salt_size > IGOS_VERITY_SALT_MAX)
		return igos_seterr("salt size %u exceeds %d", v->salt_size, IGOS_VERITY_SALT_MAX);
	return 0;
}

int
igos_verity_sb_parse(struct igos_verity *v, const unsigned char *p, size_t len)
{
	uint32_t version;

	memset(v, 0, sizeof(*v));
	if (len < IGOS_VERITY_SB_SIZE)
		return igos_seterr("truncated (%zu bytes)", len);
	if (memcmp(p, magic, sizeof(magic)) != 0)
		return igos_seterr("bad magic");
	if ((version = igos_le32(p + 8)) != 1)
		return igos_seterr("unsupported version %u", version);
	v->hash_type = igos_le32(p + 12);
	memcpy(v->uuid, p + 16, 16);
	if (memchr(p + 32, '\0', 32) == NULL)
		return igos_seterr("algorithm name not terminated");
	memcpy(v->alg, p + 32, 32);
	v->data_block_size = igos_le32(p + 64);
	v->hash_block_size = igos_le32(p + 68);
	v->data_blocks = igos_le64(p + 72);
	v->salt_size = (uint16_t)(p[80] | p[81] << 8);
	if (v->salt_size > IGOS_VERITY_SALT_MAX)
		return igos_seterr("salt size %u exceeds %d", v->salt_size, IGOS_VERITY_SALT_MAX);
	memcpy(v->salt, p + 88, v->salt_size);
	if (igos_verity_check(v) < 0)
		return -1;
	if (v->data_blocks == 0)
		return igos_seterr("no data blocks");
	return 0;
}

void
igos_verity_sb_build(const struct igos_verity *v, unsigned char out[IGOS_VERITY_SB_SIZE])
{
	memset(out, 0, IGOS_VERITY_SB_SIZE);
	memcpy(out, magic, sizeof(magic));
	igos_put_le32(out + 8, 1);
	igos_put_le32(out + 12, (uint32_t)v->hash_type);
	memcpy(out + 16, v->uuid, 16);
	memcpy(out + 32, v->alg, strnlen(v->alg, 31));
	igos_put_le32(out + 64, (uint32_t)v->data_block_size);
	igos_put_le32(out + 68, (uint32_t)v->hash_block_size);
	igos_put_le64(out + 72, v->data_blocks);
	igos_put_le16(out + 80, (uint16_t)v->salt_size);
	memcpy(out + 88, v->salt, v->salt_size <= IGOS_VERITY_SALT_MAX ? v->salt_size : 0);
}

int
igos_verity_tree_init(struct igos_verity_tree *t, const struct igos_verity *v,
		      uint64_t hash_offset, int superblock)
{
	const EVP_MD *md;
	unsigned shift = 0;
	uint64_t hbs, n, total = 0, base;

	memset(t, 0, sizeof(*t));
	if (igos_verity_check(v) < 0)
		return -1;
	if (v->data_blocks == 0)
		return igos_seterr("no data blocks");
	if (hash_offset % 512)
		return igos_seterr("unsupported hash offset %llu: not a multiple of 512",
				   (unsigned long long)hash_offset);
	md = igos_verity_md(v->alg);
	t->v = v;
	t->ds = (unsigned)EVP_MD_get_size(md);
	hbs = v->hash_block_size;
	while ((2u << shift) * t->ds <= hbs)
		shift++;
	t->per = 1u << shift;
	t->slot = v->hash_type == 1 ? (unsigned)(hbs / t->per) : t->ds;
	t->hash_offset = hash_offset;
	t->superblock = superblock;
	n = v->data_blocks;
	while ((uint64_t)t->levels * shift < 64 && ((n - 1) >> (t->levels * shift)) != 0)
		t->levels++;
	for (unsigned i = 0; i < t->levels; i++) {
		unsigned s = (i + 1) * shift;

		t->blocks[i] = s >= 64 ? 1 : ((n - 1) >> s) + 1;
		total += t->blocks[i]; /* cannot overflow: each level is n / 8^(i+1) */
	}
	if (superblock) {
		if (hash_offset > UINT64_MAX - IGOS_VERITY_SB_SIZE - hbs)
			return igos_seterr("hash offset too large");
		t->h0 = (hash_offset + IGOS_VERITY_SB_SIZE + hbs - 1) / hbs;
	} else {
		t->h0 = hash_offset / hbs;
	}
	if (total > UINT64_MAX / hbs - t->h0)
		return igos_seterr("hash tree too large");
	t->hash_blocks = total;
	t->hash_end = (t->h0 + total) * hbs;
	base = t->h0;
	for (unsigned i = t->levels; i-- > 0;) {
		t->start[i] = base;
		base += t->blocks[i];
	}
	return 0;
}

/* ---- hashing ---- */

/* A context with the salt already absorbed (type 1) or just initialised
 * (type 0): each block's hash starts from a copy of it. */
static EVP_MD_CTX *
proto_new(const struct igos_verity *v)
{
	EVP_MD_CTX *c;
	EVP_MD *md;

	if ((md = EVP_MD_fetch(NULL, v->alg, NULL)) == NULL) {
		igos_seterr_ssl("cannot use hash algorithm '%s'", v->alg);
		return NULL;
	}
	if ((c = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(c, md, NULL) != 1 ||
	    (v->hash_type == 1 && v->salt_size && EVP_DigestUpdate(c, v->salt, v->salt_size) != 1)) {
		igos_seterr_ssl("cannot use hash algorithm '%s'", v->alg);
		EVP_MD_CTX_free(c);
		c = NULL;
	}
	EVP_MD_free(md);
	return c;
}

static int
hash_from(const struct igos_verity *v, const EVP_MD_CTX *proto, EVP_MD_CTX *c,
	  const void *blk, size_t len, unsigned char *out)
{
	if (EVP_MD_CTX_copy_ex(c, proto) != 1 || EVP_DigestUpdate(c, blk, len) != 1 ||
	    (v->hash_type == 0 && v->salt_size && EVP_DigestUpdate(c, v->salt, v->salt_size) != 1) ||
	    EVP_DigestFinal_ex(c, out, NULL) != 1)
		return -1;
	return 0;
}

/* ---- I/O ---- */

/* On failure *err is the errno (0 at end of file) and *at where it failed. */
static int
pread_full(int fd, void *buf, size_t len, uint64_t off, int *err, uint64_t *at)
{
	if (igos_pio_all(fd, buf, len, off, 0, at) < 0) {
		*err = errno;
		return -1;
	}
	return 0;
}

static int
read_err(const char *name, uint64_t off, int err)
{
	if (err == 0)
		return igos_seterr("cannot read '%s': it ends at offset %llu", name,
				   (unsigned long long)off);
	errno = err;
	return igos_seterr_errno("cannot read '%s' at offset %llu", name,
				 (unsigned long long)off);
}

/* ---- the upper levels, built or checked as the leaf digests stream in ---- */

struct level {
	unsigned char *buf;   /* cap blocks as computed */
	unsigned char *disk;  /* verify: the same blocks as on disk */
	unsigned cap, nbuf;   /* blocks in buf complete so far */
	unsigned n;           /* digests in the block being filled */
	uint64_t idx;         /* level index of buf's first block */
};

struct engine {
	const struct igos_verity_tree *t;
	int hash_fd;
	const char *hash_name;
	int verify;
	int mismatch;
	EVP_MD_CTX *proto, *ctx;
	struct level lv[IGOS_VERITY_MAX_LEVELS];
	unsigned char root[IGOS_MAX_MD];
};

static int
mismatch_at(struct engine *e, unsigned i, const unsigned char *comp,
	    const unsigned char *disk, unsigned ndig)
{
	const struct igos_verity_tree *t = e->t;
	uint64_t hbs = t->v->hash_block_size;
	uint64_t pos = e->lv[i].idx + e->lv[i].nbuf, abs = t->start[i] + pos;

	e->mismatch = 1;
	for (unsigned k = 0; k < ndig; k++) {
		uint64_t c = pos * t->per + k;

		if (memcmp(comp + (size_t)k * t->slot, disk + (size_t)k * t->slot, t->ds) == 0)
			continue;
		if (i == 0)
			return igos_seterr("data block %llu (offset %llu) does not match hash "
					   "block %llu", (unsigned long long)c,
					   (unsigned long long)(c * t->v->data_block_size),
					   (unsigned long long)abs);
		c += t->start[i - 1];
		return igos_seterr("hash block %llu (offset %llu) does not match hash block %llu",
				   (unsigned long long)c, (unsigned long long)(c * hbs),
				   (unsigned long long)abs);
	}
	for (size_t k = 0; k < hbs; k++)
		if (comp[k] != disk[k])
			return igos_seterr("hash block %llu (offset %llu): spare area is not "
					   "zeroed at offset %llu", (unsigned long long)abs,
					   (unsigned long long)(abs * hbs),
					   (unsigned long long)(abs * hbs + k));
	return igos_seterr("hash block %llu: internal mismatch", (unsigned long long)abs);
}

static int push(struct engine *e, unsigned i, const unsigned char *dig);

/* The block being filled at level i is complete: check or keep it, hash it
 * into its parent (or the root), and write or move on when the batch is full. */
static int
complete(struct engine *e, unsigned i)
{
	const struct igos_verity_tree *t = e->t;
	struct level *l = &e->lv[i];
	size_t hbs = t->v->hash_block_size;
	unsigned char *cur = l->buf + (size_t)l->nbuf * hbs, dig[IGOS_MAX_MD];
	uint64_t left = t->blocks[i] - l->idx;
	unsigned batch = left < l->cap ? (unsigned)left : l->cap;
	uint64_t at;
	int err;

	if (e->verify) {
		if (l->nbuf == 0 &&
		    pread_full(e->hash_fd, l->disk, (size_t)batch * hbs,
			       (t->start[i] + l->idx) * hbs, &err, &at) < 0)
			return read_err(e->hash_name, at, err);
		if (memcmp(cur, l->disk + (size_t)l->nbuf * hbs, hbs) != 0)
			return mismatch_at(e, i, cur, l->disk + (size_t)l->nbuf * hbs, l->n);
	}
	if (hash_from(t->v, e->proto, e->ctx, cur, hbs, dig) < 0)
		return igos_seterr_ssl("hashing failed");
	l->n = 0;
	l->nbuf++;
	if (i + 1 < t->levels) {
		if (push(e, i + 1, dig) < 0)
			return -1;
	} else {
		memcpy(e->root, dig, t->ds);
	}
	if (l->nbuf == batch) {
		if (!e->verify) {
			const unsigned char *p = l->buf;
			size_t len = (size_t)batch * hbs;
			uint64_t off = (t->start[i] + l->idx) * hbs;

			while (len > 0) {
				ssize_t w = pwrite(e->hash_fd, p, len, (off_t)off);

				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0)
					return igos_seterr_errno("cannot write '%s'", e->hash_name);
				p += w;
				off += (uint64_t)w;
				len -= (size_t)w;
			}
		}
		memset(l->buf, 0, (size_t)l->nbuf * hbs);
		l->idx += l->nbuf;
		l->nbuf = 0;
	}
	return 0;
}

static int
push(struct engine *e, unsigned i, const unsigned char *dig)
{
	struct level *l = &e->lv[i];
	const struct igos_verity_tree *t = e->t;

	memcpy(l->buf + (size_t)l->nbuf * t->v->hash_block_size + (size_t)l->n * t->slot, dig,
	       t->ds);
	if (++l->n == t->per)
		return complete(e, i);
	return 0;
}

static void
engine_free(struct engine *e)
{
	for (unsigned i = 0; i < IGOS_VERITY_MAX_LEVELS; i++) {
		free(e->lv[i].buf);
		free(e->lv[i].disk);
	}
	EVP_MD_CTX_free(e->proto);
	EVP_MD_CTX_free(e->ctx);
}

static int
engine_init(struct engine *e, const struct igos_verity_tree *t, int hash_fd,
	    const char *hash_name, int verify)
{
	size_t hbs = t->v->hash_block_size;

	memset(e, 0, sizeof(*e));
	e->t = t;
	e->hash_fd = hash_fd;
	e->hash_name = hash_name;
	e->verify = verify;
	if ((e->proto = proto_new(t->v)) == NULL)
		return -1;
	if ((e->ctx = EVP_MD_CTX_new()) == NULL)
		goto nomem;
	for (unsigned i = 0; i < t->levels; i++) {
		struct level *l = &e->lv[i];

		/* write (or read) the leaf level 256 KiB at a time */
		l->cap = i == 0 && hbs < 262144 ? (unsigned)(262144 / hbs) : 1;
		if ((l->buf = calloc(l->cap, hbs)) == NULL ||
		    (verify && (l->disk = malloc(l->cap * hbs)) == NULL))
			goto nomem;
	}
	return 0;
nomem:
	engine_free(e);
	return igos_seterr("out of memory");
}

/* Flush the partial blocks, bottom up. */
static int
engine_finish(struct engine *e)
{
	for (unsigned i = 0; i < e->t->levels; i++) {
		if (e->lv[i].n > 0 && complete(e, i) < 0)
			return -1;
		if (e->lv[i].idx != e->t->blocks[i] || e->lv[i].nbuf != 0)
			return igos_seterr("internal error: level %u incomplete", i);
	}
	return 0;
}

/* ---- the leaf level: data blocks hashed by a pool of threads ---- */

#define CHUNK (1u << 20)

/* A chunk's digests, or why it has none; the consumer takes chunks in order,
 * so the error reported is the first in the data whatever the threads did. */
struct slot {
	uint64_t chunk;
	int ready;
	int err;               /* 0, or EIO_READ / EHASH below */
	int err_errno;
	uint64_t err_at;
	unsigned char *dig;
};

enum { EIO_READ = 1, EHASH = 2 };

struct pool {
	const struct igos_verity_tree *t;
	struct engine *e;
	int fd;
	uint64_t nblocks, nchunks;
	size_t chunk_blocks;
	unsigned nslots;
	struct slot *slots;
	int x2;                /* SHA-256 two blocks at a time (lib/sha256x2.c) */
	struct igos_sha256x2 x;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t next, consumed;
	int failed;            /* set by the consumer: workers stop */
};

struct worker {
	struct pool *p;
	unsigned char *buf;
	EVP_MD_CTX *proto, *ctx;
	pthread_t tid;
	int started;
};

static void
pool_stop(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->failed = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* Read and hash chunk c into slot s. */
static void
do_chunk(struct pool *p, struct worker *w, uint64_t c, struct slot *s)
{
	size_t dbs = p->t->v->data_block_size;
	uint64_t first = c * p->chunk_blocks, off = first * dbs;
	size_t nb = p->nblocks - first < p->chunk_blocks ? (size_t)(p->nblocks - first)
							  : p->chunk_blocks;
	uint64_t at;
	int err;

	s->err = 0;
	if (pread_full(p->fd, w->buf, nb * dbs, off, &err, &at) < 0) {
		s->err = EIO_READ;
		s->err_errno = err;
		s->err_at = at;
		return;
	}
	if (p->x2) {
		size_t j = 0, ds = p->t->ds;

		for (; j + 1 < nb; j += 2)
			igos_sha256x2_pair(&p->x, w->buf + j * dbs, w->buf + (j + 1) * dbs,
					   s->dig + j * ds, s->dig + (j + 1) * ds);
		if (j < nb)
			igos_sha256x2_one(&p->x, w->buf + j * dbs, s->dig + j * ds);
		return;
	}
	for (size_t j = 0; j < nb; j++)
		if (hash_from(p->t->v, w->proto, w->ctx, w->buf + j * dbs, dbs,
			      s->dig + j * p->t->ds) < 0) {
			s->err = EHASH;
			return;
		}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->p;

	for (;;) {
		uint64_t c;
		struct slot *s;
		int failed;

		pthread_mutex_lock(&p->mu);
		if (p->failed || p->next >= p->nchunks) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		c = p->next++;
		while (!p->failed && c >= p->consumed + p->nslots)
			pthread_cond_wait(&p->cv, &p->mu);
		failed = p->failed;
		pthread_mutex_unlock(&p->mu);
		if (failed)
			break;
		s = &p->slots[c % p->nslots];
		do_chunk(p, w, c, s);
		pthread_mutex_lock(&p->mu);
		s->chunk = c;
		s->ready = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

/* Hand a chunk's leaf digests to the engine (or, with one data block, make
 * the digest the root). */
static int
consume(struct pool *p, uint64_t c, const unsigned char *dig)
{
	uint64_t first = c * p->chunk_blocks;
	size_t nb = p->nblocks - first < p->chunk_blocks ? (size_t)(p->nblocks - first)
							  : p->chunk_blocks;

	if (p->t->levels == 0) {
		memcpy(p->e->root, dig, p->t->ds);
		return 0;
	}
	for (size_t j = 0; j < nb; j++)
		if (push(p->e, 0, dig + j * p->t->ds) < 0)
			return -1;
	return 0;
}

static int
slot_error(const struct slot *s, const char *data_name)
{
	if (s->err == EHASH)
		return igos_seterr_ssl("hashing failed");
	return read_err(data_name, s->err_at, s->err_errno);
}

static int
leaves(struct engine *e, int fd, const char *data_name, int threads)
{
	const struct igos_verity_tree *t = e->t;
	struct pool p;
	struct worker *w = NULL;
	size_t dbs = t->v->data_block_size;
	int rc = -1, stopped = 0;

	if (threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n < 1 ? 1 : n > IGOS_VERITY_MAX_THREADS ? IGOS_VERITY_MAX_THREADS : (int)n;
	}
	if (threads > IGOS_VERITY_MAX_THREADS)
		threads = IGOS_VERITY_MAX_THREADS;
	memset(&p, 0, sizeof(p));
	p.t = t;
	p.e = e;
	p.fd = fd;
	p.nblocks = t->v->data_blocks;
	p.chunk_blocks = dbs >= CHUNK ? 1 : CHUNK / dbs;
	p.nchunks = (p.nblocks + p.chunk_blocks - 1) / p.chunk_blocks;
	if ((uint64_t)threads > p.nchunks)
		threads = (int)p.nchunks;
	/* the leaf level is ~99% of the hashing: there, SHA-256 two blocks at
	 * a time where the CPU allows (else EVP, one block at a time) */
	if (strcmp(t->v->alg, "sha256") == 0)
		p.x2 = t->v->hash_type == 1
			       ? igos_sha256x2_init(&p.x, t->v->salt, t->v->salt_size, dbs, NULL, 0)
			       : igos_sha256x2_init(&p.x, NULL, 0, dbs, t->v->salt, t->v->salt_size);
	p.nslots = 2 * (unsigned)threads + 2;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	if ((p.slots = calloc(p.nslots, sizeof(*p.slots))) == NULL ||
	    (w = calloc((size_t)threads, sizeof(*w))) == NULL)
		goto nomem;
	for (unsigned i = 0; i < p.nslots; i++)
		if ((p.slots[i].dig = malloc(p.chunk_blocks * t->ds)) == NULL)
			goto nomem;
	for (int i = 0; i < threads; i++) {
		w[i].p = &p;
		if ((w[i].buf = malloc(p.chunk_blocks * dbs)) == NULL ||
		    (w[i].ctx = EVP_MD_CTX_new()) == NULL)
			goto nomem;
		if ((w[i].proto = proto_new(t->v)) == NULL)
			goto out;
	}
	if (threads == 1) {
		/* no pool: read, hash and consume in turn */
		for (uint64_t c = 0; c < p.nchunks; c++) {
			do_chunk(&p, &w[0], c, &p.slots[0]);
			if (p.slots[0].err) {
				slot_error(&p.slots[0], data_name);
				goto out;
			}
			if (consume(&p, c, p.slots[0].dig) < 0)
				goto out;
		}
		rc = 0;
		goto out;
	}
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0) {
			igos_seterr("cannot start a thread");
			stopped = 1;
			break;
		}
		w[i].started = 1;
	}
	for (uint64_t c = 0; c < p.nchunks && !stopped; c++) {
		struct slot *s = &p.slots[c % p.nslots];

		pthread_mutex_lock(&p.mu);
		while (!(s->ready && s->chunk == c))
			pthread_cond_wait(&p.cv, &p.mu);
		pthread_mutex_unlock(&p.mu);
		if (s->err) {
			slot_error(s, data_name);
			stopped = 1;
			break;
		}
		if (consume(&p, c, s->dig) < 0) {
			stopped = 1;
			break;
		}
		pthread_mutex_lock(&p.mu);
		s->ready = 0;
		p.consumed = c + 1;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
	}
	if (stopped)
		pool_stop(&p);
	for (int i = 0; i < threads; i++)
		if (w[i].started)
			pthread_join(w[i].tid, NULL);
	if (!stopped)
		rc = 0;
	goto out;
nomem:
	igos_seterr("out of memory");
out:
	if (w != NULL)
		for (int i = 0; i < threads; i++) {
			free(w[i].buf);
			EVP_MD_CTX_free(w[i].proto);
			EVP_MD_CTX_free(w[i].ctx);
		}
	free(w);
	if (p.slots != NULL)
		for (unsigned i = 0; i < p.nslots; i++)
			free(p.slots[i].dig);
	free(p.slots);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	return rc;
}

int
igos_verity_build(const struct igos_verity_tree *t, int data_fd, const char *data_name,
		  int hash_fd, const char *hash_name, int threads, unsigned char *root)
{
	struct engine e;
	int rc = -1;

	if (engine_init(&e, t, hash_fd, hash_name, 0) < 0)
		return -1;
	if (leaves(&e, data_fd, data_name, threads) == 0 && engine_finish(&e) == 0) {
		memcpy(root, e.root, t->ds);
		rc = 0;
	}
	engine_free(&e);
	return rc;
}

int
igos_verity_verify(const struct igos_verity_tree *t, int data_fd, const char *data_name,
		   int hash_fd, const char *hash_name, int threads,
		   const unsigned char *root, int *mismatch)
{
	struct engine e;
	int rc = -1;

	*mismatch = 0;
	if (engine_init(&e, t, hash_fd, hash_name, 1) < 0)
		return -1;
	if (leaves(&e, data_fd, data_name, threads) == 0 && engine_finish(&e) == 0) {
		if (memcmp(root, e.root, t->ds) == 0) {
			rc = 0;
		} else if (t->levels == 0) {
			e.mismatch = 1;
			igos_seterr("root hash does not match data block 0 (offset 0)");
		} else {
			e.mismatch = 1;
			igos_seterr("root hash does not match hash block %llu (offset %llu)",
				    (unsigned long long)t->h0,
				    (unsigned long long)(t->h0 * t->v->hash_block_size));
		}
	}
	*mismatch = e.mismatch;
	engine_free(&e);
	return rc;
}

/* ---- uuid ---- */

int
igos_verity_uuid_parse(const char *s, unsigned char uuid[16])
{
	static const int dash[] = { 8, 13, 18, 23 };
	char hex[33];
	size_t j = 0;

	if (strlen(s) != 36)
		return igos_seterr("invalid uuid '%s'", s);
	for (size_t i = 0, d = 0; i < 36; i++) {
		if (d < 4 && (int)i == dash[d]) {
			if (s[i] != '-')
				return igos_seterr("invalid uuid '%s'", s);
			d++;
			continue;
		}
		hex[j++] = s[i];
	}
	if (igos_hex_decode(hex, 32, uuid, 16) < 0)
		return igos_seterr("invalid uuid '%s'", s);
	return 0;
}

void
igos_verity_uuid_format(const unsigned char u[16], char *out)
{
	char h[33];

	igos_hex_encode(u, 16, h);
	memcpy(out, h, 8);
	out[8] = '-';
	memcpy(out + 9, h + 8, 4);
	out[13] = '-';
	memcpy(out + 14, h + 12, 4);
	out[18] = '-';
	memcpy(out + 19, h + 16, 4);
	out[23] = '-';
	memcpy(out + 24, h + 20, 12);
	out[36] = '\0';
}

/* ---- one block against the tree on disk (FEC's erasures) ---- */

int
igos_verity_block_ok(const struct igos_verity_tree *t, int hash_fd, const unsigned char *root,
		     int is_hash, uint64_t idx, const unsigned char *blk)
{
	const struct igos_verity *v = t->v;
	unsigned char want[IGOS_MAX_MD], got[IGOS_MAX_MD];
	uint64_t parent, slot, hbs = v->hash_block_size;
	EVP_MD_CTX *proto, *c;
	int rc;

	if (!is_hash) {
		if (idx >= v->data_blocks)
			return 1;
		if (t->levels == 0) {
			parent = UINT64_MAX;
		} else {
			parent = t->start[0] + idx / t->per;
			slot = idx % t->per;
		}
	} else {
		unsigned i;

		for (i = 0; i < t->levels; i++)
			if (idx >= t->start[i] && idx < t->start[i] + t->blocks[i])
				break;
		if (i == t->levels)
			return 1;
		if (i + 1 == t->levels) {
			parent = UINT64_MAX;
		} else {
			uint64_t p = idx - t->start[i];

			parent = t->start[i + 1] + p / t->per;
			slot = p % t->per;
		}
	}
	if (parent == UINT64_MAX) {
		memcpy(want, root, t->ds);
	} else if (igos_pio_all(hash_fd, want, t->ds, parent * hbs + slot * t->slot, 0, NULL) < 0) {
		return igos_seterr_errno("cannot read hash block %llu", (unsigned long long)parent);
	}
	if ((proto = proto_new(v)) == NULL)
		return -1;
	if ((c = EVP_MD_CTX_new()) == NULL) {
		EVP_MD_CTX_free(proto);
		return igos_seterr("out of memory");
	}
	rc = hash_from(v, proto, c, blk, is_hash ? hbs : v->data_block_size, got);
	EVP_MD_CTX_free(proto);
	EVP_MD_CTX_free(c);
	if (rc < 0)
		return igos_seterr_ssl("hashing failed");
	return memcmp(want, got, t->ds) == 0;
}
