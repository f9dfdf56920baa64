/* lib/pcrsig.c out of memory: every allocation the .pcrsig code asks for
 * (malloc and calloc of libigos, and the json-c calls that allocate, wrapped
 * at link time: mk/measure.mk) fails in turn while a .pcrsig is built, parsed
 * and written back, verified, joined from signatures made elsewhere and signed
 * from policy digests. Each call either gives what it gives with memory to
 * spare, byte for byte, or fails with an out-of-memory message: never a
 * crash, a .pcrsig missing an entry or a field, or a verify that names the
 * wrong phase. OpenSSL's and json-c's own allocations are left alone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "pcr.h"
#include "unit.h"

static long fail_at, calls, parsers;

static int
failing(void)
{
	return fail_at != 0 && ++calls == fail_at;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
json_object *__real_json_object_new_object(void);
json_object *__real_json_object_new_array(void);
int __real_json_object_object_add(json_object *o, const char *k, json_object *v);
int __real_json_object_array_add(json_object *a, json_object *v);
struct json_tokener *__real_json_tokener_new_ex(int depth);
const char *__real_json_object_to_json_string_ext(json_object *o, int flags);

void *
__wrap_malloc(size_t n)
{
	if (failing()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t m)
{
	if (failing()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, m);
}

json_object *
__wrap_json_object_new_object(void)
{
	return failing() ? NULL : __real_json_object_new_object();
}

json_object *
__wrap_json_object_new_array(void)
{
	return failing() ? NULL : __real_json_object_new_array();
}

/* json-c leaves v with the caller when the add fails */
int
__wrap_json_object_object_add(json_object *o, const char *k, json_object *v)
{
	return failing() ? -1 : __real_json_object_object_add(o, k, v);
}

int
__wrap_json_object_array_add(json_object *a, json_object *v)
{
	return failing() ? -1 : __real_json_object_array_add(a, v);
}

struct json_tokener *
__wrap_json_tokener_new_ex(int depth)
{
	struct json_tokener *t = failing() ? NULL : __real_json_tokener_new_ex(depth);

	parsers += t != NULL;
	return t;
}

void __real_json_tokener_free(struct json_tokener *t);

/* counts the parsers alive: a parse, good or refused, leaves none */
void
__wrap_json_tokener_free(struct json_tokener *t)
{
	parsers -= t != NULL;
	__real_json_tokener_free(t);
}

const char *
__wrap_json_object_to_json_string_ext(json_object *o, int flags)
{
	return failing() ? NULL : __real_json_object_to_json_string_ext(o, flags);
}

static char *
copy_str(const char *s)
{
	char *d = __real_malloc(strlen(s) + 1);

	return d ? strcpy(d, s) : NULL;
}

#define UNIT_SIGN_MALLOC __real_malloc
#include "unit-pcrsign.h"

static struct igos_pcr_input in;
static EVP_PKEY *key;
static struct igos_signer *signer;
static struct igos_pcrsig signed_ps, digests_ps;
static const unsigned banks = 1u << IGOS_BANK_SHA1 | 1u << IGOS_BANK_SHA256;
static const char *const phases[] = { "enter-initrd", "sysinit", "enter-initrd", "" };

/* What a failed allocation may say. A 'sig' whose base64 cannot be decoded
 * for want of memory reads as invalid base64 (igos_base64_decode returns
 * NULL for both): known, and the parse still fails. */
static int
oom_message(const char *m)
{
	return strcmp(m, "cannot build the .pcrsig JSON: out of memory") == 0 ||
	       strcmp(m, "out of memory") == 0 ||
	       strcmp(m, "cannot allocate: Cannot allocate memory") == 0 ||
	       strcmp(m, "cannot allocate a JSON parser") == 0 ||
	       strncmp(m, "signing failed", 14) == 0 ||
	       (strstr(m, " entry ") && strstr(m, ": 'sig' is not valid base64"));
}

static char *
build_signed(void)
{
	return igos_pcrsig_build(&in, banks, phases, 4, key, sign_cb, key);
}

