/*
 * Reading inputs whole (mapped or read) and writing outputs atomically: a
 * temporary file in the target's directory, made visible only once it is
 * complete and on disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "igos.h"

static int
open_input(const char *path)
{
	if (strcmp(path, "-") == 0)
		return STDIN_FILENO;
	return open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
}

/* sysfs and procfs files state a size that is not their content's: read them. */
static int
pseudo_file(int fd, const struct stat *st)
{
	struct statfs sfs;

	if (st->st_size == 0)
		return 1;
	if (fstatfs(fd, &sfs) < 0)
		return 0;
	return sfs.f_type == 0x62656572 /* SYSFS_MAGIC */ ||
	       sfs.f_type == 0x9fa0 /* PROC_SUPER_MAGIC */;
}

/*
 * A large buffer is backed by 2 MiB pages where the kernel allows it: read()
 * then faults a 142 MB UKI in ~70 times instead of ~35000 (4 KiB faults made
 * the copy ten times slower than mapping the file; with huge pages it is
 * faster). A hint only: without transparent huge pages nothing changes.
 */
static void
huge_pages(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t h = (uintptr_t)2 << 20;
	uintptr_t a = ((uintptr_t)p + h - 1) & ~(h - 1), b = ((uintptr_t)p + len) & ~(h - 1);

	if (b > a)
		madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
	(void)p, (void)len;
#endif
}

/*
 * The input is read() into private memory, never mapped: a verifier hashes
 * these bytes and then parses or copies from them, and a mapping (MAP_PRIVATE
 * included: pages not yet written to show the file's current bytes, and
 * MADV_DONTNEED or reclaim fetches them again) would let a writer change what
 * is used after it was verified, or kill us with SIGBUS by truncating the file.
 */
int
igos_buf_read(struct igos_buf *b, const char *path, size_t max)
{
	struct stat st;
	unsigned char *p = NULL;
	size_t cap = 0, len = 0;
	int fd;

	memset(b, 0, sizeof(*b));
	if ((fd = igos_input_open(path, &st)) < 0)
		return -1;
	if (igos_fd_regular(fd, &st)) {
		if (max && (uint64_t)st.st_size > max) {
			igos_seterr("cannot read '%s': larger than %zu bytes", path, max);
			goto fail;
		}
		if ((uint64_t)st.st_size > SIZE_MAX / 2) {
			igos_seterr("cannot read '%s': too large", path);
			goto fail;
		}
		/* one byte more than the stated size: a file that grew is read on */
		cap = (size_t)st.st_size + 1;
		if ((p = malloc(cap)) == NULL) {
			igos_seterr("cannot read '%s': out of memory", path);
			goto fail;
		}
		huge_pages(p, cap);
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			unsigned char *np;

			if (ncap < cap || (np = realloc(p, ncap)) == NULL) {
				igos_seterr("cannot read '%s': out of memory", path);
				goto fail;
			}
			p = np;
			cap = ncap;
		}
		n = read(fd, p + len, cap - len > (1u << 30) ? (1u << 30) : cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			igos_seterr_errno("cannot read '%s'", path);
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (max && len > max) {
			igos_seterr("cannot read '%s': larger than %zu bytes", path, max);
			goto fail;
		}
	}
	b->data = p;
	b->len = len;
	if (fd != STDIN_FILENO)
		close(fd);
	return 0;
fail:
	free(p);
	memset(b, 0, sizeof(*b));
	if (fd != STDIN_FILENO)
		close(fd);
	return -1;
}

void
igos_buf_free(struct igos_buf *b)
{
	if (b->mapped)
		munmap(b->data, b->len);
	else
		free(b->data);
	memset(b, 0, sizeof(*b));
}

char *
igos_read_small(const char *path, size_t max, size_t *lenp)
{
	struct igos_buf b;
	char *s;

	if (igos_buf_read(&b, path, max) < 0)
		return NULL;
	if ((s = malloc(b.len + 1)) == NULL) {
		igos_buf_free(&b);
		igos_seterr("cannot read '%s': out of memory", path);
		return NULL;
	}
	if (b.len)
		memcpy(s, b.data, b.len);
	s[b.len] = '\0';
	if (lenp)
		*lenp = b.len;
	igos_buf_free(&b);
	return s;
}

