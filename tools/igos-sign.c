/*
 * igos-sign: Authenticode signatures for PE/COFF images (EFI applications,
 * kernels, UKIs) and signatures for Linux kernel modules, held to what UEFI
 * firmware, shim and the kernel accept.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>

#include "acstream.h"
#include "authenticode.h"
#include "igos.h"
#include "modsig.h"
#include "efivar.h"
#include "request.h"
#include "sbvar.h"

#define PROG "igos-sign"

/* the open signer, freed (its key wiped, its token session closed) on every exit */
static struct igos_signer *signer;
/* the output being written, dropped on every failure */
static struct igos_out *cur_out;
/* sign --progress-fd: where the streamed signer says how far it has written */
static int progress_fd = -1;

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: igos-sign sign   -k|--key KEY -c|--cert CERT [--pin-file FILE] [--tcti CONF]\n"
		"                        [--replace] [-o|--output OUT] FILE\n"
		"       igos-sign sign   --request-out REQ -c|--cert CERT [--replace] FILE\n"
		"       igos-sign show-request REQ...\n"
		"       igos-sign sign-request -k|--key KEY [--pin-file FILE] [--tcti CONF]\n"
		"                        [-o|--output SIG|DIR] REQ...\n"
		"       igos-sign attach -r|--request REQ -s|--signature SIG [-o|--output OUT] FILE\n"
		"       igos-sign attach -r|--request REQ -s|--signature SIG -o|--output CERT\n"
		"                        (an x509-cert request)\n"
		"       igos-sign sign   -k|--key KEY -c|--cert CERT --progress-fd FD -o - FILE\n"
		"                        (stdout a file: \"written N\" and \"done N\" lines on FD)\n"
		"       igos-sign verify [-c|--cert CERT]... [--json] [--follow FD] FILE\n"
		"       igos-sign list   [-c|--cert CERT]... [--json] FILE\n"
		"       igos-sign remove (-n|--index INDEX | -a|--all) [-o|--output OUT] FILE\n"
		"       igos-sign hash   FILE\n"
		"       igos-sign -h|--help | -V|--version\n"
		"FILE is a PE/COFF image (Authenticode) or an ELF kernel module; '-' is stdin.\n"
		"Without -o, sign and remove replace FILE atomically; -o - writes to stdout.\n"
		"-v|--verbose prints the whole OpenSSL error queue on failure.\n");
}

/* Before any exit on a failure: the key wiped, the token session closed, the
 * output being written dropped. */
static void
cleanup(void)
{
	igos_signer_free(signer);
	signer = NULL;
	if (cur_out)
		igos_out_abort(cur_out);
	cur_out = NULL;
}

/* ---- input: mapped when it is a regular file, with its fd kept for copying ---- */

struct input {
	const char *path;
	struct igos_buf b;
	int fd; /* regular file we can copy from, or -1 */
};

/*
 * The input stays mapped (memory does not grow with the image; what is hashed
 * is read once, and nothing read from the image is used again after it was
 * verified). A file truncated under the mapping faults instead of reading:
 * igos_cli_guard_mapping makes that a one-line failure and drops cur_out's
 * temporary.
 */
