/*
 * dm-verity FEC: Reed-Solomon parity laid out byte for byte as veritysetup
 * writes it (and the kernel reads it), computed by a pool of threads, and a
 * Reed-Solomon decoder (errors and erasures) for verify.
 *
 * Layout, from the kernel's dm-verity-fec and libcryptsetup's verity_fec:
 * the covered blocks (data, then the hash area) are numbered 0 .. blocks;
 * rounds = ceil(blocks / rsn); codeword (n, b), round n and byte b of a
 * block, takes byte b of blocks n, n + rounds, n + 2 * rounds, ... (rsn of
 * them, those past the end being zeros) and its roots parity bytes sit at
 * fec_offset + (n * block_size + b) * roots.
 *
 * Column i of a run of consecutive rounds n0 .. n0 + m is the contiguous run
 * of blocks i * rounds + n0 ..: so the encoder reads big contiguous runs and
 * feeds one byte to every codeword of the run at once (the division by the
 * generator kept as roots planes of m * block_size bytes), which vectorises.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "igos.h"
#include "fec.h"

/* ---- GF(2^8), polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d), alpha = x ---- */

static unsigned char gexp[512];
static unsigned char glog[256];
static pthread_once_t gonce = PTHREAD_ONCE_INIT;

static void
gf_init(void)
{
	unsigned x = 1;

	for (unsigned i = 0; i < 255; i++) {
		gexp[i] = gexp[i + 255] = (unsigned char)x;
		glog[x] = (unsigned char)i;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11d;
	}
	gexp[510] = gexp[0];
	gexp[511] = gexp[1];
}

static unsigned char
gmul(unsigned char a, unsigned char b)
{
	return a == 0 || b == 0 ? 0 : gexp[glog[a] + glog[b]];
}

static unsigned char
ginv(unsigned char a)
{
	return gexp[255 - glog[a]];
}

/* alpha^e for any e >= 0 */
static unsigned char
gpow(unsigned e)
{
	return gexp[e % 255];
}

/* The generator (x - alpha^0)(x - alpha^1)...(x - alpha^(roots-1)), monic,
 * g[k] the coefficient of x^k (g[roots] = 1). */
static void
generator(unsigned roots, unsigned char *g)
{
	memset(g, 0, roots + 1);
	g[0] = 1;
	for (unsigned i = 0; i < roots; i++) {
		unsigned char r = gpow(i);

		/* multiply by (x + r) */
		for (unsigned k = i + 1; k > 0; k--)
			g[k] = g[k - 1] ^ gmul(g[k], r);
		g[0] = gmul(g[0], r);
	}
}

void
igos_fec_rs_encode(unsigned roots, const unsigned char *msg, unsigned char *par)
{
	unsigned char g[IGOS_FEC_ROOTS_MAX + 1];
	unsigned rsn = IGOS_FEC_N - roots;

	pthread_once(&gonce, gf_init);
	generator(roots, g);
	memset(par, 0, roots);
	for (unsigned i = 0; i < rsn; i++) {
		unsigned char fb = msg[i] ^ par[0];

		for (unsigned j = 0; j + 1 < roots; j++)
			par[j] = par[j + 1] ^ gmul(fb, g[roots - 1 - j]);
		par[roots - 1] = gmul(fb, g[0]);
	}
}

/* ---- decoding ---- */

/* c(alpha^j) for j < roots, c(x) = sum cw[k] x^(254 - k) */
static int
syndromes(unsigned roots, const unsigned char *cw, unsigned char *s)
{
	int nz = 0;

	for (unsigned j = 0; j < roots; j++) {
		unsigned char a = gpow(j), v = 0;

		for (unsigned k = 0; k < IGOS_FEC_N; k++)
			v = gmul(v, a) ^ cw[k];
		s[j] = v;
		nz |= v;
	}
	return nz != 0;
}

