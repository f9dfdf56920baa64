/*
 * igos-bootcheck: what would Secure Boot say? Follows the boot path from the
 * firmware's variables and the ESP (boot entry -> shim -> GRUB -> UKIs ->
 * their .pcrsig and verity root-hash signature) and judges every link by the
 * rules of the component that enforces it, whether Secure Boot is on or not.
 * Reads only.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "igos.h"
#include "efivar.h"
#include "pcr.h"
#include "sbat.h"
#include "secboot.h"

#define PROG "igos-bootcheck"
#define DEFAULT_EFIVARS "/sys/firmware/efi/efivars"
#define REMOVABLE_PATH "EFI/BOOT/BOOTX64.EFI"
#define SECOND_STAGE "grubx64.efi"
#define UKI_DIR "EFI/Linux"
#define MSDOS_MAGIC 0x4d44
#define PATHMAX 1024

static int json;

static void
usage(FILE *f)
{
	fprintf(f, "usage: " PROG " [-e|--esp DIR] [-E|--efivars DIR] [-j|--json] [-v|--verbose]\n"
		   "       " PROG " -h|--help | -V|--version\n");
}

/* ---- output escaping: names and subjects come from files ------------------- */

static const char *
esc(const char *s)
{
	static char buf[4][2048];
	static int k;
	char *o = buf[k = (k + 1) % 4];
	size_t n = 0;

	for (; *s && n + 5 < sizeof(buf[0]); s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '\\') {
			if (c == '\\')
				n += (size_t)snprintf(o + n, 5, "\\\\");
			else
				n += (size_t)snprintf(o + n, 5, "\\x%02x", c);
		} else {
			o[n++] = (char)c;
		}
	}
	o[n] = '\0';
	return o;
}

/* ---- the links ----------------------------------------------------------------- */

enum verdict { V_PASS, V_REFUSED, V_NOTCHECKED };

struct link {
	char file[PATHMAX];
	const char *part;      /* NULL: the image itself; ".pcrsig", "roothash" */
	const char *judge;     /* "firmware", "shim", "GRUB", "TPM", "kernel" */
	enum verdict verdict;
	enum igos_sb_reason reason;
	int fatal;             /* "not checked" here means the path cannot be followed */
	char why[2048];
	char signer[256];
	char store[64];
	size_t entry;
	char entry_what[256];
};

/* each link allocated on its own: a pointer to one stays valid as more come */
static struct link **links;
static size_t nlinks;

static struct link *
link_new(const char *file, const char *part, const char *judge)
{
	struct link *l, **nl;

	if ((nl = realloc(links, (nlinks + 1) * sizeof(*links))) == NULL ||
	    (l = calloc(1, sizeof(*l))) == NULL)
		igos_die("cannot allocate: %s", strerror(errno));
	links = nl;
	links[nlinks++] = l;
	snprintf(l->file, sizeof(l->file), "%s", file);
	l->part = part;
	l->judge = judge;
	return l;
}

