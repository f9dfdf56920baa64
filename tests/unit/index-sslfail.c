/* lib/indexsig.c when OpenSSL runs out of memory: each OpenSSL allocation of
 * a key import, a master id or a signature check fails in turn (through
 * CRYPTO_set_mem_functions, set before OpenSSL allocates anything). Each call
 * gives either the result it gives with memory to spare or an error with its
 * message: never NULL or -1 without one, never the id of another key. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "igos.h"
#include "indexsig.h"
#include "unit.h"

static long fail_at, calls;

static void *
f_malloc(size_t n, const char *file, int line)
{
	(void)file; (void)line;
	if (fail_at > 0 && ++calls == fail_at)
		return NULL;
	if (fail_at < 0)
		calls++;
	return malloc(n);
}

static void *
f_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file; (void)line;
	if (fail_at > 0 && ++calls == fail_at)
		return NULL;
	if (fail_at < 0)
		calls++;
	return realloc(p, n);
}

static void
f_free(void *p, const char *file, int line)
{
	(void)file; (void)line;
	free(p);
}

/* Fail the k-th allocation (0: none; -1: count them). */
static void
arm(long k)
{
	calls = 0;
	fail_at = k;
	igos_seterr("none");
}

static int
errset(void)
{
	return strcmp(igos_errmsg(), "none") != 0;
}

int
main(void)
{
	int crypto_ok = CRYPTO_set_mem_functions(f_malloc, f_realloc, f_free);
	EVP_PKEY *a, *b, *pk;
	unsigned char ida[8], idb[8], id[8], pub[32], pub2[32];
	size_t pl = sizeof(pub);
	long n, k;
	int bad, failed;

	OK(crypto_ok == 1, "OpenSSL's allocations go through the test's functions");
	a = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	b = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY_get_raw_public_key(a, pub, &pl);
	OK(igos_idx_master_id(a, ida) == 0 && igos_idx_master_id(b, idb) == 0 &&
	   memcmp(ida, idb, 8) != 0, "two keys, two master ids");

	/* the master id: the id of this key, or an error. Another key's id is
	 * computed just before from the same place, so a digest that failed
	 * unnoticed leaves that one in the buffer. */
	arm(-1);
	igos_idx_master_id(a, id);
	n = calls;
	bad = failed = 0;
	for (k = 1; k <= n; k++) {
		int rc;

		arm(0);
		igos_idx_master_id(b, id);
		arm(k);
		memset(id, 0, sizeof(id));
		rc = igos_idx_master_id(a, id);
		fail_at = 0;
		if (rc == 0 && memcmp(id, ida, 8) != 0) {
			printf("# allocation %ld failing: rc 0 with another id\n", k);
			bad++;
		} else if (rc < 0 && !errset()) {
			printf("# allocation %ld failing: -1 without a message\n", k);
			bad++;
		} else if (rc < 0) {
			failed++;
		}
	}
	OK(n > 0 && bad == 0 && failed > 0,
	   "master id, each of %ld OpenSSL allocations failing: the key's id or an error "
	   "(%d errors)", n, failed);

	/* an Ed25519 public key from its 32 bytes: the key, or NULL with the message */
	arm(-1);
	pk = igos_idx_pubkey(IGOS_IDX_ED25519, pub, 32);
	n = calls;
	arm(0);
	EVP_PKEY_free(pk);
	bad = failed = 0;
	for (k = 1; k <= n; k++) {
		arm(k);
		pk = igos_idx_pubkey(IGOS_IDX_ED25519, pub, 32);
		fail_at = 0;
		if (pk == NULL) {
			failed++;
			if (strncmp(igos_errmsg(), "invalid Ed25519 public key", 26) != 0) {
				printf("# allocation %ld failing: NULL with '%s'\n", k, igos_errmsg());
				bad++;
			}
		} else {
			size_t l2 = sizeof(pub2);

			if (EVP_PKEY_get_raw_public_key(pk, pub2, &l2) != 1 || l2 != 32 ||
			    memcmp(pub, pub2, 32) != 0) {
				printf("# allocation %ld failing: another key\n", k);
				bad++;
			}
			EVP_PKEY_free(pk);
		}
	}
	OK(n > 0 && bad == 0 && failed > 0,
	   "Ed25519 key import, each of %ld OpenSSL allocations failing: the key or "
	   "NULL with \"invalid Ed25519 public key\" (%d NULL)", n, failed);

	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	return DONE();
}
