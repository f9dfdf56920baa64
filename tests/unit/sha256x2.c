/* lib/sha256x2.c: the two-stream SHA-256 gives OpenSSL's digests for every
 * split of prefix, message and suffix around the block boundaries, and it
 * steps aside where OpenSSL would not use the SHA extensions. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sha256x2.h"
#include "unit.h"

static void
ref(const unsigned char *pre, size_t npre, const unsigned char *m, size_t len,
    const unsigned char *post, size_t npost, unsigned char *out)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, pre, npre);
	EVP_DigestUpdate(c, m, len);
	EVP_DigestUpdate(c, post, npost);
	EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
}

int
main(void)
{
	static const size_t lens[] = { 1, 55, 56, 63, 64, 65, 119, 120, 512, 4096, 4097, 65536 };
	static const size_t pres[] = { 0, 1, 31, 32, 55, 56, 63, 64, 65, 127, 128, 200, 256 };
	static const size_t posts[] = { 0, 1, 7, 8, 32, 55, 56, 64, 200, 256 };
	unsigned char *a = malloc(65536 + 1), *b = malloc(65536 + 1), pre[256], post[256];
	unsigned char da[32], db[32], ra[32], rb[32];
	struct igos_sha256x2 x;
	int bad = 0, cases = 0;

	if (!igos_sha256x2_available()) {
		printf("1..0 # skip this CPU has no SHA extensions (or OPENSSL_ia32cap masks them)\n");
		return 0;
	}
	for (size_t i = 0; i <= 65536; i++) {
		a[i] = (unsigned char)(i * 131 + 7);
		b[i] = (unsigned char)(i * 17 + 1);
	}
	for (size_t i = 0; i < sizeof(pre); i++) {
		pre[i] = (unsigned char)(i ^ 0x5a);
		post[i] = (unsigned char)(i ^ 0xa5);
	}
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
		for (size_t p = 0; p < sizeof(pres) / sizeof(pres[0]); p++)
			for (size_t q = 0; q < sizeof(posts) / sizeof(posts[0]); q++) {
				size_t len = lens[l], np = pres[p], nq = posts[q];

				cases++;
				if (igos_sha256x2_init(&x, pre, np, len, post, nq) != 1) {
					bad++;
					continue;
				}
				/* b + 1: a message that is not 16-byte aligned */
				igos_sha256x2_pair(&x, a, b + 1, da, db);
				ref(pre, np, a, len, post, nq, ra);
				ref(pre, np, b + 1, len, post, nq, rb);
				if (memcmp(da, ra, 32) != 0 || memcmp(db, rb, 32) != 0)
					bad++;
				igos_sha256x2_one(&x, b, da);
				ref(pre, np, b, len, post, nq, rb);
				if (memcmp(da, rb, 32) != 0)
					bad++;
			}
	OK(bad == 0, "%d splits of prefix, message and suffix: pair and one agree with EVP "
	   "(%d differ)", cases, bad);
	OK(igos_sha256x2_init(&x, pre, 0, 4096, post, 257) == 0,
	   "a suffix over %d bytes is left to EVP", IGOS_SHA256X2_POST_MAX);

	/* OpenSSL's capability mask, as OPENSSL_ia32cap(3) gives it */
	setenv("OPENSSL_ia32cap", ":~0x20000000", 1);
	OK(igos_sha256x2_available() == 0, "OPENSSL_ia32cap=:~0x20000000 (no SHA) is honoured");
	setenv("OPENSSL_ia32cap", ":~0x1", 1);
	OK(igos_sha256x2_available() == 1, "a mask without the SHA bit keeps it");
	setenv("OPENSSL_ia32cap", "~0x20000000000:", 1);
	OK(igos_sha256x2_available() == 0, "SSSE3 masked (bit 41) turns it off");
	setenv("OPENSSL_ia32cap", "~0x0", 1);
	OK(igos_sha256x2_available() == 0, "no \":\" part: OpenSSL clears the leaf 7 words");
	setenv("OPENSSL_ia32cap", ":0x20000000", 1);
	OK(igos_sha256x2_available() == 1, "a bare leaf 7 value with the SHA bit keeps it");
	setenv("OPENSSL_ia32cap", ":0x1", 1);
	OK(igos_sha256x2_available() == 0, "a bare leaf 7 value without it turns it off");
	setenv("OPENSSL_ia32cap", ":~0x20000000", 1);
	OK(igos_sha256x2_init(&x, pre, 32, 4096, post, 0) == 0, "init refuses when masked");
	unsetenv("OPENSSL_ia32cap");
	free(a);
	free(b);
	return DONE();
}
