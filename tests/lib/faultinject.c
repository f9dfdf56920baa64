/*
 * Fault injection for the writers, as an LD_PRELOAD shim:
 *
 *   FAULT_N=n          the n-th counted call fails (1-based; unset or 0: none)
 *   FAULT_ERRNO=e      ENOSPC (default), EIO, EROFS, ENOLCK or EMFILE
 *   FAULT_CALLS=list   which calls count, comma-separated among write, pwrite,
 *                      copy_file_range, fsync, fdatasync, fchmod, ftruncate,
 *                      rename, renameat, renameat2, linkat, close (default all);
 *                      read, fstat, flock and opendir count only when named (the input
 *                      side: a disk that fails a read, a filesystem without
 *                      locks), so the writers' fault suites see no change;
 *                      so do strdup and asprintf (memory running out: they
 *                      fail with ENOMEM whatever FAULT_ERRNO says)
 *   FAULT_KILL_AT=n    SIGKILL the process at the n-th counted call instead
 *   FAULT_KILL_BYTES=b SIGKILL once b bytes have gone to regular files (the
 *                      call that crosses b writes only up to b first)
 *   FAULT_LOG=file     append "<calls> <bytes>" at exit, so a test knows how many
 *                      faults it can inject, or "killed at <call>" 
 *   FAULT_SWAP=path    just before the first rename, renameat or renameat2, put
 *   FAULT_SWAP_KIND=k  a k (chr: a null device node, fifo, sock, dir) in place
 *                      of path: the attacker who wins the check-then-rename race
 *
 * Data calls (write, pwrite, copy_file_range, fsync, fdatasync, fchmod,
 * ftruncate, close) count only on descriptors above 2 that are regular files
 * or directories: standard output and error, pipes and sockets are left alone.
 * FAULT_DEVICES=1 counts block and character devices and FIFOs too (outputs
 * written in place).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/types.h>
#include <unistd.h>

enum { C_WRITE, C_PWRITE, C_CFR, C_FSYNC, C_FDATASYNC, C_FCHMOD, C_FTRUNCATE, C_RENAME,
       C_RENAMEAT, C_RENAMEAT2, C_LINKAT, C_CLOSE, C_OPTIN, C_READ = C_OPTIN, C_FSTAT, C_FLOCK,
       C_OPENDIR, C_STRDUP, C_ASPRINTF,
       C_N };
static const char *const cname[C_N] = { "write", "pwrite", "copy_file_range", "fsync",
	"fdatasync", "fchmod", "ftruncate", "rename", "renameat", "renameat2", "linkat", "close",
	"read", "fstat", "flock", "opendir", "strdup", "asprintf" };

static int inited, enabled[C_N], ferr = ENOSPC, devices;
static unsigned long fail_n, kill_at, calls;
static unsigned long long kill_bytes, bytes;
static const char *logpath;

static void
logcount(void)
{
	if (logpath != NULL) {
		FILE *f = fopen(logpath, "a");

		if (f != NULL) {
			fprintf(f, "%lu %llu\n", calls, bytes);
			fclose(f);
		}
	}
}

static void
init(void)
{
	const char *s;

	if (inited)
		return;
	inited = 1;
	s = getenv("FAULT_CALLS");
	for (int i = 0; i < C_N; i++) {
		enabled[i] = s == NULL && i < C_OPTIN;
		if (s != NULL) {
			size_t l = strlen(cname[i]);

			for (const char *p = s; *p; p += strcspn(p, ","), p += *p == ',')
				if (strncmp(p, cname[i], l) == 0 && (p[l] == ',' || p[l] == 0))
					enabled[i] = 1;
		}
	}
	if ((s = getenv("FAULT_N")) != NULL)
		fail_n = strtoul(s, NULL, 10);
	if ((s = getenv("FAULT_KILL_AT")) != NULL)
		kill_at = strtoul(s, NULL, 10);
	if ((s = getenv("FAULT_KILL_BYTES")) != NULL)
		kill_bytes = strtoull(s, NULL, 10);
	if ((s = getenv("FAULT_ERRNO")) != NULL)
		ferr = strcmp(s, "EIO") == 0 ? EIO : strcmp(s, "EROFS") == 0 ? EROFS :
		       strcmp(s, "ENOLCK") == 0 ? ENOLCK : strcmp(s, "EMFILE") == 0 ? EMFILE : ENOSPC;
	devices = (s = getenv("FAULT_DEVICES")) != NULL && strcmp(s, "1") == 0;
	if ((logpath = getenv("FAULT_LOG")) != NULL)
		atexit(logcount);
}

/* SIGKILL now, noting where in FAULT_LOG first. */
static void
die(const char *where)
{
	if (logpath != NULL) {
		FILE *f = fopen(logpath, "a");

		if (f != NULL) {
			fprintf(f, "killed at %s\n", where);
			fclose(f);
		}
	}
	raise(SIGKILL);
}