static void
link_set(struct link *l, enum verdict v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
link_set(struct link *l, enum verdict v, const char *fmt, ...)
{
	va_list ap;

	l->verdict = v;
	va_start(ap, fmt);
	vsnprintf(l->why, sizeof(l->why), fmt, ap);
	va_end(ap);
}

static void
link_from_verdict(struct link *l, const struct igos_sb_verdict *v)
{
	l->verdict = v->reason == IGOS_SB_PASS ? V_PASS : V_REFUSED;
	l->reason = v->reason;
	snprintf(l->why, sizeof(l->why), "%s", v->detail);
	snprintf(l->signer, sizeof(l->signer), "%s", v->signer);
	snprintf(l->store, sizeof(l->store), "%s", v->store);
	l->entry = v->entry;
	snprintf(l->entry_what, sizeof(l->entry_what), "%s", v->entry_what);
}

static void
print_link(const struct link *l)
{
	printf("%s%s%s: ", esc(l->file), l->part ? " " : "", l->part ? l->part : "");
	switch (l->verdict) {
	case V_PASS:
		printf("passes (%s)", l->judge);
		if (igos_verbose && l->why[0])
			printf(": %s", esc(l->why));
		break;
	case V_REFUSED:
		printf("refused by %s", l->judge);
		if (l->part == NULL)
			printf(": %s", igos_sb_reason_str(l->reason));
		if (l->why[0])
			printf(": %s", esc(l->why));
		break;
	case V_NOTCHECKED:
		printf("not checked: %s", esc(l->why));
		break;
	}
	if (l->signer[0])
		printf("; signer '%s'", esc(l->signer));
	if (l->store[0] && l->verdict == V_PASS) {
		printf("; trusted by %s", esc(l->store));
		if (l->entry)
			printf(" entry %zu", l->entry);
		if (l->entry_what[0])
			printf(" '%s'", esc(l->entry_what));
	}
	putchar('\n');
}

static void
link_oneline(const struct link *l, char *out, size_t size)
{
	if (l->verdict == V_REFUSED)
		snprintf(out, size, "%s%s%s: refused by %s: %s%s%s", esc(l->file), l->part ? " " : "",
			 l->part ? l->part : "", l->judge,
			 l->part ? "" : igos_sb_reason_str(l->reason),
			 l->part || !l->why[0] ? "" : ": ", esc(l->why));
	else
		snprintf(out, size, "%s%s%s: not checked: %s", esc(l->file), l->part ? " " : "",
			 l->part ? l->part : "", esc(l->why));
}

/* ---- the firmware's variables ---------------------------------------------------- */

static const char *efivars = DEFAULT_EFIVARS;
/* --efivars as given (efivars keeps the default otherwise) */
static const char *efivars_opt;

struct state {
	int sb, setup, moksb, trusted, ignoredb, policy; /* -1 absent */
	struct igos_sb_store pk, kek, db, dbx, mok, mokx;
	unsigned char *sbatrt;
	size_t sbatrtlen;
	int sbatrt_present;
	uint16_t *order;
	size_t norder;
	int current; /* -1 absent */
};

/* 0 present, 1 absent; a variable that cannot be read is an error. */
static int
var(const char *name, const unsigned char *guid, unsigned char **d, size_t *n)
{
	uint32_t attr;
	int r = igos_efivar_read(efivars, name, guid, &attr, d, n);

	if (r < 0)
		igos_die("%s", igos_errmsg());
	return r == IGOS_EFIVAR_ABSENT;
}

/* A one-byte variable: its value, or -1 when absent. */
static int
var1(const char *name, const unsigned char *guid)
{
	unsigned char *d;
	size_t n;
	int v;

	if (var(name, guid, &d, &n))
		return -1;
	if (n != 1) {
		free(d);
		igos_die("%s: %zu bytes, expected 1", name, n);
	}
	v = d[0];
	free(d);
	return v;
}

static void
store(struct igos_sb_store *st, const char *name, const unsigned char *guid, int deny)
{
	unsigned char *d = NULL;
	size_t n = 0;
	int absent = var(name, guid, &d, &n);

	if (igos_sb_store_esl(st, name, d, n) < 0)
		igos_die("%s", igos_errmsg());
	st->present = !absent;
	free(d);
	if (st->bad[0]) {
		/* a deny list read in part could let through what the firmware
		 * stops: no judgement then; an allow list read in part only
		 * trusts less */
		if (deny)
			igos_die("%s: %s: revocations cannot be judged", name, st->bad);
		igos_warn("%s: %s: the lists after it are not used", name, st->bad);
	}
}

/* MokListRT, MokListRT1, MokListRT2, ...: shim splits long lists. */
static void
store_split(struct igos_sb_store *st, const char *name, int deny)
{
	unsigned char *all = NULL, *d;
	size_t len = 0, n;
	int present = 0;

	for (int i = 0; i < 64; i++) {
		char nm[64];

		if (i)
			snprintf(nm, sizeof(nm), "%s%d", name, i);
		else
			snprintf(nm, sizeof(nm), "%s", name);
		if (var(nm, igos_guid_shim, &d, &n))
			break;
		present = 1;
		if (n) {
			unsigned char *na = realloc(all, len + n);

			if (na == NULL)
				igos_die("cannot allocate: %s", strerror(errno));
			all = na;
			memcpy(all + len, d, n);
			len += n;
		}
		free(d);
	}
	if (igos_sb_store_esl(st, name, all, len) < 0)
		igos_die("%s", igos_errmsg());
	st->present = present;
	free(all);
	if (st->bad[0]) {
		if (deny)
			igos_die("%s: %s: revocations cannot be judged", name, st->bad);
		igos_warn("%s: %s: the lists after it are not used", name, st->bad);
	}
}

static void
read_state(struct state *s)
{
	unsigned char *d;
	size_t n;

	if (igos_efivar_dir_check(efivars, 0) < 0)
		igos_die("%s", igos_errmsg());
	s->sb = var1("SecureBoot", igos_guid_global);
	s->setup = var1("SetupMode", igos_guid_global);
	s->moksb = var1("MokSBStateRT", igos_guid_shim);
	s->trusted = var1("MokListTrustedRT", igos_guid_shim);
	s->ignoredb = var1("MokIgnoreDB", igos_guid_shim);
	s->policy = var1("SbatPolicy", igos_guid_shim);
	store(&s->pk, "PK", igos_guid_global, 0);
	store(&s->kek, "KEK", igos_guid_global, 0);
	store(&s->db, "db", igos_guid_security, 0);
	store(&s->dbx, "dbx", igos_guid_security, 1);
	store_split(&s->mok, "MokListRT", 0);
	store_split(&s->mokx, "MokListXRT", 1);
	s->sbatrt_present = !var("SbatLevelRT", igos_guid_shim, &s->sbatrt, &s->sbatrtlen);
	s->current = -1;
	if (!var("BootCurrent", igos_guid_global, &d, &n)) {
		if (n != 2)
			igos_die("BootCurrent: %zu bytes, expected 2", n);
		s->current = igos_le16(d);
		free(d);
	}
	if (!var("BootOrder", igos_guid_global, &d, &n)) {
		if (igos_bootorder_parse(d, n, &s->order, &s->norder) < 0)
			igos_die("%s", igos_errmsg());
		free(d);
	}
}

static void
state_free(struct state *s)
{
	igos_sb_store_free(&s->pk);
	igos_sb_store_free(&s->kek);
	igos_sb_store_free(&s->db);
	igos_sb_store_free(&s->dbx);
	igos_sb_store_free(&s->mok);
	igos_sb_store_free(&s->mokx);
	free(s->sbatrt);
	free(s->order);
}

/* ---- the ESP ------------------------------------------------------------------------- */

static const char *esp;
static int resolve_enoent; /* the last esp_resolve failed on a name not there */

/*
 * Resolve rel under the ESP as FAT firmware does: each component matched
 * exactly, else without regard to case. The path found (in its real case)
 * goes to out. 0 found, -1 with a message.
 */
static int
esp_resolve(const char *rel, char *out, size_t size, int want_dir)
{
	char comp[256], cur[PATHMAX];
	const char *p = rel;
	struct stat st;

	snprintf(cur, sizeof(cur), "%s", esp);
	out[0] = '\0';
	resolve_enoent = 0;
	while (*p) {
		size_t n = strcspn(p, "/");
		char try[PATHMAX + 256];
		DIR *dir;
		struct dirent *de;
		int found = 0;

		if (n == 0) {
			p++;
			continue;
		}
		if (n >= sizeof(comp))
			return igos_seterr("'%s': name too long", rel);
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		snprintf(try, sizeof(try), "%s/%s", cur, comp);
		if (lstat(try, &st) < 0) {
			if (errno != ENOENT)
				return igos_seterr_errno("cannot open '%s'", try);
			if ((dir = opendir(cur)) == NULL)
				return igos_seterr_errno("cannot open '%s'", cur);
			while ((de = readdir(dir)) != NULL)
				if (!strcasecmp(de->d_name, comp)) {
					snprintf(comp, sizeof(comp), "%s", de->d_name);
					found = 1;
					break;
				}
			closedir(dir);
			if (!found) {
				resolve_enoent = 1;
				errno = ENOENT;
				return igos_seterr_errno("cannot open '%s/%s'", cur, comp);
			}
			snprintf(try, sizeof(try), "%s/%s", cur, comp);
		}
		if (strlen(out) + strlen(comp) + 2 > size)
			return igos_seterr("'%s': path too long", rel);
		if (out[0])
			strcat(out, "/");
		strcat(out, comp);
		if (strlen(try) >= sizeof(cur))
			return igos_seterr("'%s': path too long", rel);
		memcpy(cur, try, strlen(try) + 1);
	}
	/* follows symbolic links, as a copy of an ESP may have them; a loop
	 * is an error here like any other */
	if (stat(cur, &st) < 0)
		return igos_seterr_errno("cannot open '%s'", cur);
	if (want_dir && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return igos_seterr_errno("cannot open '%s'", cur);
	}
	if (!want_dir && !S_ISREG(st.st_mode))
		return igos_seterr("cannot read '%s': not a regular file", cur);
	return 0;
}

/* An image of the ESP, read (mapped) once. */
struct file {
	char rel[PATHMAX];
	struct igos_buf b;
	int ok;
	char err[PATHMAX + 128];
	int missing;
};

static void
file_read(struct file *f, const char *rel)
{
	char full[2 * PATHMAX];

	memset(f, 0, sizeof(*f));
	snprintf(f->rel, sizeof(f->rel), "%s", rel);
	if (esp_resolve(rel, f->rel, sizeof(f->rel), 0) < 0) {
		snprintf(f->rel, sizeof(f->rel), "%s", rel);
		f->missing = resolve_enoent;
		snprintf(f->err, sizeof(f->err), "%s", igos_errmsg());
		return;
	}
	snprintf(full, sizeof(full), "%s/%s", esp, f->rel);
	if (igos_buf_read(&f->b, full, 0) < 0) {
		snprintf(f->err, sizeof(f->err), "%s", igos_errmsg());
		return;
	}
	f->ok = 1;
}

static void
file_free(struct file *f)
{
	if (f->ok)
		igos_buf_free(&f->b);
	f->ok = 0;
}

static int
esp_exists(const char *rel)
{
	char out[PATHMAX];

	return esp_resolve(rel, out, sizeof(out), 0) == 0;
}

/* The ESP as kernel-install finds it: /efi, /boot/efi, /boot, a FAT file
 * system holding an EFI directory. */
static const char *
find_esp(void)
{
	static const char *const cand[] = { "/efi", "/boot/efi", "/boot" };

	for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		char p[64];
		struct statfs sf;
		struct stat st;

		snprintf(p, sizeof(p), "%s/EFI", cand[i]);
		if (statfs(cand[i], &sf) == 0 && sf.f_type == MSDOS_MAGIC &&
		    stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			return cand[i];
	}
	igos_die("no ESP found at /efi, /boot/efi or /boot (give --esp DIR)");
}

/* ---- SBAT ------------------------------------------------------------------------------- */

struct level {
	struct igos_sbat s;
	char source[160];
	int ok;
	char err[512];
};

/* .sbat of an image against the level, as shim's verify_buffer_sbat. 0 passes. */
static int
sbat_judge(const struct igos_sb_image *im, const struct level *lv, int required,
	   struct link *l)
{
	const unsigned char *p;
	size_t len, ir, jr;
	struct igos_sbat s;
	int r;

	if (!lv->ok)
		return 0;
	if (lv->s.n == 0)
		return 0; /* shim checks nothing against an empty level */
	r = igos_sbat_find(&im->pe, &p, &len);
	if (r < 0 || (r == IGOS_SBAT_NONE && required)) {
		l->verdict = V_REFUSED;
		l->reason = IGOS_SB_NO_SBAT;
		snprintf(l->why, sizeof(l->why), "%s", r < 0 ? igos_errmsg() :
			 "no .sbat section: shim requires one in the image it starts");
		return -1;
	}
	if (r == IGOS_SBAT_NONE)
		return 0; /* verified through shim's protocol: optional */
	if (igos_sbat_parse(&s, p, len) < 0) {
		l->verdict = V_REFUSED;
		l->reason = IGOS_SB_NO_SBAT;
		snprintf(l->why, sizeof(l->why), "shim cannot parse it: %s", igos_errmsg());
		return -1;
	}
	if (igos_sbat_check(&s, &lv->s, &ir, &jr) == 1) {
		l->verdict = V_REFUSED;
		l->reason = IGOS_SB_SBAT;
		snprintf(l->why, sizeof(l->why), "%s,%s is below %s,%s (%s)",
			 s.e[ir].f[IGOS_SBAT_COMPONENT], s.e[ir].f[IGOS_SBAT_GENERATION],
			 lv->s.e[jr].f[IGOS_SBAT_COMPONENT], lv->s.e[jr].f[IGOS_SBAT_GENERATION],
			 lv->source);
		igos_sbat_free(&s);
		return -1;
	}
	if (igos_verbose)
		for (size_t i = 0; i < s.n; i++)
			if (!s.e[i].gen_exact)
				printf("note: %s .sbat line %u: generation '%s' is read by shim as %u\n",
				       "image", s.e[i].line, esc(s.e[i].f[IGOS_SBAT_GENERATION]),
				       s.e[i].gen);
	igos_sbat_free(&s);
	return 0;
}

/* The SbatLevel shim applies at its next start: the one in NVRAM (seen as
 * SbatLevelRT) if shim keeps it, else shim's own "previous" text ("latest"
 * when SbatPolicy asks for it). */
static void
level_find(struct level *lv, const struct state *st, const struct igos_sbatlevel *sl, int have_sl)
{
	const char *cand = NULL;
	size_t candlen = 0;
	const char *cname = "previous";

	memset(lv, 0, sizeof(*lv));
	if (have_sl) {
		cand = sl->previous;
		candlen = sl->previous_len;
		if (st->policy == 1) {
			cand = sl->latest;
			candlen = sl->latest_len;
			cname = "latest";
		}
	}
	if (st->sbatrt_present && (cand == NULL ||
				   igos_sbat_level_kept(st->sbatrt, st->sbatrtlen, cand, candlen))) {
		if (igos_sbat_level_parse(&lv->s, st->sbatrt, st->sbatrtlen) < 0) {
			snprintf(lv->err, sizeof(lv->err), "SbatLevelRT: %s", igos_errmsg());
			return;
		}
		snprintf(lv->source, sizeof(lv->source), "SbatLevel in NVRAM, seen as SbatLevelRT");
	} else if (cand) {
		if (igos_sbat_level_parse(&lv->s, cand, candlen) < 0) {
			snprintf(lv->err, sizeof(lv->err), "shim's .sbatlevel: %s", igos_errmsg());
			return;
		}
		snprintf(lv->source, sizeof(lv->source), "shim's own %s SbatLevel%s", cname,
			 st->sbatrt_present ? ", newer than SbatLevelRT" : ", no SbatLevelRT");
	} else {
		snprintf(lv->source, sizeof(lv->source), "none");
	}
	lv->ok = 1;
}

/* ---- UKI internals: .pcrsig (in a second thread) and the root hash ----------------- */

struct pcrjob {
	const unsigned char *data;
	size_t len;
	unsigned banks;
	struct igos_pcr_input in;
	int rc;
	char err[512];
	pthread_t t;
	int started;
};

static void *
pcr_worker(void *arg)
{
	struct pcrjob *j = arg;

	igos_pcr_input_init(&j->in, j->banks);
	j->rc = igos_pcr_input_from_uki(&j->in, j->data, j->len, 0, NULL);
	if (j->rc < 0)
		snprintf(j->err, sizeof(j->err), "%s", igos_errmsg());
	return NULL;
}

/* A section's bytes as loaded (VirtualSize, bounded by the raw data), with
 * trailing NULs dropped. */
static const unsigned char *
section(const struct igos_pe *pe, const char *name, size_t *len)
{
	const struct igos_pe_section *s = igos_pe_section(pe, name);
	size_t n;

	if (s == NULL)
		return NULL;
	n = s->vsize < s->raw_size ? s->vsize : s->raw_size;
	while (n && pe->data[s->raw_off + n - 1] == '\0')
		n--;
	*len = n;
	return pe->data + s->raw_off;
}

struct uki {
	struct igos_pcrsig ps;
	int have_ps, ps_bad;
	char ps_err[512];
	struct pcrjob job;
};

/* Before the image is hashed: parse .pcrsig and start the PCR 11 prediction
 * beside the Authenticode hash (two digests, one read of the file). */
static void
uki_start(struct uki *u, const struct igos_sb_image *im)
{
	const unsigned char *p;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (!im->pe_ok || (p = section(&im->pe, ".pcrsig", &n)) == NULL)
		return;
	u->have_ps = 1;
	if (igos_pcrsig_parse(&u->ps, (const char *)p, n) < 0) {
		u->ps_bad = 1;
		snprintf(u->ps_err, sizeof(u->ps_err), "%s", igos_errmsg());
		return;
	}
	for (size_t i = 0; i < u->ps.n; i++)
		u->job.banks |= 1u << u->ps.e[i].bank;
	u->job.data = im->data;
	u->job.len = im->len;
	if (pthread_create(&u->job.t, NULL, pcr_worker, &u->job) == 0)
		u->job.started = 1;
	else
		pcr_worker(&u->job);
}

static void
uki_pcrsig(struct uki *u, const struct igos_sb_image *im, const char *rel)
{
	struct link *l;
	const unsigned char *p;
	size_t n, *matched = NULL;
	EVP_PKEY *pub;

	if (u->job.started) {
		pthread_join(u->job.t, NULL);
		u->job.started = 0;
	}
	l = link_new(rel, ".pcrsig", "TPM");
	if (!u->have_ps) {
		link_set(l, V_NOTCHECKED, "no .pcrsig section (nothing sealed to a signed PCR 11 policy)");
		return;
	}
	if (u->ps_bad) {
		link_set(l, V_REFUSED, "cannot parse .pcrsig: %s", u->ps_err);
		return;
	}
	if (u->job.rc < 0) {
		link_set(l, V_REFUSED, "cannot predict PCR 11: %s", u->job.err);
		goto out;
	}
	if ((p = section(&im->pe, ".pcrpkey", &n)) == NULL) {
		link_set(l, V_REFUSED, "no .pcrpkey: the stub hands no key on to check .pcrsig with");
		goto out;
	}
	if ((pub = igos_pcr_pubkey_parse(p, n)) == NULL) {
		link_set(l, V_REFUSED, ".pcrpkey: %s", igos_errmsg());
		goto out;
	}
	if ((matched = calloc(u->ps.n, sizeof(*matched))) == NULL)
		igos_die("cannot allocate: %s", strerror(errno));
	if (igos_pcrsig_verify(&u->ps, &u->job.in, NULL, 0, pub, matched) < 0)
		link_set(l, V_REFUSED, "signed policy does not match the predicted PCR 11: %s",
			 igos_errmsg());
	else
		link_set(l, V_PASS, "%zu signed polic%s for the predicted PCR 11, key in .pcrpkey",
			 u->ps.n, u->ps.n == 1 ? "y" : "ies");
	EVP_PKEY_free(pub);
	free(matched);
out:
	igos_pcrsig_free(&u->ps);
}

/* The value of roothash= on a command line, or NULL. */
static char *
cmdline_arg(const unsigned char *p, size_t n, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && !isspace(p[j]))
			j++;
		if (j - i > kl && !memcmp(p + i, key, kl))
			return strndup((const char *)p + i + kl, j - i - kl);
		while (j < n && isspace(p[j]))
			j++;
		i = j == i ? i + 1 : j;
	}
	return NULL;
}

