/*
 * igos-ukify: build a Unified Kernel Image from a stub, a kernel, initrds and
 * the small text sections, laid out as systemd's ukify does; inspect one.
 */
#include <err.h>
#include <limits.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "igos.h"
#include "pcr.h"
#include "ini.h"

#ifndef IGOS_STUB_PATH
#define IGOS_STUB_PATH "/usr/local/lib/igos/igos-stubx64.efi"
#endif

#define PROG "igos-ukify"

#define SCN_CNT_CODE 0x00000020u
#define SCN_CNT_INITIALIZED_DATA 0x00000040u
#define SCN_MEM_READ 0x40000000u
#define FILE_LOCAL_SYMS_STRIPPED 0x0008u
#define DLL_NX_COMPAT 0x0100u
/* Added sections go on page boundaries whatever the stub declares: 512-byte
 * placement trips OVMF's and shim's memory protection. */
#define PAGE 4096u
#define MAX_NEW 64

static const char SBAT_HEADER[] =
	"sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md";
static const char SBAT_UKI[] =
	"uki,1,UKI,uki,1,https://uapi-group.org/specifications/specs/unified_kernel_image/";

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " build --linux KERNEL [--initrd FILE]... [--cmdline TEXT|@FILE]\n"
		"                  [--os-release TEXT|@FILE] [--uname VERSION] [--devicetree FILE]\n"
		"                  [--splash FILE] [--pcrpkey FILE] [--pcrsig FILE] [--sbat TEXT|@FILE]...\n"
		"                  [--section NAME:TEXT|@FILE]... [--stub FILE] [-c|--config FILE]\n"
		"                  [--pcr-key KEY [--pcr-bank BANK]... [--phase PATH]... [--pin-file F]]\n"
		"                  -o OUT\n"
		"       " PROG " inspect [--json] [--section NAME] UKI\n"
		"       " PROG " config -c FILE NAME...   # print [UKI] settings, one a line\n"
		"       " PROG " -h|--help | -V|--version\n");
}

static _Noreturn void
usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static _Noreturn void
usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	exit(2);
}

