/* lib/pcr.c and lib/pcrsig.c when OpenSSL fails: each digest, encoder and
 * verifier call they make (wrapped at link time: mk/measure.mk) fails in turn
 * while sections are digested, PCR 11 is predicted, the key is fingerprinted
 * and written, and a .pcrsig is built and verified. Each step either gives
 * what it gives without a failure, byte for byte, or fails with its message:
 * never a PCR value or a fingerprint made of half a computation, and never a
 * signature taken whose check could not be set up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "pcr.h"
#include "unit.h"
#include "unit-pe.h"

static long fail_at, calls;

static int
failing(void)
{
	return fail_at != 0 && ++calls == fail_at;
}

EVP_MD_CTX *__real_EVP_MD_CTX_new(void);
int __real_EVP_DigestInit_ex(EVP_MD_CTX *c, const EVP_MD *md, ENGINE *e);
int __real_EVP_DigestUpdate(EVP_MD_CTX *c, const void *d, size_t n);
int __real_EVP_DigestFinal_ex(EVP_MD_CTX *c, unsigned char *md, unsigned int *n);
int __real_EVP_Digest(const void *d, size_t n, unsigned char *md, unsigned int *s,
		      const EVP_MD *t, ENGINE *e);
int __real_i2d_PublicKey(const EVP_PKEY *k, unsigned char **pp);
BIO *__real_BIO_new(const BIO_METHOD *m);
int __real_PEM_write_bio_PUBKEY(BIO *b, const EVP_PKEY *k);
EVP_PKEY_CTX *__real_EVP_PKEY_CTX_new(EVP_PKEY *k, ENGINE *e);
int __real_EVP_PKEY_verify_init(EVP_PKEY_CTX *c);
int __real_EVP_PKEY_CTX_set_rsa_padding(EVP_PKEY_CTX *c, int pad);
int __real_EVP_PKEY_CTX_set_signature_md(EVP_PKEY_CTX *c, const EVP_MD *md);

EVP_MD_CTX *
__wrap_EVP_MD_CTX_new(void)
{
	return failing() ? NULL : __real_EVP_MD_CTX_new();
}

int
__wrap_EVP_DigestInit_ex(EVP_MD_CTX *c, const EVP_MD *md, ENGINE *e)
{
	return failing() ? 0 : __real_EVP_DigestInit_ex(c, md, e);
}

int
__wrap_EVP_DigestUpdate(EVP_MD_CTX *c, const void *d, size_t n)
{
	return failing() ? 0 : __real_EVP_DigestUpdate(c, d, n);
}

int
__wrap_EVP_DigestFinal_ex(EVP_MD_CTX *c, unsigned char *md, unsigned int *n)
{
	return failing() ? 0 : __real_EVP_DigestFinal_ex(c, md, n);
}

int
__wrap_EVP_Digest(const void *d, size_t n, unsigned char *md, unsigned int *s,
		  const EVP_MD *t, ENGINE *e)
{
	return failing() ? 0 : __real_EVP_Digest(d, n, md, s, t, e);
}

/* its documented failure: a negative value */
int
__wrap_i2d_PublicKey(const EVP_PKEY *k, unsigned char **pp)
{
	return failing() ? -1 : __real_i2d_PublicKey(k, pp);
}

BIO *
__wrap_BIO_new(const BIO_METHOD *m)
{
	return failing() ? NULL : __real_BIO_new(m);
}

int
__wrap_PEM_write_bio_PUBKEY(BIO *b, const EVP_PKEY *k)
{
	return failing() ? 0 : __real_PEM_write_bio_PUBKEY(b, k);
}

EVP_PKEY_CTX *
__wrap_EVP_PKEY_CTX_new(EVP_PKEY *k, ENGINE *e)
{
	return failing() ? NULL : __real_EVP_PKEY_CTX_new(k, e);
}

int
__wrap_EVP_PKEY_verify_init(EVP_PKEY_CTX *c)
{
	return failing() ? 0 : __real_EVP_PKEY_verify_init(c);
}

int
__wrap_EVP_PKEY_CTX_set_rsa_padding(EVP_PKEY_CTX *c, int pad)
{
	return failing() ? 0 : __real_EVP_PKEY_CTX_set_rsa_padding(c, pad);
}

int
__wrap_EVP_PKEY_CTX_set_signature_md(EVP_PKEY_CTX *c, const EVP_MD *md)
{
	return failing() ? 0 : __real_EVP_PKEY_CTX_set_signature_md(c, md);
}

#define UNIT_SIGN_CTX_NEW __real_EVP_PKEY_CTX_new
#define UNIT_SIGN_SET_PADDING __real_EVP_PKEY_CTX_set_rsa_padding
#define UNIT_SIGN_SET_MD __real_EVP_PKEY_CTX_set_signature_md
#include "unit-pcrsign.h"

static EVP_PKEY *key;
static struct igos_pcr_input in;
static struct igos_pcrsig ps;
static const char *const phases[] = { "enter-initrd", "enter-initrd:leave-initrd" };

static char *
hex(const unsigned char *p, size_t n)
{
	char *s = malloc(2 * n + 1);

	if (s)
		igos_hex_encode(p, n, s);
	return s;
}

/* every bank's digest of .linux (whole), .initrd (in pieces and zeros) and
 * .cmdline */
