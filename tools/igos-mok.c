/*
 * igos-mok: the machine's own Machine Owner Key: create it, queue it for
 * shim's MokManager (MokNew/MokAuth), and show what the firmware holds.
 */
#include <crypt.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "igos.h"
#include "efivar.h"
#include "request.h"
#include "sbat.h"

#define DEFAULT_EFIVARS "/sys/firmware/efi/efivars"
#define PW_MAX 256
#define CERT_MAX (1u << 20)
#define MOK_ATTR (IGOS_EFI_NV | IGOS_EFI_BS | IGOS_EFI_RT)

static const char *efivars = DEFAULT_EFIVARS;
static int efivars_set;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: igos-mok new [-k|--key KEYOUT | -k|--key pkcs11:URI [--pin-file FILE]]\n"
"                    -c|--cert CERTOUT\n"
"                    [--subject TEXT] [--days N] [--bits 2048|3072|4096]\n"
"                    [--modules-only] [--force]\n"
"       igos-mok new --tpm [--tcti CONF] [--pin-file AUTHFILE] -k KEYOUT -c CERTOUT\n"
"                    [--subject TEXT] [--days N] [--bits 2048|3072|4096]\n"
"                    [--modules-only] [--force]\n"
"       igos-mok new --request-out REQ -k pkcs11:URI|PUBKEY --subject TEXT [--days N]\n"
"                    [--modules-only]\n"
"       igos-mok import [--blocklist] [--password-file FILE | --hash-file FILE]\n"
"                       [--image-hash HEX]... [CERT...]\n"
"       igos-mok delete [--blocklist] [--password-file FILE | --hash-file FILE]\n"
"                       [--image-hash HEX]... [CERT...]\n"
"       igos-mok revoke (--import | --delete) [--blocklist]\n"
"       igos-mok reset [--blocklist] [--password-file FILE | --hash-file FILE]\n"
"       igos-mok trust-mok | untrust-mok [--password-file FILE]\n"
"       igos-mok validation on|off [--password-file FILE]\n"
"       igos-mok timeout SECONDS | verbose on|off\n"
"       igos-mok sbat-policy latest|previous|delete\n"
"       igos-mok list [--blocklist] [--json]\n"
"       igos-mok pending [--json]\n"
"       igos-mok sbat [--json]\n"
"       igos-mok test CERT | test --image-hash HEX\n"
"       igos-mok sb-state [--json]\n"
"common options: --efivars DIR (default " DEFAULT_EFIVARS "), -h/--help, -V/--version,\n"
"                -v/--verbose\n");
}

static void
set_efivars(const char *dir)
{
	igos_flag_once(&efivars_set);
	efivars = dir;
}

/* ---- certificates ---- */

struct cert {
	const char *file;
	X509 *x;
	unsigned char *der;
	size_t len;
};

static void
cert_load(struct cert *c, const char *file)
{
	struct igos_buf b;
	const unsigned char *p;
	EVP_PKEY *pk;

	memset(c, 0, sizeof(*c));
	c->file = file;
	if (igos_buf_read(&b, file, CERT_MAX) < 0)
		igos_die_lib();
	p = b.data;
	if (b.len > 0 && (c->x = d2i_X509(NULL, &p, (long)b.len)) != NULL &&
	    p != b.data + b.len) {
		X509_free(c->x);
		c->x = NULL;
	}
	if (c->x == NULL && b.len > 0) {
		BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);

		if (bio != NULL)
			c->x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	igos_buf_free(&b);
	igos_ssl_clear();
	if (c->x == NULL)
		igos_die("'%s': not an X.509 certificate (PEM or DER)", file);
	pk = X509_get0_pubkey(c->x);
	if (pk == NULL)
		igos_die("'%s': certificate has an unreadable public key", file);
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA)
		igos_die("'%s': not an RSA key (shim and the kernel verify RSA only)", file);
	{
		int n = i2d_X509(c->x, &c->der);

		if (n <= 0)
			igos_die("'%s': cannot encode the certificate", file);
		c->len = (size_t)n;
	}
}

static void
cert_free(struct cert *c)
{
	X509_free(c->x);
	OPENSSL_free(c->der);
}

/* ---- variables holding signature lists ---- */

struct siglist {
	unsigned char *data;
	size_t len;
	struct igos_esl_entry *e;
	size_t n;
	int present;
};

static void
siglist_free(struct siglist *s)
{
	free(s->e);
	free(s->data);
	memset(s, 0, sizeof(*s));
}

static void
siglist_parse(struct siglist *s, const char *name)
{
	if (igos_esl_parse(s->data, s->len, &s->e, &s->n) < 0)
		igos_die("corrupt %s: %s", name, igos_errmsg());
}

/* One variable (shim GUID unless guid given). */
static void
siglist_read(struct siglist *s, const char *name, const unsigned char *guid)
{
	uint32_t attr;
	int r;

	memset(s, 0, sizeof(*s));
	r = igos_efivar_read(efivars, name, guid ? guid : igos_guid_shim, &attr, &s->data,
			     &s->len);
	if (r < 0)
		igos_die_lib();
	if (r == IGOS_EFIVAR_ABSENT)
		return;
	s->present = 1;
	siglist_parse(s, name);
}

/* A firmware list only consulted (db, dbx, MokListXRT): one we cannot parse
 * counts as empty rather than stopping the command. */
static void
siglist_read_soft(struct siglist *s, const char *name, const unsigned char *guid)
{
	uint32_t attr;

	memset(s, 0, sizeof(*s));
	if (igos_efivar_read(efivars, name, guid ? guid : igos_guid_shim, &attr, &s->data,
			     &s->len) != 0)
		return;
	s->present = 1;
	if (igos_esl_parse(s->data, s->len, &s->e, &s->n) < 0) {
		s->e = NULL;
		s->n = 0;
	}
}

/* The mok-variables directory beside an "efivars" one (the config table shim
 * leaves for the OS: complete even when MokListRT had to be split). */
static char *
mokvar_path(const char *name)
{
	const char *slash, *end = efivars + strlen(efivars);
	char *path;

	while (end > efivars + 1 && end[-1] == '/')
		end--;
	for (slash = end; slash > efivars && slash[-1] != '/'; slash--)
		;
	if (end - slash != 7 || memcmp(slash, "efivars", 7) != 0)
		return NULL;
	if (asprintf(&path, "%.*smok-variables/%s", (int)(slash - efivars), efivars, name) < 0)
		igos_die("out of memory");
	return path;
}

/*
 * A list as the OS sees it (MokListRT, MokListXRT): mok-variables/NAME, else
 * NAME, NAME1, NAME2, ... concatenated (shim splits long lists).
 */
static void
rtlist_read(struct siglist *s, const char *name)
{
	char *mv = mokvar_path(name);
	int r;

	memset(s, 0, sizeof(*s));
	if (mv != NULL) {
		r = igos_efivar_read_file(mv, 64u << 20, &s->data, &s->len);
		if (r < 0)
			igos_die_lib();
		free(mv);
		if (r == 0 && s->len > 0) {
			s->present = 1;
			siglist_parse(s, name);
			return;
		}
		free(s->data);
		memset(s, 0, sizeof(*s));
	}
	for (unsigned i = 0; i < 1000; i++) {
		struct siglist part;
		char vname[40];
		unsigned char *nd;

		if (i == 0)
			snprintf(vname, sizeof(vname), "%s", name);
		else
			snprintf(vname, sizeof(vname), "%s%u", name, i);
		siglist_read(&part, vname, NULL);
		if (!part.present)
			break;
		s->present = 1;
		if (part.len > 0) {
			if ((nd = realloc(s->data, s->len + part.len)) == NULL)
				igos_die("out of memory");
			memcpy(nd + s->len, part.data, part.len);
			s->data = nd;
			s->len += part.len;
		}
		siglist_free(&part);
	}
	free(s->e);
	s->e = NULL;
	s->n = 0;
	if (s->present)
		siglist_parse(s, name);
}

static void enrolled_read(struct siglist *s) { rtlist_read(s, "MokListRT"); }