static uint64_t
roundup(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

/* ---- inputs --------------------------------------------------------------- */

/*
 * One piece of section content: bytes in memory (text options, pipes) or a
 * regular file copied at write time, so memory does not grow with it.
 */
struct src {
	const char *path;        /* NULL for text */
	int fd;
	size_t len;
	unsigned char *heap;     /* owned bytes, or NULL */
	const unsigned char *map; /* mapping of a file, or NULL */
};

static int
src_text(struct src *s, const void *p, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if ((s->heap = malloc(len ? len : 1)) == NULL)
		return igos_seterr("out of memory");
	memcpy(s->heap, p, len);
	s->len = len;
	return 0;
}

static int
src_file(struct src *s, const char *path)
{
	struct stat st;
	struct igos_buf b;

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->fd = -1;
	if (strcmp(path, "-") == 0)
		goto whole;
	s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (s->fd < 0)
		return igos_seterr_errno("cannot open '%s'", path);
	if (fstat(s->fd, &st) < 0) {
		igos_seterr_errno("cannot stat '%s'", path);
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		igos_seterr_errno("cannot read '%s'", path);
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		unsigned char probe;

		/* a file we may open but not read fails here, not half-way through */
		if (st.st_size > 0 && pread(s->fd, &probe, 1, 0) < 0) {
			igos_seterr_errno("cannot read '%s'", path);
			goto fail;
		}
		if ((uint64_t)st.st_size > UINT32_MAX) {
			igos_seterr("cannot read '%s': larger than 4 GiB", path);
			goto fail;
		}
		s->len = (size_t)st.st_size;
		return 0;
	}
	/* a pipe or a device: read it whole once */
	close(s->fd);
	s->fd = -1;
whole:
	if (igos_buf_read(&b, path, UINT32_MAX) < 0)
		return -1;
	if (src_text(s, b.data, b.len) < 0) {
		igos_buf_free(&b);
		return -1;
	}
	s->path = path;
	igos_buf_free(&b);
	return 0;
fail:
	close(s->fd);
	s->fd = -1;
	return -1;
}

/* The bytes of a source, mapping a file on first use. */
static const unsigned char *
src_bytes(struct src *s)
{
	if (s->heap != NULL)
		return s->heap;
	if (s->map == NULL && s->len > 0) {
		void *m = mmap(NULL, s->len, PROT_READ, MAP_PRIVATE, s->fd, 0);

		if (m == MAP_FAILED) {
			igos_seterr_errno("cannot map '%s'", s->path);
			return NULL;
		}
		s->map = m;
	}
	return s->map;
}

static void
src_free(struct src *s)
{
	if (s->map != NULL)
		munmap((void *)s->map, s->len);
	if (s->fd >= 0)
		close(s->fd);
	free(s->heap);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static int
src_emit(struct igos_out *o, struct src *s)
{
	if (s->len == 0)
		return 0;
	if (s->heap != NULL)
		return igos_out_write(o, s->heap, s->len);
	return igos_out_copy(o, s->fd, 0, s->len);
}

/* TEXT or @FILE */
static int
src_arg(struct src *s, const char *arg)
{
	if (arg[0] == '@')
		return src_file(s, arg + 1);
	return src_text(s, arg, strlen(arg));
}

/* ---- the sections of a build ------------------------------------------- */

struct section {
	char name[9];
	struct src *parts;  /* concatenated, each padded to `pad` bytes */
	size_t nparts;
	unsigned pad;
	uint32_t flags;
	uint64_t len;       /* content length, padding included */
	uint32_t vaddr, raw_off, raw_size;
};

static int
section_init(struct section *sec, const char *name, struct src *parts, size_t nparts,
	     unsigned pad, uint32_t flags)
{
	memset(sec, 0, sizeof(*sec));
	snprintf(sec->name, sizeof(sec->name), "%s", name);
	sec->parts = parts;
	sec->nparts = nparts;
	sec->pad = pad;
	sec->flags = flags;
	for (size_t i = 0; i < nparts; i++) {
		sec->len += parts[i].len;
		if (pad > 1)
			sec->len = roundup(sec->len, pad);
	}
	if (sec->len > UINT32_MAX)
		return igos_seterr("section %s larger than 4 GiB", name);
	return 0;
}

static int
section_emit(struct igos_out *o, const struct section *sec)
{
	uint64_t at = 0;

	for (size_t i = 0; i < sec->nparts; i++) {
		if (src_emit(o, &sec->parts[i]) < 0)
			return -1;
		at += sec->parts[i].len;
		if (sec->pad > 1 && igos_out_zero(o, (size_t)(roundup(at, sec->pad) - at)) < 0)
			return -1;
		if (sec->pad > 1)
			at = roundup(at, sec->pad);
	}
	return 0;
}

/* ---- .uname and .sbat ---------------------------------------------------- */

static int
uname_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '+' || c == '-';
}

/* "VERSION (" at p[0..len): the length of VERSION, or 0. */
static size_t
uname_match(const unsigned char *p, size_t len)
{
	size_t n = 0;

	while (n < len && uname_char(p[n]))
		n++;
	if (n == 0 || n + 2 > len || p[n] != ' ' || p[n + 1] != '(')
		return 0;
	return n;
}

/* The kernel's version: x86 bzImage header, else "Linux version X (" in the
 * image. Returns a heap string, or NULL when there is none. */
static char *
kernel_uname(const unsigned char *k, size_t len)
{
	static const char needle[] = "Linux version ";

	if (len >= 0x210 && memcmp(k + 0x202, "HdrS", 4) == 0) {
		size_t off = 0x200 + (size_t)igos_le16(k + 0x20e), n, max;

		if (off < len) {
			max = len - off < 128 ? len - off : 128;
			n = strnlen((const char *)k + off, max);
			if ((n = uname_match(k + off, n)) > 0)
				return strndup((const char *)k + off, n);
		}
	}
	for (const unsigned char *p = k; len >= sizeof(needle) &&
	     (p = memmem(p, len - (size_t)(p - k), needle, sizeof(needle) - 1)) != NULL; p++) {
		const unsigned char *v = p + sizeof(needle) - 1;
		size_t n, rest = len - (size_t)(v - k);

		if (rest > 0 && *v >= '0' && *v <= '9' && (n = uname_match(v, rest < 128 ? rest : 128)))
			return strndup((const char *)v, n);
	}
	return NULL;
}

/*
 * Add the lines of an SBAT text after its "sbat," header line to out (each
 * followed by '\n'). A text whose first line is not an SBAT header is
 * reported and skipped, as ukify does. NULs at the end are dropped.
 */
static int
sbat_lines(struct igos_text *out, const unsigned char *p, size_t len, const char *what)
{
	const unsigned char *e = p + len, *nl;
	int first = 1;

	while (e > p && e[-1] == '\0')
		e--;
	if (memchr(p, '\0', (size_t)(e - p)) != NULL)
		return igos_seterr("SBAT of %s contains a NUL byte", what);
	for (; p < e; p = nl + 1) {
		const unsigned char *le;

		nl = memchr(p, '\n', (size_t)(e - p));
		if (nl == NULL)
			nl = e;
		le = nl;
		if (le > p && le[-1] == '\r')
			le--;
		if (first) {
			first = 0;
			if (le - p < 5 || memcmp(p, "sbat,", 5) != 0) {
				warnx("%s has no SBAT header line, its SBAT is not used", what);
				return 0;
			}
			continue;
		}
		if (le == p)
			continue;
		if (igos_text_add(out, p, (size_t)(le - p)) < 0 || igos_text_add(out, "\n", 1) < 0)
			return -1;
	}
	return 0;
}

/* ---- PE assembly ----------------------------------------------------------- */

struct stub {
	unsigned char *d;   /* the stub as it will be written (headers patched) */
	size_t len;
	struct igos_buf buf; /* the original */
	struct igos_pe pe;  /* its parse */
	uint32_t *raw_off;  /* per stub section, after alignment */
	uint32_t *raw_size;
};

/*
 * Load the stub: refuse a signed one, drop a COFF symbol table at its end,
 * round section raw pointers/sizes and SizeOfHeaders up to FileAlignment
 * (moving data as needed).
 */
static int
stub_load(struct stub *st, const char *path)
{
	struct igos_buf *bp = &st->buf, b;
	struct igos_pe *pe = &st->pe;
	unsigned char *d = NULL;
	size_t len;
	uint32_t fa;

	memset(st, 0, sizeof(*st));
	if (igos_buf_read(&b, path, 64u << 20) < 0)
		return -1;
	if (igos_pe_parse(pe, b.data, b.len) < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", igos_errmsg());
		igos_seterr("stub '%s': %s", path, msg);
		goto fail;
	}
	if (pe->cert_off != 0 || pe->cert_size != 0) {
		igos_seterr("stub '%s' is signed; an unsigned stub is needed", path);
		goto fail;
	}
	len = b.len;
	if (pe->symtab_off != 0) {
		uint64_t end = (uint64_t)pe->symtab_off + 18ull * pe->nsyms;

		if (end + 4 <= len)
			end += igos_le32(b.data + end);
		if (end == len)
			len = pe->symtab_off;
	}
	fa = pe->file_align;
	if ((d = malloc(len + (size_t)pe->nsections * 2 * fa + fa)) == NULL) {
		igos_seterr("out of memory");
		goto fail;
	}
	memcpy(d, b.data, len);
	if (len != b.len) {
		igos_put_le32(d + pe->pe_off + 12, 0);
		igos_put_le32(d + pe->pe_off + 16, 0);
		igos_put_le16(d + pe->pe_off + 22, pe->characteristics | FILE_LOCAL_SYMS_STRIPPED);
	}
	st->raw_off = calloc(pe->nsections + 1, sizeof(uint32_t));
	st->raw_size = calloc(pe->nsections + 1, sizeof(uint32_t));
	if (st->raw_off == NULL || st->raw_size == NULL) {
		igos_seterr("out of memory");
		goto fail;
	}
	for (unsigned i = 0; i < pe->nsections; i++) {
		st->raw_off[i] = pe->sec[i].raw_off;
		st->raw_size[i] = pe->sec[i].raw_size;
	}
	for (unsigned i = 0; i < pe->nsections; i++) {
		uint32_t op = st->raw_off[i], os = st->raw_size[i];
		uint64_t np = roundup(op, fa), ns = roundup(os, fa);
		size_t padp = (size_t)(np - op), pads = (size_t)(ns - os);

		if (os == 0)
			continue;
		if ((uint64_t)op + os > len) {
			igos_seterr("stub '%s': section %s runs into the symbol table", path,
				    pe->sec[i].name);
			goto fail;
		}
		if (padp == 0 && pads == 0)
			continue;
		/* d[0..op) + zeros(padp) + d[op..op+os) + zeros(pads) + d[op+os..len) */
		memmove(d + op + padp + os + pads, d + op + os, len - op - os);
		memmove(d + op + padp, d + op, os);
		memset(d + op, 0, padp);
		memset(d + op + padp + os, 0, pads);
		len += padp + pads;
		st->raw_off[i] = (uint32_t)np;
		st->raw_size[i] = (uint32_t)ns;
		for (unsigned j = i + 1; j < pe->nsections; j++)
			st->raw_off[j] += (uint32_t)(padp + pads);
	}
	for (unsigned i = 0; i < pe->nsections; i++) {
		igos_put_le32(d + pe->sec[i].hdr_off + 16, st->raw_size[i]);
		igos_put_le32(d + pe->sec[i].hdr_off + 20, st->raw_off[i]);
	}
	igos_put_le32(d + pe->opt_off + 60, (uint32_t)roundup(pe->size_of_headers, fa));
	st->d = d;
	st->len = len;
	*bp = b; /* pe->data points into it: kept for the stub's lifetime */
	return 0;
fail:
	free(d);
	free(st->raw_off);
	free(st->raw_size);
	igos_buf_free(&b);
	memset(st, 0, sizeof(*st));
	return -1;
}

struct build {
	const char *linux_path, *cmdline, *osrel, *uname, *dtb, *splash, *pcrpkey, *pcrsig;
	const char *stub_path, *out;
	const char **initrds;
	size_t ninitrds;
	const char **sbats;
	size_t nsbats;
	const char **extra;  /* NAME:TEXT|@FILE */
	size_t nextra;
	/* --pcr-key: a .pcrsig signed over the final measured sections */
	struct igos_signer *pcr_signer;
	unsigned pcr_banks;
	const char **phases;  /* NULL: systemd's four */
	size_t nphases;
};

static const char *const RESERVED[] = {
	".osrel", ".cmdline", ".dtb", ".uname", ".splash", ".pcrpkey", ".initrd",
	".linux", ".sbat", ".pcrsig", NULL,
};

/* Exits 2 on a name igos-ukify cannot take. */
static void
check_name(const char *name, size_t n)
{
	if (n == 0)
		usage_err("--section: empty section name");
	if (n > 8)
		usage_err("section name '%.*s' is longer than 8 characters", (int)n, name);
	for (size_t i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] > '~')
			usage_err("section name '%.*s' is not printable ASCII", (int)n, name);
	for (int i = 0; RESERVED[i]; i++)
		if (strlen(RESERVED[i]) == n && memcmp(RESERVED[i], name, n) == 0)
			usage_err("section %s is written by " PROG "; use its own option",
				  RESERVED[i]);
}

