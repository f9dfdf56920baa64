/* lib/efivar.c writing and deleting variables on efivarfs, without a VM.
 *
 * efivarfs itself exists only inside the VM tests (tests/vm/mok-nvram.t), so
 * this unit stands in for it at link time (mk/mok.mk): statfs() of the test
 * directory answers efivarfs' magic, FS_IOC_GETFLAGS/SETFLAGS keep an
 * immutable flag per file the way efivarfs does for variables outside the
 * kernel's short list, and write(), close(), malloc() and realloc() fail when
 * a case asks. What is checked is what a user of igos-mok relies on: one
 * variable goes to the firmware as one write() (one SetVariable), a refused
 * write leaves no empty new variable behind and the old one untouched and
 * still immutable, and every failure is one exact line. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "igos.h"
#include "efivar.h"
#include "unit.h"

#define EFIVARFS_MAGIC 0xde5e81e4

static char fsdir[64];	/* the directory that answers as efivarfs */

/* ---- the stand-ins, active for files under fsdir only ---- */

int __real_statfs(const char *, struct statfs *);
ssize_t __real_write(int, const void *, size_t);
int __real_close(int);
int __real_ioctl(int, unsigned long, ...);
void *__real_malloc(size_t);
void *__real_realloc(void *, size_t);

static int write_errno, write_short, write_eintr, close_errno, flags_errno, setflags_errno;
static int writes, last_fd = -1;
static size_t last_len, fail_alloc;
static int fail_asprintf;

/* immutable flags, by path */
static char imm_path[8][256];
static int imm_on[8];

/* fd is a file under fsdir (direct: in fsdir itself, not a subdirectory)? */
static int
under_fsdir(int fd, char *path, size_t size, int direct)
{
	char l[32];
	ssize_t n;
	size_t k = strlen(fsdir);

	snprintf(l, sizeof(l), "/proc/self/fd/%d", fd);
	if (fd < 0 || !*fsdir || (n = readlink(l, path, size - 1)) < 0)
		return 0;
	path[n] = 0;
	return strncmp(path, fsdir, k) == 0 && path[k] == '/' &&
	       (!direct || strchr(path + k + 1, '/') == NULL);
}

static int *
imm_slot(const char *path, int add)
{
	for (int i = 0; i < 8; i++)
		if (strcmp(imm_path[i], path) == 0)
			return &imm_on[i];
	for (int i = 0; add && i < 8; i++)
		if (!*imm_path[i]) {
			snprintf(imm_path[i], sizeof(imm_path[i]), "%s", path);
			return &imm_on[i];
		}
	return NULL;
}

static int
immutable(const char *path)
{
	int *s = imm_slot(path, 0);

	return s != NULL && *s;
}

static void
set_immutable(const char *path, int on)
{
	*imm_slot(path, 1) = on;
}

int
__wrap_statfs(const char *path, struct statfs *buf)
{
	int r = __real_statfs(path, buf);

	if (r == 0 && *fsdir && strcmp(path, fsdir) == 0)
		buf->f_type = EFIVARFS_MAGIC;
	return r;
}

ssize_t
__wrap_write(int fd, const void *buf, size_t n)
{
	char p[256];

	if (!under_fsdir(fd, p, sizeof(p), 1))
		return __real_write(fd, buf, n);
	writes++;
	last_fd = fd;
	last_len = n;
	if (write_eintr > 0) {
		write_eintr--;
		errno = EINTR;
		return -1;
	}
	if (write_errno) {
		errno = write_errno;
		return -1;
	}
	/* each write() is one SetVariable: the value is replaced whole */
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	return __real_write(fd, buf, write_short && n > 1 ? n - 1 : n);
}

int
__wrap_close(int fd)
{
	int r = __real_close(fd);

	if (fd == last_fd) {
		last_fd = -1;
		if (r == 0 && close_errno) {
			errno = close_errno;
			return -1;
		}
	}
	return r;
}