int
igos_fec_rs_decode(unsigned roots, unsigned char *cw, const unsigned *era, unsigned nera)
{
	unsigned char s[IGOS_FEC_ROOTS_MAX], lam[IGOS_FEC_ROOTS_MAX + 2] = { 0 },
		b[IGOS_FEC_ROOTS_MAX + 2] = { 0 }, t[IGOS_FEC_ROOTS_MAX + 2],
		om[IGOS_FEC_ROOTS_MAX + 1] = { 0 }, fix[IGOS_FEC_N] = { 0 };
	unsigned pos[IGOS_FEC_ROOTS_MAX], npos = 0, deg = 0, el;

	pthread_once(&gonce, gf_init);
	if (roots < IGOS_FEC_ROOTS_MIN || roots > IGOS_FEC_ROOTS_MAX)
		return -1;
	if (!syndromes(roots, cw, s))
		return 0;
	if (nera > roots)
		return -1;
	/* the erasure locator prod (1 - X x), X = alpha^(254 - k) */
	lam[0] = 1;
	for (unsigned e = 0; e < nera; e++) {
		unsigned char x;

		if (era[e] >= IGOS_FEC_N)
			return -1;
		x = gpow(IGOS_FEC_N - 1 - era[e]);
		for (unsigned k = e + 1; k > 0; k--)
			lam[k] ^= gmul(lam[k - 1], x);
	}
	memcpy(b, lam, sizeof(b));
	/* Berlekamp-Massey from the erasure locator */
	el = nera;
	for (unsigned r = nera + 1; r <= roots; r++) {
		unsigned char d = 0;

		for (unsigned i = 0; i < r && i <= roots; i++)
			d ^= gmul(lam[i], s[r - 1 - i]);
		if (d == 0) {
			memmove(b + 1, b, roots);
			b[0] = 0;
			continue;
		}
		t[0] = lam[0];
		for (unsigned i = 1; i <= roots; i++)
			t[i] = lam[i] ^ gmul(d, b[i - 1]);
		if (2 * el <= r + nera - 1) {
			unsigned char di = ginv(d);

			el = r + nera - el;
			for (unsigned i = 0; i <= roots; i++)
				b[i] = gmul(lam[i], di);
		} else {
			memmove(b + 1, b, roots);
			b[0] = 0;
		}
		memcpy(lam, t, roots + 1);
	}
	for (unsigned i = 0; i <= roots; i++)
		if (lam[i])
			deg = i;
	if (deg == 0 || 2 * (deg - nera) + nera > roots)
		return -1;
	/* Chien search: lam(X^-1) = 0 for X = alpha^p, cw index 254 - p */
	for (unsigned p = 0; p < IGOS_FEC_N; p++) {
		unsigned char v = 0, xi = gpow(255 - p);

		for (unsigned i = deg + 1; i-- > 0;)
			v = gmul(v, xi) ^ lam[i];
		if (v == 0) {
			if (npos == deg)
				return -1;
			pos[npos++] = p;
		}
	}
	if (npos != deg)
		return -1;
	/* omega = s(x) lam(x) mod x^roots; Forney with first root alpha^0:
	 * Y = X omega(X^-1) / lam'(X^-1) */
	for (unsigned i = 0; i < roots; i++)
		for (unsigned k = 0; k <= i && k <= deg; k++)
			om[i] ^= gmul(s[i - k], lam[k]);
	for (unsigned l = 0; l < npos; l++) {
		unsigned p = pos[l];
		unsigned char xi = gpow(255 - p), num = 0, den = 0, xp = 1;

		for (unsigned i = roots; i-- > 0;)
			num = gmul(num, xi) ^ om[i];
		/* the formal derivative keeps the odd terms */
		for (unsigned i = 1; i <= deg; i++) {
			if (i & 1)
				den ^= gmul(lam[i], xp);
			xp = gmul(xp, xi);
		}
		if (den == 0)
			return -1;
		fix[IGOS_FEC_N - 1 - p] = gmul(gmul(num, ginv(den)), gpow(p));
	}
	for (unsigned k = 0; k < IGOS_FEC_N; k++)
		cw[k] ^= fix[k];
	/* a miscorrection beyond reach can still leave non-zero syndromes */
	if (syndromes(roots, cw, s)) {
		for (unsigned k = 0; k < IGOS_FEC_N; k++)
			cw[k] ^= fix[k];
		return -1;
	}
	return (int)npos;
}

