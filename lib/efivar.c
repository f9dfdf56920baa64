/*
 * EFI variables through efivarfs (or a plain directory for tests), signature
 * lists, and shim's packed password record. See efivar.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <linux/fs.h>

#include "igos.h"
#include "efivar.h"

#define EFIVARFS_MAGIC 0xde5e81e4
#define SYSFS_MAGIC 0x62656572
#define EFIVAR_MAX (64u << 20) /* far above any NVRAM */

const unsigned char igos_guid_shim[16] = {
	0x50, 0xab, 0x5d, 0x60, 0x46, 0xe0, 0x00, 0x43,
	0xab, 0xb6, 0x3d, 0xd8, 0x10, 0xdd, 0x8b, 0x23 };
const unsigned char igos_guid_global[16] = {
	0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11,
	0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c };
const unsigned char igos_guid_security[16] = {
	0xcb, 0xb2, 0x19, 0xd7, 0x3a, 0x3d, 0x96, 0x45,
	0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f };
const unsigned char igos_guid_cert_x509[16] = {
	0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
	0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72 };
const unsigned char igos_guid_cert_sha1[16] = {
	0x12, 0xa5, 0x6c, 0x82, 0x10, 0xcf, 0xc9, 0x4a,
	0xb1, 0x87, 0xbe, 0x01, 0x49, 0x66, 0x31, 0xbd };
const unsigned char igos_guid_cert_sha224[16] = {
	0x33, 0x52, 0x6e, 0x0b, 0x5c, 0xa6, 0xc9, 0x44,
	0x94, 0x07, 0xd9, 0xab, 0x83, 0xbf, 0xc8, 0xbd };
const unsigned char igos_guid_cert_sha256[16] = {
	0x26, 0x16, 0xc4, 0xc1, 0x4c, 0x50, 0x92, 0x40,
	0xac, 0xa9, 0x41, 0xf9, 0x36, 0x93, 0x43, 0x28 };
const unsigned char igos_guid_cert_sha384[16] = {
	0x07, 0x53, 0x3e, 0xff, 0xd0, 0x9f, 0xc9, 0x48,
	0x85, 0xf1, 0x8a, 0xd5, 0x6c, 0x70, 0x1e, 0x01 };
const unsigned char igos_guid_cert_sha512[16] = {
	0xae, 0x0f, 0x3e, 0x09, 0xc4, 0xa6, 0x50, 0x4f,
	0x9f, 0x1b, 0xd4, 0x1e, 0x2b, 0x89, 0xc1, 0x9a };