int
__wrap_ioctl(int fd, unsigned long req, ...)
{
	char p[256];
	va_list ap;
	int *arg;

	va_start(ap, req);
	arg = va_arg(ap, int *);
	va_end(ap);
	if ((req != FS_IOC_GETFLAGS && req != FS_IOC_SETFLAGS) || !under_fsdir(fd, p, sizeof(p), 0))
		return __real_ioctl(fd, req, arg);
	if (req == FS_IOC_GETFLAGS) {
		if (flags_errno) {
			errno = flags_errno;
			return -1;
		}
		*arg = immutable(p) ? FS_IMMUTABLE_FL : 0;
		return 0;
	}
	if (setflags_errno) {
		errno = setflags_errno;
		return -1;
	}
	set_immutable(p, (*arg & FS_IMMUTABLE_FL) != 0);
	return 0;
}

void *
__wrap_malloc(size_t n)
{
	return fail_alloc && n == fail_alloc ? NULL : __real_malloc(n);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return fail_alloc && n == fail_alloc ? NULL : __real_realloc(p, n);
}

int
__wrap_asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (fail_asprintf) {
		*out = NULL;
		errno = ENOMEM;
		return -1;
	}
	va_start(ap, fmt);
	r = vasprintf(out, fmt, ap);
	va_end(ap);
	return r;
}

/* ---- helpers ---- */

static char g[37];

static const char *
var(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s-%s", fsdir, name, g);
	return p;
}

/* The file of name holds exactly these bytes? */
static int
holds(const char *name, const void *want, size_t n)
{
	unsigned char b[64];
	FILE *f = fopen(var(name), "rb");
	size_t got;

	if (f == NULL)
		return 0;
	got = fread(b, 1, sizeof(b), f);
	fclose(f);
	return got == n && memcmp(b, want, n) == 0;
}

static int
err_is(const char *fmt, const char *name)
{
	char want[512];

	snprintf(want, sizeof(want), fmt, var(name));
	if (strcmp(igos_errmsg(), want) != 0) {
		printf("# got '%s'\n# want '%s'\n", igos_errmsg(), want);
		return 0;
	}
	return 1;
}

static void
put(const char *name, const void *bytes, size_t n, int imm)
{
	FILE *f = fopen(var(name), "wb");

	fwrite(bytes, 1, n, f);
	fclose(f);
	set_immutable(var(name), imm);
}

static void
reset(void)
{
	write_errno = write_short = write_eintr = close_errno = flags_errno = setflags_errno = 0;
	fail_alloc = 0;
	fail_asprintf = 0;
	writes = 0;
	last_len = 0;
}

/* ---- the cases ---- */

