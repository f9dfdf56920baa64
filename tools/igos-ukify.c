/*
 * igos-ukify: build a Unified Kernel Image from a stub, a kernel, initrds and
 * the small text sections, laid out as systemd's ukify does; inspect one.
 */
#include <dirent.h>
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
#include "uki.h"

#ifndef IGOS_STUB_PATH
#define IGOS_STUB_PATH "/usr/local/lib/igos/igos-stubx64.efi"
#endif
#ifndef IGOS_ADDON_STUB_PATH
#define IGOS_ADDON_STUB_PATH "/usr/local/lib/igos/igos-addonx64.efi"
#endif

#define PROG "igos-ukify"

#define SCN_CNT_CODE 0x00000020u
#define SCN_CNT_INITIALIZED_DATA 0x00000040u
#define SCN_MEM_READ 0x40000000u
#define DLL_NX_COMPAT 0x0100u
/* Added sections go on page boundaries whatever the stub declares: 512-byte
 * placement trips OVMF's and shim's memory protection. */
#define PAGE 4096u
#define MAX_NEW IGOS_PE_MAX_SECTIONS

static const char SBAT_HEADER[] =
	"sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md";
static const char SBAT_UKI[] =
	"uki,1,UKI,uki,1,https://uapi-group.org/specifications/specs/unified_kernel_image/";
/* ukify's line for an addon */
static const char SBAT_ADDON[] = "uki-addon,1,UKI Addon,addon,1,"
	"https://www.freedesktop.org/software/systemd/man/latest/systemd-stub.html";
/* the base profile's .profile when profiles are joined and none is given */
static const char PROFILE_MAIN[] = "ID=main";

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " build --linux KERNEL [--initrd FILE]... [--cmdline TEXT|@FILE]\n"
		"                  [--os-release TEXT|@FILE] [--uname VERSION] [--devicetree FILE]\n"
		"                  [--devicetree-auto FILE]... [--hwids DIR] [--ucode|--microcode FILE]\n"
		"                  [--efifw DIR]... [--splash FILE] [--pcrpkey FILE] [--pcrsig FILE]\n"
		"                  [--sbat TEXT|@FILE]... [--section NAME:TEXT|@FILE]... [--stub FILE]\n"
		"                  [--profile TEXT|@FILE] [--join-profile PE]... [-c|--config FILE]\n"
		"                  [--pcr-key KEY [--pcr-bank BANK]... [--phase PATH]... [--pin-file F]\n"
		"                   [--tcti CONF]]\n"
		"                  -o|--output OUT\n"
		"       " PROG " build --profile TEXT|@FILE [--linux KERNEL] [section options] -o OUT\n"
		"       " PROG " build --addon [--cmdline TEXT|@FILE] [--devicetree FILE]\n"
		"                  [--devicetree-auto FILE]... [--hwids DIR] [--initrd FILE]...\n"
		"                  [--ucode FILE] [--uname VERSION] [--sbat TEXT|@FILE]...\n"
		"                  [--section NAME:TEXT|@FILE]... [--stub FILE] -o OUT\n"
		"       " PROG " inspect [--json] [--section NAME | --profiles] UKI\n"
		"       " PROG " config -c FILE NAME...   # print [UKI] settings, one a line\n"
		"       " PROG " -h|--help | -V|--version\n"
		"-v|--verbose prints the whole OpenSSL error queue on failure.\n");
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
	if ((s->fd = igos_input_open(path, &st)) < 0)
		return -1;
	if (igos_fd_regular(s->fd, &st)) {
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
	/* a pipe, a device, a procfs or sysfs file: read it whole once */
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

/* the output being written, whose temporary a fault on a mapping drops */
static struct igos_out *cur_out;

/* The bytes of a source, mapping a file on first use; a file that shrinks
 * under its mapping is a one-line failure, not SIGBUS. */
static const unsigned char *
src_bytes(struct src *s)
{
	if (s->heap != NULL)
		return s->heap;
	if (s->map == NULL && s->len > 0) {
		void *m;

		igos_cli_guard_mapping(s->path, &cur_out);
		m = mmap(NULL, s->len, PROT_READ, MAP_PRIVATE, s->fd, 0);

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

/* ---- .sbat ---------------------------------------------------- */

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
				igos_warn("%s has no SBAT header line, its SBAT is not used", what);
				return 0;
			}
			continue;
		}
		/* blank lines are kept, as ukify keeps them */
		if (igos_text_add(out, p, (size_t)(le - p)) < 0 || igos_text_add(out, "\n", 1) < 0)
			return -1;
	}
	return 0;
}

/* ---- the stub ------------------------------------------------------------- */

/* "stub 'PATH': " before the library's message. */
static int
stub_err(const char *path)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", igos_errmsg());
	return igos_seterr("stub '%s': %s", path, msg);
}

/*
 * Load the stub for editing: refuse a signed one, drop a COFF symbol table at
 * its end, round section raw pointers/sizes and SizeOfHeaders up to
 * FileAlignment (as ukify does).
 */
static int
stub_load(struct igos_pe_edit *e, const char *path)
{
	struct igos_buf b;
	int r;

	if (igos_buf_read(&b, path, 64u << 20) < 0)
		return -1;
	r = igos_pe_edit_open(e, b.data, b.len);
	igos_buf_free(&b);
	if (r < 0)
		return stub_err(path);
	if (e->pe.cert_off != 0 || e->pe.cert_size != 0) {
		igos_seterr("stub '%s' is signed; an unsigned stub is needed", path);
		goto fail;
	}
	if (igos_pe_strip_symbols(e, NULL) < 0 || igos_pe_align_raw(e) < 0) {
		stub_err(path);
		goto fail;
	}
	return 0;
fail:
	igos_pe_edit_free(e);
	return -1;
}

enum build_kind {
	BUILD_UKI,      /* a UKI: --linux, maybe with --join-profile */
	BUILD_PROFILE,  /* a profile PE: --profile without --join-profile */
	BUILD_ADDON,    /* an addon: --addon */
};

