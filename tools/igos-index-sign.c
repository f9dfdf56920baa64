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
#include "request.h"

#define PROG "igos-index-sign"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " build [-o|--output INDEX] PACKAGE...\n"
		"       " PROG " certify --master-key KEY --subkey PUB|pkcs11:URI --serial N\n"
		"                       --scope \"REPOS ARCHES\" --not-after TIME [--not-before TIME]\n"
		"                       [--pin-file FILE] [--force-pin-final-try] [--tcti CONF]\n"
		"                       -o|--output CERT\n"
		"       " PROG " sign -k|--key KEY -c|--cert CERT --repo R --arch A --version N\n"
		"                    [--expires DURATION] [--pin-file FILE] [--force-pin-final-try]\n"
		"                    [--tcti CONF] [-f|--force] [--now TIME]\n"
		"                    [-o|--output SIG] INDEX\n"
		"       " PROG " certify --request-out REQ --master-key PUB|pkcs11:URI ... (no -o)\n"
		"       " PROG " sign --request-out REQ -c|--cert CERT ... (no --key, no -o) INDEX\n"
		"       " PROG " attach --request REQ --signature SIG [-o|--output OUT] [INDEX]\n"
		"       " PROG " -h|--help | -V|--version\n"
		"-v|--verbose prints the whole OpenSSL error queue on failure.\n");
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
static const char *tcti; /* --tcti: the TPM of a TSS2 key file */

static struct igos_signer *
open_key(const char *ref, const char *pin_file)
{
	struct igos_signer_opts so = { .pin_file = pin_file, .force_final_try = force_final_try,
				       .tcti = tcti };
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
		igos_die("'%s': %s", what, igos_errmsg());
}

/* ---- signing in two rooms (igos-sign sign-request signs the request) ---- */

static void
write_request(struct igos_req *r, const char *path)
{
	struct igos_text t = { 0 };

	if (igos_req_format(r, &t) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_write_atomic(path, t.p, t.len, 0, 0) < 0)
		igos_die("%s", igos_errmsg());
	free(t.p);
	igos_req_free(r);
}

/* The master's signature asked for: the key is its public half (a file, or a
 * token's public object read without a login). */
static int
certify_request_out(struct igos_idx_cert *cert, const char *mk, const char *reqout)
{
	struct igos_req r = { .kind = IGOS_REQ_SUBKEY };
	unsigned char *tbs, *msg, mpub[65];
	size_t tbslen, msglen, mlen;
	enum igos_idx_alg malg;
	EVP_PKEY *m = igos_pubkey_load(mk);

	if (m == NULL)
		igos_die("%s", igos_errmsg());
	if (EVP_PKEY_get_base_id(m) != EVP_PKEY_ED25519)
		igos_die("'%s': the master key must be Ed25519", mk);
	key_raw(m, mk, &malg, mpub, &mlen);
	if (igos_idx_master_id(m, cert->master) < 0 || igos_req_set_pubkey(&r, m) < 0 ||
	    (tbs = igos_idx_cert_tbs(cert, &tbslen)) == NULL ||
	    (msg = igos_idx_cert_message(tbs, tbslen, &msglen)) == NULL)
		igos_die("%s", igos_errmsg());
	snprintf(r.file, sizeof(r.file), "subkey-cert-serial-%llu",
		 (unsigned long long)cert->serial);
	r.size = msglen;
	if (igos_digest(EVP_sha256(), msg, msglen, r.sha256) < 0 ||
	    igos_req_add_item(&r, NULL, msg, msglen) < 0)
		igos_die("%s", igos_errmsg());
	write_request(&r, reqout);
	free(tbs);
	free(msg);
	EVP_PKEY_free(m);
	return 0;
}

/* The raw 64-byte form of a signature the token made (ECDSA comes as DER). */
static void
sig_raw(enum igos_idx_alg alg, const unsigned char *sig, size_t len, const char *path,
	unsigned char out[64])
{
	if (alg == IGOS_IDX_P256) {
		if (igos_ecdsa_der_to_raw(sig, len, out) < 0)
			igos_die("'%s': %s", path, igos_errmsg());
	} else {
		if (len != 64)
			igos_die("'%s': the Ed25519 signature is %zu bytes", path, len);
		memcpy(out, sig, 64);
	}
}