static void
test_write(void)
{
	static const unsigned char v1[] = { 7, 0, 0, 0, 'a', 'b', 'c' };
	static const unsigned char v2[] = { 7, 0, 0, 0, 'x', 'y' };
	struct stat st;

	OK(igos_efivar_write(fsdir, "MokNew", igos_guid_shim, 7, "abc", 3) == 0 &&
	   holds("MokNew", v1, sizeof(v1)), "efivarfs: a new variable is written");
	OK(writes == 1 && last_len == 7,
	   "efivarfs: attributes and data go in one write() (one SetVariable)");

	reset();
	write_eintr = 2;
	OK(igos_efivar_write(fsdir, "MokNew", igos_guid_shim, 7, "xy", 2) == 0 &&
	   holds("MokNew", v2, sizeof(v2)) && writes == 3,
	   "efivarfs: a write interrupted twice is tried again, then lands");

	/* efivarfs makes a new variable outside its short list immutable */
	reset();
	set_immutable(var("MokNew"), 1);
	OK(igos_efivar_write(fsdir, "MokNew", igos_guid_shim, 7, "abc", 3) == 0 &&
	   holds("MokNew", v1, sizeof(v1)), "efivarfs: an immutable variable is replaced");
	OK(immutable(var("MokNew")), "efivarfs: and it is immutable again afterwards");

	reset();
	write_errno = ENOSPC;
	OK(igos_efivar_write(fsdir, "MokNew", igos_guid_shim, 7, "xy", 2) < 0 &&
	   err_is("cannot write '%s': No space left on device", "MokNew"),
	   "efivarfs: a refused SetVariable is one line");
	OK(holds("MokNew", v1, sizeof(v1)) && immutable(var("MokNew")),
	   "efivarfs: the old variable stays, whole and immutable");

	reset();
	write_errno = ENOSPC;
	OK(igos_efivar_write(fsdir, "MokDel", igos_guid_shim, 7, "xy", 2) < 0 &&
	   err_is("cannot write '%s': No space left on device", "MokDel"),
	   "efivarfs: a new variable the firmware refuses: one line");
	OK(stat(var("MokDel"), &st) < 0 && errno == ENOENT,
	   "efivarfs: and no empty variable is left behind");

	reset();
	write_short = 1;
	OK(igos_efivar_write(fsdir, "MokDel", igos_guid_shim, 7, "xy", 2) < 0 &&
	   err_is("cannot write '%s': Input/output error", "MokDel") &&
	   stat(var("MokDel"), &st) < 0, "efivarfs: a short write is an I/O error, nothing left");

	reset();
	write_short = 1;
	OK(igos_efivar_write(fsdir, "MokNew", igos_guid_shim, 7, "xy", 2) < 0 &&
	   err_is("cannot write '%s': Input/output error", "MokNew") &&
	   stat(var("MokNew"), &st) == 0 && immutable(var("MokNew")),
	   "efivarfs: a short write over an old variable does not remove it");
	put("MokNew", v1, sizeof(v1), 1);

	reset();
	close_errno = EIO;
	OK(igos_efivar_write(fsdir, "MokSB", igos_guid_shim, 7, "xy", 2) < 0 &&
	   err_is("cannot write '%s': Input/output error", "MokSB"),
	   "efivarfs: a failing close() is a failed write");
	unlink(var("MokSB"));

	reset();
	OK(mkdir(var("MokDir"), 0700) == 0, "a directory where a variable would be");
	OK(igos_efivar_write(fsdir, "MokDir", igos_guid_shim, 7, "xy", 2) < 0 &&
	   err_is("cannot write '%s': Is a directory", "MokDir") && writes == 0,
	   "efivarfs: a variable that cannot be opened is one line, nothing written");

	/* the immutable flag cannot be read or cleared: nothing is written */
	reset();
	flags_errno = EPERM;
	OK(igos_efivar_write(fsdir, "MokNew", igos_guid_shim, 7, "xy", 2) < 0 &&
	   err_is("cannot read the flags of '%s': Operation not permitted", "MokNew") &&
	   writes == 0 && holds("MokNew", v1, sizeof(v1)),
	   "efivarfs: flags that cannot be read: refused, variable untouched");
	reset();
	flags_errno = ENOTTY;
	OK(igos_efivar_write(fsdir, "MokNew", igos_guid_shim, 7, "xy", 2) == 0 &&
	   holds("MokNew", v2, sizeof(v2)), "a filesystem without flags (ENOTTY) is written");
	reset();
	flags_errno = EOPNOTSUPP;
	OK(igos_efivar_write(fsdir, "MokNew", igos_guid_shim, 7, "abc", 3) == 0 &&
	   holds("MokNew", v1, sizeof(v1)), "a filesystem without flags (EOPNOTSUPP) is written");
	reset();
	flags_errno = EINVAL;
	OK(igos_efivar_write(fsdir, "MokNew", igos_guid_shim, 7, "xy", 2) == 0 &&
	   holds("MokNew", v2, sizeof(v2)), "a filesystem without flags (EINVAL) is written");
	reset();
	set_immutable(var("MokNew"), 1);
	setflags_errno = EPERM;
	OK(igos_efivar_write(fsdir, "MokNew", igos_guid_shim, 7, "abc", 3) < 0 &&
	   err_is("cannot clear the immutable flag of '%s': Operation not permitted", "MokNew") &&
	   writes == 0 && holds("MokNew", v2, sizeof(v2)),
	   "efivarfs: an immutable flag that cannot be cleared: refused, variable untouched");

	reset();
	fail_alloc = 4 + 11;
	OK(igos_efivar_write(fsdir, "MokNew", igos_guid_shim, 7, "hello world", 11) < 0 &&
	   strcmp(igos_errmsg(), "out of memory") == 0 && writes == 0 &&
	   holds("MokNew", v2, sizeof(v2)), "out of memory: one line, variable untouched");
	reset();
	fail_asprintf = 1;
	OK(igos_efivar_write(fsdir, "MokNew", igos_guid_shim, 7, "abc", 3) < 0 &&
	   strcmp(igos_errmsg(), "out of memory") == 0 && writes == 0 &&
	   holds("MokNew", v2, sizeof(v2)), "no memory for the path: write refused, one line");
	OK(igos_efivar_delete(fsdir, "MokNew", igos_guid_shim) < 0 &&
	   strcmp(igos_errmsg(), "out of memory") == 0 && holds("MokNew", v2, sizeof(v2)),
	   "no memory for the path: delete refused, one line, variable kept");
	{
		uint32_t attr;
		unsigned char *d = NULL;
		size_t dl;

		OK(igos_efivar_read(fsdir, "MokNew", igos_guid_shim, &attr, &d, &dl) < 0 &&
		   strcmp(igos_errmsg(), "out of memory") == 0 && d == NULL,
		   "no memory for the path: read refused, one line");
	}
	reset();

	/* run with standard input closed (as a service may be), the variable's
	 * descriptor is 0: still a descriptor */
	close(0);
	OK(igos_efivar_write(fsdir, "MokSB", igos_guid_shim, 7, "abc", 3) == 0 && writes == 1 &&
	   holds("MokSB", v1, sizeof(v1)), "efivarfs: written with standard input closed");
	{
		uint32_t attr = 0;
		unsigned char *d = NULL;
		size_t dl = 0;

		OK(igos_efivar_read(fsdir, "MokSB", igos_guid_shim, &attr, &d, &dl) == 0 &&
		   attr == 7 && dl == 3 && d && memcmp(d, "abc", 3) == 0,
		   "efivarfs: read back with standard input closed");
		free(d);
	}
	set_immutable(var("MokSB"), 1);
	reset();
	OK(igos_efivar_write(fsdir, "MokSB", igos_guid_shim, 7, "xy", 2) == 0 && writes == 1 &&
	   holds("MokSB", v2, sizeof(v2)) && immutable(var("MokSB")),
	   "efivarfs: an immutable variable replaced with standard input closed, immutable again");
	OK(igos_efivar_delete(fsdir, "MokSB", igos_guid_shim) == 0 &&
	   access(var("MokSB"), F_OK) < 0 && errno == ENOENT,
	   "efivarfs: and deleted with standard input closed");
	OK(open("/dev/null", O_RDONLY) == 0, "standard input back");
	unlink(var("MokSB"));
	reset();
}