static char *
collapse_ws(const char *s)
{
	char *r = malloc(strlen(s) + 1), *w = r;
	int sp = 0;

	if (r == NULL)
		return NULL;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' ||
		    *s == '\v') {
			sp = w != r;
			continue;
		}
		if (sp)
			*w++ = ' ';
		sp = 0;
		*w++ = *s;
	}
	*w = '\0';
	return r;
}

/* Digest a section's contents (VirtualSize bytes, padding included) into in. */
static int
pcr_section(struct igos_pcr_input *in, int idx, struct section *sec)
{
	static const unsigned char zero[8];

	if (idx < 0 || sec->len == 0)
		return 0;
	for (int b = 0; b < IGOS_BANK_N; b++) {
		EVP_MD_CTX *c;
		uint64_t at = 0;
		int ok;

		if (!(in->banks & (1u << b)))
			continue;
		if ((c = EVP_MD_CTX_new()) == NULL)
			return igos_seterr("out of memory");
		ok = EVP_DigestInit_ex(c, igos_pcr_bank_md(b), NULL) == 1;
		for (size_t i = 0; ok && i < sec->nparts; i++) {
			struct src *p = &sec->parts[i];
			const unsigned char *d = p->len ? src_bytes(p) : NULL;

			if (p->len && d == NULL) {
				EVP_MD_CTX_free(c);
				return -1;
			}
			ok = EVP_DigestUpdate(c, d, p->len) == 1;
			at += p->len;
			if (sec->pad > 1) {
				ok = ok && EVP_DigestUpdate(c, zero, roundup(at, sec->pad) - at) == 1;
				at = roundup(at, sec->pad);
			}
		}
		ok = ok && EVP_DigestFinal_ex(c, in->digest[idx][b], NULL) == 1;
		EVP_MD_CTX_free(c);
		if (!ok)
			return igos_seterr_ssl("digest failed");
	}
	in->present[idx] = 1;
	in->size[idx] = sec->len;
	return 0;
}

/*
 * The .pcrsig for the sections as they will be laid out: the same PCR 11
 * prediction igos-measure makes for the finished UKI (the stub's measured set:
 * systemd 252's stub measures fewer sections than igos' own).
 */
static char *
pcrsig_make(struct build *bo, struct stub *st, struct section *secs, size_t nsecs,
	    const char *sbat, size_t sbat_len)
{
	struct igos_pcr_input in;
	int old = igos_pcr_stub252(&st->pe);

	igos_pcr_input_init(&in, bo->pcr_banks);
	for (size_t i = 0; i < nsecs; i++)
		if (pcr_section(&in, igos_pcr_section_index(secs[i].name), &secs[i]) < 0)
			return NULL;
	if (igos_pcr_input_set(&in, IGOS_SEC_SBAT, sbat, sbat_len) < 0)
		return NULL;
	if (old) {
		in.present[IGOS_SEC_UNAME] = in.present[IGOS_SEC_SBAT] = 0;
		in.present[IGOS_SEC_UCODE] = 0;
	}
	return igos_pcrsig_build_signer(&in, bo->pcr_banks, bo->phases, bo->nphases,
					bo->pcr_signer);
}