/* ---- layout ---- */

int
igos_fec_init(struct igos_fec *f, unsigned roots, uint32_t bs, uint64_t data_blocks,
	      uint64_t hash_start, uint64_t hash_blocks, uint64_t fec_offset)
{
	memset(f, 0, sizeof(*f));
	if (roots < IGOS_FEC_ROOTS_MIN || roots > IGOS_FEC_ROOTS_MAX)
		return igos_seterr("invalid number of FEC roots %u: %d to %d", roots,
				   IGOS_FEC_ROOTS_MIN, IGOS_FEC_ROOTS_MAX);
	if (bs == 0 || (bs & (bs - 1)))
		return igos_seterr("invalid block size %u", bs);
	if (data_blocks > UINT64_MAX / 2 / bs || hash_blocks > UINT64_MAX / 2 / bs ||
	    hash_start > UINT64_MAX / 2)
		return igos_seterr("FEC area too large");
	f->roots = roots;
	f->rsn = IGOS_FEC_N - roots;
	f->block_size = bs;
	f->data_blocks = data_blocks;
	f->hash_blocks = hash_blocks;
	f->hash_start = hash_start;
	f->blocks = data_blocks + hash_blocks;
	f->rounds = (f->blocks + f->rsn - 1) / f->rsn;
	f->fec_offset = fec_offset;
	if (f->rounds > UINT64_MAX / 2 / roots / bs || fec_offset > UINT64_MAX / 2)
		return igos_seterr("FEC area too large");
	f->size = f->rounds * roots * bs;
	return 0;
}

int
igos_fec_block_where(const struct igos_fec *f, uint64_t k, uint64_t *at)
{
	if (k < f->data_blocks) {
		*at = k;
		return 0;
	}
	if (k - f->data_blocks < f->hash_blocks) {
		*at = k - f->data_blocks;
		return 1;
	}
	*at = 0;
	return 2;
}

/* Read FEC blocks k .. k + n (contiguous) into buf: data, hash, zeros. */
static int
read_blocks(const struct igos_fec *f, int data_fd, const char *data_name, int hash_fd,
	    const char *hash_name, uint64_t k, size_t n, unsigned char *buf)
{
	size_t bs = f->block_size;

	while (n > 0) {
		uint64_t at, avail;
		int w = igos_fec_block_where(f, k, &at);
		size_t take;
		uint64_t eoff;

		if (w == 2) {
			memset(buf, 0, n * bs);
			return 0;
		}
		avail = w == 0 ? f->data_blocks - at : f->hash_blocks - at;
		take = avail < n ? (size_t)avail : n;
		if (igos_pio_all(w == 0 ? data_fd : hash_fd, buf, take * bs,
				 w == 0 ? at * bs : f->hash_start + at * bs, 0, &eoff) < 0) {
			if (errno == 0)
				return igos_seterr("cannot read '%s': it ends at offset %llu",
						   w == 0 ? data_name : hash_name,
						   (unsigned long long)eoff);
			return igos_seterr_errno("cannot read '%s' at offset %llu",
						 w == 0 ? data_name : hash_name,
						 (unsigned long long)eoff);
		}
		buf += take * bs;
		k += take;
		n -= take;
	}
	return 0;
}

/* ---- encoding ---- */

/* x * c for every byte, c a constant: two 16-entry tables (low and high
 * nibble), as a byte shuffle can look them up 16 or 32 at a time. */
struct mulc {
	unsigned char lo[16], hi[16];
	unsigned char full[256];
};

