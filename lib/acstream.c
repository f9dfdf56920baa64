/*
 * Authenticode signing of a PE image that arrives on a pipe (igos-ukify build
 * -o - | igos-sign sign -o - - >FILE): each byte is read, hashed and written
 * once, as it comes, while the builder goes on on the other core; the
 * CheckSum and the Certificate Table entry are patched in at the end
 * (issue 27). Nothing is held in memory but the headers and a certificate
 * table the image already had.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "igos.h"
#include "authenticode.h"
#include "acstream.h"

/* Headers further in than this are read whole, the ordinary way. */
#define HEAD_MAX (64u << 10)
/* read and hashed while it is still in the cache */
#define CHUNK (256u << 10)
/* "written N" every this many bytes: the reader on the other core follows
 * closely without a record (and a wake-up) per chunk */
#define REPORT_EVERY (4u << 20)

/* Read until s->hlen >= want or the end; -1 on a read error. */
static int
fill(struct igos_ac_stream *s, size_t want)
{
	if (want > s->hcap) {
		unsigned char *np = realloc(s->head, want);

		if (np == NULL)
			return igos_seterr("cannot read '%s': out of memory", s->name);
		s->head = np;
		s->hcap = want;
	}
	while (s->hlen < want && !s->eof) {
		ssize_t n = igos_read(s->fd, s->head + s->hlen, want - s->hlen, s->name);

		if (n < 0)
			return -1;
		if (n == 0)
			s->eof = 1;
		s->hlen += (size_t)n;
	}
	return 0;
}

int
igos_ac_stream_begin(struct igos_ac_stream *s, int fd, const char *name)
{
	const unsigned char *h;
	uint32_t pe_off, opt_off, opt_size, nsec, soh, ndirs, dirs;
	uint64_t need;
	uint16_t magic;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->name = name;
	if (fill(s, 64) < 0)
		return -1;
	h = s->head;
	if (s->hlen < 64 || h[0] != 'M' || h[1] != 'Z')
		return 0;
	pe_off = igos_le32(h + 0x3c);
	/* the COFF header, then the optional header's fields up to its directories */
	if ((uint64_t)pe_off + 24 + 112 > HEAD_MAX)
		return 0;
	if (fill(s, pe_off + 24 + 112) < 0)
		return -1;
	if (s->hlen < pe_off + 24 + 112)
		return 0;
	h = s->head;
	if (memcmp(h + pe_off, "PE\0\0", 4) != 0)
		return 0;
	nsec = igos_le16(h + pe_off + 6);
	opt_size = igos_le16(h + pe_off + 20);
	opt_off = pe_off + 24;
	magic = igos_le16(h + opt_off);
	if (magic == 0x20b)
		dirs = 112;
	else if (magic == 0x10b)
		dirs = 96;
	else
		return 0;
	soh = igos_le32(h + opt_off + 60);
	ndirs = igos_le32(h + opt_off + dirs - 4);
	/* anything unusual goes the ordinary way, which says what is wrong */
	if (ndirs <= 4 || ndirs > 16 || (uint64_t)dirs + 8ull * ndirs > opt_size)
		return 0;
	need = (uint64_t)opt_off + opt_size + 40ull * nsec;
	if (soh > need)
		need = soh;
	if (need > HEAD_MAX)
		return 0;
	if (fill(s, (size_t)need) < 0)
		return -1;
	if (s->hlen < need)
		return 0;
	s->cs = opt_off + 64;
	s->sd = opt_off + dirs + 8 * 4;
	s->cert_off = igos_le32(s->head + s->sd);
	s->cert_size = igos_le32(s->head + s->sd + 4);
	if (s->cert_size && s->cert_off < s->hlen)
		return 0;
	return 1;
}

int
igos_ac_stream_rest(struct igos_ac_stream *s, struct igos_buf *b)
{
	memset(b, 0, sizeof(*b));
	while (!s->eof)
		if (fill(s, s->hcap < 65536 ? 65536 : s->hcap * 2) < 0)
			return -1;
	b->data = s->head;
	b->len = s->hlen;
	s->head = NULL;
	s->hlen = s->hcap = 0;
	return 0;
}