static int
do_build(struct build *bo)
{
	struct stub st;
	struct src *srcs = NULL;
	size_t nsrcs = 0;
	struct section secs[MAX_NEW];
	size_t nsecs = 0;
	struct src kernel, *k;
	struct igos_text sbat = {0};
	char *uname = NULL, *cmd = NULL;
	const struct igos_pe_section *ssbat;
	struct igos_out out;
	int rc = -1, sbat_idx = -1, out_open = 0;
	uint64_t end, va;
	uint32_t fa, init_data, sa;

	memset(&kernel, 0, sizeof(kernel));
	kernel.fd = -1;
	if (stub_load(&st, bo->stub_path) < 0)
		return -1;
	fa = st.pe.file_align;
	if (roundup(st.pe.size_of_headers, fa) > st.len) {
		igos_seterr("stub '%s': SizeOfHeaders past the end of its sections",
			    bo->stub_path);
		goto out;
	}
	sa = st.pe.section_align > PAGE ? st.pe.section_align : PAGE;
	/* every source: at most one per option, plus initrds and extras */
	srcs = calloc(8 + bo->ninitrds + bo->nextra, sizeof(*srcs));
	if (srcs == NULL) {
		igos_seterr("out of memory");
		goto out;
	}
	for (size_t i = 0; i < 8 + bo->ninitrds + bo->nextra; i++)
		srcs[i].fd = -1;

	if (src_file(&kernel, bo->linux_path) < 0)
		goto out;
	k = &kernel;
	if (k->len == 0) {
		igos_seterr("kernel '%s' is empty", bo->linux_path);
		goto out;
	}

#define ADD(name, first, n, pad, flags)                                                    \
	do {                                                                               \
		if (nsecs == MAX_NEW) {                                                    \
			igos_seterr("too many sections");                                  \
			goto out;                                                          \
		}                                                                          \
		if (section_init(&secs[nsecs++], name, first, n, pad, flags) < 0)          \
			goto out;                                                          \
	} while (0)
#define DATA (SCN_CNT_INITIALIZED_DATA | SCN_MEM_READ)

	/* .osrel */
	{
		const char *o = bo->osrel;
		struct src *s = &srcs[nsrcs];

		if (o == NULL) {
			if (access("/etc/os-release", F_OK) == 0)
				o = "@/etc/os-release";
			else if (access("/usr/lib/os-release", F_OK) == 0)
				o = "@/usr/lib/os-release";
			else
				warnx("no /etc/os-release or /usr/lib/os-release: no .osrel section");
		}
		if (o != NULL) {
			if (src_arg(s, o) < 0)
				goto out;
			nsrcs++;
			ADD(".osrel", s, 1, 1, DATA);
		}
	}
	/* .cmdline: a text has its white space collapsed; a file is verbatim */
	if (bo->cmdline != NULL) {
		struct src *s = &srcs[nsrcs];

		if (bo->cmdline[0] == '@') {
			if (src_file(s, bo->cmdline + 1) < 0)
				goto out;
		} else {
			if ((cmd = collapse_ws(bo->cmdline)) == NULL ||
			    src_text(s, cmd, strlen(cmd)) < 0) {
				igos_seterr("out of memory");
				goto out;
			}
		}
		nsrcs++;
		ADD(".cmdline", s, 1, 1, DATA);
	}
	if (bo->dtb != NULL) {
		if (src_file(&srcs[nsrcs], bo->dtb) < 0)
			goto out;
		ADD(".dtb", &srcs[nsrcs], 1, 1, DATA);
		nsrcs++;
	}
	/* .uname */
	if (bo->uname != NULL) {
		uname = strdup(bo->uname);
	} else {
		const unsigned char *kb = src_bytes(k);

		if (kb == NULL)
			goto out;
		uname = kernel_uname(kb, k->len);
		if (uname == NULL)
			warnx("cannot find the kernel version in '%s': no .uname section "
			      "(give --uname)", bo->linux_path);
	}
	if (uname != NULL) {
		if (src_text(&srcs[nsrcs], uname, strlen(uname)) < 0)
			goto out;
		ADD(".uname", &srcs[nsrcs], 1, 1, DATA);
		nsrcs++;
	}
	if (bo->splash != NULL) {
		if (src_file(&srcs[nsrcs], bo->splash) < 0)
			goto out;
		ADD(".splash", &srcs[nsrcs], 1, 1, DATA);
		nsrcs++;
	}
	if (bo->pcrpkey != NULL) {
		if (src_file(&srcs[nsrcs], bo->pcrpkey) < 0)
			goto out;
		ADD(".pcrpkey", &srcs[nsrcs], 1, 1, DATA);
		nsrcs++;
	} else if (bo->pcr_signer != NULL) {
		size_t n;
		char *pem = igos_pcr_pubkey_pem(igos_signer_pubkey(bo->pcr_signer), &n);

		if (pem == NULL || src_text(&srcs[nsrcs], pem, n) < 0) {
			free(pem);
			goto out;
		}
		free(pem);
		ADD(".pcrpkey", &srcs[nsrcs], 1, 1, DATA);
		nsrcs++;
	}
	/* .initrd: one verbatim, several each padded to 4 bytes */
	if (bo->ninitrds > 0) {
		struct src *first = &srcs[nsrcs];

		for (size_t i = 0; i < bo->ninitrds; i++)
			if (src_file(&srcs[nsrcs++], bo->initrds[i]) < 0)
				goto out;
		ADD(".initrd", first, bo->ninitrds, bo->ninitrds > 1 ? 4 : 1, DATA);
	}
	/* --section NAME:TEXT|@FILE, in the order given */
	for (size_t i = 0; i < bo->nextra; i++) {
		const char *colon = strchr(bo->extra[i], ':');
		char name[9];

		snprintf(name, sizeof(name), "%.*s", (int)(colon - bo->extra[i]), bo->extra[i]);
		if (src_arg(&srcs[nsrcs], colon + 1) < 0)
			goto out;
		ADD(name, &srcs[nsrcs], 1, 1, DATA);
		nsrcs++;
	}
	ADD(".linux", k, 1, 1, SCN_CNT_CODE | SCN_MEM_READ);

	/* .sbat: the stub's, the kernel's (if a PE with one), each --sbat or the
	 * default UKI line, merged into the stub's own .sbat */
	ssbat = igos_pe_section(&st.pe, ".sbat");
	if (ssbat == NULL) {
		igos_seterr("stub '%s' has no .sbat section", bo->stub_path);
		goto out;
	}
	sbat_idx = (int)(ssbat - st.pe.sec);
	if (igos_text_add(&sbat, SBAT_HEADER, sizeof(SBAT_HEADER) - 1) < 0 ||
	    igos_text_add(&sbat, "\n", 1) < 0)
		goto out;
	{
		const struct igos_pe_section *s = ssbat;
		size_t n = s->vsize < s->raw_size ? s->vsize : s->raw_size;
		char what[PATH_MAX + 16];
		struct igos_pe kpe;
		const unsigned char *kb;

		snprintf(what, sizeof(what), "stub '%s'", bo->stub_path);
		if (sbat_lines(&sbat, st.pe.data + s->raw_off, n, what) < 0)
			goto out;
		if ((kb = src_bytes(k)) == NULL)
			goto out;
		if (k->len >= 2 && kb[0] == 'M' && kb[1] == 'Z' && igos_pe_parse(&kpe, kb, k->len) == 0 &&
		    !(kpe.dll_characteristics & DLL_NX_COMPAT)) {
			/* as ukify: the UKI claims NX compatibility only if its kernel does */
			uint16_t dc = igos_le16(st.d + st.pe.opt_off + 70);

			igos_put_le16(st.d + st.pe.opt_off + 70, dc & (uint16_t)~DLL_NX_COMPAT);
		}
		if (k->len >= 2 && kb[0] == 'M' && kb[1] == 'Z' &&
		    igos_pe_parse(&kpe, kb, k->len) == 0 &&
		    (s = igos_pe_section(&kpe, ".sbat")) != NULL) {
			n = s->vsize < s->raw_size ? s->vsize : s->raw_size;
			snprintf(what, sizeof(what), "kernel '%s'", bo->linux_path);
			if (sbat_lines(&sbat, kb + s->raw_off, n, what) < 0)
				goto out;
		}
		if (bo->nsbats == 0) {
			if (igos_text_add(&sbat, SBAT_UKI, sizeof(SBAT_UKI) - 1) < 0 ||
			    igos_text_add(&sbat, "\n", 1) < 0)
				goto out;
		}
		for (size_t i = 0; i < bo->nsbats; i++) {
			struct src t;
			int r;

			if (src_arg(&t, bo->sbats[i]) < 0)
				goto out;
			snprintf(what, sizeof(what), "--sbat '%s'", bo->sbats[i]);
			r = sbat_lines(&sbat, src_bytes(&t), t.len, what);
			src_free(&t);
			if (r < 0)
				goto out;
		}
		/* joined by '\n', ending "\n\0" */
		if (igos_text_add(&sbat, "", 1) < 0)
			goto out;
		if (sbat.len > st.raw_size[sbat_idx]) {
			igos_seterr("stub '%s': its .sbat section has room for %u bytes, the "
				    "merged SBAT needs %zu", bo->stub_path, st.raw_size[sbat_idx],
				    sbat.len);
			goto out;
		}
		memcpy(st.d + st.raw_off[sbat_idx], sbat.p, sbat.len);
		memset(st.d + st.raw_off[sbat_idx] + sbat.len, 0,
		       st.raw_size[sbat_idx] - sbat.len);
		igos_put_le32(st.d + ssbat->hdr_off + 8, (uint32_t)sbat.len);
	}
	if (bo->pcrsig != NULL) {
		if (src_file(&srcs[nsrcs], bo->pcrsig) < 0)
			goto out;
		ADD(".pcrsig", &srcs[nsrcs], 1, 1, DATA);
		nsrcs++;
	} else if (bo->pcr_signer != NULL) {
		char *json = pcrsig_make(bo, &st, secs, nsecs, sbat.p, sbat.len);

		if (json == NULL || src_text(&srcs[nsrcs], json, strlen(json)) < 0) {
			free(json);
			goto out;
		}
		free(json);
		ADD(".pcrsig", &srcs[nsrcs], 1, 1, DATA);
		nsrcs++;
	}
#undef ADD
#undef DATA

	/* Layout: headers must fit, each new section page-aligned after the last. */
	{
		const struct igos_pe *pe = &st.pe;
		uint64_t hdr = pe->shdr_off + 40ull * pe->nsections;
		uint32_t soh = igos_le32(st.d + pe->opt_off + 60);
		unsigned last = 0;

		for (size_t i = 0; i < nsecs; i++) {
			if (hdr + 40ull * (i + 1) > soh) {
				igos_seterr("stub '%s': not enough header space to add section %s",
					    bo->stub_path, secs[i].name);
				goto out;
			}
		}
		for (unsigned i = 0; i < pe->nsections; i++) {
			if (st.raw_size[i] && st.raw_off[i] < soh) {
				igos_seterr("stub '%s': section %s overlaps the headers",
					    bo->stub_path, pe->sec[i].name);
				goto out;
			}
			if (pe->sec[i].vaddr >= pe->sec[last].vaddr)
				last = i;
		}
		va = pe->nsections ? (uint64_t)pe->sec[last].vaddr + pe->sec[last].vsize : soh;
		end = st.len;
		init_data = igos_le32(st.d + pe->opt_off + 8);
		for (size_t i = 0; i < nsecs; i++) {
			struct section *s = &secs[i];
			unsigned char *h = st.d + hdr + 40 * i;

			va = roundup(va, sa);
			end = roundup(end, fa);
			s->vaddr = (uint32_t)va;
			s->raw_off = (uint32_t)end;
			s->raw_size = (uint32_t)roundup(s->len, fa);
			va += s->len;
			end += s->raw_size;
			if (va > UINT32_MAX || end > UINT32_MAX) {
				igos_seterr("the UKI would be larger than 4 GiB");
				goto out;
			}
			memset(h, 0, 40);
			memcpy(h, s->name, strlen(s->name));
			igos_put_le32(h + 8, (uint32_t)s->len);
			igos_put_le32(h + 12, s->vaddr);
			igos_put_le32(h + 16, s->raw_size);
			igos_put_le32(h + 20, s->raw_off);
			igos_put_le32(h + 36, s->flags);
			init_data += (uint32_t)s->len;
		}
		igos_put_le16(st.d + pe->pe_off + 6, (uint16_t)(pe->nsections + nsecs));
		igos_put_le32(st.d + pe->opt_off + 8, init_data);
		igos_put_le32(st.d + pe->opt_off + 56, (uint32_t)roundup(va, sa));
		/* no checksum, as ukify: it would need a second pass over the whole image */
		igos_put_le32(st.d + pe->checksum_off, 0);
	}

	if (igos_out_open(&out, bo->out, 0, 0) < 0)
		goto out;
	out_open = 1;
	if (igos_out_write(&out, st.d, st.len) < 0)
		goto out;
	for (size_t i = 0; i < nsecs; i++) {
		if (igos_out_zero(&out, secs[i].raw_off - (size_t)out.written) < 0 ||
		    section_emit(&out, &secs[i]) < 0 ||
		    igos_out_zero(&out, secs[i].raw_size - secs[i].len) < 0)
			goto out;
	}
	out_open = 0;
	if (igos_out_commit(&out) < 0)
		goto out;
	rc = 0;
out:
	if (out_open)
		igos_out_abort(&out);
	for (size_t i = 0; i < nsrcs; i++)
		src_free(&srcs[i]);
	src_free(&kernel);
	free(srcs);
	free(sbat.p);
	free(uname);
	free(cmd);
	igos_buf_free(&st.buf);
	free(st.d);
	free(st.raw_off);
	free(st.raw_size);
	return rc;
}

