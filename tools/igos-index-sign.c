/*
 * igos-index-sign: the release side of the signed package index. build
 * writes InterGenOS.db from package files, certify has the offline master
 * key certify a token subkey, sign signs the index header with the subkey.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "igos.h"
#include "indexsig.h"

#define PROG "igos-index-sign"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " build [-o INDEX] PACKAGE...\n"
		"       " PROG " certify --master-key KEY --subkey PUB|pkcs11:URI --serial N\n"
		"                       --scope \"REPOS ARCHES\" --not-after TIME [--not-before TIME]\n"
		"                       [--pin-file FILE] [--force-pin-final-try] -o CERT\n"
		"       " PROG " sign --key KEY --cert CERT --repo R --arch A --version N\n"
		"                    [--expires DURATION] [--pin-file FILE] [--force-pin-final-try]\n"
		"                    [--force] [--now TIME]\n"
		"                    [-o SIG] INDEX\n"
		"       " PROG " -h | -V\n");
}

static void __attribute__((noreturn))
usage_err(const char *fmt, const char *arg)
{
	/* one line: our message, or getopt's that was already printed */
	if (fmt != NULL) {
		fprintf(stderr, PROG ": ");
		fprintf(stderr, fmt, arg);
		fputc('\n', stderr);
	}
	exit(2);
}

static void
once(const char *cur, const char *opt)
{
	if (cur != NULL)
		usage_err("option '%s' given twice", opt);
}

static int64_t
parse_now(const char *s)
{
	int64_t t;

	if (s == NULL)
		return (int64_t)time(NULL);
	if (igos_idx_time_parse(s, strlen(s), &t) < 0)
		usage_err("%s", igos_errmsg());
	return t;
}

/* ---- build ---- */

struct pkg {
	const char *path, *name;
	uint64_t size;
	unsigned char sha[32];
};

static int
pkgcmp(const void *a, const void *b)
{
	return strcmp(((const struct pkg *)a)->name, ((const struct pkg *)b)->name);
}

static int
cmd_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *outp = NULL;
	struct igos_out o;
	struct pkg *p;
	int c, n;

	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': once(outp, "--output"); outp = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage_err(NULL, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage_err("build takes PACKAGE...%s", "");
	if (outp == NULL)
		outp = "-";
	n = argc;
	if ((p = calloc((size_t)n, sizeof(*p))) == NULL)
		err(1, "out of memory");
	for (int i = 0; i < n; i++) {
		const char *b = strrchr(argv[i], '/');
		struct stat st;

		p[i].path = argv[i];
		p[i].name = b ? b + 1 : argv[i];
		if (!igos_idx_filename_ok(p[i].name, strlen(p[i].name)))
			errx(1, "'%s': file name not allowed in the index", argv[i]);
		if (stat(argv[i], &st) < 0)
			err(1, "cannot open '%s'", argv[i]);
		if (!S_ISREG(st.st_mode))
			errx(1, "'%s': not a regular file", argv[i]);
		if (igos_digest_file(EVP_sha256(), argv[i], p[i].sha, &p[i].size) < 0)
			errx(1, "%s", igos_errmsg());
	}
	qsort(p, (size_t)n, sizeof(*p), pkgcmp);
	for (int i = 1; i < n; i++)
		if (strcmp(p[i - 1].name, p[i].name) == 0)
			errx(1, "duplicate package name '%s' ('%s' and '%s')", p[i].name,
			     p[i - 1].path, p[i].path);
	if (igos_out_open(&o, outp, 0644, 0) < 0)
		errx(1, "%s", igos_errmsg());
	if (igos_out_write(&o, "igos-index v1\n", 14) < 0)
		goto fail;
	for (int i = 0; i < n; i++) {
		char line[IGOS_IDX_FILE_MAX + 100], hex[65];
		int l;

		igos_hex_encode(p[i].sha, 32, hex);
		l = snprintf(line, sizeof(line), "%s %llu %s\n", p[i].name,
			     (unsigned long long)p[i].size, hex);
		if (igos_out_write(&o, line, (size_t)l) < 0)
			goto fail;
	}
	if (igos_out_commit(&o) < 0)
		goto fail;
	free(p);
	return 0;
fail:
	igos_out_abort(&o);
	errx(1, "%s", igos_errmsg());
}

/* ---- keys ---- */

static int force_final_try;

