/*
 * igos-index-verify: the client side of `pkm sync`. verify checks the index
 * signature, freshness and rollback against the pinned master keys and the
 * stored state, and commits the new state; check validates packages against
 * the accepted index.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "igos.h"
#include "indexsig.h"

#define PROG "igos-index-verify"
#define MAX_TRUST 64

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " verify -t|--trust DIR|FILE -s|--state DIR -r|--repo R -a|--arch A\n"
		"                        [--max-validity DURATION] [--now TIME] [-v] INDEX [SIG]\n"
		"       " PROG " check -s|--state DIR -r|--repo R [-v] INDEX PACKAGE...\n"
		"       " PROG " init -s|--state DIR -r|--repo R [-t|--trust DIR|FILE]\n"
		"       " PROG " -h|--help | -V|--version\n"
		"-v|--verbose prints the whole OpenSSL error queue on failure.\n");
}

/* ---- trust ---- */

struct trust {
	EVP_PKEY *key[MAX_TRUST];
	unsigned char id[MAX_TRUST][8];
	int n;
};

static void
trust_add(struct trust *t, const char *path)
{
	FILE *f = fopen(path, "re");
	EVP_PKEY *pk;

	if (f == NULL)
		igos_die("cannot open '%s': %s", path, strerror(errno));
	pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (pk == NULL)
		igos_die("'%s' is not a PEM public key", path);
	if (t->n == MAX_TRUST)
		igos_die("more than %d trusted master keys", MAX_TRUST);
	if (igos_idx_master_id(pk, t->id[t->n]) < 0)
		igos_die("'%s': %s", path, igos_errmsg());
	t->key[t->n++] = pk;
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A PEM file, or every *.pem and *.pub of a directory (sorted, for stable messages). */
static void
trust_load(struct trust *t, const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char *names[MAX_TRUST + 1];
	int n = 0;

	if (stat(path, &st) < 0)
		igos_die("cannot open '%s': %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		trust_add(t, path);
		return;
	}
	if ((d = opendir(path)) == NULL)
		igos_die("cannot open '%s': %s", path, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.' || l < 5 ||
		    (strcmp(e->d_name + l - 4, ".pem") != 0 && strcmp(e->d_name + l - 4, ".pub") != 0))
			continue;
		if (n > MAX_TRUST)
			igos_die("more than %d trusted master keys in '%s'", MAX_TRUST, path);
		if (asprintf(&names[n++], "%s/%s", path, e->d_name) < 0)
			igos_die("out of memory");
	}
	closedir(d);
	if (n == 0)
		igos_die("no trusted master keys (*.pem, *.pub) in '%s'", path);
	qsort(names, (size_t)n, sizeof(names[0]), namecmp);
	for (int i = 0; i < n; i++) {
		trust_add(t, names[i]);
		free(names[i]);
	}
}

/* ---- state ---- */

static char *
state_path(const char *dir, const char *repo)
{
	char *p;

	if (asprintf(&p, "%s/%s.state", dir, repo) < 0)
		igos_die("out of memory");
	return p;
}

static void
state_load(const char *path, const char *repo, struct igos_idx_state *st)
{
	struct igos_buf b;
	struct stat sb;

	/* the state is ours: a link in its place is someone else's doing */
	if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
		igos_die("cannot open '%s': refusing to follow a symbolic link", path);
	if (igos_buf_read(&b, path, IGOS_IDX_SIG_MAX) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_idx_state_parse(b.data, b.len, st) < 0)
		igos_die("corrupt state file '%s': %s", path, igos_errmsg());
	igos_buf_free(&b);
	if (strcmp(st->repo, repo) != 0)
		igos_die("corrupt state file '%s': it is for repo '%s', not '%s'", path,
		     st->repo, repo);
}

/* ---- init ---- */

/* mkdir -p, 0755: the state directory of a fresh machine (/var/lib/igos/index). */
static void
mkdirs(const char *dir)
{
	char *p = strdup(dir);

	if (p == NULL)
		igos_die("out of memory");
	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			igos_die("cannot create '%s': %s", p, strerror(errno));
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
}

/*
 * The seed the installer writes: it accepts any first index the pinned masters
 * sign (serial 0, version 0, the epoch, zeros). Never over an existing state:
 * that one holds the floor that stops a rollback.
 */