void
igos_guid_str(const unsigned char g[16], char out[37])
{
	snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 (unsigned)igos_le32(g), (unsigned)igos_le16(g + 4), (unsigned)igos_le16(g + 6),
		 g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* ---- signature lists ---- */

static const struct {
	const unsigned char *guid;
	const char *name;
	size_t size;
} sigtypes[] = {
	{ igos_guid_cert_x509, "x509", 0 },
	{ igos_guid_cert_sha1, "sha1", 20 },
	{ igos_guid_cert_sha224, "sha224", 28 },
	{ igos_guid_cert_sha256, "sha256", 32 },
	{ igos_guid_cert_sha384, "sha384", 48 },
	{ igos_guid_cert_sha512, "sha512", 64 },
};

size_t
igos_esl_hash_size(const unsigned char type[16])
{
	for (size_t i = 0; i < sizeof(sigtypes) / sizeof(sigtypes[0]); i++)
		if (memcmp(type, sigtypes[i].guid, 16) == 0)
			return sigtypes[i].size;
	return 0;
}

const char *
igos_esl_type_name(const unsigned char type[16])
{
	for (size_t i = 0; i < sizeof(sigtypes) / sizeof(sigtypes[0]); i++)
		if (memcmp(type, sigtypes[i].guid, 16) == 0)
			return sigtypes[i].name;
	return NULL;
}

int
igos_esl_parse(const unsigned char *data, size_t len, struct igos_esl_entry **entries,
	       size_t *np)
{
	struct igos_esl_entry *v = NULL;
	size_t n = 0, cap = 0, off = 0, list = 0;

	*entries = NULL;
	*np = 0;
	while (off < len) {
		size_t left = len - off, body, count, hs;
		uint32_t lsize, hsize, ssize;
		const unsigned char *h = data + off;

		list++;
		if (left < IGOS_ESL_HEADER) {
			igos_seterr("signature list %zu at offset %zu: %zu bytes left, "
				    "a header needs %d", list, off, left, IGOS_ESL_HEADER);
			goto fail;
		}
		lsize = igos_le32(h + 16);
		hsize = igos_le32(h + 20);
		ssize = igos_le32(h + 24);
		if (lsize > left) {
			igos_seterr("signature list %zu at offset %zu: SignatureListSize %u "
				    "exceeds the %zu bytes left", list, off, lsize, left);
			goto fail;
		}
		if (lsize < IGOS_ESL_HEADER) {
			igos_seterr("signature list %zu at offset %zu: SignatureListSize %u "
				    "is smaller than its header", list, off, lsize);
			goto fail;
		}
		body = lsize - IGOS_ESL_HEADER;
		if (hsize > body) {
			igos_seterr("signature list %zu at offset %zu: SignatureHeaderSize %u "
				    "exceeds the list", list, off, hsize);
			goto fail;
		}
		body -= hsize;
		if (ssize <= 16) {
			igos_seterr("signature list %zu at offset %zu: SignatureSize %u "
				    "leaves no signature data", list, off, ssize);
			goto fail;
		}
		hs = igos_esl_hash_size(h);
		if (hs && ssize != 16 + hs) {
			igos_seterr("signature list %zu at offset %zu: SignatureSize %u "
				    "does not match %s (%zu)", list, off, ssize,
				    igos_esl_type_name(h), 16 + hs);
			goto fail;
		}
		if (body == 0) {
			igos_seterr("signature list %zu at offset %zu: no signatures",
				    list, off);
			goto fail;
		}
		if (body % ssize != 0) {
			igos_seterr("signature list %zu at offset %zu: SignatureSize %u "
				    "does not divide the %zu bytes of signatures", list, off,
				    ssize, body);
			goto fail;
		}
		count = body / ssize;
		for (size_t i = 0; i < count; i++) {
			size_t eoff = off + IGOS_ESL_HEADER + hsize + i * (size_t)ssize;

			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct igos_esl_entry *nv;

				if (ncap > SIZE_MAX / sizeof(*v) ||
				    (nv = realloc(v, ncap * sizeof(*v))) == NULL) {
					igos_seterr("out of memory");
					goto fail;
				}
				v = nv;
				cap = ncap;
			}
			v[n].type = h;
			v[n].owner = data + eoff;
			v[n].data = data + eoff + 16;
			v[n].len = ssize - 16;
			v[n].list = list - 1;
			v[n].offset = eoff;
			n++;
		}
		off += lsize;
	}
	*entries = v;
	*np = n;
	return 0;
fail:
	free(v);
	return -1;
}

int
igos_esl_append(unsigned char **buf, size_t *len, const unsigned char type[16],
		const unsigned char owner[16], const void *data, size_t dlen)
{
	size_t add, nlen;
	unsigned char *nb, *p;

	if (dlen > UINT32_MAX - IGOS_ESL_HEADER - 16)
		return igos_seterr("signature of %zu bytes is too large for a list", dlen);
	add = IGOS_ESL_HEADER + 16 + dlen;
	if (*len > SIZE_MAX - add)
		return igos_seterr("signature list too large");
	nlen = *len + add;
	if ((nb = realloc(*buf, nlen)) == NULL)
		return igos_seterr("out of memory");
	p = nb + *len;
	memcpy(p, type, 16);
	igos_put_le32(p + 16, (uint32_t)add);
	igos_put_le32(p + 20, 0);
	igos_put_le32(p + 24, (uint32_t)(16 + dlen));
	memcpy(p + 28, owner, 16);
	if (dlen)
		memcpy(p + 44, data, dlen);
	*buf = nb;
	*len = nlen;
	return 0;
}

/* ---- MokAuth ---- */

