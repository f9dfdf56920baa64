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
	if ((fd = open_input(path)) < 0)
		return igos_seterr_errno("cannot open '%s'", path);
	if (fstat(fd, &st) < 0) {
		igos_seterr_errno("cannot stat '%s'", path);
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		igos_seterr_errno("cannot read '%s'", path);
		goto fail;
	}
	if (S_ISREG(st.st_mode) && !pseudo_file(fd, &st)) {
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

int
igos_out_open(struct igos_out *o, const char *path, mode_t mode, int flags)
{
	struct stat st;
	char *dir = NULL, *slash;

	memset(o, 0, sizeof(*o));
	o->fd = o->dirfd = -1;
	o->flags = flags;
	if (strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		o->is_stdout = 1;
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
	if (fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode) && (flags & IGOS_OUT_NOFOLLOW)) {
			igos_seterr("cannot write '%s': refusing to replace a symbolic link", path);
			goto fail;
		}
		if (S_ISLNK(st.st_mode) && fstatat(o->dirfd, o->base, &st, 0) < 0)
			st.st_mode = S_IFREG | 0600;
		if (flags & IGOS_OUT_EXCL) {
			errno = EEXIST;
			igos_seterr_errno("cannot write '%s'", path);
			goto fail;
		}
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			igos_seterr_errno("cannot write '%s'", path);
			goto fail;
		}
		if (mode == 0)
			mode = st.st_mode & 07777;
	} else if (errno != ENOENT) {
		igos_seterr_errno("cannot write '%s'", path);
		goto fail;
	}
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
	free(dir);
	igos_out_abort(o);
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

int
igos_out_copy(struct igos_out *o, int fd, off_t off, size_t len)
{
	unsigned char *buf = NULL;
	int use_cfr = !o->is_stdout;

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

int
igos_out_commit(struct igos_out *o)
{
	char name[NAME_MAX + 1];
	int fd;

	if (o->is_stdout) {
		o->fd = -1;
		return 0;
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
	} else if (renameat(o->dirfd, o->tmpname, o->dirfd, o->base) < 0) {
		goto fail;
	}
	free(o->tmpname);
	o->tmpname = NULL;
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
