/* lib/verity.c: superblock round trip and refusals, tree geometry, a known
 * answer from cryptsetup's verity-compat-test, verify's findings. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "igos.h"
#include "unit.h"
#include "verity.h"

static const unsigned char zblock[4096];
static const char salt_hex[] = "e48da609055204e89ae53b655ca2216dd983cf3cb829f34f63a297d106d53e2d";

static void
params(struct igos_verity *v, uint64_t blocks)
{
	memset(v, 0, sizeof(*v));
	v->hash_type = 1;
	strcpy(v->alg, "sha256");
	v->data_block_size = v->hash_block_size = 4096;
	v->data_blocks = blocks;
	v->salt_size = 32;
	igos_hex_decode(salt_hex, 64, v->salt, 32);
	igos_verity_uuid_parse("12345678-1234-1234-1234-123456789012", v->uuid);
}

/* The digest's last step fails while final_fail is set (linked with
 * --wrap=EVP_DigestFinal_ex, mk/verity.mk): a library that cannot hash. */
static int final_fail;
static unsigned long final_calls, final_fail_at; /* or only call number final_fail_at */
int __real_EVP_DigestFinal_ex(EVP_MD_CTX *, unsigned char *, unsigned int *);

int
__wrap_EVP_DigestFinal_ex(EVP_MD_CTX *c, unsigned char *out, unsigned int *len)
{
	final_calls++;
	if (final_fail || (final_fail_at && final_calls == final_fail_at))
		return 0;
	return __real_EVP_DigestFinal_ex(c, out, len);
}

/* The same for the digest's update of a whole block (4096 bytes, not the
 * salt), only the update_fail_at'th (--wrap=EVP_DigestUpdate): the block
 * never reaches the digest. */
static unsigned long update_calls, update_fail_at;
int __real_EVP_DigestUpdate(EVP_MD_CTX *, const void *, size_t);

int
__wrap_EVP_DigestUpdate(EVP_MD_CTX *c, const void *d, size_t n)
{
	if (update_fail_at && n == 4096 && ++update_calls == update_fail_at)
		return 0;
	return __real_EVP_DigestUpdate(c, d, n);
}

static int
hash_failed(void)
{
	if (strncmp(igos_errmsg(), "hashing failed", 14) != 0) {
		printf("# got '%s'\n", igos_errmsg());
		return 0;
	}
	return 1;
}

