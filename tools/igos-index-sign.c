/*
 * igos-index-sign: the release side of the signed package index. build
 * writes InterGenOS.db from package files, certify has the offline master
 * key certify a token subkey, sign signs the index header with the subkey.
 */
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

static int64_t
parse_now(const char *s)
{
	int64_t t;

	if (s == NULL)
		return (int64_t)time(NULL);
	if (igos_idx_time_parse(s, strlen(s), &t) < 0)
		igos_usage_err("%s", igos_errmsg());
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
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *outp = NULL;
	struct igos_out o;
	struct pkg *p;
	int c, n;

	while ((c = igos_getopt(argc, argv, "+o:hv", opts)) != -1) {
		switch (c) {
		case 'o': igos_opt_once(&outp, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		igos_usage_err("build takes PACKAGE...");
	if (outp == NULL)
		outp = "-";
	n = argc;
	if ((p = calloc((size_t)n, sizeof(*p))) == NULL)
		igos_die("out of memory");
	for (int i = 0; i < n; i++) {
		const char *b = strrchr(argv[i], '/');
		struct stat st;

		p[i].path = argv[i];
		p[i].name = b ? b + 1 : argv[i];
		if (!igos_idx_filename_ok(p[i].name, strlen(p[i].name)))
			igos_die("'%s': file name not allowed in the index", argv[i]);
		if (stat(argv[i], &st) < 0)
			igos_die("cannot open '%s': %s", argv[i], strerror(errno));
		if (!S_ISREG(st.st_mode))
			igos_die("'%s': not a regular file", argv[i]);
		if (igos_digest_file(EVP_sha256(), argv[i], p[i].sha, &p[i].size) < 0)
			igos_die("%s", igos_errmsg());
	}
	qsort(p, (size_t)n, sizeof(*p), pkgcmp);
	for (int i = 1; i < n; i++)
		if (strcmp(p[i - 1].name, p[i].name) == 0)
			igos_die("duplicate package name '%s' ('%s' and '%s')", p[i].name,
			     p[i - 1].path, p[i].path);
	if (igos_out_open(&o, outp, 0644, 0) < 0)
		igos_die("%s", igos_errmsg());
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
	igos_die("%s", igos_errmsg());
}

/* ---- keys ---- */

static int force_final_try;

static struct igos_signer *
open_key(const char *ref, const char *pin_file)
{
	struct igos_signer_opts so = { .pin_file = pin_file, .force_final_try = force_final_try };
	struct igos_signer *s = igos_signer_open(ref, &so);

	if (s == NULL)
		igos_die("%s", igos_errmsg());
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
		igos_die("%s", igos_errmsg());
	if (alg == IGOS_IDX_P256) {
		if (igos_ecdsa_der_to_raw(sig, siglen, out) < 0)
			igos_die("%s", igos_errmsg());
	} else {
		if (siglen != 64)
			igos_die("the Ed25519 signature is %zu bytes", siglen);
		memcpy(out, sig, 64);
	}
	free(sig);
}

static void
key_raw(EVP_PKEY *pk, const char *what, enum igos_idx_alg *alg, unsigned char pub[65],
	size_t *len)
{
	if (igos_idx_pubkey_raw(pk, alg, pub, len) < 0)
		igos_die("%s: %s", what, igos_errmsg());
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
		{ "verbose", no_argument, NULL, 'v' },
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

	while ((c = igos_getopt(argc, argv, "+o:hv", opts)) != -1) {
		switch (c) {
		case 'k': igos_opt_once(&mk, optarg); break;
		case 's': igos_opt_once(&sub, optarg); break;
		case 'n': igos_opt_once(&serial, optarg); break;
		case 'S': igos_opt_once(&scope, optarg); break;
		case 'b': igos_opt_once(&nb, optarg); break;
		case 'a': igos_opt_once(&na, optarg); break;
		case 'P': igos_opt_once(&pin, optarg); break;
		case 'F': force_final_try = 1; break;
		case 'o': igos_opt_once(&outp, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (optind != argc)
		igos_usage_err("certify takes no operands");
	if (!mk || !sub || !serial || !scope || !na || !outp)
		igos_usage_err("certify needs --master-key, --subkey, --serial, --scope, "
			  "--not-after and -o%s", "");
	if (igos_parse_u64(serial, &cert.serial) < 0 || cert.serial == 0)
		igos_usage_err("invalid serial '%s' (1 or more)", serial);
	if (igos_idx_scope_parse(scope, strlen(scope)) < 0)
		igos_usage_err("%s", igos_errmsg());
	snprintf(cert.scope, sizeof(cert.scope), "%s", scope);
	cert.not_before = parse_now(nb);
	cert.not_after = parse_now(na);
	if (cert.not_after <= cert.not_before)
		igos_usage_err("--not-after is not after --not-before");

	/* The subkey: a public key file, or the token key itself. */
	if (strncmp(sub, "pkcs11:", 7) == 0) {
		/* a public object: read without a login, so no PIN is asked */
		EVP_PKEY *pk = igos_pubkey_load(sub);

		if (pk == NULL)
			igos_die("%s", igos_errmsg());
		key_raw(pk, sub, &cert.alg, cert.pub, &cert.publen);
		EVP_PKEY_free(pk);
	} else {
		FILE *f = fopen(sub, "re");
		EVP_PKEY *pk;

		if (f == NULL)
			igos_die("cannot open '%s': %s", sub, strerror(errno));
		pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
		fclose(f);
		if (pk == NULL)
			igos_die("'%s' is not a PEM public key", sub);
		key_raw(pk, sub, &cert.alg, cert.pub, &cert.publen);
		EVP_PKEY_free(pk);
	}

	m = open_key(mk, pin);
	key_raw(igos_signer_pubkey(m), mk, &malg, mpub, &mlen);
	if (malg != IGOS_IDX_ED25519)
		igos_die("'%s': the master key must be Ed25519", mk);
	if (igos_idx_master_id(igos_signer_pubkey(m), cert.master) < 0)
		igos_die("%s", igos_errmsg());
	if ((tbs = igos_idx_cert_tbs(&cert, &tbslen)) == NULL ||
	    (msg = igos_idx_cert_message(tbs, tbslen, &msglen)) == NULL)
		igos_die("%s", igos_errmsg());
	sign_raw(m, IGOS_IDX_ED25519, msg, msglen, cert.sig);
	if ((block = igos_idx_cert_block(tbs, tbslen, cert.sig, &blocklen)) == NULL)
		igos_die("%s", igos_errmsg());
	/* What we write must parse and verify as a client will see it. */
	if (igos_idx_cert_parse(block, blocklen, &chk) < 0 ||
	    igos_idx_cert_verify(&chk, igos_signer_pubkey(m)) < 0)
		igos_die("the new certificate does not verify: %s", igos_errmsg());
	igos_signer_free(m);
	if (igos_write_atomic(outp, block, blocklen, 0644, 0) < 0)
		igos_die("%s", igos_errmsg());
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
		{ "verbose", no_argument, NULL, 'v' },
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

	while ((c = igos_getopt(argc, argv, "+k:c:fo:hv", opts)) != -1) {
		switch (c) {
		case 'k': igos_opt_once(&key, optarg); break;
		case 'c': igos_opt_once(&certp, optarg); break;
		case 'r': igos_opt_once(&repo, optarg); break;
		case 'a': igos_opt_once(&arch, optarg); break;
		case 'n': igos_opt_once(&ver, optarg); break;
		case 'e': igos_opt_once(&exp, optarg); break;
		case 'P': igos_opt_once(&pin, optarg); break;
		case 'F': force_final_try = 1; break;
		case 'N': igos_opt_once(&nows, optarg); break;
		case 'o': igos_opt_once(&outp, optarg); break;
		case 'f': igos_flag_once(&force); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	argc -= optind;
	argv += optind;
	if (!key || !certp || !repo || !arch || !ver)
		igos_usage_err("sign needs --key, --cert, --repo, --arch and --version");
	if (argc != 1)
		igos_usage_err("sign takes one INDEX");
	index = argv[0];
	if (!igos_idx_name_ok(repo, strlen(repo)))
		igos_usage_err("invalid repo name '%s'", repo);
	if (!igos_idx_name_ok(arch, strlen(arch)))
		igos_usage_err("invalid arch name '%s'", arch);
	if (igos_parse_u64(ver, &s.version) < 0 || s.version == 0)
		igos_usage_err("invalid version '%s' (1 or more)", ver);
	if (exp != NULL && igos_idx_duration_parse(exp, &validity) < 0)
		igos_usage_err("%s", igos_errmsg());
	now = parse_now(nows);
	if (outp == NULL) {
		if (strcmp(index, "-") == 0)
			igos_usage_err("with the index on stdin, give -o");
		if (asprintf(&outdef, "%s.sig", index) < 0)
			igos_die("out of memory");
		outp = outdef;
	}
	snprintf(s.repo, sizeof(s.repo), "%s", repo);
	snprintf(s.arch, sizeof(s.arch), "%s", arch);
	s.created = now;
	s.expires = now + validity;

	if (igos_buf_read(&cb, certp, IGOS_IDX_SIG_MAX) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_idx_cert_parse(cb.data, cb.len, &s.cert) < 0)
		igos_die("bad certificate '%s': %s", certp, igos_errmsg());
	if (!igos_idx_scope_covers(s.cert.scope, repo, arch))
		igos_die("certificate scope '%s' does not cover repo '%s' arch '%s'",
		     s.cert.scope, repo, arch);
	if (now < s.cert.not_before || now >= s.cert.not_after)
		igos_die("certificate '%s' is not valid now", certp);
	if (validity > IGOS_IDX_DEFAULT_VALIDITY) {
		igos_idx_duration_format(validity, d1);
		igos_warn("warning: a validity of %s exceeds the clients' default maximum of 14d", d1);
	}

	/* An existing signature beside the output holds the last version; a
	 * device or a FIFO written as a stream holds none (and a FIFO read here
	 * would wait for a writer). */
	if (strcmp(outp, "-") != 0 && stat(outp, &ost) == 0 && S_ISREG(ost.st_mode)) {
		if (igos_buf_read(&eb, outp, IGOS_IDX_SIG_MAX) < 0)
			igos_die("%s", igos_errmsg());
		if (igos_idx_sig_parse(eb.data, eb.len, &chk) < 0) {
			if (!force)
				igos_die("cannot read the version of the existing '%s': %s "
				     "(--force replaces it)", outp, igos_errmsg());
		} else if (chk.version >= s.version && !force) {
			igos_die("version %llu is not above the version %llu of the existing '%s' "
			     "(--force signs it anyway)", (unsigned long long)s.version,
			     (unsigned long long)chk.version, outp);
		} else if (chk.created > s.created && !force) {
			/* Clients keep the last created as a floor for their clock:
			 * a release dated before it may be expired for them. */
			char t[21];

			igos_idx_time_format(chk.created, t);
			igos_die("the clock is behind the created time %s of the existing '%s' "
			     "(--force signs it anyway)", t, outp);
		}
		igos_buf_free(&eb);
	}

	if (igos_buf_read(&ib, index, 0) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_idx_index_parse(ib.data, ib.len, NULL) < 0)
		igos_die("bad index '%s': %s", index, igos_errmsg());
	s.index_size = ib.len;
	if (igos_digest(EVP_sha256(), ib.data, ib.len, s.index_sha256) < 0)
		igos_die("%s", igos_errmsg());
	igos_buf_free(&ib);

	sg = open_key(key, pin);
	key_raw(igos_signer_pubkey(sg), key, &alg, pub, &publen);
	if (alg != s.cert.alg || publen != s.cert.publen || memcmp(pub, s.cert.pub, publen) != 0)
		igos_die("'%s' is not the key of certificate '%s'", key, certp);
	if (!igos_signer_is_token(sg))
		igos_warn("warning: '%s' is a key file; release keys belong on a token", key);
	if ((hdr = igos_idx_sig_header(s.cert.block, s.cert.blocklen, &s, &hdrlen)) == NULL)
		igos_die("%s", igos_errmsg());
	sign_raw(sg, alg, hdr, hdrlen, s.sig);
	igos_signer_free(sg);
	if ((out = igos_idx_sig_finish(hdr, hdrlen, s.sig, 64, &outlen)) == NULL)
		igos_die("%s", igos_errmsg());
	/* Verify our own signature, as a client parses it, before writing. */
	if (igos_idx_sig_parse(out, outlen, &chk) < 0 || igos_idx_sig_verify(&chk) < 0)
		igos_die("the new signature does not verify: %s", igos_errmsg());
	if (igos_write_atomic(outp, out, outlen, 0644, 0) < 0)
		igos_die("%s", igos_errmsg());
	free(hdr);
	free(out);
	igos_buf_free(&cb);
	free(outdef);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct igos_verb verbs[] = {
		{ "build", cmd_build },
		{ "certify", cmd_certify },
		{ "sign", cmd_sign },
		{ NULL, NULL },
	};

	igos_cli_init(PROG, usage, NULL);
	return igos_cli_verbs(argc, argv, verbs);
}