/* Hash and sum [off, off+n) but the CheckSum and the Certificate Table entry. */
static int
feed(struct igos_ac_stream *s, EVP_MD_CTX *c, const unsigned char *p, size_t n, uint64_t off)
{
	const uint64_t ex[2][2] = { { s->cs, s->cs + 4 }, { s->sd, s->sd + 8 } };
	uint64_t cur = off, end = off + n;

	for (int i = 0; i <= 2; i++) {
		uint64_t to = i < 2 ? ex[i][0] : end;

		if (to > end)
			to = end;
		if (to > cur) {
			if (!EVP_DigestUpdate(c, p + (cur - off), to - cur))
				return igos_seterr_ssl("cannot hash");
			if (!s->nosum)
				s->wordsum += igos_ac_wordsum(p + (cur - off), to - cur, cur);
		}
		if (i < 2 && ex[i][1] > cur)
			cur = ex[i][1];
		if (cur >= end)
			break;
	}
	return 0;
}

static int
write_all(int fd, const unsigned char *p, size_t n, const char *name)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return igos_seterr_errno("cannot write '%s'", name);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Bytes [pos, pos+n) of the input: the content hashed and written, a
 * certificate table the image had kept (one byte past its stated size is
 * enough to tell that it does not end the file). */
static int
take(struct igos_ac_stream *s, EVP_MD_CTX *c, const unsigned char *p, size_t n, int out,
     const char *oname)
{
	uint64_t end = s->cert_size ? s->cert_off : UINT64_MAX;

	if (s->len < end) {
		size_t k = end - s->len < n ? (size_t)(end - s->len) : n;

		if (feed(s, c, p, k, s->len) < 0 || write_all(out, p, k, oname) < 0)
			return -1;
		s->len += k;
		p += k;
		n -= k;
	}
	if (n) {
		size_t keep = s->tlen <= s->cert_size ? (size_t)s->cert_size + 1 - s->tlen : 0;

		if (keep > n)
			keep = n;
		if (keep) {
			unsigned char *nt = realloc(s->table, s->tlen + keep);

			if (nt == NULL)
				return igos_seterr("cannot read '%s': out of memory", s->name);
			s->table = nt;
			memcpy(s->table + s->tlen, p, keep);
			s->tlen += keep;
		}
		s->len += n;
	}
	return 0;
}

/*
 * Tell the reader on report_fd how far the output is written (its content;
 * the CheckSum and the Certificate Table entry are patched at the end), every
 * REPORT_EVERY bytes and at the end; and start writing that part back to the
 * disk now, so that the final fsync has little left to wait for.
 */
static int
report(struct igos_ac_stream *s, int out, int last)
{
	uint64_t w = s->cert_size && s->len > s->cert_off ? s->cert_off : s->len;
	char line[40];
	int n;

	if (!s->report || w <= s->reported || (!last && w - s->reported < REPORT_EVERY))
		return 0;
	(void)sync_file_range(out, (off_t)s->reported, (off_t)(w - s->reported),
			      SYNC_FILE_RANGE_WRITE);
	n = snprintf(line, sizeof(line), "written %llu\n", (unsigned long long)w);
	for (int k = 0; k < n;) {
		ssize_t r = write(s->report_fd, line + k, (size_t)(n - k));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return igos_seterr_errno("cannot write to descriptor %d", s->report_fd);
		k += (int)r;
	}
	s->reported = w;
	return 0;
}

