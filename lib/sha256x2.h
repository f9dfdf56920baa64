/* SHA-256 of many messages of one length that share a prefix and a suffix
 * (dm-verity's salted blocks), two at a time with the x86-64 SHA extensions. */
#ifndef IGOS_SHA256X2_H
#define IGOS_SHA256X2_H

#include <stddef.h>
#include <stdint.h>

#define IGOS_SHA256X2_POST_MAX 256

struct igos_sha256x2 {
	uint32_t st[8];               /* after the prefix's whole blocks (the SHA-NI order) */
	unsigned char tail[64];       /* the prefix's bytes after them */
	unsigned char trailer[IGOS_SHA256X2_POST_MAX + 64 + 8]; /* suffix, padding, length */
	size_t ntail, len, ntrailer, nblocks;
};

/* 1 when this CPU hashes with the SHA extensions and OpenSSL would too
 * (OPENSSL_ia32cap does not mask them), else 0. */
int igos_sha256x2_available(void);

/* Prepare hashing prefix || message || suffix for messages of len bytes.
 * Returns 1, or 0 when unavailable (then hash with EVP): no SHA extensions,
 * or a suffix longer than IGOS_SHA256X2_POST_MAX. */
int igos_sha256x2_init(struct igos_sha256x2 *x, const void *pre, size_t npre, size_t len,
		       const void *post, size_t npost);

/* The digests of two messages, and of one; only after init returned 1. */
void igos_sha256x2_pair(const struct igos_sha256x2 *x, const unsigned char *a,
			const unsigned char *b, unsigned char *da, unsigned char *db);
void igos_sha256x2_one(const struct igos_sha256x2 *x, const unsigned char *a, unsigned char *da);

#endif