static void
uki_roothash(const struct igos_sb_image *im, const char *rel, const struct state *st)
{
	const unsigned char *p;
	size_t n;
	char *rh, sigrel[PATHMAX], base[PATHMAX];
	struct link *l;
	struct file f;
	int require;

	if ((p = section(&im->pe, ".cmdline", &n)) == NULL || (rh = cmdline_arg(p, n, "roothash=")) == NULL)
		return; /* no verity root on this command line: nothing to check */
	require = 0;
	{
		char *v = cmdline_arg(p, n, "dm_verity.require_signatures=");

		require = v && (!strcmp(v, "1") || !strcmp(v, "Y") || !strcmp(v, "y"));
		free(v);
	}
	l = link_new(rel, "roothash", "kernel");
	snprintf(base, sizeof(base), "%s", rel);
	if (strlen(base) > 4 && !strcasecmp(base + strlen(base) - 4, ".efi"))
		base[strlen(base) - 4] = '\0';
	snprintf(sigrel, sizeof(sigrel), "%.*s.roothash.p7s", (int)(sizeof(sigrel) - 14), base);
	file_read(&f, sigrel);
	if (!f.ok) {
		if (f.missing && require)
			link_set(l, V_REFUSED, "dm_verity.require_signatures=1 but no %s", esc(sigrel));
		else if (f.missing)
			link_set(l, V_NOTCHECKED, "no root-hash signature %s installed", esc(sigrel));
		else
			link_set(l, V_NOTCHECKED, "%s", f.err);
		free(rh);
		return;
	}
	{
		STACK_OF(X509) *certs = sk_X509_new_null();
		size_t hit = 0;
		int ok = 0;

		/* the kernel checks dm-verity signatures against its built-in and
		 * secondary keyrings; MOKs are in the latter when MokListTrustedRT
		 * says so. The built-in keys cannot be seen from here. */
		for (size_t i = 0; certs && st->trusted == 1 && i < st->mok.n && !ok; i++) {
			if (st->mok.s[i].x509 == NULL)
				continue;
			sk_X509_zero(certs);
			sk_X509_push(certs, st->mok.s[i].x509);
			if (igos_p7_verify_detached(f.b.data, f.b.len, (const unsigned char *)rh,
						    strlen(rh), certs) == 0) {
				ok = 1;
				hit = i;
			}
			igos_ssl_clear();
		}
		sk_X509_free(certs);
		if (ok) {
			link_set(l, V_PASS, "%s signs roothash=%.16s...", esc(f.rel), rh);
			snprintf(l->store, sizeof(l->store), "MokListRT");
			l->entry = hit + 1;
			snprintf(l->entry_what, sizeof(l->entry_what), "%s", st->mok.s[hit].subject);
		} else {
			struct igos_ac_siginfo si;

			if (igos_ac_siginfo(f.b.data, f.b.len, NULL, &si) < 0)
				link_set(l, V_REFUSED, "%s is not a PKCS#7 signature: %s", esc(f.rel),
					 igos_errmsg());
			else
				link_set(l, V_NOTCHECKED, "%s (issuer '%s') verifies with no MokList key%s; "
					 "the kernel's built-in keys cannot be read from here", esc(f.rel),
					 esc(si.issuer), st->trusted == 1 ? "" : " (MokListTrustedRT not set)");
			igos_ssl_clear();
		}
	}
	file_free(&f);
	free(rh);
}

