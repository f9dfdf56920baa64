/*
 * igos-sbkeys: the owner's own Secure Boot keys. Makes the PK, KEK and db
 * keys, the signature lists and authenticated updates (the same bytes as
 * efitools'), enrolls them in Setup Mode after checking that the drivers this
 * machine loads would still be trusted, applies dbx updates that leave the
 * ESP bootable, and shows what is enrolled.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <spawn.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "igos.h"
#include "efivar.h"
#include "sbvar.h"
#include "authenticode.h"
#include "request.h"
#include "secboot.h"
#include "tpmlog.h"

#define PROG "igos-sbkeys"
#define EFIVARS_DEFAULT "/sys/firmware/efi/efivars"
#define EVENTLOG_DEFAULT "/sys/kernel/security/tpm0/binary_bios_measurements"
#define INPUT_MAX (64u << 20)
#define IMAGE_MAX (256u << 20)

/* Microsoft's SignatureOwner in db and KEK (77fa9abd-0359-4d32-bd60-28f4e78f784b) */
static const unsigned char guid_microsoft[16] = {
	0xbd, 0x9a, 0xfa, 0x77, 0x59, 0x03, 0x32, 0x4d,
	0xbd, 0x60, 0x28, 0xf4, 0xe7, 0x8f, 0x78, 0x4b };

enum {
	OPT_EFIVARS = 256, OPT_PINFILE, OPT_FORCE, OPT_DAYS, OPT_BITS, OPT_SUBJECT, OPT_PK,
	OPT_KEK, OPT_DB, OPT_MS, OPT_MSCERT, OPT_EVENTLOG, OPT_FORCE_DRIVERS, OPT_ADD_DRIVERS,
	OPT_ESP, OPT_REPLACE, OPT_HASH, OPT_REQUEST_OUT,
};

static const char *efivars = EFIVARS_DEFAULT;
static const char *pinfile;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " new -d DIR [-g GUID] [--subject NAME] [--bits N] [--days N]\n"
	    "         [--pk-key REF] [--kek-key REF] [--db-key REF] [--pin-file FILE] [--force]\n"
	    "       " PROG " esl [-g GUID] [--hash] -o OUT.esl CERT|IMAGE...\n"
	    "       " PROG " auth [-g GUID] [-t 'YYYY-MM-DD HH:MM:SS'] -k KEY -c CERT [-a]\n"
	    "         [--pin-file FILE] VAR IN.esl -o OUT.auth\n"
	    "       " PROG " auth [-g GUID] [-t 'YYYY-MM-DD HH:MM:SS'] -c CERT [-a]\n"
	    "         --request-out REQ VAR IN.esl\n"
	    "       " PROG " attach -r REQ -s SIG -o OUT.auth IN.esl\n"
	    "       " PROG " enroll -d DIR [--microsoft] [--microsoft-cert CERT]...\n"
	    "         [--event-log FILE] [--add-driver-hashes] [--force-drivers]\n"
	    "         [-t TIME] [--efivars DIR] [--pin-file FILE]\n"
	    "       " PROG " dbx [--esp DIR] [--efivars DIR] [--replace] [--force]\n"
	    "         [-k KEK -c CERT [-t TIME] [--pin-file FILE]] UPDATE.auth|LIST.esl\n"
	    "       " PROG " rotate db|KEK -d OLDDIR -n NEWDIR [--esp DIR] [-t TIME]\n"
	    "         [--efivars DIR] [--pin-file FILE]\n"
	    "       " PROG " status [--efivars DIR]\n"
	    "       " PROG " list [--efivars DIR] [PK|KEK|db|dbx]...\n"
	    "       " PROG " -h | -V\n"
	    "Long forms: -d --dir, -n --new, -g --guid, -o --output, -t --time, -k --key,\n"
	    "-c --cert, -a --append, -r --request, -s --signature, -h --help, -V --version,\n"
	    "-v --verbose (the OpenSSL queue).\n"
	    "The owner's own Secure Boot keys: make them, sign updates, enroll them,\n"
	    "apply dbx updates, show what is enrolled.\n");
}

static int
common_opt(int c)
{
	switch (c) {
	case 'h': case 'V': case 'v':
		return 1;
	}
	return 0;
}

/* ---- small helpers ------------------------------------------------------- */

/* snprintf into a path buffer; a path too long is an error, never cut */
#define PATHF(buf, ...) do { \
	int n_ = snprintf(buf, sizeof(buf), __VA_ARGS__); \
	if (n_ < 0 || (size_t)n_ >= sizeof(buf)) \
		igos_die("path too long"); \
} while (0)

static void
read_input(struct igos_buf *b, const char *path, size_t max)
{
	if (igos_buf_read(b, path, max) < 0)
		igos_die_lib();
}

static void
subject_of(X509 *x, char *out, size_t size)
{
	char *s = x ? X509_NAME_oneline(X509_get_subject_name(x), NULL, 0) : NULL;
	char *e = s ? igos_escape(s, strlen(s), 0) : NULL;

	snprintf(out, size, "%s", e ? e : "(no subject)");
	free(e);
	OPENSSL_free(s);
}

static X509 *
cert_load(const char *ref)
{
	X509 *x = igos_cert_load(ref);

	if (x == NULL)
		igos_die_lib();
	return x;
}

static unsigned char *
cert_der(X509 *x, size_t *len)
{
	unsigned char *d = NULL;
	int n = i2d_X509(x, &d);

	if (n <= 0)
		igos_die("cannot encode a certificate");
	*len = (size_t)n;
	return d;
}

static struct igos_signer *
signer_open(const char *ref)
{
	struct igos_signer_opts o;
	struct igos_signer *s;

	memset(&o, 0, sizeof(o));
	o.pin_file = pinfile;
	if ((s = igos_signer_open(ref, &o)) == NULL)
		igos_die_lib();
	return s;
}

static void
parse_time(const char *t, unsigned char out[IGOS_EFI_TIME_SIZE])
{
	if (t == NULL) {
		if (igos_efi_time_from((long long)time(NULL), out) < 0)
			igos_die_lib();
	} else if (igos_efi_time_parse(t, out) < 0) {
		igos_usage_err("%s", igos_errmsg());
	}
}

static void
write_out(const char *path, const void *d, size_t n, mode_t mode)
{
	if (igos_write_atomic(path, d, n, mode, 0) < 0)
		igos_die_lib();
}

/* A whole input that must be signature lists (or nothing). */
static void
check_esl(const char *what, const unsigned char *d, size_t n)
{
	struct igos_esl_entry *e;
	size_t k;

	if (igos_esl_parse(d, n, &e, &k) < 0)
		igos_die("'%s': %s", what, igos_errmsg());
	free(e);
}

/* ---- new ----------------------------------------------------------------- */

static X509_NAME *
cn_name(const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	if (n == NULL || !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
						     (const unsigned char *)cn, -1, -1, 0))
		igos_die("bad --subject");
	return n;
}

