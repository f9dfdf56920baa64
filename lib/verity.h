/*
 * dm-verity hash trees as veritysetup lays them out: the 512-byte superblock,
 * the tree geometry, and building or checking a tree over file descriptors.
 * Like the rest of libigos these never print and never exit.
 */
#ifndef IGOS_VERITY_H
#define IGOS_VERITY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define IGOS_VERITY_SB_SIZE 512
#define IGOS_VERITY_SALT_MAX 256
#define IGOS_VERITY_BLOCK_MIN 512u
#define IGOS_VERITY_BLOCK_MAX (512u * 1024)
#define IGOS_VERITY_MAX_LEVELS 64
#define IGOS_VERITY_MAX_THREADS 32

/* What the superblock holds (or the command line, without one). */
struct igos_verity {
	uint32_t hash_type;         /* 0 = Chrome OS, 1 = normal */
	char alg[32];               /* lower case, NUL-terminated */
	uint32_t data_block_size;
	uint32_t hash_block_size;
	uint64_t data_blocks;
	uint16_t salt_size;
	unsigned char salt[IGOS_VERITY_SALT_MAX];
	unsigned char uuid[16];     /* raw RFC 4122 byte order */
};

/* The EVP_MD for a verity algorithm name (sha1, sha224, sha256, sha384,
 * sha512), or NULL with "unknown hash algorithm 'x'". */
const EVP_MD *igos_verity_md(const char *alg);

/* Check the fields a tree depends on (type, algorithm, block sizes, salt
 * size); data_blocks is not checked here. */
int igos_verity_check(const struct igos_verity *v);

/* Parse a superblock from buf[0..len); every field is checked. */
int igos_verity_sb_parse(struct igos_verity *v, const unsigned char *buf, size_t len);
/* The 512 bytes of the superblock for v. */
void igos_verity_sb_build(const struct igos_verity *v, unsigned char out[IGOS_VERITY_SB_SIZE]);

/* The tree's shape and where it sits in the hash device. */
struct igos_verity_tree {
	const struct igos_verity *v;
	unsigned ds;                 /* digest size */
	unsigned slot;               /* bytes per digest in a hash block */
	unsigned per;                /* digests per hash block */
	unsigned levels;             /* 0 when there is one data block */
	uint64_t hash_offset;        /* superblock position (bytes) */
	int superblock;
	uint64_t h0;                 /* first tree block, in hash blocks */
	uint64_t blocks[IGOS_VERITY_MAX_LEVELS]; /* level i (0 = leaf) */
	uint64_t start[IGOS_VERITY_MAX_LEVELS];  /* its first block, in hash blocks */
	uint64_t hash_blocks;        /* all tree blocks */
	uint64_t hash_end;           /* (h0 + hash_blocks) * hash_block_size */
};

/* Lay out the tree of v (checked first; data_blocks must be >= 1) with the
 * superblock (or, without one, the tree's area) at hash_offset, a multiple
 * of 512. */
int igos_verity_tree_init(struct igos_verity_tree *t, const struct igos_verity *v,
			  uint64_t hash_offset, int superblock);

/*
 * Compute the tree of the data in data_fd (bytes 0 .. data_blocks *
 * data_block_size) with `threads` threads (0 = online CPUs) for the leaf
 * level, write every tree block to hash_fd at its place (nothing else is
 * written; the file is not extended past the last tree block) and return
 * the root hash (t->ds bytes) in root.
 */
int igos_verity_build(const struct igos_verity_tree *t, int data_fd, const char *data_name,
		      int hash_fd, const char *hash_name, int threads, unsigned char *root);

/*
 * Check the data and the tree in hash_fd against root: every data block, every
 * hash block (its digests and its zero padding) and the root. On a mismatch
 * the message names the first block that fails:
 *   "data block 7 (offset 28672) does not match hash block 3"
 *   "hash block 5 (offset 20480) does not match hash block 1"
 *   "hash block 1 (offset 4096): spare area is not zeroed at offset 4608"
 *   "root hash does not match hash block 1 (offset 4096)"
 * and *mismatch is set to 1 (it is 0 for an I/O error).
 */
int igos_verity_verify(const struct igos_verity_tree *t, int data_fd, const char *data_name,
		       int hash_fd, const char *hash_name, int threads,
		       const unsigned char *root, int *mismatch);

/*
 * Whether one block (blk) matches the digest its parent on disk (or, for the
 * top, root) holds: a data block (is_hash 0, idx its number) or a hash
 * block (is_hash 1, idx its position in the hash device, in hash blocks).
 * 1 it matches (or lies outside the tree), 0 it does not, -1 on an error.
 */
int igos_verity_block_ok(const struct igos_verity_tree *t, int hash_fd, const unsigned char *root,
			 int is_hash, uint64_t idx, const unsigned char *blk);

/* systemd's verity signature partition (lib/veritysig.c, json-c). */
/* Does buf look like the JSON form (first non-blank byte '{')? */
int igos_verity_sigjson_is(const unsigned char *buf, size_t len);
/* {"rootHash": hex, "signature": base64}, NUL padding allowed after it: the
 * root hash in lower case into roothex (cap bytes), the DER signature into a
 * heap buffer. */
int igos_verity_sigjson_parse(const unsigned char *buf, size_t len, char *roothex, size_t cap,
			      unsigned char **sig, size_t *siglen);
/* The compact JSON object (no newline), a heap string. */
char *igos_verity_sigjson_build(const char *roothex, const unsigned char *sig, size_t siglen);

/* Parse "12345678-1234-1234-1234-123456789abc" (either case). */
int igos_verity_uuid_parse(const char *s, unsigned char uuid[16]);
/* Lower-case text form; out holds 37 bytes. */
void igos_verity_uuid_format(const unsigned char uuid[16], char *out);

#endif