/* ---- judging images --------------------------------------------------------------- */

struct ctx {
	struct state st;
	struct igos_sb_store vendor_cert, vendor_db, vendor_dbx;
	int have_vendor;
	struct level level;
	int level_set;
};

static int
is_uki(const struct igos_sb_image *im)
{
	return im->pe_ok && igos_pe_section(&im->pe, ".linux") != NULL;
}

static int
is_shim(const struct igos_sb_image *im)
{
	return im->pe_ok && igos_pe_section(&im->pe, ".vendor_cert") != NULL &&
	       igos_pe_section(&im->pe, ".sbat") != NULL;
}

/* shim mirrors its vendor certificate into MokListRT: say so */
static void
name_vendor(struct ctx *c, struct link *l)
{
	const struct igos_sb_sig *m, *v;

	if (strcmp(l->store, "MokListRT") || l->entry == 0 || l->entry > c->st.mok.n ||
	    !c->vendor_cert.present)
		return;
	m = &c->st.mok.s[l->entry - 1];
	v = &c->vendor_cert.s[0];
	if (m->len == v->len && !memcmp(m->data, v->data, m->len)) {
		snprintf(l->store, sizeof(l->store), "shim's vendor certificate (in MokListRT)");
		l->entry = 0;
	}
}

static void
judge_fw(struct ctx *c, struct igos_sb_image *im, struct link *l)
{
	struct igos_sb_verdict v;

	if (igos_sb_judge_firmware(im, &c->st.db, &c->st.dbx, &v) < 0)
		igos_die("%s", igos_errmsg());
	link_from_verdict(l, &v);
}

