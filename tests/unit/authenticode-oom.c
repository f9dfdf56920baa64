/* lib/authenticode.c when a call that allocates fails: the image digest
 * (from the mapping and through a descriptor), SpcIndirectDataContent, the
 * verification of an image signature (without certificates, against a
 * certificate, against a modules-only one) and of a module signature. Every
 * such call of the library (malloc, EVP_MD_CTX_new, BIO_new_mem_buf, the
 * certificate stack and store: wrapped at link time, mk/sign.mk) fails in
 * turn; each failure gives its one-line error and -1, leaves nothing
 * allocated, and the same call then succeeds. OpenSSL's own allocations are
 * left alone. Also: a file that shrinks under a digest through its
 * descriptor (0 too) is an error, not zeros or a SIGBUS. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "authenticode.h"
#include "unit.h"
#include "unit-pe.h"

/* ---- the wrapped calls ---- */

static int armed;
static long fail_at, calls;
static char seen[256];        /* the calls made while armed, in order */
static void *live[64];        /* what they allocated and was not freed yet */

static int
failing(const char *name)
{
	if (!armed)
		return 0;
	if (strlen(seen) + strlen(name) + 2 < sizeof(seen)) {
		strcat(seen, seen[0] ? " " : "");
		strcat(seen, name);
	}
	return ++calls == fail_at;
}

static void *
track(void *p)
{
	for (size_t i = 0; p && armed && i < sizeof(live) / sizeof(live[0]); i++)
		if (live[i] == NULL) {
			live[i] = p;
			break;
		}
	return p;
}

static void
untrack(void *p)
{
	for (size_t i = 0; p && i < sizeof(live) / sizeof(live[0]); i++)
		if (live[i] == p)
			live[i] = NULL;
}

static int
nlive(void)
{
	int n = 0;

	for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++)
		n += live[i] != NULL;
	return n;
}

void *__real_malloc(size_t n);
void __real_free(void *p);
EVP_MD_CTX *__real_EVP_MD_CTX_new(void);
void __real_EVP_MD_CTX_free(EVP_MD_CTX *c);
BIO *__real_BIO_new_mem_buf(const void *buf, int len);
int __real_BIO_free(BIO *b);
OPENSSL_STACK *__real_OPENSSL_sk_new_null(void);
void __real_OPENSSL_sk_free(OPENSSL_STACK *s);
int __real_OPENSSL_sk_push(OPENSSL_STACK *s, const void *p);
X509_STORE *__real_X509_STORE_new(void);
void __real_X509_STORE_free(X509_STORE *s);
int __real_X509_STORE_add_cert(X509_STORE *s, X509 *x);

void *
__wrap_malloc(size_t n)
{
	if (failing("malloc")) {
		errno = ENOMEM;
		return NULL;
	}
	return track(__real_malloc(n));
}

void
__wrap_free(void *p)
{
	untrack(p);
	__real_free(p);
}

EVP_MD_CTX *
__wrap_EVP_MD_CTX_new(void)
{
	return failing("EVP_MD_CTX_new") ? NULL : track(__real_EVP_MD_CTX_new());
}

void
__wrap_EVP_MD_CTX_free(EVP_MD_CTX *c)
{
	untrack(c);
	__real_EVP_MD_CTX_free(c);
}

BIO *
__wrap_BIO_new_mem_buf(const void *buf, int len)
{
	return failing("BIO_new_mem_buf") ? NULL : track(__real_BIO_new_mem_buf(buf, len));
}

int
__wrap_BIO_free(BIO *b)
{
	untrack(b);
	return __real_BIO_free(b);
}

OPENSSL_STACK *
__wrap_OPENSSL_sk_new_null(void)
{
	return failing("sk_new_null") ? NULL : track(__real_OPENSSL_sk_new_null());
}

void
__wrap_OPENSSL_sk_free(OPENSSL_STACK *s)
{
	untrack(s);
	__real_OPENSSL_sk_free(s);
}