/* ---- inspect ------------------------------------------------------------- */

static const char *const TEXT_SECTIONS[] = {
	".cmdline", ".osrel", ".uname", ".sbat", ".pcrsig", ".pcrpkey", NULL,
};

static int
is_text_section(const char *name)
{
	for (int i = 0; TEXT_SECTIONS[i]; i++)
		if (strcmp(name, TEXT_SECTIONS[i]) == 0)
			return 1;
	return 0;
}

static int
valid_utf8(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i], need;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return 0;
		if (n - i <= need)
			return 0;
		for (unsigned j = 1; j <= need; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += need + 1;
	}
	return 1;
}

static void
json_string(const unsigned char *p, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static int
do_inspect(const char *path, int json, const char *only)
{
	struct igos_buf b;
	struct igos_pe pe;
	int rc = -1, shown = 0;

	if (igos_buf_read(&b, path, 0) < 0)
		return -1;
	if (igos_pe_parse(&pe, b.data, b.len) < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", igos_errmsg());
		igos_seterr("'%s': %s", path, msg);
		goto out;
	}
	if (json)
		putchar('{');
	for (unsigned i = 0; i < pe.nsections; i++) {
		const struct igos_pe_section *s = &pe.sec[i];
		size_t have = s->vsize < s->raw_size ? s->vsize : s->raw_size;
		const unsigned char *d = b.data + s->raw_off;
		unsigned char md[EVP_MAX_MD_SIZE];
		char hex[2 * 32 + 1];
		static const unsigned char zero[4096];
		EVP_MD_CTX *ctx;

		if (only != NULL) {
			if (strcmp(s->name, only) != 0)
				continue;
			if (fwrite(d, 1, have, stdout) != have)
				goto wfail;
			for (size_t z = have; z < s->vsize; z += sizeof(zero)) {
				size_t n = s->vsize - z < sizeof(zero) ? s->vsize - z : sizeof(zero);

				if (fwrite(zero, 1, n, stdout) != n)
					goto wfail;
			}
			shown = 1;
			break;
		}
		/* sha256 of VirtualSize bytes: the raw data, zeros past it */
		if ((ctx = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
		    !EVP_DigestUpdate(ctx, d, have)) {
			EVP_MD_CTX_free(ctx);
			igos_seterr_ssl("sha256");
			goto out;
		}
		for (size_t z = have; z < s->vsize; z += sizeof(zero)) {
			size_t n = s->vsize - z < sizeof(zero) ? s->vsize - z : sizeof(zero);

			if (!EVP_DigestUpdate(ctx, zero, n)) {
				EVP_MD_CTX_free(ctx);
				igos_seterr_ssl("sha256");
				goto out;
			}
		}
		if (!EVP_DigestFinal_ex(ctx, md, NULL)) {
			EVP_MD_CTX_free(ctx);
			igos_seterr_ssl("sha256");
			goto out;
		}
		EVP_MD_CTX_free(ctx);
		igos_hex_encode(md, 32, hex);
		if (json) {
			if (shown)
				putchar(',');
			/* JSON cannot carry bytes that are not UTF-8: such a name
			 * is given in its escaped form */
			if (valid_utf8((const unsigned char *)s->name, strlen(s->name))) {
				json_string((const unsigned char *)s->name, strlen(s->name));
			} else {
				char *e = igos_escape(s->name, strlen(s->name), 0);

				if (e == NULL) {
					igos_seterr("out of memory");
					goto out;
				}
				json_string((const unsigned char *)e, strlen(e));
				free(e);
			}
			printf(":{\"size\":%u,\"sha256\":\"%s\"", s->vsize, hex);
			if (is_text_section(s->name)) {
				fputs(",\"text\":", stdout);
				if (have == s->vsize && valid_utf8(d, have))
					json_string(d, have);
				else
					fputs("\"(not valid UTF-8)\"", stdout);
			}
			putchar('}');
		} else {
			/* names and text come from the file: escaped, so that no
			 * byte in them reaches the terminal as a control */
			if (igos_print_escaped(stdout, s->name, strlen(s->name), 0) < 0)
				goto wfail;
			printf(":\n  size: %u bytes\n  sha256: %s\n", s->vsize, hex);
			if (is_text_section(s->name)) {
				size_t n = have;

				while (n > 0 && (d[n - 1] == '\0' || d[n - 1] == '\n' ||
						 d[n - 1] == ' ' || d[n - 1] == '\t' || d[n - 1] == '\r'))
					n--;
				fputs("  text:\n", stdout);
				if (!valid_utf8(d, n) || memchr(d, '\0', n) != NULL) {
					fputs("    (not valid UTF-8)\n", stdout);
				} else {
					for (size_t a = 0; a < n;) {
						const unsigned char *nl = memchr(d + a, '\n', n - a);
						size_t e = nl ? (size_t)(nl - d) : n;

						fputs("    ", stdout);
						if (igos_print_escaped(stdout, d + a, e - a,
								       IGOS_ESC_LINES) < 0)
							goto wfail;
						putchar('\n');
						a = e + 1;
					}
				}
			}
		}
		shown = 1;
	}
	if (only != NULL && !shown) {
		igos_seterr("'%s' has no section %s", path, only);
		goto out;
	}
	if (json)
		fputs("}\n", stdout);
	if (fflush(stdout) != 0)
		goto wfail;
	rc = 0;
	goto out;
wfail:
	igos_seterr_errno("cannot write to standard output");
out:
	igos_buf_free(&b);
	return rc;
}

/* ---- --config ------------------------------------------------------------ */

struct config {
	const char *path;
	char *linux_path, *cmdline, *osrel, *uname, *dtb, *splash, *pcrpkey, *stub, *sbat;
	char *initrd; /* white-space separated list */
	char *pcr_key;
};

/* [UKI] settings of ukify's that are another tool's job here (the signing is
 * igos-sign's, in the kernel-install hook): known, so not reported. */
static const char *const OTHER_TOOLS_KEYS[] = {
	"SecureBootPrivateKey", "SecureBootCertificate", "SecureBootCertificateDir",
	"SecureBootCertificateName", "SecureBootCertificateValidity", "SigningEngine",
	"SecureBootSigningTool", "SignKernel", NULL,
};

static int
config_key(void *ctx, const char *sec, size_t slen, const char *key, size_t klen,
	   const char *val, size_t vlen, unsigned line)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{"Linux", offsetof(struct config, linux_path)},
		{"Initrd", offsetof(struct config, initrd)},
		{"Cmdline", offsetof(struct config, cmdline)},
		{"OSRelease", offsetof(struct config, osrel)},
		{"DeviceTree", offsetof(struct config, dtb)},
		{"Splash", offsetof(struct config, splash)},
		{"Uname", offsetof(struct config, uname)},
		{"SBAT", offsetof(struct config, sbat)},
		{"Stub", offsetof(struct config, stub)},
		{"PCRPKey", offsetof(struct config, pcrpkey)},
		{"PCRPrivateKey", offsetof(struct config, pcr_key)},
	};
	struct config *c = ctx;

	(void)slen;
	if (strcmp(sec, "UKI") == 0) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			char **f = (char **)((char *)c + keys[i].off);

			if (strcmp(key, keys[i].key) != 0)
				continue;
			free(*f);
			if ((*f = strndup(val, vlen)) == NULL)
				return igos_seterr("out of memory");
			return 0;
		}
		for (size_t i = 0; OTHER_TOOLS_KEYS[i] != NULL; i++)
			if (strcmp(key, OTHER_TOOLS_KEYS[i]) == 0)
				return 0;
	}
	(void)klen;
	warnx("'%s' line %u: unknown setting [%s] %s=, ignored", c->path, line, sec, key);
	return 0;
}