/* shim's verify_buffer: signature rules, then SBAT (required for the image
 * shim starts itself, optional through its protocol). */
static void
judge_shim(struct ctx *c, struct igos_sb_image *im, struct link *l, int sbat_required)
{
	struct igos_sb_shim_stores s = {
		.db = &c->st.db, .dbx = &c->st.dbx, .mok = &c->st.mok, .mokx = &c->st.mokx,
		.vendor_db = c->vendor_db.present ? &c->vendor_db : NULL,
		.vendor_dbx = c->vendor_dbx.present ? &c->vendor_dbx : NULL,
		.vendor_cert = c->vendor_cert.present ? &c->vendor_cert : NULL,
		.ignore_db = c->st.ignoredb == 1,
	};
	struct igos_sb_verdict v;

	if (igos_sb_judge_shim(im, &s, &v) < 0)
		igos_die("%s", igos_errmsg());
	link_from_verdict(l, &v);
	name_vendor(c, l);
	if (l->verdict == V_PASS)
		sbat_judge(im, &c->level, sbat_required, l);
}

/* Read shim's own trust: vendor certificate or db, vendor dbx, .sbatlevel. */
static void
shim_setup(struct ctx *c, struct igos_sb_image *im, struct link *l)
{
	struct igos_shim_vendor sv;
	struct igos_sbatlevel sl;
	const struct igos_pe_section *s;
	int have_sl = 0;

	if ((s = igos_pe_section(&im->pe, ".vendor_cert")) != NULL) {
		size_t n = s->vsize < s->raw_size ? s->vsize : s->raw_size;

		if (igos_shim_vendor_parse(im->data + s->raw_off, n, &sv) < 0) {
			link_set(l, V_REFUSED, "shim's %s", igos_errmsg());
			l->judge = "shim";
			l->reason = IGOS_SB_MALFORMED;
			return;
		}
		if (sv.auth && sv.auth_is_cert) {
			if (igos_sb_store_cert(&c->vendor_cert, "shim's vendor certificate", sv.auth,
					       sv.authlen) < 0)
				igos_die("%s", igos_errmsg());
		} else if (sv.auth && igos_sb_store_esl(&c->vendor_db, "shim's vendor db", sv.auth,
							 sv.authlen) < 0) {
			igos_die("%s", igos_errmsg());
		}
		if (sv.deauth && igos_sb_store_esl(&c->vendor_dbx, "shim's vendor dbx", sv.deauth,
						   sv.deauthlen) < 0)
			igos_die("%s", igos_errmsg());
		if (c->vendor_dbx.bad[0])
			igos_die("shim's vendor dbx: %s: revocations cannot be judged", c->vendor_dbx.bad);
		c->have_vendor = 1;
	}
	if ((s = igos_pe_section(&im->pe, ".sbatlevel")) != NULL) {
		size_t n = s->vsize < s->raw_size ? s->vsize : s->raw_size;

		if (igos_sbatlevel_parse(im->data + s->raw_off, n, &sl) < 0)
			igos_die("'%s': shim's %s", l->file, igos_errmsg());
		have_sl = 1;
	}
	level_find(&c->level, &c->st, &sl, have_sl);
	c->level_set = 1;
	if (!c->level.ok) {
		/* shim stops with "Parsing SbatLevel variable failed" */
		if (l->verdict == V_PASS) {
			l->judge = "shim";
			l->verdict = V_REFUSED;
			l->reason = IGOS_SB_NO_SBAT;
			snprintf(l->why, sizeof(l->why), "%s: shim stops before loading anything",
				 c->level.err);
		}
		return;
	}
	/* shim's self-check: its own .sbat against the level it applies */
	if (l->verdict == V_PASS) {
		struct link self = *l;

		if (sbat_judge(im, &c->level, 0, &self) < 0) {
			*l = self;
			l->judge = "shim";
			snprintf(l->why + strlen(l->why), sizeof(l->why) - strlen(l->why),
				 "; shim's self-check stops it");
		}
	}
}

