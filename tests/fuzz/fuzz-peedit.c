/*
 * The PE editor (lib/pe.c) as the tools drive it: any input is taken as a
 * stub and edited as igos-ukify does (symbol table dropped, raw data aligned,
 * .sbat replaced, NX cleared, sections added, checksum and certificate table
 * set, written), as efi-fixup does (headers grown, checksum), and signed as
 * igos-sign writes it. Every image written must parse again.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authenticode.h"
#include "igos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OUT (8u << 20)

static const char SBAT[] = "sbat,1,SBAT Version,sbat,1,https://x\nuki,1,UKI,uki,1,https://y\n";

static int
emit(struct igos_out *o, void *ctx, unsigned k)
{
	const struct igos_pe_edit *e = ctx;
	const struct igos_pe_section *s = &e->pe.sec[e->pe.nsections - e->nadded + k];

	return igos_out_zero(o, s->vsize);
}

/* What was written parses as a PE image. */
static void
check_written(struct igos_out *o)
{
	unsigned char *buf;
	struct igos_pe pe;
	size_t n = (size_t)o->written;
	char path[64];
	int fd;

	/* the output is open write-only: read it back through /proc */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", o->fd);
	if (n > MAX_OUT || (buf = malloc(n ? n : 1)) == NULL)
		return;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || pread(fd, buf, n, 0) != (ssize_t)n)
		abort();
	close(fd);
	if (igos_pe_parse(&pe, buf, n) < 0) {
		fprintf(stderr, "written image does not parse: %s\n", igos_errmsg());
		abort();
	}
	free(buf);
}

static void
ukify_edit(const uint8_t *data, size_t size)
{
	struct igos_pe_edit e;
	struct igos_out o;
	const struct igos_pe_section *sb;
	unsigned nadd = size ? data[size - 1] % 5 : 0;
	uint64_t total = 0;

	if (igos_pe_edit_open(&e, data, size) < 0)
		return;
	if (igos_pe_strip_symbols(&e, NULL) < 0 || igos_pe_align_raw(&e) < 0)
		goto out;
	if ((sb = igos_pe_section(&e.pe, ".sbat")) != NULL)
		(void)igos_pe_set_section_data(&e, (unsigned)(sb - e.pe.sec), SBAT,
					       sizeof(SBAT) - (size & 1 ? 1 : 40));
	igos_pe_set_dll_characteristics(&e, e.pe.dll_characteristics & ~0x100u);
	for (unsigned i = 0; i < nadd; i++) {
		static const char *const names[] = { ".osrel", ".cmdline", ".initrd", ".linux", ".x" };
		uint32_t vsize = size > i + 3 ? (uint32_t)(data[i] | data[i + 1] << 8) * (i + 1) : 0;

		if (igos_pe_add_section(&e, names[i], vsize, 0x40000040u, 4096) < 0)
			break;
	}
	igos_pe_set_checksum(&e, 0);
	if (e.pe.secdir_off != 0)
		(void)igos_pe_set_cert_table(&e, 0, 0);
	for (unsigned i = 0; i < e.pe.nsections; i++)
		total += e.pe.sec[i].raw_size;
	if (e.end > MAX_OUT || total > MAX_OUT)
		goto out;
	if (igos_out_open(&o, "/tmp/fuzz-peedit.efi", 0, 0) < 0)
		goto out;
	if (igos_pe_edit_write(&e, &o, emit, &e) == 0)
		check_written(&o);
	igos_out_abort(&o);
out:
	igos_pe_edit_free(&e);
}

static void
fixup_edit(const uint8_t *data, size_t size)
{
	struct igos_pe_edit e;

	if (igos_pe_edit_open(&e, data, size) < 0)
		return;
	if (igos_pe_grow_headers(&e, 4096) == 0 && igos_pe_update_checksum(&e) == 0) {
		struct igos_pe pe;

		if (igos_pe_parse(&pe, e.d, e.len) < 0)
			abort();
	}
	igos_pe_edit_free(&e);
}

static void
sign_write(const uint8_t *data, size_t size)
{
	static const unsigned char entry[24] = { 24, 0, 0, 0, 0, 2, 2, 0 };
	struct igos_pe pe;
	struct igos_ac_cert c[4];
	struct igos_pe_piece pc[5];
	struct igos_out o;
	unsigned n = 0;

	if (igos_ac_parse(&pe, data, size) < 0 || pe.secdir_off == 0)
		return;
	if (igos_ac_certs(&pe, c, 4, &n) < 0)
		n = 0;
	for (unsigned i = 0; i < n; i++)
		pc[i] = (struct igos_pe_piece){ NULL, c[i].off, c[i].dwlength };
	pc[n] = (struct igos_pe_piece){ entry, 0, sizeof(entry) };
	if (igos_out_open(&o, "/tmp/fuzz-peedit.efi", 0, 0) < 0)
		return;
	if (igos_pe_write_signed(&o, &pe, -1, 0, igos_pe_content_wordsum(&pe, 0), pc, n + 1) == 0)
		check_written(&o);
	igos_out_abort(&o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ukify_edit(data, size);
	fixup_edit(data, size);
	sign_write(data, size);
	return 0;
}