static void
input_open(struct input *in, const char *path)
{
	struct stat st;
	int fd;

	memset(in, 0, sizeof(*in));
	in->path = path;
	in->fd = -1;
	if ((fd = igos_input_open(path, &st)) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_fd_regular(fd, &st)) {
		if (st.st_size == 0)
			igos_die("'%s': empty file", path);
		igos_cli_guard_mapping(path, &cur_out);
		in->b.data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (in->b.data == MAP_FAILED)
			igos_die("cannot map '%s': %s", path, strerror(errno));
		in->b.len = (size_t)st.st_size;
		in->b.mapped = 1;
		in->fd = fd;
		return;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (igos_buf_read(&in->b, path, 0) < 0)
		igos_die("%s", igos_errmsg());
	if (in->b.len == 0)
		igos_die("'%s': empty file", path);
}

enum fmt { FMT_PE, FMT_MODULE };

static enum fmt
detect(const struct input *in)
{
	const unsigned char *d = in->b.data;

	if (in->b.len >= 2 && d[0] == 'M' && d[1] == 'Z')
		return FMT_PE;
	if (igos_elf_is_rel(d, in->b.len))
		return FMT_MODULE;
	igos_die("'%s': not a PE/COFF image or an ELF kernel module", in->path);
}

static void
pe_open(struct input *in, struct igos_pe *pe)
{
	if (igos_ac_parse(pe, in->b.data, in->b.len) < 0)
		igos_die("'%s': %s", in->path, igos_errmsg());
}

/* A PE image that can take one more signature: its certificate table entry
 * exists and it has fewer than IGOS_AC_MAX_CERTS; c and n are its signatures. */
static void
pe_open_to_sign(struct input *in, struct igos_pe *pe, struct igos_ac_cert *c, unsigned *n)
{
	pe_open(in, pe);
	if (pe->ndirs <= 4)
		igos_die("'%s': cannot sign: the image has no certificate table entry "
			 "(NumberOfRvaAndSizes is %u)", in->path, pe->ndirs);
	if (igos_ac_certs(pe, c, IGOS_AC_MAX_CERTS, n) < 0)
		igos_die("'%s': %s", in->path, igos_errmsg());
	if (*n == IGOS_AC_MAX_CERTS)
		igos_die("'%s': already has %u signatures", in->path, *n);
}

static void
mod_open(struct input *in, struct igos_modsig *m)
{
	if (igos_modsig_parse(in->b.data, in->b.len, m) < 0)
		igos_die("'%s': %s", in->path, igos_errmsg());
}

/* ---- output ---- */

static void
out_open(struct igos_out *o, const char *path)
{
	if (igos_out_open(o, path, 0, 0) < 0)
		igos_die("%s", igos_errmsg());
	cur_out = o;
}

static void
out_write(struct igos_out *o, const void *p, size_t len)
{
	if (igos_out_write(o, p, len) < 0)
		igos_die("%s", igos_errmsg());
}

/* Bytes [off, off+len) of the input: copied from its fd (copy_file_range, no
 * second copy in memory) or written from memory when it came from a pipe. */
static void
out_input(struct igos_out *o, const struct input *in, size_t off, size_t len)
{
	if (len == 0)
		return;
	if (in->fd >= 0) {
		if (igos_out_copy(o, in->fd, (off_t)off, len) < 0)
			igos_die("%s", igos_errmsg());
		return;
	}
	out_write(o, in->b.data + off, len);
}

static void
out_commit(struct igos_out *o)
{
	if (igos_out_commit(o) < 0)
		igos_die("%s", igos_errmsg());
	cur_out = NULL;
}

/*
 * For a regular output from a regular input, the image body can go out
 * before it is hashed: the kernel copies it and starts writing it back while
 * the CPU hashes, and the header fields are patched in at the end. Returns 1
 * when it did so.
 */
static int
pe_write_early(struct igos_out *o, struct input *in, const struct igos_pe *pe)
{
	if (o->stream || in->fd < 0)
		return 0;
	if (igos_pe_write_body(o, pe, in->fd) < 0)
		igos_die("%s", igos_errmsg());
	(void)sync_file_range(o->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	return 1;
}

/* The image with its certificate table made of pieces, CheckSum set; committed. */
static void
pe_write(struct igos_out *o, int early, struct input *in, const struct igos_pe *pe,
	 uint64_t content_ws, const struct igos_pe_piece *pc, unsigned npc)
{
	if (igos_pe_write_signed(o, pe, in->fd, early, content_ws, pc, npc) < 0)
		igos_die("'%s': %s", in->path, igos_errmsg());
	out_commit(o);
}

/* ---- JSON ---- */

static void
json_str(const char *s)
{
	struct igos_text t = { 0 };

	if (igos_json_str(&t, s, strlen(s)) < 0)
		igos_die("%s", igos_errmsg());
	fwrite(t.p, 1, t.len, stdout);
	free(t.p);
}

static void
json_siginfo(const struct igos_ac_siginfo *si)
{
	printf("\"subject\":");
	json_str(si->subject);
	printf(",\"issuer\":");
	json_str(si->issuer);
	printf(",\"serial\":");
	json_str(si->serial);
	printf(",\"digest\":");
	json_str(si->digest);
	printf(",\"key\":");
	json_str(si->key);
}

/* ---- certificates given with -c ---- */

static STACK_OF(X509) *
load_certs(char **refs, int n)
{
	STACK_OF(X509) *sk = sk_X509_new_null();

	if (sk == NULL)
		igos_die("out of memory");
	for (int i = 0; i < n; i++) {
		X509 *x = igos_cert_load(refs[i]);

		if (x == NULL)
			igos_die("%s", igos_errmsg());
		if (!sk_X509_push(sk, x))
			igos_die("out of memory");
	}
	return sk;
}

/* ---- verbs ---- */

struct sigs {
	unsigned n;
	const unsigned char *der[IGOS_AC_MAX_CERTS];
	size_t len[IGOS_AC_MAX_CERTS];
};

static void
collect(struct input *in, enum fmt f, struct igos_pe *pe, struct igos_modsig *m, struct sigs *s)
{
	memset(s, 0, sizeof(*s));
	if (f == FMT_PE) {
		struct igos_ac_cert c[IGOS_AC_MAX_CERTS];

		pe_open(in, pe);
		if (igos_ac_certs(pe, c, IGOS_AC_MAX_CERTS, &s->n) < 0)
			igos_die("'%s': %s", in->path, igos_errmsg());
		for (unsigned i = 0; i < s->n; i++) {
			s->der[i] = c[i].der;
			s->len[i] = c[i].derlen;
		}
	} else {
		mod_open(in, m);
		if (m->is_signed) {
			s->n = 1;
			s->der[0] = m->sig;
			s->len[0] = m->sig_len;
		}
	}
}

static int
cmd_list(struct input *in, int json, STACK_OF(X509) *certs)
{
	enum fmt f = detect(in);
	struct igos_pe pe;
	struct igos_modsig m;
	struct sigs s;
	struct igos_ac_siginfo si[IGOS_AC_MAX_CERTS];

	collect(in, f, &pe, &m, &s);
	for (unsigned i = 0; i < s.n; i++)
		if (igos_ac_siginfo(s.der[i], s.len[i], certs, &si[i]) < 0)
			igos_die("'%s': signature %u: %s", in->path, i + 1, igos_errmsg());
	if (json) {
		printf("{\"file\":");
		json_str(in->path);
		printf(",\"format\":\"%s\",\"signatures\":[", f == FMT_PE ? "pe" : "module");
		for (unsigned i = 0; i < s.n; i++) {
			printf("%s{\"index\":%u,", i ? "," : "", i + 1);
			json_siginfo(&si[i]);
			printf("}");
		}
		printf("]}\n");
	} else {
		/* names from the certificates: OpenSSL escapes C0 controls, not
		 * C1 controls, bidi overrides or bytes that are not UTF-8 */
		for (unsigned i = 0; i < s.n; i++) {
			char *subj = igos_escape(si[i].subject, strlen(si[i].subject), 0);
			char *iss = igos_escape(si[i].issuer, strlen(si[i].issuer), 0);

			if (subj == NULL || iss == NULL)
				igos_die("out of memory");
			printf("%u: subject=%s; issuer=%s; serial=%s; digest=%s; key=%s\n", i + 1,
			       subj, iss, si[i].serial, si[i].digest, si[i].key);
			free(subj);
			free(iss);
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		igos_die("cannot write to standard output: %s", strerror(errno));
	return 0;
}

static int
cmd_verify(struct input *in, int json, STACK_OF(X509) *certs, const unsigned char *sha256)
{
	enum fmt f = detect(in);
	struct igos_pe pe;
	struct igos_modsig m;
	struct sigs s;
	struct igos_ac_digests dg;
	char why[IGOS_AC_MAX_CERTS][256];
	int ok[IGOS_AC_MAX_CERTS], any = 0;
	char msg[1024] = "";

	if (f == FMT_MODULE && certs == NULL)
		igos_usage_err("verify: a module signature carries no certificate: give -c CERT");
	collect(in, f, &pe, &m, &s);
	if (s.n == 0)
		igos_die("'%s': not signed", in->path);
	memset(&dg, 0, sizeof(dg));
	dg.pe = &pe;
	dg.flags = in->b.mapped ? IGOS_AC_DROP_PAGES : 0;
	if (in->fd >= 0) {
		/* read rather than mapped: a third less CPU in a VM (issue 27) */
		dg.flags = IGOS_AC_READ_FD;
		dg.fd = in->fd;
	}
	if (sha256 != NULL) {
		/* hashed already, from the file as it was written (verify --follow) */
		dg.n = 1;
		dg.nid[0] = NID_sha256;
		memcpy(dg.d[0], sha256, 32);
	}
	for (unsigned i = 0; i < s.n; i++) {
		int r;

		if (f == FMT_PE)
			r = igos_ac_verify(s.der[i], s.len[i], &dg, certs);
		else
			r = igos_p7_verify_detached(s.der[i], s.len[i], in->b.data, m.mod_len, certs);
		ok[i] = r == 0;
		snprintf(why[i], sizeof(why[i]), "%s", r == 0 ? "ok" : igos_errmsg());
		if (igos_verbose && r < 0)
			ERR_print_errors_fp(stderr);
		igos_ssl_clear();
		any |= ok[i];
	}
	if (json) {
		printf("{\"file\":");
		json_str(in->path);
		printf(",\"format\":\"%s\",\"verified\":%s,\"trust\":\"%s\",\"signatures\":[",
		       f == FMT_PE ? "pe" : "module", any ? "true" : "false",
		       certs ? "certificate" : "integrity-only");
		for (unsigned i = 0; i < s.n; i++) {
			printf("%s{\"index\":%u,\"valid\":%s,\"error\":", i ? "," : "", i + 1,
			       ok[i] ? "true" : "false");
			if (ok[i])
				printf("null");
			else
				json_str(why[i]);
			printf("}");
		}
		printf("]}\n");
	} else {
		for (unsigned i = 0; i < s.n; i++)
			printf("signature %u: %s\n", i + 1, why[i]);
		if (any)
			printf("'%s': %s\n", in->path, certs ? "verified" :
			       "integrity verified (signer not checked: no -c given)");
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		igos_die("cannot write to standard output: %s", strerror(errno));
	if (any)
		return 0;
	for (unsigned i = 0; i < s.n; i++) {
		size_t l = strlen(msg);

		snprintf(msg + l, sizeof(msg) - l, "%ssignature %u: %s", i ? "; " : "", i + 1,
			 why[i]);
	}
	igos_die("'%s': not verified: %s", in->path, msg);
}

/*
 * verify --follow FD FILE: FILE is being written by `igos-sign sign
 * --progress-fd` (the kernel-install hook runs both at once, on the two
 * cores): each "written N" on FD, the bytes up to N are read back from FILE
 * and hashed while the signer goes on; at "done N" (the file whole and synced)
 * the patched headers and the certificate table are read and judged, and the
 * signatures verified exactly as for `verify FILE`. No "done": a failure.
 */
static int
cmd_follow(const char *path, int rfd, int json, STACK_OF(X509) *certs)
{
	struct igos_ac_follow f;
	struct input in;
	struct igos_pe pe;
	struct stat st;
	unsigned char dg[32];
	char *line = NULL;
	size_t cap = 0;
	unsigned long long n = 0;
	int fd, done = 0, r, rc;
	FILE *rf;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		igos_die("cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		igos_die("'%s': --follow reads back a regular file", path);
	if ((rf = fdopen(rfd, "r")) == NULL)
		igos_die("cannot read descriptor %d: %s", rfd, strerror(errno));
	if (igos_ac_follow_init(&f, fd, path) < 0)
		igos_die("%s", igos_errmsg());
	while (!done && getline(&line, &cap, rf) > 0) {
		char word[8], nl;

		if (sscanf(line, "%7s %llu%c", word, &n, &nl) != 3 || nl != '\n' ||
		    (strcmp(word, "written") && strcmp(word, "done")))
			igos_die("'%s': descriptor %d: not a progress line", path, rfd);
		done = word[0] == 'd';
		if (!done && igos_ac_follow_to(&f, n) < 0)
			igos_die("%s", igos_errmsg());
	}
	if (ferror(rf))
		igos_die("cannot read descriptor %d: %s", rfd, strerror(errno));
	free(line);
	fclose(rf);
	if (!done)
		igos_die("'%s': its writer stopped before it was done (no \"done\" on "
			 "descriptor %d)", path, rfd);
	if ((r = igos_ac_follow_end(&f, n, &pe, dg)) < 0)
		igos_die("%s", igos_errmsg());
	if (r == 0) {
		/* headers the stream does not take: judged as a whole file */
		igos_ac_follow_free(&f);
		close(fd);
		input_open(&in, path);
		rc = cmd_verify(&in, json, certs, NULL);
		igos_buf_free(&in.b);
		close(in.fd);
		return rc;
	}
	memset(&in, 0, sizeof(in));
	in.path = path;
	in.b.data = f.img;
	in.b.len = f.len;
	/* another digest algorithm than SHA-256 is read from the file */
	in.fd = fd;
	rc = cmd_verify(&in, json, certs, dg);
	igos_ac_follow_free(&f);
	close(fd);
	return rc;
}

/* sign --progress-fd: the output, synced, and "done LEN" on the descriptor. */
static void
report_done(int out)
{
	struct stat st;
	char l[40];
	int n;

	if (fsync(out) < 0 || fstat(out, &st) < 0)
		igos_die("cannot write '-': %s", strerror(errno));
	n = snprintf(l, sizeof(l), "done %llu\n", (unsigned long long)st.st_size);
	for (int k = 0; k < n;) {
		ssize_t w = write(progress_fd, l + k, (size_t)(n - k));

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			igos_die("cannot write to descriptor %d: %s", progress_fd, strerror(errno));
		k += (int)w;
	}
	close(out);
}

/* FD of --progress-fd or --follow: open, and not standard output or error. */
static int
fd_arg(const char *opt, const char *arg)
{
	uint64_t v;

	if (igos_parse_u64(arg, &v) < 0 || v > 1024 || v == 1 || v == 2)
		igos_usage_err("%s: bad descriptor '%s'", opt, arg);
	if (fcntl((int)v, F_GETFD) < 0)
		igos_usage_err("%s: descriptor %s is not open", opt, arg);
	return (int)v;
}

static int
cmd_hash(struct input *in)
{
	unsigned char d[32];
	char hex[65];
	enum fmt f = detect(in);

	if (f == FMT_PE) {
		struct igos_pe pe;

		pe_open(in, &pe);
		if (igos_ac_digest(&pe, EVP_sha256(), d, NULL,
				   in->b.mapped ? IGOS_AC_DROP_PAGES : 0) < 0)
			igos_die("'%s': %s", in->path, igos_errmsg());
	} else {
		struct igos_modsig m;

		mod_open(in, &m);
		if (igos_digest(EVP_sha256(), in->b.data, m.mod_len, d) < 0)
			igos_die("'%s': %s", in->path, igos_errmsg());
	}
	igos_hex_encode(d, sizeof(d), hex);
	printf("%s\n", hex);
	if (fflush(stdout) != 0 || ferror(stdout))
		igos_die("cannot write to standard output: %s", strerror(errno));
	return 0;
}

static int
cmd_remove(struct input *in, const char *outpath, unsigned idx, int all)
{
	enum fmt f = detect(in);
	struct igos_pe pe;
	struct igos_modsig m;
	struct sigs s;

	collect(in, f, &pe, &m, &s);
	if (s.n == 0)
		igos_die("'%s': not signed", in->path);
	if (!all && idx > s.n)
		igos_die("'%s': no signature %u (it has %u)", in->path, idx, s.n);
	if (f == FMT_MODULE) {
		struct igos_out o;

		out_open(&o, outpath);
		out_input(&o, in, 0, m.mod_len);
		out_commit(&o);
		return 0;
	}
	{
		struct igos_pe_piece pc[IGOS_AC_MAX_CERTS];
		struct igos_out o;
		unsigned npc = 0;
		uint64_t ws = igos_pe_content_wordsum(&pe, in->b.mapped);

		for (unsigned i = 0; i < s.n; i++) {
			if (all || i + 1 == idx)
				continue;
			/* the entry with its header */
			pc[npc].p = NULL;
			pc[npc].off = (size_t)(s.der[i] - in->b.data) - 8;
			pc[npc].len = s.len[i] + 8;
			npc++;
		}
		out_open(&o, outpath);
		pe_write(&o, 0, in, &pe, ws, pc, npc);
	}
	return 0;
}

/* The image with one more WIN_CERTIFICATE (a PKCS#7 of p7len bytes) after the
 * n it has, written to o and committed. */
static void
pe_append(struct igos_out *o, int early, struct input *in, const struct igos_pe *pe,
	  uint64_t ws, const struct igos_ac_cert *c, unsigned n, const unsigned char *p7,
	  size_t p7len)
{
	struct igos_pe_piece pc[IGOS_AC_MAX_CERTS + 1];
	unsigned char *entry;

	if (p7len > UINT32_MAX - 8 || (entry = malloc(p7len + 8)) == NULL)
		igos_die("out of memory");
	igos_put_le32(entry, (uint32_t)(p7len + 8));
	entry[4] = IGOS_WIN_CERT_REVISION & 0xff;
	entry[5] = IGOS_WIN_CERT_REVISION >> 8;
	entry[6] = IGOS_WIN_CERT_TYPE_PKCS;
	entry[7] = 0;
	memcpy(entry + 8, p7, p7len);
	for (unsigned i = 0; i < n; i++)
		pc[i] = (struct igos_pe_piece){ NULL, c[i].off, c[i].dwlength };
	pc[n] = (struct igos_pe_piece){ entry, 0, p7len + 8 };
	pe_write(o, early, in, pe, ws, pc, n + 1);
	free(entry);
}

struct sign_opts {
	const char *key, *cert, *pin_file, *tcti;
	int replace;
};

static void
open_signer(const struct sign_opts *so, struct igos_signer **sp, X509 **xp)
{
	struct igos_signer_opts o = { .pin_file = so->pin_file, .tcti = so->tcti };

	if ((*xp = igos_cert_load(so->cert)) == NULL)
		igos_die("%s", igos_errmsg());
	if ((*sp = signer = igos_signer_open(so->key, &o)) == NULL)
		igos_die("%s", igos_errmsg());
	if (igos_cert_matches(*xp, *sp) < 0)
		igos_die("'%s': %s", so->cert, igos_errmsg());
}

/* The signer of a PE image: RSA of 2048 to 4096 bits, what firmware and shim
 * verify. */
static void
open_pe_signer(const struct sign_opts *so, struct igos_signer **sp, X509 **xp)
{
	unsigned bits;

	open_signer(so, sp, xp);
	if (igos_signer_type(*sp) != IGOS_KEY_RSA)
		igos_die("'%s': cannot sign a PE image with an %s key: UEFI firmware and shim "
			 "accept only RSA", so->key,
			 igos_signer_type(*sp) == IGOS_KEY_ED25519 ? "Ed25519" : "EC");
	bits = (unsigned)igos_signer_bits(*sp);
	if (bits < 2048 || bits > 4096)
		igos_die("'%s': cannot sign a PE image with an RSA-%u key: UEFI firmware "
			 "accepts RSA 2048 to 4096", so->key, bits);
}

static int
cmd_sign(struct input *in, const char *outpath, const struct sign_opts *so)
{
	enum fmt f = detect(in);
	struct igos_signer *sg;
	X509 *x;

	if (f == FMT_MODULE) {
		struct igos_modsig m;
		struct igos_out o;
		unsigned char *cms, tr[IGOS_MODSIG_TRAILER_LEN];
		size_t cl;

		mod_open(in, &m);
		if (m.is_signed && !so->replace)
			igos_die("'%s': module is already signed (--replace signs it again)", in->path);
		open_signer(so, &sg, &x);
		/* what sign-file makes: detached, no certificates, no attributes, no
		 * NULL digest parameters; Debian's kernel has no ECDSA */
		if (igos_signer_type(sg) != IGOS_KEY_RSA)
			igos_die("'%s': cannot sign a module with an %s key: the kernel's module keys "
			     "are RSA", so->key,
			     igos_signer_type(sg) == IGOS_KEY_ED25519 ? "Ed25519" : "EC");
		cms = igos_pkcs7_sign(sg, x, EVP_sha256(), NULL, in->b.data, m.mod_len,
				      IGOS_P7_NOCERTS | IGOS_P7_NOATTR | IGOS_P7_DETACHED |
				      IGOS_P7_MD_NOPARAM, &cl);
		if (cms == NULL)
			igos_die("'%s': %s", in->path, igos_errmsg());
		igos_modsig_trailer(tr, (uint32_t)cl);
		out_open(&o, outpath);
		out_input(&o, in, 0, m.mod_len);
		out_write(&o, cms, cl);
		out_write(&o, tr, sizeof(tr));
		out_commit(&o);
		free(cms);
		igos_signer_free(sg);
		signer = NULL;
		X509_free(x);
		return 0;
	}
	{
		struct igos_pe pe;
		struct igos_ac_cert c[IGOS_AC_MAX_CERTS];
		struct igos_out o;
		unsigned n;
		int early;
		unsigned char dg[32], *spc, *p7;
		size_t spclen, p7len;
		uint64_t ws;

		pe_open_to_sign(in, &pe, c, &n);
		open_pe_signer(so, &sg, &x);
		out_open(&o, outpath);
		early = pe_write_early(&o, in, &pe);
		/* a regular file is read rather than hashed through its mapping:
		 * a third less CPU in a VM (issue 27) */
		if ((in->fd >= 0 ? igos_ac_digest_fd(&pe, in->fd, EVP_sha256(), dg, &ws) :
		     igos_ac_digest(&pe, EVP_sha256(), dg, &ws,
				    in->b.mapped ? IGOS_AC_DROP_PAGES : 0)) < 0)
			igos_die("'%s': %s", in->path, igos_errmsg());
		if ((spc = igos_ac_spc_build(EVP_sha256(), dg, sizeof(dg), &spclen)) == NULL)
			igos_die("%s", igos_errmsg());
		p7 = igos_pkcs7_sign(sg, x, EVP_sha256(), IGOS_AC_SPC_INDIRECT_OID, spc, spclen, 0,
				     &p7len);
		if (p7 == NULL)
			igos_die("'%s': %s", in->path, igos_errmsg());
		{
			const EVP_MD *fwmd;

			/* e.g. a certificate so large the signature passes 64 KiB */
			if (igos_ac_firmware_form(p7, p7len, &fwmd) < 0)
				igos_die("'%s': cannot make a signature UEFI firmware reads: %s",
				     in->path, igos_errmsg());
		}
		pe_append(&o, early, in, &pe, ws, c, n, p7, p7len);
		free(p7);
		free(spc);
		igos_signer_free(sg);
		signer = NULL;
		X509_free(x);
	}
	return 0;
}

/*
 * `sign -o - -` from a pipe into an empty file (the kernel-install hook:
 * igos-ukify build -o - | igos-sign sign -k K -c C -o - - >FILE): the image is
 * read, hashed and written once, as it arrives (lib/acstream.c), and checked
 * at its end as cmd_sign checks it. 1 when signed; 0 when the input is not
 * such, and then in holds it, read whole, for cmd_sign.
 */
static int
sign_stream(struct input *in, const char *path, const char *outpath, const struct sign_opts *so)
{
	struct igos_ac_stream s;
	struct igos_ac_cert c[IGOS_AC_MAX_CERTS];
	/* standard output as an igos_out that can be patched (it is a file) */
	struct igos_out o = { .fd = STDOUT_FILENO, .dirfd = -1, .in_place = 1 };
	struct input pin = { .path = path, .fd = -1 };
	struct igos_signer *sg;
	struct stat st;
	unsigned char *spc, *p7;
	size_t spclen, p7len;
	const EVP_MD *fwmd;
	unsigned n;
	X509 *x;
	int r;

	if (strcmp(path, "-") || strcmp(outpath, "-") || fstat(STDIN_FILENO, &st) < 0 ||
	    S_ISREG(st.st_mode) || !igos_ac_stream_output(STDOUT_FILENO, "-")) {
		input_open(in, path);
		return 0;
	}
	/* fewer, larger hand-overs from the builder on the other core (its
	 * pages spliced in: a pipe of 1 MiB holds 256 of them, not 16) */
	if (S_ISFIFO(st.st_mode))
		(void)fcntl(STDIN_FILENO, F_SETPIPE_SZ, 1 << 20);
	if ((r = igos_ac_stream_begin(&s, STDIN_FILENO, path)) <= 0) {
		memset(in, 0, sizeof(*in));
		in->path = path;
		in->fd = -1;
		if (r < 0 || igos_ac_stream_rest(&s, &in->b) < 0)
			igos_die("%s", igos_errmsg());
		igos_ac_stream_free(&s);
		if (in->b.len == 0)
			igos_die("'%s': empty file", path);
		return 0;
	}
	open_pe_signer(so, &sg, &x);
	if (progress_fd >= 0) {
		s.report = 1;
		s.report_fd = progress_fd;
	}
	if (igos_ac_stream_run(&s, EVP_sha256(), STDOUT_FILENO, "-") < 0)
		igos_die("'%s': %s", path, igos_errmsg());
	if (igos_ac_certs(&s.pe, c, IGOS_AC_MAX_CERTS, &n) < 0)
		igos_die("'%s': %s", path, igos_errmsg());
	if (n == IGOS_AC_MAX_CERTS)
		igos_die("'%s': already has %u signatures", path, n);
	if ((spc = igos_ac_spc_build(EVP_sha256(), s.digest, 32, &spclen)) == NULL)
		igos_die("%s", igos_errmsg());
	p7 = igos_pkcs7_sign(sg, x, EVP_sha256(), IGOS_AC_SPC_INDIRECT_OID, spc, spclen, 0, &p7len);
	if (p7 == NULL)
		igos_die("'%s': %s", path, igos_errmsg());
	if (igos_ac_firmware_form(p7, p7len, &fwmd) < 0)
		igos_die("'%s': cannot make a signature UEFI firmware reads: %s", path,
			 igos_errmsg());
	/* the body is out: the table goes after it, CheckSum and entry patched in */
	if ((o.path = strdup("-")) == NULL)
		igos_die("out of memory");
	pe_append(&o, 1, &pin, &s.pe, s.wordsum, c, n, p7, p7len);
	free(p7);
	free(spc);
	igos_signer_free(sg);
	signer = NULL;
	X509_free(x);
	igos_ac_stream_free(&s);
	return 1;
}

/* ---- signing in two rooms: requests, the token's signatures, attaching ---- */

/* the module signature's shape: what sign-file makes */
#define MODSIG_FLAGS (IGOS_P7_NOCERTS | IGOS_P7_NOATTR | IGOS_P7_DETACHED | IGOS_P7_MD_NOPARAM)
/* the root-hash signature's shape: what igos-verity sign (and the kernel) use */
#define VERITY_FLAGS (IGOS_P7_NOCERTS | IGOS_P7_NOATTR | IGOS_P7_DETACHED)
#define MAX_SIG (1024 * 1024)

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

static void
check_key_kind(enum fmt f, EVP_PKEY *k, const char *ref)
{
	int t = EVP_PKEY_get_base_id(k);
	int bits = EVP_PKEY_get_bits(k);

	if (f == FMT_MODULE && t != EVP_PKEY_RSA)
		igos_die("'%s': cannot sign a module with an %s key: the kernel's module keys "
			 "are RSA", ref, t == EVP_PKEY_ED25519 ? "Ed25519" : "EC");
	if (f == FMT_PE && t != EVP_PKEY_RSA)
		igos_die("'%s': cannot sign a PE image with an %s key: UEFI firmware and shim "
			 "accept only RSA", ref, t == EVP_PKEY_ED25519 ? "Ed25519" : "EC");
	if (f == FMT_PE && (bits < 2048 || bits > 4096))
		igos_die("'%s': cannot sign a PE image with an RSA-%d key: UEFI firmware "
			 "accepts RSA 2048 to 4096", ref, bits);
}

/* The request for what `sign` would sign in `in` with x's key. */
static void
make_request(struct input *in, X509 *x, int replace, const char *ref, struct igos_req *r)
{
	enum fmt f = detect(in);
	unsigned char h[32];

	memset(r, 0, sizeof(*r));
	if (strlen(base_name(in->path)) >= sizeof(r->file))
		igos_die("'%s': file name too long for a request", in->path);
	strcpy(r->file, base_name(in->path));
	r->size = in->b.len;
	if (igos_digest(EVP_sha256(), in->b.data, in->b.len, r->sha256) < 0 ||
	    igos_req_set_cert(r, x) < 0)
		igos_die("%s", igos_errmsg());
	check_key_kind(f, X509_get0_pubkey(x), ref);
	if (f == FMT_MODULE) {
		struct igos_modsig m;

		mod_open(in, &m);
		if (m.is_signed && !replace)
			igos_die("'%s': module is already signed (--replace signs it again)", in->path);
		r->kind = IGOS_REQ_MODULE;
		if (igos_digest(EVP_sha256(), in->b.data, m.mod_len, r->digest) < 0 ||
		    igos_req_add_item(r, EVP_sha256(), r->digest, 32) < 0)
			igos_die("%s", igos_errmsg());
		return;
	}
	{
		struct igos_pe pe;
		struct igos_ac_cert c[IGOS_AC_MAX_CERTS];
		unsigned n;
		unsigned char *spc;
		size_t spclen;

		pe_open_to_sign(in, &pe, c, &n);
		r->kind = IGOS_REQ_PE;
		if (igos_ac_digest(&pe, EVP_sha256(), r->digest, NULL, 0) < 0)
			igos_die("'%s': %s", in->path, igos_errmsg());
		if ((spc = igos_ac_spc_build(EVP_sha256(), r->digest, 32, &spclen)) == NULL ||
		    (r->attrs = igos_pkcs7_attrs(x, EVP_sha256(), IGOS_AC_SPC_INDIRECT_OID, spc,
						 spclen, 0, &r->attrs_len)) == NULL ||
		    igos_digest(EVP_sha256(), r->attrs, r->attrs_len, h) < 0 ||
		    igos_req_add_item(r, EVP_sha256(), h, 32) < 0)
			igos_die("'%s': %s", in->path, igos_errmsg());
		free(spc);
	}
}

static int
cmd_request_out(struct input *in, const char *reqpath, const struct sign_opts *so)
{
	struct igos_req r;
	struct igos_text t = { 0 };
	X509 *x;

	if ((x = igos_cert_load(so->cert)) == NULL)
		igos_die("%s", igos_errmsg());
	make_request(in, x, so->replace, so->cert, &r);
	if (igos_req_format(&r, &t) < 0)
		igos_die("'%s': %s", in->path, igos_errmsg());
	if (igos_write_atomic(reqpath, t.p, t.len, 0, 0) < 0)
		igos_die("%s", igos_errmsg());
	free(t.p);
	igos_req_free(&r);
	X509_free(x);
	return 0;
}

/* A request file, parsed; dies with the file's name and the reason. The raw
 * bytes' SHA-256 goes to h when not NULL. */
static void
read_request(const char *path, struct igos_req *r, unsigned char *h)
{
	struct igos_buf b;

	if (igos_buf_read(&b, path, IGOS_REQ_MAX) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_req_parse(r, b.data, b.len) < 0)
		igos_die("'%s': %s", path, igos_errmsg());
	if (h && igos_digest(EVP_sha256(), b.data, b.len, h) < 0)
		igos_die("%s", igos_errmsg());
	igos_buf_free(&b);
}

static void
print_lines(const char *label, const unsigned char *p, size_t n)
{
	char *e = igos_escape(p, n, IGOS_ESC_LINES);

	if (e == NULL)
		igos_die("out of memory");
	printf("  %-9s", label);
	for (char *l = e, *nl; l && *l; l = nl) {
		if ((nl = strchr(l, '\n')) != NULL)
			*nl++ = 0;
		printf("%s%s\n", l == e ? "" : "           ", l);
	}
	free(e);
}

static int
cmd_show_request(int n, char **paths)
{
	static const char *const what[] = {
		[IGOS_REQ_PE] = "an Authenticode signature of the PE image",
		[IGOS_REQ_MODULE] = "a signature of the kernel module",
		[IGOS_REQ_VERITY] = "a dm-verity root-hash signature for the image",
		[IGOS_REQ_PCR] = "PCR 11 policy signatures (.pcrsig) for the UKI",
		[IGOS_REQ_INDEX] = "the signature of the package index",
		[IGOS_REQ_SUBKEY] = "the index master key's signature of the subkey certificate",
		[IGOS_REQ_X509] = "the key's signature of its X.509 certificate (MOK)",
		[IGOS_REQ_EFIAUTH] = "an authenticated UEFI variable update of the list",
	};

	for (int i = 0; i < n; i++) {
		struct igos_req r;
		char hex[2 * IGOS_MAX_MD + 1];
		EVP_PKEY *k;

		read_request(paths[i], &r, NULL);
		printf("%s'%s': asks for %s '%s'\n", i ? "\n" : "", paths[i], what[r.kind], r.file);
		igos_hex_encode(r.sha256, 32, hex);
		printf("  file:    %llu bytes, SHA-256 %s\n", (unsigned long long)r.size, hex);
		if ((k = igos_req_pubkey(&r)) == NULL)
			igos_die("'%s': %s", paths[i], igos_errmsg());
		igos_hex_encode(r.key, 32, hex);
		if (r.alg == IGOS_REQ_RSA)
			printf("  key:     RSA-%d, public key SHA-256 %s\n", EVP_PKEY_get_bits(k), hex);
		else
			printf("  key:     %s, public key SHA-256 %s\n",
			       r.alg == IGOS_REQ_ED25519 ? "Ed25519" : "ECDSA P-256", hex);
		EVP_PKEY_free(k);
		if (r.cert) {
			X509 *x = igos_req_cert(&r);
			char subj[512], iss[512];
			char *es, *ei;

			if (x == NULL)
				igos_die("'%s': %s", paths[i], igos_errmsg());
			igos_x509_name_str(X509_get_subject_name(x), subj, sizeof(subj));
			igos_x509_name_str(X509_get_issuer_name(x), iss, sizeof(iss));
			es = igos_escape(subj, strlen(subj), 0);
			ei = igos_escape(iss, strlen(iss), 0);
			if (es == NULL || ei == NULL)
				igos_die("out of memory");
			printf("  cert:    subject=%s; issuer=%s\n", es, ei);
			free(es);
			free(ei);
			X509_free(x);
		}
		if (r.kind == IGOS_REQ_PE || r.kind == IGOS_REQ_MODULE) {
			igos_hex_encode(r.digest, 32, hex);
			printf("  digest:  %s SHA-256 %s\n",
			       r.kind == IGOS_REQ_PE ? "Authenticode" : "module", hex);
		}
		if (r.kind == IGOS_REQ_EFIAUTH) {
			char g[37], ts[20];

			igos_guid_str(r.guid, g);
			igos_req_time_str(r.time, ts);
			printf("  update:  variable %s, vendor GUID %s\n", r.var, g);
			printf("           attributes 0x%08x (%s), timestamp %s UTC\n", r.attr,
			       r.attr & IGOS_EFI_APPEND ? "append" : "replace", ts);
		}
		for (unsigned j = 0; j < r.nitems; j++) {
			const struct igos_req_item *it = &r.item[j];

			if (it->md) {
				igos_hex_encode(it->data, it->len, hex);
				printf("  signs:   %s %s%s\n", OBJ_nid2sn(EVP_MD_get_type(it->md)), hex,
				       r.kind == IGOS_REQ_PE ? " (of the signed attributes)" :
				       r.kind == IGOS_REQ_PCR ? " (of a PCR 11 policy digest)" :
				       r.kind == IGOS_REQ_EFIAUTH ? " (of name, GUID, attributes, "
				       "timestamp and list)" : "");
			} else if (r.kind == IGOS_REQ_VERITY) {
				printf("  signs:   root hash %.*s\n", (int)it->len, it->data);
			} else if (r.kind == IGOS_REQ_X509) {
				printf("  signs:   the certificate above (%zu bytes of tbsCertificate)\n",
				       it->len);
			} else {
				print_lines("signs:", it->data, it->len);
			}
		}
		igos_req_free(&r);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		igos_die("cannot write to standard output: %s", strerror(errno));
	return 0;
}

/* Where the signature for request path goes: -o as given (one request), in
 * the directory -o, or beside the request (".req" becoming ".sig"). */
static char *
sig_path(const char *req, const char *o, int odir)
{
	const char *b = odir ? base_name(req) : req;
	size_t n = strlen(b);
	char *p;

	if (o && !odir)
		return strdup(o);
	if (n > 4 && strcmp(b + n - 4, ".req") == 0)
		n -= 4;
	if (asprintf(&p, "%s%s%.*s.sig", odir ? o : "", odir ? "/" : "", (int)n, b) < 0)
		return NULL;
	return p;
}

static int
cmd_sign_request(int n, char **paths, const char *o, const struct sign_opts *so)
{
	struct igos_signer_opts sopts = { .pin_file = so->pin_file, .tcti = so->tcti };
	struct igos_req *r = calloc((size_t)n, sizeof(*r));
	unsigned char (*rh)[32] = calloc((size_t)n, 32), key[32];
	struct igos_text *out = calloc((size_t)n, sizeof(*out));
	enum igos_req_alg alg;
	struct stat st;
	int odir = o && stat(o, &st) == 0 && S_ISDIR(st.st_mode);

	if (r == NULL || rh == NULL || out == NULL)
		igos_die("out of memory");
	if (n > 1 && o && !odir)
		igos_usage_err("sign-request: with several requests, -o names a directory");
	/* every request read and judged before the token is touched */
	for (int i = 0; i < n; i++)
		read_request(paths[i], &r[i], rh[i]);
	if ((signer = igos_signer_open(so->key, &sopts)) == NULL)
		igos_die("%s", igos_errmsg());
	if ((alg = igos_req_alg_of(igos_signer_pubkey(signer))) == 0 ||
	    igos_req_keyhash(igos_signer_pubkey(signer), key) < 0)
		igos_die("'%s': %s", so->key, igos_errmsg());
	for (int i = 0; i < n; i++) {
		char hex[17];

		igos_hex_encode(r[i].key, 8, hex);
		if (memcmp(r[i].key, key, 32) != 0)
			igos_die("'%s': the request is for another key (SHA-256 %s...), not '%s'",
				 paths[i], hex, so->key);
		if (r[i].alg != alg)
			igos_die("'%s': the request is for an %s signature, not '%s''s", paths[i],
				 igos_req_alg_name(r[i].alg), so->key);
	}
	for (int i = 0; i < n; i++) {
		struct igos_req *q = &r[i];
		unsigned char *der = NULL;
		size_t len = 0;
		X509 *x = NULL;

		if (q->cert && ((x = igos_req_cert(q)) == NULL || igos_cert_matches(x, signer) < 0))
			igos_die("'%s': %s", paths[i], igos_errmsg());
		switch (q->kind) {
		case IGOS_REQ_PE: {
			unsigned char *spc, *attrs;
			size_t spclen, alen;
			const EVP_MD *fwmd;

			/* what the signature will cover is exactly what was shown */
			if ((spc = igos_ac_spc_build(EVP_sha256(), q->digest, 32, &spclen)) == NULL ||
			    (attrs = igos_pkcs7_attrs(x, EVP_sha256(), IGOS_AC_SPC_INDIRECT_OID, spc,
						      spclen, 0, &alen)) == NULL)
				igos_die("'%s': %s", paths[i], igos_errmsg());
			if (alen != q->attrs_len || memcmp(attrs, q->attrs, alen) != 0)
				igos_die("'%s': attrs are not the signed attributes of this digest "
					 "and certificate", paths[i]);
			free(attrs);
			der = igos_pkcs7_sign(signer, x, EVP_sha256(), IGOS_AC_SPC_INDIRECT_OID, spc,
					      spclen, 0, &len);
			free(spc);
			if (der && igos_ac_firmware_form(der, len, &fwmd) < 0)
				igos_die("'%s': cannot make a signature UEFI firmware reads: %s",
					 paths[i], igos_errmsg());
			break;
		}
		case IGOS_REQ_MODULE:
			der = igos_pkcs7_sign_dgst(signer, x, EVP_sha256(), q->digest, MODSIG_FLAGS,
						   &len);
			break;
		case IGOS_REQ_VERITY:
			der = igos_pkcs7_sign(signer, x, EVP_sha256(), NULL, q->item[0].data,
					      q->item[0].len, VERITY_FLAGS, &len);
			break;
		case IGOS_REQ_EFIAUTH:
			/* what sign-efi-sig-list makes: no signed attributes, so the
			 * RSA signature is over the digest itself */
			der = igos_pkcs7_sign_dgst(signer, x, EVP_sha256(), q->item[0].data,
						   IGOS_SBVAR_P7_FLAGS, &len);
			break;
		case IGOS_REQ_X509: {
			/* the finished certificate; the request checked that what is
			 * signed is its tbsCertificate */
			unsigned char *enc = NULL;
			int dl;

			if (igos_x509_sign(x, signer, EVP_sha256()) < 0)
				igos_die("'%s': %s", paths[i], igos_errmsg());
			if ((dl = i2d_X509(x, &enc)) <= 0 || (der = malloc((size_t)dl)) == NULL)
				igos_die("'%s': cannot encode the certificate", paths[i]);
			memcpy(der, enc, (size_t)dl);
			OPENSSL_free(enc);
			len = (size_t)dl;
			break;
		}
		default: {
			struct igos_rsig rs = { .n = q->nitems };

			memcpy(rs.request, rh[i], 32);
			for (unsigned j = 0; j < q->nitems; j++) {
				const struct igos_req_item *it = &q->item[j];
				int rc = it->md ? igos_signer_sign_digest(signer, it->md, it->data,
									  it->len, &rs.sig[j], &rs.len[j])
						: igos_signer_sign_msg(signer,
							alg == IGOS_REQ_ED25519 ? NULL : EVP_sha256(),
							it->data, it->len, &rs.sig[j], &rs.len[j]);

				if (rc < 0 || igos_req_verify_item(q, j, rs.sig[j], rs.len[j]) < 0)
					igos_die("'%s': %s", paths[i], igos_errmsg());
			}
			if (igos_rsig_format(&rs, &out[i]) < 0)
				igos_die("'%s': %s", paths[i], igos_errmsg());
			igos_rsig_free(&rs);
			break;
		}
		}
		if (x) {
			if (der == NULL)
				igos_die("'%s': %s", paths[i], igos_errmsg());
			if (igos_text_add(&out[i], der, len) < 0)
				igos_die("out of memory");
			free(der);
			X509_free(x);
		}
	}
	igos_signer_free(signer);
	signer = NULL;
	for (int i = 0; i < n; i++) {
		char *p = sig_path(paths[i], o, odir);

		if (p == NULL)
			igos_die("out of memory");
		if (igos_write_atomic(p, out[i].p, out[i].len, 0, 0) < 0)
			igos_die("%s", igos_errmsg());
		free(p);
		free(out[i].p);
		igos_req_free(&r[i]);
	}
	free(out);
	free(rh);
	free(r);
	return 0;
}

/* The certificate the signing host made for an x509-cert request: its
 * tbsCertificate is the request's, its signature the request's key's. */
static int
cmd_attach_cert(const char *outpath, const char *reqpath, const char *sigpath)
{
	struct igos_req r;
	struct igos_buf sb;
	const unsigned char *p;
	unsigned char *tbs = NULL;
	X509 *x;
	EVP_PKEY *k;
	int n;

	read_request(reqpath, &r, NULL);
	if (r.kind != IGOS_REQ_X509)
		igos_usage_err("attach: a %s request needs its FILE", igos_req_kind_name(r.kind));
	if (outpath == NULL)
		igos_usage_err("attach: give -o CERT for the certificate");
	if (igos_buf_read(&sb, sigpath, MAX_SIG) < 0)
		igos_die("%s", igos_errmsg());
	p = sb.data;
	if ((x = d2i_X509(NULL, &p, (long)sb.len)) == NULL || p != sb.data + sb.len)
		igos_die("'%s': not a DER certificate", sigpath);
	n = i2d_re_X509_tbs(x, &tbs);
	if (n <= 0 || (size_t)n != r.item[0].len || memcmp(tbs, r.item[0].data, (size_t)n) != 0)
		igos_die("'%s': not the certificate '%s' asks for", sigpath, reqpath);
	if ((k = igos_req_pubkey(&r)) == NULL || X509_verify(x, k) != 1)
		igos_die("'%s': the certificate's signature is not the request's key's", sigpath);
	if (igos_write_atomic(outpath, sb.data, sb.len, 0644, 0) < 0)
		igos_die("%s", igos_errmsg());
	OPENSSL_free(tbs);
	EVP_PKEY_free(k);
	X509_free(x);
	igos_buf_free(&sb);
	igos_req_free(&r);
	return 0;
}

/* SHA-256 of the public key of the first signer a PKCS#7 carries the
 * certificate of; -1 if it carries none. */
static int
p7_signer_key(const unsigned char *der, size_t len, unsigned char h[32])
{
	const unsigned char *p = der;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
	STACK_OF(X509) *sk = p7 ? PKCS7_get0_signers(p7, NULL, 0) : NULL;
	int rc = -1;

	if (sk && sk_X509_num(sk) > 0)
		rc = igos_req_keyhash(X509_get0_pubkey(sk_X509_value(sk, 0)), h);
	sk_X509_free(sk);
	PKCS7_free(p7);
	ERR_clear_error();
	return rc;
}

static int
cmd_attach(struct input *in, const char *outpath, const char *reqpath, const char *sigpath)
{
	struct igos_req r, mine;
	struct igos_buf sb;
	STACK_OF(X509) *tr;
	X509 *x;
	enum fmt f = detect(in);
	struct igos_out o;

	read_request(reqpath, &r, NULL);
	if (r.kind == IGOS_REQ_X509)
		igos_usage_err("attach: an x509-cert request takes no FILE, only -o CERT");
	if (r.kind != IGOS_REQ_PE && r.kind != IGOS_REQ_MODULE)
		igos_die("'%s': a %s request is attached by igos-%s", reqpath,
			 igos_req_kind_name(r.kind),
			 r.kind == IGOS_REQ_VERITY ? "verity" :
			 r.kind == IGOS_REQ_PCR ? "measure" :
			 r.kind == IGOS_REQ_EFIAUTH ? "sbkeys" : "index-sign");
	if (igos_req_check_file(&r, in->path, in->b.data, in->b.len) < 0)
		igos_die("%s", igos_errmsg());
	if ((x = igos_req_cert(&r)) == NULL)
		igos_die("'%s': %s", reqpath, igos_errmsg());
	/* the same file: what the request asks to sign must be what this file needs */
	make_request(in, x, 1, reqpath, &mine);
	if (!igos_req_equal(&r, &mine))
		igos_die("'%s': the request does not ask for what '%s' needs signed", reqpath,
			 in->path);
	if (igos_buf_read(&sb, sigpath, MAX_SIG) < 0)
		igos_die("%s", igos_errmsg());
	if ((tr = sk_X509_new_null()) == NULL || !sk_X509_push(tr, x))
		igos_die("out of memory");
	if (f == FMT_PE) {
		struct igos_pe pe;
		struct igos_ac_cert c[IGOS_AC_MAX_CERTS];
		struct igos_ac_digests dg;
		unsigned char h[32];
		const EVP_MD *fwmd;
		unsigned n;

		pe_open(in, &pe);
		if (igos_ac_certs(&pe, c, IGOS_AC_MAX_CERTS, &n) < 0)
			igos_die("'%s': %s", in->path, igos_errmsg());
		if (igos_ac_firmware_form(sb.data, sb.len, &fwmd) < 0)
			igos_die("'%s': not an Authenticode signature UEFI firmware reads: %s",
				 sigpath, igos_errmsg());
		if (p7_signer_key(sb.data, sb.len, h) < 0 || memcmp(h, r.key, 32) != 0)
			igos_die("'%s': not made with the key the request names", sigpath);
		memset(&dg, 0, sizeof(dg));
		dg.pe = &pe;
		if (igos_ac_verify(sb.data, sb.len, &dg, tr) < 0)
			igos_die("'%s': not a signature of '%s': %s", sigpath, in->path,
				 igos_errmsg());
		out_open(&o, outpath);
		pe_append(&o, 0, in, &pe, igos_pe_content_wordsum(&pe, 0), c, n, sb.data, sb.len);
	} else {
		struct igos_modsig m;
		unsigned char tr40[IGOS_MODSIG_TRAILER_LEN];

		mod_open(in, &m);
		if (igos_p7_verify_detached(sb.data, sb.len, in->b.data, m.mod_len, tr) < 0)
			igos_die("'%s': not a signature of '%s' by the request's key: %s", sigpath,
				 in->path, igos_errmsg());
		if (sb.len > UINT32_MAX)
			igos_die("'%s': too large", sigpath);
		igos_modsig_trailer(tr40, (uint32_t)sb.len);
		out_open(&o, outpath);
		out_input(&o, in, 0, m.mod_len);
		out_write(&o, sb.data, sb.len);
		out_write(&o, tr40, sizeof(tr40));
		out_commit(&o);
	}
	sk_X509_pop_free(tr, X509_free);
	igos_buf_free(&sb);
	igos_req_free(&mine);
	igos_req_free(&r);
	return 0;
}

static int
run(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_PIN_FILE, OPT_REPLACE, OPT_REQUEST_OUT, OPT_PROGRESS_FD,
	       OPT_FOLLOW };
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "index", required_argument, NULL, 'n' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "pin-file", required_argument, NULL, OPT_PIN_FILE },
		{ "replace", no_argument, NULL, OPT_REPLACE },
		{ "request-out", required_argument, NULL, OPT_REQUEST_OUT },
		{ "request", required_argument, NULL, 'r' },
		{ "signature", required_argument, NULL, 's' },
		{ "progress-fd", required_argument, NULL, OPT_PROGRESS_FD },
		{ "follow", required_argument, NULL, OPT_FOLLOW },
		IGOS_LONGOPT_TCTI,
		{ NULL, 0, NULL, 0 },
	};
	const char *verb, *outpath = NULL, *reqout = NULL, *reqpath = NULL, *sigpath = NULL;
	char **certs = NULL;
	int ncerts = 0, json = 0, all = 0, seen_n = 0, ch, rc, follow = -1, keep = -1;
	const char *progress_arg = NULL, *follow_arg = NULL;
	unsigned idx = 0;
	struct sign_opts so = { 0 };
	struct input in;
	STACK_OF(X509) *trusted = NULL;

	verb = argv[0];
	if ((certs = calloc((size_t)argc, sizeof(*certs))) == NULL)
		igos_die("out of memory");
	while ((ch = igos_getopt(argc, argv, "hVvk:c:o:n:ar:s:", lopts)) != -1) {
		int allowed;

		switch (ch) {
		case 'k':
			if (strcmp(verb, "sign") && strcmp(verb, "sign-request"))
				igos_usage_err("%s: -k is only for sign and sign-request", verb);
			igos_opt_once(&so.key, optarg);
			break;
		case 'c':
			if (strcmp(verb, "sign") == 0) {
				igos_opt_once(&so.cert, optarg);
			} else if (strcmp(verb, "verify") == 0 || strcmp(verb, "list") == 0) {
				certs[ncerts++] = optarg;
			} else {
				igos_usage_err("%s: -c is not an option of this verb", verb);
			}
			break;
		case 'o':
			if (strcmp(verb, "sign") && strcmp(verb, "remove") &&
			    strcmp(verb, "sign-request") && strcmp(verb, "attach"))
				igos_usage_err("%s: -o is only for sign, remove, sign-request and "
					       "attach", verb);
			igos_opt_once(&outpath, optarg);
			break;
		case 'n': {
			uint64_t v;

			if (strcmp(verb, "remove"))
				igos_usage_err("%s: -n is only for remove", verb);
			igos_flag_once(&seen_n);
			if (igos_parse_u64(optarg, &v) < 0 || v == 0 || v > IGOS_AC_MAX_CERTS)
				igos_usage_err("-n: bad signature index '%s'", optarg);
			idx = (unsigned)v;
			break;
		}
		case 'a':
			if (strcmp(verb, "remove"))
				igos_usage_err("%s: --all is only for remove", verb);
			igos_flag_once(&all);
			break;
		case OPT_JSON:
			allowed = !strcmp(verb, "verify") || !strcmp(verb, "list");
			if (!allowed)
				igos_usage_err("%s: --json is only for verify and list", verb);
			igos_flag_once(&json);
			break;
		case OPT_PIN_FILE:
			if (strcmp(verb, "sign") && strcmp(verb, "sign-request"))
				igos_usage_err("%s: --pin-file is only for sign and sign-request", verb);
			igos_opt_once(&so.pin_file, optarg);
			break;
		case IGOS_OPT_TCTI:
			if (strcmp(verb, "sign") && strcmp(verb, "sign-request"))
				igos_usage_err("%s: --tcti is only for sign and sign-request", verb);
			igos_opt_once(&so.tcti, optarg);
			break;
		case OPT_REPLACE:
			if (strcmp(verb, "sign"))
				igos_usage_err("%s: --replace is only for sign", verb);
			igos_flag_once(&so.replace);
			break;
		case OPT_REQUEST_OUT:
			if (strcmp(verb, "sign"))
				igos_usage_err("%s: --request-out is only for sign", verb);
			igos_opt_once(&reqout, optarg);
			break;
		case OPT_PROGRESS_FD:
			if (strcmp(verb, "sign"))
				igos_usage_err("%s: --progress-fd is only for sign", verb);
			igos_opt_once(&progress_arg, optarg);
			progress_fd = fd_arg("--progress-fd", optarg);
			break;
		case OPT_FOLLOW:
			if (strcmp(verb, "verify"))
				igos_usage_err("%s: --follow is only for verify", verb);
			igos_opt_once(&follow_arg, optarg);
			follow = fd_arg("--follow", optarg);
			break;
		case 'r':
			if (strcmp(verb, "attach"))
				igos_usage_err("%s: -r is only for attach", verb);
			igos_opt_once(&reqpath, optarg);
			break;
		case 's':
			if (strcmp(verb, "attach"))
				igos_usage_err("%s: -s is only for attach", verb);
			igos_opt_once(&sigpath, optarg);
			break;
		default:
			igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (strcmp(verb, "show-request") == 0 || strcmp(verb, "sign-request") == 0) {
		if (argc - optind < 1)
			igos_usage_err("%s: expected one or more REQ operands", verb);
		if (verb[1] == 'h')
			rc = cmd_show_request(argc - optind, argv + optind);
		else if (so.key == NULL)
			igos_usage_err("sign-request: -k KEY is required");
		else
			rc = cmd_sign_request(argc - optind, argv + optind, outpath, &so);
		free(certs);
		return rc;
	}
	if (strcmp(verb, "attach") == 0 && argc == optind && reqpath && sigpath) {
		free(certs);
		return cmd_attach_cert(outpath, reqpath, sigpath);
	}
	if (argc - optind != 1)
		igos_usage_err("%s: expected exactly one FILE operand", verb);
	if (reqout && (so.key || outpath))
		igos_usage_err("sign: --request-out writes a request, not a signature: "
			       "no -k or -o");
	if (reqout && so.cert == NULL)
		igos_usage_err("sign: --request-out needs -c CERT");
	if (reqout && strcmp(argv[optind], "-") == 0)
		igos_usage_err("sign: --request-out needs a named FILE (the request names it)");
	if (strcmp(verb, "sign") == 0 && !reqout && (so.key == NULL || so.cert == NULL))
		igos_usage_err("sign: -k KEY and -c CERT are required");
	if (strcmp(verb, "attach") == 0 && (reqpath == NULL || sigpath == NULL))
		igos_usage_err("attach: -r REQ and -s SIG are required");
	if (strcmp(verb, "remove") == 0 && seen_n == all)
		igos_usage_err("remove: give exactly one of -n INDEX and --all");
	if (progress_arg) {
		struct stat st;

		if (reqout || outpath == NULL || strcmp(outpath, "-") ||
		    fstat(STDOUT_FILENO, &st) < 0 || !S_ISREG(st.st_mode))
			igos_usage_err("sign: --progress-fd needs -o - with standard output a file");
		if (progress_fd == STDIN_FILENO && strcmp(argv[optind], "-") == 0)
			igos_usage_err("sign: --progress-fd 0 and the image on standard input");
		/* the streamed path closes standard output when it is done */
		if ((keep = dup(STDOUT_FILENO)) < 0)
			igos_die("cannot write '-': %s", strerror(errno));
	}
	if (follow >= 0) {
		if (strcmp(argv[optind], "-") == 0)
			igos_usage_err("verify: --follow reads back a named FILE");
		if (ncerts)
			trusted = load_certs(certs, ncerts);
		rc = cmd_follow(argv[optind], follow, json, trusted);
		sk_X509_pop_free(trusted, X509_free);
		free(certs);
		return rc;
	}
	if (outpath == NULL)
		outpath = argv[optind];

	/* a pipe into a file: streamed; else (or not a PE image) read as always */
	if (strcmp(verb, "sign") == 0 && !reqout && sign_stream(&in, argv[optind], outpath, &so)) {
		if (keep >= 0)
			report_done(keep);
		free(certs);
		return 0;
	}
	if (strcmp(verb, "sign") || reqout)
		input_open(&in, argv[optind]);
	if (ncerts)
		trusted = load_certs(certs, ncerts);
	if (reqout)
		rc = cmd_request_out(&in, reqout, &so);
	else if (strcmp(verb, "sign") == 0) {
		rc = cmd_sign(&in, outpath, &so);
		if (keep >= 0)
			report_done(keep);
	}
	else if (strcmp(verb, "attach") == 0)
		rc = cmd_attach(&in, outpath, reqpath, sigpath);
	else if (strcmp(verb, "verify") == 0)
		rc = cmd_verify(&in, json, trusted, NULL);
	else if (strcmp(verb, "list") == 0)
		rc = cmd_list(&in, json, trusted);
	else if (strcmp(verb, "remove") == 0)
		rc = cmd_remove(&in, outpath, idx, all);
	else
		rc = cmd_hash(&in);
	sk_X509_pop_free(trusted, X509_free);
	free(certs);
	igos_buf_free(&in.b);
	if (in.fd > STDIN_FILENO)
		close(in.fd);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct igos_verb verbs[] = {
		{ "sign", run }, { "verify", run }, { "list", run }, { "remove", run },
		{ "hash", run }, { "show-request", run }, { "sign-request", run },
		{ "attach", run }, { NULL, NULL },
	};

	igos_cli_init(PROG, usage, cleanup);
	return igos_cli_verbs(argc, argv, verbs);
}