static void
uki_judge(struct ctx *c, const char *rel, struct igos_sb_image *im, struct link *l,
	  int by_shim, int sbat_required)
{
	struct uki u;

	uki_start(&u, im);
	if (by_shim)
		judge_shim(c, im, l, sbat_required);
	else
		judge_fw(c, im, l);
	if (!im->pe_ok) {
		if (u.job.started)
			pthread_join(u.job.t, NULL);
		return;
	}
	uki_pcrsig(&u, im, rel);
	uki_roothash(im, rel, &c->st);
}

/* The UKIs in EFI/Linux, each judged by GRUB through shim's verifier or by
 * the firmware (started by a loader that uses LoadImage). */
static void
ukis(struct ctx *c, const char *loader_judge, int by_shim)
{
	char dir[PATHMAX], full[2 * PATHMAX];
	struct dirent **names = NULL;
	int n;
	struct link *l;

	if (esp_resolve(UKI_DIR, dir, sizeof(dir), 1) < 0) {
		l = link_new(UKI_DIR, NULL, loader_judge);
		l->verdict = V_REFUSED;
		l->reason = IGOS_SB_MISSING;
		snprintf(l->why, sizeof(l->why), "no UKI to start: %s", igos_errmsg());
		return;
	}
	snprintf(full, sizeof(full), "%s/%s", esp, dir);
	if ((n = scandir(full, &names, NULL, alphasort)) < 0) {
		l = link_new(dir, NULL, loader_judge);
		l->verdict = V_REFUSED;
		l->reason = IGOS_SB_MISSING;
		snprintf(l->why, sizeof(l->why), "cannot read '%.1500s': %s", full, strerror(errno));
		return;
	}
	size_t found = 0;

	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		size_t len = strlen(nm);
		char rel[PATHMAX];
		struct file f;
		struct igos_sb_image im;

		if (len < 5 || strcasecmp(nm + len - 4, ".efi") || nm[0] == '.') {
			free(names[i]);
			continue;
		}
		found++;
		snprintf(rel, sizeof(rel), "%.*s/%s", PATHMAX / 2, dir, nm);
		free(names[i]);
		l = link_new(rel, NULL, loader_judge);
		file_read(&f, rel);
		if (!f.ok) {
			l->verdict = V_NOTCHECKED;
			l->fatal = 1;
			snprintf(l->why, sizeof(l->why), "%s", f.err);
			continue;
		}
		igos_sb_image_init(&im, f.b.data, f.b.len);
		uki_judge(c, rel, &im, l, by_shim, 0);
		/* uki_judge may have grown links */
		file_free(&f);
	}
	free(names);
	if (found == 0) {
		l = link_new(dir, NULL, loader_judge);
		l->verdict = V_REFUSED;
		l->reason = IGOS_SB_MISSING;
		snprintf(l->why, sizeof(l->why), "no UKI (*.efi) to start");
	}
}

/* ---- the boot entry ------------------------------------------------------------------ */

struct entry {
	char path[PATHMAX];
	char name[16];
	char desc[256];
	int from_order;
};