static int real_fstat(int fd, struct stat *st);

static int
file_fd(int fd)
{
	struct stat st;
	int e = errno, r;

	init();
	r = fd > 2 && real_fstat(fd, &st) == 0 &&
	    (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ||
	     (devices && (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))));
	errno = e;
	return r;
}

/* 1: fail this call with ferr. */
static int
fault(int c)
{
	init();
	if (!enabled[c])
		return 0;
	calls++;
	if (kill_at && calls == kill_at)
		die(cname[c]);
	if (fail_n && calls == fail_n) {
		errno = ferr;
		return 1;
	}
	return 0;
}

/* How much of a len-byte data write may go before the kill point. */
static size_t
before_kill(size_t len)
{
	if (!kill_bytes)
		return len;
	if (bytes >= kill_bytes)
		die("a data write");
	return kill_bytes - bytes < len ? (size_t)(kill_bytes - bytes) : len;
}

#define REAL(ret, name, ...) \
	static ret (*real)(__VA_ARGS__); \
	if (real == NULL) \
		real = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, name)

ssize_t
write(int fd, const void *p, size_t len)
{
	REAL(ssize_t, "write", int, const void *, size_t);
	size_t n;
	ssize_t r;

	if (!file_fd(fd))
		return real(fd, p, len);
	if (fault(C_WRITE))
		return -1;
	n = before_kill(len);
	r = real(fd, p, n);
	if (r > 0)
		bytes += (size_t)r;
	if (n < len)
		die("a data write");
	return r;
}

ssize_t
pwrite(int fd, const void *p, size_t len, off_t off)
{
	REAL(ssize_t, "pwrite", int, const void *, size_t, off_t);
	size_t n;
	ssize_t r;

	if (!file_fd(fd))
		return real(fd, p, len, off);
	if (fault(C_PWRITE))
		return -1;
	n = before_kill(len);
	r = real(fd, p, n, off);
	if (r > 0)
		bytes += (size_t)r;
	if (n < len)
		die("a data write");
	return r;
}

ssize_t pwrite64(int fd, const void *p, size_t len, off_t off) __attribute__((alias("pwrite")));

ssize_t
copy_file_range(int in, off_t *inoff, int out, off_t *outoff, size_t len, unsigned flags)
{
	REAL(ssize_t, "copy_file_range", int, off_t *, int, off_t *, size_t, unsigned);
	size_t n;
	ssize_t r;

	if (!file_fd(out))
		return real(in, inoff, out, outoff, len, flags);
	if (fault(C_CFR))
		return -1;
	n = before_kill(len);
	r = real(in, inoff, out, outoff, n, flags);
	if (r > 0)
		bytes += (size_t)r;
	if (n < len && n > 0)
		die("a data write");
	return r;
}

