/* lib/secboot.c when memory or OpenSSL fails: each allocation, digest,
 * parser and stack call the library makes (wrapped at link time:
 * mk/bootcheck.mk) fails in turn while trust stores are read and images are
 * hashed and judged by the firmware's and shim's rules. Each call either
 * fails with its message, or gives its verdict on the image's true digests,
 * without a leak; a store is either whole, or cut short with the reason
 * recorded. (A deny-list match that cannot be computed counts as no match:
 * such a fault lets a revoked image through; the test prints how often.) */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "efivar.h"
#include "secboot.h"
#include "unit.h"
#include "unit-pe.h"
#include "unit-secboot.h"

static long fail_at, calls;
static int armed;

static int
failing(void)
{
	return armed && fail_at != 0 && ++calls == fail_at;
}

static int
counting(void)
{
	if (armed)
		calls++;
	return 0;
}

#define COUNTED() (fail_at ? failing() : counting())

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
EVP_MD_CTX *__real_EVP_MD_CTX_new(void);
int __real_EVP_DigestInit_ex(EVP_MD_CTX *c, const EVP_MD *md, ENGINE *e);
int __real_EVP_DigestUpdate(EVP_MD_CTX *c, const void *d, size_t n);
int __real_EVP_DigestFinal_ex(EVP_MD_CTX *c, unsigned char *md, unsigned int *n);
int __real_EVP_MD_CTX_copy_ex(EVP_MD_CTX *o, const EVP_MD_CTX *i);
int __real_EVP_Digest(const void *d, size_t n, unsigned char *md, unsigned int *s,
		      const EVP_MD *t, ENGINE *e);
OPENSSL_STACK *__real_OPENSSL_sk_new_null(void);
int __real_OPENSSL_sk_push(OPENSSL_STACK *st, const void *d);
const EVP_MD *__real_EVP_get_digestbyname(const char *name);
PKCS7 *__real_d2i_PKCS7(PKCS7 **a, const unsigned char **pp, long len);
int __real_i2d_X509(const X509 *x, unsigned char **pp);
X509 *__real_d2i_X509(X509 **a, const unsigned char **pp, long len);
void *__real_X509_get_ext_d2i(const X509 *x, int nid, int *crit, int *idx);

void *
__wrap_malloc(size_t n)
{
	return COUNTED() ? NULL : __real_malloc(n);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return COUNTED() ? NULL : __real_realloc(p, n);
}

EVP_MD_CTX *
__wrap_EVP_MD_CTX_new(void)
{
	return COUNTED() ? NULL : __real_EVP_MD_CTX_new();
}

int
__wrap_EVP_DigestInit_ex(EVP_MD_CTX *c, const EVP_MD *md, ENGINE *e)
{
	return COUNTED() ? 0 : __real_EVP_DigestInit_ex(c, md, e);
}

int
__wrap_EVP_DigestUpdate(EVP_MD_CTX *c, const void *d, size_t n)
{
	return COUNTED() ? 0 : __real_EVP_DigestUpdate(c, d, n);
}

int
__wrap_EVP_DigestFinal_ex(EVP_MD_CTX *c, unsigned char *md, unsigned int *n)
{
	return COUNTED() ? 0 : __real_EVP_DigestFinal_ex(c, md, n);
}

int
__wrap_EVP_MD_CTX_copy_ex(EVP_MD_CTX *o, const EVP_MD_CTX *i)
{
	return COUNTED() ? 0 : __real_EVP_MD_CTX_copy_ex(o, i);
}

int
__wrap_EVP_Digest(const void *d, size_t n, unsigned char *md, unsigned int *s,
		  const EVP_MD *t, ENGINE *e)
{
	return COUNTED() ? 0 : __real_EVP_Digest(d, n, md, s, t, e);
}

OPENSSL_STACK *
__wrap_OPENSSL_sk_new_null(void)
{
	return COUNTED() ? NULL : __real_OPENSSL_sk_new_null();
}

