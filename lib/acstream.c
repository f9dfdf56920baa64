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
	if (take(s, c, s->head, s->hlen, out, oname) < 0)
		goto out;
	while (!s->eof) {
		ssize_t n = igos_read(s->fd, buf, CHUNK, s->name);

		if (n < 0)
			goto out;
		if (n == 0)
			s->eof = 1;
		else if (take(s, c, buf, (size_t)n, out, oname) < 0)
			goto out;
	}
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