static void
make_key(const char *dir, const char *base, const char *ref, const char *cn, unsigned bits,
	 int days, int force)
{
	char kpath[4096], cpath[4096];
	struct igos_signer *s = NULL;
	EVP_PKEY *pkey = NULL;
	struct igos_out ko;
	X509_NAME *name = cn_name(cn);
	X509 *x;
	BIO *mem;
	char *p;
	long plen;
	int flags = IGOS_OUT_NOFOLLOW | (force ? 0 : IGOS_OUT_EXCL);

	PATHF(kpath, "%s/%s.key", dir, base);
	PATHF(cpath, "%s/%s.crt", dir, base);
	if (ref) {
		s = signer_open(ref);
		if (igos_signer_type(s) != IGOS_KEY_RSA)
			igos_die("'%s': not an RSA key (firmware verifies RSA only)", ref);
		pkey = igos_signer_pubkey(s);
	} else {
		if (igos_out_open(&ko, kpath, 0600, flags) < 0) {
			if (errno == EEXIST)
				igos_die("%s (--force replaces it)", igos_errmsg());
			igos_die_lib();
		}
		if ((pkey = EVP_RSA_gen(bits)) == NULL) {
			igos_seterr_ssl("cannot generate an RSA-%u key", bits);
			igos_die_lib();
		}
	}
	if ((x = igos_cert_selfsigned(name, pkey, s, days, "codeSigning")) == NULL)
		igos_die_lib();
	if ((mem = BIO_new(BIO_s_mem())) == NULL || !PEM_write_bio_X509(mem, x))
		igos_die("cannot encode the certificate");
	plen = BIO_get_mem_data(mem, &p);
	if (igos_write_atomic(cpath, p, (size_t)plen, 0644, flags) < 0) {
		if (errno == EEXIST)
			igos_die("%s (--force replaces it)", igos_errmsg());
		igos_die_lib();
	}
	BIO_free(mem);
	if (!ref) {
		if ((mem = BIO_new(BIO_s_secmem())) == NULL ||
		    !PEM_write_bio_PrivateKey(mem, pkey, NULL, NULL, 0, NULL, NULL))
			igos_die("cannot encode the private key");
		plen = BIO_get_mem_data(mem, &p);
		if (igos_out_write(&ko, p, (size_t)plen) < 0 || igos_out_commit(&ko) < 0)
			igos_die_lib();
		BIO_free(mem);
		EVP_PKEY_free(pkey);
	} else {
		/* the token key stays on the token: a file naming it stands for it */
		size_t rl = strlen(ref);
		char *line = malloc(rl + 2);

		if (line == NULL)
			igos_die("out of memory");
		memcpy(line, ref, rl);
		line[rl] = '\n';
		PATHF(kpath, "%s/%s.uri", dir, base);
		if (igos_write_atomic(kpath, line, rl + 1, 0600, flags) < 0)
			igos_die_lib();
		free(line);
		igos_signer_free(s);
	}
	X509_free(x);
	X509_NAME_free(name);
}