int
__wrap_OPENSSL_sk_push(OPENSSL_STACK *s, const void *p)
{
	return failing("sk_push") ? 0 : __real_OPENSSL_sk_push(s, p);
}

X509_STORE *
__wrap_X509_STORE_new(void)
{
	return failing("X509_STORE_new") ? NULL : track(__real_X509_STORE_new());
}

void
__wrap_X509_STORE_free(X509_STORE *s)
{
	untrack(s);
	__real_X509_STORE_free(s);
}

int
__wrap_X509_STORE_add_cert(X509_STORE *s, X509 *x)
{
	return failing("X509_STORE_add_cert") ? 0 : __real_X509_STORE_add_cert(s, x);
}

/* ---- the calls under test ---- */

static struct igos_pe upe, spe;        /* the unsigned image, the signed one */
static unsigned char *signed_img, *modsig;
static size_t signed_len, modsig_len;
static unsigned char module[3000];
static int ufd = -1;
static STACK_OF(X509) *certs, *modonly;

enum { DIGEST, DIGEST_FD, SPC, VERIFY, VERIFY_FD, VERIFY_CERT, VERIFY_MODONLY, MODULE };

static int
run(int what)
{
	unsigned char d[IGOS_MAX_MD], *spc;
	struct igos_ac_digests dg;
	size_t sl;
	STACK_OF(X509) *trusted = NULL;
	struct igos_ac_cert c[2];
	unsigned n;

	switch (what) {
	case DIGEST:
		return igos_ac_digest(&upe, EVP_sha256(), d, NULL, 0);
	case DIGEST_FD:
		return igos_ac_digest_fd(&upe, ufd, EVP_sha256(), d, NULL);
	case SPC:
		memset(d, 7, 32);
		spc = igos_ac_spc_build(EVP_sha256(), d, 32, &sl);
		free(spc);
		return spc ? 0 : -1;
	case MODULE:
		return igos_p7_verify_detached(modsig, modsig_len, module, sizeof(module), certs);
	case VERIFY_CERT:
		trusted = certs;
		break;
	case VERIFY_MODONLY:
		trusted = modonly;
		break;
	}
	memset(&dg, 0, sizeof(dg));
	dg.pe = &spe;
	if (igos_ac_certs(&spe, c, 2, &n) < 0 || n != 1)
		return -1;
	return igos_ac_verify(c[0].der, c[0].derlen, &dg, trusted);
}

/* The message each failing call gives. */
static const char *
expected(const char *call)
{
	if (!strcmp(call, "EVP_MD_CTX_new"))
		return "cannot hash";
	if (!strcmp(call, "BIO_new_mem_buf") || !strcmp(call, "X509_STORE_new") ||
	    !strcmp(call, "X509_STORE_add_cert"))
		return "cannot verify";
	return "out of memory";
}

/*
 * what with nothing failing (it gives good_rc and, if it fails, good_msg),
 * then with each call failing in turn. calls_made: the calls it makes, in
 * order: a check that the wraps see them (the test is not empty), and which
 * message each failure must give.
 */