static const char crypt64[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static int
c64(char c)
{
	const char *p = c ? strchr(crypt64, c) : NULL;

	return p ? (int)(p - crypt64) : -1;
}

/*
 * sha512-crypt writes the digest as 21 groups of three bytes, in this
 * permuted order, each as four characters of its 24 bits, least significant
 * six bits first; then byte 63 alone as two characters.
 */
static const unsigned char sha512_order[21][3] = {
	{ 0, 21, 42 }, { 22, 43, 1 }, { 44, 2, 23 }, { 3, 24, 45 }, { 25, 46, 4 },
	{ 47, 5, 26 }, { 6, 27, 48 }, { 28, 49, 7 }, { 50, 8, 29 }, { 9, 30, 51 },
	{ 31, 52, 10 }, { 53, 11, 32 }, { 12, 33, 54 }, { 34, 55, 13 }, { 56, 14, 35 },
	{ 15, 36, 57 }, { 37, 58, 16 }, { 59, 17, 38 }, { 18, 39, 60 }, { 40, 61, 19 },
	{ 62, 20, 41 },
};

int
igos_mok_auth_from_crypt(const char *s, size_t len, struct igos_mok_auth *a)
{
	const char *p = s, *end, *dollar;
	uint64_t rounds = 5000;

	memset(a, 0, sizeof(*a));
	if (len > 0 && s[len - 1] == '\n')
		len--;
	end = s + len;
	if (memchr(s, '\0', len) != NULL || memchr(s, '\n', len) != NULL)
		return igos_seterr("not a single sha512-crypt line");
	if (len < 3 || memcmp(p, "$6$", 3) != 0)
		return igos_seterr("not a sha512-crypt hash (\"$6$...\")");
	p += 3;
	if ((size_t)(end - p) >= 7 && memcmp(p, "rounds=", 7) == 0) {
		const char *d = p + 7;

		rounds = 0;
		if (d == end || *d < '1' || *d > '9')
			return igos_seterr("bad rounds= in sha512-crypt hash");
		for (; d < end && *d >= '0' && *d <= '9'; d++) {
			rounds = rounds * 10 + (uint64_t)(*d - '0');
			if (rounds > 999999999)
				return igos_seterr("bad rounds= in sha512-crypt hash");
		}
		if (d == end || *d != '$' || rounds < 1000)
			return igos_seterr("bad rounds= in sha512-crypt hash");
		p = d + 1;
	}
	dollar = memchr(p, '$', (size_t)(end - p));
	if (dollar == NULL)
		return igos_seterr("no salt in sha512-crypt hash");
	if (dollar == p || dollar - p > IGOS_MOK_SALT_MAX)
		return igos_seterr("sha512-crypt salt must be 1 to %d characters",
				   IGOS_MOK_SALT_MAX);
	for (const char *q = p; q < dollar; q++)
		if (c64(*q) < 0)
			return igos_seterr("bad character in sha512-crypt salt");
	a->method = IGOS_MOK_AUTH_SHA512;
	a->iter_count = rounds;
	a->salt_size = (uint16_t)(dollar - p);
	memcpy(a->salt, p, a->salt_size);
	p = dollar + 1;
	if (end - p != 86)
		return igos_seterr("sha512-crypt digest must be 86 characters");
	for (int g = 0; g < 21; g++) {
		uint32_t w = 0;

		for (int i = 3; i >= 0; i--) {
			int v = c64(p[g * 4 + i]);

			if (v < 0)
				return igos_seterr("bad character in sha512-crypt digest");
			w = w << 6 | (uint32_t)v;
		}
		a->hash[sha512_order[g][0]] = (unsigned char)(w >> 16);
		a->hash[sha512_order[g][1]] = (unsigned char)(w >> 8);
		a->hash[sha512_order[g][2]] = (unsigned char)w;
	}
	{
		int lo = c64(p[84]), hi = c64(p[85]);

		if (lo < 0 || hi < 0)
			return igos_seterr("bad character in sha512-crypt digest");
		if (hi > 3)
			return igos_seterr("sha512-crypt digest is not canonical");
		a->hash[63] = (unsigned char)(hi << 6 | lo);
	}
	return 0;
}

void
igos_mok_auth_pack(const struct igos_mok_auth *a, unsigned char out[IGOS_MOK_AUTH_SIZE])
{
	memset(out, 0, IGOS_MOK_AUTH_SIZE);
	igos_put_le16(out, (uint16_t)a->method);
	igos_put_le64(out + 2, a->iter_count);
	igos_put_le16(out + 10, (uint16_t)a->salt_size);
	memcpy(out + 12, a->salt, 32);
	memcpy(out + 44, a->hash, 128);
}

int
igos_mok_auth_unpack(const unsigned char *p, size_t len, struct igos_mok_auth *a)
{
	memset(a, 0, sizeof(*a));
	if (len != IGOS_MOK_AUTH_SIZE)
		return igos_seterr("password record is %zu bytes, not %d", len,
				   IGOS_MOK_AUTH_SIZE);
	a->method = igos_le16(p);
	a->iter_count = igos_le64(p + 2);
	a->salt_size = igos_le16(p + 10);
	if (a->salt_size > sizeof(a->salt))
		return igos_seterr("password record salt size %u exceeds 32", a->salt_size);
	memcpy(a->salt, p + 12, 32);
	memcpy(a->hash, p + 44, 128);
	return 0;
}

/* ---- files ---- */

static char *
var_path(const char *dir, const char *name, const unsigned char guid[16])
{
	char g[37], *path;

	igos_guid_str(guid, g);
	if (asprintf(&path, "%s%s%s-%s", dir,
		     *dir && dir[strlen(dir) - 1] == '/' ? "" : "/", name, g) < 0) {
		igos_seterr("out of memory");
		return NULL;
	}
	return path;
}

int
igos_efivar_dir_check(const char *dir, int for_write)
{
	struct stat st;
	struct statfs sf;

	if (stat(dir, &st) < 0)
		return igos_seterr_errno("cannot open '%s'", dir);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return igos_seterr_errno("cannot open '%s'", dir);
	}
	/* the bare sysfs directory: efivarfs is not mounted on it */
	if (statfs(dir, &sf) == 0 && (unsigned long)sf.f_type == SYSFS_MAGIC)
		return igos_seterr("'%s' is not efivarfs: mount -t efivarfs efivarfs '%s'",
				   dir, dir);
	if (for_write && access(dir, W_OK) < 0)
		return igos_seterr_errno("cannot write to '%s'", dir);
	return 0;
}