static int
config_read(struct config *c, const char *path)
{
	struct igos_buf b;
	int r;

	memset(c, 0, sizeof(*c));
	c->path = path;
	if (igos_buf_read(&b, path, 1 << 20) < 0)
		return -1;
	r = igos_ini_parse((const char *)b.data, b.len, config_key, c);
	igos_buf_free(&b);
	if (r < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", igos_errmsg());
		return igos_seterr("'%s' %s", path, msg);
	}
	return 0;
}

static void
config_free(struct config *c)
{
	free(c->linux_path);
	free(c->cmdline);
	free(c->osrel);
	free(c->uname);
	free(c->dtb);
	free(c->splash);
	free(c->pcrpkey);
	free(c->stub);
	free(c->sbat);
	free(c->initrd);
	free(c->pcr_key);
}

/* ---- main ---------------------------------------------------------------- */

static void
once(const char **slot, const char *val, const char *opt)
{
	if (*slot != NULL)
		usage_err("%s given twice", opt);
	*slot = val;
}

static void
append(const char ***list, size_t *n, const char *val)
{
	const char **l = realloc(*list, (*n + 1) * sizeof(**list));

	if (l == NULL)
		errx(1, "out of memory");
	l[(*n)++] = val;
	*list = l;
}

/* ---- config: settings of [UKI] for scripts (the kernel-install hook) ------ */