#define FD_CALL(fn, idx) \
	int fn(int fd) \
	{ \
		REAL(int, #fn, int); \
		if (file_fd(fd) && fault(idx)) \
			return -1; \
		return real(fd); \
	}
FD_CALL(fsync, C_FSYNC)
FD_CALL(fdatasync, C_FDATASYNC)

int
fchmod(int fd, mode_t m)
{
	REAL(int, "fchmod", int, mode_t);
	if (file_fd(fd) && fault(C_FCHMOD))
		return -1;
	return real(fd, m);
}

int
ftruncate(int fd, off_t len)
{
	REAL(int, "ftruncate", int, off_t);
	if (file_fd(fd) && fault(C_FTRUNCATE))
		return -1;
	return real(fd, len);
}

int ftruncate64(int fd, off_t len) __attribute__((alias("ftruncate")));

int
close(int fd)
{
	REAL(int, "close", int);
	/* a failing close still closes the descriptor, as Linux does */
	if (file_fd(fd) && fault(C_CLOSE)) {
		real(fd);
		errno = ferr;
		return -1;
	}
	return real(fd);
}

static void
swap_in(void)
{
	static int done;
	const char *path = getenv("FAULT_SWAP"), *k = getenv("FAULT_SWAP_KIND");
	int e = errno;

	if (done || path == NULL || k == NULL)
		return;
	done = 1;
	if (unlink(path) < 0 && errno != ENOENT)
		die("swap: unlink");
	if (strcmp(k, "chr") == 0) {
		if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) < 0)
			die("swap: mknod");
	} else if (strcmp(k, "fifo") == 0) {
		if (mkfifo(path, 0644) < 0)
			die("swap: mkfifo");
	} else if (strcmp(k, "dir") == 0) {
		if (mkdir(path, 0755) < 0)
			die("swap: mkdir");
	} else if (strcmp(k, "sock") == 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int s = socket(AF_UNIX, SOCK_STREAM, 0);

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
		if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			die("swap: bind");
	}
	errno = e;
}

int
rename(const char *a, const char *b)
{
	REAL(int, "rename", const char *, const char *);
	swap_in();
	if (fault(C_RENAME))
		return -1;
	return real(a, b);
}

int
renameat(int da, const char *a, int db, const char *b)
{
	REAL(int, "renameat", int, const char *, int, const char *);
	swap_in();
	if (fault(C_RENAMEAT))
		return -1;
	return real(da, a, db, b);
}

int
renameat2(int da, const char *a, int db, const char *b, unsigned flags)
{
	REAL(int, "renameat2", int, const char *, int, const char *, unsigned);
	swap_in();
	if (fault(C_RENAMEAT2))
		return -1;
	return real(da, a, db, b, flags);
}

int
linkat(int da, const char *a, int db, const char *b, int flags)
{
	REAL(int, "linkat", int, const char *, int, const char *, int);
	if (fault(C_LINKAT))
		return -1;
	return real(da, a, db, b, flags);
}

/* ---- the input side, counted only when FAULT_CALLS names them ---- */

static int
real_fstat(int fd, struct stat *st)
{
	REAL(int, "fstat", int, struct stat *);
	return real(fd, st);
}

ssize_t
read(int fd, void *p, size_t len)
{
	REAL(ssize_t, "read", int, void *, size_t);
	init();
	if (enabled[C_READ] && file_fd(fd) && fault(C_READ))
		return -1;
	return real(fd, p, len);
}

int
fstat(int fd, struct stat *st)
{
	if (file_fd(fd) && fault(C_FSTAT))
		return -1;
	return real_fstat(fd, st);
}

int
fstat64(int fd, struct stat64 *st)
{
	REAL(int, "fstat64", int, struct stat64 *);
	if (file_fd(fd) && fault(C_FSTAT))
		return -1;
	return real(fd, st);
}

int
flock(int fd, int op)
{
	REAL(int, "flock", int, int);
	if (file_fd(fd) && fault(C_FLOCK))
		return -1;
	return real(fd, op);
}

DIR *
opendir(const char *path)
{
	REAL(DIR *, "opendir", const char *);
	if (fault(C_OPENDIR))
		return NULL;
	return real(path);
}

char *
strdup(const char *s)
{
	REAL(char *, "strdup", const char *);
	if (fault(C_STRDUP)) {
		errno = ENOMEM;
		return NULL;
	}
	return real(s);
}

int
asprintf(char **p, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (fault(C_ASPRINTF)) {
		errno = ENOMEM;
		return -1;
	}
	va_start(ap, fmt);
	r = vasprintf(p, fmt, ap);
	va_end(ap);
	return r;
}