/* What a request or a test names: a certificate, or an image's SHA-256. */
struct item {
	const char *name; /* the file, or the hex as given */
	int is_hash;
	struct cert c;
	unsigned char hash[32];
};

static long
siglist_find(const struct siglist *s, const struct item *it)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct igos_esl_entry *e = &s->e[i];

		if (it->is_hash) {
			if (memcmp(e->type, igos_guid_cert_sha256, 16) == 0 && e->len == 32 &&
			    memcmp(e->data, it->hash, 32) == 0)
				return (long)i;
		} else if (memcmp(e->type, igos_guid_cert_x509, 16) == 0 && e->len == it->c.len &&
			   memcmp(e->data, it->c.der, it->c.len) == 0) {
			return (long)i;
		}
	}
	return -1;
}

static void
siglist_drop(struct siglist *s, size_t idx, const char *name)
{
	unsigned char *nd;
	size_t nlen;

	if (igos_esl_remove(s->data, s->len, s->e, s->n, idx, &nd, &nlen) < 0)
		igos_die_lib();
	free(s->data);
	free(s->e);
	s->data = nd;
	s->len = nlen;
	s->e = NULL;
	s->n = 0;
	siglist_parse(s, name);
}

/* --image-hash: exactly a SHA-256 in hex (what `igos-sign hash` prints). */
static void
hash_item(struct item *it, const char *hex)
{
	memset(it, 0, sizeof(*it));
	it->name = hex;
	it->is_hash = 1;
	if (strlen(hex) != 64 || igos_hex_decode(hex, 64, it->hash, 32) < 0)
		igos_usage_err("--image-hash takes a SHA-256 as 64 hex digits, not '%s'", hex);
}

static void
item_free(struct item *it)
{
	if (!it->is_hash)
		cert_free(&it->c);
}


/* ---- passwords ---- */

static void
random_salt(char *salt, size_t n)
{
	static const char c64[] =
		"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	unsigned char r[IGOS_MOK_SALT_MAX];

	if (n > sizeof(r) || getrandom(r, n, 0) != (ssize_t)n)
		igos_die("cannot get random bytes: %s", strerror(errno));
	for (size_t i = 0; i < n; i++)
		salt[i] = c64[r[i] & 63];
	salt[n] = '\0';
}

static const char *
password_problem(const char *pw)
{
	size_t n = strlen(pw);

	if (n < 1 || n > PW_MAX)
		return "password must be 1 to 256 characters";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)pw[i] < 0x20 || (unsigned char)pw[i] > 0x7e)
			return "password must be printable ASCII";
	return NULL;
}

/* The MokAuth record: from a ready "$6$" line, or a password hashed here. */
static void
make_auth(const char *pwfile, const char *hashfile, unsigned char out[IGOS_MOK_AUTH_SIZE])
{
	struct igos_mok_auth a;
	char *pw, *pw2;
	const char *problem;
	char setting[3 + IGOS_MOK_SALT_MAX + 1];
	struct crypt_data *cd;
	char *h;

	if (hashfile != NULL) {
		size_t len;
		char *s = igos_read_small(hashfile, 4096, &len);

		if (s == NULL)
			igos_die_lib();
		if (igos_mok_auth_from_crypt(s, len, &a) < 0) {
			OPENSSL_cleanse(s, len);
			free(s);
			igos_die("'%s': %s", hashfile, igos_errmsg());
		}
		OPENSSL_cleanse(s, len);
		free(s);
		igos_mok_auth_pack(&a, out);
		OPENSSL_cleanse(&a, sizeof(a));
		return;
	}
	if (pwfile != NULL) {
		if ((pw = igos_secret_read(pwfile, NULL, 4096)) == NULL)
			igos_die_lib();
	} else {
		if ((pw = igos_secret_read(NULL, "MOK password", 4096)) == NULL)
			igos_die_lib();
		if ((problem = password_problem(pw)) != NULL) {
			igos_secret_free(pw);
			igos_die("%s", problem);
		}
		if ((pw2 = igos_secret_read(NULL, "MOK password again", 4096)) == NULL) {
			igos_secret_free(pw);
			igos_die_lib();
		}
		if (strcmp(pw, pw2) != 0) {
			igos_secret_free(pw);
			igos_secret_free(pw2);
			igos_die("passwords do not match");
		}
		igos_secret_free(pw2);
	}
	if ((problem = password_problem(pw)) != NULL) {
		igos_secret_free(pw);
		igos_die("%s", problem);
	}
	memcpy(setting, "$6$", 3);
	random_salt(setting + 3, IGOS_MOK_SALT_MAX);
	if ((cd = calloc(1, sizeof(*cd))) == NULL) {
		igos_secret_free(pw);
		igos_die("out of memory");
	}
	h = crypt_rn(pw, setting, cd, (int)sizeof(*cd));
	igos_secret_free(pw);
	if (h == NULL || h[0] == '*' ||
	    igos_mok_auth_from_crypt(h, strlen(h), &a) < 0) {
		OPENSSL_cleanse(cd, sizeof(*cd));
		free(cd);
		igos_die("cannot hash the password with sha512-crypt");
	}
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	igos_mok_auth_pack(&a, out);
	OPENSSL_cleanse(&a, sizeof(a));
}

/* ---- printing keys ---- */

static void
sha1_colon(const unsigned char *p, size_t len, char out[60])
{
	unsigned char md[20];

	if (igos_digest(EVP_sha1(), p, len, md) < 0)
		igos_die_lib();
	for (int i = 0; i < 20; i++)
		snprintf(out + 3 * i, 4, i < 19 ? "%02x:" : "%02x", md[i]);
}

static char *
name_str(const X509_NAME *n)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s, *p;
	long len;

	if (b == NULL || X509_NAME_print_ex(b, n, 0, XN_FLAG_SEP_CPLUS_SPC |
						 ASN1_STRFLGS_UTF8_CONVERT | ASN1_STRFLGS_ESC_CTRL) < 0)
		igos_die("cannot print a certificate name");
	len = BIO_get_mem_data(b, &p);
	if ((s = strndup(p, (size_t)len)) == NULL)
		igos_die("out of memory");
	BIO_free(b);
	return s;
}

static char *
time_str(const ASN1_TIME *t)
{
	struct tm tm;
	char *s;

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return strdup("");
	if (asprintf(&s, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec) < 0)
		igos_die("out of memory");
	return s;
}

/* One entry: a text line (after prefix) or a JSON object appended to arr. */
static void
show_entry(const struct igos_esl_entry *e, const char *prefix, json_object *arr)
{
	const char *type = igos_esl_type_name(e->type);
	char hex[2 * 64 + 1], g[37];
	json_object *o = NULL;

	if (arr != NULL) {
		o = json_object_new_object();
		igos_guid_str(e->owner, g);
		json_object_object_add(o, "owner", json_object_new_string(g));
	}
	if (type != NULL && strcmp(type, "x509") == 0) {
		const unsigned char *p = e->data;
		X509 *x = d2i_X509(NULL, &p, (long)e->len);
		char fp[60], *subj = NULL, *iss = NULL, *nb = NULL, *na = NULL;

		igos_ssl_clear();
		sha1_colon(e->data, e->len, fp);
		if (x != NULL) {
			subj = name_str(X509_get_subject_name(x));
			iss = name_str(X509_get_issuer_name(x));
			nb = time_str(X509_get0_notBefore(x));
			na = time_str(X509_get0_notAfter(x));
		}
		if (o == NULL) {
			/* OpenSSL escaped C0 controls; C1, bidi and bad UTF-8 too */
			char *shown = subj ? igos_escape(subj, strlen(subj), 0) : NULL;

			if (subj != NULL && shown == NULL)
				igos_die("out of memory");
			printf("%sx509 %s %s\n", prefix, fp, shown ? shown : "(not a valid certificate)");
			free(shown);
		} else {
			unsigned char md[32];

			if (igos_digest(EVP_sha256(), e->data, e->len, md) < 0)
				igos_die_lib();
			igos_hex_encode(md, 32, hex);
			json_object_object_add(o, "type", json_object_new_string("x509"));
			json_object_object_add(o, "sha1", json_object_new_string(fp));
			json_object_object_add(o, "sha256", json_object_new_string(hex));
			json_object_object_add(o, "valid", json_object_new_boolean(x != NULL));
			if (x != NULL) {
				json_object_object_add(o, "subject", json_object_new_string(subj));
				json_object_object_add(o, "issuer", json_object_new_string(iss));
				json_object_object_add(o, "not_before", json_object_new_string(nb));
				json_object_object_add(o, "not_after", json_object_new_string(na));
			}
		}
		free(subj);
		free(iss);
		free(nb);
		free(na);
		X509_free(x);
	} else if (type != NULL) {
		igos_hex_encode(e->data, e->len, hex);
		if (o == NULL) {
			printf("%s%s %s\n", prefix, type, hex);
		} else {
			json_object_object_add(o, "type", json_object_new_string(type));
			json_object_object_add(o, "hash", json_object_new_string(hex));
		}
	} else {
		igos_guid_str(e->type, g);
		if (o == NULL) {
			printf("%s%s %zu bytes\n", prefix, g, e->len);
		} else {
			json_object_object_add(o, "type", json_object_new_string(g));
			json_object_object_add(o, "size", json_object_new_int64((int64_t)e->len));
		}
	}
	if (o != NULL)
		json_object_array_add(arr, o);
}