static int
read_fd(int fd, const char *path, size_t max, unsigned char **data, size_t *len)
{
	unsigned char *p = NULL;
	size_t cap = 0, n = 0;

	for (;;) {
		ssize_t r;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			unsigned char *np;

			if (ncap > max + 1)
				ncap = max + 1;
			if (ncap <= cap) {
				free(p);
				return igos_seterr("cannot read '%s': larger than %zu bytes",
						   path, max);
			}
			if ((np = realloc(p, ncap)) == NULL) {
				free(p);
				return igos_seterr("cannot read '%s': out of memory", path);
			}
			p = np;
			cap = ncap;
		}
		if ((r = igos_read(fd, p + n, cap - n, path)) < 0) {
			free(p);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*data = p;
	*len = n;
	return 0;
}

int
igos_efivar_read_file(const char *path, size_t max, unsigned char **data, size_t *len)
{
	int fd, r;

	*data = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		if (errno == ENOENT)
			return IGOS_EFIVAR_ABSENT;
		return igos_seterr_errno("cannot open '%s'", path);
	}
	r = read_fd(fd, path, max, data, len);
	close(fd);
	return r;
}

int
igos_efivar_read(const char *dir, const char *name, const unsigned char guid[16],
		 uint32_t *attr, unsigned char **data, size_t *len)
{
	unsigned char *buf;
	size_t n;
	char *path;
	int r;

	*data = NULL;
	*len = 0;
	if ((path = var_path(dir, name, guid)) == NULL)
		return -1;
	r = igos_efivar_read_file(path, EFIVAR_MAX, &buf, &n);
	if (r != 0) {
		free(path);
		return r;
	}
	if (n == 0) {
		free(path);
		return IGOS_EFIVAR_ABSENT;
	}
	if (n < 4) {
		free(buf);
		igos_seterr("cannot read '%s': %zu bytes, shorter than the attribute word",
			    path, n);
		free(path);
		return -1;
	}
	free(path);
	*attr = igos_le32(buf);
	*len = n - 4;
	if (*len == 0) {
		free(buf);
		return 0;
	}
	memmove(buf, buf + 4, n - 4);
	*data = buf;
	return 0;
}

/*
 * efivarfs makes variables outside the kernel's short list immutable; clear
 * the flag (remembering it) before replacing or unlinking. Filesystems
 * without the ioctl (ENOTTY) simply have no such flag.
 */