ssize_t
igos_read(int fd, void *buf, size_t len, const char *path)
{
	ssize_t n;

	do
		n = read(fd, buf, len > (1u << 30) ? (1u << 30) : len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		igos_seterr_errno("cannot read '%s'", path);
	return n;
}

int
igos_open_stat(const char *path, int flags, struct stat *st)
{
	int fd;

	if ((fd = open(path, flags | O_CLOEXEC | O_NOCTTY)) < 0)
		return igos_seterr_errno("cannot open '%s'", path);
	if (fstat(fd, st) < 0) {
		igos_seterr_errno("cannot stat '%s'", path);
		close(fd);
		return -1;
	}
	return fd;
}

int
igos_pio_all(int fd, void *buf, size_t len, uint64_t off, int wr, uint64_t *at)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = wr ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = wr ? EIO : 0;
			if (at != NULL)
				*at = off;
			return -1;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int
igos_input_open(const char *path, struct stat *st)
{
	int fd;

	if ((fd = open_input(path)) < 0)
		return igos_seterr_errno("cannot open '%s'", path);
	if (fstat(fd, st) < 0) {
		igos_seterr_errno("cannot stat '%s'", path);
		goto fail;
	}
	if (S_ISDIR(st->st_mode)) {
		errno = EISDIR;
		igos_seterr_errno("cannot read '%s'", path);
		goto fail;
	}
	return fd;
fail:
	if (fd != STDIN_FILENO)
		close(fd);
	return -1;
}

int
igos_fd_regular(int fd, const struct stat *st)
{
	return S_ISREG(st->st_mode) && !pseudo_file(fd, st);
}

int
igos_buf_read_exact(struct igos_buf *b, const char *path, size_t len, int *cmp)
{
	struct stat st;
	unsigned char extra;
	ssize_t n;
	int fd;

	memset(b, 0, sizeof(*b));
	*cmp = 0;
	if ((fd = igos_input_open(path, &st)) < 0)
		return -1;
	/* a file of another size is told before anything is read */
	if (igos_fd_regular(fd, &st) && (uint64_t)st.st_size != len) {
		*cmp = (uint64_t)st.st_size > len ? 1 : -1;
		goto done;
	}
	if ((b->data = malloc(len ? len : 1)) == NULL) {
		igos_seterr("cannot read '%s': out of memory", path);
		goto fail;
	}
	while (b->len < len) {
		if ((n = igos_read(fd, b->data + b->len, len - b->len, path)) < 0)
			goto fail;
		if (n == 0)
			break;
		b->len += (size_t)n;
	}
	if (b->len < len) {
		*cmp = -1;
	} else {
		/* one byte more tells an input that goes on (a pipe, a file that grew) */
		if ((n = igos_read(fd, &extra, 1, path)) < 0)
			goto fail;
		if (n > 0)
			*cmp = 1;
	}
	if (*cmp != 0)
		igos_buf_free(b);
done:
	if (fd != STDIN_FILENO)
		close(fd);
	return 0;
fail:
	free(b->data);
	memset(b, 0, sizeof(*b));
	if (fd != STDIN_FILENO)
		close(fd);
	return -1;
}

/* ---- atomic output ---- */

static int
full_write(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len > (1u << 30) ? (1u << 30) : len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
random_name(char *buf, size_t size, const char *base)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[8];
	char suffix[9];
	int n;

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return -1;
	for (size_t i = 0; i < sizeof(r); i++)
		suffix[i] = chars[r[i] % (sizeof(chars) - 1)];
	suffix[8] = '\0';
	/* keep the name within NAME_MAX whatever the target's length */
	n = snprintf(buf, size, ".%.*s.%s~", 200, base, suffix);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* What a target is, for the line that refuses it. */
static const char *
kind_name(mode_t m)
{
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISDIR(m))
		return "a directory";
	return "not a regular file";
}

/*
 * A symbolic link that names an open file through /proc (/dev/stdout ->
 * /proc/self/fd/1, /dev/fd/N, /proc/self/fd/N): the file it reaches is where
 * the caller's descriptor writes, so it is written there, never replaced.
 */
static int
through_proc(int dirfd, const char *base)
{
	struct statfs sfs;
	char text[7];
	ssize_t n;

	if (fstatfs(dirfd, &sfs) == 0 && sfs.f_type == 0x9fa0 /* PROC_SUPER_MAGIC */)
		return 1;
	n = readlinkat(dirfd, base, text, sizeof(text));
	return n == (ssize_t)sizeof(text) && memcmp(text, "/proc/", 6) == 0;
}

/*
 * Open for writing the very inode that pfd (an O_PATH descriptor) refers to:
 * through /proc/self/fd, which reopens the inode and not the name; where /proc
 * is missing, by name, then checked to be the same inode. -1 with errno set,
 * or -2 when the name now holds something else.
 */
static int
reopen_path_fd(int pfd, const struct stat *st, int dirfd, const char *base, int follow,
	       int oflags)
{
	char proc[64];
	struct stat now;
	int fd;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, oflags | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT)
		fd = openat(dirfd, base, oflags | O_CLOEXEC | O_NOCTTY | (follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return -1;
	if (fstat(fd, &now) < 0) {
		close(fd);
		return -1;
	}
	if (now.st_dev != st->st_dev || now.st_ino != st->st_ino ||
	    (now.st_mode & S_IFMT) != (st->st_mode & S_IFMT)) {
		close(fd);
		return -2;
	}
	return fd;
}

int
igos_out_open(struct igos_out *o, const char *path, mode_t mode, int flags)
{
	struct stat st;
	char *dir = NULL, *slash;
	int pfd = -1, follow = 0, saved;

	memset(o, 0, sizeof(*o));
	o->fd = o->dirfd = -1;
	o->flags = flags;
	if (strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		o->is_stdout = o->stream = o->in_place = 1;
		if (flags & IGOS_OUT_SEEKABLE)
			return igos_seterr("cannot seek on standard output");
		return 0;
	}
	if (*path == '\0')
		return igos_seterr("cannot write '': empty file name");
	if ((o->path = strdup(path)) == NULL || (dir = strdup(path)) == NULL)
		goto nomem;
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		o->base = strdup(path);
		strcpy(dir, ".");
	} else {
		o->base = strdup(slash + 1);
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (o->base == NULL)
		goto nomem;
	if (*o->base == '\0' || strcmp(o->base, ".") == 0 || strcmp(o->base, "..") == 0) {
		errno = EISDIR;
		igos_seterr_errno("cannot write '%s'", path);
		goto fail;
	}
	o->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->dirfd < 0) {
		igos_seterr_errno("cannot write '%s'", path);
		goto fail;
	}
	/*
	 * The decision is made once, on the target as opened here (O_PATH opens
	 * nothing: no device is touched, no FIFO waited for): a stream or a
	 * device is then written through this very inode, and a replacement
	 * checks at the rename what it replaced (replace_target).
	 */
	pfd = openat(o->dirfd, o->base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0 && errno != ENOENT) {
		igos_seterr_errno("cannot write '%s'", path);
		goto fail;
	}
	if (pfd >= 0 && fstat(pfd, &st) < 0) {
		igos_seterr_errno("cannot write '%s'", path);
		goto fail;
	}
	if (pfd >= 0 && S_ISLNK(st.st_mode)) {
		struct stat tst;
		int tfd;

		if (flags & IGOS_OUT_NOFOLLOW) {
			igos_seterr("cannot write '%s': refusing to replace a symbolic link", path);
			errno = ELOOP;	/* callers read EEXIST as "--force replaces it" */
			goto fail;
		}
		/* judged by what it points to; a link to a file is itself replaced */
		tfd = openat(o->dirfd, o->base, O_PATH | O_CLOEXEC);
		if (tfd >= 0 && fstat(tfd, &tst) == 0 &&
		    (!S_ISREG(tst.st_mode) || through_proc(o->dirfd, o->base))) {
			close(pfd);
			pfd = tfd;
			st = tst;
			follow = 1;
		} else {
			if (tfd >= 0 && fstat(tfd, &tst) == 0)
				st.st_mode = tst.st_mode;
			else
				st.st_mode = S_IFREG | 0600;
			if (tfd >= 0)
				close(tfd);
			st.st_mode = S_IFLNK | (st.st_mode & 07777);
		}
	}
	if (pfd >= 0 && (flags & IGOS_OUT_EXCL)) {
		errno = EEXIST;
		igos_seterr_errno("cannot write '%s'", path);
		goto fail;
	}
	if (pfd >= 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		igos_seterr_errno("cannot write '%s'", path);
		goto fail;
	}
	if (pfd >= 0 && (S_ISSOCK(st.st_mode) ||
			 (S_ISBLK(st.st_mode) && !(flags & IGOS_OUT_DEVICE)) ||
			 ((S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) &&
			  (flags & IGOS_OUT_SEEKABLE)))) {
		igos_seterr("cannot write '%s': is %s", path, kind_name(st.st_mode));
		errno = EINVAL;
		goto fail;
	}
	if (pfd >= 0 && S_ISREG(st.st_mode) && follow && (flags & IGOS_OUT_SEEKABLE)) {
		igos_seterr("cannot write '%s': an open file through /proc, not seekable", path);
		errno = ESPIPE;
		goto fail;
	}
	if (pfd >= 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISBLK(st.st_mode) ||
			 (S_ISREG(st.st_mode) && follow))) {
		/* written in place: a stream (a FIFO's open waits for its reader,
		 * as a shell redirection does), or a device image; a file behind
		 * /proc/self/fd is appended to, as "-" would write to it */
		int oflags = O_WRONLY | (S_ISREG(st.st_mode) ? O_APPEND : 0);

		o->fd = reopen_path_fd(pfd, &st, o->dirfd, o->base, follow, oflags);
		if (o->fd == -2) {
			o->fd = -1;
			igos_seterr("cannot write '%s': it changed while being opened", path);
			goto fail;
		}
		if (o->fd < 0) {
			igos_seterr_errno("cannot write '%s'", path);
			goto fail;
		}
		o->in_place = 1;
		o->device = S_ISBLK(st.st_mode);
		o->stream = !o->device;
		close(pfd);
		free(dir);
		return 0;
	}
	if (pfd >= 0 && mode == 0)
		mode = st.st_mode & 07777;
	if (pfd >= 0)
		close(pfd);
	pfd = -1;
	if (mode == 0) {
		mode_t um = umask(0);

		umask(um);
		mode = 0666 & ~um;
	}
	o->mode = mode;
	/* the test suite forces the named fallback, since it cannot mount vfat */
	if (getenv("IGOS_TEST_NAMED_TEMP") == NULL)
		o->fd = openat(o->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	else
		errno = EOPNOTSUPP;
	if (o->fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL ||
			  errno == ENOENT)) {
		/* no O_TMPFILE here (vfat, say): a named temporary instead */
		char name[NAME_MAX + 1];

		for (int tries = 0; tries < 32 && o->fd < 0; tries++) {
			if (random_name(name, sizeof(name), o->base) < 0) {
				igos_seterr("cannot write '%s': no random name", path);
				goto fail;
			}
			o->fd = openat(o->dirfd, name,
				       O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
			if (o->fd < 0 && errno != EEXIST)
				break;
		}
		if (o->fd >= 0 && (o->tmpname = strdup(name)) == NULL)
			goto nomem;
	}
	if (o->fd < 0) {
		igos_seterr_errno("cannot write '%s'", path);
		goto fail;
	}
	free(dir);
	return 0;
nomem:
	errno = ENOMEM;
	igos_seterr_errno("cannot write '%s'", path);
fail:
	saved = errno;
	if (pfd >= 0)
		close(pfd);
	free(dir);
	igos_out_abort(o);
	errno = saved;
	return -1;
}

static const char *
out_name(const struct igos_out *o)
{
	return o->is_stdout ? "standard output" : o->path;
}

int
igos_out_write(struct igos_out *o, const void *buf, size_t len)
{
	if (full_write(o->fd, buf, len) < 0) {
		if (o->is_stdout)
			return igos_seterr_errno("cannot write to standard output");
		return igos_seterr_errno("cannot write '%s'", out_name(o));
	}
	o->written += (off_t)len;
	return 0;
}

int
igos_out_zero(struct igos_out *o, size_t len)
{
	static const unsigned char zero[4096];

	while (len > 0) {
		size_t n = len < sizeof(zero) ? len : sizeof(zero);

		if (igos_out_write(o, zero, n) < 0)
			return -1;
		len -= n;
	}
	return 0;
}

static int
is_fifo(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

int
igos_out_copy(struct igos_out *o, int fd, off_t off, size_t len)
{
	unsigned char *buf = NULL;
	int use_cfr = !o->stream;

	while (len > 0 && use_cfr) {
		ssize_t n = copy_file_range(fd, &off, o->fd, NULL, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
			      errno == EOPNOTSUPP || errno == EBADF))
			break;
		if (n < 0)
			return igos_seterr_errno("cannot write '%s'", out_name(o));
		if (n == 0)
			return igos_seterr("cannot write '%s': input ended early", out_name(o));
		len -= (size_t)n;
		o->written += n;
	}
	/*
	 * Into a pipe (igos-ukify build -o - | igos-sign sign, issue 27): the
	 * file's pages are handed to the pipe, not copied out and in again.
	 */
	while (len > 0 && o->stream && is_fifo(o->fd)) {
		ssize_t n = splice(fd, &off, o->fd, NULL, len, SPLICE_F_MORE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EINVAL || errno == ENOSYS))
			break;
		if (n < 0) {
			if (o->is_stdout)
				return igos_seterr_errno("cannot write to standard output");
			return igos_seterr_errno("cannot write '%s'", out_name(o));
		}
		if (n == 0)
			return igos_seterr("cannot write '%s': input ended early", out_name(o));
		len -= (size_t)n;
		o->written += n;
	}
	if (len > 0 && (buf = malloc(1 << 20)) == NULL)
		return igos_seterr("cannot write '%s': out of memory", out_name(o));
	while (len > 0) {
		size_t want = len < (1 << 20) ? len : (1 << 20);
		ssize_t n = pread(fd, buf, want, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			if (n == 0)
				return igos_seterr("cannot write '%s': input ended early",
						   out_name(o));
			return igos_seterr_errno("cannot read input of '%s'", out_name(o));
		}
		if (igos_out_write(o, buf, (size_t)n) < 0) {
			free(buf);
			return -1;
		}
		off += n;
		len -= (size_t)n;
	}
	free(buf);
	return 0;
}