static struct igos_signer *
open_key(const char *ref, const char *pin_file)
{
	struct igos_signer_opts so = { .pin_file = pin_file, .force_final_try = force_final_try };
	struct igos_signer *s = igos_signer_open(ref, &so);

	if (s == NULL)
		errx(1, "%s", igos_errmsg());
	return s;
}

/* Sign msg; the result is the 64 raw bytes of the index format. */
static void
sign_raw(struct igos_signer *s, enum igos_idx_alg alg, const unsigned char *msg, size_t len,
	 unsigned char out[64])
{
	unsigned char *sig = NULL;
	size_t siglen = 0;

	if (igos_signer_sign_msg(s, alg == IGOS_IDX_P256 ? EVP_sha256() : NULL, msg, len, &sig,
				 &siglen) < 0)
		errx(1, "%s", igos_errmsg());
	if (alg == IGOS_IDX_P256) {
		if (igos_ecdsa_der_to_raw(sig, siglen, out) < 0)
			errx(1, "%s", igos_errmsg());
	} else {
		if (siglen != 64)
			errx(1, "the Ed25519 signature is %zu bytes", siglen);
		memcpy(out, sig, 64);
	}
	free(sig);
}

static void
key_raw(EVP_PKEY *pk, const char *what, enum igos_idx_alg *alg, unsigned char pub[65],
	size_t *len)
{
	if (igos_idx_pubkey_raw(pk, alg, pub, len) < 0)
		errx(1, "%s: %s", what, igos_errmsg());
}

/* ---- certify ---- */

static int
cmd_certify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "master-key", required_argument, NULL, 'k' },
		{ "subkey", required_argument, NULL, 's' },
		{ "serial", required_argument, NULL, 'n' },
		{ "scope", required_argument, NULL, 'S' },
		{ "not-before", required_argument, NULL, 'b' },
		{ "not-after", required_argument, NULL, 'a' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "force-pin-final-try", no_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mk = NULL, *sub = NULL, *serial = NULL, *scope = NULL, *nb = NULL;
	const char *na = NULL, *pin = NULL, *outp = NULL;
	struct igos_idx_cert cert = { 0 }, chk;
	struct igos_signer *m;
	unsigned char *tbs, *msg, *block;
	size_t tbslen, msglen, blocklen;
	enum igos_idx_alg malg;
	unsigned char mpub[65];
	size_t mlen;
	int c;

	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': once(mk, "--master-key"); mk = optarg; break;
		case 's': once(sub, "--subkey"); sub = optarg; break;
		case 'n': once(serial, "--serial"); serial = optarg; break;
		case 'S': once(scope, "--scope"); scope = optarg; break;
		case 'b': once(nb, "--not-before"); nb = optarg; break;
		case 'a': once(na, "--not-after"); na = optarg; break;
		case 'P': once(pin, "--pin-file"); pin = optarg; break;
		case 'F': force_final_try = 1; break;
		case 'o': once(outp, "--output"); outp = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage_err(NULL, NULL);
		}
	}
	if (optind != argc)
		usage_err("certify takes no operands%s", "");
	if (!mk || !sub || !serial || !scope || !na || !outp)
		usage_err("certify needs --master-key, --subkey, --serial, --scope, "
			  "--not-after and -o%s", "");
	if (igos_parse_u64(serial, &cert.serial) < 0 || cert.serial == 0)
		usage_err("invalid serial '%s' (1 or more)", serial);
	if (igos_idx_scope_parse(scope, strlen(scope)) < 0)
		usage_err("%s", igos_errmsg());
	snprintf(cert.scope, sizeof(cert.scope), "%s", scope);
	cert.not_before = parse_now(nb);
	cert.not_after = parse_now(na);
	if (cert.not_after <= cert.not_before)
		usage_err("--not-after is not after --not-before%s", "");

	/* The subkey: a public key file, or the token key itself. */
	if (strncmp(sub, "pkcs11:", 7) == 0) {
		struct igos_signer *s = open_key(sub, pin);

		key_raw(igos_signer_pubkey(s), sub, &cert.alg, cert.pub, &cert.publen);
		igos_signer_free(s);
	} else {
		FILE *f = fopen(sub, "re");
		EVP_PKEY *pk;

		if (f == NULL)
			err(1, "cannot open '%s'", sub);
		pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
		fclose(f);
		if (pk == NULL)
			errx(1, "'%s' is not a PEM public key", sub);
		key_raw(pk, sub, &cert.alg, cert.pub, &cert.publen);
		EVP_PKEY_free(pk);
	}

	m = open_key(mk, pin);
	key_raw(igos_signer_pubkey(m), mk, &malg, mpub, &mlen);
	if (malg != IGOS_IDX_ED25519)
		errx(1, "'%s': the master key must be Ed25519", mk);
	if (igos_idx_master_id(igos_signer_pubkey(m), cert.master) < 0)
		errx(1, "%s", igos_errmsg());
	if ((tbs = igos_idx_cert_tbs(&cert, &tbslen)) == NULL ||
	    (msg = igos_idx_cert_message(tbs, tbslen, &msglen)) == NULL)
		errx(1, "%s", igos_errmsg());
	sign_raw(m, IGOS_IDX_ED25519, msg, msglen, cert.sig);
	if ((block = igos_idx_cert_block(tbs, tbslen, cert.sig, &blocklen)) == NULL)
		errx(1, "%s", igos_errmsg());
	/* What we write must parse and verify as a client will see it. */
	if (igos_idx_cert_parse(block, blocklen, &chk) < 0 ||
	    igos_idx_cert_verify(&chk, igos_signer_pubkey(m)) < 0)
		errx(1, "the new certificate does not verify: %s", igos_errmsg());
	igos_signer_free(m);
	if (igos_write_atomic(outp, block, blocklen, 0644, 0) < 0)
		errx(1, "%s", igos_errmsg());
	free(tbs);
	free(msg);
	free(block);
	return 0;
}