static int
immutable_clear(const char *path, int *restore)
{
	int fd, flags;

	*restore = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0)
		return errno == ENOENT ? 0 : igos_seterr_errno("cannot open '%s'", path);
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0) {
		int e = errno;

		close(fd);
		if (e == ENOTTY || e == EOPNOTSUPP || e == EINVAL)
			return 0;
		errno = e;
		return igos_seterr_errno("cannot read the flags of '%s'", path);
	}
	if (flags & FS_IMMUTABLE_FL) {
		flags &= ~FS_IMMUTABLE_FL;
		if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0) {
			igos_seterr_errno("cannot clear the immutable flag of '%s'", path);
			close(fd);
			return -1;
		}
		*restore = 1;
	}
	close(fd);
	return 0;
}

static void
immutable_set(const char *path)
{
	int fd, flags;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0)
		return;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
		flags |= FS_IMMUTABLE_FL;
		(void)ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	close(fd);
}

static int
is_efivarfs(const char *dir)
{
	struct statfs sf;

	return statfs(dir, &sf) == 0 && (unsigned long)sf.f_type == EFIVARFS_MAGIC;
}

int
igos_efivar_write(const char *dir, const char *name, const unsigned char guid[16],
		  uint32_t attr, const void *data, size_t len)
{
	unsigned char *buf;
	char *path;
	int restore = 0, ret = -1;

	if (len > EFIVAR_MAX)
		return igos_seterr("variable %s of %zu bytes is too large", name, len);
	if ((path = var_path(dir, name, guid)) == NULL)
		return -1;
	if ((buf = malloc(4 + len)) == NULL) {
		free(path);
		return igos_seterr("out of memory");
	}
	igos_put_le32(buf, (uint32_t)attr);
	if (len)
		memcpy(buf + 4, data, len);
	if (immutable_clear(path, &restore) < 0)
		goto out;
	if (is_efivarfs(dir)) {
		struct stat st;
		int created = stat(path, &st) < 0, fd;
		ssize_t w;

		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0) {
			igos_seterr_errno("cannot write '%s'", path);
			goto out;
		}
		/* one write: efivarfs turns each write() into one SetVariable() */
		do
			w = write(fd, buf, 4 + len);
		while (w < 0 && errno == EINTR);
		if (w < 0 || (size_t)w != 4 + len) {
			if (w >= 0)
				errno = EIO;
			igos_seterr_errno("cannot write '%s'", path);
			close(fd);
			if (created) {
				int dummy;

				immutable_clear(path, &dummy);
				unlink(path);
				restore = 0;
			}
			goto out;
		}
		if (close(fd) < 0) {
			igos_seterr_errno("cannot write '%s'", path);
			goto out;
		}
	} else if (igos_write_atomic(path, buf, 4 + len, 0600, IGOS_OUT_NOFOLLOW) < 0) {
		goto out;
	}
	ret = 0;
out:
	if (restore)
		immutable_set(path);
	OPENSSL_cleanse(buf, 4 + len);
	free(buf);
	free(path);
	return ret;
}

int
igos_efivar_delete(const char *dir, const char *name, const unsigned char guid[16])
{
	char *path;
	int restore = 0, ret;

	if ((path = var_path(dir, name, guid)) == NULL)
		return -1;
	if (immutable_clear(path, &restore) < 0) {
		free(path);
		return -1;
	}
	if (unlink(path) == 0) {
		ret = 0;
	} else if (errno == ENOENT) {
		ret = IGOS_EFIVAR_ABSENT;
	} else {
		ret = igos_seterr_errno("cannot remove '%s'", path);
		if (restore)
			immutable_set(path);
	}
	free(path);
	return ret;
}

/* ---- requests as mokutil builds them ---- */

int
igos_esl_remove(const unsigned char *data, size_t len, const struct igos_esl_entry *e,
		size_t n, size_t idx, unsigned char **out, size_t *outlen)
{
	size_t start = SIZE_MAX, count = 0, lsize, ssize, tail;
	unsigned char *o;

	*out = NULL;
	*outlen = 0;
	if (idx >= n)
		return igos_seterr("no signature %zu in the list", idx);
	for (size_t i = 0; i < n; i++)
		if (e[i].list == e[idx].list) {
			if (start == SIZE_MAX)
				start = (size_t)(e[i].type - data);
			count++;
		}
	lsize = igos_le32(data + start + 16);
	ssize = 16 + e[idx].len;
	if ((o = malloc(len ? len : 1)) == NULL)
		return igos_seterr("out of memory");
	memcpy(o, data, start);
	*outlen = start;
	if (count > 1) {
		/* the list without that one signature, its size rewritten */
		size_t head = e[idx].offset - start;

		memcpy(o + start, data + start, head);
		memcpy(o + start + head, data + e[idx].offset + ssize, lsize - head - ssize);
		igos_put_le32(o + start + 16, (uint32_t)(lsize - ssize));
		*outlen += lsize - ssize;
	}
	tail = len - start - lsize;
	memcpy(o + *outlen, data + start + lsize, tail);
	*outlen += tail;
	*out = o;
	return 0;
}