static int
zeros(size_t len)
{
	int fd = memfd_create("data", 0);

	if (fd >= 0 && ftruncate(fd, (off_t)len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* blocks of bs bytes, block i filled with the byte i * 7 + 1 */
static int
pattern(uint64_t n, size_t bs)
{
	int fd = memfd_create("data", 0);
	unsigned char *b = malloc(bs);

	for (uint64_t i = 0; fd >= 0 && b != NULL && i < n; i++) {
		memset(b, (int)((i * 7 + 1) & 0xff), bs);
		if (write(fd, b, bs) != (ssize_t)bs) {
			close(fd);
			fd = -1;
		}
	}
	free(b);
	return b == NULL ? -1 : fd;
}

/* built with 1 and 3 threads and as many as the CPUs (0), the root is want
 * (veritysetup's answer), and verify accepts the tree */
static int
root_is(const struct igos_verity *v, int dfd, const char *want)
{
	struct igos_verity_tree t;
	unsigned char root[64];
	char hex[129];
	int hfd = memfd_create("hash", 0), ok = hfd >= 0, mm;

	for (int threads = 0; ok && threads <= 3; threads += threads == 0 ? 1 : 2) {
		ok = igos_verity_tree_init(&t, v, 0, 1) == 0 &&
		     igos_verity_build(&t, dfd, "data", hfd, "hash", threads, root) == 0;
		if (ok)
			igos_hex_encode(root, t.ds, hex);
		if (ok && strcmp(hex, want) != 0) {
			printf("# root %s, %d thread(s)\n", hex, threads);
			ok = 0;
		}
		ok = ok && igos_verity_verify(&t, dfd, "data", hfd, "hash", threads, root, &mm) == 0 &&
		     mm == 0;
	}
	if (hfd >= 0)
		close(hfd);
	return ok;
}

static int
flip(int fd, off_t off)
{
	unsigned char b;

	if (pread(fd, &b, 1, off) != 1)
		return -1;
	b ^= 0x40;
	return pwrite(fd, &b, 1, off) == 1 ? 0 : -1;
}

int
main(void)
{
	struct igos_verity v, w;
	struct igos_verity_tree t;
	unsigned char sb[IGOS_VERITY_SB_SIZE], bad[IGOS_VERITY_SB_SIZE], root[64], root2[64];
	char hex[129], uuid[37];
	int dfd, hfd, mm, r;

	/* superblock */
	params(&v, 2048);
	igos_verity_sb_build(&v, sb);
	OK(memcmp(sb, "verity\0\0\1\0\0\0\1\0\0\0", 16) == 0, "superblock starts with magic, version, type");
	OK(igos_verity_sb_parse(&w, sb, sizeof(sb)) == 0 && memcmp(&v, &w, sizeof(v)) == 0,
	   "superblock round trip");
	igos_verity_uuid_format(w.uuid, uuid);
	OK(strcmp(uuid, "12345678-1234-1234-1234-123456789012") == 0, "uuid round trip");
	OK(igos_verity_sb_parse(&w, sb, 511) < 0 && strcmp(igos_errmsg(), "truncated (511 bytes)") == 0,
	   "a short buffer is refused");
	memcpy(bad, sb, sizeof(bad));
	bad[0] = 'V';
	OK(igos_verity_sb_parse(&w, bad, sizeof(bad)) < 0 && strcmp(igos_errmsg(), "bad magic") == 0,
	   "bad magic");
	memcpy(bad, sb, sizeof(bad));
	bad[8] = 2;
	OK(igos_verity_sb_parse(&w, bad, sizeof(bad)) < 0, "version 2 refused");
	memcpy(bad, sb, sizeof(bad));
	bad[12] = 2;
	OK(igos_verity_sb_parse(&w, bad, sizeof(bad)) < 0, "hash type 2 refused");
	memcpy(bad, sb, sizeof(bad));
	bad[65] = 0x11; /* 4096 + 256: not a power of two */
	OK(igos_verity_sb_parse(&w, bad, sizeof(bad)) < 0, "data block size not a power of two");
	memcpy(bad, sb, sizeof(bad));
	bad[80] = 1, bad[81] = 1;
	OK(igos_verity_sb_parse(&w, bad, sizeof(bad)) < 0 &&
	   strcmp(igos_errmsg(), "salt size 257 exceeds 256") == 0, "salt size 257 refused");
	memcpy(bad, sb, sizeof(bad));
	memset(bad + 32, 'a', 32);
	OK(igos_verity_sb_parse(&w, bad, sizeof(bad)) < 0, "unterminated algorithm refused");
	memcpy(bad, sb, sizeof(bad));
	memcpy(bad + 32, "md4", 4);
	OK(igos_verity_sb_parse(&w, bad, sizeof(bad)) < 0, "unknown algorithm refused");

	/* geometry: 1 GiB at 4096/sha256 is 2048 + 16 + 1 hash blocks */
	params(&v, 262144);
	OK(igos_verity_tree_init(&t, &v, 0, 1) == 0 && t.levels == 3 && t.hash_blocks == 2065 &&
	   t.hash_end == 8462336 && t.start[2] == 1 && t.start[1] == 2 && t.start[0] == 18,
	   "1 GiB tree: 2065 hash blocks, top first");
	OK(igos_verity_tree_init(&t, &v, 3584, 1) == 0 && t.h0 == 1, "superblock at 3584: tree at block 1");
	OK(igos_verity_tree_init(&t, &v, 3584, 0) == 0 && t.h0 == 0, "no superblock at 3584: block 0");
	OK(igos_verity_tree_init(&t, &v, 1000, 1) < 0, "hash offset not a multiple of 512 refused");
	params(&v, 1);
	OK(igos_verity_tree_init(&t, &v, 0, 1) == 0 && t.levels == 0 && t.hash_end == 4096,
	   "one data block: no tree");

	/* known answer: 8 MiB of zeros (cryptsetup's verity-compat-test) */
	params(&v, 2048);
	dfd = zeros(8 << 20);
	hfd = memfd_create("hash", 0);
	OK(dfd >= 0 && hfd >= 0, "memfds");
	r = igos_verity_tree_init(&t, &v, 0, 1) == 0 &&
	    igos_verity_build(&t, dfd, "data", hfd, "hash", 3, root) == 0;
	OK(r, "build, 3 threads");
	igos_hex_encode(root, 32, hex);
	OK(strcmp(hex, "e522df0f97da4febb882ac40f30b37dc0b444bf6df418929463fa25280f09d5c") == 0,
	   "known root hash");
	OK(igos_verity_build(&t, dfd, "data", hfd, "hash", 1, root2) == 0 &&
	   memcmp(root, root2, 32) == 0, "one thread gives the same root");
	OK(igos_verity_verify(&t, dfd, "data", hfd, "hash", 2, root, &mm) == 0 && mm == 0,
	   "verify accepts it");
	/* (unit.h's OK evaluates its condition twice: side effects first) */
	r = flip(dfd, 4096 * 700 + 1) == 0 &&
	    igos_verity_verify(&t, dfd, "data", hfd, "hash", 2, root, &mm) < 0 && mm == 1 &&
	    strcmp(igos_errmsg(), "data block 700 (offset 2867200) does not match hash block 7") == 0;
	OK(r, "a changed data block is named");
	flip(dfd, 4096 * 700 + 1);
	r = flip(hfd, 4096 + 32 * 16 + 3) == 0 &&
	    igos_verity_verify(&t, dfd, "data", hfd, "hash", 2, root, &mm) < 0 && mm == 1 &&
	    strcmp(igos_errmsg(),
		   "hash block 1 (offset 4096): spare area is not zeroed at offset 4611") == 0;
	OK(r, "non-zero padding is named");
	flip(hfd, 4096 + 32 * 16 + 3);
	root2[0] = root[0] ^ 1;
	r = igos_verity_verify(&t, dfd, "data", hfd, "hash", 2, root2, &mm) < 0 && mm == 1 &&
	    strcmp(igos_errmsg(), "root hash does not match hash block 1 (offset 4096)") == 0;
	OK(r, "a wrong root is named");
	r = igos_verity_verify(&t, dfd, "data", hfd, "hash", 2, root, &mm) == 0;
	OK(r, "restored: verifies again");
	r = ftruncate(dfd, 4096 * 100) == 0 &&
	    igos_verity_verify(&t, dfd, "data", hfd, "hash", 2, root, &mm) < 0 && mm == 0 &&
	    strcmp(igos_errmsg(), "cannot read 'data': it ends at offset 409600") == 0;
	OK(r, "short data is an I/O error, not a mismatch");
	close(dfd);
	close(hfd);

	/* the limits veritysetup sets: blocks of 512 B to 512 KiB, salts up to
	 * 256 bytes, a name the superblock field can hold */
	params(&v, 1);
	v.data_block_size = v.hash_block_size = IGOS_VERITY_BLOCK_MAX;
	OK(igos_verity_check(&v) == 0, "data and hash blocks of 512 KiB are accepted");
	v.data_block_size = 2 * IGOS_VERITY_BLOCK_MAX;
	OK(igos_verity_check(&v) < 0 && strcmp(igos_errmsg(), "invalid data block size 1048576") == 0,
	   "a data block of 1 MiB is refused");
	v.data_block_size = v.hash_block_size = IGOS_VERITY_BLOCK_MIN;
	OK(igos_verity_check(&v) == 0, "data and hash blocks of 512 bytes are accepted");
	v.salt_size = 256;
	OK(igos_verity_check(&v) == 0, "a salt of 256 bytes is accepted");
	v.salt_size = 257;
	OK(igos_verity_check(&v) < 0 && strcmp(igos_errmsg(), "salt size 257 exceeds 256") == 0,
	   "a salt of 257 bytes is refused");
	params(&v, 1);
	memset(v.alg, 'a', sizeof(v.alg));
	OK(igos_verity_check(&v) < 0 &&
	   strcmp(igos_errmsg(), "unknown hash algorithm (name not terminated)") == 0,
	   "an algorithm name without its NUL is refused");
	params(&v, 0);
	OK(igos_verity_tree_init(&t, &v, 0, 1) < 0 && strcmp(igos_errmsg(), "no data blocks") == 0,
	   "a tree over no data blocks is refused");
	params(&v, 1);
	v.hash_block_size = 1000;
	OK(igos_verity_tree_init(&t, &v, 0, 1) < 0 &&
	   strcmp(igos_errmsg(), "invalid hash block size 1000") == 0,
	   "a tree of 1000-byte hash blocks is refused by the tree itself");
	params(&v, 1);
	v.data_block_size = 256;
	OK(igos_verity_tree_init(&t, &v, 0, 1) < 0 &&
	   strcmp(igos_errmsg(), "invalid data block size 256") == 0,
	   "a tree over 256-byte data blocks is refused by the tree itself");

	/* the end of the 64-bit range: 1 GiB at 4096/sha256 is 2065 hash blocks;
	 * without a superblock they may end at the last whole 4096-byte block */
	params(&v, 262144);
	r = igos_verity_tree_init(&t, &v, (0xfffffffffffffULL - 2065) * 4096, 0) == 0 &&
	    t.hash_end == 0xfffffffffffff000ULL;
	OK(r, "a tree ending at the last whole block of the 64-bit range is accepted");
	r = igos_verity_tree_init(&t, &v, (0xfffffffffffffULL - 2064) * 4096, 0) < 0 &&
	    strcmp(igos_errmsg(), "hash tree too large") == 0;
	OK(r, "one block further is refused");
	r = igos_verity_tree_init(&t, &v, 0xfffffffffffff000ULL, 1) < 0 &&
	    strcmp(igos_errmsg(), "hash offset too large") == 0;
	OK(r, "a superblock at the last block of the 64-bit range is refused");
	/* 2^56 + 1 blocks with 256 digests per 8 KiB hash block: eight levels,
	 * the top one a single block holding two digests */
	params(&v, (1ULL << 56) + 1);
	v.hash_block_size = 8192;
	r = igos_verity_tree_init(&t, &v, 0, 0) == 0 && t.per == 256 && t.levels == 8 &&
	    t.blocks[7] == 1 && t.blocks[6] == 2 && t.blocks[0] == (1ULL << 48) + 1 &&
	    t.hash_blocks == (1ULL << 48) + (1ULL << 40) + (1ULL << 32) + (1ULL << 24) +
			     (1ULL << 16) + (1ULL << 8) + 6 + 3;
	OK(r, "2^56 + 1 data blocks at 8 KiB/sha256: eight levels, one block on top");

	/* one thread: a short data file is an I/O error too */
	params(&v, 2048);
	dfd = zeros(8 << 20);
	hfd = memfd_create("hash", 0);
	r = igos_verity_tree_init(&t, &v, 0, 1) == 0 &&
	    igos_verity_build(&t, dfd, "data", hfd, "hash", 1, root) == 0 &&
	    ftruncate(dfd, 4096 * 300) == 0 &&
	    igos_verity_verify(&t, dfd, "data", hfd, "hash", 1, root, &mm) < 0 && mm == 0 &&
	    strcmp(igos_errmsg(), "cannot read 'data': it ends at offset 1228800") == 0;
	OK(r, "short data, one thread: an I/O error, not a mismatch");
	close(dfd);
	close(hfd);

	/* 32 MiB (32 chunks, more than two threads keep in flight) with its first
	 * block changed: verify stops at once and names it */
	params(&v, 8192);
	dfd = zeros(32 << 20);
	hfd = memfd_create("hash", 0);
	r = igos_verity_tree_init(&t, &v, 0, 1) == 0 &&
	    igos_verity_build(&t, dfd, "data", hfd, "hash", 2, root) == 0 && flip(dfd, 5) == 0 &&
	    igos_verity_verify(&t, dfd, "data", hfd, "hash", 2, root, &mm) < 0 && mm == 1 &&
	    strcmp(igos_errmsg(), "data block 0 (offset 0) does not match hash block 2") == 0;
	OK(r, "a changed first block of 32 MiB is named, two threads");
	close(dfd);
	close(hfd);

	/* the hash cannot be computed: refused with one line, never a tree of
	 * garbage digests; SHA-1 leaves go through EVP in the threads, SHA-256
	 * leaves through lib/sha256x2.c and only the upper levels through EVP */
	for (int alg = 0; alg < 2; alg++)
		for (int threads = 1; threads <= 2; threads++) {
			params(&v, 2048);
			if (alg == 0)
				strcpy(v.alg, "sha1");
			dfd = zeros(8 << 20);
			hfd = memfd_create("hash", 0);
			r = igos_verity_tree_init(&t, &v, 0, 1) == 0 &&
			    igos_verity_build(&t, dfd, "data", hfd, "hash", threads, root) == 0;
			final_fail = 1;
			r = r && igos_verity_verify(&t, dfd, "data", hfd, "hash", threads, root,
						    &mm) < 0 && mm == 0 && hash_failed();
			r = r && igos_verity_build(&t, dfd, "data", hfd, "hash", threads, root) < 0 &&
			    hash_failed();
			final_fail = 0;
			OK(r, "%s, %d thread(s): a hash that cannot be computed fails build and verify",
			   v.alg, threads);
			close(dfd);
			close(hfd);
		}
	params(&v, 2048);
	dfd = zeros(8 << 20);
	hfd = memfd_create("hash", 0);
	r = igos_verity_tree_init(&t, &v, 0, 1) == 0 &&
	    igos_verity_build(&t, dfd, "data", hfd, "hash", 1, root) == 0 &&
	    igos_verity_block_ok(&t, hfd, root, 0, 7, zblock) == 1;
	final_fail = 1;
	r = r && igos_verity_block_ok(&t, hfd, root, 0, 7, zblock) < 0 && hash_failed();
	final_fail = 0;
	OK(r, "one block against the tree: a hash that cannot be computed is an error, not a match");
	close(dfd);
	close(hfd);

	/* 64 MiB at 4096/sha256: 128 full leaf-level hash blocks, whose last one
	 * completes the top block; the top block's digest alone failing (the
	 * last EVP digest of the build) still fails the build */
	params(&v, 16384);
	dfd = zeros(64 << 20);
	hfd = memfd_create("hash", 0);
	final_calls = 0;
	r = igos_verity_tree_init(&t, &v, 0, 1) == 0 && t.levels == 2 && t.blocks[0] == 128 &&
	    igos_verity_build(&t, dfd, "data", hfd, "hash", 1, root) == 0;
	final_fail_at = final_calls;
	final_calls = 0;
	r = r && igos_verity_build(&t, dfd, "data", hfd, "hash", 1, root2) < 0 && hash_failed();
	final_fail_at = 0;
	OK(r, "a failed digest of the top hash block fails the build");
	close(dfd);
	close(hfd);

	/* a hash device that refuses the write: one line, not a retry */
	params(&v, 2048);
	dfd = zeros(8 << 20);
	hfd = memfd_create("hash", 0);
	{
		char fdp[64];
		int ro;

		snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", hfd);
		ro = open(fdp, O_RDONLY);
		r = ro >= 0 && igos_verity_tree_init(&t, &v, 0, 1) == 0 &&
		    igos_verity_build(&t, dfd, "data", ro, "hash", 2, root) < 0 &&
		    strcmp(igos_errmsg(), "cannot write 'hash': Bad file descriptor") == 0;
		OK(r, "a hash device open read-only: 'cannot write', at once");
		if (ro >= 0)
			close(ro);
	}
	close(dfd);
	close(hfd);

	/* known answers from veritysetup 2.6.1 (format, the same salt and uuid)
	 * over data whose blocks all differ */
	params(&v, 2048);
	strcpy(v.alg, "sha1");
	dfd = pattern(2048, 4096);
	OK(root_is(&v, dfd, "07dd02216f3dbfad778689ca269613e0501fe6af"),
	   "SHA-1, 8 MiB: veritysetup's root (20-byte digests in 32-byte slots)");
	params(&v, 2048);
	v.hash_type = 0;
	OK(root_is(&v, dfd, "fcb107b75ccc2ac3cff184d13df9d0eaeb1446159db17bc63ac48f48a88ab42b"),
	   "format 0 (the Chrome OS one, salt after the block), 8 MiB: veritysetup's root");
	close(dfd);
	params(&v, 2047);
	dfd = pattern(2047, 4096);
	OK(root_is(&v, dfd, "a0a42cb54884d6e389eb20e109189bdc51617f6328bb7b5f9709c284815eed76"),
	   "SHA-256, an odd number of blocks: veritysetup's root");
	params(&v, 2047);
	strcpy(v.alg, "sha1");
	OK(root_is(&v, dfd, "b11014c0a2ef720dbf0df6501092750964f621c3"),
	   "SHA-1, an odd number of blocks: veritysetup's root");
	close(dfd);
	params(&v, 2);
	v.data_block_size = v.hash_block_size = IGOS_VERITY_BLOCK_MAX;
	dfd = pattern(2, IGOS_VERITY_BLOCK_MAX);
	OK(root_is(&v, dfd, "bce20d82120dc9404da5233e8fb9e10ed680ee4fff549953cf3b024cdbf7b269"),
	   "two blocks of 512 KiB, hash blocks of 512 KiB: veritysetup's root");
	close(dfd);

	/* one data block: its digest is the root, and a wrong root names it */
	params(&v, 1);
	dfd = pattern(1, 4096);
	hfd = memfd_create("hash", 0);
	r = igos_verity_tree_init(&t, &v, 0, 1) == 0 && t.levels == 0 &&
	    igos_verity_build(&t, dfd, "data", hfd, "hash", 1, root) == 0;
	root2[0] = root[0] ^ 1;
	memcpy(root2 + 1, root + 1, 31);
	r = r && igos_verity_verify(&t, dfd, "data", hfd, "hash", 1, root2, &mm) < 0 && mm == 1 &&
	    strcmp(igos_errmsg(), "root hash does not match data block 0 (offset 0)") == 0;
	OK(r, "one data block and a wrong root: the data block is named");
	close(dfd);
	close(hfd);

	/* one block against the tree on disk (FEC's erasures): 8 MiB whose
	 * blocks differ, the superblock at block 0, the top hash block at 1,
	 * the leaf level at 2..17 */
	params(&v, 2048);
	dfd = pattern(2048, 4096);
	hfd = memfd_create("hash", 0);
	{
		unsigned char blk[4096];
		int ok = igos_verity_tree_init(&t, &v, 0, 1) == 0 && t.levels == 2 &&
			 t.start[1] == 1 && t.start[0] == 2 && t.blocks[0] == 16 &&
			 igos_verity_build(&t, dfd, "data", hfd, "hash", 1, root) == 0;

		OK(ok && pread(dfd, blk, 4096, 700 * 4096) == 4096 &&
		   igos_verity_block_ok(&t, hfd, root, 0, 700, blk) == 1, "data block 700 as it is: matches");
		blk[9] ^= 1;
		OK(ok && igos_verity_block_ok(&t, hfd, root, 0, 700, blk) == 0, "changed: does not");
		OK(ok && igos_verity_block_ok(&t, hfd, root, 0, 2048, blk) == 1 &&
		   igos_verity_block_ok(&t, hfd, root, 0, 5000, blk) == 1,
		   "a data block past the end (2048, 5000) is not the tree's to refuse");
		for (int j = 0; j < 3; j++) {
			static const uint64_t hb[] = { 1, 2, 17 };

			ok = ok && pread(hfd, blk, 4096, (off_t)(hb[j] * 4096)) == 4096 &&
			     igos_verity_block_ok(&t, hfd, root, 1, hb[j], blk) == 1;
			blk[4095] ^= 1;
			ok = ok && igos_verity_block_ok(&t, hfd, root, 1, hb[j], blk) == 0;
		}
		OK(ok, "hash blocks 1 (the top), 2 and 17 (the leaf level's ends): as they are they "
		   "match, changed they do not");
		memset(blk, 0x77, sizeof(blk));
		OK(igos_verity_block_ok(&t, hfd, root, 1, 0, blk) == 1 &&
		   igos_verity_block_ok(&t, hfd, root, 1, 18, blk) == 1,
		   "blocks 0 (the superblock) and 18 (past the tree) are not the tree's to refuse");
	}
	close(dfd);
	close(hfd);
	params(&v, 1);
	dfd = pattern(1, 4096);
	hfd = memfd_create("hash", 0);
	{
		unsigned char blk[4096];
		int ok = igos_verity_tree_init(&t, &v, 0, 1) == 0 && t.levels == 0 &&
			 igos_verity_build(&t, dfd, "data", hfd, "hash", 1, root) == 0 &&
			 pread(dfd, blk, 4096, 0) == 4096;

		OK(ok && igos_verity_block_ok(&t, hfd, root, 0, 0, blk) == 1,
		   "one data block, no tree: the block against the root matches");
		blk[0] ^= 1;
		OK(ok && igos_verity_block_ok(&t, hfd, root, 0, 0, blk) == 0, "changed: does not");
	}
	close(dfd);
	close(hfd);

	/* a block's data that never reaches the digest: the hash failed */
	params(&v, 2048);
	strcpy(v.alg, "sha1");
	dfd = zeros(8 << 20);
	hfd = memfd_create("hash", 0);
	update_calls = 0, update_fail_at = 1;
	r = igos_verity_tree_init(&t, &v, 0, 1) == 0 &&
	    igos_verity_build(&t, dfd, "data", hfd, "hash", 1, root) < 0 && hash_failed();
	update_fail_at = 0;
	OK(r, "SHA-1: a data block's digest update failing fails the build");
	close(dfd);
	close(hfd);

	/* the superblock's own limits */
	params(&v, 2048);
	v.hash_block_size = 2 * IGOS_VERITY_BLOCK_MAX;
	OK(igos_verity_check(&v) < 0 && strcmp(igos_errmsg(), "invalid hash block size 1048576") == 0,
	   "a hash block of 1 MiB is refused");
	params(&v, 2048);
	v.salt_size = IGOS_VERITY_SALT_MAX;
	memset(v.salt, 0xa5, IGOS_VERITY_SALT_MAX);
	igos_verity_sb_build(&v, sb);
	OK(igos_verity_sb_parse(&w, sb, sizeof(sb)) == 0 && w.salt_size == 256 &&
	   memcmp(w.salt, v.salt, 256) == 0, "a superblock with a 256-byte salt: round trip");
	sb[80] = 0xff, sb[81] = 0xff;
	OK(igos_verity_sb_parse(&w, sb, sizeof(sb)) < 0 &&
	   strcmp(igos_errmsg(), "salt size 65535 exceeds 256") == 0,
	   "a superblock salt size of 65535: refused before it is copied");
	params(&v, 2048);
	igos_verity_sb_build(&v, sb);
	memset(sb + 32, 'a', 32);
	OK(igos_verity_sb_parse(&w, sb, sizeof(sb)) < 0 &&
	   strcmp(igos_errmsg(), "algorithm name not terminated") == 0,
	   "a superblock algorithm name of 32 letters: not terminated");
	params(&v, 0);
	igos_verity_sb_build(&v, sb);
	OK(igos_verity_sb_parse(&w, sb, sizeof(sb)) < 0 && strcmp(igos_errmsg(), "no data blocks") == 0,
	   "a superblock of no data blocks is refused");

	/* uuids: 36 characters, dashes at 8, 13, 18, 23, hex elsewhere */
	OK(igos_verity_uuid_parse("12345678-1234-1234-1234-1234567890ab", v.uuid) == 0,
	   "a lower-case uuid is accepted");
	OK(igos_verity_uuid_parse("12345678-1234-1234-1234-1234567890abc", v.uuid) < 0 &&
	   strcmp(igos_errmsg(), "invalid uuid '12345678-1234-1234-1234-1234567890abc'") == 0,
	   "a uuid of 37 characters is refused");
	OK(igos_verity_uuid_parse("12345678x1234-1234-1234-1234567890ab", v.uuid) < 0,
	   "a uuid without its first dash is refused");
	OK(igos_verity_uuid_parse("12345678-1234-1234-1234x1234567890ab", v.uuid) < 0,
	   "a uuid without its last dash is refused");
	OK(igos_verity_uuid_parse("1234567g-1234-1234-1234-1234567890ab", v.uuid) < 0,
	   "a uuid with a letter that is not hex is refused");
	return DONE();
}