int
__wrap_OPENSSL_sk_push(OPENSSL_STACK *st, const void *d)
{
	return COUNTED() ? 0 : __real_OPENSSL_sk_push(st, d);
}

/* only the lookups by lower-case name secboot.c makes: lib/authenticode.c's
 * EVP_get_digestbynid (a macro over this call, with "SHA256") is left alone */
const EVP_MD *
__wrap_EVP_get_digestbyname(const char *name)
{
	if (strncmp(name, "sha", 3))
		return __real_EVP_get_digestbyname(name);
	return COUNTED() ? NULL : __real_EVP_get_digestbyname(name);
}

PKCS7 *
__wrap_d2i_PKCS7(PKCS7 **a, const unsigned char **pp, long len)
{
	return COUNTED() ? NULL : __real_d2i_PKCS7(a, pp, len);
}

int
__wrap_i2d_X509(const X509 *x, unsigned char **pp)
{
	return COUNTED() ? -1 : __real_i2d_X509(x, pp);
}

X509 *
__wrap_d2i_X509(X509 **a, const unsigned char **pp, long len)
{
	return COUNTED() ? NULL : __real_d2i_X509(a, pp, len);
}

void *
__wrap_X509_get_ext_d2i(const X509 *x, int nid, int *crit, int *idx)
{
	return COUNTED() ? NULL : __real_X509_get_ext_d2i(x, nid, crit, idx);
}

/* ---- a judgement under faults ------------------------------------------------ */

struct scene {
	const char *what;
	const struct image *im;
	int shim;
	const struct igos_sb_store *db, *dbx;
	struct igos_sb_shim_stores ss;
};

static int
judge(const struct scene *sc, struct igos_sb_image *s, struct igos_sb_verdict *v)
{
	int rc;

	igos_sb_image_init(s, sc->im->d, sc->im->len);
	armed = 1;
	rc = sc->shim ? igos_sb_judge_shim(s, &sc->ss, v) :
			igos_sb_judge_firmware(s, sc->db, sc->dbx, v);
	armed = 0;
	return rc;
}

/* Each fault in turn: a clean error, or a verdict on the true digests that
 * lets nothing through the rules refuse. */
static void
faults(const struct scene *sc, enum igos_sb_reason want)
{
	struct igos_sb_image ref, s;
	struct igos_sb_verdict v;
	long n, open_faults = 0;

	fail_at = 0;
	calls = 0;
	OK(judge(sc, &ref, &v) == 0 && v.reason == want, "%s: %s without a fault (%s)", sc->what,
	   igos_sb_reason_str(want), v.detail);
	n = calls;
	for (long k = 1; k <= n; k++) {
		int rc;

		fail_at = k;
		calls = 0;
		rc = judge(sc, &s, &v);
		if (rc < 0)
			OK(igos_errmsg()[0] && !s.hashed, "%s: call %ld of %ld fails: an error (%s)",
			   sc->what, k, n, igos_errmsg());
		else
			OK(s.hashed && !memcmp(s.sha256, ref.sha256, 32) &&
			   !memcmp(s.sha256_fw, ref.sha256_fw, 32) &&
			   (s.have_sha1 == ref.have_sha1) &&
			   (!s.have_sha1 || !memcmp(s.sha1, ref.sha1, 20)),
			   "%s: call %ld of %ld fails: %s on the image's digests", sc->what, k, n,
			   igos_sb_reason_str(v.reason));
		if (rc == 0 && want != IGOS_SB_PASS && v.reason == IGOS_SB_PASS)
			open_faults++;
	}
	if (open_faults)
		printf("# %s: %ld failed calls let the image through\n", sc->what, open_faults);
	fail_at = 0;
}

/* igos_sb_store_esl under each fault: "out of memory", or the store whole,
 * or cut short with the reason (the list a failed parse stops at is refused,
 * as a malformed one: never an entry lost silently). */