static void
test_plain_immutable(void)
{
	/* a plain directory (not efivarfs) whose file carries the flag:
	 * replaced atomically, flag put back */
	char p[256];
	static const unsigned char v[] = { 7, 0, 0, 0, 'q' };
	char save[64];
	FILE *f;
	unsigned char b[16];

	snprintf(save, sizeof(save), "%s", fsdir);
	/* the stand-in flags follow fsdir; statfs answers efivarfs for fsdir
	 * only, so a subdirectory of it is a plain directory with flags */
	snprintf(p, sizeof(p), "%s/plain", fsdir);
	OK(mkdir(p, 0700) == 0, "a plain directory inside");
	snprintf(p, sizeof(p), "%s/plain/MokNew-%s", save, g);
	f = fopen(p, "wb");
	fputs("old", f);
	fclose(f);
	set_immutable(p, 1);
	snprintf(p, sizeof(p), "%s/plain", save);
	OK(igos_efivar_write(p, "MokNew", igos_guid_shim, 7, "q", 1) == 0,
	   "plain directory: an immutable variable is replaced");
	snprintf(p, sizeof(p), "%s/plain/MokNew-%s", save, g);
	f = fopen(p, "rb");
	OK(f != NULL && fread(b, 1, sizeof(b), f) == sizeof(v) && memcmp(b, v, sizeof(v)) == 0,
	   "plain directory: the variable holds the new value");
	if (f != NULL)
		fclose(f);
	OK(immutable(p), "plain directory: the immutable flag is put back on the new file");
	set_immutable(p, 0);
	unlink(p);
	snprintf(p, sizeof(p), "%s/plain", save);
	rmdir(p);
}