/* ---- sign ---- */

static int
cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "repo", required_argument, NULL, 'r' },
		{ "arch", required_argument, NULL, 'a' },
		{ "version", required_argument, NULL, 'n' },
		{ "expires", required_argument, NULL, 'e' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "force-pin-final-try", no_argument, NULL, 'F' },
		{ "force", no_argument, NULL, 'f' },
		{ "now", required_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = NULL, *certp = NULL, *repo = NULL, *arch = NULL, *ver = NULL;
	const char *exp = NULL, *pin = NULL, *nows = NULL, *outp = NULL, *index;
	char *outdef = NULL, d1[32];
	int force = 0, c;
	int64_t now, validity = 7 * 86400;
	struct igos_idx_sig s = { 0 }, chk;
	struct igos_buf cb, ib, eb;
	struct stat ost;
	struct igos_signer *sg;
	enum igos_idx_alg alg;
	unsigned char pub[65], *hdr, *out;
	size_t publen, hdrlen, outlen;

	while ((c = getopt_long(argc, argv, "+k:c:fo:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': once(key, "--key"); key = optarg; break;
		case 'c': once(certp, "--cert"); certp = optarg; break;
		case 'r': once(repo, "--repo"); repo = optarg; break;
		case 'a': once(arch, "--arch"); arch = optarg; break;
		case 'n': once(ver, "--version"); ver = optarg; break;
		case 'e': once(exp, "--expires"); exp = optarg; break;
		case 'P': once(pin, "--pin-file"); pin = optarg; break;
		case 'F': force_final_try = 1; break;
		case 'N': once(nows, "--now"); nows = optarg; break;
		case 'o': once(outp, "--output"); outp = optarg; break;
		case 'f':
			if (force)
				usage_err("option '%s' given twice", "--force");
			force = 1;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage_err(NULL, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (!key || !certp || !repo || !arch || !ver)
		usage_err("sign needs --key, --cert, --repo, --arch and --version%s", "");
	if (argc != 1)
		usage_err("sign takes one INDEX%s", "");
	index = argv[0];
	if (!igos_idx_name_ok(repo, strlen(repo)))
		usage_err("invalid repo name '%s'", repo);
	if (!igos_idx_name_ok(arch, strlen(arch)))
		usage_err("invalid arch name '%s'", arch);
	if (igos_parse_u64(ver, &s.version) < 0 || s.version == 0)
		usage_err("invalid version '%s' (1 or more)", ver);
	if (exp != NULL && igos_idx_duration_parse(exp, &validity) < 0)
		usage_err("%s", igos_errmsg());
	now = parse_now(nows);
	if (outp == NULL) {
		if (strcmp(index, "-") == 0)
			usage_err("with the index on stdin, give -o%s", "");
		if (asprintf(&outdef, "%s.sig", index) < 0)
			err(1, "out of memory");
		outp = outdef;
	}
	snprintf(s.repo, sizeof(s.repo), "%s", repo);
	snprintf(s.arch, sizeof(s.arch), "%s", arch);
	s.created = now;
	s.expires = now + validity;

	if (igos_buf_read(&cb, certp, IGOS_IDX_SIG_MAX) < 0)
		errx(1, "%s", igos_errmsg());
	if (igos_idx_cert_parse(cb.data, cb.len, &s.cert) < 0)
		errx(1, "bad certificate '%s': %s", certp, igos_errmsg());
	if (!igos_idx_scope_covers(s.cert.scope, repo, arch))
		errx(1, "certificate scope '%s' does not cover repo '%s' arch '%s'",
		     s.cert.scope, repo, arch);
	if (now < s.cert.not_before || now >= s.cert.not_after)
		errx(1, "certificate '%s' is not valid now", certp);
	if (validity > IGOS_IDX_DEFAULT_VALIDITY) {
		igos_idx_duration_format(validity, d1);
		warnx("warning: a validity of %s exceeds the clients' default maximum of 14d", d1);
	}

	/* An existing signature beside the output holds the last version; a
	 * device or a FIFO written as a stream holds none (and a FIFO read here
	 * would wait for a writer). */
	if (strcmp(outp, "-") != 0 && stat(outp, &ost) == 0 && S_ISREG(ost.st_mode)) {
		if (igos_buf_read(&eb, outp, IGOS_IDX_SIG_MAX) < 0)
			errx(1, "%s", igos_errmsg());
		if (igos_idx_sig_parse(eb.data, eb.len, &chk) < 0) {
			if (!force)
				errx(1, "cannot read the version of the existing '%s': %s "
				     "(--force replaces it)", outp, igos_errmsg());
		} else if (chk.version >= s.version && !force) {
			errx(1, "version %llu is not above the version %llu of the existing '%s' "
			     "(--force signs it anyway)", (unsigned long long)s.version,
			     (unsigned long long)chk.version, outp);
		} else if (chk.created > s.created && !force) {
			/* Clients keep the last created as a floor for their clock:
			 * a release dated before it may be expired for them. */
			char t[21];

			igos_idx_time_format(chk.created, t);
			errx(1, "the clock is behind the created time %s of the existing '%s' "
			     "(--force signs it anyway)", t, outp);
		}
		igos_buf_free(&eb);
	}

	if (igos_buf_read(&ib, index, 0) < 0)
		errx(1, "%s", igos_errmsg());
	if (igos_idx_index_parse(ib.data, ib.len, NULL) < 0)
		errx(1, "bad index '%s': %s", index, igos_errmsg());
	s.index_size = ib.len;
	if (igos_digest(EVP_sha256(), ib.data, ib.len, s.index_sha256) < 0)
		errx(1, "%s", igos_errmsg());
	igos_buf_free(&ib);

	sg = open_key(key, pin);
	key_raw(igos_signer_pubkey(sg), key, &alg, pub, &publen);
	if (alg != s.cert.alg || publen != s.cert.publen || memcmp(pub, s.cert.pub, publen) != 0)
		errx(1, "'%s' is not the key of certificate '%s'", key, certp);
	if (!igos_signer_is_token(sg))
		warnx("warning: '%s' is a key file; release keys belong on a token", key);
	if ((hdr = igos_idx_sig_header(s.cert.block, s.cert.blocklen, &s, &hdrlen)) == NULL)
		errx(1, "%s", igos_errmsg());
	sign_raw(sg, alg, hdr, hdrlen, s.sig);
	igos_signer_free(sg);
	if ((out = igos_idx_sig_finish(hdr, hdrlen, s.sig, 64, &outlen)) == NULL)
		errx(1, "%s", igos_errmsg());
	/* Verify our own signature, as a client parses it, before writing. */
	if (igos_idx_sig_parse(out, outlen, &chk) < 0 || igos_idx_sig_verify(&chk) < 0)
		errx(1, "the new signature does not verify: %s", igos_errmsg());
	if (igos_write_atomic(outp, out, outlen, 0644, 0) < 0)
		errx(1, "%s", igos_errmsg());
	free(hdr);
	free(out);
	igos_buf_free(&cb);
	free(outdef);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		exit(2);
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		igos_print_version(PROG);
		return 0;
	}
	if (strcmp(argv[1], "build") == 0) {
		argv[1] = (char *)PROG; /* for getopt's messages */
		return cmd_build(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "certify") == 0) {
		argv[1] = (char *)PROG; /* for getopt's messages */
		return cmd_certify(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "sign") == 0) {
		argv[1] = (char *)PROG; /* for getopt's messages */
		return cmd_sign(argc - 1, argv + 1);
	}
	usage_err("unknown command '%s'", argv[1]);
}