struct fec_job {
	const struct igos_fec *f;
	int data_fd, hash_fd, fec_fd;
	const char *data_name, *hash_name, *fec_name;
	struct mulc m[IGOS_FEC_ROOTS_MAX]; /* by g[roots - 1 - j], j < roots - 1; g[0] last */
	uint64_t chunk_rounds, nchunks;
	pthread_mutex_t mu;
	uint64_t next;
	int failed;
	char err[512];
};

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* p ^= c * fb over len bytes, len a multiple of 32 */
__attribute__((target("avx2"))) static void
mulxor_avx2(unsigned char *p, const unsigned char *fb, size_t len, const struct mulc *c)
{
	__m256i lo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)c->lo));
	__m256i hi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)c->hi));
	__m256i mask = _mm256_set1_epi8(0x0f);

	for (size_t x = 0; x < len; x += 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(fb + x));
		__m256i l = _mm256_shuffle_epi8(lo, _mm256_and_si256(v, mask));
		__m256i h = _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi64(v, 4), mask));
		__m256i d = _mm256_loadu_si256((const __m256i *)(p + x));

		_mm256_storeu_si256((__m256i *)(p + x), _mm256_xor_si256(d, _mm256_xor_si256(l, h)));
	}
}

/* fb = in ^ fb over len bytes */
__attribute__((target("avx2"))) static void
xor_avx2(unsigned char *fb, const unsigned char *in, size_t len)
{
	for (size_t x = 0; x < len; x += 32) {
		__m256i a = _mm256_loadu_si256((const __m256i *)(fb + x));
		__m256i b = _mm256_loadu_si256((const __m256i *)(in + x));

		_mm256_storeu_si256((__m256i *)(fb + x), _mm256_xor_si256(a, b));
	}
}

static int
have_avx2(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}
#else
static int
have_avx2(void)
{
	return 0;
}
#endif

static void
mulxor(unsigned char *p, const unsigned char *fb, size_t len, const struct mulc *c, int avx2)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if (avx2 && len % 32 == 0) {
		mulxor_avx2(p, fb, len, c);
		return;
	}
#else
	(void)avx2;
#endif
	for (size_t x = 0; x < len; x++)
		p[x] ^= c->full[fb[x]];
}

static void
xorin(unsigned char *fb, const unsigned char *in, size_t len, int avx2)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if (avx2 && len % 32 == 0) {
		xor_avx2(fb, in, len);
		return;
	}
#else
	(void)avx2;
#endif
	for (size_t x = 0; x < len; x++)
		fb[x] ^= in[x];
}

static void
job_fail(struct fec_job *j)
{
	pthread_mutex_lock(&j->mu);
	if (!j->failed) {
		j->failed = 1;
		snprintf(j->err, sizeof(j->err), "%s", igos_errmsg());
	}
	pthread_mutex_unlock(&j->mu);
}

static struct fec_job *
job_new(const struct igos_fec *f, int data_fd, const char *data_name, int hash_fd,
	const char *hash_name, int fec_fd, const char *fec_name)
{
	struct fec_job *j;
	unsigned char g[IGOS_FEC_ROOTS_MAX + 1];

	pthread_once(&gonce, gf_init);
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	j->f = f;
	j->data_fd = data_fd;
	j->hash_fd = hash_fd;
	j->fec_fd = fec_fd;
	j->data_name = data_name;
	j->hash_name = hash_name;
	j->fec_name = fec_name;
	generator(f->roots, g);
	for (unsigned k = 0; k < f->roots; k++) {
		unsigned char c = k + 1 < f->roots ? g[f->roots - 1 - k] : g[0];
		struct mulc *m = &j->m[k];

		for (unsigned x = 0; x < 256; x++)
			m->full[x] = gmul((unsigned char)x, c);
		for (unsigned x = 0; x < 16; x++) {
			m->lo[x] = gmul((unsigned char)x, c);
			m->hi[x] = gmul((unsigned char)(x << 4), c);
		}
	}
	/* 256 KiB of each column per chunk: the planes stay in cache */
	j->chunk_rounds = f->block_size >= 262144 ? 1 : 262144 / f->block_size;
	j->nchunks = (f->rounds + j->chunk_rounds - 1) / j->chunk_rounds;
	return j;
}

/* Encode rounds n0 .. n0 + m into out (their parity as on disk); in holds
 * m blocks, planes roots * m blocks. */