static void
store_faults(const char *what, const struct esl *e)
{
	struct igos_sb_store ref, st;
	long n;

	fail_at = 0;
	calls = 0;
	armed = 1;
	igos_sb_store_esl(&ref, "db", e->b, e->len);
	armed = 0;
	n = calls;
	OK(ref.n > 0 && !ref.bad[0], "%s: %zu entries without a fault, %ld calls", what, ref.n, n);
	for (long k = 1; k <= n; k++) {
		int rc, same = 1;

		fail_at = k;
		calls = 0;
		armed = 1;
		rc = igos_sb_store_esl(&st, "db", e->b, e->len);
		armed = 0;
		for (size_t i = 0; rc == 0 && i < st.n && i < ref.n; i++)
			if (st.s[i].kind != ref.s[i].kind || st.s[i].len != ref.s[i].len ||
			    (strcmp(st.s[i].subject, ref.s[i].subject) &&
			     strcmp(st.s[i].subject, "(a certificate that does not parse)")))
				same = 0;
		if (rc < 0)
			OK(!strcmp(igos_errmsg(), "out of memory"), "%s: call %ld of %ld fails: %s",
			   what, k, n, igos_errmsg());
		else
			OK(same && (st.bad[0] ? st.n < ref.n : st.n == ref.n),
			   "%s: call %ld of %ld fails: %zu entries%s%s", what, k, n, st.n,
			   st.bad[0] ? ", cut short: " : "", st.bad);
		igos_sb_store_free(&st);
	}
	fail_at = 0;
	igos_sb_store_free(&ref);
}