int
igos_esl_add_hash(unsigned char **buf, size_t *len, const unsigned char type[16],
		  const unsigned char owner[16], const void *hash, size_t hlen)
{
	struct igos_esl_entry *e;
	size_t n, at = SIZE_MAX, lsize = 0, add = 16 + hlen, nlen;
	unsigned char *nb;

	if (hlen == 0 || igos_esl_hash_size(type) != hlen)
		return igos_seterr("a %zu-byte hash does not match its signature type", hlen);
	if (igos_esl_parse(*buf, *len, &e, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (memcmp(e[i].type, type, 16) == 0) {
			at = (size_t)(e[i].type - *buf);
			break;
		}
	free(e);
	if (at == SIZE_MAX) {
		/* a list of its own, before everything already queued */
		unsigned char *one = NULL;
		size_t onelen = 0;

		if (igos_esl_append(&one, &onelen, type, owner, hash, hlen) < 0)
			return -1;
		if (*len > SIZE_MAX - onelen || (nb = realloc(one, onelen + *len)) == NULL) {
			free(one);
			return igos_seterr("out of memory");
		}
		if (*len)
			memcpy(nb + onelen, *buf, *len);
		free(*buf);
		*buf = nb;
		*len += onelen;
		return 0;
	}
	/* appended to the first list of its type, which grows */
	lsize = igos_le32(*buf + at + 16);
	if (lsize > UINT32_MAX - add || *len > SIZE_MAX - add)
		return igos_seterr("signature list too large");
	nlen = *len + add;
	if ((nb = realloc(*buf, nlen)) == NULL)
		return igos_seterr("out of memory");
	memmove(nb + at + lsize + add, nb + at + lsize, *len - at - lsize);
	memcpy(nb + at + lsize, owner, 16);
	memcpy(nb + at + lsize + 16, hash, hlen);
	igos_put_le32(nb + at + 16, (uint32_t)(lsize + add));
	*buf = nb;
	*len = nlen;
	return 0;
}

/* ---- MokSB, MokListTrustedNew: shim's toggle record ---- */

int
igos_mok_toggle_pack(uint32_t state, const char *pw, unsigned char out[IGOS_MOK_TOGGLE_SIZE])
{
	size_t n = strlen(pw);

	memset(out, 0, IGOS_MOK_TOGGLE_SIZE);
	if (n < IGOS_MOK_TOGGLE_PW_MIN || n > IGOS_MOK_TOGGLE_PW_MAX)
		return igos_seterr("password must be %d to %d characters",
				   IGOS_MOK_TOGGLE_PW_MIN, IGOS_MOK_TOGGLE_PW_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)pw[i] < 0x20 || (unsigned char)pw[i] > 0x7e)
			return igos_seterr("password must be printable ASCII");
	igos_put_le32(out, state);
	igos_put_le32(out + 4, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		igos_put_le16(out + 8 + 2 * i, (uint16_t)(unsigned char)pw[i]);
	return 0;
}

int
igos_mok_toggle_unpack(const unsigned char *p, size_t len, uint32_t *state, uint32_t *pwlen)
{
	if (len != IGOS_MOK_TOGGLE_SIZE)
		return igos_seterr("toggle record is %zu bytes, not %d", len, IGOS_MOK_TOGGLE_SIZE);
	*state = igos_le32(p);
	*pwlen = igos_le32(p + 4);
	if (*pwlen < 1 || *pwlen > IGOS_MOK_TOGGLE_PW_MAX)
		return igos_seterr("toggle record password length %u is not 1 to %d", *pwlen,
				   IGOS_MOK_TOGGLE_PW_MAX);
	return 0;
}