static void
each_failure(int what, const char *name, int good_rc, const char *good_msg, const char *calls_made)
{
	char made[sizeof(seen)], msg[256], *tok, *save = NULL;
	int rc, bad = 0;
	long i = 0;

	ERR_clear_error();
	seen[0] = 0;
	calls = 0;
	fail_at = 0;
	armed = 1;
	rc = run(what);
	armed = 0;
	snprintf(msg, sizeof(msg), "%s", igos_errmsg());
	OK(rc == good_rc && (rc == 0 || !strcmp(msg, good_msg)) && nlive() == 0,
	   "%s: %s with memory to spare (%s)", name, good_rc ? "refused" : "done",
	   rc ? msg : "ok");
	OK(!strcmp(seen, calls_made), "%s: the calls that can fail are %s (%s)", name, calls_made,
	   seen);
	snprintf(made, sizeof(made), "%s", seen);
	for (tok = strtok_r(made, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		i++;
		ERR_clear_error();
		igos_seterr("none");
		seen[0] = 0;
		calls = 0;
		fail_at = i;
		armed = 1;
		rc = run(what);
		armed = 0;
		if (rc != -1 || strcmp(igos_errmsg(), expected(tok)) || nlive() != 0) {
			bad++;
			OK(0, "%s: failing call %ld (%s): rc %d, '%s', %d left allocated", name, i,
			   tok, rc, igos_errmsg(), nlive());
		}
		memset(live, 0, sizeof(live));
		ERR_clear_error();
		rc = run(what);
		if (rc != good_rc) {
			bad++;
			OK(0, "%s: after failing call %ld the same call gives %d", name, i, rc);
		}
	}
	OK(bad == 0 && i > 0, "%s: each of the %ld calls failing gives -1 and its message, "
	   "nothing left allocated", name, i);
}

/* ---- the fixtures ---- */

static X509 *
cert(EVP_PKEY *k, const char *cn, const char *eku)
{
	X509_NAME *nm = X509_NAME_new();
	X509 *x;

	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	x = igos_cert_selfsigned(nm, k, NULL, 30, eku);
	X509_NAME_free(nm);
	return x;
}

int
main(void)
{
	char path[] = "/tmp/authenticode-oom-XXXXXX", ipath[] = "/tmp/authenticode-oom-XXXXXX";
	unsigned char dg[32], *spc = NULL, *p7 = NULL;
	size_t spclen = 0, p7len = 0, tl;
	struct igos_signer *signer = NULL;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	X509 *x = key ? cert(key, "igos oom", "codeSigning") : NULL;
	X509 *m = key ? cert(key, "igos modules only", "1.3.6.1.4.1.2312.16.1.2") : NULL;
	FILE *f;
	int fd;

	/* a file key for the signer (0600 by mkstemp) */
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	OK(key && x && m && f && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) &&
	   fclose(f) == 0 && (signer = igos_signer_open(path, NULL)) != NULL,
	   "an RSA-2048 key, its certificate and a modules-only one");
	unlink(path);
	certs = sk_X509_new_null();
	modonly = sk_X509_new_null();
	sk_X509_push(certs, x);
	sk_X509_push(modonly, m);

	/* an image of one section, 0x800 bytes, in a file of its own */
	unit_pe_headers(1, 0x2000);
	unit_pe_section(0, ".text", 0x1000, 0x400, 0x400, 0x400);
	for (int i = 0x400; i < 0x800; i++)
		img[i] = (unsigned char)(i * 7);
	fd = mkstemp(ipath);
	OK(fd >= 0 && write(fd, img, 0x800) == 0x800 && igos_ac_parse(&upe, img, 0x800) == 0,
	   "an unsigned image of 0x800 bytes");
	ufd = fd;

	/* signed: its PKCS#7 in a certificate table at 0x800 */
	if (signer && igos_ac_digest(&upe, EVP_sha256(), dg, NULL, 0) == 0 &&
	    (spc = igos_ac_spc_build(EVP_sha256(), dg, 32, &spclen)) != NULL)
		p7 = igos_pkcs7_sign(signer, x, EVP_sha256(), IGOS_AC_SPC_INDIRECT_OID, spc,
				     spclen, 0, &p7len);
	free(spc);
	tl = (8 + p7len + 7) & ~(size_t)7;
	signed_len = 0x800 + tl;
	signed_img = calloc(1, signed_len);
	if (p7 && signed_img) {
		memcpy(signed_img, img, 0x800);
		igos_put_le32(signed_img + OPT + 144, 0x800);
		igos_put_le32(signed_img + OPT + 148, (uint32_t)tl);
		igos_put_le32(signed_img + 0x800, (uint32_t)(8 + p7len));
		igos_put_le16(signed_img + 0x804, IGOS_WIN_CERT_REVISION);
		igos_put_le16(signed_img + 0x806, IGOS_WIN_CERT_TYPE_PKCS);
		memcpy(signed_img + 0x808, p7, p7len);
	}
	OK(p7 && signed_img && igos_ac_parse(&spe, signed_img, signed_len) == 0 &&
	   igos_ac_is_signed(&spe), "the image signed");
	free(p7);

	/* a module signature: detached, no certificate, no attributes */
	for (size_t i = 0; i < sizeof(module); i++)
		module[i] = (unsigned char)(i * 13);
	modsig = signer ? igos_pkcs7_sign(signer, x, EVP_sha256(), NULL, module, sizeof(module),
					  IGOS_P7_NOCERTS | IGOS_P7_NOATTR | IGOS_P7_DETACHED |
					  IGOS_P7_MD_NOPARAM, &modsig_len) : NULL;
	OK(modsig != NULL, "a module signature");

	each_failure(DIGEST, "digest", 0, NULL, "EVP_MD_CTX_new");
	each_failure(DIGEST_FD, "digest through a descriptor", 0, NULL, "malloc EVP_MD_CTX_new");
	each_failure(SPC, "SpcIndirectDataContent", 0, NULL, "malloc");
	each_failure(VERIFY, "verify without certificates", 0, NULL,
		     "EVP_MD_CTX_new BIO_new_mem_buf X509_STORE_new");
	each_failure(VERIFY_CERT, "verify against the signer's certificate", 0, NULL,
		     "EVP_MD_CTX_new BIO_new_mem_buf sk_new_null sk_push X509_STORE_new "
		     "X509_STORE_add_cert");
	each_failure(VERIFY_MODONLY, "verify against a modules-only certificate", -1,
		     "no usable certificate: shim trusts no certificate with the module-signing "
		     "EKU 1.3.6.1.4.1.2312.16.1.2 for images",
		     "EVP_MD_CTX_new BIO_new_mem_buf sk_new_null");
	each_failure(MODULE, "verify a module signature", 0, NULL,
		     "BIO_new_mem_buf X509_STORE_new X509_STORE_add_cert");

	/* the file shrinks after it was parsed: read through the descriptor,
	 * that is an error (from the mapping, the bytes past the new end would
	 * read as zeros, or past its last page raise SIGBUS) */
	{
		unsigned char d[32];
		void *map = fd >= 0 ? mmap(NULL, 0x800, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
		struct igos_pe pe;

		OK(map != MAP_FAILED && igos_ac_parse(&pe, map, 0x800) == 0 &&
		   ftruncate(fd, 0x600) == 0 && igos_ac_digest_fd(&pe, fd, EVP_sha256(), d, NULL) < 0 &&
		   !strcmp(igos_errmsg(), "the file shrank while it was read"),
		   "a file cut to 0x600 bytes after it was parsed: '%s'", igos_errmsg());
		if (map != MAP_FAILED)
			munmap(map, 0x800);
	}
	/* the same with standard input closed (as a service may run): the
	 * image's descriptor is 0, still a descriptor to read through */
	{
		unsigned char d[32];
		void *map = MAP_FAILED;
		struct igos_pe pe;
		int zfd = -1;

		close(0);
		if ((zfd = open(ipath, O_RDWR)) == 0 && ftruncate(zfd, 0) == 0 &&
		    write(zfd, img, 0x800) == 0x800)
			map = mmap(NULL, 0x800, PROT_READ, MAP_SHARED, zfd, 0);
		OK(zfd == 0 && map != MAP_FAILED && igos_ac_parse(&pe, map, 0x800) == 0 &&
		   ftruncate(zfd, 0x600) == 0 && igos_ac_digest_fd(&pe, zfd, EVP_sha256(), d, NULL) < 0 &&
		   !strcmp(igos_errmsg(), "the file shrank while it was read"),
		   "the same through descriptor 0: '%s'", igos_errmsg());
		if (map != MAP_FAILED)
			munmap(map, 0x800);
		if (zfd >= 0)
			close(zfd);
	}

	if (fd >= 0)
		close(fd);
	unlink(ipath);
	free(signed_img);
	free(modsig);
	sk_X509_free(certs);
	sk_X509_free(modonly);
	X509_free(x);
	X509_free(m);
	igos_signer_free(signer);
	EVP_PKEY_free(key);
	return DONE();
}