static int
encode_chunk(const struct fec_job *j, uint64_t n0, uint64_t m, unsigned char *in,
	     unsigned char *planes, unsigned char *out, int avx2)
{
	const struct igos_fec *f = j->f;
	size_t len = (size_t)m * f->block_size;
	unsigned R = f->roots, h = 0;

	memset(planes, 0, len * R);
	for (unsigned i = 0; i < f->rsn; i++) {
		unsigned char *fb = planes + (size_t)h * len;

		if (read_blocks(f, j->data_fd, j->data_name, j->hash_fd, j->hash_name,
				(uint64_t)i * f->rounds + n0, (size_t)m, in) < 0)
			return -1;
		/* the feedback replaces the oldest remainder plane, which then
		 * becomes the newest: g[0] * fb */
		xorin(fb, in, len, avx2);
		for (unsigned k = 0; k + 1 < R; k++)
			mulxor(planes + (size_t)((h + 1 + k) % R) * len, fb, len, &j->m[k], avx2);
		/* fb * g[0] in place: through a copy, as the shuffle reads fb */
		memcpy(in, fb, len);
		memset(fb, 0, len);
		mulxor(fb, in, len, &j->m[R - 1], avx2);
		h = (h + 1) % R;
	}
	/* remainder coefficient k (highest first) of codeword (n0 + r, b) */
	for (unsigned k = 0; k < R; k++) {
		const unsigned char *pl = planes + (size_t)((h + k) % R) * len;

		for (size_t x = 0; x < len; x++)
			out[x * R + k] = pl[x];
	}
	return 0;
}

static void *
encode_worker(void *arg)
{
	struct fec_job *j = arg;
	const struct igos_fec *f = j->f;
	size_t bs = f->block_size, cap = (size_t)j->chunk_rounds * bs;
	unsigned R = f->roots;
	unsigned char *in = malloc(cap), *planes = malloc(cap * R), *out = malloc(cap * R);
	int avx2 = have_avx2();

	if (in == NULL || planes == NULL || out == NULL) {
		igos_seterr("out of memory");
		job_fail(j);
		goto out;
	}
	for (;;) {
		uint64_t c, n0, m;

		pthread_mutex_lock(&j->mu);
		c = j->failed ? j->nchunks : j->next++;
		pthread_mutex_unlock(&j->mu);
		if (c >= j->nchunks)
			break;
		n0 = c * j->chunk_rounds;
		m = f->rounds - n0 < j->chunk_rounds ? f->rounds - n0 : j->chunk_rounds;
		if (encode_chunk(j, n0, m, in, planes, out, avx2) < 0) {
			job_fail(j);
			goto out;
		}
		if (igos_pio_all(j->fec_fd, out, (size_t)m * bs * R, f->fec_offset + n0 * bs * R,
				 1, NULL) < 0) {
			igos_seterr_errno("cannot write '%s'", j->fec_name);
			job_fail(j);
			goto out;
		}
	}
out:
	free(in);
	free(planes);
	free(out);
	return NULL;
}

int
igos_fec_encode(const struct igos_fec *f, int data_fd, const char *data_name, int hash_fd,
		const char *hash_name, int fec_fd, const char *fec_name, int threads)
{
	struct fec_job *j;
	pthread_t tid[64];
	int started = 0, rc;

	if ((j = job_new(f, data_fd, data_name, hash_fd, hash_name, fec_fd, fec_name)) == NULL)
		return -1;
	if (threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n < 1 ? 1 : n > 64 ? 64 : (int)n;
	}
	if (threads > 64)
		threads = 64;
	if ((uint64_t)threads > j->nchunks)
		threads = (int)j->nchunks;
	pthread_mutex_init(&j->mu, NULL);
	for (int i = 1; i < threads; i++) {
		if (pthread_create(&tid[i], NULL, encode_worker, j) != 0)
			break;
		started = i;
	}
	encode_worker(j);
	for (int i = 1; i <= started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&j->mu);
	rc = j->failed ? igos_seterr("%s", j->err) : 0;
	free(j);
	return rc;
}

/* ---- repair (verify) ---- */

static void
note_fixed(struct igos_fec_repair *r, uint64_t k)
{
	if (r->corrected < sizeof(r->first) / sizeof(r->first[0]))
		r->first[r->corrected] = k;
	r->corrected++;
}

