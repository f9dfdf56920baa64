/* dm-verity: the superblock parser, then the hash-tree walk of igos-verity
 * verify over a small data area, with the rest of the input as the hash
 * device (superblock at offset 0) and its first bytes as the root hash. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igos.h"
#include "verity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
memfile(const char *name, const void *p, size_t n, size_t total)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (n && write(fd, p, n) != (ssize_t)n)
		abort();
	if (ftruncate(fd, (off_t)total) < 0)
		abort();
	return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_verity v;
	struct igos_verity_tree t;
	unsigned char root[IGOS_MAX_MD] = { 0 };
	char uuid[37];
	int mismatch, dfd, hfd;

	if (igos_verity_sb_parse(&v, data, size) < 0)
		return 0;
	igos_verity_uuid_format(v.uuid, uuid);
	(void)igos_verity_uuid_parse(uuid, v.uuid);
	/* keep the data area small: the walk, not the hashing, is under test */
	if (v.data_blocks == 0 || v.data_block_size > 8192 || v.hash_block_size > 8192 ||
	    v.data_blocks > 64)
		return 0;
	if (igos_verity_tree_init(&t, &v, 0, 1) < 0)
		return 0;
	if (t.hash_end > (1u << 20))
		return 0;
	if (size >= t.ds)
		memcpy(root, data + size - t.ds, t.ds);
	dfd = memfile("data", NULL, 0, (size_t)(v.data_blocks * v.data_block_size));
	hfd = memfile("hash", data, size, size > t.hash_end ? size : (size_t)t.hash_end);
	(void)igos_verity_verify(&t, dfd, "data", hfd, "hash", 1, root, &mismatch);
	close(dfd);
	close(hfd);
	return 0;
}