static void
print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* ---- option parsing shared by the verbs ---- */

enum {
	OPT_EFIVARS = 256, OPT_JSON, OPT_PWFILE, OPT_HASHFILE, OPT_IMPORT, OPT_DELETE,
	OPT_SUBJECT, OPT_DAYS, OPT_BITS, OPT_MODONLY, OPT_FORCE, OPT_PINFILE,
};
/* the options of the blocklist, hash and settings verbs */
enum { OPT_BLOCKLIST = 400, OPT_IMAGEHASH };

/* Options every verb takes; returns 1 if handled. */
static int
common_opt(int c)
{
	switch (c) {
	case OPT_EFIVARS:
		set_efivars(optarg);
		return 1;
	}
	return 0;
}

static int
write_or_fail(const char *name, const void *d, size_t len)
{
	return igos_efivar_write(efivars, name, igos_guid_shim, MOK_ATTR, d, len);
}

/* ---- import / delete (MokList and MokListX) ---- */

enum req { REQ_ENROLL, REQ_DELETE, REQ_XENROLL, REQ_XDELETE };

static const struct reqdef {
	const char *var, *auth, *word;
	enum req reverse;
} reqs[] = {
	[REQ_ENROLL] = { "MokNew", "MokAuth", "enrollment", REQ_DELETE },
	[REQ_DELETE] = { "MokDel", "MokDelAuth", "deletion", REQ_ENROLL },
	[REQ_XENROLL] = { "MokXNew", "MokXAuth", "blocklist enrollment", REQ_XDELETE },
	[REQ_XDELETE] = { "MokXDel", "MokXDelAuth", "blocklist deletion", REQ_XENROLL },
};

/* Rewrite (or, when empty, remove with its password) a request variable. */
static void
rewrite_request(const char *name, const char *auth, const unsigned char *d, size_t len)
{
	if (len > 0) {
		if (write_or_fail(name, d, len) < 0)
			igos_die_lib();
		return;
	}
	if (igos_efivar_delete(efivars, name, igos_guid_shim) < 0 ||
	    igos_efivar_delete(efivars, auth, igos_guid_shim) < 0)
		igos_die_lib();
}

/* Why an item is not queued (NULL: queue it); the skip rules of mokutil 0.6.0. */
static const char *
skip_reason(enum req req, const struct item *it, const struct siglist *enrolled,
	    const struct siglist *mokx, const struct siglist *same, const struct siglist *db,
	    const struct siglist *dbx)
{
	switch (req) {
	case REQ_ENROLL:
		if (siglist_find(enrolled, it) >= 0)
			return "already enrolled";
		if (siglist_find(same, it) >= 0)
			return "already pending enrollment";
		if (siglist_find(db, it) >= 0)
			return "already in db";
		if (siglist_find(dbx, it) >= 0)
			return "blocked by dbx";
		if (siglist_find(mokx, it) >= 0)
			return "blocked by MokListXRT";
		break;
	case REQ_DELETE:
		if (siglist_find(enrolled, it) < 0)
			return "not enrolled";
		if (siglist_find(same, it) >= 0)
			return "already pending deletion";
		break;
	case REQ_XENROLL:
		if (siglist_find(mokx, it) >= 0)
			return "already in MokListXRT";
		if (siglist_find(same, it) >= 0)
			return "already pending blocklist enrollment";
		break;
	case REQ_XDELETE:
		if (siglist_find(mokx, it) < 0)
			return "not in MokListXRT";
		if (siglist_find(same, it) >= 0)
			return "already pending blocklist deletion";
		break;
	}
	return NULL;
}

static int
item_same(const struct item *a, const struct item *b)
{
	if (a->is_hash != b->is_hash)
		return 0;
	if (a->is_hash)
		return memcmp(a->hash, b->hash, 32) == 0;
	return a->c.len == b->c.len && memcmp(a->c.der, b->c.der, a->c.len) == 0;
}

/* Write a request and its password; a failure puts the request back as it was. */
static void
write_request(const struct reqdef *rd, const struct siglist *old, const unsigned char *d,
	      size_t len, const unsigned char *authrec, size_t authlen)
{
	char msg[1024];

	if (d != NULL ? write_or_fail(rd->var, d, len) == 0 &&
			    write_or_fail(rd->auth, authrec, authlen) == 0
		      : write_or_fail(rd->auth, authrec, authlen) == 0)
		return;
	snprintf(msg, sizeof(msg), "%s", igos_errmsg());
	if (old->present) {
		write_or_fail(rd->var, old->data, old->len);
	} else {
		igos_efivar_delete(efivars, rd->var, igos_guid_shim);
		igos_efivar_delete(efivars, rd->auth, igos_guid_shim);
	}
	igos_die("%s", msg);
}