int
main(void)
{
	struct key A, B, C, L, M;
	struct image u, uo, sa, sb, sl;
	struct igos_sb_store db, dbx, dbxa, dbxc, dbc, dbu, mok, mokx, dbx1, vcert;
	struct esl e = {0};
	struct scene sc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	strcpy(keyfile, "/tmp/secboot-faults-XXXXXX");
	close(mkstemp(keyfile));
	unlink(keyfile);
	A = mkkey("unit A", 2048, NULL, 0, "codeSigning");
	helper = &A;
	B = mkkey("unit B", 2048, NULL, 0, "codeSigning");
	C = mkkey("unit CA", 2048, NULL, 1, NULL);
	L = mkkey("unit leaf", 2048, &C, 0, "codeSigning");
	M = mkkey("unit modsign", 2048, NULL, 0, "codeSigning,1.3.6.1.4.1.2312.16.1.2");
	OK(A.s && B.s && C.s && L.s && M.s, "keys and signers made");
	image_base(&u, 0, 0x11);
	image_base(&uo, 1, 0x11);
	image_base(&sa, 0, 0x22);
	sign(&sa, &A);
	image_base(&sb, 0, 0x22);
	sign(&sb, &B);
	image_base(&sl, 0, 0x22);
	sign(&sl, &L);

	/* stores */
	esl_cert(&e, &A);
	esl_cert(&e, &M);
	esl_hash(&e, &u, 0);
	esl_tbs(&e, &B, EVP_sha256(), guid_x509_sha256);
	store_faults("db of certificates and hashes", &e);
	free(e.b);
	e.b = NULL;
	e.len = 0;
	for (int i = 0; i < 33; i++)
		esl_cert(&e, &B);
	store_faults("db of 33 certificates", &e);
	free(e.b);
	e.b = NULL;
	e.len = 0;
	{
		struct igos_sb_store st;
		long n;

		fail_at = 0;
		calls = 0;
		armed = 1;
		igos_sb_store_cert(&st, "vendor", A.der, A.derlen);
		armed = 0;
		igos_sb_store_free(&st);
		n = calls;
		for (long k = 1; k <= n; k++) {
			int rc;

			fail_at = k;
			calls = 0;
			armed = 1;
			rc = igos_sb_store_cert(&st, "vendor", A.der, A.derlen);
			armed = 0;
			OK(rc < 0 ? !strcmp(igos_errmsg(), "out of memory") :
			   st.n == 1 && st.s[0].shim_uses && st.single,
			   "vendor_cert: call %ld of %ld fails: %s", k, n, rc < 0 ? igos_errmsg() :
			   st.s[0].subject);
			igos_sb_store_free(&st);
		}
		fail_at = 0;
	}

	/* judgements */
	esl_cert(&e, &A);
	store(&db, "db", &e);
	esl_cert(&e, &B);
	esl_tbs(&e, &B, EVP_sha256(), guid_x509_sha256);
	esl_tbs(&e, &B, EVP_sha384(), guid_x509_sha384);
	esl_tbs(&e, &B, EVP_sha512(), guid_x509_sha512);
	esl_hash(&e, &u, 0);
	store(&dbx, "dbx", &e);
	esl_tbs(&e, &A, EVP_sha512(), guid_x509_sha512);
	store(&dbxa, "dbx", &e);
	esl_tbs(&e, &C, EVP_sha384(), guid_x509_sha384);
	store(&dbxc, "dbx", &e);
	esl_cert(&e, &C);
	store(&dbc, "db", &e);
	esl_hash(&e, &uo, 1);
	store(&dbu, "db", &e);
	esl_cert(&e, &B);
	store(&mok, "MokListRT", &e);
	esl_cert(&e, &A);
	store(&mokx, "MokListXRT", &e);
	esl_add(&e, igos_guid_cert_sha1, "01234567890123456789", 20);
	store(&dbx1, "dbx", &e);
	igos_sb_store_cert(&vcert, "shim's vendor certificate", C.der, C.derlen);

	sc = (struct scene){ "firmware, signer in db", &sa, 0, &db, &dbx, {0} };
	faults(&sc, IGOS_SB_PASS);
	sc = (struct scene){ "firmware, signer's TBS hash in dbx", &sa, 0, &db, &dbxa, {0} };
	faults(&sc, IGOS_SB_REVOKED_CERT);
	sc = (struct scene){ "firmware, issuer in db, its TBS hash in dbx", &sl, 0, &dbc, &dbxc, {0} };
	faults(&sc, IGOS_SB_UNTRUSTED);
	sc = (struct scene){ "firmware, signer in dbx and its TBS hashes", &sb, 0, &db, &dbx, {0} };
	faults(&sc, IGOS_SB_REVOKED_CERT);
	sc = (struct scene){ "firmware, unsigned, hash in db", &uo, 0, &dbu, &dbx, {0} };
	faults(&sc, IGOS_SB_PASS);
	sc = (struct scene){ "shim, signer in MokList, SHA-1 in dbx", &sb, 1, NULL, NULL,
			     { .db = &db, .dbx = &dbx1, .mok = &mok } };
	faults(&sc, IGOS_SB_PASS);
	sc = (struct scene){ "shim, signer in MokListX", &sa, 1, NULL, NULL,
			     { .db = &db, .mokx = &mokx } };
	faults(&sc, IGOS_SB_REVOKED_CERT);
	sc = (struct scene){ "shim, issued by the vendor certificate", &sl, 1, NULL, NULL,
			     { .db = &db, .vendor_cert = &vcert } };
	faults(&sc, IGOS_SB_PASS);

	igos_sb_store_free(&db);
	igos_sb_store_free(&dbx);
	igos_sb_store_free(&dbxa);
	igos_sb_store_free(&dbxc);
	igos_sb_store_free(&dbc);
	igos_sb_store_free(&dbu);
	igos_sb_store_free(&mok);
	igos_sb_store_free(&mokx);
	igos_sb_store_free(&dbx1);
	igos_sb_store_free(&vcert);
	key_free(&A);
	key_free(&B);
	key_free(&C);
	key_free(&L);
	key_free(&M);
	return DONE();
}