/* Decode the damaged codewords (miss[b]) of round n in rb, with the given
 * erasures; marks the blocks changed in dirty; returns how many codewords
 * could not be decoded. */
static uint64_t
decode_round(const struct igos_fec *f, uint64_t n, unsigned char *rb, const unsigned char *par,
	     const unsigned char *miss, const unsigned *era, unsigned nera, unsigned char *dirty,
	     uint64_t *parity_fixed)
{
	size_t bs = f->block_size;
	unsigned R = f->roots;
	unsigned char cw[IGOS_FEC_N];
	uint64_t fails = 0;

	for (size_t b = 0; b < bs; b++) {
		int c;

		if (!miss[b])
			continue;
		for (unsigned i = 0; i < f->rsn; i++)
			cw[i] = rb[i * bs + b];
		memcpy(cw + f->rsn, par + b * R, R);
		c = igos_fec_rs_decode(R, cw, era, nera);
		/* a "correction" of the zeros past the end is a miscorrection */
		for (unsigned i = 0; c >= 0 && i < f->rsn; i++)
			if (cw[i] != rb[i * bs + b] && (uint64_t)i * f->rounds + n >= f->blocks)
				c = -1;
		if (c < 0) {
			fails++;
			continue;
		}
		for (unsigned i = 0; i < f->rsn; i++)
			if (cw[i] != rb[i * bs + b]) {
				rb[i * bs + b] = cw[i];
				dirty[i] = 1;
			}
		if (memcmp(cw + f->rsn, par + b * R, R) != 0)
			(*parity_fixed)++;
	}
	return fails;
}

/* Every block that changed or was bad now matches its hash. */
static int
round_good(const struct igos_fec *f, uint64_t n, const unsigned char *rb,
	   const unsigned char *dirty, const unsigned char *was_bad, igos_fec_bad_fn bad,
	   void *ctx)
{
	for (unsigned i = 0; i < f->rsn; i++) {
		uint64_t k = (uint64_t)i * f->rounds + n;
		int v;

		if (k >= f->blocks)
			break;
		if (!dirty[i] && !was_bad[i])
			continue;
		if ((v = bad(ctx, k, rb + i * (size_t)f->block_size)) != 0)
			return v < 0 ? -1 : 0;
	}
	return 1;
}

/*
 * Round n has damaged codewords (miss[b]): decode them as the kernel does,
 * first without erasures; when that leaves a block failing its hash, again
 * from the blocks as read with the blocks that fail their hash as erasures
 * (which doubles what the parity can repair). Corrected blocks go to the
 * outputs.
 */
static int
repair_round(const struct igos_fec *f, uint64_t n, unsigned char *rb, const unsigned char *orig,
	     const unsigned char *par, const unsigned char *miss, int out_data_fd,
	     int out_hash_fd, igos_fec_bad_fn bad, void *ctx, struct igos_fec_repair *r)
{
	size_t bs = f->block_size;
	unsigned era[IGOS_FEC_N], nera = 0;
	unsigned char dirty[IGOS_FEC_N] = { 0 }, was_bad[IGOS_FEC_N] = { 0 };
	uint64_t fails, pf = 0;
	int good;

	for (unsigned i = 0; i < f->rsn; i++) {
		uint64_t k = (uint64_t)i * f->rounds + n;
		int v;

		if (k >= f->blocks)
			break;
		if ((v = bad(ctx, k, orig + i * bs)) < 0)
			return -1;
		if (v) {
			was_bad[i] = 1;
			era[nera++] = i;
		}
	}
	fails = decode_round(f, n, rb, par, miss, NULL, 0, dirty, &pf);
	if ((good = round_good(f, n, rb, dirty, was_bad, bad, ctx)) < 0)
		return -1;
	if (fails || !good) {
		memcpy(rb, orig, (size_t)f->rsn * bs);
		memset(dirty, 0, sizeof(dirty));
		pf = 0;
		fails = nera ? decode_round(f, n, rb, par, miss, era, nera, dirty, &pf) : 1;
		if ((good = round_good(f, n, rb, dirty, was_bad, bad, ctx)) < 0)
			return -1;
	}
	if (fails || !good) {
		if (r->unrepaired == 0)
			r->bad_round = n;
		r->unrepaired += fails ? fails : 1;
		return 0;
	}
	r->parity_fixed += pf;
	for (unsigned i = 0; i < f->rsn; i++) {
		uint64_t k = (uint64_t)i * f->rounds + n, at;
		int w;

		if (!dirty[i])
			continue;
		w = igos_fec_block_where(f, k, &at);
		if (igos_pio_all(w == 0 ? out_data_fd : out_hash_fd, rb + i * bs, bs,
				 w == 0 ? at * bs : f->hash_start + at * bs, 1, NULL) < 0)
			return igos_seterr_errno("cannot write a corrected block");
		note_fixed(r, k);
	}
	return 0;
}