int
igos_ac_stream_run(struct igos_ac_stream *s, const EVP_MD *md, int out, const char *oname)
{
	static const unsigned char zero[8];
	struct igos_ac_range r[IGOS_AC_MAX_RANGES];
	unsigned char *buf = NULL;
	EVP_MD_CTX *c;
	size_t end;
	int rc = -1;

	if ((c = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(c, md, NULL)) {
		igos_seterr_ssl("cannot hash");
		goto out;
	}
	if ((buf = malloc(CHUNK)) == NULL) {
		igos_seterr("cannot read '%s': out of memory", s->name);
		goto out;
	}
	if (take(s, c, s->head, s->hlen, out, oname) < 0 || report(s, out, 0) < 0)
		goto out;
	while (!s->eof) {
		ssize_t n = igos_read(s->fd, buf, CHUNK, s->name);

		if (n < 0)
			goto out;
		if (n == 0)
			s->eof = 1;
		else if (take(s, c, buf, (size_t)n, out, oname) < 0 || report(s, out, 0) < 0)
			goto out;
	}
	if (report(s, out, 1) < 0)
		goto out;
	/* what igos_ac_digest adds for an unsigned image */
	if (s->cert_size == 0 && s->len % 8 && !EVP_DigestUpdate(c, zero, 8 - s->len % 8)) {
		igos_seterr_ssl("cannot hash");
		goto out;
	}
	if (!EVP_DigestFinal_ex(c, s->digest, NULL)) {
		igos_seterr_ssl("cannot hash");
		goto out;
	}
	/*
	 * The whole image as igos_ac_parse sees it, so that a streamed image is
	 * held to exactly the checks of a mapped one: its headers and
	 * certificate table as read, the rest zero pages that are never touched
	 * (the checks read only the headers and the table).
	 */
	if (s->len > SIZE_MAX / 2) {
		igos_seterr("cannot read '%s': too large", s->name);
		goto out;
	}
	s->img = mmap(NULL, s->len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (s->img == MAP_FAILED) {
		s->img = NULL;
		igos_seterr_errno("cannot read '%s'", s->name);
		goto out;
	}
	memcpy(s->img, s->head, s->hlen);
	if (s->cert_size && s->tlen && s->cert_off < s->len)
		memcpy(s->img + s->cert_off, s->table,
		       s->tlen < s->len - s->cert_off ? s->tlen : s->len - s->cert_off);
	if (igos_ac_parse(&s->pe, s->img, s->len) < 0 || igos_ac_ranges(&s->pe, r) < 0)
		goto out;
	end = igos_ac_content_end(&s->pe);
	if (s->pe.checksum_off != s->cs || s->pe.secdir_off != s->sd ||
	    end != (s->cert_size ? s->cert_off : s->len)) {
		igos_seterr("'%s': internal error: the headers read differently", s->name);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	EVP_MD_CTX_free(c);
	return rc;
}

int
igos_ac_stream_output(int fd, const char *name)
{
	struct stat st;
	int fl;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (fl = fcntl(fd, F_GETFL)) < 0 ||
	    (fl & O_APPEND) || (fl & O_ACCMODE) == O_RDONLY)
		return 0;
	/* patched by offset at the end: an empty file written from its start */
	(void)name;
	return st.st_size == 0 && lseek(fd, 0, SEEK_CUR) == 0;
}

void
igos_ac_stream_free(struct igos_ac_stream *s)
{
	free(s->head);
	free(s->table);
	if (s->img != NULL)
		munmap(s->img, s->len);
	memset(s, 0, sizeof(*s));
}

/* ---- reading back what a streaming signer writes (verify --follow) ---- */

int
igos_ac_follow_init(struct igos_ac_follow *f, int fd, const char *name)
{
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->name = name;
	if ((f->c = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(f->c, EVP_sha256(), NULL))
		return igos_seterr_ssl("cannot hash");
	if ((f->buf = malloc(CHUNK)) == NULL)
		return igos_seterr("cannot read '%s': out of memory", name);
	return 0;
}

/* The headers, read as the signer read them, once they are all there (at
 * most HEAD_MAX bytes, or the whole file at its end). */
static int
follow_start(struct igos_ac_follow *f, uint64_t avail, int end)
{
	int r;

	if (f->started || (avail < HEAD_MAX && !end))
		return 0;
	if (lseek(f->fd, 0, SEEK_SET) != 0)
		return igos_seterr_errno("cannot read '%s'", f->name);
	if ((r = igos_ac_stream_begin(&f->s, f->fd, f->name)) < 0)
		return -1;
	f->started = 1;
	f->whole = r == 0;
	/* no CheckSum to compute (verify does not judge it): one pass over
	 * the bytes less on the reader's core (issue 27) */
	f->s.nosum = 1;
	return 0;
}

/* Hash [pos, upto): the headers from the copy first read, the rest from the file. */
static int
follow_hash(struct igos_ac_follow *f, uint64_t upto)
{
	while (f->pos < upto) {
		const unsigned char *p;
		size_t k;

		if (f->pos < f->s.hlen) {
			k = (size_t)((upto < f->s.hlen ? upto : f->s.hlen) - f->pos);
			p = f->s.head + f->pos;
		} else {
			ssize_t n;

			k = upto - f->pos < CHUNK ? (size_t)(upto - f->pos) : CHUNK;
			n = pread(f->fd, f->buf, k, (off_t)f->pos);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return igos_seterr_errno("cannot read '%s'", f->name);
			if (n == 0)
				return igos_seterr("'%s': shorter than its writer said it wrote", f->name);
			k = (size_t)n;
			p = f->buf;
		}
		if (feed(&f->s, f->c, p, k, f->pos) < 0)
			return -1;
		f->pos += k;
	}
	return 0;
}

int
igos_ac_follow_to(struct igos_ac_follow *f, uint64_t upto)
{
	if (follow_start(f, upto, 0) < 0)
		return -1;
	if (!f->started || f->whole)
		return 0;
	return follow_hash(f, upto);
}

static int
pread_all(int fd, unsigned char *p, size_t n, uint64_t off, const char *name)
{
	while (n) {
		ssize_t r = pread(fd, p, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return igos_seterr_errno("cannot read '%s'", name);
		if (r == 0)
			return igos_seterr("'%s': shorter than its writer said it wrote", name);
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

int
igos_ac_follow_end(struct igos_ac_follow *f, uint64_t len, struct igos_pe *pe,
		   unsigned char dg[32])
{
	static const unsigned char zero[8];
	unsigned char *img;
	size_t cs, sd;
	uint32_t toff, tsize;
	struct stat st;
	size_t end;

	if (fstat(f->fd, &st) < 0)
		return igos_seterr_errno("cannot read '%s'", f->name);
	if ((uint64_t)st.st_size != len)
		return igos_seterr("'%s': %llu bytes long, its writer said %llu", f->name,
				   (unsigned long long)st.st_size, (unsigned long long)len);
	if (follow_start(f, len, 1) < 0)
		return -1;
	if (f->whole)
		return 0;
	cs = f->s.cs;
	sd = f->s.sd;
	if (len > SIZE_MAX / 2)
		return igos_seterr("cannot read '%s': too large", f->name);
	img = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (img == MAP_FAILED)
		return igos_seterr_errno("cannot read '%s'", f->name);
	f->img = img;
	f->len = (size_t)len;
	/*
	 * The headers as they are now: the same bytes as when they were hashed
	 * but for the two fields the signer patches at the end (a header written
	 * wrong there would otherwise pass unseen).
	 */
	if (pread_all(f->fd, img, f->s.hlen, 0, f->name) < 0)
		return -1;
	for (size_t i = 0; i < f->s.hlen; i++)
		if (img[i] != f->s.head[i] && !(i >= cs && i < cs + IGOS_PE_CHECKSUM_SIZE) &&
		    !(i >= sd && i < sd + IGOS_PE_DIRENT_SIZE))
			return igos_seterr("'%s': its headers changed after they were read back "
					   "(byte %zu)", f->name, i);
	/* and the certificate table the entry now names, where it lies in the file */
	toff = igos_le32(img + sd);
	tsize = igos_le32(img + sd + 4);
	if (tsize && toff <= len && tsize <= len - toff && (uint64_t)toff + tsize > f->s.hlen) {
		uint64_t from = toff > f->s.hlen ? toff : f->s.hlen;

		if (pread_all(f->fd, img + from, (size_t)(toff + tsize - from), from, f->name) < 0)
			return -1;
	}
	if (igos_ac_parse(pe, img, (size_t)len) < 0)
		return -1;
	if (pe->checksum_off != cs || pe->secdir_off != sd)
		return igos_seterr("'%s': its headers changed after they were read back", f->name);
	end = igos_ac_content_end(pe);
	if (f->pos > end)
		return igos_seterr("'%s': its writer said more was written than its content",
				   f->name);
	if (follow_hash(f, end) < 0)
		return -1;
	/* what igos_ac_digest adds for an unsigned image */
	if (!igos_ac_is_signed(pe) && end % 8 && !EVP_DigestUpdate(f->c, zero, 8 - end % 8))
		return igos_seterr_ssl("cannot hash");
	if (!EVP_DigestFinal_ex(f->c, dg, NULL))
		return igos_seterr_ssl("cannot hash");
	return 1;
}

void
igos_ac_follow_free(struct igos_ac_follow *f)
{
	igos_ac_stream_free(&f->s);
	EVP_MD_CTX_free(f->c);
	free(f->buf);
	if (f->img != NULL)
		munmap(f->img, f->len);
	memset(f, 0, sizeof(*f));
}