static void
boot_entry(const struct state *st, struct entry *e)
{
	size_t cur_at = st->norder;

	memset(e, 0, sizeof(*e));
	/* where the entry booted now (BootCurrent) stands in BootOrder */
	for (size_t i = 0; st->current >= 0 && i < st->norder; i++)
		if (st->order[i] == st->current) {
			cur_at = i;
			break;
		}
	for (size_t i = 0; i < st->norder; i++) {
		char nm[16];
		unsigned char *d;
		size_t n;
		struct igos_loadopt lo;
		const char *path;

		snprintf(nm, sizeof(nm), "Boot%04X", st->order[i]);
		if (var(nm, igos_guid_global, &d, &n)) {
			if (igos_verbose)
				printf("note: %s is in BootOrder but not set\n", nm);
			continue;
		}
		if (igos_loadopt_parse(d, n, &lo) < 0) {
			igos_warn("%s: %s: skipped, as the firmware skips it", nm, igos_errmsg());
			free(d);
			continue;
		}
		free(d);
		if (!(lo.attributes & IGOS_LOAD_OPTION_ACTIVE)) {
			if (igos_verbose)
				printf("note: %s '%s' is not active\n", nm, esc(lo.desc));
			continue;
		}
		if (lo.kind == IGOS_LO_FILE) {
			path = lo.path;
		} else if (lo.kind == IGOS_LO_REMOVABLE && i < cur_at && cur_at < st->norder) {
			/* a device entry the firmware passed over to reach
			 * BootCurrent: another device, without bootable media
			 * at this boot (an empty DVD drive) */
			if (igos_verbose)
				printf("note: %s '%s' comes before BootCurrent: taken as another "
				       "device\n", nm, esc(lo.desc));
			continue;
		} else if (lo.kind == IGOS_LO_REMOVABLE) {
			path = REMOVABLE_PATH;
		} else {
			if (igos_verbose)
				printf("note: %s '%s' is not on a disk (%s)\n", nm, esc(lo.desc),
				       lo.kind == IGOS_LO_FIRMWARE ? "inside the firmware" :
				       lo.kind == IGOS_LO_NETWORK ? "network" : "other device");
			continue;
		}
		if (!esp_exists(path)) {
			if (igos_verbose)
				printf("note: %s '%s': %s is not on this ESP\n", nm, esc(lo.desc),
				       esc(path));
			continue;
		}
		snprintf(e->path, sizeof(e->path), "%s", path);
		snprintf(e->name, sizeof(e->name), "%s", nm);
		snprintf(e->desc, sizeof(e->desc), "%s", lo.desc);
		e->from_order = 1;
		return;
	}
	snprintf(e->path, sizeof(e->path), "%s", REMOVABLE_PATH);
}

/* ---- the chain --------------------------------------------------------------------- */

static void
chain(struct ctx *c, const struct entry *e)
{
	struct file f1, f2;
	struct igos_sb_image im1, im2;
	struct link *l;
	char dir[PATHMAX], rel2[PATHMAX];
	char *slash;

	l = link_new(e->path, NULL, "firmware");
	file_read(&f1, e->path);
	if (!f1.ok) {
		l->verdict = V_REFUSED;
		l->reason = IGOS_SB_MISSING;
		snprintf(l->why, sizeof(l->why), "%s", f1.err);
		return;
	}
	snprintf(l->file, sizeof(l->file), "%s", f1.rel);
	igos_sb_image_init(&im1, f1.b.data, f1.b.len);
	if (is_uki(&im1)) {
		uki_judge(c, f1.rel, &im1, l, 0, 0);
		file_free(&f1);
		return;
	}
	judge_fw(c, &im1, l);
	if (!is_shim(&im1)) {
		/* another loader (systemd-boot, ...) starts the UKIs through the
		 * firmware's LoadImage: the firmware judges them */
		file_free(&f1);
		if (l->verdict != V_PASS)
			return;
		if (igos_verbose)
			printf("note: %s is neither shim nor a UKI: taken as a loader that starts "
			       "%s/*.efi through the firmware\n", esc(l->file), UKI_DIR);
		ukis(c, "firmware", 0);
		return;
	}
	shim_setup(c, &im1, l);
	if (l->verdict != V_PASS) {
		file_free(&f1);
		return;
	}
	/* shim starts \grubx64.efi from its own directory */
	snprintf(dir, sizeof(dir), "%s", f1.rel);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		dir[0] = '\0';
	snprintf(rel2, sizeof(rel2), "%.*s%s" SECOND_STAGE, PATHMAX / 2, dir, dir[0] ? "/" : "");
	file_free(&f1);
	l = link_new(rel2, NULL, "shim");
	file_read(&f2, rel2);
	if (!f2.ok) {
		l->verdict = V_REFUSED;
		l->reason = IGOS_SB_MISSING;
		snprintf(l->why, sizeof(l->why), "%s", f2.err);
		return;
	}
	snprintf(l->file, sizeof(l->file), "%s", f2.rel);
	igos_sb_image_init(&im2, f2.b.data, f2.b.len);
	if (is_uki(&im2)) {
		uki_judge(c, f2.rel, &im2, l, 1, 1);
		file_free(&f2);
		return;
	}
	judge_shim(c, &im2, l, 1);
	file_free(&f2);
	if (l->verdict != V_PASS)
		return;
	/* GRUB asks shim's verifier about each UKI it starts */
	ukis(c, "GRUB", 1);
}

/* ---- report ------------------------------------------------------------------------- */

static const char *
tri(int v)
{
	return v < 0 ? "unknown" : v ? "on" : "off";
}