struct build {
	enum build_kind kind;
	const char *linux_path, *cmdline, *osrel, *uname, *dtb, *splash, *pcrpkey, *pcrsig;
	const char *ucode, *hwids, *profile;
	const char **dtbautos, **efifws, **joins;
	size_t ndtbautos, nefifws, njoins;
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

/* Exits 2 on a name igos-ukify cannot take. */
static void
check_name(const char *name, size_t n)
{
	if (n == 0)
		igos_usage_err("--section: empty section name");
	if (n > 8)
		igos_usage_err("section name '%.*s' is longer than 8 characters", (int)n, name);
	for (size_t i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] > '~')
			igos_usage_err("section name '%.*s' is not printable ASCII", (int)n, name);
	if (igos_uki_reserved(name, n))
		igos_usage_err("section %.*s is written by " PROG "; use its own option", (int)n, name);
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

/* What one build holds while it runs. */
struct job {
	struct build *bo;
	struct igos_pe_edit stub;  /* the stub, edited into the UKI's headers */
	int stub252;               /* a systemd 252 stub: it measures fewer sections */
	struct src kernel;
	struct igos_pe kpe;        /* the kernel's parse, if it is a PE */
	int kernel_pe;
	struct src *srcs;          /* one per option, plus initrds and extras */
	size_t nsrcs;
	struct section secs[MAX_NEW]; /* the sections added, in order */
	size_t nsecs;
	size_t base_end;           /* secs[0..base_end): the base, its .profile last */
	/* --pcr-key: the base's digests, made once, and a profile's on top */
	struct igos_pcr_input base_in, prof_in;

