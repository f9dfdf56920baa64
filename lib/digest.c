/* Message digests over buffers and files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "igos.h"

const EVP_MD *
igos_md(const char *name)
{
	if (name != NULL) {
		if (strcmp(name, "sha1") == 0)
			return EVP_sha1();
		if (strcmp(name, "sha256") == 0)
			return EVP_sha256();
		if (strcmp(name, "sha384") == 0)
			return EVP_sha384();
		if (strcmp(name, "sha512") == 0)
			return EVP_sha512();
	}
	igos_seterr("unknown hash algorithm '%s'", name ? name : "");
	return NULL;
}

int
igos_digest(const EVP_MD *md, const void *buf, size_t len, unsigned char *out)
{
	if (EVP_Digest(buf, len, out, NULL, md, NULL) != 1)
		return igos_seterr_ssl("digest failed");
	return 0;
}

int
igos_digest_file(const EVP_MD *md, const char *path, unsigned char *out, uint64_t *size)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char *buf = NULL;
	uint64_t total = 0;
	struct stat st;
	int fd, rc = -1;
	ssize_t n;

	if ((fd = igos_input_open(path, &st)) < 0)
		return -1;
	if ((buf = malloc(1 << 20)) == NULL) {
		igos_seterr_errno("cannot read '%s'", path);
		goto out;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
		igos_seterr_ssl("digest failed");
		goto out;
	}
	for (;;) {
		if ((n = igos_read(fd, buf, 1 << 20, path)) < 0)
			goto out;
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			igos_seterr_ssl("digest failed");
			goto out;
		}
	}
	if (EVP_DigestFinal_ex(ctx, out, NULL) != 1) {
		igos_seterr_ssl("digest failed");
		goto out;
	}
	if (size)
		*size = total;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}