struct lookup {
	char **names;
	char **values; /* last one wins, as in ukify */
	int n;
};

static int
lookup_key(void *ctx, const char *sec, size_t slen, const char *key, size_t klen,
	   const char *val, size_t vlen, unsigned line)
{
	struct lookup *l = ctx;

	(void)slen;
	(void)klen;
	(void)line;
	if (strcmp(sec, "UKI") != 0)
		return 0;
	for (int i = 0; i < l->n; i++) {
		if (strcmp(key, l->names[i]) != 0)
			continue;
		free(l->values[i]);
		if ((l->values[i] = strndup(val, vlen)) == NULL)
			return igos_seterr("out of memory");
	}
	return 0;
}

static int
main_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	struct lookup l;
	struct igos_buf b;
	int c, r;

	while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': once(&path, optarg, "--config"); break;
		case 'h': usage(stdout); exit(0);
		default: exit(2);
		}
	}
	if (path == NULL)
		usage_err("config needs -c FILE");
	if (optind == argc)
		usage_err("config needs the NAME of a setting");
	for (int i = optind; i < argc; i++) {
		if (argv[i][0] == '\0' || strpbrk(argv[i], "= \t\n[]") != NULL)
			usage_err("'%s' is not a setting name", argv[i]);
	}
	l.names = argv + optind;
	l.n = argc - optind;
	if ((l.values = calloc((size_t)l.n, sizeof(*l.values))) == NULL)
		errx(1, "out of memory");
	if (igos_buf_read(&b, path, 1 << 20) < 0)
		errx(1, "%s", igos_errmsg());
	r = igos_ini_parse((const char *)b.data, b.len, lookup_key, &l);
	igos_buf_free(&b);
	if (r < 0)
		errx(1, "'%s' %s", path, igos_errmsg());
	for (int i = 0; i < l.n; i++) {
		printf("%s\n", l.values[i] ? l.values[i] : "");
		free(l.values[i]);
	}
	free(l.values);
	if (fflush(stdout) != 0 || ferror(stdout))
		err(1, "cannot write to standard output");
	return 0;
}

enum {
	OPT_LINUX = 256, OPT_INITRD, OPT_CMDLINE, OPT_OSREL, OPT_UNAME, OPT_DTB, OPT_SPLASH,
	OPT_PCRPKEY, OPT_PCRSIG, OPT_SBAT, OPT_SECTION, OPT_STUB, OPT_JSON,
	OPT_PCRKEY, OPT_PCRBANK, OPT_PHASE, OPT_PINFILE,
};