	struct igos_text sbat;     /* the merged .sbat */
	char *uname, *cmd;
};

#define DATA (SCN_CNT_INITIALIZED_DATA | SCN_MEM_READ)

static int
job_add(struct job *j, const char *name, struct src *parts, size_t n, unsigned pad,
	uint32_t flags)
{
	if (j->nsecs == MAX_NEW)
		return igos_seterr("too many sections");
	return section_init(&j->secs[j->nsecs++], name, parts, n, pad, flags);
}

/* A section of one TEXT|@FILE argument. */
static int
job_add_arg(struct job *j, const char *name, const char *arg)
{
	struct src *s = &j->srcs[j->nsrcs];

	if (src_arg(s, arg) < 0)
		return -1;
	j->nsrcs++;
	return job_add(j, name, s, 1, 1, DATA);
}

/* A section of one file. */
static int
job_add_file(struct job *j, const char *name, const char *path)
{
	struct src *s = &j->srcs[j->nsrcs];

	if (src_file(s, path) < 0)
		return -1;
	j->nsrcs++;
	return job_add(j, name, s, 1, 1, DATA);
}

/* A section of bytes made here. */
static int
job_add_text(struct job *j, const char *name, const void *p, size_t n)
{
	struct src *s = &j->srcs[j->nsrcs];

	if (src_text(s, p, n) < 0)
		return -1;
	j->nsrcs++;
	return job_add(j, name, s, 1, 1, DATA);
}

/* A section of bytes made here (copied; p is freed). */
static int
job_add_blob(struct job *j, const char *name, unsigned char *p, size_t n)
{
	int r = job_add_text(j, name, p, n);

	free(p);
	return r;
}

/* "DIR/NAME" paths of the entries of dir; with a suffix, of the files with
 * that suffix under dir, recursively (not through a symbolic link to a
 * directory, which could loop). */
static int
list_files(const char *dir, const char *suffix, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (d == NULL)
		return igos_seterr_errno("cannot open directory '%s'", dir);
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		struct stat st;
		char *p, **l;
		size_t nl = strlen(de->d_name), sl = suffix ? strlen(suffix) : 0;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0) {
			rc = igos_seterr("out of memory");
			break;
		}
		if (lstat(p, &st) < 0) {
			rc = igos_seterr_errno("cannot open '%s'", p);
			free(p);
			break;
		}
		if (S_ISDIR(st.st_mode) && suffix != NULL) {
			rc = list_files(p, suffix, out, n);
			free(p);
			continue;
		}
		if (S_ISLNK(st.st_mode) && suffix != NULL && stat(p, &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			free(p);
			continue;
		}
		if (suffix != NULL && (nl < sl || strcmp(de->d_name + nl - sl, suffix) != 0)) {
			free(p);
			continue;
		}
		if ((l = realloc(*out, (*n + 1) * sizeof(**out))) == NULL) {
			free(p);
			rc = igos_seterr("out of memory");
			break;
		}
		*out = l;
		l[(*n)++] = p;
	}
	if (rc == 0 && errno != 0)
		rc = igos_seterr_errno("cannot read directory '%s'", dir);
	closedir(d);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* .hwids from the *.json files under dir (sorted by path: the same inputs
 * give the same bytes; ukify takes them in directory order). */
static int
job_hwids(struct job *j, const char *dir)
{
	char **paths = NULL, **texts = NULL;
	size_t n = 0, *lens = NULL, len = 0;
	unsigned char *blob = NULL;
	int rc = -1;

	if (list_files(dir, ".json", &paths, &n) < 0)
		goto out;
	if (n == 0) {
		igos_seterr("--hwids '%s': no *.json files", dir);
		goto out;
	}
	qsort(paths, n, sizeof(*paths), cmp_str);
	if ((texts = calloc(n, sizeof(*texts))) == NULL ||
	    (lens = calloc(n, sizeof(*lens))) == NULL) {
		igos_seterr("out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if ((texts[i] = igos_read_small(paths[i], 1 << 20, &lens[i])) == NULL)
			goto out;
	if (igos_uki_hwids((const char *const *)texts, lens, (const char *const *)paths, n,
			   &blob, &len) < 0)
		goto out;
	rc = job_add_blob(j, ".hwids", blob, len);
out:
	for (size_t i = 0; i < n; i++) {
		free(paths[i]);
		if (texts)
			free(texts[i]);
	}
	free(paths);
	free(texts);
	free(lens);
	return rc;
}

/* One .efifw from a directory holding exactly one firmware file; its ID is
 * the directory's name (as ukify). */
static int
job_efifw(struct job *j, const char *dir)
{
	char **paths = NULL, *fwid, *copy;
	size_t n = 0, len;
	struct igos_buf b;
	unsigned char *blob;
	int r;

	if (list_files(dir, NULL, &paths, &n) < 0)
		return -1;
	if (n != 1) {
		for (size_t i = 0; i < n; i++)
			free(paths[i]);
		free(paths);
		return igos_seterr("--efifw '%s' must hold exactly one firmware file, not %zu",
				   dir, n);
	}
	r = igos_buf_read(&b, paths[0], UINT32_MAX);
	if (r == 0 && b.len == 0) {
		igos_buf_free(&b);
		r = igos_seterr("--efifw: '%s' is empty", paths[0]);
	}
	free(paths[0]);
	free(paths);
	if (r < 0)
		return -1;
	if ((copy = strdup(dir)) == NULL) {
		igos_buf_free(&b);
		return igos_seterr("out of memory");
	}
	for (size_t l = strlen(copy); l > 1 && copy[l - 1] == '/'; l--)
		copy[l - 1] = '\0';
	fwid = strrchr(copy, '/') ? strrchr(copy, '/') + 1 : copy;
	blob = igos_uki_efifw(fwid, b.data, b.len, &len);
	free(copy);
	igos_buf_free(&b);
	if (blob == NULL)
		return -1;
	return job_add_blob(j, ".efifw", blob, len);
}

/* The sections from the inputs, in ukify's order: a profile PE's .profile
 * first, .linux after the others. */
static int
job_inputs(struct job *j)
{
	struct build *bo = j->bo;
	const char *o = bo->osrel;

	if (bo->kind == BUILD_PROFILE && job_add_arg(j, ".profile", bo->profile) < 0)
		return -1;
	/* .osrel: an empty text means the default, as with ukify; only for a
	 * build with a kernel */
	if ((o == NULL || o[0] == '\0') && bo->linux_path != NULL) {
		o = NULL;
		if (access("/etc/os-release", F_OK) == 0)
			o = "@/etc/os-release";
		else if (access("/usr/lib/os-release", F_OK) == 0)
			o = "@/usr/lib/os-release";
		else
			igos_warn("no /etc/os-release or /usr/lib/os-release: no .osrel section");
	} else if (o != NULL && o[0] == '\0') {
		o = NULL;
	}
	if (o != NULL && job_add_arg(j, ".osrel", o) < 0)
		return -1;
	/* .cmdline: a text has its white space collapsed; a file is verbatim */
	if (bo->cmdline != NULL && bo->cmdline[0] == '@') {
		if (job_add_file(j, ".cmdline", bo->cmdline + 1) < 0)
			return -1;
	} else if (bo->cmdline != NULL) {
		if ((j->cmd = igos_uki_cmdline(bo->cmdline)) == NULL)
			return igos_seterr("out of memory");
		/* white space only is no command line: no section, as with ukify */
		if (j->cmd[0] != '\0' && job_add_text(j, ".cmdline", j->cmd, strlen(j->cmd)) < 0)
			return -1;
	}
	if (bo->dtb != NULL && job_add_file(j, ".dtb", bo->dtb) < 0)
		return -1;
	for (size_t i = 0; i < bo->ndtbautos; i++)
		if (job_add_file(j, ".dtbauto", bo->dtbautos[i]) < 0)
			return -1;
	if (bo->hwids != NULL && job_hwids(j, bo->hwids) < 0)
		return -1;
	/* .uname: an empty --uname means none, and no guessing (as ukify) */
	if (bo->uname != NULL && bo->uname[0] == '\0') {
		j->uname = NULL;
	} else if (bo->uname != NULL) {
		if ((j->uname = strdup(bo->uname)) == NULL)
			return igos_seterr("out of memory");
	} else if (bo->linux_path != NULL) {
		const unsigned char *kb = src_bytes(&j->kernel);

		if (kb == NULL)
			return -1;
		j->uname = igos_uki_kernel_uname(kb, j->kernel.len);
		if (j->uname == NULL)
			igos_warn("cannot find the kernel version in '%s': no .uname section "
			      "(give --uname)", bo->linux_path);
	}
	if (j->uname != NULL && job_add_text(j, ".uname", j->uname, strlen(j->uname)) < 0)
		return -1;
	if (bo->splash != NULL && job_add_file(j, ".splash", bo->splash) < 0)
		return -1;
	if (bo->pcrpkey != NULL) {
		if (job_add_file(j, ".pcrpkey", bo->pcrpkey) < 0)
			return -1;
	} else if (bo->pcr_signer != NULL) {
		size_t n;
		char *pem = igos_pcr_pubkey_pem(igos_signer_pubkey(bo->pcr_signer), &n);
		int r = pem == NULL ? -1 : job_add_text(j, ".pcrpkey", pem, n);

		free(pem);
		if (r < 0)
			return -1;
	}
	/* .initrd: one verbatim, several each padded to 4 bytes */
	if (bo->ninitrds > 0) {
		struct src *first = &j->srcs[j->nsrcs];

		for (size_t i = 0; i < bo->ninitrds; i++)
			if (src_file(&j->srcs[j->nsrcs++], bo->initrds[i]) < 0)
				return -1;
		if (job_add(j, ".initrd", first, bo->ninitrds, bo->ninitrds > 1 ? 4 : 1, DATA) < 0)
			return -1;
	}
	for (size_t i = 0; i < bo->nefifws; i++)
		if (job_efifw(j, bo->efifws[i]) < 0)
			return -1;
	if (bo->ucode != NULL && job_add_file(j, ".ucode", bo->ucode) < 0)
		return -1;
	/* --section NAME:TEXT|@FILE, in the order given */
	for (size_t i = 0; i < bo->nextra; i++) {
		const char *colon = strchr(bo->extra[i], ':');
		char name[9];

		snprintf(name, sizeof(name), "%.*s", (int)(colon - bo->extra[i]), bo->extra[i]);
		if (job_add_arg(j, name, colon + 1) < 0)
			return -1;
	}
	if (bo->linux_path == NULL)
		return 0;
	return job_add(j, ".linux", &j->kernel, 1, 1, SCN_CNT_CODE | SCN_MEM_READ);
}

/*
 * .sbat: the stub's, the kernel's (if a PE with one), each --sbat or the
 * default UKI line, merged into the stub's own .sbat. As ukify, the UKI claims
 * NX compatibility only if a PE kernel does. An addon's is the header and
 * each --sbat or ukify's addon line only, in a .sbat section of its own
 * after the others (the addon stub has none and runs no code: revoking
 * addons goes through their "uki-addon" line), as ukify writes it.
 */
static int
job_sbat(struct job *j)
{
	struct build *bo = j->bo;
	struct igos_pe *pe = &j->stub.pe;
	const struct igos_pe_section *s = igos_pe_section(pe, ".sbat"), *ks;
	const unsigned char *kb;
	char what[PATH_MAX + 16];
	unsigned idx = 0;

	if (s == NULL && bo->kind != BUILD_ADDON)
		return igos_seterr("stub '%s' has no .sbat section", bo->stub_path);
	if (s != NULL)
		idx = (unsigned)(s - pe->sec);
	if (igos_text_add(&j->sbat, SBAT_HEADER, sizeof(SBAT_HEADER) - 1) < 0 ||
	    igos_text_add(&j->sbat, "\n", 1) < 0)
		return -1;
	if (bo->kind == BUILD_ADDON) {
		if (bo->nsbats == 0 && (igos_text_add(&j->sbat, SBAT_ADDON,
						      sizeof(SBAT_ADDON) - 1) < 0 ||
					igos_text_add(&j->sbat, "\n", 1) < 0))
			return -1;
		goto extra;
	}
	snprintf(what, sizeof(what), "stub '%s'", bo->stub_path);
	if (sbat_lines(&j->sbat, pe->data + s->raw_off,
		       s->vsize < s->raw_size ? s->vsize : s->raw_size, what) < 0)
		return -1;
	if ((kb = src_bytes(&j->kernel)) == NULL)
		return -1;
	j->kernel_pe = j->kernel.len >= 2 && kb[0] == 'M' && kb[1] == 'Z' &&
		       igos_pe_parse(&j->kpe, kb, j->kernel.len) == 0;
	if (j->kernel_pe && !(j->kpe.dll_characteristics & DLL_NX_COMPAT))
		igos_pe_set_dll_characteristics(&j->stub, pe->dll_characteristics &
							  (uint16_t)~DLL_NX_COMPAT);
	if (j->kernel_pe && (ks = igos_pe_section(&j->kpe, ".sbat")) != NULL) {
		snprintf(what, sizeof(what), "kernel '%s'", bo->linux_path);
		if (sbat_lines(&j->sbat, kb + ks->raw_off,
			       ks->vsize < ks->raw_size ? ks->vsize : ks->raw_size, what) < 0)
			return -1;
	}
	if (bo->nsbats == 0 && (igos_text_add(&j->sbat, SBAT_UKI, sizeof(SBAT_UKI) - 1) < 0 ||
				igos_text_add(&j->sbat, "\n", 1) < 0))
		return -1;
extra:
	for (size_t i = 0; i < bo->nsbats; i++) {
		struct src t;
		int r;

		if (src_arg(&t, bo->sbats[i]) < 0)
			return -1;
		snprintf(what, sizeof(what), "--sbat '%s'", bo->sbats[i]);
		r = sbat_lines(&j->sbat, src_bytes(&t), t.len, what);
		src_free(&t);
		if (r < 0)
			return -1;
	}
	/* joined by '\n', ending "\n\0" */
	if (igos_text_add(&j->sbat, "", 1) < 0)
		return -1;
	if (s == NULL)
		return job_add_text(j, ".sbat", j->sbat.p, j->sbat.len);
	if (j->sbat.len > pe->sec[idx].raw_size)
		return igos_seterr("stub '%s': its .sbat section has room for %u bytes, the "
				   "merged SBAT needs %zu", bo->stub_path, pe->sec[idx].raw_size,
				   j->sbat.len);
	return igos_pe_set_section_data(&j->stub, idx, j->sbat.p, j->sbat.len);
}

/* The measured sections of secs[from..to) into in; have[] marks the ones
 * found, and a second of one name is refused. */
static int
pcr_sections(struct job *j, struct igos_pcr_input *in, size_t from, size_t to, int *have)
{
	for (size_t i = from; i < to; i++) {
		int x = igos_pcr_section_index(j->secs[i].name);

		if (x < 0)
			continue;
		/* the stub measures the one of them it picks */
		if (have[x])
			return igos_seterr("--pcr-key: cannot sign a PCR policy over more than "
					   "one %s section", j->secs[i].name);
		have[x] = 1;
		/* the profile's own section replaces the base's, even an empty one */
		in->present[x] = 0;
		if (pcr_section(in, x, &j->secs[i]) < 0)
			return -1;
	}
	return 0;
}

/*
 * The .pcrsig for secs[from..to) as they will be laid out: the same PCR 11
 * prediction igos-measure makes for the finished UKI (the stub's measured set:
 * systemd 252's stub measures fewer sections than igos' own). The base
 * (from == 0) is digested once and kept; a joined profile's own sections
 * then take the place of the base's of the same name, as systemd-stub picks
 * them (.sbat too, if a profile brought one).
 */
static int
job_pcrsig(struct job *j, size_t from, size_t to)
{
	struct build *bo = j->bo;
	struct igos_pcr_input *in = &j->prof_in;
	int have[IGOS_SEC_N] = { 0 };
	char *json;
	int r;

	if (from == 0 && bo->pcrsig != NULL)
		return job_add_file(j, ".pcrsig", bo->pcrsig);
	if (bo->pcr_signer == NULL)
		return 0;
	if (from == 0) {
		igos_pcr_input_init(&j->base_in, bo->pcr_banks);
		if (pcr_sections(j, &j->base_in, 0, to, have) < 0)
			return -1;
		if (!have[IGOS_SEC_SBAT] && igos_pcr_input_set(&j->base_in, IGOS_SEC_SBAT,
							       j->sbat.p, j->sbat.len) < 0)
			return -1;
		if (j->stub252)
			for (int x = 0; x < IGOS_SEC_N; x++)
				if (!igos_pcr_section_measured(x, 1))
					j->base_in.present[x] = 0;
	}
	*in = j->base_in;
	if (from > 0 && pcr_sections(j, in, from, to, have) < 0)
		return -1;
	json = igos_pcrsig_build_signer(in, bo->pcr_banks, bo->phases, bo->nphases,
					bo->pcr_signer);
	r = json == NULL ? -1 : job_add_text(j, ".pcrsig", json, strlen(json));
	free(json);
	return r;
}

/*
 * Whether the --pcrpkey file holds the public key of the PCR signer: the stub
 * hands .pcrpkey on as the key that checks .pcrsig, so a policy signed by any
 * other key would unlock nothing at boot. Dies on a file that is no key.
 */
static int
pcrpkey_is_signer(const char *path, const struct igos_signer *s)
{
	size_t len;
	char *pem = igos_read_small(path, 1 << 20, &len);
	EVP_PKEY *k;
	int eq;

	if (pem == NULL)
		igos_die("%s", igos_errmsg());
	k = igos_pcr_pubkey_parse(pem, len);
	free(pem);
	if (k == NULL)
		igos_die("--pcrpkey '%s': %s", path, igos_errmsg());
	eq = EVP_PKEY_eq(k, igos_signer_pubkey(s));
	EVP_PKEY_free(k);
	return eq == 1;
}

/*
 * Join a profile PE (built with --profile): its .profile and the sections a
 * profile carries, in its order, VirtualSize bytes each, as ukify copies
 * them. Its other sections (the stub's code) are left behind.
 */
static int
job_join(struct job *j, const char *path)
{
	struct igos_buf b;
	struct igos_pe pe;
	int rc = -1, nprof = 0, carried = 0;

	if (igos_buf_read(&b, path, UINT32_MAX) < 0)
		return -1;
	if (igos_pe_parse(&pe, b.data, b.len) < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", igos_errmsg());
		igos_seterr("--join-profile '%s': %s", path, msg);
		goto out;
	}
	for (unsigned i = 0; i < pe.nsections; i++) {
		const struct igos_pe_section *s = &pe.sec[i];

		if (!igos_uki_profile_carries(s->name))
			continue;
		/* shim refuses an image with two .sbat sections ("multiple SBAT
		 * sections"); ukify would copy it */
		if (strcmp(s->name, ".sbat") == 0) {
			igos_seterr("--join-profile '%s' carries a .sbat section: shim refuses a "
				    "UKI with two", path);
			goto out;
		}
		if (carried++ == 0 && strcmp(s->name, ".profile") != 0) {
			igos_seterr("--join-profile '%s': its first profile section is %s, not "
				    ".profile (build it with --profile)", path, s->name);
			goto out;
		}
		if (strcmp(s->name, ".profile") == 0 && ++nprof > 1) {
			igos_seterr("--join-profile '%s' has more than one .profile section", path);
			goto out;
		}
		for (unsigned k = 0; k < i; k++)
			if (strcmp(pe.sec[k].name, s->name) == 0) {
				igos_seterr("--join-profile '%s' has two %s sections", path, s->name);
				goto out;
			}
	}
	if (carried == 0) {
		igos_seterr("--join-profile '%s' has no .profile section (build it with "
			    "--profile)", path);
		goto out;
	}
	for (unsigned i = 0; i < pe.nsections; i++) {
		const struct igos_pe_section *s = &pe.sec[i];
		size_t have = s->raw_size < s->vsize ? s->raw_size : s->vsize;
		struct src *sr = &j->srcs[j->nsrcs];

		if (!igos_uki_profile_carries(s->name))
			continue;
		/* the loaded image: raw data, zeros up to VirtualSize */
		if (src_text(sr, b.data + s->raw_off, have) < 0)
			goto out;
		j->nsrcs++;
		if (have < s->vsize) {
			unsigned char *p = realloc(sr->heap, s->vsize);

			if (p == NULL) {
				igos_seterr("out of memory");
				goto out;
			}
			memset(p + have, 0, s->vsize - have);
			sr->heap = p;
			sr->len = s->vsize;
		}
		if (job_add(j, s->name, sr, 1, 1, strcmp(s->name, ".linux") == 0 ?
			    SCN_CNT_CODE | SCN_MEM_READ : DATA) < 0)
			goto out;
	}
	rc = 0;
out:
	igos_buf_free(&b);
	return rc;
}

static int
emit_section(struct igos_out *o, void *ctx, unsigned k)
{
	return section_emit(o, &((struct job *)ctx)->secs[k]);
}

/* The new section headers, each page-aligned after the last, and the file. */
static int
job_write(struct job *j)
{
	struct igos_out out;
	int r;

	for (size_t i = 0; i < j->nsecs; i++)
		if (igos_pe_add_section(&j->stub, j->secs[i].name, (uint32_t)j->secs[i].len,
					j->secs[i].flags, PAGE) < 0)
			return stub_err(j->bo->stub_path);
	/* no checksum, as ukify: it would need a second pass over the whole image */
	igos_pe_set_checksum(&j->stub, 0);
	if (igos_out_open(&out, j->bo->out, 0, 0) < 0)
		return -1;
	cur_out = &out;
	r = igos_pe_edit_write(&j->stub, &out, emit_section, j);
	cur_out = NULL;
	if (r < 0) {
		igos_out_abort(&out);
		return -1;
	}
	return igos_out_commit(&out);
}

static int
do_build(struct build *bo)
{
	struct job j;
	size_t nsrcs;
	int rc = -1;

	memset(&j, 0, sizeof(j));
	j.bo = bo;
	j.kernel.fd = -1;
	if (stub_load(&j.stub, bo->stub_path) < 0)
		return -1;
	j.stub252 = igos_pcr_stub252(&j.stub.pe);
	if (j.stub252 && (bo->njoins > 0 || bo->kind == BUILD_PROFILE)) {
		igos_seterr("stub '%s' is systemd-stub 252, which knows no profiles",
			    bo->stub_path);
		goto out;
	}
	/* every source: at most one per option or made section, plus initrds,
	 * extras, and the sections of joined profiles */
	nsrcs = 16 + bo->ninitrds + bo->nextra + bo->ndtbautos + bo->nefifws +
		bo->njoins * IGOS_PE_MAX_SECTIONS;
	if ((j.srcs = calloc(nsrcs, sizeof(*j.srcs))) == NULL) {
		igos_seterr("out of memory");
		goto out;
	}
	for (size_t i = 0; i < nsrcs; i++)
		j.srcs[i].fd = -1;
	if (bo->linux_path != NULL) {
		if (src_file(&j.kernel, bo->linux_path) < 0)
			goto out;
		if (j.kernel.len == 0) {
			igos_seterr("kernel '%s' is empty", bo->linux_path);
			goto out;
		}
	}
	if (job_inputs(&j) < 0 || (bo->kind != BUILD_PROFILE && job_sbat(&j) < 0))
		goto out;
	/* the base profile's .profile ends the shared sections */
	if (bo->njoins > 0 && job_add_arg(&j, ".profile", bo->profile ? bo->profile :
					  PROFILE_MAIN) < 0)
		goto out;
	j.base_end = j.nsecs;
	if (job_pcrsig(&j, 0, j.base_end) < 0)
		goto out;
	for (size_t i = 0; i < bo->njoins; i++) {
		size_t first = j.nsecs;

		if (job_join(&j, bo->joins[i]) < 0 || job_pcrsig(&j, first, j.nsecs) < 0)
			goto out;
	}
	if (job_write(&j) < 0)
		goto out;
	rc = 0;
out:
	for (size_t i = 0; i < j.nsrcs; i++)
		src_free(&j.srcs[i]);
	src_free(&j.kernel);
	free(j.srcs);
	free(j.sbat.p);
	free(j.uname);
	free(j.cmd);
	igos_pe_edit_free(&j.stub);
	return rc;
}

/* ---- inspect ------------------------------------------------------------- */

/* do_inspect's `only` for --profiles */
static const char PROFILES_ONLY[] = "";

static const char *const TEXT_SECTIONS[] = {
	".cmdline", ".osrel", ".uname", ".sbat", ".pcrsig", ".pcrpkey", ".profile", NULL,
};

static int
is_text_section(const char *name)
{
	for (int i = 0; TEXT_SECTIONS[i]; i++)
		if (strcmp(name, TEXT_SECTIONS[i]) == 0)
			return 1;
	return 0;
}

static void
json_string(const unsigned char *p, size_t n)
{
	struct igos_text t = { 0 };

	if (igos_json_str(&t, p, n) < 0)
		igos_die("%s", igos_errmsg());
	fwrite(t.p, 1, t.len, stdout);
	free(t.p);
}

/* A .profile field for the listing: NULL when absent. */
static char *
profile_field(const struct igos_pe *pe, int idx, const char *key)
{
	const struct igos_pe_section *s;
	char *v;

	if (idx < 0)
		return NULL;
	s = &pe->sec[idx];
	v = igos_uki_profile_field(pe->data + s->raw_off,
				   s->raw_size < s->vsize ? s->raw_size : s->vsize, key);
	if (v == NULL && igos_errmsg()[0] != '\0')
		igos_die("%s", igos_errmsg());
	return v;
}

/*
 * The profiles, numbered as the stub numbers them (@N in its load options):
 * ID and TITLE of each .profile, and the sections it brings besides the
 * base's. A UKI without .profile has profile 0 alone, with none of its own.
 */
static int
list_profiles(const struct igos_pe *pe, int json)
{
	struct igos_uki_profiles *p = malloc(sizeof(*p));
	unsigned n;

	if (p == NULL)
		return igos_seterr("out of memory");
	if (igos_uki_profiles(pe, p) < 0) {
		free(p);
		return -1;
	}
	n = p->n ? p->n : 1;
	if (json)
		putchar('[');
	for (unsigned k = 0; k < n; k++) {
		int at = p->n ? (int)p->first[k] : -1;
		char *id = profile_field(pe, at, "ID"), *title = profile_field(pe, at, "TITLE");
		unsigned from = p->n ? p->first[k] + 1 : 0, to = p->n ? p->end[k] : 0;

		if (json) {
			printf("%s{\"profile\":%u,\"id\":", k ? "," : "", k);
			if (id)
				json_string((const unsigned char *)id, strlen(id));
			else
				fputs("null", stdout);
			fputs(",\"title\":", stdout);
			if (title)
				json_string((const unsigned char *)title, strlen(title));
			else
				fputs("null", stdout);
			fputs(",\"sections\":[", stdout);
			for (unsigned i = from; i < to; i++) {
				if (i > from)
					putchar(',');
				json_string((const unsigned char *)pe->sec[i].name,
					    strlen(pe->sec[i].name));
			}
			fputs("]}", stdout);
		} else {
			printf("profile %u:\n  id: ", k);
			igos_print_escaped(stdout, id ? id : "-", strlen(id ? id : "-"), 0);
			fputs("\n  title: ", stdout);
			igos_print_escaped(stdout, title ? title : "-", strlen(title ? title : "-"), 0);
			fputs("\n  sections:", stdout);
			for (unsigned i = from; i < to; i++) {
				putchar(' ');
				igos_print_escaped(stdout, pe->sec[i].name, strlen(pe->sec[i].name), 0);
			}
			putchar('\n');
		}
		free(id);
		free(title);
	}
	if (json)
		fputs("]\n", stdout);
	free(p);
	return 0;
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
	if (only == PROFILES_ONLY) {
		if (list_profiles(&pe, json) < 0) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", igos_errmsg());
			igos_seterr("'%s': %s", path, msg);
			goto out;
		}
		if (fflush(stdout) != 0)
			goto wfail;
		rc = 0;
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
			if (igos_utf8_valid(s->name, strlen(s->name))) {
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
				if (have == s->vsize && igos_utf8_valid(d, have))
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
				if (!igos_utf8_valid(d, n) || memchr(d, '\0', n) != NULL) {
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
	/* a UKI with profiles: what each is, after its sections (not in the
	 * JSON, which keeps ukify's shape) */
	if (!json && only == NULL && igos_pe_section(&pe, ".profile") != NULL &&
	    list_profiles(&pe, 0) < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", igos_errmsg());
		igos_seterr("'%s': %s", path, msg);
		goto out;
	}
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
	char *ucode, *hwids, *profile;
	char *initrd; /* white-space separated list */
	char *dtbauto, *efifw; /* white-space separated lists */
	char *pcr_key;
	char *pcr_banks; /* comma or white-space separated list, as ukify's */
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
		{"PCRBanks", offsetof(struct config, pcr_banks)},
		{"Microcode", offsetof(struct config, ucode)},
		{"DeviceTreeAuto", offsetof(struct config, dtbauto)},
		{"HWIDs", offsetof(struct config, hwids)},
		{"Firmware", offsetof(struct config, efifw)},
		{"Profile", offsetof(struct config, profile)},
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
	igos_warn("'%s' line %u: unknown setting [%s] %s=, ignored", c->path, line, sec, key);
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
	free(c->pcr_banks);
	free(c->ucode);
	free(c->hwids);
	free(c->profile);
	free(c->dtbauto);
	free(c->efifw);
}

/* ---- the default stub ---------------------------------------------------- */

/*
 * Without --stub or Stub=: the stub beside the executable first, so that a
 * tool run from the build tree uses the stub built with it (build/bin/ and
 * build/efi/ there), then the installed one. Both places beside an installed
 * tool (/usr/bin, /usr/efi) are root's, like the install path.
 */
static char *
default_stub(int addon)
{
	const char *name = addon ? "igos-addonx64.efi" : "igos-stubx64.efi";
	char exe[PATH_MAX], *slash, *p;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;

	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			for (int i = 0; i < 2; i++) {
				if (asprintf(&p, "%s/%s%s", exe, i ? "../efi/" : "", name) < 0)
					igos_die("out of memory");
				if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
					return p;
				free(p);
			}
		}
	}
	if ((p = strdup(addon ? IGOS_ADDON_STUB_PATH : IGOS_STUB_PATH)) == NULL)
		igos_die("out of memory");
	return p;
}

/* ---- main ---------------------------------------------------------------- */

static void
append(const char ***list, size_t *n, const char *val)
{
	const char **l = realloc(*list, (*n + 1) * sizeof(**list));

	if (l == NULL)
		igos_die("out of memory");
	l[(*n)++] = val;
	*list = l;
}

/* A white-space separated list of a [UKI] setting, split in place. */
static void
split_list(char *v, const char ***list, size_t *n)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(v, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
		append(list, n, tok);
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
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	struct lookup l;
	struct igos_buf b;
	int c, r;

	while ((c = igos_getopt(argc, argv, "+c:hv", opts)) != -1) {
		switch (c) {
		case 'c': igos_opt_once(&path, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (path == NULL)
		igos_usage_err("config needs -c FILE");
	if (optind == argc)
		igos_usage_err("config needs the NAME of a setting");
	for (int i = optind; i < argc; i++) {
		if (argv[i][0] == '\0' || strpbrk(argv[i], "= \t\n[]") != NULL)
			igos_usage_err("'%s' is not a setting name", argv[i]);
	}
	l.names = argv + optind;
	l.n = argc - optind;
	if ((l.values = calloc((size_t)l.n, sizeof(*l.values))) == NULL)
		igos_die("out of memory");
	if (igos_buf_read(&b, path, 1 << 20) < 0)
		igos_die("%s", igos_errmsg());
	r = igos_ini_parse((const char *)b.data, b.len, lookup_key, &l);
	igos_buf_free(&b);
	if (r < 0)
		igos_die("'%s' %s", path, igos_errmsg());
	for (int i = 0; i < l.n; i++) {
		printf("%s\n", l.values[i] ? l.values[i] : "");
		free(l.values[i]);
	}
	free(l.values);
	if (fflush(stdout) != 0 || ferror(stdout))
		igos_die("cannot write to standard output: %s", strerror(errno));
	return 0;
}

enum {
	OPT_LINUX = 256, OPT_INITRD, OPT_CMDLINE, OPT_OSREL, OPT_UNAME, OPT_DTB, OPT_SPLASH,
	OPT_PCRPKEY, OPT_PCRSIG, OPT_SBAT, OPT_SECTION, OPT_STUB, OPT_JSON,
	OPT_PCRKEY, OPT_PCRBANK, OPT_PHASE, OPT_PINFILE,
	OPT_UCODE, OPT_DTBAUTO, OPT_HWIDS, OPT_EFIFW, OPT_PROFILE, OPT_JOIN, OPT_ADDON,
	OPT_PROFILES,
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
		{"ucode", required_argument, NULL, OPT_UCODE},
		{"microcode", required_argument, NULL, OPT_UCODE},
		{"devicetree-auto", required_argument, NULL, OPT_DTBAUTO},
		{"hwids", required_argument, NULL, OPT_HWIDS},
		{"efifw", required_argument, NULL, OPT_EFIFW},
		{"profile", required_argument, NULL, OPT_PROFILE},
		{"join-profile", required_argument, NULL, OPT_JOIN},
		{"addon", no_argument, NULL, OPT_ADDON},
		IGOS_LONGOPT_TCTI,
		{"config", required_argument, NULL, 'c'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct build bo;
	struct config cfg;
	const char *config = NULL, *pcr_key = NULL, *pin_file = NULL, *tcti = NULL;
	char *stub_alloc = NULL;
	int c, rc, addon = 0;

	memset(&bo, 0, sizeof(bo));
	memset(&cfg, 0, sizeof(cfg));
	while ((c = igos_getopt(argc, argv, "c:o:hVv", opts)) != -1) {
		switch (c) {
		case OPT_LINUX: igos_opt_once(&bo.linux_path, optarg); break;
		case OPT_INITRD: append(&bo.initrds, &bo.ninitrds, optarg); break;
		case OPT_CMDLINE: igos_opt_once(&bo.cmdline, optarg); break;
		case OPT_OSREL: igos_opt_once(&bo.osrel, optarg); break;
		case OPT_UNAME: igos_opt_once(&bo.uname, optarg); break;
		case OPT_DTB: igos_opt_once(&bo.dtb, optarg); break;
		case OPT_SPLASH: igos_opt_once(&bo.splash, optarg); break;
		case OPT_PCRPKEY: igos_opt_once(&bo.pcrpkey, optarg); break;
		case OPT_PCRSIG: igos_opt_once(&bo.pcrsig, optarg); break;
		case OPT_SBAT: append(&bo.sbats, &bo.nsbats, optarg); break;
		case OPT_SECTION: {
			const char *colon = strchr(optarg, ':');

			if (colon == NULL)
				igos_usage_err("--section '%s': expected NAME:TEXT or NAME:@FILE", optarg);
			check_name(optarg, (size_t)(colon - optarg));
			for (size_t i = 0; i < bo.nextra; i++) {
				const char *o = bo.extra[i];

				if (strchr(o, ':') - o == colon - optarg &&
				    memcmp(o, optarg, (size_t)(colon - optarg)) == 0)
					igos_usage_err("section %.*s given twice", (int)(colon - optarg),
						  optarg);
			}
			append(&bo.extra, &bo.nextra, optarg);
			break;
		}
		case OPT_STUB: igos_opt_once(&bo.stub_path, optarg); break;
		case OPT_UCODE: igos_opt_once(&bo.ucode, optarg); break;
		case OPT_DTBAUTO: append(&bo.dtbautos, &bo.ndtbautos, optarg); break;
		case OPT_HWIDS: igos_opt_once(&bo.hwids, optarg); break;
		case OPT_EFIFW: append(&bo.efifws, &bo.nefifws, optarg); break;
		case OPT_PROFILE: igos_opt_once(&bo.profile, optarg); break;
		case OPT_JOIN: append(&bo.joins, &bo.njoins, optarg); break;
		case OPT_ADDON: igos_flag_once(&addon); break;
		case OPT_PCRKEY: igos_opt_once(&pcr_key, optarg); break;
		case OPT_PINFILE: igos_opt_once(&pin_file, optarg); break;
		case IGOS_OPT_TCTI: igos_opt_once(&tcti, optarg); break;
		case OPT_PCRBANK: {
			int b = igos_pcr_bank_parse(optarg);

			if (b < 0)
				igos_usage_err("%s", igos_errmsg());
			if (bo.pcr_banks & (1u << b))
				igos_usage_err("--pcr-bank %s given twice", optarg);
			bo.pcr_banks |= 1u << b;
			break;
		}
		case OPT_PHASE: {
			char *ph = igos_pcr_phase_normalize(optarg);

			if (ph == NULL)
				igos_usage_err("%s", igos_errmsg());
			append(&bo.phases, &bo.nphases, ph);
			break;
		}
		case 'c': igos_opt_once(&config, optarg); break;
		case 'o': igos_opt_once(&bo.out, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (optind != argc)
		igos_usage_err("build takes no operands ('%s')", argv[optind]);
	if (addon && config != NULL)
		igos_usage_err("--addon takes no -c: give the addon's sections as options");
	if (config != NULL) {
		if (config_read(&cfg, config) < 0) {
			igos_warn("%s", igos_errmsg());
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
		PICK(ucode, ucode);
		PICK(hwids, hwids);
		PICK(profile, profile);
#undef PICK
		if (pcr_key == NULL)
			pcr_key = cfg.pcr_key;
		if (bo.nsbats == 0 && cfg.sbat != NULL && cfg.sbat[0] != '\0')
			append(&bo.sbats, &bo.nsbats, cfg.sbat);
		if (bo.ninitrds == 0 && cfg.initrd != NULL)
			split_list(cfg.initrd, &bo.initrds, &bo.ninitrds);
		if (bo.ndtbautos == 0 && cfg.dtbauto != NULL)
			split_list(cfg.dtbauto, &bo.dtbautos, &bo.ndtbautos);
		if (bo.nefifws == 0 && cfg.efifw != NULL)
			split_list(cfg.efifw, &bo.efifws, &bo.nefifws);
	}
	/* PCRBanks= only when no --pcr-bank; like ukify, it only matters with a key */
	if (bo.pcr_banks == 0 && cfg.pcr_banks != NULL) {
		char *save = NULL, *tok;

		for (tok = strtok_r(cfg.pcr_banks, ", \t\n", &save); tok;
		     tok = strtok_r(NULL, ", \t\n", &save)) {
			int b = igos_pcr_bank_parse(tok);

			if (b < 0) {
				igos_warn("'%s': PCRBanks=: %s", config, igos_errmsg());
				config_free(&cfg);
				return 2;
			}
			bo.pcr_banks |= 1u << b;
		}
		if (pcr_key == NULL)
			bo.pcr_banks = 0;
	}
	if (bo.profile != NULL && bo.profile[0] == '\0')
		bo.profile = NULL;
	if (addon) {
		static const struct {
			const char *name;
			size_t off;
		} not_addon[] = {
			{"--linux", offsetof(struct build, linux_path)},
			{"--os-release", offsetof(struct build, osrel)},
			{"--splash", offsetof(struct build, splash)},
			{"--pcrpkey", offsetof(struct build, pcrpkey)},
			{"--pcrsig", offsetof(struct build, pcrsig)},
			{"--profile", offsetof(struct build, profile)},
		};

		for (size_t i = 0; i < sizeof(not_addon) / sizeof(not_addon[0]); i++)
			if (*(const char **)((char *)&bo + not_addon[i].off) != NULL)
				igos_usage_err("--addon and %s exclude each other (an addon "
					       "carries .cmdline, .dtb, .dtbauto, .hwids, .initrd, "
					       ".ucode, .uname)", not_addon[i].name);
		if (bo.njoins || bo.nefifws || pcr_key != NULL)
			igos_usage_err("--addon and %s exclude each other (an addon carries "
				       ".cmdline, .dtb, .dtbauto, .hwids, .initrd, .ucode, "
				       ".uname)",
				       bo.njoins ? "--join-profile" : bo.nefifws ? "--efifw" :
				       "--pcr-key");
		bo.kind = BUILD_ADDON;
	} else if (bo.profile != NULL && bo.njoins == 0) {
		/* a profile PE: joined into a UKI later, never booted itself */
		if (pcr_key != NULL || bo.pcrsig != NULL)
			igos_usage_err("a profile PE (--profile without --join-profile) carries "
				       "no .pcrsig: give %s when joining it",
				       pcr_key ? "--pcr-key" : "--pcrsig");
		if (bo.nsbats > 0)
			igos_usage_err("a profile PE (--profile without --join-profile) carries "
				       "no .sbat: give --sbat when joining it");
		bo.kind = BUILD_PROFILE;
	} else if (bo.linux_path == NULL) {
		igos_usage_err("build needs --linux KERNEL (or --addon, or --profile for a "
			       "profile PE)");
	}
	if (bo.out == NULL)
		igos_usage_err("build needs -o OUT");
	if (bo.hwids != NULL && bo.ndtbautos == 0 && bo.nefifws == 0)
		igos_usage_err("--hwids goes with --devicetree-auto or --efifw");
	if (bo.stub_path == NULL) {
		struct stat st;

		bo.stub_path = stub_alloc = default_stub(bo.kind == BUILD_ADDON ||
							 (bo.kind == BUILD_PROFILE &&
							  bo.linux_path == NULL));
		if (stat(bo.stub_path, &st) < 0 && errno == ENOENT)
			igos_die("no stub: '%s' does not exist (make install puts the igos stub "
			     "there; or give --stub FILE or Stub=)", bo.stub_path);
	}
	/* an empty text is no section, as with ukify */
	if (bo.cmdline != NULL && bo.cmdline[0] == '\0')
		bo.cmdline = NULL;
	if (pcr_key == NULL && (bo.pcr_banks || bo.nphases || pin_file || tcti))
		igos_usage_err("--pcr-bank, --phase, --pin-file and --tcti go with --pcr-key");
	if (pcr_key != NULL && bo.pcrsig != NULL)
		igos_usage_err("--pcr-key and --pcrsig exclude each other");
	if (pcr_key != NULL) {
		struct igos_signer_opts so = {.pin_file = pin_file, .tcti = tcti};

		if (bo.pcr_banks == 0)
			bo.pcr_banks = 1u << IGOS_BANK_SHA256;
		if ((bo.pcr_signer = igos_signer_open(pcr_key, &so)) == NULL)
			igos_die("%s", igos_errmsg());
		if (igos_signer_type(bo.pcr_signer) != IGOS_KEY_RSA)
			igos_die("--pcr-key '%s': PCR policies need an RSA key (systemd's TPM-side "
			     "check uses RSASSA)", pcr_key);
		if (bo.pcrpkey != NULL && !pcrpkey_is_signer(bo.pcrpkey, bo.pcr_signer)) {
			igos_signer_free(bo.pcr_signer);
			igos_die("--pcrpkey '%s' is not the public key of --pcr-key '%s'",
				 bo.pcrpkey, pcr_key);
		}
	}
	rc = do_build(&bo) < 0;
	if (rc)
		igos_warn("%s", igos_errmsg());
	igos_signer_free(bo.pcr_signer);
	for (size_t i = 0; i < bo.nphases; i++)
		free((char *)bo.phases[i]);
	free(bo.phases);
	config_free(&cfg);
	free(stub_alloc);
	free(bo.initrds);
	free(bo.sbats);
	free(bo.extra);
	free(bo.dtbautos);
	free(bo.efifws);
	free(bo.joins);
	return rc;
}

static int
main_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"section", required_argument, NULL, OPT_SECTION},
		{"profiles", no_argument, NULL, OPT_PROFILES},
		{"help", no_argument, NULL, 'h'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *only = NULL;
	int c, json = 0, profiles = 0;

	while ((c = igos_getopt(argc, argv, "hVv", opts)) != -1) {
		switch (c) {
		case OPT_JSON:
			igos_flag_once(&json);
			break;
		case OPT_SECTION: igos_opt_once(&only, optarg); break;
		case OPT_PROFILES: igos_flag_once(&profiles); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (argc - optind != 1)
		igos_usage_err("inspect takes one UKI");
	if (json && only != NULL)
		igos_usage_err("--json and --section cannot be used together");
	if (profiles && only != NULL)
		igos_usage_err("--profiles and --section cannot be used together");
	if (profiles)
		only = PROFILES_ONLY;
	if (do_inspect(argv[optind], json, only) < 0) {
		igos_warn("%s", igos_errmsg());
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct igos_verb verbs[] = {
		{ "build", main_build },
		{ "inspect", main_inspect },
		{ "config", main_config },
		{ NULL, NULL },
	};

	igos_cli_init(PROG, usage, NULL);
	return igos_cli_verbs(argc, argv, verbs);
}