int
igos_fec_repair(const struct igos_fec *f, int data_fd, const char *data_name, int hash_fd,
		const char *hash_name, int fec_fd, const char *fec_name, int out_data_fd,
		int out_hash_fd, igos_fec_bad_fn bad, void *ctx, struct igos_fec_repair *r)
{
	struct fec_job *j;
	size_t bs = f->block_size, cap;
	unsigned R = f->roots;
	unsigned char *in = NULL, *planes = NULL, *out = NULL, *par = NULL, *rb = NULL,
		*orig = NULL, *miss = NULL;
	int avx2 = have_avx2(), rc = -1;
	uint64_t eoff;

	memset(r, 0, sizeof(*r));
	if ((j = job_new(f, data_fd, data_name, hash_fd, hash_name, fec_fd, fec_name)) == NULL)
		return -1;
	cap = (size_t)j->chunk_rounds * bs;
	if ((in = malloc(cap)) == NULL || (planes = malloc(cap * R)) == NULL ||
	    (out = malloc(cap * R)) == NULL || (par = malloc(cap * R)) == NULL ||
	    (rb = malloc((size_t)f->rsn * bs)) == NULL ||
	    (orig = malloc((size_t)f->rsn * bs)) == NULL || (miss = malloc(bs)) == NULL) {
		igos_seterr("out of memory");
		goto out;
	}
	for (uint64_t c = 0; c < j->nchunks; c++) {
		uint64_t n0 = c * j->chunk_rounds;
		uint64_t m = f->rounds - n0 < j->chunk_rounds ? f->rounds - n0 : j->chunk_rounds;

		/* the fast path: parity recomputed equals parity stored */
		if (encode_chunk(j, n0, m, in, planes, out, avx2) < 0)
			goto out;
		if (igos_pio_all(fec_fd, par, (size_t)m * bs * R, f->fec_offset + n0 * bs * R, 0,
				 &eoff) < 0) {
			if (errno == 0)
				igos_seterr("cannot read '%s': it ends at offset %llu", fec_name,
					    (unsigned long long)eoff);
			else
				igos_seterr_errno("cannot read '%s' at offset %llu", fec_name,
						  (unsigned long long)eoff);
			goto out;
		}
		for (uint64_t x = 0; x < m; x++) {
			const unsigned char *o = out + x * bs * R, *p = par + x * bs * R;
			int any = 0;

			if (memcmp(o, p, bs * R) == 0)
				continue;
			for (size_t b = 0; b < bs; b++)
				any |= miss[b] = memcmp(o + b * R, p + b * R, R) != 0;
			if (!any)
				continue;
			for (unsigned i = 0; i < f->rsn; i++)
				if (read_blocks(f, data_fd, data_name, hash_fd, hash_name,
						(uint64_t)i * f->rounds + n0 + x, 1, rb + i * bs) < 0)
					goto out;
			memcpy(orig, rb, (size_t)f->rsn * bs);
			if (repair_round(f, n0 + x, rb, orig, p, miss, out_data_fd, out_hash_fd, bad,
					 ctx, r) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	free(in);
	free(planes);
	free(out);
	free(par);
	free(rb);
	free(orig);
	free(miss);
	free(j);
	return rc;
}