static int
cmd_new(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "guid", required_argument, NULL, 'g' },
		{ "subject", required_argument, NULL, OPT_SUBJECT },
		{ "bits", required_argument, NULL, OPT_BITS },
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "pk-key", required_argument, NULL, OPT_PK },
		{ "kek-key", required_argument, NULL, OPT_KEK },
		{ "db-key", required_argument, NULL, OPT_DB },
		{ "pin-file", required_argument, NULL, OPT_PINFILE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *guid_s = NULL, *subject = NULL, *bits_s = NULL, *days_s = NULL,
		   *pk = NULL, *kek = NULL, *db = NULL;
	unsigned char g[16];
	char gs[37], cn[512], host[256], path[4096];
	uint64_t bits = 2048, days = 3650;
	int c, force = 0;

	while ((c = igos_getopt(argc, argv, "d:g:hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		switch (c) {
		case 'd': igos_opt_once(&dir, optarg); break;
		case 'g': igos_opt_once(&guid_s, optarg); break;
		case OPT_SUBJECT: igos_opt_once(&subject, optarg); break;
		case OPT_BITS: igos_opt_once(&bits_s, optarg); break;
		case OPT_DAYS: igos_opt_once(&days_s, optarg); break;
		case OPT_PK: igos_opt_once(&pk, optarg); break;
		case OPT_KEK: igos_opt_once(&kek, optarg); break;
		case OPT_DB: igos_opt_once(&db, optarg); break;
		case OPT_PINFILE: igos_opt_once(&pinfile, optarg); break;
		case OPT_FORCE: igos_flag_once(&force); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (optind != argc)
		igos_usage_err("new takes no operands");
	if (dir == NULL)
		igos_usage_err("new needs -d DIR");
	if (bits_s && (igos_parse_u64(bits_s, &bits) < 0 ||
		       (bits != 2048 && bits != 3072 && bits != 4096)))
		igos_usage_err("--bits must be 2048, 3072 or 4096");
	if (days_s && (igos_parse_u64(days_s, &days) < 0 || days < 1 || days > 100000))
		igos_usage_err("--days must be a number of days from 1 to 100000");
	if (guid_s) {
		if (igos_guid_parse(guid_s, g) < 0)
			igos_usage_err("%s", igos_errmsg());
	} else {
		if (getrandom(g, 16, 0) != 16)
			igos_die("cannot get random bytes: %s", strerror(errno));
		g[7] = (unsigned char)((g[7] & 0x0f) | 0x40); /* version 4 (stored LE) */
		g[8] = (unsigned char)((g[8] & 0x3f) | 0x80);
	}
	igos_guid_str(g, gs);
	if (subject == NULL) {
		if (gethostname(host, sizeof(host)) < 0 || host[0] == '\0')
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		subject = host;
	}
	if (*subject == '\0' || strlen(subject) > 200)
		igos_usage_err("--subject must be 1 to 200 characters");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		igos_die("cannot create '%s': %s", dir, strerror(errno));
	PATHF(path, "%s/GUID", dir);
	{
		char line[40];

		snprintf(line, sizeof(line), "%s\n", gs);
		if (igos_write_atomic(path, line, 37, 0644,
				      IGOS_OUT_NOFOLLOW | (force ? 0 : IGOS_OUT_EXCL)) < 0) {
			if (errno == EEXIST)
				igos_die("%s (--force replaces it)", igos_errmsg());
			igos_die_lib();
		}
	}
	snprintf(cn, sizeof(cn), "%s Platform Key", subject);
	make_key(dir, "PK", pk, cn, (unsigned)bits, (int)days, force);
	snprintf(cn, sizeof(cn), "%s Key Exchange Key", subject);
	make_key(dir, "KEK", kek, cn, (unsigned)bits, (int)days, force);
	snprintf(cn, sizeof(cn), "%s Signature Database Key", subject);
	make_key(dir, "db", db, cn, (unsigned)bits, (int)days, force);
	printf("%s\n", gs);
	return 0;
}

/* ---- esl ----------------------------------------------------------------- */

static void
image_hash(const char *path, unsigned char h[32])
{
	struct igos_buf b;
	struct igos_sb_image im;

	read_input(&b, path, IMAGE_MAX);
	if (igos_sb_image_init(&im, b.data, b.len) < 0)
		igos_die("'%s': %s", path, igos_errmsg());
	if (!im.pe_ok)
		igos_die("'%s': %s", path, im.pe_err);
	if (igos_sb_image_hash(&im, 0) < 0)
		igos_die("'%s': %s", path, igos_errmsg());
	/* as EDK2 looks an unsigned image up in db and dbx */
	memcpy(h, im.sha256_fw, 32);
	igos_buf_free(&b);
}

static int
cmd_esl(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "guid", required_argument, NULL, 'g' },
		{ "output", required_argument, NULL, 'o' },
		{ "hash", no_argument, NULL, OPT_HASH },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *guid_s = NULL, *out = NULL;
	unsigned char g[16] = { 0 }, *buf = NULL;
	size_t len = 0;
	int c, hash = 0;

	while ((c = igos_getopt(argc, argv, "g:o:hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		switch (c) {
		case 'g': igos_opt_once(&guid_s, optarg); break;
		case 'o': igos_opt_once(&out, optarg); break;
		case OPT_HASH: igos_flag_once(&hash); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (out == NULL)
		igos_usage_err("esl needs -o OUT.esl");
	if (optind == argc)
		igos_usage_err("esl needs at least one %s", hash ? "image" : "certificate");
	if (guid_s && igos_guid_parse(guid_s, g) < 0)
		igos_usage_err("%s", igos_errmsg());
	/* without -g, the owner efitools writes: zero for certificates,
	 * shim's GUID for hashes (hash-to-efi-sig-list has no -g) */
	if (guid_s == NULL && hash)
		memcpy(g, igos_guid_shim, 16);
	if (hash) {
		size_t n = (size_t)(argc - optind);
		unsigned char (*h)[32] = calloc(n, 32);

		if (h == NULL)
			igos_die("out of memory");
		for (size_t i = 0; i < n; i++)
			image_hash(argv[optind + (int)i], h[i]);
		if (igos_esl_append_sha256(&buf, &len, g, (const unsigned char (*)[32])h, n) < 0)
			igos_die_lib();
		free(h);
	} else {
		for (int i = optind; i < argc; i++) {
			X509 *x = cert_load(argv[i]);
			size_t dl;
			unsigned char *d = cert_der(x, &dl);

			if (igos_esl_append(&buf, &len, igos_guid_cert_x509, g, d, dl) < 0)
				igos_die_lib();
			OPENSSL_free(d);
			X509_free(x);
		}
	}
	write_out(out, buf, len, 0644);
	free(buf);
	return 0;
}

/* ---- auth ---------------------------------------------------------------- */

static const unsigned char *
var_guid(const char *var, const char *guid_s, unsigned char g[16])
{
	const unsigned char *std = igos_sbvar_guid(var);

	if (guid_s) {
		if (igos_guid_parse(guid_s, g) < 0)
			igos_usage_err("%s", igos_errmsg());
		if (std && memcmp(std, g, 16) != 0)
			igos_usage_err("-g: %s belongs to its own GUID, not %s", var, guid_s);
		return g;
	}
	if (std == NULL)
		igos_usage_err("'%s' is not PK, KEK, db, dbx, dbt or dbr: give its GUID with -g",
			       var);
	return std;
}

static unsigned char *
sign_update(const char *keyref, const char *certref, const char *var,
	    const unsigned char *guid, uint32_t attr, const unsigned char *tm,
	    const unsigned char *d, size_t n, size_t *outlen)
{
	struct igos_signer *s = signer_open(keyref);
	X509 *x = cert_load(certref);
	unsigned char *a;

	if (igos_cert_matches(x, s) < 0)
		igos_die("'%s' is not the certificate of '%s'", certref, keyref);
	if ((a = igos_sbvar_auth(s, x, var, guid, attr, tm, d, n, outlen)) == NULL)
		igos_die_lib();
	X509_free(x);
	igos_signer_free(s);
	return a;
}

/* ---- signing in two rooms (igos-sign sign-request signs the request) ---- */

/* The request for the update of var with the list d[0..n) read from path,
 * signed with x's key. */
static void
auth_request(struct igos_req *r, X509 *x, const char *path, const char *var,
	     const unsigned char *guid, uint32_t attr, const unsigned char *tm,
	     const unsigned char *d, size_t n)
{
	const char *base = strrchr(path, '/');
	unsigned char h[32];

	memset(r, 0, sizeof(*r));
	base = base ? base + 1 : path;
	if (strlen(base) >= sizeof(r->file))
		igos_die("'%s': file name too long for a request", path);
	if (strlen(var) > IGOS_REQ_MAX_VAR)
		igos_die("'%s': variable name too long for a request", var);
	strcpy(r->file, base);
	strcpy(r->var, var);
	r->kind = IGOS_REQ_EFIAUTH;
	r->size = n;
	memcpy(r->guid, guid, 16);
	r->attr = attr;
	memcpy(r->time, tm, IGOS_EFI_TIME_SIZE);
	if (igos_digest(EVP_sha256(), d, n, r->sha256) < 0 ||
	    igos_sbvar_digest(var, guid, attr, tm, d, n, h) < 0 || igos_req_set_cert(r, x) < 0 ||
	    igos_req_add_item(r, EVP_sha256(), h, 32) < 0)
		igos_die_lib();
}

/* Whether d[0..n) is the PKCS#7 sign-request makes for r: its one signature
 * value is the request's key's over what r asks to sign, and every other
 * byte is what auth -k would write around it (so that a certificate or an
 * attribute slipped in is refused, not carried into the variable). */
static void
sig_check(const struct igos_req *r, X509 *x, const char *path, const unsigned char *d, size_t n)
{
	const unsigned char *p = d;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)n);
	STACK_OF(PKCS7_SIGNER_INFO) *sis;
	PKCS7_SIGNER_INFO *si;
	unsigned char *want = NULL;
	size_t wlen = 0;
	int ok;

	if (p7 == NULL || p != d + n || !PKCS7_type_is_signed(p7) ||
	    (sis = PKCS7_get_signer_info(p7)) == NULL || sk_PKCS7_SIGNER_INFO_num(sis) != 1)
		igos_die("'%s': not a PKCS#7 signature with one signer", path);
	si = sk_PKCS7_SIGNER_INFO_value(sis, 0);
	if (igos_req_verify_item(r, 0, ASN1_STRING_get0_data(si->enc_digest),
				 (size_t)ASN1_STRING_length(si->enc_digest)) < 0)
		igos_die("'%s': not a signature of the %s update by the request's key", path,
			 r->var);
	want = igos_pkcs7_from_sig(x, EVP_sha256(), r->item[0].data, IGOS_SBVAR_P7_FLAGS,
				   ASN1_STRING_get0_data(si->enc_digest),
				   (size_t)ASN1_STRING_length(si->enc_digest), &wlen);
	if (want == NULL)
		igos_die("'%s': %s", path, igos_errmsg());
	ok = wlen == n && memcmp(want, d, n) == 0;
	free(want);
	PKCS7_free(p7);
	ERR_clear_error();
	if (!ok)
		igos_die("'%s': the signature is right but the PKCS#7 around it is not the one "
			 "sign-request makes", path);
}

/* The signature made on the token for a request, checked against the
 * request and the list, and the update written as auth -k would write it. */
static int
cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "request", required_argument, NULL, 'r' },
		{ "signature", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *req = NULL, *sig = NULL, *out = NULL, *esl;
	struct igos_buf rb, sb, b;
	struct igos_req r;
	unsigned char *bundle, *a;
	size_t blen, alen;
	X509 *x;
	int c;

	while ((c = igos_getopt(argc, argv, "r:s:o:hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		switch (c) {
		case 'r': igos_opt_once(&req, optarg); break;
		case 's': igos_opt_once(&sig, optarg); break;
		case 'o': igos_opt_once(&out, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (argc - optind != 1)
		igos_usage_err("attach takes IN.esl");
	if (req == NULL || sig == NULL || out == NULL)
		igos_usage_err("attach needs -r REQ, -s SIG and -o OUT.auth");
	esl = argv[optind];
	read_input(&rb, req, IGOS_REQ_MAX);
	if (igos_req_parse(&r, rb.data, rb.len) < 0)
		igos_die("'%s': %s", req, igos_errmsg());
	if (r.kind != IGOS_REQ_EFIAUTH)
		igos_die("'%s': not an efi-auth request (%s)", req, igos_req_kind_name(r.kind));
	read_input(&b, esl, INPUT_MAX);
	if (igos_req_check_file(&r, esl, b.data, b.len) < 0)
		igos_die_lib();
	check_esl(esl, b.data, b.len);
	/* what the request asks to sign must be this list's update */
	if ((bundle = igos_sbvar_bundle(r.var, r.guid, r.attr, r.time, b.data, b.len,
					&blen)) == NULL)
		igos_die_lib();
	{
		unsigned char h[32];

		if (igos_digest(EVP_sha256(), bundle, blen, h) < 0)
			igos_die_lib();
		if (memcmp(h, r.item[0].data, 32) != 0)
			igos_die("'%s': the request does not ask for the update of %s with '%s'",
				 req, r.var, esl);
	}
	read_input(&sb, sig, 1024 * 1024);
	if ((x = igos_req_cert(&r)) == NULL)
		igos_die("'%s': %s", req, igos_errmsg());
	sig_check(&r, x, sig, sb.data, sb.len);
	if ((a = igos_sbvar_auth_wrap(sb.data, sb.len, r.time, b.data, b.len, &alen)) == NULL)
		igos_die("'%s': %s", sig, igos_errmsg());
	write_out(out, a, alen, 0644);
	free(a);
	free(bundle);
	X509_free(x);
	igos_buf_free(&sb);
	igos_buf_free(&b);
	igos_buf_free(&rb);
	igos_req_free(&r);
	return 0;
}

static int
cmd_auth(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "guid", required_argument, NULL, 'g' },
		{ "time", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "append", no_argument, NULL, 'a' },
		{ "output", required_argument, NULL, 'o' },
		{ "pin-file", required_argument, NULL, OPT_PINFILE },
		{ "request-out", required_argument, NULL, OPT_REQUEST_OUT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *guid_s = NULL, *tstr = NULL, *key = NULL, *cert = NULL, *out = NULL;
	const char *reqout = NULL;
	unsigned char g[16], tm[IGOS_EFI_TIME_SIZE], *a;
	const unsigned char *guid;
	uint32_t attr = IGOS_EFI_NV | IGOS_EFI_BS | IGOS_EFI_RT | IGOS_EFI_TIME_AUTH;
	struct igos_buf b;
	size_t alen;
	int c, append = 0;

	while ((c = igos_getopt(argc, argv, "g:t:k:c:ao:hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		switch (c) {
		case 'g': igos_opt_once(&guid_s, optarg); break;
		case 't': igos_opt_once(&tstr, optarg); break;
		case 'k': igos_opt_once(&key, optarg); break;
		case 'c': igos_opt_once(&cert, optarg); break;
		case 'o': igos_opt_once(&out, optarg); break;
		case 'a': igos_flag_once(&append); break;
		case OPT_PINFILE: igos_opt_once(&pinfile, optarg); break;
		case OPT_REQUEST_OUT: igos_opt_once(&reqout, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (argc - optind != 2)
		igos_usage_err("auth takes VAR and IN.esl");
	if (reqout) {
		if (key || out || pinfile)
			igos_usage_err("auth: --request-out writes a request, not an update: no -k, "
				       "-o or --pin-file");
		if (cert == NULL)
			igos_usage_err("auth: --request-out needs -c CERT");
	} else if (key == NULL || cert == NULL || out == NULL)
		igos_usage_err("auth needs -k KEY, -c CERT and -o OUT.auth");
	guid = var_guid(argv[optind], guid_s, g);
	parse_time(tstr, tm);
	if (append)
		attr |= IGOS_EFI_APPEND;
	read_input(&b, argv[optind + 1], INPUT_MAX);
	check_esl(argv[optind + 1], b.data, b.len);
	if (reqout) {
		X509 *x = cert_load(cert);
		struct igos_req r;
		struct igos_text t = { 0 };

		auth_request(&r, x, argv[optind + 1], argv[optind], guid, attr, tm, b.data, b.len);
		if (igos_req_format(&r, &t) < 0)
			igos_die_lib();
		write_out(reqout, t.p, t.len, 0644);
		free(t.p);
		igos_req_free(&r);
		X509_free(x);
		igos_buf_free(&b);
		return 0;
	}
	a = sign_update(key, cert, argv[optind], guid, attr, tm, b.data, b.len, &alen);
	write_out(out, a, alen, 0644);
	free(a);
	igos_buf_free(&b);
	return 0;
}

/* ---- reading the variables ----------------------------------------------- */

/* 0 present, 1 absent. */
static int
var_read(const char *name, const unsigned char *guid, unsigned char **d, size_t *n)
{
	uint32_t attr;
	int r = igos_efivar_read(efivars, name, guid, &attr, d, n);

	if (r < 0)
		igos_die_lib();
	if (r == IGOS_EFIVAR_ABSENT) {
		*d = NULL;
		*n = 0;
	}
	return r == IGOS_EFIVAR_ABSENT;
}

static int
var_byte(const char *name)
{
	unsigned char *d;
	size_t n;
	int v;

	if (var_read(name, igos_guid_global, &d, &n))
		return -1;
	v = n == 1 ? d[0] : -2;
	free(d);
	if (v == -2)
		igos_die("%s: %zu bytes, expected 1", name, n);
	return v;
}

static void
store_load(struct igos_sb_store *st, const char *name, int deny)
{
	unsigned char *d;
	size_t n;
	int absent = var_read(name, igos_sbvar_guid(name), &d, &n);

	if (igos_sb_store_esl(st, name, d, n) < 0)
		igos_die_lib();
	st->present = !absent;
	free(d);
	if (st->bad[0] && deny)
		igos_die("%s: %s: revocations cannot be judged", name, st->bad);
}

/* ---- status / list -------------------------------------------------------- */

static void
check_dir(void)
{
	if (igos_efivar_dir_check(efivars, 0) < 0)
		igos_die_lib();
}

static int
efivars_opts(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "efivars", required_argument, NULL, OPT_EFIVARS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ev = NULL;
	int c;

	while ((c = igos_getopt(argc, argv, "hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		switch (c) {
		case OPT_EFIVARS: igos_opt_once(&ev, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (ev)
		efivars = ev;
	return optind;
}

static const char *
onoff(int v, const char *on, const char *off)
{
	return v < 0 ? "absent" : v ? on : off;
}

static int
cmd_status(int argc, char **argv)
{
	static const char *const vars[] = { "PK", "KEK", "db", "dbx" };

	if (efivars_opts(argc, argv) != argc)
		igos_usage_err("status takes no operands");
	check_dir();
	printf("SetupMode: %s\n", onoff(var_byte("SetupMode"), "setup", "user"));
	printf("SecureBoot: %s\n", onoff(var_byte("SecureBoot"), "enabled", "disabled"));
	for (size_t i = 0; i < 4; i++) {
		struct igos_sb_store st;
		size_t certs = 0;

		memset(&st, 0, sizeof(st));
		store_load(&st, vars[i], 0);
		for (size_t k = 0; k < st.n; k++)
			certs += st.s[k].kind == IGOS_SIG_X509;
		if (!st.present)
			printf("%s: absent\n", vars[i]);
		else
			printf("%s: %zu entr%s (%zu certificate%s, %zu hash%s)%s%s\n", vars[i],
			       st.n, st.n == 1 ? "y" : "ies", certs, certs == 1 ? "" : "s",
			       st.n - certs, st.n - certs == 1 ? "" : "es",
			       st.bad[0] ? ", then " : "", st.bad);
		igos_sb_store_free(&st);
	}
	return 0;
}

static void
list_var(const char *name)
{
	unsigned char *d;
	struct igos_esl_entry *e;
	size_t n, k;
	const unsigned char *guid = igos_sbvar_guid(name);

	if (var_read(name, guid, &d, &n)) {
		printf("%s: absent\n", name);
		return;
	}
	if (igos_esl_parse(d, n, &e, &k) < 0)
		igos_die("%s: %s", name, igos_errmsg());
	printf("%s: %zu entr%s\n", name, k, k == 1 ? "y" : "ies");
	for (size_t i = 0; i < k; i++) {
		const char *tn = igos_esl_type_name(e[i].type);
		char og[37];

		igos_guid_str(e[i].owner, og);
		if (tn && strcmp(tn, "x509") == 0) {
			const unsigned char *p = e[i].data;
			X509 *x = d2i_X509(NULL, &p, (long)e[i].len);
			char subj[512];

			if (x == NULL) {
				igos_ssl_clear();
				printf("  x509 %s (not a certificate)\n", og);
				continue;
			}
			subject_of(x, subj, sizeof(subj));
			printf("  x509 %s %s\n", og, subj);
			X509_free(x);
		} else if (tn) {
			char hex[2 * 64 + 1];

			igos_hex_encode(e[i].data, e[i].len > 64 ? 64 : e[i].len, hex);
			printf("  %s %s %s\n", tn, og, hex);
		} else {
			char tg[37];

			igos_guid_str(e[i].type, tg);
			printf("  type %s %s (%zu bytes)\n", tg, og, e[i].len);
		}
	}
	free(e);
	free(d);
}

static int
cmd_list(int argc, char **argv)
{
	static const char *const all[] = { "PK", "KEK", "db", "dbx", NULL };
	int i = efivars_opts(argc, argv);

	for (int k = i; k < argc; k++)
		if (igos_sbvar_guid(argv[k]) == NULL || strcmp(argv[k], "dbt") == 0 ||
		    strcmp(argv[k], "dbr") == 0)
			igos_usage_err("'%s' is not PK, KEK, db or dbx", argv[k]);
	check_dir();
	if (i == argc)
		for (int k = 0; all[k]; k++)
			list_var(all[k]);
	else
		for (; i < argc; i++)
			list_var(argv[i]);
	return 0;
}

/* ---- enroll -------------------------------------------------------------- */

static int
is_microsoft_uefi_ca(X509 *x)
{
	char cn[256];

	if (x == NULL || X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName,
						   cn, sizeof(cn)) < 0)
		return 0;
	return strcmp(cn, "Microsoft Corporation UEFI CA 2011") == 0 ||
	       strcmp(cn, "Microsoft UEFI CA 2023") == 0 ||
	       strcmp(cn, "Microsoft Option ROM UEFI CA 2023") == 0;
}

static int
is_microsoft(X509 *x, const unsigned char owner[16])
{
	char o[256];

	if (memcmp(owner, guid_microsoft, 16) == 0)
		return 1;
	return x && X509_NAME_get_text_by_NID(X509_get_subject_name(x),
					      NID_organizationName, o, sizeof(o)) >= 0 &&
	       strcmp(o, "Microsoft Corporation") == 0;
}

static void
hex_short(const unsigned char *h, char out[17])
{
	igos_hex_encode(h, 8, out);
}

/*
 * The drivers and option ROMs the firmware loaded at this boot, from the TPM
 * event log, that the new db would not let run: each driver's Authenticode
 * SHA-256 (the event digest) in the new db lets it run; with Secure Boot on,
 * so does the db entry the firmware logged as its authority (EDK2 logs an
 * authority once, before the first image it allowed, so a driver is tied to
 * the authority logged last before it). With Secure Boot off nothing tells
 * which certificate would have allowed a driver: only its hash does.
 */
static void
eventlog_check(const char *path, struct igos_sb_store *newdb, int add_hashes, int force,
	       const unsigned char owner[16], unsigned char **dbesl, size_t *dblen)
{
	struct igos_buf b;
	struct igos_tpm_event *ev;
	size_t n, bad = 0;
	struct igos_text msg = { 0 };
	const struct igos_tpm_event *auth = NULL;
	unsigned char (*add)[32] = NULL;
	size_t nadd = 0;

	if (igos_buf_read(&b, path, INPUT_MAX) < 0) {
		if (force) {
			igos_warn("%s; drivers not checked (--force-drivers)", igos_errmsg());
			return;
		}
		igos_die("%s: the drivers this machine loads cannot be checked without "
			 "Microsoft's UEFI CA (--microsoft keeps it, --force-drivers goes on)",
			 igos_errmsg());
	}
	if (igos_tpmlog_parse(b.data, b.len, &ev, &n) < 0)
		igos_die("'%s': %s", path, igos_errmsg());
	if ((add = calloc(n ? n : 1, 32)) == NULL)
		igos_die("out of memory");
	for (size_t i = 0; i < n; i++) {
		struct igos_image_load il;
		char dp[512], hx[17];
		int ok = 0;

		if (ev[i].type == IGOS_EV_EFI_VARIABLE_AUTHORITY) {
			auth = &ev[i];
			continue;
		}
		if (ev[i].type != IGOS_EV_EFI_BOOT_SERVICES_DRIVER &&
		    ev[i].type != IGOS_EV_EFI_RUNTIME_SERVICES_DRIVER)
			continue;
		if (igos_tpmlog_image_load(&ev[i], &il) < 0)
			igos_die("'%s': event at offset %zu: %s", path, ev[i].offset,
				 igos_errmsg());
		if (ev[i].sha256 == NULL) {
			/* db holds SHA-256 hashes: a SHA-1 digest says nothing */
			if (!force)
				igos_die("'%s': a SHA-1-only log: the drivers cannot be looked "
					 "up in db (--force-drivers goes on)", path);
			bad++;
			continue;
		}
		for (size_t k = 0; k < newdb->n && !ok; k++)
			ok = newdb->s[k].kind == IGOS_SIG_SHA256 &&
			     memcmp(newdb->s[k].data, ev[i].sha256, 32) == 0;
		if (!ok && auth) {
			struct igos_tpm_var v;

			/* SignatureOwner then the certificate or hash */
			if (igos_tpmlog_var(auth, &v) == 0 && strcmp(v.name, "db") == 0 &&
			    v.len > 16)
				for (size_t k = 0; k < newdb->n && !ok; k++)
					ok = newdb->s[k].len == v.len - 16 &&
					     memcmp(newdb->s[k].data, v.data + 16, v.len - 16) == 0;
		}
		if (ok)
			continue;
		if (add_hashes) {
			memcpy(add[nadd++], ev[i].sha256, 32);
			continue;
		}
		igos_devpath_str(il.dp, il.dplen, dp, sizeof(dp));
		hex_short(ev[i].sha256, hx);
		if (igos_text_printf(&msg, "%s%s (sha256 %s...)", bad ? ", " : "",
				     dp[0] ? dp : "(no device path)", hx) < 0)
			igos_die("out of memory");
		bad++;
	}
	if (nadd) {
		if (igos_esl_append_sha256(dbesl, dblen, owner, (const unsigned char (*)[32])add,
					   nadd) < 0)
			igos_die_lib();
	}
	if (bad && !force)
		igos_die("the new db would not trust %zu driver%s the firmware loaded at this "
			 "boot: %.*s (--microsoft keeps Microsoft's UEFI CA, --add-driver-hashes "
			 "adds their hashes, --force-drivers goes on)", bad, bad == 1 ? "" : "s",
			 (int)msg.len, msg.p ? msg.p : "");
	if (bad)
		igos_warn("the new db does not trust %zu driver%s loaded at this boot "
			  "(--force-drivers)", bad, bad == 1 ? "" : "s");
	free(msg.p);
	free(add);
	free(ev);
	igos_buf_free(&b);
}

static X509 *
dir_cert(const char *dir, const char *base)
{
	char p[4096];

	PATHF(p, "%s/%s.crt", dir, base);
	return cert_load(p);
}

/* DIR/NAME.key, or the URI in DIR/NAME.uri for a token key */
static char *
dir_keyref(const char *dir, const char *base)
{
	char p[4096];
	char *s;
	size_t l;

	PATHF(p, "%s/%s.uri", dir, base);
	if (access(p, F_OK) == 0) {
		if ((s = igos_read_small(p, 4096, &l)) == NULL)
			igos_die_lib();
		while (l && (s[l - 1] == '\n'))
			s[--l] = '\0';
		return s;
	}
	PATHF(p, "%s/%s.key", dir, base);
	if ((s = strdup(p)) == NULL)
		igos_die("out of memory");
	return s;
}

static void
enroll_one(const char *dir, const char *var, const char *signer_base,
	   const unsigned char *tm, const unsigned char *esl, size_t len)
{
	char *key = dir_keyref(dir, signer_base), cpath[4096];
	unsigned char *a;
	size_t alen;

	PATHF(cpath, "%s/%s.crt", dir, signer_base);
	a = sign_update(key, cpath, var, igos_sbvar_guid(var),
			IGOS_EFI_NV | IGOS_EFI_BS | IGOS_EFI_RT | IGOS_EFI_TIME_AUTH, tm, esl,
			len, &alen);
	if (igos_efivar_write(efivars, var, igos_sbvar_guid(var),
			      IGOS_EFI_NV | IGOS_EFI_BS | IGOS_EFI_RT | IGOS_EFI_TIME_AUTH, a,
			      alen) < 0)
		igos_die("cannot enroll %s: %s", var, igos_errmsg());
	free(a);
	free(key);
}

static void
owner_guid(const char *dir, unsigned char g[16])
{
	char p[4096], *s;
	size_t l;

	PATHF(p, "%s/GUID", dir);
	if ((s = igos_read_small(p, 64, &l)) == NULL)
		igos_die_lib();
	if (l && s[l - 1] == '\n')
		s[--l] = '\0';
	if (igos_guid_parse(s, g) < 0)
		igos_die("'%s': %s", p, igos_errmsg());
	free(s);
}

static void
esl_cert(unsigned char **buf, size_t *len, const unsigned char owner[16], X509 *x)
{
	size_t dl;
	unsigned char *d = cert_der(x, &dl);

	if (igos_esl_append(buf, len, igos_guid_cert_x509, owner, d, dl) < 0)
		igos_die_lib();
	OPENSSL_free(d);
}

static int
cmd_enroll(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "time", required_argument, NULL, 't' },
		{ "microsoft", no_argument, NULL, OPT_MS },
		{ "microsoft-cert", required_argument, NULL, OPT_MSCERT },
		{ "event-log", required_argument, NULL, OPT_EVENTLOG },
		{ "add-driver-hashes", no_argument, NULL, OPT_ADD_DRIVERS },
		{ "force-drivers", no_argument, NULL, OPT_FORCE_DRIVERS },
		{ "efivars", required_argument, NULL, OPT_EFIVARS },
		{ "pin-file", required_argument, NULL, OPT_PINFILE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *tstr = NULL, *evlog = NULL, *ev = NULL;
	const char *mscerts[8];
	int nms = 0, ms = 0, add = 0, force = 0, c, setup, uefica = 0;
	unsigned char owner[16], tm[IGOS_EFI_TIME_SIZE], *db = NULL, *kek = NULL, *pk = NULL;
	size_t dblen = 0, keklen = 0, pklen = 0;
	struct igos_sb_store newdb;
	X509 *x;

	while ((c = igos_getopt(argc, argv, "d:t:hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		switch (c) {
		case 'd': igos_opt_once(&dir, optarg); break;
		case 't': igos_opt_once(&tstr, optarg); break;
		case OPT_MS: igos_flag_once(&ms); break;
		case OPT_MSCERT:
			if (nms == 8)
				igos_usage_err("--microsoft-cert given more than 8 times");
			mscerts[nms++] = optarg;
			break;
		case OPT_EVENTLOG: igos_opt_once(&evlog, optarg); break;
		case OPT_ADD_DRIVERS: igos_flag_once(&add); break;
		case OPT_FORCE_DRIVERS: igos_flag_once(&force); break;
		case OPT_EFIVARS: igos_opt_once(&ev, optarg); break;
		case OPT_PINFILE: igos_opt_once(&pinfile, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (optind != argc)
		igos_usage_err("enroll takes no operands");
	if (dir == NULL)
		igos_usage_err("enroll needs -d DIR (made by " PROG " new)");
	if (ev)
		efivars = ev;
	parse_time(tstr, tm);
	if (igos_efivar_dir_check(efivars, 1) < 0)
		igos_die_lib();
	setup = var_byte("SetupMode");
	if (setup != 1)
		igos_die("the firmware is not in Setup Mode (SetupMode %s): clear its keys in "
			 "the firmware setup first", setup < 0 ? "absent" : "0");
	owner_guid(dir, owner);

	/* db: ours, then Microsoft's as given or as found in the current db */
	x = dir_cert(dir, "db");
	esl_cert(&db, &dblen, owner, x);
	X509_free(x);
	for (int i = 0; i < nms; i++) {
		x = cert_load(mscerts[i]);
		esl_cert(&db, &dblen, guid_microsoft, x);
		X509_free(x);
	}
	if (ms) {
		unsigned char *cur;
		size_t curlen, ne;
		struct igos_esl_entry *e;
		int kept = 0;

		var_read("db", igos_guid_security, &cur, &curlen);
		if (igos_esl_parse(cur, curlen, &e, &ne) < 0)
			igos_die("the current db: %s", igos_errmsg());
		for (size_t i = 0; i < ne; i++) {
			const unsigned char *p = e[i].data;
			X509 *cx;
			int keep;

			if (memcmp(e[i].type, igos_guid_cert_x509, 16) != 0)
				continue;
			cx = d2i_X509(NULL, &p, (long)e[i].len);
			igos_ssl_clear();
			keep = is_microsoft(cx, e[i].owner);
			X509_free(cx);
			if (!keep)
				continue;
			/* kept as it was, its owner GUID too */
			if (igos_esl_append(&db, &dblen, igos_guid_cert_x509, e[i].owner,
					    e[i].data, e[i].len) < 0)
				igos_die_lib();
			kept++;
		}
		free(e);
		free(cur);
		if (kept == 0 && nms == 0)
			igos_die("--microsoft: no Microsoft certificate in the current db; give "
				 "them with --microsoft-cert");
	}
	memset(&newdb, 0, sizeof(newdb));
	if (igos_sb_store_esl(&newdb, "db", db, dblen) < 0)
		igos_die_lib();
	for (size_t i = 0; i < newdb.n; i++)
		uefica |= newdb.s[i].kind == IGOS_SIG_X509 && is_microsoft_uefi_ca(newdb.s[i].x509);
	if (!uefica)
		eventlog_check(evlog ? evlog : EVENTLOG_DEFAULT, &newdb, add, force, owner, &db,
			       &dblen);
	igos_sb_store_free(&newdb);

	x = dir_cert(dir, "KEK");
	esl_cert(&kek, &keklen, owner, x);
	X509_free(x);
	x = dir_cert(dir, "PK");
	esl_cert(&pk, &pklen, owner, x);
	X509_free(x);

	/*
	 * db, then KEK, then PK: writing PK ends Setup Mode, after which db and
	 * KEK only take updates signed with the key above them. Each update is
	 * signed as user mode would want it, so an interrupted enrolment can be
	 * finished by running this again while still in Setup Mode.
	 */
	enroll_one(dir, "db", "KEK", tm, db, dblen);
	printf("db: enrolled\n");
	enroll_one(dir, "KEK", "PK", tm, kek, keklen);
	printf("KEK: enrolled\n");
	enroll_one(dir, "PK", "PK", tm, pk, pklen);
	printf("PK: enrolled\n");
	free(db);
	free(kek);
	free(pk);
	return 0;
}

/* ---- dbx ----------------------------------------------------------------- */

struct esp_image {
	char *path;
	int before, after;
	char why[256];
};

static void
esp_walk(const char *root, const char *rel, struct esp_image **v, size_t *n, int depth)
{
	char p[4096];
	DIR *d;
	struct dirent *de;

	if (depth > 8)
		return;
	PATHF(p, "%s%s%s", root, *rel ? "/" : "", rel);
	if ((d = opendir(p)) == NULL)
		igos_die("cannot open '%s': %s", p, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		char r[4096];
		struct stat st;
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		PATHF(r, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		PATHF(p, "%s/%s", root, r);
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			esp_walk(root, r, v, n, depth + 1);
		} else if (S_ISREG(st.st_mode) && l > 4 &&
			   strcasecmp(de->d_name + l - 4, ".efi") == 0) {
			struct esp_image *nv = realloc(*v, (*n + 1) * sizeof(**v));

			if (nv == NULL || (nv[*n].path = strdup(r)) == NULL)
				igos_die("out of memory");
			nv[*n].before = nv[*n].after = 0;
			nv[*n].why[0] = '\0';
			*v = nv;
			(*n)++;
		}
	}
	closedir(d);
}

/* Bootable under this trust: firmware's rules, or shim's with the MOK lists
 * (an image shim starts passes shim's check of db, dbx and MokList). */
static int
image_passes(struct igos_sb_image *im, struct igos_sb_store *db, struct igos_sb_store *dbx,
	     struct igos_sb_store *mok, struct igos_sb_store *mokx, char *why, size_t wsz)
{
	struct igos_sb_verdict v, vs;
	struct igos_sb_shim_stores s = { .db = db, .dbx = dbx, .mok = mok, .mokx = mokx };

	if (igos_sb_judge_firmware(im, db, dbx, &v) < 0 || igos_sb_judge_shim(im, &s, &vs) < 0)
		igos_die_lib();
	if (v.reason == IGOS_SB_PASS || vs.reason == IGOS_SB_PASS)
		return 1;
	if (why) {
		const struct igos_sb_verdict *r =
			(v.reason == IGOS_SB_REVOKED_CERT || v.reason == IGOS_SB_REVOKED_HASH)
				? &v : &vs;

		snprintf(why, wsz, "%s", igos_sb_reason_str(r->reason));
	}
	return 0;
}

static void
mok_load(struct igos_sb_store *st, const char *name)
{
	unsigned char *d;
	size_t n;
	int absent = var_read(name, igos_guid_shim, &d, &n);

	if (igos_sb_store_esl(st, name, d, n) < 0)
		igos_die_lib();
	st->present = !absent;
	free(d);
}

static const char *
esp_default(void)
{
	static const char *const c[] = { "/efi", "/boot/efi", "/boot" };
	char p[64];

	for (size_t i = 0; i < 3; i++) {
		PATHF(p, "%s/EFI", c[i]);
		if (access(p, F_OK) == 0)
			return c[i];
	}
	igos_die("no ESP found at /efi, /boot/efi or /boot: give it with --esp");
}

static int
cmd_dbx(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "esp", required_argument, NULL, OPT_ESP },
		{ "efivars", required_argument, NULL, OPT_EFIVARS },
		{ "replace", no_argument, NULL, OPT_REPLACE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "time", required_argument, NULL, 't' },
		{ "pin-file", required_argument, NULL, OPT_PINFILE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *esp = NULL, *ev = NULL, *key = NULL, *cert = NULL, *tstr = NULL;
	int c, replace = 0, force = 0;
	uint32_t attr = IGOS_EFI_NV | IGOS_EFI_BS | IGOS_EFI_RT | IGOS_EFI_TIME_AUTH;
	struct igos_buf in;
	struct igos_sbauth sa;
	const unsigned char *esl;
	unsigned char *upd = NULL, *newdbx = NULL, *cur = NULL, tm[IGOS_EFI_TIME_SIZE];
	size_t esllen, updlen, curlen, nimg = 0, revoked = 0, passing = 0;
	struct igos_sb_store db, dbx_old, dbx_new, mok, mokx;
	struct esp_image *img = NULL;
	struct igos_text msg = { 0 };

	while ((c = igos_getopt(argc, argv, "k:c:t:hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		switch (c) {
		case OPT_ESP: igos_opt_once(&esp, optarg); break;
		case OPT_EFIVARS: igos_opt_once(&ev, optarg); break;
		case OPT_REPLACE: igos_flag_once(&replace); break;
		case OPT_FORCE: igos_flag_once(&force); break;
		case 'k': igos_opt_once(&key, optarg); break;
		case 'c': igos_opt_once(&cert, optarg); break;
		case 't': igos_opt_once(&tstr, optarg); break;
		case OPT_PINFILE: igos_opt_once(&pinfile, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (argc - optind != 1)
		igos_usage_err("dbx takes one UPDATE.auth (or LIST.esl with -k and -c)");
	if ((key == NULL) != (cert == NULL))
		igos_usage_err("-k and -c go together");
	if (key == NULL && tstr)
		igos_usage_err("-t applies to a list signed here (-k, -c)");
	if (ev)
		efivars = ev;
	if (!replace)
		attr |= IGOS_EFI_APPEND;
	if (key)
		parse_time(tstr, tm);
	if (esp == NULL)
		esp = esp_default();
	if (igos_efivar_dir_check(efivars, 1) < 0)
		igos_die_lib();

	read_input(&in, argv[optind], INPUT_MAX);
	if (key) {
		check_esl(argv[optind], in.data, in.len);
		upd = sign_update(key, cert, "dbx", igos_guid_security, attr, tm, in.data, in.len,
				  &updlen);
		esl = in.data;
		esllen = in.len;
	} else {
		if (igos_sbauth_parse(in.data, in.len, &sa) < 0)
			igos_die("'%s': %s", argv[optind], igos_errmsg());
		check_esl(argv[optind], sa.data, sa.len);
		esl = sa.data;
		esllen = sa.len;
		updlen = in.len;
		if ((upd = malloc(updlen ? updlen : 1)) == NULL)
			igos_die("out of memory");
		memcpy(upd, in.data, updlen);
	}

	memset(&db, 0, sizeof(db));
	memset(&dbx_old, 0, sizeof(dbx_old));
	memset(&dbx_new, 0, sizeof(dbx_new));
	memset(&mok, 0, sizeof(mok));
	memset(&mokx, 0, sizeof(mokx));
	store_load(&db, "db", 0);
	store_load(&dbx_old, "dbx", 1);
	mok_load(&mok, "MokListRT");
	mok_load(&mokx, "MokListXRT");
	var_read("dbx", igos_guid_security, &cur, &curlen);
	if (replace) {
		curlen = 0;
	}
	if ((newdbx = malloc(curlen + esllen + 1)) == NULL)
		igos_die("out of memory");
	if (curlen)
		memcpy(newdbx, cur, curlen);
	if (esllen)
		memcpy(newdbx + curlen, esl, esllen);
	if (igos_sb_store_esl(&dbx_new, "dbx", newdbx, curlen + esllen) < 0)
		igos_die_lib();
	if (dbx_new.bad[0])
		igos_die("the new dbx: %s", dbx_new.bad);

	esp_walk(esp, "", &img, &nimg, 0);
	for (size_t i = 0; i < nimg; i++) {
		char p[4096];
		struct igos_buf b;
		struct igos_sb_image im;

		PATHF(p, "%s/%s", esp, img[i].path);
		read_input(&b, p, IMAGE_MAX);
		if (igos_sb_image_init(&im, b.data, b.len) < 0 || igos_sb_image_hash(&im, 1) < 0)
			igos_die_lib();
		img[i].before = im.pe_ok && image_passes(&im, &db, &dbx_old, &mok, &mokx, NULL, 0);
		img[i].after = im.pe_ok && image_passes(&im, &db, &dbx_new, &mok, &mokx,
							  img[i].why, sizeof(img[i].why));
		passing += img[i].after;
		if (img[i].before && !img[i].after) {
			if (igos_text_printf(&msg, "%s'%s' (%s)", revoked ? ", " : "", img[i].path,
					     img[i].why) < 0)
				igos_die("out of memory");
			revoked++;
		}
		igos_buf_free(&b);
	}
	if (revoked && !force)
		igos_die("the dbx update would revoke %zu image%s on the ESP: %.*s (--force "
			 "applies it anyway)", revoked, revoked == 1 ? "" : "s", (int)msg.len,
			 msg.p);
	if (revoked)
		igos_warn("applying a dbx update that revokes %zu image%s on the ESP (--force)",
			  revoked, revoked == 1 ? "" : "s");
	if (igos_efivar_write(efivars, "dbx", igos_guid_security, attr, upd, updlen) < 0)
		igos_die("cannot write dbx: %s", igos_errmsg());
	printf("dbx: %zu entr%s now, %zu image%s on the ESP still pass%s\n", dbx_new.n,
	       dbx_new.n == 1 ? "y" : "ies", passing, passing == 1 ? "" : "s",
	       passing == 1 ? "es" : "");
	for (size_t i = 0; i < nimg; i++)
		free(img[i].path);
	free(img);
	free(msg.p);
	free(newdbx);
	free(cur);
	free(upd);
	igos_buf_free(&in);
	igos_sb_store_free(&db);
	igos_sb_store_free(&dbx_old);
	igos_sb_store_free(&dbx_new);
	igos_sb_store_free(&mok);
	igos_sb_store_free(&mokx);
	return 0;
}

/* ---- rotate -------------------------------------------------------------- */

extern char **environ;

/* igos-sign beside this program, else from PATH */
static const char *
igos_sign_path(void)
{
	static char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	if (n > 0) {
		path[n] = '\0';
		if ((slash = strrchr(path, '/')) != NULL &&
		    (size_t)(slash - path) + sizeof("/igos-sign") <= sizeof(path)) {
			strcpy(slash, "/igos-sign");
			if (access(path, X_OK) == 0)
				return path;
		}
	}
	return "igos-sign";
}

static void
spawn_sign(const char **argv, const char *img)
{
	int st;
	pid_t pid;

	if (posix_spawnp(&pid, argv[0], NULL, NULL, (char *const *)argv, environ) != 0)
		igos_die("cannot run '%s': %s", argv[0], strerror(errno));
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			igos_die("cannot wait for igos-sign: %s", strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		igos_die("igos-sign failed on '%s' (db still trusts the old key and the new)",
			 img);
}

/*
 * Re-sign one image in place: igos-sign adds the new key's signature (the
 * file replaced atomically), then removes the old key's, last first. At every
 * moment the image holds a signature db trusts: the old one until the new one
 * is there, and db trusts both until the replacing update.
 */
static void
resign(const char *img, const unsigned char *data, size_t len, const unsigned char *olddr,
       size_t olddl, const char *key, const char *cert)
{
	struct igos_pe pe;
	struct igos_ac_cert c[16];
	unsigned n = 0;
	const char *argv[12];
	char idx[16];
	int k = 0;

	if (igos_ac_parse(&pe, data, len) < 0 || igos_ac_certs(&pe, c, 16, &n) < 0)
		igos_die("'%s': %s", img, igos_errmsg());
	argv[k++] = igos_sign_path();
	argv[k++] = "sign";
	argv[k++] = "-k";
	argv[k++] = key;
	argv[k++] = "-c";
	argv[k++] = cert;
	if (pinfile) {
		argv[k++] = "--pin-file";
		argv[k++] = pinfile;
	}
	argv[k++] = img;
	argv[k] = NULL;
	spawn_sign(argv, img);
	for (unsigned i = n; i > 0; i--) {
		/* a signature made by the old key embeds its certificate */
		if (memmem(c[i - 1].der, c[i - 1].derlen, olddr, olddl) == NULL)
			continue;
		snprintf(idx, sizeof(idx), "%u", i);
		argv[0] = igos_sign_path();
		argv[1] = "remove";
		argv[2] = "-n";
		argv[3] = idx;
		argv[4] = img;
		argv[5] = NULL;
		spawn_sign(argv, img);
	}
}

static void
time_plus(const unsigned char in[IGOS_EFI_TIME_SIZE], unsigned char out[IGOS_EFI_TIME_SIZE])
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = igos_le16(in) - 1900;
	tm.tm_mon = in[2] - 1;
	tm.tm_mday = in[3];
	tm.tm_hour = in[4];
	tm.tm_min = in[5];
	tm.tm_sec = in[6];
	t = timegm(&tm) + 1;
	if (igos_efi_time_from((long long)t, out) < 0)
		igos_die_lib();
}

static void
write_update(const char *var, const char *keydir, const char *signer_base, uint32_t attr,
	     const unsigned char *tm, const unsigned char *d, size_t n)
{
	char *key = dir_keyref(keydir, signer_base), cpath[4096];
	unsigned char *a;
	size_t alen;

	PATHF(cpath, "%s/%s.crt", keydir, signer_base);
	a = sign_update(key, cpath, var, igos_sbvar_guid(var), attr, tm, d, n, &alen);
	if (igos_efivar_write(efivars, var, igos_sbvar_guid(var), attr, a, alen) < 0)
		igos_die("cannot write %s: %s", var, igos_errmsg());
	free(a);
	free(key);
}

static int
cmd_rotate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "new", required_argument, NULL, 'n' },
		{ "esp", required_argument, NULL, OPT_ESP },
		{ "efivars", required_argument, NULL, OPT_EFIVARS },
		{ "time", required_argument, NULL, 't' },
		{ "pin-file", required_argument, NULL, OPT_PINFILE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *ndir = NULL, *esp = NULL, *ev = NULL, *tstr = NULL, *var, *above;
	uint32_t attr = IGOS_EFI_NV | IGOS_EFI_BS | IGOS_EFI_RT | IGOS_EFI_TIME_AUTH;
	unsigned char tm[IGOS_EFI_TIME_SIZE], tm2[IGOS_EFI_TIME_SIZE], nowner[16];
	unsigned char *cur, *olddr, *newdr, *add = NULL, *fin = NULL, *oneold = NULL;
	size_t curlen, olddl, newdl, addlen = 0, finlen = 0, oneoldlen = 0, nimg = 0, nres = 0;
	struct igos_esl_entry *e;
	size_t ne;
	struct igos_sb_store oldonly, findb, dbx;
	struct esp_image *img = NULL;
	X509 *ox, *nx;
	char ocert[4096], *nkey;
	int c, isdb;

	while ((c = igos_getopt(argc, argv, "d:n:t:hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		switch (c) {
		case 'd': igos_opt_once(&dir, optarg); break;
		case 'n': igos_opt_once(&ndir, optarg); break;
		case OPT_ESP: igos_opt_once(&esp, optarg); break;
		case OPT_EFIVARS: igos_opt_once(&ev, optarg); break;
		case 't': igos_opt_once(&tstr, optarg); break;
		case OPT_PINFILE: igos_opt_once(&pinfile, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (argc - optind != 1 || (strcmp(argv[optind], "db") != 0 &&
				   strcmp(argv[optind], "KEK") != 0))
		igos_usage_err("rotate takes db or KEK");
	if (dir == NULL || ndir == NULL)
		igos_usage_err("rotate needs -d OLDDIR and -n NEWDIR");
	var = argv[optind];
	isdb = strcmp(var, "db") == 0;
	above = isdb ? "KEK" : "PK";
	if (ev)
		efivars = ev;
	if (!isdb && esp)
		igos_usage_err("--esp applies to rotate db");
	parse_time(tstr, tm);
	time_plus(tm, tm2);
	if (isdb && esp == NULL)
		esp = esp_default();
	if (igos_efivar_dir_check(efivars, 1) < 0)
		igos_die_lib();
	owner_guid(ndir, nowner);

	ox = dir_cert(dir, var);
	nx = dir_cert(ndir, var);
	olddr = cert_der(ox, &olddl);
	newdr = cert_der(nx, &newdl);
	if (olddl == newdl && memcmp(olddr, newdr, olddl) == 0)
		igos_die("'%s' and '%s' hold the same %s certificate", dir, ndir, var);
	if (var_read(var, igos_sbvar_guid(var), &cur, &curlen))
		igos_die("%s is not set: enroll first", var);
	if (igos_esl_parse(cur, curlen, &e, &ne) < 0)
		igos_die("%s: %s", var, igos_errmsg());
	/* the final list: what is there, less the old certificate, plus the new one */
	{
		int found = 0;

		for (size_t i = 0; i < ne; i++) {
			if (e[i].len == olddl && memcmp(e[i].data, olddr, olddl) == 0) {
				found = 1;
				continue;
			}
			if (e[i].len == newdl && memcmp(e[i].data, newdr, newdl) == 0)
				continue;
			if (igos_esl_append(&fin, &finlen, e[i].type, e[i].owner, e[i].data,
					    e[i].len) < 0)
				igos_die_lib();
		}
		if (!found)
			igos_die("the current %s does not hold the certificate of '%s'", var, dir);
	}
	if (igos_esl_append(&fin, &finlen, igos_guid_cert_x509, nowner, newdr, newdl) < 0 ||
	    igos_esl_append(&add, &addlen, igos_guid_cert_x509, nowner, newdr, newdl) < 0 ||
	    igos_esl_append(&oneold, &oneoldlen, igos_guid_cert_x509, nowner, olddr, olddl) < 0)
		igos_die_lib();
	free(e);

	/* 1. trust both keys */
	write_update(var, dir, above, attr | IGOS_EFI_APPEND, tm, add, addlen);
	printf("%s: new certificate appended\n", var);

	if (isdb) {
		memset(&oldonly, 0, sizeof(oldonly));
		memset(&findb, 0, sizeof(findb));
		memset(&dbx, 0, sizeof(dbx));
		if (igos_sb_store_esl(&oldonly, "db", oneold, oneoldlen) < 0 ||
		    igos_sb_store_esl(&findb, "db", fin, finlen) < 0)
			igos_die_lib();
		store_load(&dbx, "dbx", 1);
		nkey = dir_keyref(ndir, "db");
		PATHF(ocert, "%s/db.crt", ndir);
		esp_walk(esp, "", &img, &nimg, 0);
		/* 2. re-sign what the old key signs; 3. check it under the final db */
		for (size_t i = 0; i < nimg; i++) {
			char p[4096];
			struct igos_buf b;
			struct igos_sb_image im;
			struct igos_sb_verdict v;
			int mine;

			PATHF(p, "%s/%s", esp, img[i].path);
			read_input(&b, p, IMAGE_MAX);
			if (igos_sb_image_init(&im, b.data, b.len) < 0 ||
			    (im.pe_ok && igos_sb_image_hash(&im, 0) < 0))
				igos_die_lib();
			mine = im.pe_ok && igos_sb_judge_firmware(&im, &oldonly, &dbx, &v) == 0 &&
			       v.reason == IGOS_SB_PASS;
			if (mine)
				resign(p, b.data, b.len, olddr, olddl, nkey, ocert);
			igos_buf_free(&b);
			if (!mine)
				continue;
			read_input(&b, p, IMAGE_MAX);
			if (igos_sb_image_init(&im, b.data, b.len) < 0 || !im.pe_ok ||
			    igos_sb_image_hash(&im, 0) < 0 ||
			    igos_sb_judge_firmware(&im, &findb, &dbx, &v) < 0)
				igos_die_lib();
			if (v.reason != IGOS_SB_PASS)
				igos_die("'%s' re-signed does not pass under the new db (%s): the "
					 "old certificate is kept", img[i].path,
					 igos_sb_reason_str(v.reason));
			igos_buf_free(&b);
			printf("%s: re-signed\n", img[i].path);
			nres++;
		}
		free(nkey);
		igos_sb_store_free(&oldonly);
		igos_sb_store_free(&findb);
		igos_sb_store_free(&dbx);
		for (size_t i = 0; i < nimg; i++)
			free(img[i].path);
		free(img);
	}
	/* 4. drop the old key: a replacing update, one second later */
	write_update(var, dir, above, attr, tm2, fin, finlen);
	printf("%s: old certificate removed\n", var);
	(void)nres;
	OPENSSL_free(olddr);
	OPENSSL_free(newdr);
	X509_free(ox);
	X509_free(nx);
	free(cur);
	free(add);
	free(fin);
	free(oneold);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct igos_verb verbs[] = {
		{ "new", cmd_new }, { "esl", cmd_esl }, { "auth", cmd_auth },
		{ "attach", cmd_attach },
		{ "enroll", cmd_enroll }, { "dbx", cmd_dbx }, { "status", cmd_status },
		{ "list", cmd_list }, { "rotate", cmd_rotate }, { NULL, NULL },
	};

	igos_cli_init(PROG, usage, NULL);
	return igos_cli_verbs(argc, argv, verbs);
}