static int
cmd_request(int argc, char **argv, int deleting)
{
	static const struct option opts[] = {
		{ "password-file", required_argument, NULL, OPT_PWFILE },
		{ "hash-file", required_argument, NULL, OPT_HASHFILE },
		{ "blocklist", no_argument, NULL, OPT_BLOCKLIST },
		{ "image-hash", required_argument, NULL, OPT_IMAGEHASH },
		{ "efivars", required_argument, NULL, OPT_EFIVARS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pwfile = NULL, *hashfile = NULL;
	const char **hashes = calloc((size_t)argc, sizeof(*hashes));
	size_t nhashes = 0, nitems, ncerts;
	int c, blocklist = 0, changed_reverse = 0;
	enum req req;
	const struct reqdef *rd, *rv;
	struct siglist enrolled, mokx, same, reverse, db, dbx;
	struct item *items;
	unsigned char *nreq = NULL;
	size_t nreqlen = 0;
	int queued = 0;

	if (hashes == NULL)
		igos_die("out of memory");
	while ((c = igos_getopt(argc, argv, "hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		switch (c) {
		case OPT_PWFILE:
			igos_opt_once(&pwfile, optarg);
			break;
		case OPT_HASHFILE:
			igos_opt_once(&hashfile, optarg);
			break;
		case OPT_BLOCKLIST:
			igos_flag_once(&blocklist);
			break;
		case OPT_IMAGEHASH:
			hashes[nhashes++] = optarg;
			break;
		default:
			igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (pwfile && hashfile)
		igos_usage_err("--password-file and --hash-file exclude each other");
	if (optind >= argc && nhashes == 0)
		igos_usage_err("%s: no certificate given", argv[0]);
	req = blocklist ? (deleting ? REQ_XDELETE : REQ_XENROLL) : (deleting ? REQ_DELETE : REQ_ENROLL);
	rd = &reqs[req];
	rv = &reqs[rd->reverse];
	ncerts = (size_t)(argc - optind);
	nitems = ncerts + nhashes;
	if ((items = calloc(nitems, sizeof(*items))) == NULL)
		igos_die("out of memory");
	for (size_t i = 0; i < nhashes; i++)
		hash_item(&items[ncerts + i], hashes[i]);
	for (size_t i = 0; i < ncerts; i++) {
		items[i].name = argv[optind + (int)i];
		cert_load(&items[i].c, items[i].name);
	}
	if (igos_efivar_dir_check(efivars, 1) < 0)
		igos_die_lib();

	enrolled_read(&enrolled);
	rtlist_read(&mokx, "MokListXRT");
	siglist_read(&same, rd->var, NULL);
	siglist_read(&reverse, rv->var, NULL);
	memset(&db, 0, sizeof(db));
	memset(&dbx, 0, sizeof(dbx));
	if (req == REQ_ENROLL) {
		siglist_read_soft(&db, "db", igos_guid_security);
		siglist_read_soft(&dbx, "dbx", igos_guid_security);
	}

	/*
	 * The request as it will be: new certificates before what was queued,
	 * then each hash added as mokutil --import-hash adds it (into the first
	 * hash list, or a list of its own in front).
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < nitems; i++) {
			struct item *it = &items[i];
			const char *why;
			long r;
			int dup = 0;

			if (it->is_hash != pass)
				continue;
			for (size_t j = 0; j < i; j++)
				dup |= item_same(&items[j], it);
			if (dup) {
				printf("%s: given twice, skipped\n", it->name);
			} else if ((r = siglist_find(&reverse, it)) >= 0) {
				siglist_drop(&reverse, (size_t)r, rv->var);
				changed_reverse = 1;
				printf("%s: removed from the %s request\n", it->name, rv->word);
			} else if ((why = skip_reason(req, it, &enrolled, &mokx, &same, &db, &dbx))) {
				printf("%s: %s, skipped\n", it->name, why);
			} else {
				if ((it->is_hash ? igos_esl_add_hash(&nreq, &nreqlen, igos_guid_cert_sha256,
								     igos_guid_shim, it->hash, 32)
						 : igos_esl_append(&nreq, &nreqlen, igos_guid_cert_x509,
								   igos_guid_shim, it->c.der, it->c.len)) < 0)
					igos_die_lib();
				queued = 1;
			}
		}
		if (pass == 0 && same.len > 0) {
			unsigned char *nd = realloc(nreq, nreqlen + same.len);

			if (nd == NULL)
				igos_die("out of memory");
			memcpy(nd + nreqlen, same.data, same.len);
			nreq = nd;
			nreqlen += same.len;
		}
	}
	if (changed_reverse)
		rewrite_request(rv->var, rv->auth, reverse.data, reverse.len);
	if (queued) {
		unsigned char authrec[IGOS_MOK_AUTH_SIZE];

		make_auth(pwfile, hashfile, authrec);
		write_request(rd, &same, nreq, nreqlen, authrec, sizeof(authrec));
		OPENSSL_cleanse(authrec, sizeof(authrec));
	}
	free(nreq);
	siglist_free(&enrolled);
	siglist_free(&mokx);
	siglist_free(&same);
	siglist_free(&reverse);
	siglist_free(&db);
	siglist_free(&dbx);
	for (size_t i = 0; i < nitems; i++)
		item_free(&items[i]);
	free(items);
	free(hashes);
	return 0;
}

static int cmd_import(int argc, char **argv) { return cmd_request(argc, argv, 0); }
static int cmd_delete(int argc, char **argv) { return cmd_request(argc, argv, 1); }

/* ---- revoke ---- */

static int
cmd_revoke(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "import", no_argument, NULL, OPT_IMPORT },
		{ "delete", no_argument, NULL, OPT_DELETE },
		{ "blocklist", no_argument, NULL, OPT_BLOCKLIST },
		{ "efivars", required_argument, NULL, OPT_EFIVARS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int c, which = 0, blocklist = 0, r1, r2;
	const struct reqdef *rd;

	while ((c = igos_getopt(argc, argv, "hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		switch (c) {
		case OPT_IMPORT:
		case OPT_DELETE:
			if (which)
				igos_usage_err("revoke takes one of --import and --delete, once");
			which = c;
			break;
		case OPT_BLOCKLIST:
			igos_flag_once(&blocklist);
			break;
		default:
			igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (!which)
		igos_usage_err("revoke needs --import or --delete");
	if (optind != argc)
		igos_usage_err("revoke takes no operands");
	rd = &reqs[blocklist ? (which == OPT_IMPORT ? REQ_XENROLL : REQ_XDELETE)
			     : (which == OPT_IMPORT ? REQ_ENROLL : REQ_DELETE)];
	if (igos_efivar_dir_check(efivars, 1) < 0)
		igos_die_lib();
	if ((r1 = igos_efivar_delete(efivars, rd->var, igos_guid_shim)) < 0 ||
	    (r2 = igos_efivar_delete(efivars, rd->auth, igos_guid_shim)) < 0)
		igos_die_lib();
	if (r1 == IGOS_EFIVAR_ABSENT && r2 == IGOS_EFIVAR_ABSENT)
		printf("no %s request pending\n", rd->word);
	return 0;
}

/* ---- reset: MokAuth (MokXAuth) alone asks MokManager to empty the list ---- */

static int
cmd_reset(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "password-file", required_argument, NULL, OPT_PWFILE },
		{ "hash-file", required_argument, NULL, OPT_HASHFILE },
		{ "blocklist", no_argument, NULL, OPT_BLOCKLIST },
		{ "efivars", required_argument, NULL, OPT_EFIVARS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pwfile = NULL, *hashfile = NULL;
	int c, blocklist = 0;
	const struct reqdef *rd;
	struct siglist old;
	unsigned char authrec[IGOS_MOK_AUTH_SIZE];

	while ((c = igos_getopt(argc, argv, "hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		switch (c) {
		case OPT_PWFILE:
			igos_opt_once(&pwfile, optarg);
			break;
		case OPT_HASHFILE:
			igos_opt_once(&hashfile, optarg);
			break;
		case OPT_BLOCKLIST:
			igos_flag_once(&blocklist);
			break;
		default:
			igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (pwfile && hashfile)
		igos_usage_err("--password-file and --hash-file exclude each other");
	if (optind != argc)
		igos_usage_err("reset takes no operands");
	rd = &reqs[blocklist ? REQ_XENROLL : REQ_ENROLL];
	if (igos_efivar_dir_check(efivars, 1) < 0)
		igos_die_lib();
	siglist_read(&old, rd->var, NULL);
	make_auth(pwfile, hashfile, authrec);
	/* a pending enrollment gives way to the reset, as with mokutil --reset */
	if (old.present && igos_efivar_delete(efivars, rd->var, igos_guid_shim) < 0)
		igos_die_lib();
	write_request(rd, &old, NULL, 0, authrec, sizeof(authrec));
	OPENSSL_cleanse(authrec, sizeof(authrec));
	siglist_free(&old);
	return 0;
}

/* ---- trust-mok, untrust-mok, validation: MokManager's toggle requests ---- */

/* Options of a verb that takes no operands beyond those counted by nargs and
 * maybe --password-file; returns the index of the first operand. */
static int
plain_opts(int argc, char **argv, const char **pwfile, int nargs, const char *what)
{
	static const struct option opts[] = {
		{ "password-file", required_argument, NULL, OPT_PWFILE },
		{ "efivars", required_argument, NULL, OPT_EFIVARS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = igos_getopt(argc, argv, "hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		if (c == OPT_PWFILE && pwfile != NULL) {
			igos_opt_once(pwfile, optarg);
			continue;
		}
		igos_usage_err("unknown option '%s'", igos_optname());
	}
	if (argc - optind != nargs) {
		if (nargs == 0)
			igos_usage_err("%s takes no operands", argv[0]);
		if (argc == optind)
			igos_usage_err("%s needs %s", argv[0], what);
		igos_usage_err("%s takes one operand: %s", argv[0], what);
	}
	return optind;
}

static void
toggle_write(const char *var, uint32_t state, const char *pwfile)
{
	unsigned char rec[IGOS_MOK_TOGGLE_SIZE];
	char *pw, *pw2;

	if (igos_efivar_dir_check(efivars, 1) < 0)
		igos_die_lib();
	if ((pw = igos_secret_read(pwfile, pwfile ? NULL : "MokManager password (8-16 characters)",
				   4096)) == NULL)
		igos_die_lib();
	if (igos_mok_toggle_pack(state, pw, rec) < 0) {
		igos_secret_free(pw);
		igos_die("%s", igos_errmsg());
	}
	if (pwfile == NULL) {
		if ((pw2 = igos_secret_read(NULL, "MokManager password again", 4096)) == NULL) {
			igos_secret_free(pw);
			OPENSSL_cleanse(rec, sizeof(rec));
			igos_die_lib();
		}
		if (strcmp(pw, pw2) != 0) {
			igos_secret_free(pw);
			igos_secret_free(pw2);
			OPENSSL_cleanse(rec, sizeof(rec));
			igos_die("passwords do not match");
		}
		igos_secret_free(pw2);
	}
	igos_secret_free(pw);
	if (write_or_fail(var, rec, sizeof(rec)) < 0) {
		OPENSSL_cleanse(rec, sizeof(rec));
		igos_die_lib();
	}
	OPENSSL_cleanse(rec, sizeof(rec));
}

/* MokManager's MokTMLState: 0 asks to trust the MOKs (MokListTrusted deleted,
 * MokListTrustedRT then present), 1 not to. */
static int
cmd_trust(int argc, char **argv)
{
	const char *pwfile = NULL;

	plain_opts(argc, argv, &pwfile, 0, NULL);
	toggle_write("MokListTrustedNew", 0, pwfile);
	return 0;
}

static int
cmd_untrust(int argc, char **argv)
{
	const char *pwfile = NULL;

	plain_opts(argc, argv, &pwfile, 0, NULL);
	toggle_write("MokListTrustedNew", 1, pwfile);
	return 0;
}

/* on|off (true|false) */
static int
onoff(const char *s, const char *verb)
{
	if (strcmp(s, "on") == 0 || strcmp(s, "true") == 0)
		return 1;
	if (strcmp(s, "off") == 0 || strcmp(s, "false") == 0)
		return 0;
	igos_usage_err("%s takes on or off, not '%s'", verb, s);
	return -1;
}

/* MokSB's MokSBState: 0 asks MokManager to turn shim's validation off. */
static int
cmd_validation(int argc, char **argv)
{
	const char *pwfile = NULL;
	int i = plain_opts(argc, argv, &pwfile, 1, "on or off");

	toggle_write("MokSB", (uint32_t)onoff(argv[i], "validation"), pwfile);
	return 0;
}

/* ---- settings shim reads by itself: MokTimeout, SHIM_VERBOSE, SbatPolicy ---- */

static void
setting_write(const char *var, const void *d, size_t len)
{
	if (igos_efivar_dir_check(efivars, 1) < 0)
		igos_die_lib();
	if (d == NULL ? igos_efivar_delete(efivars, var, igos_guid_shim) < 0
		      : write_or_fail(var, d, len) < 0)
		igos_die_lib();
}

static int
cmd_timeout(int argc, char **argv)
{
	uint64_t v = 0;
	int32_t t;
	unsigned char d[4];
	const char *s;
	int i;

	/* "-1" (wait for a key) is the operand, not an option: take it out
	 * before getopt sees it (after "--" it is an operand anyway) */
	static char minus1[] = "0";

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-1") == 0) {
			argv[i] = minus1;
			break;
		}
	i = plain_opts(argc, argv, NULL, 1, "a number of seconds");
	s = argv[i];
	if (s == minus1 || strcmp(s, "-1") == 0)
		t = -1;
	else if (igos_parse_u64(s, &v) == 0 && v <= 0x7fff)
		t = (int32_t)v;
	else
		igos_usage_err("timeout takes -1 (wait for a key) or 0 to 32767 seconds, not '%s'", s);
	igos_put_le32(d, (uint32_t)t);
	/* 10 s is shim's default: mokutil then removes the variable */
	setting_write("MokTimeout", t == 10 ? NULL : d, sizeof(d));
	return 0;
}

static int
cmd_verbose(int argc, char **argv)
{
	int i = plain_opts(argc, argv, NULL, 1, "on or off");
	unsigned char one = 1;

	setting_write("SHIM_VERBOSE", onoff(argv[i], "verbose") ? &one : NULL, 1);
	return 0;
}

static const char *const sbat_policies[] = { NULL, "latest", "previous", "delete" };

static int
cmd_sbat_policy(int argc, char **argv)
{
	int i = plain_opts(argc, argv, NULL, 1, "latest, previous or delete");
	unsigned char p = 0;

	for (unsigned char k = 1; k < 4; k++)
		if (strcmp(argv[i], sbat_policies[k]) == 0)
			p = k;
	if (p == 0)
		igos_usage_err("sbat-policy takes latest, previous or delete, not '%s'", argv[i]);
	setting_write("SbatPolicy", &p, 1);
	return 0;
}

/* ---- list / pending / sbat ---- */

static int
json_flag(int argc, char **argv, const char *verb, int *blocklist)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "blocklist", no_argument, NULL, OPT_BLOCKLIST },
		{ "efivars", required_argument, NULL, OPT_EFIVARS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int c, json = 0;

	while ((c = igos_getopt(argc, argv, "hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		if (c == OPT_JSON) {
			igos_flag_once(&json);
			continue;
		}
		if (c == OPT_BLOCKLIST && blocklist != NULL) {
			igos_flag_once(blocklist);
			continue;
		}
		igos_usage_err("unknown option '%s'", igos_optname());
	}
	if (optind != argc)
		igos_usage_err("%s takes no operands", verb);
	if (igos_efivar_dir_check(efivars, 0) < 0)
		igos_die_lib();
	return json;
}

static int
cmd_list(int argc, char **argv)
{
	int blocklist = 0, json = json_flag(argc, argv, "list", &blocklist);
	static const char *const names[2] = { "MokListRT", "MokListXRT" };
	json_object *top = json ? json_object_new_object() : NULL;

	for (int k = 0; k < 2; k++) {
		struct siglist s;
		json_object *arr;

		if (!json && k != blocklist)
			continue;
		arr = json ? json_object_new_array() : NULL;
		rtlist_read(&s, names[k]);
		for (size_t i = 0; i < s.n; i++)
			show_entry(&s.e[i], "", arr);
		if (json)
			json_object_object_add(top, k ? "blocklist" : "keys", arr);
		else if (s.n == 0)
			printf("%s is empty\n", names[k]);
		siglist_free(&s);
	}
	if (json)
		print_json(top);
	return 0;
}

/* A small variable's bytes (NULL when absent). */
static unsigned char *
var_get(const char *name, size_t *len)
{
	unsigned char *d = NULL;
	uint32_t attr;
	int r = igos_efivar_read(efivars, name, igos_guid_shim, &attr, &d, len);

	if (r < 0)
		igos_die_lib();
	if (r == IGOS_EFIVAR_ABSENT)
		return NULL;
	if (d == NULL && (d = calloc(1, 1)) == NULL)
		igos_die("out of memory");
	return d;
}

/* "on"/"off"-style words for a toggle record, NULL when absent */
static const char *
toggle_word(const char *var, const char *w0, const char *w1)
{
	size_t len;
	unsigned char *d = var_get(var, &len);
	uint32_t state, pwlen;
	const char *w;

	if (d == NULL)
		return NULL;
	if (igos_mok_toggle_unpack(d, len, &state, &pwlen) < 0)
		igos_die("corrupt %s: %s", var, igos_errmsg());
	w = state == 0 ? w0 : w1;
	free(d);
	return w;
}

static int
cmd_pending(int argc, char **argv)
{
	int json = json_flag(argc, argv, "pending", NULL), any = 0;
	static const char *const words[4] = { "enroll", "delete", "block", "unblock" };
	json_object *top = json ? json_object_new_object() : NULL;
	const char *val, *tml;
	size_t len;
	unsigned char *d;

	for (int k = 0; k < 4; k++) {
		const struct reqdef *rd = &reqs[k];
		struct siglist s;
		json_object *arr = json ? json_object_new_array() : NULL;
		char prefix[16], key[32];
		unsigned char *a;
		size_t alen;

		siglist_read(&s, rd->var, NULL);
		snprintf(prefix, sizeof(prefix), "%s ", words[k]);
		for (size_t i = 0; i < s.n; i++)
			show_entry(&s.e[i], prefix, arr);
		any |= s.n > 0;
		a = var_get(rd->auth, &alen);
		/* a password without a list: MokManager offers to empty the list */
		if ((k == REQ_ENROLL || k == REQ_XENROLL) && a != NULL && !s.present) {
			any = 1;
			if (!json)
				puts(k == REQ_ENROLL ? "reset MokList" : "reset MokListX");
		}
		if (json) {
			json_object_object_add(top, words[k], arr);
			snprintf(key, sizeof(key), "%s_password", words[k]);
			json_object_object_add(top, key, json_object_new_boolean(a != NULL));
			if (k == REQ_ENROLL || k == REQ_XENROLL)
				json_object_object_add(top, k == REQ_ENROLL ? "reset" : "reset_blocklist",
						       json_object_new_boolean(a != NULL && !s.present));
		}
		free(a);
		siglist_free(&s);
	}
	val = toggle_word("MokSB", "off", "on");
	tml = toggle_word("MokListTrustedNew", "trust-mok", "untrust-mok");
	d = var_get("SbatPolicy", &len);
	{
		char pol[16] = "";

		if (d != NULL)
			snprintf(pol, sizeof(pol), "%s", len == 1 && d[0] >= 1 && d[0] <= 3 ?
				 sbat_policies[d[0]] : "unknown");
		if (json) {
			json_object_object_add(top, "validation", val ? json_object_new_string(val) : NULL);
			json_object_object_add(top, "mok_trust", tml ? json_object_new_string(tml) : NULL);
			json_object_object_add(top, "sbat_policy", d ? json_object_new_string(pol) : NULL);
			print_json(top);
		} else {
			if (val)
				printf("validation %s\n", val);
			if (tml)
				printf("%s\n", tml);
			if (d)
				printf("sbat-policy %s\n", pol);
			if (!any && !val && !tml && !d)
				puts("no request pending");
		}
	}
	free(d);
	return 0;
}

static int
cmd_sbat(int argc, char **argv)
{
	int json = json_flag(argc, argv, "sbat", NULL);
	size_t len;
	unsigned char *d = var_get("SbatLevelRT", &len);
	struct igos_sbat s;
	json_object *arr = json ? json_object_new_array() : NULL;

	memset(&s, 0, sizeof(s));
	if (d != NULL && len > 0 && igos_sbat_level_parse(&s, d, len) < 0)
		igos_die("corrupt SbatLevelRT: %s", igos_errmsg());
	for (size_t i = 0; i < s.n; i++) {
		const struct igos_sbat_entry *e = &s.e[i];

		if (json) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "component",
					       json_object_new_string(e->f[IGOS_SBAT_COMPONENT]));
			json_object_object_add(o, "generation", json_object_new_int(e->gen));
			if (e->f[IGOS_SBAT_DATESTAMP])
				json_object_object_add(o, "datestamp",
						       json_object_new_string(e->f[IGOS_SBAT_DATESTAMP]));
			json_object_array_add(arr, o);
		} else {
			char *line;
			char *shown;

			if (asprintf(&line, "%s,%s%s%s", e->f[IGOS_SBAT_COMPONENT],
				     e->f[IGOS_SBAT_GENERATION], e->f[IGOS_SBAT_DATESTAMP] ? "," : "",
				     e->f[IGOS_SBAT_DATESTAMP] ? e->f[IGOS_SBAT_DATESTAMP] : "") < 0 ||
			    (shown = igos_escape(line, strlen(line), 0)) == NULL)
				igos_die("out of memory");
			puts(shown);
			free(shown);
			free(line);
		}
	}
	if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "revocations", arr);
		print_json(o);
	} else if (s.n == 0) {
		puts("SbatLevelRT is empty");
	}
	igos_sbat_free(&s);
	free(d);
	return 0;
}

/* ---- test ---- */

static int
cmd_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "image-hash", required_argument, NULL, OPT_IMAGEHASH },
		{ "efivars", required_argument, NULL, OPT_EFIVARS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	/* the order shim decides in: a revocation wins over an enrollment */
	static const struct {
		const char *var;
		int guid; /* 0 shim, 1 image security database */
		int rt;   /* read as MokListRT is (mok-variables, split parts) */
		const char *says;
		int good, bad;
	} stores[] = {
		{ "dbx", 1, 0, "revoked by dbx", 0, 1 },
		{ "MokListXRT", 0, 1, "revoked by MokListXRT", 0, 1 },
		{ "db", 1, 0, "enrolled in db", 1, 0 },
		{ "MokListRT", 0, 1, "enrolled in MokListRT", 1, 0 },
		{ "MokNew", 0, 0, "pending enrollment in MokNew", 1, 0 },
		{ "MokDel", 0, 0, "pending deletion in MokDel", 0, 0 },
		{ "MokXNew", 0, 0, "pending revocation in MokXNew", 0, 0 },
		{ "MokXDel", 0, 0, "pending unrevocation in MokXDel", 0, 0 },
	};
	const char *hex = NULL;
	struct item it;
	int c, good = 0, bad = 0, any = 0;

	while ((c = igos_getopt(argc, argv, "hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		if (c == OPT_IMAGEHASH) {
			igos_opt_once(&hex, optarg);
			continue;
		}
		igos_usage_err("unknown option '%s'", igos_optname());
	}
	if (hex != NULL ? argc != optind : argc - optind != 1)
		igos_usage_err("test takes exactly one certificate, or --image-hash HEX");
	if (hex != NULL) {
		hash_item(&it, hex);
	} else {
		memset(&it, 0, sizeof(it));
		it.name = argv[optind];
		cert_load(&it.c, it.name);
	}
	if (igos_efivar_dir_check(efivars, 0) < 0)
		igos_die_lib();
	for (size_t k = 0; k < sizeof(stores) / sizeof(stores[0]); k++) {
		struct siglist s;

		if (stores[k].rt)
			rtlist_read(&s, stores[k].var);
		else if (stores[k].guid)
			siglist_read_soft(&s, stores[k].var, igos_guid_security);
		else
			siglist_read(&s, stores[k].var, NULL);
		if (siglist_find(&s, &it) >= 0) {
			puts(stores[k].says);
			good |= stores[k].good;
			bad |= stores[k].bad;
			any = 1;
		}
		siglist_free(&s);
	}
	if (!any)
		puts("not enrolled");
	item_free(&it);
	return good && !bad ? 0 : 1;
}


/* ---- sb-state ---- */

/* The value of a 1-, 2- or 4-byte variable; -1 if absent or of another size. */
static int
small_var(const char *name, const unsigned char *guid, int *present)
{
	unsigned char *d = NULL;
	size_t len;
	uint32_t attr;
	int r = igos_efivar_read(efivars, name, guid, &attr, &d, &len), v = -1;

	if (r < 0)
		igos_die_lib();
	*present = r == 0;
	if (r == 0 && (len == 1 || len == 2 || len == 4)) {
		v = 0;
		for (size_t i = len; i > 0; i--)
			v = v << 8 | d[i - 1];
	}
	free(d);
	return v;
}

static int
cmd_sbstate(int argc, char **argv)
{
	int json = json_flag(argc, argv, "sb-state", NULL);
	int sbp, smp, mokp, sb, sm;

	sb = small_var("SecureBoot", igos_guid_global, &sbp);
	if (!sbp)
		igos_die("no SecureBoot variable in '%s': firmware without Secure Boot", efivars);
	sm = small_var("SetupMode", igos_guid_global, &smp);
	(void)small_var("MokSBStateRT", igos_guid_shim, &mokp);
	if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "secure_boot",
				       sb < 0 ? NULL : json_object_new_boolean(sb == 1));
		json_object_object_add(o, "setup_mode",
				       sm < 0 ? NULL : json_object_new_boolean(sm == 1));
		json_object_object_add(o, "shim_validation", json_object_new_boolean(!mokp));
		print_json(o);
		return 0;
	}
	/* the same lines as mokutil --sb-state */
	if (sb == 1 && sm == 0) {
		puts("SecureBoot enabled");
		if (mokp)
			puts("SecureBoot validation is disabled in shim");
	} else if (sb == 0 || sm == 1) {
		puts("SecureBoot disabled");
		if (sm == 1)
			puts("Platform is in Setup Mode");
	} else {
		puts("Cannot determine secure boot state.");
	}
	return 0;
}

/* ---- new ---- */

/* options of new only, apart from the shared enum */
enum { OPT_TPM = 0x7400 };

/*
 * The default subject names the machine, so that two machines' MOKs differ by
 * more than a serial: the host name, the day it was made and, where there is
 * one, the first 8 hex digits of /etc/machine-id (CN stays within its 64).
 */
static void
default_subject(char *buf, size_t size)
{
	char host[256], day[16] = "", mid[9] = "";
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	if (gethostname(host, sizeof(host)) < 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	if (gmtime_r(&now, &tm) != NULL)
		strftime(day, sizeof(day), " %Y-%m-%d", &tm);
	if ((f = fopen("/etc/machine-id", "re")) != NULL) {
		char line[64];

		if (fgets(line, sizeof(line), f) != NULL && strspn(line, "0123456789abcdef") >= 32)
			snprintf(mid, sizeof(mid), "%.8s", line);
		fclose(f);
	}
	snprintf(buf, size, "%.24s machine owner key%s%s%s", host, day, mid[0] ? " " : "", mid);
}

/* A missing parent directory of an output (one level, e.g. /etc/igos on a
 * fresh machine) is made, private: the key is written there. */
static void
make_parent(const char *path)
{
	char *copy, *slash;

	if (strcmp(path, "-") == 0 || (copy = strdup(path)) == NULL)
		return;
	slash = strrchr(copy, '/');
	if (slash != NULL && slash != copy) {
		*slash = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST && errno != ENOENT) {
			int e = errno;

			igos_die("cannot create directory '%s': %s", copy, strerror(e));
		}
	}
	free(copy);
}

static int
cert_is_pem(const char *path)
{
	size_t n = strlen(path);

	if (strcmp(path, "-") == 0)
		return 1;
	return (n > 4 && (strcmp(path + n - 4, ".pem") == 0 || strcmp(path + n - 4, ".crt") == 0));
}

static X509_NAME *
make_name(const char *subject)
{
	X509_NAME *n = X509_NAME_new();

	if (n == NULL)
		igos_die("out of memory");
	if (subject[0] != '/') {
		if (!X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
						(const unsigned char *)subject, -1, -1, 0))
			igos_die("bad --subject '%s'", subject);
		return n;
	}
	/* "/CN=x/O=y", as openssl req -subj takes it */
	{
		char *copy = strdup(subject + 1), *save = NULL, *tok;

		if (copy == NULL)
			igos_die("out of memory");
		for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
			char *eq = strchr(tok, '=');

			if (eq == NULL || eq == tok || eq[1] == '\0')
				igos_die("bad --subject '%s': want /KEY=value/...", subject);
			*eq = '\0';
			if (!X509_NAME_add_entry_by_txt(n, tok, MBSTRING_UTF8,
							(unsigned char *)eq + 1, -1, -1, 0)) {
				igos_ssl_clear();
				igos_die("bad --subject '%s': unknown attribute '%s'", subject, tok);
			}
		}
		free(copy);
	}
	if (X509_NAME_entry_count(n) == 0)
		igos_die("bad --subject '%s': no attributes", subject);
	return n;
}

static void
out_open(struct igos_out *o, const char *path, mode_t mode, int force)
{
	if (igos_out_open(o, path, mode, IGOS_OUT_NOFOLLOW | (force ? 0 : IGOS_OUT_EXCL)) < 0) {
		if (errno == EEXIST)
			igos_die("%s (--force replaces it)", igos_errmsg());
		igos_die_lib();
	}
}

/* new --request-out (apart from the enum above, which others extend) */
enum { OPT_REQUEST_OUT = 0x1000 };

/*
 * Signing in two rooms: the certificate of a token key whose token is
 * elsewhere. Its public key is read without a login (or from a file); the
 * certificate, unsigned, goes into a request that igos-sign sign-request
 * signs on the token and igos-sign attach checks and writes.
 */
static int
new_request_out(const char *reqout, const char *keyref, int other, const char *subject,
		const char *days_s, int modonly)
{
	struct igos_req r = { .kind = IGOS_REQ_X509 };
	struct igos_text t = { 0 };
	unsigned char *tbs = NULL;
	uint64_t days = 36500;
	EVP_PKEY *pub;
	X509_NAME *name;
	X509 *x;
	int n;

	if (keyref == NULL)
		igos_usage_err("new --request-out needs -k KEY (a pkcs11: URI or a public key file)");
	if (other)
		igos_usage_err("new --request-out writes a request: no -c, --pin-file, --bits, "
			       "--force, --tpm or --tcti");
	if (days_s && (igos_parse_u64(days_s, &days) < 0 || days < 1 || days > 100000))
		igos_usage_err("--days must be a number of days from 1 to 100000");
	if (subject == NULL || *subject == '\0')
		igos_usage_err("new --request-out needs --subject (the key is not this machine's)");
	name = make_name(subject);
	if ((pub = igos_pubkey_load(keyref)) == NULL)
		igos_die_lib();
	if (EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA)
		igos_die("'%s': not an RSA key (shim and the kernel verify RSA only)", keyref);
	x = igos_cert_selfsigned_unsigned(name, pub, (int)days,
					  modonly ? "codeSigning,1.3.6.1.4.1.2312.16.1.2" :
						    "codeSigning");
	if (x == NULL || igos_req_set_cert(&r, x) < 0 || (n = i2d_re_X509_tbs(x, &tbs)) <= 0 ||
	    igos_req_add_item(&r, NULL, tbs, (size_t)n) < 0 ||
	    igos_digest(EVP_sha256(), tbs, (size_t)n, r.sha256) < 0)
		igos_die_lib();
	snprintf(r.file, sizeof(r.file), "mok-certificate");
	r.size = (uint64_t)n;
	if (igos_req_format(&r, &t) < 0 || igos_write_atomic(reqout, t.p, t.len, 0, 0) < 0)
		igos_die_lib();
	free(t.p);
	OPENSSL_free(tbs);
	igos_req_free(&r);
	X509_free(x);
	X509_NAME_free(name);
	EVP_PKEY_free(pub);
	return 0;
}

static int
cmd_new(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "subject", required_argument, NULL, OPT_SUBJECT },
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "bits", required_argument, NULL, OPT_BITS },
		{ "modules-only", no_argument, NULL, OPT_MODONLY },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "pin-file", required_argument, NULL, OPT_PINFILE },
		{ "efivars", required_argument, NULL, OPT_EFIVARS },
		{ "request-out", required_argument, NULL, OPT_REQUEST_OUT },
		{ "tpm", no_argument, NULL, OPT_TPM },
		IGOS_LONGOPT_TCTI,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keyref = NULL, *certout = NULL, *subject = NULL, *days_s = NULL,
		   *bits_s = NULL, *pinfile = NULL, *tcti = NULL, *reqout = NULL;
	struct igos_signer_opts sopts;
	int c, modonly = 0, force = 0, token, pem, tpm = 0;
	uint64_t days = 36500, bits = 2048;
	char defsubj[320], *tpmpem = NULL;
	size_t tpmlen = 0;
	struct igos_out ko, co;
	struct igos_signer *signer = NULL;
	EVP_PKEY *pkey = NULL;
	X509 *x;
	X509_NAME *name;
	BIO *mem;
	char *p;
	long plen;

	while ((c = igos_getopt(argc, argv, "k:c:hVv", opts)) != -1) {
		if (common_opt(c))
			continue;
		switch (c) {
		case 'k':
			igos_opt_once(&keyref, optarg);
			break;
		case 'c':
			igos_opt_once(&certout, optarg);
			break;
		case OPT_SUBJECT:
			igos_opt_once(&subject, optarg);
			break;
		case OPT_DAYS:
			igos_opt_once(&days_s, optarg);
			break;
		case OPT_BITS:
			igos_opt_once(&bits_s, optarg);
			break;
		case OPT_PINFILE:
			igos_opt_once(&pinfile, optarg);
			break;
		case OPT_MODONLY:
			igos_flag_once(&modonly);
			break;
		case OPT_FORCE:
			igos_flag_once(&force);
			break;
		case OPT_REQUEST_OUT:
			igos_opt_once(&reqout, optarg);
			break;
		case OPT_TPM:
			igos_flag_once(&tpm);
			break;
		case IGOS_OPT_TCTI:
			igos_opt_once(&tcti, optarg);
			break;
		default:
			igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (optind != argc)
		igos_usage_err("new takes no operands");
	if (reqout)
		return new_request_out(reqout, keyref,
				       certout || pinfile || bits_s || force || tpm || tcti,
				       subject, days_s, modonly);
	if (keyref == NULL || certout == NULL)
		igos_usage_err("new needs -k KEYOUT (or -k pkcs11:URI) and -c CERTOUT");
	token = strncmp(keyref, "pkcs11:", 7) == 0;
	if (days_s && (igos_parse_u64(days_s, &days) < 0 || days < 1 || days > 100000))
		igos_usage_err("--days must be a number of days from 1 to 100000");
	if (bits_s && (igos_parse_u64(bits_s, &bits) < 0 ||
		       (bits != 2048 && bits != 3072 && bits != 4096)))
		igos_usage_err("--bits must be 2048, 3072 or 4096");
	if (bits_s && token)
		igos_usage_err("--bits applies to a new key, not to a token key");
	if (tpm && token)
		igos_usage_err("--tpm makes a key in the TPM: -k names the key file to write, not a pkcs11: URI");
	if (tcti && !tpm)
		igos_usage_err("--tcti goes with --tpm");
	if (pinfile && !token && !tpm)
		igos_usage_err("--pin-file applies to a pkcs11: key or a --tpm key only");
	if (!token && strcmp(keyref, "-") == 0)
		igos_usage_err("the private key is never written to standard output");
	if (subject != NULL && *subject == '\0')
		igos_usage_err("--subject is empty");
	if (subject == NULL) {
		default_subject(defsubj, sizeof(defsubj));
		subject = defsubj;
	}
	pem = cert_is_pem(certout);
	name = make_name(subject);

	/* refuse existing outputs before spending time on a key */
	if (!token) {
		make_parent(keyref);
		out_open(&ko, keyref, 0600, force);
	}
	make_parent(certout);
	out_open(&co, certout, 0, force);

	if (tpm) {
		/* the key is made inside the TPM; the certificate is signed there */
		memset(&sopts, 0, sizeof(sopts));
		sopts.pin_file = pinfile;
		sopts.tcti = tcti;
		if ((signer = igos_signer_tpm_new((int)bits, &sopts, &tpmpem, &tpmlen)) == NULL)
			igos_die_lib();
		pkey = igos_signer_pubkey(signer);
	} else if (token) {
		memset(&sopts, 0, sizeof(sopts));
		sopts.pin_file = pinfile;
		if ((signer = igos_signer_open(keyref, &sopts)) == NULL)
			igos_die_lib();
		if (igos_signer_type(signer) != IGOS_KEY_RSA)
			igos_die("'%s': not an RSA key (shim and the kernel verify RSA only)", keyref);
		pkey = igos_signer_pubkey(signer);
		bits = (uint64_t)igos_signer_bits(signer);
	} else if ((pkey = EVP_RSA_gen((unsigned)bits)) == NULL) {
		igos_seterr_ssl("cannot generate an RSA-%u key", (unsigned)bits);
		igos_die_lib();
	}

	x = igos_cert_selfsigned(name, pkey, signer, (int)days,
				 modonly ? "codeSigning,1.3.6.1.4.1.2312.16.1.2" : "codeSigning");
	if (x == NULL)
		igos_die_lib();

	if (tpm) {
		if (igos_out_write(&ko, tpmpem, tpmlen) < 0)
			igos_die_lib();
	} else if (!token) {
		/* the key through a BIO that wipes its memory */
		if ((mem = BIO_new(BIO_s_secmem())) == NULL ||
		    !PEM_write_bio_PrivateKey(mem, pkey, NULL, NULL, 0, NULL, NULL))
			igos_die("cannot encode the private key");
		plen = BIO_get_mem_data(mem, &p);
		if (igos_out_write(&ko, p, (size_t)plen) < 0)
			igos_die_lib();
		BIO_free(mem);
	}
	if ((mem = BIO_new(BIO_s_mem())) == NULL ||
	    !(pem ? PEM_write_bio_X509(mem, x) : i2d_X509_bio(mem, x)))
		igos_die("cannot encode the certificate");
	plen = BIO_get_mem_data(mem, &p);
	if (igos_out_write(&co, p, (size_t)plen) < 0)
		igos_die_lib();
	BIO_free(mem);
	/*
	 * The certificate first, then the key: a run killed in between leaves a
	 * certificate without its key (public, harmless), never a private key
	 * without its certificate. A commit can fail after its rename (the
	 * directory's fsync): what this run made is removed again.
	 */
	if (igos_out_commit(&co) < 0) {
		char msg[1024];

		int e = errno;

		snprintf(msg, sizeof(msg), "%s", igos_errmsg());
		if (!token)
			igos_out_abort(&ko);
		if (!force && e != EEXIST && strcmp(certout, "-") != 0)
			unlink(certout);
		igos_die("%s", msg);
	}
	if (!token && igos_out_commit(&ko) < 0) {
		char msg[1024];

		int e = errno;

		snprintf(msg, sizeof(msg), "%s", igos_errmsg());
		if (!force) {
			if (e != EEXIST)
				unlink(keyref); /* we made them a moment ago: no key without its cert */
			if (strcmp(certout, "-") != 0)
				unlink(certout);
		}
		igos_die("%s", msg);
	}
	if (strcmp(certout, "-") != 0) {
		if (tpm)
			printf("key '%s' (RSA-%u in the TPM, TSS2 key file, mode 0600), "
			       "certificate '%s' (%s)\n", keyref, (unsigned)bits, certout,
			       pem ? "PEM" : "DER");
		else if (token)
			printf("certificate '%s' (%s) for the token key, RSA-%u\n", certout,
			       pem ? "PEM" : "DER", (unsigned)bits);
		else
			printf("key '%s' (RSA-%u, PEM, mode 0600), certificate '%s' (%s)\n",
			       keyref, (unsigned)bits, certout, pem ? "PEM" : "DER");
	}
	X509_free(x);
	X509_NAME_free(name);
	if (token || tpm)
		igos_signer_free(signer);
	else
		EVP_PKEY_free(pkey);
	if (tpmpem != NULL) {
		OPENSSL_cleanse(tpmpem, tpmlen);
		free(tpmpem);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "efivars", required_argument, NULL, OPT_EFIVARS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct igos_verb verbs[] = {
		{ "new", cmd_new },
		{ "import", cmd_import },
		{ "delete", cmd_delete },
		{ "revoke", cmd_revoke },
		{ "list", cmd_list },
		{ "pending", cmd_pending },
		{ "test", cmd_test },
		{ "sb-state", cmd_sbstate },
		{ "reset", cmd_reset },
		{ "trust-mok", cmd_trust },
		{ "untrust-mok", cmd_untrust },
		{ "validation", cmd_validation },
		{ "timeout", cmd_timeout },
		{ "verbose", cmd_verbose },
		{ "sbat-policy", cmd_sbat_policy },
		{ "sbat", cmd_sbat },
		{ NULL, NULL },
	};
	int c;

	igos_cli_init("igos-mok", usage, NULL);
	/* --efivars may come before the verb too */
	while ((c = igos_getopt(argc, argv, "+hVv", opts)) != -1)
		if (!common_opt(c))
			igos_usage_err("unknown option '%s'", igos_optname());
	if (optind >= argc)
		return igos_cli_verbs(1, argv, verbs);
	return igos_cli_verbs(argc - optind + 1, argv + optind - 1, verbs);
}