static void
test_delete(void)
{
	struct stat st;

	reset();
	put("MokAuth", "abcdefg", 7, 1);
	OK(igos_efivar_delete(fsdir, "MokAuth", igos_guid_shim) == 0 &&
	   stat(var("MokAuth"), &st) < 0, "efivarfs: an immutable variable is deleted");
	OK(igos_efivar_delete(fsdir, "MokAuth", igos_guid_shim) == IGOS_EFIVAR_ABSENT,
	   "efivarfs: deleting it again: absent, not an error");

	set_immutable(var("MokDir"), 1);
	OK(igos_efivar_delete(fsdir, "MokDir", igos_guid_shim) < 0 &&
	   err_is("cannot remove '%s': Is a directory", "MokDir"),
	   "a variable that cannot be removed is one line");
	OK(immutable(var("MokDir")) && stat(var("MokDir"), &st) == 0,
	   "and it keeps its immutable flag");
	set_immutable(var("MokDir"), 0);
	OK(igos_efivar_delete(fsdir, "MokDir", igos_guid_shim) < 0 &&
	   err_is("cannot remove '%s': Is a directory", "MokDir") && !immutable(var("MokDir")),
	   "one without the flag does not gain it");
	rmdir(var("MokDir"));

	put("MokAuth", "abcdefg", 7, 1);
	setflags_errno = EPERM;
	OK(igos_efivar_delete(fsdir, "MokAuth", igos_guid_shim) < 0 &&
	   err_is("cannot clear the immutable flag of '%s': Operation not permitted", "MokAuth") &&
	   stat(var("MokAuth"), &st) == 0, "a flag that cannot be cleared: refused, kept");
	reset();
	set_immutable(var("MokAuth"), 0);
	unlink(var("MokAuth"));
}

static void
test_lists_oom(void)
{
	/* the two request edits, when memory runs out: one line, input kept */
	unsigned char h1[32], h2[32], *r = NULL, *o;
	size_t rl = 0, ol, n;
	struct igos_esl_entry *e;

	memset(h1, 1, sizeof(h1));
	memset(h2, 2, sizeof(h2));
	OK(igos_esl_add_hash(&r, &rl, igos_guid_cert_sha256, igos_guid_shim, h1, 32) == 0 &&
	   rl == 28 + 48, "a first hash makes a list");
	fail_alloc = rl + 48;
	OK(igos_esl_add_hash(&r, &rl, igos_guid_cert_sha256, igos_guid_shim, h2, 32) < 0 &&
	   strcmp(igos_errmsg(), "out of memory") == 0 && rl == 28 + 48 &&
	   memcmp(r + 28 + 16, h1, 32) == 0, "growing a list out of memory: one line, list kept");
	fail_alloc = 28 + 16 + 20 + rl;
	OK(igos_esl_add_hash(&r, &rl, igos_guid_cert_sha1, igos_guid_shim, h2, 20) < 0 &&
	   strcmp(igos_errmsg(), "out of memory") == 0 && rl == 28 + 48,
	   "a new list out of memory: one line, request kept");
	fail_alloc = 28 + 16 + 20;
	OK(igos_esl_add_hash(&r, &rl, igos_guid_cert_sha1, igos_guid_shim, h2, 20) < 0 &&
	   strcmp(igos_errmsg(), "out of memory") == 0 && rl == 28 + 48,
	   "a new list that cannot be made: one line, request kept");
	fail_alloc = 0;
	OK(igos_esl_parse(r, rl, &e, &n) == 0 && n == 1, "the request still parses");
	fail_alloc = rl;
	OK(igos_esl_remove(r, rl, e, n, 0, &o, &ol) < 0 && strcmp(igos_errmsg(), "out of memory") == 0,
	   "removing out of memory: one line");
	fail_alloc = 0;
	free(e);

	/* the size checks of a list grown by one signature, at their bounds:
	 * the largest signature a list's 32-bit size holds (4 GiB - 1 with the
	 * 28-byte list header and the 16-byte owner) and a list whose new
	 * length is exactly SIZE_MAX get as far as the allocation (made to
	 * fail: no bytes are read); one byte more is refused by name */
	{
		unsigned char *none = NULL;
		size_t add = 28 + 16 + 32, huge = SIZE_MAX - add, zero = 0;

		fail_alloc = UINT32_MAX;
		OK(igos_esl_append(&none, &zero, igos_guid_cert_x509, igos_guid_shim, h1,
				   UINT32_MAX - 28 - 16) < 0 &&
		   strcmp(igos_errmsg(), "out of memory") == 0 && none == NULL && zero == 0,
		   "a signature filling a list to 4 GiB - 1 is not too large");
		OK(igos_esl_append(&none, &zero, igos_guid_cert_x509, igos_guid_shim, h1,
				   UINT32_MAX - 28 - 16 + 1) < 0 &&
		   strcmp(igos_errmsg(), "signature of 4294967252 bytes is too large for a list") == 0 &&
		   none == NULL && zero == 0, "one byte more is (%s)", igos_errmsg());
		fail_alloc = SIZE_MAX;
		OK(igos_esl_append(&none, &huge, igos_guid_cert_sha256, igos_guid_shim, h1, 32) < 0 &&
		   strcmp(igos_errmsg(), "out of memory") == 0 && none == NULL &&
		   huge == SIZE_MAX - add, "a list growing to SIZE_MAX bytes: out of memory, kept");
		huge++;
		OK(igos_esl_append(&none, &huge, igos_guid_cert_sha256, igos_guid_shim, h1, 32) < 0 &&
		   strcmp(igos_errmsg(), "signature list too large") == 0 && none == NULL &&
		   huge == SIZE_MAX - add + 1, "one byte more would wrap: too large (%s)",
		   igos_errmsg());
		fail_alloc = 0;
	}

	/* a queued request that is not signature lists is not added to */
	{
		unsigned char junk[10] = { 1, 2, 3 }, *j = junk;
		size_t jl = sizeof(junk);

		OK(igos_esl_add_hash(&j, &jl, igos_guid_cert_sha256, igos_guid_shim, h1, 32) < 0 &&
		   j == junk && jl == sizeof(junk) &&
		   strcmp(igos_errmsg(), "signature list 1 at offset 0: 10 bytes left, a header "
			  "needs 28") == 0, "adding to a request that does not parse: refused, kept");
	}
	free(r);
}