static int
cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "request", required_argument, NULL, 'r' },
		{ "signature", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *req = NULL, *sig = NULL, *outp = NULL;
	char *outdef = NULL;
	struct igos_buf rb, sb;
	struct igos_req r;
	struct igos_rsig rs;
	unsigned char rh[32], raw[64], *out;
	size_t outlen;
	EVP_PKEY *pk;
	enum igos_idx_alg alg;
	unsigned char pub[65];
	size_t publen;
	int c;

	while ((c = igos_getopt(argc, argv, "+o:hv", opts)) != -1) {
		switch (c) {
		case 'r': igos_opt_once(&req, optarg); break;
		case 's': igos_opt_once(&sig, optarg); break;
		case 'o': igos_opt_once(&outp, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	argc -= optind;
	argv += optind;
	if (!req || !sig)
		igos_usage_err("attach needs --request and --signature");
	if (igos_buf_read(&rb, req, IGOS_REQ_MAX) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_req_parse(&r, rb.data, rb.len) < 0)
		igos_die("'%s': %s", req, igos_errmsg());
	if (r.kind != IGOS_REQ_INDEX && r.kind != IGOS_REQ_SUBKEY)
		igos_die("'%s': not an index or subkey-cert request (%s)", req,
			 igos_req_kind_name(r.kind));
	if (r.kind == IGOS_REQ_INDEX ? argc != 1 : argc != 0)
		igos_usage_err(r.kind == IGOS_REQ_INDEX ? "attach: an index request needs its INDEX"
					 : "attach: a subkey-cert request takes no operand");
	if (r.kind == IGOS_REQ_SUBKEY && outp == NULL)
		igos_usage_err("attach: give -o for the certificate");
	if (igos_digest(EVP_sha256(), rb.data, rb.len, rh) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_buf_read(&sb, sig, IGOS_REQ_MAX) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_rsig_parse(&rs, sb.data, sb.len) < 0)
		igos_die("'%s': %s", sig, igos_errmsg());
	if (memcmp(rs.request, rh, 32) != 0)
		igos_die("'%s': answers another request than '%s'", sig, req);
	if (rs.n != 1)
		igos_die("'%s': %u signatures for one request", sig, rs.n);
	if (igos_req_verify_item(&r, 0, rs.sig[0], rs.len[0]) < 0)
		igos_die("'%s': %s", sig, igos_errmsg());
	if ((pk = igos_req_pubkey(&r)) == NULL)
		igos_die("'%s': %s", req, igos_errmsg());
	key_raw(pk, req, &alg, pub, &publen);
	sig_raw(alg, rs.sig[0], rs.len[0], sig, raw);
	if (r.kind == IGOS_REQ_SUBKEY) {
		static const char magic[] = "igos-subkey-cert v1\n";
		const struct igos_req_item *it = &r.item[0];
		struct igos_idx_cert chk;

		if (it->len <= sizeof(magic) - 1 || memcmp(it->data, magic, sizeof(magic) - 1))
			igos_die("'%s': not a subkey certificate", req);
		out = igos_idx_cert_block(it->data + sizeof(magic) - 1, it->len - sizeof(magic) + 1,
					  raw, &outlen);
		if (out == NULL || igos_idx_cert_parse(out, outlen, &chk) < 0 ||
		    igos_idx_cert_verify(&chk, pk) < 0)
			igos_die("the new certificate does not verify: %s", igos_errmsg());
	} else {
		struct igos_buf ib;
		struct igos_idx_sig chk;

		if (igos_buf_read(&ib, argv[0], 0) < 0)
			igos_die("%s", igos_errmsg());
		if (igos_req_check_file(&r, argv[0], ib.data, ib.len) < 0)
			igos_die("%s", igos_errmsg());
		out = igos_idx_sig_finish(r.item[0].data, r.item[0].len, raw, 64, &outlen);
		/* as a client parses it: the header's own index size and hash too */
		if (out == NULL || igos_idx_sig_parse(out, outlen, &chk) < 0 ||
		    igos_idx_sig_verify(&chk) < 0)
			igos_die("the new signature does not verify: %s", igos_errmsg());
		if (chk.index_size != ib.len || memcmp(chk.index_sha256, r.sha256, 32) != 0)
			igos_die("'%s': the signed header is for another index than '%s'", req,
				 argv[0]);
		igos_buf_free(&ib);
		if (outp == NULL) {
			if (asprintf(&outdef, "%s.sig", argv[0]) < 0)
				igos_die("out of memory");
			outp = outdef;
		}
	}
	if (igos_write_atomic(outp, out, outlen, 0644, 0) < 0)
		igos_die("%s", igos_errmsg());
	free(out);
	free(outdef);
	EVP_PKEY_free(pk);
	igos_rsig_free(&rs);
	igos_req_free(&r);
	igos_buf_free(&rb);
	igos_buf_free(&sb);
	return 0;
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
		IGOS_LONGOPT_TCTI,
		{ "output", required_argument, NULL, 'o' },
		{ "request-out", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mk = NULL, *sub = NULL, *serial = NULL, *scope = NULL, *nb = NULL;
	const char *na = NULL, *pin = NULL, *outp = NULL, *reqout = NULL;
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
		case IGOS_OPT_TCTI: igos_opt_once(&tcti, optarg); break;
		case 'o': igos_opt_once(&outp, optarg); break;
		case 'R': igos_opt_once(&reqout, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (optind != argc)
		igos_usage_err("certify takes no operands");
	if (reqout && outp)
		igos_usage_err("certify: --request-out writes a request; attach writes the "
			       "certificate: no -o");
	if (reqout)
		outp = reqout;
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
	if (cert.not_after <= cert.not_before && nb == NULL)
		igos_usage_err("--not-after is not after now (the default of --not-before)");
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

	if (reqout)
		return certify_request_out(&cert, mk, reqout);
	m = open_key(mk, pin);
	/* one message whatever the key is (igos-index-verify's for a trusted key too) */
	if (!EVP_PKEY_is_a(igos_signer_pubkey(m), "ED25519"))
		igos_die("'%s': the master key must be Ed25519", mk);
	key_raw(igos_signer_pubkey(m), mk, &malg, mpub, &mlen);
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
		IGOS_LONGOPT_TCTI,
		{ "force", no_argument, NULL, 'f' },
		{ "now", required_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ "request-out", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = NULL, *certp = NULL, *repo = NULL, *arch = NULL, *ver = NULL;
	const char *exp = NULL, *pin = NULL, *nows = NULL, *outp = NULL, *index;
	const char *reqout = NULL;
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
		case IGOS_OPT_TCTI: igos_opt_once(&tcti, optarg); break;
		case 'N': igos_opt_once(&nows, optarg); break;
		case 'o': igos_opt_once(&outp, optarg); break;
		case 'f': igos_flag_once(&force); break;
		case 'R': igos_opt_once(&reqout, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	argc -= optind;
	argv += optind;
	if (reqout && (key || pin || outp))
		igos_usage_err("sign: --request-out writes a request, not a signature: no --key, "
			       "--pin-file or -o");
	if (reqout)
		key = "-";
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

	if (reqout) {
		struct igos_req r = { .kind = IGOS_REQ_INDEX };
		EVP_PKEY *pk = igos_idx_pubkey(s.cert.alg, s.cert.pub, s.cert.publen);
		const char *b = strrchr(index, '/') ? strrchr(index, '/') + 1 : index;

		if (strcmp(index, "-") == 0)
			igos_usage_err("sign: the request names its INDEX: give a file, not '-'");
		if (strlen(b) >= sizeof(r.file))
			igos_die("'%s': file name too long for a request", index);
		strcpy(r.file, b);
		r.size = s.index_size;
		memcpy(r.sha256, s.index_sha256, 32);
		if (pk == NULL || igos_req_set_pubkey(&r, pk) < 0 ||
		    (hdr = igos_idx_sig_header(s.cert.block, s.cert.blocklen, &s, &hdrlen)) == NULL ||
		    igos_req_add_item(&r, NULL, hdr, hdrlen) < 0)
			igos_die("%s", igos_errmsg());
		write_request(&r, reqout);
		EVP_PKEY_free(pk);
		free(hdr);
		igos_buf_free(&cb);
		free(outdef);
		return 0;
	}
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
		{ "attach", cmd_attach },
		{ NULL, NULL },
	};

	igos_cli_init(PROG, usage, NULL);
	return igos_cli_verbs(argc, argv, verbs);
}
