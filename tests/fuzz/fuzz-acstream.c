/*
 * The streamed signer's reader (lib/acstream.c): the header reader
 * igos_ac_stream_begin over arbitrary bytes, then, for what it takes, the
 * streaming pass. Checked against the whole-image code it must agree with: an
 * image it declines is handed back whole by igos_ac_stream_rest; an image it
 * streams and then accepts has exactly igos_ac_parse's digest and word sum,
 * and the bytes written are the image up to its certificate table. And the
 * reader of `igos-sign verify --follow` over the same bytes: what it accepts
 * has the whole-image code's digest and layout.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "acstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a memory file holding data, read from its start */
static int
memfile(const char *name, const uint8_t *data, size_t size)
{
	int fd = memfd_create(name, 0);

	if (fd < 0)
		abort();
	for (size_t off = 0; off < size;) {
		ssize_t w = write(fd, data + off, size - off);

		if (w <= 0)
			abort();
		off += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_ac_stream s;
	int in = memfile("in", data, size), out = memfile("out", NULL, 0);
	int r = igos_ac_stream_begin(&s, in, "fuzz");

	if (r == 0) {
		struct igos_buf b;

		if (igos_ac_stream_rest(&s, &b) < 0)
			abort();
		/* declined: the caller reads the image the ordinary way from b */
		if (b.len != size || (size && memcmp(b.data, data, size)))
			abort();
		free(b.data);
	} else if (r == 1 && igos_ac_stream_run(&s, EVP_sha256(), out, "out") == 0) {
		struct igos_pe pe;
		unsigned char dg[32];
		uint64_t ws;
		size_t end;
		off_t olen;

		/* accepted: the whole-image code sees the same image */
		if (igos_ac_parse(&pe, data, size) < 0 ||
		    igos_ac_digest(&pe, EVP_sha256(), dg, &ws, 0) < 0)
			abort();
		if (memcmp(dg, s.digest, sizeof(dg)) || ws != s.wordsum)
			abort();
		end = igos_ac_content_end(&pe);
		olen = lseek(out, 0, SEEK_END);
		if (olen < 0 || (size_t)olen != end)
			abort();
		if (end) {
			unsigned char *o = mmap(NULL, end, PROT_READ, MAP_SHARED, out, 0);

			if (o == MAP_FAILED)
				abort();
			if (memcmp(o, data, end))
				abort();
			munmap(o, end);
		}
	}
	igos_ac_stream_free(&s);
	{
		/* the reader of verify --follow over the same bytes as a finished
		 * file, told first of a part of it (the first byte says how much) */
		struct igos_ac_follow f;
		struct igos_pe pe;
		unsigned char dg[32];

		if (igos_ac_follow_init(&f, in, "fuzz") < 0)
			abort();
		if (igos_ac_follow_to(&f, size ? (uint64_t)size * data[0] / 255 : 0) == 0 &&
		    igos_ac_follow_end(&f, size, &pe, dg) == 1) {
			struct igos_pe whole;
			unsigned char wd[32];

			/* what it accepts, the whole-image code reads alike */
			if (igos_ac_parse(&whole, data, size) < 0 ||
			    igos_ac_digest(&whole, EVP_sha256(), wd, NULL, 0) < 0 ||
			    memcmp(wd, dg, sizeof(dg)) || whole.secdir_off != pe.secdir_off ||
			    whole.checksum_off != pe.checksum_off ||
			    igos_ac_content_end(&whole) != igos_ac_content_end(&pe))
				abort();
		}
		igos_ac_follow_free(&f);
	}
	igos_ssl_clear();
	close(in);
	close(out);
	return 0;
}