static json_object *
jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static int
report_json(struct ctx *c, const struct entry *e, long refusing)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array(), *x;
	const char *s;

	if (o == NULL || a == NULL)
		igos_die("cannot allocate");
	json_object_object_add(o, "secure_boot", c->st.sb < 0 ? NULL : json_object_new_boolean(c->st.sb == 1));
	json_object_object_add(o, "setup_mode", c->st.setup < 0 ? NULL : json_object_new_boolean(c->st.setup == 1));
	json_object_object_add(o, "shim_validation", c->st.moksb < 0 ? NULL :
			       json_object_new_boolean(c->st.moksb != 1));
	x = json_object_new_object();
	json_object_object_add(x, "variable", e->from_order ? jstr(e->name) : NULL);
	json_object_object_add(x, "description", e->from_order ? jstr(e->desc) : NULL);
	json_object_object_add(x, "path", jstr(e->path));
	json_object_object_add(o, "boot_entry", x);
	if (c->st.current >= 0) {
		char b[16];

		snprintf(b, sizeof(b), "Boot%04X", c->st.current);
		json_object_object_add(o, "boot_current", jstr(b));
	} else {
		json_object_object_add(o, "boot_current", NULL);
	}
	if (c->level_set && c->level.ok) {
		x = json_object_new_object();
		json_object *rows = json_object_new_array();

		json_object_object_add(x, "source", jstr(c->level.source));
		for (size_t i = 0; i < c->level.s.n; i++) {
			char row[256];

			snprintf(row, sizeof(row), "%.120s,%.120s", c->level.s.e[i].f[0],
				 c->level.s.e[i].f[1]);
			json_object_array_add(rows, jstr(row));
		}
		json_object_object_add(x, "rows", rows);
		json_object_object_add(o, "sbat_level", x);
	} else {
		json_object_object_add(o, "sbat_level", NULL);
	}
	for (size_t i = 0; i < nlinks; i++) {
		const struct link *l = links[i];

		x = json_object_new_object();
		json_object_object_add(x, "file", jstr(l->file));
		json_object_object_add(x, "part", l->part ? jstr(l->part) : NULL);
		json_object_object_add(x, "judge", jstr(l->judge));
		json_object_object_add(x, "verdict", jstr(l->verdict == V_PASS ? "passes" :
						       l->verdict == V_REFUSED ? "refused" : "not checked"));
		json_object_object_add(x, "reason", l->verdict == V_REFUSED && !l->part ?
				       jstr(igos_sb_reason_code(l->reason)) : NULL);
		json_object_object_add(x, "detail", jstr(l->why));
		json_object_object_add(x, "signer", l->signer[0] ? jstr(l->signer) : NULL);
		if (l->store[0] && l->verdict == V_PASS) {
			json_object *t = json_object_new_object();

			json_object_object_add(t, "store", jstr(l->store));
			json_object_object_add(t, "entry", l->entry ? json_object_new_int64((int64_t)l->entry) : NULL);
			json_object_object_add(t, "what", jstr(l->entry_what));
			json_object_object_add(x, "trusted_by", t);
		} else {
			json_object_object_add(x, "trusted_by", NULL);
		}
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "links", a);
	json_object_object_add(o, "passes", json_object_new_boolean(refusing < 0));
	json_object_object_add(o, "refusing_link", refusing < 0 ? NULL : json_object_new_int64(refusing));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	printf("%s\n", s);
	json_object_put(o);
	return 0;
}

static void
report_text(struct ctx *c, const struct entry *e)
{
	if (c->st.sb != 1)
		printf("secure boot: %s: every link judged as with it on\n", tri(c->st.sb));
	else
		printf("secure boot: on\n");
	if (c->st.setup == 1)
		printf("setup mode: on (no PK): the firmware enforces nothing until a PK is enrolled\n");
	if (c->st.moksb == 1)
		printf("shim validation: off (MokSBStateRT): shim and GRUB would start anything; "
		       "judged as if on\n");
	if (e->from_order)
		printf("boot entry: %s '%s' -> %s\n", e->name, esc(e->desc), esc(e->path));
	else
		printf("boot entry: none on this ESP in BootOrder: the removable path %s\n",
		       REMOVABLE_PATH);
	if (c->level_set && c->level.ok && igos_verbose) {
		printf("sbat level: %s:", esc(c->level.source));
		for (size_t i = 0; i < c->level.s.n; i++)
			printf(" %s,%s", esc(c->level.s.e[i].f[0]), esc(c->level.s.e[i].f[1]));
		putchar('\n');
	}
	if (igos_verbose) {
		const struct igos_sb_store *ss[] = { &c->st.pk, &c->st.kek, &c->st.db, &c->st.dbx,
						     &c->st.mok, &c->st.mokx };

		for (size_t i = 0; i < sizeof(ss) / sizeof(ss[0]); i++) {
			size_t certs = 0;

			for (size_t j = 0; j < ss[i]->n; j++)
				certs += ss[i]->s[j].kind == IGOS_SIG_X509;
			printf("store %s: %s, %zu entries (%zu certificates)\n", ss[i]->name,
			       ss[i]->present ? "set" : "absent", ss[i]->n, certs);
		}
	}
	for (size_t i = 0; i < nlinks; i++)
		print_link(links[i]);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "esp", required_argument, NULL, 'e' },
		{ "efivars", required_argument, NULL, 'E' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx c;
	struct entry e;
	long refusing = -1;
	int ch;

	igos_cli_init(PROG, usage, NULL);
	while ((ch = igos_getopt(argc, argv, "e:E:jvhV", opts)) != -1) {
		switch (ch) {
		case 'e':
			igos_opt_once(&esp, optarg);
			break;
		case 'E':
			igos_opt_once(&efivars_opt, optarg);
			efivars = optarg;
			break;
		case 'j':
			igos_flag_once(&json);
			break;
		default:
			igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (optind != argc)
		igos_usage_err("unexpected operand '%s'", argv[optind]);
	if (esp && !*esp)
		igos_usage_err("--esp: empty directory name");
	if (efivars_opt && !*efivars)
		igos_usage_err("--efivars: empty directory name");
	memset(&c, 0, sizeof(c));
	read_state(&c.st);
	if (!esp)
		esp = find_esp();
	{
		struct stat st;

		if (stat(esp, &st) < 0)
			igos_die("cannot open '%s': %s", esp, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			igos_die("cannot open '%s': Not a directory", esp);
	}
	boot_entry(&c.st, &e);
	chain(&c, &e);
	for (size_t i = 0; i < nlinks; i++)
		if (links[i]->verdict == V_REFUSED || (links[i]->verdict == V_NOTCHECKED && links[i]->fatal)) {
			refusing = (long)i;
			break;
		}
	if (json)
		report_json(&c, &e, refusing);
	else
		report_text(&c, &e);
	if (fflush(stdout) == EOF || ferror(stdout))
		igos_die("cannot write to stdout: %s", strerror(errno));
	if (refusing >= 0) {
		char line[2048];

		link_oneline(links[refusing], line, sizeof(line));
		fprintf(stderr, PROG ": %s\n", line);
	}
	state_free(&c.st);
	igos_sb_store_free(&c.vendor_cert);
	igos_sb_store_free(&c.vendor_db);
	igos_sb_store_free(&c.vendor_dbx);
	if (c.level_set)
		igos_sbat_free(&c.level.s);
	for (size_t i = 0; i < nlinks; i++)
		free(links[i]);
	free(links);
	return refusing >= 0 ? 1 : 0;
}