int
igos_out_pwrite(struct igos_out *o, const void *buf, size_t len, off_t off)
{
	const unsigned char *p = buf;

	if (o->is_stdout)
		return igos_seterr("cannot seek on standard output");
	if (o->stream) {
		errno = ESPIPE;
		return igos_seterr_errno("cannot write '%s'", o->path);
	}
	while (len > 0) {
		ssize_t n = pwrite(o->fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return igos_seterr_errno("cannot write '%s'", o->path);
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
link_tmpfile(struct igos_out *o, const char *name)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	if (linkat(AT_FDCWD, proc, o->dirfd, name, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno == ENOENT || errno == EACCES || errno == EPERM)
		return linkat(o->fd, "", o->dirfd, name, AT_EMPTY_PATH);
	return -1;
}

/*
 * Put the finished temporary (o->tmpname) in the target's place, replacing
 * nothing but a regular file or a symbolic link. RENAME_EXCHANGE swaps
 * atomically, and what it took out of the target's name is examined after:
 * a device node, a FIFO, a socket or a directory swapped in since
 * igos_out_open() is swapped back, never removed. Where the filesystem has no
 * RENAME_EXCHANGE, a check just before the rename is what is left (a short
 * window). -1 with the message set.
 */
static int
replace_target(struct igos_out *o)
{
	struct stat st;

	for (int tries = 0; tries < 16; tries++) {
		if (renameat2(o->dirfd, o->tmpname, o->dirfd, o->base, RENAME_EXCHANGE) == 0) {
			if (fstatat(o->dirfd, o->tmpname, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
				/* the replaced file; a crash just here leaves it
				 * under the temporary name */
				unlinkat(o->dirfd, o->tmpname, 0);
				free(o->tmpname);
				o->tmpname = NULL;
				return 0;
			}
			if (renameat2(o->dirfd, o->tmpname, o->dirfd, o->base,
				      RENAME_EXCHANGE) < 0) {
				igos_seterr_errno("cannot write '%s': %s appeared in its place "
						  "and is now at '%s'", o->path,
						  kind_name(st.st_mode), o->tmpname);
				free(o->tmpname); /* never removed: it is theirs */
				o->tmpname = NULL;
				return -1;
			}
			return igos_seterr("cannot write '%s': is %s", o->path,
					   kind_name(st.st_mode));
		}
		if (errno == ENOENT) {
			/* nothing in the target's place (or the temporary is gone) */
			if (renameat2(o->dirfd, o->tmpname, o->dirfd, o->base,
				      RENAME_NOREPLACE) == 0) {
				free(o->tmpname);
				o->tmpname = NULL;
				return 0;
			}
			if (errno == EEXIST)
				continue;
		}
		/* no RENAME_EXCHANGE or NOREPLACE on this filesystem (older vfat,
		 * some overlays): the plain rename says for itself what is wrong */
		if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP && errno != EXDEV)
			return igos_seterr_errno("cannot write '%s'", o->path);
		break;
	}
	if (fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) &&
	    !S_ISLNK(st.st_mode))
		return igos_seterr("cannot write '%s': is %s", o->path, kind_name(st.st_mode));
	if (renameat(o->dirfd, o->tmpname, o->dirfd, o->base) < 0)
		return igos_seterr_errno("cannot write '%s'", o->path);
	free(o->tmpname);
	o->tmpname = NULL;
	return 0;
}

int
igos_out_commit(struct igos_out *o)
{
	char name[NAME_MAX + 1];
	int fd;

	if (o->is_stdout) {
		o->fd = -1;
		return 0;
	}
	if (o->in_place) {
		/* a stream is not synced (nor is "-"); a device image is */
		int r = 0;

		fd = o->fd;
		o->fd = -1;
		if (o->device && fsync(fd) < 0)
			r = -1;
		if (close(fd) < 0)
			r = -1;
		if (r < 0)
			igos_seterr_errno("cannot write '%s'", o->path);
		igos_out_abort(o);
		return r;
	}
	if (fchmod(o->fd, o->mode) < 0 || fsync(o->fd) < 0)
		goto fail;
	if (o->tmpname == NULL) {
		if (o->flags & IGOS_OUT_EXCL) {
			/* the link itself is the atomic no-replace step */
			if (link_tmpfile(o, o->base) < 0)
				goto fail;
			fd = o->fd;
			o->fd = -1;
			if (close(fd) < 0)
				goto fail_linked;
			goto synced;
		}
		for (int tries = 0;; tries++) {
			if (random_name(name, sizeof(name), o->base) < 0)
				goto fail;
			if (link_tmpfile(o, name) == 0)
				break;
			if (errno != EEXIST || tries > 32)
				goto fail;
		}
		if ((o->tmpname = strdup(name)) == NULL)
			goto fail;
	}
	fd = o->fd;
	o->fd = -1;
	if (close(fd) < 0)
		goto fail;
	if (o->flags & IGOS_OUT_EXCL) {
		if (renameat2(o->dirfd, o->tmpname, o->dirfd, o->base, RENAME_NOREPLACE) < 0) {
			if (errno != EINVAL && errno != ENOSYS)
				goto fail;
			if (linkat(o->dirfd, o->tmpname, o->dirfd, o->base, 0) < 0)
				goto fail;
			unlinkat(o->dirfd, o->tmpname, 0);
		}
		free(o->tmpname);
		o->tmpname = NULL;
	} else if (replace_target(o) < 0) {
		igos_out_abort(o);
		return -1;
	}
synced:
	if (fsync(o->dirfd) < 0 && errno != EINVAL) {
		igos_seterr_errno("cannot sync the directory of '%s'", o->path);
		igos_out_abort(o);
		return -1;
	}
	igos_out_abort(o); /* releases what is left; nothing to remove now */
	return 0;
fail_linked:
	igos_seterr_errno("cannot write '%s'", o->path);
	unlinkat(o->dirfd, o->base, 0);
	igos_out_abort(o);
	return -1;
fail:
	igos_seterr_errno("cannot write '%s'", o->path);
	igos_out_abort(o);
	return -1;
}

void
igos_out_abort(struct igos_out *o)
{
	int e = errno;

	if (o->fd >= 0 && !o->is_stdout)
		close(o->fd);
	if (o->tmpname != NULL && o->dirfd >= 0)
		unlinkat(o->dirfd, o->tmpname, 0);
	if (o->dirfd >= 0)
		close(o->dirfd);
	free(o->tmpname);
	free(o->path);
	free(o->base);
	memset(o, 0, sizeof(*o));
	o->fd = o->dirfd = -1;
	errno = e;
}

int
igos_write_atomic(const char *path, const void *buf, size_t len, mode_t mode, int flags)
{
	struct igos_out o;

	if (igos_out_open(&o, path, mode, flags) < 0)
		return -1;
	if (igos_out_write(&o, buf, len) < 0) {
		igos_out_abort(&o);
		return -1;
	}
	return igos_out_commit(&o);
}