static char *
digest(void)
{
	struct igos_pcr_input x;
	struct igos_pcr_section_ctx c;

	igos_pcr_input_init(&x, IGOS_BANKS_ALL);
	if (igos_pcr_input_set(&x, IGOS_SEC_LINUX, "kernel", 6) < 0 ||
	    igos_pcr_section_begin(&c, &x, IGOS_SEC_INITRD) < 0)
		return NULL;
	if (igos_pcr_section_update(&c, "abc", 3) < 0 ||
	    igos_pcr_section_update(&c, NULL, 5000) < 0 ||
	    igos_pcr_section_end(&c) < 0) {
		igos_pcr_section_abort(&c);
		return NULL;
	}
	if (igos_pcr_input_set(&x, IGOS_SEC_CMDLINE, "quiet", 5) < 0)
		return NULL;
	return hex(&x.digest[0][0][0], sizeof(x.digest));
}

/* every bank's digest of a UKI's sections: .linux of VirtualSize 0x300
 * over 0x200 raw bytes (zeros after them), .osrel */
static char *
from_uki(void)
{
	struct igos_pcr_input x;

	igos_pcr_input_init(&x, IGOS_BANKS_ALL);
	if (igos_pcr_input_from_uki(&x, img, 0xa00, IGOS_PCR_STUB_CURRENT, NULL) < 0)
		return NULL;
	return hex(&x.digest[0][0][0], sizeof(x.digest));
}

/* PCR 11 in every bank, after two phase words */
static char *
predict(void)
{
	unsigned char v[IGOS_BANK_N][IGOS_MAX_MD];

	memset(v, 0, sizeof(v));
	for (int b = 0; b < IGOS_BANK_N; b++)
		if (igos_pcr_predict(&in, b, "enter-initrd:leave-initrd", v[b]) < 0)
			return NULL;
	return hex(&v[0][0], sizeof(v));
}

static char *
pkfp(void)
{
	char fp[65];

	return igos_pcr_pkfp(key, fp) < 0 ? NULL : strdup(fp);
}

static char *
pem(void)
{
	size_t n = 0;
	char *p = igos_pcr_pubkey_pem(key, &n);

	if (p && n != strlen(p)) {
		free(p);
		return strdup("wrong length");
	}
	return p;
}

static char *
build(void)
{
	return igos_pcrsig_build(&in, 1u << IGOS_BANK_SHA1 | 1u << IGOS_BANK_SHA256, phases, 2,
				 key, sign_cb, key);
}

static char *
verify(void)
{
	size_t matched[8];

	return igos_pcrsig_verify(&ps, &in, phases, 2, key, matched) < 0 ? NULL : strdup("ok");
}

static const char *const ssl_messages[] = {
	"cannot digest ", "cannot extend the PCR", "digest failed",
	"cannot encode the public key", "cannot write the public key", NULL
};

static int
failure_message(const char *m, const char *const *also)
{
	for (int i = 0; ssl_messages[i]; i++)
		if (strncmp(m, ssl_messages[i], strlen(ssl_messages[i])) == 0)
			return 1;
	for (int i = 0; also && also[i]; i++)
		if (strstr(m, also[i]))
			return 1;
	return 0;
}

/* also: further messages this step may fail with */
static void
faults(const char *what, char *(*fn)(void), const char *const *also)
{
	char *want, *got;
	long tried = 0, bad = 0;

	fail_at = 0;
	want = fn();
	for (long n = 1; want; n++) {
		igos_seterr("no message");
		ERR_clear_error();
		calls = 0;
		fail_at = n;
		got = fn();
		fail_at = 0;
		if (calls < n) {
			bad += got == NULL || strcmp(got, want) != 0;
			free(got);
			break;
		}
		tried++;
		if (got ? strcmp(got, want) != 0 : !failure_message(igos_errmsg(), also)) {
			printf("# %s, OpenSSL call %ld failing: %s\n", what, n,
			       got ? "a different result" : igos_errmsg());
			bad++;
		}
		free(got);
	}
	OK(want && tried > 0 && bad == 0,
	   "%s: each of its %ld OpenSSL calls failing in turn gives the same result or "
	   "an error", what, tried);
	free(want);
}

/* the callers say what a fingerprint that cannot be made means to them; a
 * signature whose check cannot be set up is a bad one */
static const char *const build_also[] = {
	"a PCR policy needs an RSA key: systemd's TPM-side check uses RSASSA", NULL
};
static const char *const verify_also[] = {
	"the public key is not an RSA key", ": bad signature", NULL
};

int
main(void)
{
	char *json;

	key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	igos_pcr_input_init(&in, IGOS_BANKS_ALL);
	igos_pcr_input_set(&in, IGOS_SEC_LINUX, "kernel", 6);
	igos_pcr_input_set(&in, IGOS_SEC_OSREL, "ID=igos\n", 8);
	json = build();
	OK(json && igos_pcrsig_parse(&ps, json, strlen(json)) == 0 && ps.n == 4,
	   "a .pcrsig of 2 phases in 2 banks");
	free(json);

	unit_pe_headers(2, 0x4000);
	unit_pe_section(0, ".linux", 0x1000, 0x300, 0x400, 0x200);
	unit_pe_section(1, ".osrel", 0x2000, 8, 0x600, 0x200);
	memset(img + 0x400, 'k', 0x200);
	memcpy(img + 0x600, "ID=igos\n", 8);
	faults("section digests", digest, NULL);
	faults("a UKI's section digests", from_uki, NULL);
	faults("PCR 11 prediction", predict, NULL);
	faults("key fingerprint", pkfp, NULL);
	faults("key PEM", pem, NULL);
	faults("build a .pcrsig", build, build_also);
	faults("verify a .pcrsig", verify, verify_also);

	igos_pcrsig_free(&ps);
	EVP_PKEY_free(key);
	return DONE();
}