static char *
build_digests(void)
{
	return igos_pcrsig_build(&in, banks, NULL, 0, NULL, NULL, NULL);
}

/* parse the signed .pcrsig and write it back */
static char *
reformat(void)
{
	struct igos_pcrsig ps;
	char *json = build_signed(), *out = NULL;

	if (json && igos_pcrsig_parse(&ps, json, strlen(json)) == 0) {
		out = igos_pcrsig_format(&ps);
		igos_pcrsig_free(&ps);
	}
	free(json);
	return out;
}

/* verify, and which phase each entry matched */
static char *
verify(void)
{
	size_t matched[16];
	char line[64] = "";

	if (igos_pcrsig_verify(&signed_ps, &in, phases, 4, key, matched) < 0)
		return NULL;
	for (size_t i = 0; i < signed_ps.n; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%zu", matched[i]);
	return copy_str(line);
}

static char *
join(void)
{
	return igos_pcrsig_join(&in, banks, phases, 4, key, &signed_ps);
}

static char *
sign_digests(void)
{
	return igos_pcrsig_sign_digests(&digests_ps, signer);
}

/* n bytes of spaces (no NUL, not JSON) without n bytes of memory: one
 * 1 MiB piece mapped over and over; NULL when that cannot be had */
static char *
spaces(size_t n)
{
	const size_t piece = 1u << 20;
	size_t total = (n + piece - 1) / piece * piece;
	int fd = memfd_create("spaces", 0);
	char *base = MAP_FAILED, *p;

	if (fd < 0 || ftruncate(fd, (off_t)piece) < 0)
		goto out;
	p = mmap(NULL, piece, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto out;
	memset(p, ' ', piece);
	munmap(p, piece);
	base = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t off = 0; base != MAP_FAILED && off < total; off += piece)
		if (mmap(base + off, piece, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
			munmap(base, total);
			base = MAP_FAILED;
		}
out:
	if (fd >= 0)
		close(fd);
	return base == MAP_FAILED ? NULL : base;
}

/* The 2 GiB limit of the parser (json-c counts in int): its first allocation
 * fails, so that a text it takes stops there with "cannot allocate". */
static void
too_long(void)
{
	const size_t max = (size_t)INT32_MAX - 1;
	char *big = spaces(max + 1);
	struct igos_pcrsig ps;
	int r1, r2;
	char m1[128], m2[128];

	if (!big) {
		OK(0, "2 GiB of spaces mapped for the length limit");
		return;
	}
	calls = 0;
	fail_at = 1;
	r1 = igos_pcrsig_parse(&ps, big, max + 1);
	snprintf(m1, sizeof(m1), "%s", igos_errmsg());
	calls = 0;
	r2 = igos_pcrsig_parse(&ps, big, max);
	snprintf(m2, sizeof(m2), "%s", igos_errmsg());
	fail_at = 0;
	OK(r1 < 0 && strcmp(m1, "not JSON: too long") == 0,
	   "a text of 2^31 - 1 bytes is too long for json-c, refused before any allocation");
	OK(r2 < 0 && strcmp(m2, "cannot allocate: Cannot allocate memory") == 0,
	   "one of 2^31 - 2 bytes is taken (and goes on to allocate its copy)");
	munmap(big, (max + 1 + (1u << 20) - 1) / (1u << 20) * (1u << 20));
}

static void
oom(const char *what, char *(*fn)(void))
{
	char *want, *got;
	long tried = 0, bad = 0;

	fail_at = 0;
	want = fn();
	for (long n = 1; want; n++) {
		igos_seterr("no message");
		calls = 0;
		fail_at = n;
		got = fn();
		fail_at = 0;
		if (calls < n) {
			/* every allocation got past: the plain result again */
			bad += got == NULL || strcmp(got, want) != 0;
			free(got);
			break;
		}
		tried++;
		if (got ? strcmp(got, want) != 0 : !oom_message(igos_errmsg())) {
			printf("# %s, allocation %ld failing: %s\n", what, n,
			       got ? "a different result" : igos_errmsg());
			bad++;
		}
		free(got);
	}
	OK(want && tried > 0 && bad == 0,
	   "%s: each of its %ld allocations failing in turn gives the same result or "
	   "an out-of-memory error", what, tried);
	free(want);
}

int
main(void)
{
	char path[] = "/tmp/pcrsig-oom-XXXXXX", *json;
	int fd;
	FILE *f;

	key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	igos_pcr_input_init(&in, banks);
	igos_pcr_input_set(&in, IGOS_SEC_LINUX, "kernel", 6);
	igos_pcr_input_set(&in, IGOS_SEC_OSREL, "ID=igos\n", 8);

	/* a file key for the signer (0600 by mkstemp) */
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	OK(f && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) && fclose(f) == 0 &&
	   (signer = igos_signer_open(path, NULL)) != NULL, "a file key signer");
	unlink(path);

	json = build_signed();
	OK(json && igos_pcrsig_parse(&signed_ps, json, strlen(json)) == 0 && signed_ps.n == 6,
	   "a signed .pcrsig of 3 phases in 2 banks");
	{
		char *viasigner = signer ? igos_pcrsig_build_signer(&in, banks, phases, 4, signer) : NULL;

		OK(json && viasigner && strcmp(json, viasigner) == 0,
		   "the same .pcrsig built with the file key's signer");
		free(viasigner);
	}
	free(json);
	{
		/* an EC file key: refused on both ways of signing */
		char ecpath[] = "/tmp/pcrsig-oom-XXXXXX";
		EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		struct igos_signer *es = NULL;
		struct igos_pcrsig none = { 0 };
		int efd = mkstemp(ecpath);
		FILE *ef = efd >= 0 ? fdopen(efd, "w") : NULL;

		if (ef && PEM_write_PrivateKey(ef, ec, NULL, NULL, 0, NULL, NULL) && fclose(ef) == 0)
			es = igos_signer_open(ecpath, NULL);
		unlink(ecpath);
		OK(es && igos_pcrsig_build_signer(&in, banks, phases, 4, es) == NULL &&
		   strcmp(igos_errmsg(), "a PCR policy needs an RSA key: systemd's TPM-side check "
			  "uses RSASSA") == 0 &&
		   igos_pcrsig_sign_digests(&none, es) == NULL &&
		   strcmp(igos_errmsg(), "a PCR policy needs an RSA key: systemd's TPM-side check "
			  "uses RSASSA") == 0, "an EC signer is refused, building and signing digests");
		OK(es && igos_pcrsig_build_signer(&in, 0, phases, 4, es) == NULL &&
		   strcmp(igos_errmsg(), "a PCR policy needs an RSA key: systemd's TPM-side check "
			  "uses RSASSA") == 0, "... the key refused first, before the banks asked for");
		igos_signer_free(es);
		EVP_PKEY_free(ec);
	}
	json = build_digests();
	OK(json && igos_pcrsig_parse_ex(&digests_ps, json, strlen(json),
					IGOS_PCRSIG_PKFP_OPTIONAL | IGOS_PCRSIG_SIG_OPTIONAL) == 0 &&
	   digests_ps.n == 8, "policy digests of the 4 default phases in 2 banks");
	free(json);

	too_long();
	{
		struct igos_pcrsig ps;
		long before = parsers;
		int r1 = igos_pcrsig_parse(&ps, "{\"sha256\":[]}", 13);
		int r2 = igos_pcrsig_parse(&ps, "{", 1);

		OK(r1 < 0 && r2 < 0 && parsers == before,
		   "a refused .pcrsig leaves no JSON parser behind");
	}
	oom("build with signatures", build_signed);
	oom("build policy digests", build_digests);
	oom("parse and write back", reformat);
	{
		long before = parsers;
		char *out = reformat();

		OK(out && parsers == before, "a parsed .pcrsig leaves no JSON parser behind");
		free(out);
	}
	oom("verify", verify);
	oom("join", join);
	if (signer)
		oom("sign policy digests", sign_digests);

	igos_pcrsig_free(&signed_ps);
	igos_pcrsig_free(&digests_ps);
	igos_signer_free(signer);
	EVP_PKEY_free(key);
	return DONE();
}