static int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "trust", required_argument, NULL, 't' },
		{ "state", required_argument, NULL, 's' },
		{ "repo", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *trustp = NULL, *statedir = NULL, *repo = NULL;
	struct trust trust = { 0 };
	struct igos_idx_state st = { 0 };
	unsigned char *out;
	size_t outlen;
	char *stp;
	int c, lockfd;

	while ((c = igos_getopt(argc, argv, "+t:s:r:hv", opts)) != -1) {
		switch (c) {
		case 't': igos_opt_once(&trustp, optarg); break;
		case 's': igos_opt_once(&statedir, optarg); break;
		case 'r': igos_opt_once(&repo, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (statedir == NULL || repo == NULL)
		igos_usage_err("init needs --state and --repo");
	if (optind != argc)
		igos_usage_err("init takes no operands ('%s')", argv[optind]);
	if (!igos_idx_name_ok(repo, strlen(repo)))
		igos_usage_err("invalid repo name '%s'", repo);
	/* the pins verify will use, checked now rather than at the first sync */
	if (trustp != NULL)
		trust_load(&trust, trustp);
	mkdirs(statedir);
	if ((lockfd = open(statedir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		igos_die("cannot open '%s': %s", statedir, strerror(errno));
	if (flock(lockfd, LOCK_EX) < 0)
		igos_die("cannot lock '%s': %s", statedir, strerror(errno));
	stp = state_path(statedir, repo);
	snprintf(st.repo, sizeof(st.repo), "%s", repo);
	if ((out = igos_idx_state_format(&st, &outlen)) == NULL)
		igos_die("%s", igos_errmsg());
	/* under the lock verify takes too; EXCL still refuses any other writer */
	{
		struct stat sb;

		if (lstat(stp, &sb) == 0)
			igos_die("'%s' exists: a state is never replaced (it stops rollbacks)",
				 stp);
	}
	if (igos_write_atomic(stp, out, outlen, 0644, IGOS_OUT_EXCL | IGOS_OUT_NOFOLLOW) < 0)
		igos_die("%s", igos_errmsg());
	free(out);
	free(stp);
	for (int i = 0; i < trust.n; i++)
		EVP_PKEY_free(trust.key[i]);
	close(lockfd);
	return 0;
}

/* ---- the index ---- */

/* The index, read no further than `want` bytes (+1 to see that it ends). */
static int
read_bounded(const char *path, uint64_t want, struct igos_buf *b)
{
	int cmp;

	if (want > SIZE_MAX / 2)
		return igos_seterr("index size %llu is too large", (unsigned long long)want);
	if (igos_buf_read_exact(b, path, (size_t)want, &cmp) < 0)
		return -1;
	if (cmp != 0)
		return igos_seterr("index '%s' is %s than the signed %llu bytes", path,
				   cmp > 0 ? "longer" : "shorter", (unsigned long long)want);
	return 0;
}

/* ---- verify ---- */

static int
cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "trust", required_argument, NULL, 't' },
		{ "state", required_argument, NULL, 's' },
		{ "repo", required_argument, NULL, 'r' },
		{ "arch", required_argument, NULL, 'a' },
		{ "max-validity", required_argument, NULL, 'm' },
		{ "now", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *trustp = NULL, *statedir = NULL, *repo = NULL, *arch = NULL;
	const char *maxv = NULL, *nows = NULL, *index, *sigpath;
	char *sigdef = NULL, *stp, t1[21], t2[21];
	int64_t now, max_validity = IGOS_IDX_DEFAULT_VALIDITY;
	struct trust trust = { 0 };
	struct igos_idx_state st, next;
	struct igos_idx_sig sig;
	struct igos_buf sb;
	struct igos_buf ib;
	unsigned char md[32], *out;
	size_t outlen, count;
	int c, verdict, i, lockfd;

	while ((c = igos_getopt(argc, argv, "+t:s:r:a:hv", opts)) != -1) {
		switch (c) {
		case 't': igos_opt_once(&trustp, optarg); break;
		case 's': igos_opt_once(&statedir, optarg); break;
		case 'r': igos_opt_once(&repo, optarg); break;
		case 'a': igos_opt_once(&arch, optarg); break;
		case 'm': igos_opt_once(&maxv, optarg); break;
		case 'N': igos_opt_once(&nows, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	argc -= optind;
	argv += optind;
	if (trustp == NULL || statedir == NULL || repo == NULL || arch == NULL)
		igos_usage_err("verify needs --trust, --state, --repo and --arch");
	if (argc < 1 || argc > 2)
		igos_usage_err("verify takes INDEX [SIG]");
	if (!igos_idx_name_ok(repo, strlen(repo)))
		igos_usage_err("invalid repo name '%s'", repo);
	if (!igos_idx_name_ok(arch, strlen(arch)))
		igos_usage_err("invalid arch name '%s'", arch);
	if (maxv != NULL && igos_idx_duration_parse(maxv, &max_validity) < 0)
		igos_usage_err("%s", igos_errmsg());
	if (nows != NULL) {
		if (igos_idx_time_parse(nows, strlen(nows), &now) < 0)
			igos_usage_err("%s", igos_errmsg());
	} else {
		now = (int64_t)time(NULL);
	}
	index = argv[0];
	if (argc == 2) {
		sigpath = argv[1];
	} else {
		if (strcmp(index, "-") == 0)
			igos_usage_err("with the index on stdin, name the signature file");
		if (asprintf(&sigdef, "%s.sig", index) < 0)
			igos_die("out of memory");
		sigpath = sigdef;
	}

	/* One verify at a time per state directory: two syncs must not both
	 * pass against the same old state and then race to commit. */
	if ((lockfd = open(statedir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		igos_die("cannot open '%s': %s", statedir, strerror(errno));
	if (flock(lockfd, LOCK_EX) < 0)
		igos_die("cannot lock '%s': %s", statedir, strerror(errno));

	/* State first: a missing or corrupt state fails closed. */
	stp = state_path(statedir, repo);
	state_load(stp, repo, &st);
	trust_load(&trust, trustp);

	if (igos_buf_read(&sb, sigpath, IGOS_IDX_SIG_MAX) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_idx_sig_parse(sb.data, sb.len, &sig) < 0)
		igos_die("bad signature file '%s': %s", sigpath, igos_errmsg());
	for (i = 0; i < trust.n; i++)
		if (memcmp(trust.id[i], sig.cert.master, 8) == 0 &&
		    igos_idx_cert_verify(&sig.cert, trust.key[i]) == 0)
			break;
	if (i == trust.n) {
		char hex[17];

		igos_hex_encode(sig.cert.master, 8, hex);
		for (i = 0; i < trust.n; i++)
			if (memcmp(trust.id[i], sig.cert.master, 8) == 0)
				igos_die("'%s': bad certificate signature (cert-sig)", sigpath);
		igos_die("'%s': master key %s is not trusted", sigpath, hex);
	}
	if (igos_idx_sig_verify(&sig) < 0)
		igos_die("'%s': %s", sigpath, igos_errmsg());
	if ((verdict = igos_idx_accept(&sig, &st, repo, arch, now, max_validity, &next)) < 0)
		igos_die("'%s': %s", sigpath, igos_errmsg());

	/* Only now the index: no more than the signed size, then its hash. */
	if (read_bounded(index, sig.index_size, &ib) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_digest(EVP_sha256(), ib.data, ib.len, md) < 0)
		igos_die("%s", igos_errmsg());
	if (memcmp(md, sig.index_sha256, 32) != 0)
		igos_die("index '%s' does not match the signature (SHA-256 differs)", index);
	if (igos_idx_index_parse(ib.data, ib.len, &count) < 0)
		igos_die("bad index '%s': %s", index, igos_errmsg());
	igos_buf_free(&ib);

	if (verdict == IGOS_IDX_NEW) {
		if ((out = igos_idx_state_format(&next, &outlen)) == NULL)
			igos_die("%s", igos_errmsg());
		if (igos_write_atomic(stp, out, outlen, 0644, IGOS_OUT_NOFOLLOW) < 0)
			igos_die("%s", igos_errmsg());
		free(out);
	}
	igos_idx_time_format(sig.created, t1);
	igos_idx_time_format(sig.expires, t2);
	printf("status: %s\nrepo: %s\narch: %s\nversion: %llu\ncreated: %s\nexpires: %s\n"
	       "cert-serial: %llu\npackages: %zu\n",
	       verdict == IGOS_IDX_NEW ? "accepted" : "unchanged", sig.repo, sig.arch,
	       (unsigned long long)sig.version, t1, t2,
	       (unsigned long long)sig.cert.serial, count);
	igos_buf_free(&sb);
	for (i = 0; i < trust.n; i++)
		EVP_PKEY_free(trust.key[i]);
	free(stp);
	free(sigdef);
	close(lockfd);
	if (fflush(stdout) != 0 || ferror(stdout))
		igos_die("cannot write to stdout: %s", strerror(errno));
	return 0;
}

/* ---- check ---- */

/* Hash a package, refusing it as soon as its size differs from the index's. */
static int
check_one(const char *path, const unsigned char *idx, size_t idxlen)
{
	const char *base = strrchr(path, '/');
	unsigned char want[32], got[32];
	static unsigned char buf[1 << 20];
	uint64_t size, total = 0;
	EVP_MD_CTX *ctx;
	struct stat sst;
	int fd, r, rc = -1;

	base = base ? base + 1 : path;
	r = igos_idx_index_find(idx, idxlen, base, &size, want);
	if (r < 0)
		return -1;
	if (r == 0)
		return igos_seterr("'%s': not in the index", path);
	/* O_NONBLOCK: a FIFO must not hang the check; regular files ignore it */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0)
		return igos_seterr_errno("cannot open '%s'", path);
	if (fstat(fd, &sst) < 0) {
		igos_seterr_errno("cannot stat '%s'", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(sst.st_mode)) {
		igos_seterr("'%s': not a regular file", path);
		close(fd);
		return -1;
	}
	if ((uint64_t)sst.st_size != size) {
		igos_seterr("'%s': size %llu, the index says %llu", path,
			    (unsigned long long)sst.st_size, (unsigned long long)size);
		close(fd);
		return -1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if ((ctx = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		igos_seterr_ssl("digest failed");
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			igos_seterr_errno("cannot read '%s'", path);
			goto out;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > size) {
			igos_seterr("'%s': longer than the %llu bytes of the index", path,
				    (unsigned long long)size);
			goto out;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	if (total != size) {
		igos_seterr("'%s': size %llu, the index says %llu", path,
			    (unsigned long long)total, (unsigned long long)size);
		goto out;
	}
	EVP_DigestFinal_ex(ctx, got, NULL);
	if (memcmp(got, want, 32) != 0) {
		igos_seterr("'%s': SHA-256 does not match the index", path);
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}

static int
cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "repo", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *statedir = NULL, *repo = NULL, *index;
	struct igos_idx_state st;
	struct igos_buf ib;
	unsigned char md[32];
	char *stp;
	int c, bad = 0;

	while ((c = igos_getopt(argc, argv, "+s:r:hv", opts)) != -1) {
		switch (c) {
		case 's': igos_opt_once(&statedir, optarg); break;
		case 'r': igos_opt_once(&repo, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	argc -= optind;
	argv += optind;
	if (statedir == NULL || repo == NULL)
		igos_usage_err("check needs --state and --repo");
	if (argc < 2)
		igos_usage_err("check takes INDEX PACKAGE...");
	if (!igos_idx_name_ok(repo, strlen(repo)))
		igos_usage_err("invalid repo name '%s'", repo);
	index = argv[0];
	stp = state_path(statedir, repo);
	state_load(stp, repo, &st);
	if (igos_buf_read(&ib, index, 0) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_digest(EVP_sha256(), ib.data, ib.len, md) < 0)
		igos_die("%s", igos_errmsg());
	if (memcmp(md, st.index_sha256, 32) != 0)
		igos_die("index '%s' is not the one accepted for repo '%s'", index, repo);
	if (igos_idx_index_parse(ib.data, ib.len, NULL) < 0)
		igos_die("bad index '%s': %s", index, igos_errmsg());
	for (int i = 1; i < argc; i++) {
		if (check_one(argv[i], ib.data, ib.len) < 0) {
			igos_warn("%s", igos_errmsg());
			bad = 1;
		}
	}
	igos_buf_free(&ib);
	free(stp);
	return bad;
}

int
main(int argc, char **argv)
{
	static const struct igos_verb verbs[] = {
		{ "verify", cmd_verify },
		{ "check", cmd_check },
		{ "init", cmd_init },
		{ NULL, NULL },
	};

	igos_cli_init(PROG, usage, NULL);
	return igos_cli_verbs(argc, argv, verbs);
}
