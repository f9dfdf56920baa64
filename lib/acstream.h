/*
 * Authenticode signing of a PE image read once from a pipe: hashed and
 * written as it arrives, checked at the end exactly as igos_ac_parse checks a
 * whole image (lib/acstream.c).
 */
#ifndef IGOS_ACSTREAM_H
#define IGOS_ACSTREAM_H

#include "igos.h"
#include "authenticode.h"

struct igos_ac_stream {
	int fd, eof;
	const char *name;
	unsigned char *head;      /* the headers, read before streaming */
	size_t hlen, hcap;
	uint64_t cs, sd;          /* CheckSum, Certificate Table entry */
	uint32_t cert_off, cert_size;
	unsigned char *table;     /* a certificate table the image had */
	size_t tlen;
	size_t len;               /* the image's length, once read */
	unsigned char *img;       /* the image as checked: headers, table, zeros */
	struct igos_pe pe;        /* over img, after igos_ac_stream_run */
	uint64_t wordsum;         /* of the hashed bytes (igos_pe_write_signed) */
	int nosum;                /* set: no word sum (the reader needs none) */
	unsigned char digest[EVP_MAX_MD_SIZE];
	/* set after begin: "written N" lines on report_fd while streaming */
	int report, report_fd;
	uint64_t reported;
};

/*
 * Read the start of fd: 1 if it is a PE image whose headers (at most 64 KiB)
 * name a Certificate Table entry, so that it can be streamed; 0 if not (what
 * was read stays in s: igos_ac_stream_rest reads the rest); -1 on a read
 * error.
 */
int igos_ac_stream_begin(struct igos_ac_stream *s, int fd, const char *name);
/* All of the input, the part begin read included, into b (heap). */
int igos_ac_stream_rest(struct igos_ac_stream *s, struct igos_buf *b);
/*
 * Write the image's content (all of it up to its certificate table) to out,
 * hashing it with md as igos_ac_digest does; then check the image as
 * igos_ac_parse and igos_ac_ranges would. s->pe, s->digest, s->wordsum are
 * then those of igos_ac_digest over the whole image.
 */
int igos_ac_stream_run(struct igos_ac_stream *s, const EVP_MD *md, int out, const char *oname);
/* 1 if fd is an empty regular file open for writing at offset 0 (not
 * O_APPEND): what the headers can be patched into at the end. */
int igos_ac_stream_output(int fd, const char *name);
void igos_ac_stream_free(struct igos_ac_stream *s);

/*
 * Reading back, on another core, the file a streaming signer is writing
 * (igos-sign verify --follow): the signer says how far the file is written
 * (igos_ac_follow_to), the bytes are read from the file and hashed as
 * igos_ac_digest hashes them; at the end (igos_ac_follow_end) the headers are
 * read again (only the CheckSum and the Certificate Table entry may have
 * changed since they were hashed) and the certificate table with them.
 */
struct igos_ac_follow {
	struct igos_ac_stream s;  /* the headers as first read, their offsets */
	int fd, started, whole;   /* whole: not streamable, judged whole at the end */
	const char *name;
	uint64_t pos;             /* hashed up to */
	EVP_MD_CTX *c;
	unsigned char *buf;
	unsigned char *img;       /* at the end: headers, table, zeros */
	size_t len;
};

int igos_ac_follow_init(struct igos_ac_follow *f, int fd, const char *name);
/* Bytes [0, upto) of the file are written: hash what was not yet hashed. */
int igos_ac_follow_to(struct igos_ac_follow *f, uint64_t upto);
/*
 * The file is complete, len bytes long: 1 with *pe (over f's own copy of the
 * headers and table, the rest zeros) and its SHA-256 Authenticode digest in
 * dg; 0 when its headers were not streamable (judge the file whole).
 */
int igos_ac_follow_end(struct igos_ac_follow *f, uint64_t len, struct igos_pe *pe,
		       unsigned char dg[32]);
void igos_ac_follow_free(struct igos_ac_follow *f);

#endif