static int
main_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{"linux", required_argument, NULL, OPT_LINUX},
		{"initrd", required_argument, NULL, OPT_INITRD},
		{"cmdline", required_argument, NULL, OPT_CMDLINE},
		{"os-release", required_argument, NULL, OPT_OSREL},
		{"uname", required_argument, NULL, OPT_UNAME},
		{"devicetree", required_argument, NULL, OPT_DTB},
		{"splash", required_argument, NULL, OPT_SPLASH},
		{"pcrpkey", required_argument, NULL, OPT_PCRPKEY},
		{"pcrsig", required_argument, NULL, OPT_PCRSIG},
		{"sbat", required_argument, NULL, OPT_SBAT},
		{"section", required_argument, NULL, OPT_SECTION},
		{"stub", required_argument, NULL, OPT_STUB},
		{"pcr-key", required_argument, NULL, OPT_PCRKEY},
		{"pcr-bank", required_argument, NULL, OPT_PCRBANK},
		{"phase", required_argument, NULL, OPT_PHASE},
		{"pin-file", required_argument, NULL, OPT_PINFILE},
		{"config", required_argument, NULL, 'c'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct build bo;
	struct config cfg;
	const char *config = NULL, *pcr_key = NULL, *pin_file = NULL;
	int c, rc;

	memset(&bo, 0, sizeof(bo));
	memset(&cfg, 0, sizeof(cfg));
	while ((c = getopt_long(argc, argv, "c:o:hV", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LINUX: once(&bo.linux_path, optarg, "--linux"); break;
		case OPT_INITRD: append(&bo.initrds, &bo.ninitrds, optarg); break;
		case OPT_CMDLINE: once(&bo.cmdline, optarg, "--cmdline"); break;
		case OPT_OSREL: once(&bo.osrel, optarg, "--os-release"); break;
		case OPT_UNAME: once(&bo.uname, optarg, "--uname"); break;
		case OPT_DTB: once(&bo.dtb, optarg, "--devicetree"); break;
		case OPT_SPLASH: once(&bo.splash, optarg, "--splash"); break;
		case OPT_PCRPKEY: once(&bo.pcrpkey, optarg, "--pcrpkey"); break;
		case OPT_PCRSIG: once(&bo.pcrsig, optarg, "--pcrsig"); break;
		case OPT_SBAT: append(&bo.sbats, &bo.nsbats, optarg); break;
		case OPT_SECTION: {
			const char *colon = strchr(optarg, ':');

			if (colon == NULL)
				usage_err("--section '%s': expected NAME:TEXT or NAME:@FILE", optarg);
			check_name(optarg, (size_t)(colon - optarg));
			for (size_t i = 0; i < bo.nextra; i++) {
				const char *o = bo.extra[i];

				if (strchr(o, ':') - o == colon - optarg &&
				    memcmp(o, optarg, (size_t)(colon - optarg)) == 0)
					usage_err("section %.*s given twice", (int)(colon - optarg),
						  optarg);
			}
			append(&bo.extra, &bo.nextra, optarg);
			break;
		}
		case OPT_STUB: once(&bo.stub_path, optarg, "--stub"); break;
		case OPT_PCRKEY: once(&pcr_key, optarg, "--pcr-key"); break;
		case OPT_PINFILE: once(&pin_file, optarg, "--pin-file"); break;
		case OPT_PCRBANK: {
			int b = igos_pcr_bank_parse(optarg);

			if (b < 0)
				usage_err("%s", igos_errmsg());
			if (bo.pcr_banks & (1u << b))
				usage_err("--pcr-bank %s given twice", optarg);
			bo.pcr_banks |= 1u << b;
			break;
		}
		case OPT_PHASE: {
			char *ph = igos_pcr_phase_normalize(optarg);

			if (ph == NULL)
				usage_err("%s", igos_errmsg());
			append(&bo.phases, &bo.nphases, ph);
			break;
		}
		case 'c': once(&config, optarg, "--config"); break;
		case 'o': once(&bo.out, optarg, "--output"); break;
		case 'h': usage(stdout); exit(0);
		case 'V': igos_print_version(PROG); exit(0);
		default: exit(2);
		}
	}
	if (optind != argc)
		usage_err("build takes no operands ('%s')", argv[optind]);
	if (config != NULL) {
		if (config_read(&cfg, config) < 0) {
			warnx("%s", igos_errmsg());
			config_free(&cfg);
			return 1;
		}
#define PICK(f, cf) if (bo.f == NULL) bo.f = cfg.cf
		PICK(linux_path, linux_path);
		PICK(cmdline, cmdline);
		PICK(osrel, osrel);
		PICK(uname, uname);
		PICK(dtb, dtb);
		PICK(splash, splash);
		PICK(pcrpkey, pcrpkey);
		PICK(stub_path, stub);
#undef PICK
		if (pcr_key == NULL)
			pcr_key = cfg.pcr_key;
		if (bo.nsbats == 0 && cfg.sbat != NULL && cfg.sbat[0] != '\0')
			append(&bo.sbats, &bo.nsbats, cfg.sbat);
		if (bo.ninitrds == 0 && cfg.initrd != NULL) {
			char *save = NULL, *tok;

			for (tok = strtok_r(cfg.initrd, " \t\n", &save); tok;
			     tok = strtok_r(NULL, " \t\n", &save))
				append(&bo.initrds, &bo.ninitrds, tok);
		}
	}
	if (bo.linux_path == NULL)
		usage_err("build needs --linux KERNEL");
	if (bo.out == NULL)
		usage_err("build needs -o OUT");
	if (bo.stub_path == NULL)
		bo.stub_path = IGOS_STUB_PATH;
	/* an empty text is no section, as with ukify */
	if (bo.cmdline != NULL && bo.cmdline[0] == '\0')
		bo.cmdline = NULL;
	if (bo.uname != NULL && bo.uname[0] == '\0')
		bo.uname = NULL;
	if (pcr_key == NULL && (bo.pcr_banks || bo.nphases || pin_file))
		usage_err("--pcr-bank, --phase and --pin-file go with --pcr-key");
	if (pcr_key != NULL && bo.pcrsig != NULL)
		usage_err("--pcr-key and --pcrsig exclude each other");
	if (pcr_key != NULL) {
		struct igos_signer_opts so = {.pin_file = pin_file};

		if (bo.pcr_banks == 0)
			bo.pcr_banks = 1u << IGOS_BANK_SHA256;
		if ((bo.pcr_signer = igos_signer_open(pcr_key, &so)) == NULL)
			errx(1, "%s", igos_errmsg());
		if (igos_signer_type(bo.pcr_signer) != IGOS_KEY_RSA)
			errx(1, "--pcr-key '%s': PCR policies need an RSA key (systemd's TPM-side "
			     "check uses RSASSA)", pcr_key);
	}
	rc = do_build(&bo) < 0;
	if (rc)
		warnx("%s", igos_errmsg());
	igos_signer_free(bo.pcr_signer);
	for (size_t i = 0; i < bo.nphases; i++)
		free((char *)bo.phases[i]);
	free(bo.phases);
	config_free(&cfg);
	free(bo.initrds);
	free(bo.sbats);
	free(bo.extra);
	return rc;
}

static int
main_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"section", required_argument, NULL, OPT_SECTION},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *only = NULL;
	int c, json = 0;

	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			if (json)
				usage_err("--json given twice");
			json = 1;
			break;
		case OPT_SECTION: once(&only, optarg, "--section"); break;
		case 'h': usage(stdout); exit(0);
		case 'V': igos_print_version(PROG); exit(0);
		default: exit(2);
		}
	}
	if (argc - optind != 1)
		usage_err("inspect takes one UKI");
	if (json && only != NULL)
		usage_err("--json and --section cannot be used together");
	if (do_inspect(argv[optind], json, only) < 0) {
		warnx("%s", igos_errmsg());
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *verb;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	verb = argv[1];
	if (strcmp(verb, "-h") == 0 || strcmp(verb, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(verb, "-V") == 0 || strcmp(verb, "--version") == 0) {
		igos_print_version(PROG);
		return 0;
	}
	/* getopt reports errors under argv[0] */
	argv[1] = PROG;
	if (strcmp(verb, "build") == 0)
		return main_build(argc - 1, argv + 1);
	if (strcmp(verb, "inspect") == 0)
		return main_inspect(argc - 1, argv + 1);
	if (strcmp(verb, "config") == 0)
		return main_config(argc - 1, argv + 1);
	if (verb[0] == '-')
		usage_err("a verb (build, inspect, config) comes first");
	usage_err("unknown verb '%s'", verb);
}