/* A hash request's list at the 32-bit limit of SignatureListSize: one
 * hash list whose SignatureHeaderSize pads it to lsize bytes. */
static unsigned char *
big_list(unsigned char *b, uint32_t lsize)
{
	memcpy(b, igos_guid_cert_sha256, 16);
	igos_put_le32(b + 16, lsize);
	igos_put_le32(b + 20, lsize - 28 - 48);
	igos_put_le32(b + 24, 48);
	return b;
}

static void
test_list_limit(void)
{
	unsigned char h[32], *b;
	size_t len = 0xfffffffcu;

	memset(h, 7, sizeof(h));
	/* too large: refused before any byte moves (the pages are never touched) */
	b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (b == MAP_FAILED) {
		printf("ok %d # SKIP cannot map 4 GiB of address space\n", ++unit_n);
	} else {
		unsigned char *q = big_list(b, (uint32_t)len);

		OK(igos_esl_add_hash(&q, &len, igos_guid_cert_sha256, igos_guid_shim, h, 32) < 0 &&
		   strcmp(igos_errmsg(), "signature list too large") == 0 && q == b &&
		   len == 0xfffffffcu && igos_le32(b + 16) == 0xfffffffcu,
		   "a hash that would take its list past 4 GiB: refused, request kept");
		munmap(b, 0xfffffffcu);
	}
#if !defined(__SANITIZE_ADDRESS__)
	/* (not in the sanitizer build: ASan's realloc would copy all 4 GiB;
	 * the plain pass of make check runs it) */
	/* exactly at the limit: accepted (glibc grows the mapping in place) */
	len = 0xffffffffu - 48;
	if ((b = malloc(len)) == NULL) {
		printf("ok %d # SKIP cannot allocate 4 GiB\n", ++unit_n);
		return;
	}
	big_list(b, (uint32_t)len);
	OK(igos_esl_add_hash(&b, &len, igos_guid_cert_sha256, igos_guid_shim, h, 32) == 0 &&
	   len == 0xffffffffu && igos_le32(b + 16) == 0xffffffffu &&
	   memcmp(b + len - 32, h, 32) == 0,
	   "a hash that takes its list to exactly 4 GiB - 1: accepted, list size rewritten");
	free(b);
#endif
}

int
main(void)
{
	snprintf(fsdir, sizeof(fsdir), "/tmp/igos-efivarfs.XXXXXX");
	if (mkdtemp(fsdir) == NULL) {
		printf("1..0 # SKIP cannot make a temporary directory\n");
		return 1;
	}
	igos_guid_str(igos_guid_shim, g);
	test_write();
	test_plain_immutable();
	test_delete();
	test_lists_oom();
	test_list_limit();
	unlink(var("MokNew"));
	OK(rmdir(fsdir) == 0, "nothing else left in the directory");
	return DONE();
}
