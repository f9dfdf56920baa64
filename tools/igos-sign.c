/*
 * igos-sign: Authenticode signatures for PE/COFF images (EFI applications,
 * kernels, UKIs) and signatures for Linux kernel modules, held to what UEFI
 * firmware, shim and the kernel accept.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>

#include "authenticode.h"
#include "igos.h"
#include "modsig.h"

#define PROG "igos-sign"

static int verbose;
/* the open signer, freed (its key wiped, its token session closed) on every exit */
static struct igos_signer *signer;
/* the output being written, dropped on every failure */
static struct igos_out *cur_out;

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: igos-sign sign   -k KEY -c CERT [--pin-file FILE] [--replace] [-o OUT] FILE\n"
		"       igos-sign verify [-c CERT]... [--json] FILE\n"
		"       igos-sign list   [-c CERT]... [--json] FILE\n"
		"       igos-sign remove (-n INDEX | --all) [-o OUT] FILE\n"
		"       igos-sign hash   FILE\n"
		"FILE is a PE/COFF image (Authenticode) or an ELF kernel module; '-' is stdin.\n"
		"Without -o, sign and remove replace FILE atomically; -o - writes to stdout.\n"
		"-v prints the whole OpenSSL error queue on failure.\n");
}

static void __attribute__((noreturn))
usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

/* Fail with the library's message; the OpenSSL queue too under -v. */
static void __attribute__((noreturn))
fail(const char *fmt, ...)
{
	va_list ap;

	igos_signer_free(signer);
	signer = NULL;
	if (cur_out)
		igos_out_abort(cur_out);
	cur_out = NULL;
	if (verbose)
		ERR_print_errors_fp(stderr);
	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
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
 * that is a one-line failure like any unreadable input, not a crash, and the
 * temporary output goes (only async-signal-safe calls here).
 */
static char bus_msg[512];
static size_t bus_len;

static void
on_sigbus(int sig)
{
	(void)sig;
	if (cur_out != NULL && cur_out->tmpname != NULL && cur_out->dirfd >= 0)
		unlinkat(cur_out->dirfd, cur_out->tmpname, 0);
	if (write(STDERR_FILENO, bus_msg, bus_len) < 0)
		_exit(1);
	_exit(1);
}

static void
guard_mapping(const char *path)
{
	struct sigaction sa;
	int n;

	n = snprintf(bus_msg, sizeof(bus_msg),
		     PROG ": cannot read '%s': the file shrank while it was read\n", path);
	if (n < 0 || (size_t)n >= sizeof(bus_msg)) {
		n = snprintf(bus_msg, sizeof(bus_msg),
			     PROG ": cannot read the input: the file shrank while it was read\n");
	}
	bus_len = (size_t)n;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) < 0)
		fail("cannot catch SIGBUS: %s", strerror(errno));
}

static void
input_open(struct input *in, const char *path)
{
	struct stat st;
	int fd;

	memset(in, 0, sizeof(*in));
	in->path = path;
	in->fd = -1;
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		fail("cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		fail("cannot stat '%s': %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		fail("cannot read '%s': %s", path, strerror(EISDIR));
	if (S_ISREG(st.st_mode)) {
		if (st.st_size == 0)
			fail("'%s': empty file", path);
		guard_mapping(path);
		in->b.data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (in->b.data == MAP_FAILED)
			fail("cannot map '%s': %s", path, strerror(errno));
		in->b.len = (size_t)st.st_size;
		in->b.mapped = 1;
		in->fd = fd;
		return;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (igos_buf_read(&in->b, path, 0) < 0)
		fail("%s", igos_errmsg());
	if (in->b.len == 0)
		fail("'%s': empty file", path);
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
	fail("'%s': not a PE/COFF image or an ELF kernel module", in->path);
}

static void
pe_open(struct input *in, struct igos_pe *pe)
{
	if (igos_ac_parse(pe, in->b.data, in->b.len) < 0)
		fail("'%s': %s", in->path, igos_errmsg());
}

static void
mod_open(struct input *in, struct igos_modsig *m)
{
	if (igos_modsig_parse(in->b.data, in->b.len, m) < 0)
		fail("'%s': %s", in->path, igos_errmsg());
}

/* ---- output ---- */

static void
out_open(struct igos_out *o, const char *path)
{
	if (igos_out_open(o, path, 0, 0) < 0)
		fail("%s", igos_errmsg());
	cur_out = o;
}

static void
out_write(struct igos_out *o, const void *p, size_t len)
{
	if (igos_out_write(o, p, len) < 0)
		fail("%s", igos_errmsg());
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
			fail("%s", igos_errmsg());
		return;
	}
	out_write(o, in->b.data + off, len);
}

static void
out_commit(struct igos_out *o)
{
	if (igos_out_commit(o) < 0)
		fail("%s", igos_errmsg());
	cur_out = NULL;
}

static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/*
 * Write a PE image: its bytes up to content_end with CheckSum and the
 * Certificate Table entry replaced, zero padding, then the table. The table
 * is given as a list of pieces (entry bytes, each padded to 8 here).
 */
struct piece {
	const unsigned char *p; /* from memory, or NULL: from the input at off */
	size_t off, len;
};

/*
 * For a regular output from a regular input, the image body can go out
 * before it is hashed: the kernel copies it and starts writing it back while
 * the CPU hashes, and the header fields are patched in at the end. Returns 1
 * when it did so.
 */
static int
pe_write_early(struct igos_out *o, struct input *in, const struct igos_pe *pe)
{
	if (o->is_stdout || in->fd < 0)
		return 0;
	out_input(o, in, 0, igos_ac_content_end(pe));
	(void)sync_file_range(o->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	return 1;
}

static void
pe_write(struct igos_out *o, int early, struct input *in, const struct igos_pe *pe,
	 uint64_t content_ws, const struct piece *pc, unsigned npc)
{
	static const unsigned char zero[8];
	unsigned char sd[8], cs[4];
	size_t end = igos_ac_content_end(pe), pad = 0, tsize = 0, toff;
	uint64_t ws = content_ws;

	for (unsigned i = 0; i < npc; i++)
		tsize += align8(pc[i].len);
	if (tsize) {
		pad = align8(end) - end;
		if (end + pad > UINT32_MAX || tsize > UINT32_MAX - (end + pad))
			fail("'%s': image too large for a certificate table", in->path);
	}
	toff = end + pad;
	igos_put_le32(sd, tsize ? (uint32_t)toff : 0);
	igos_put_le32(sd + 4, (uint32_t)tsize);
	ws += igos_ac_wordsum(sd, 8, pe->secdir_off);
	for (unsigned i = 0, at = 0; i < npc; i++) {
		const unsigned char *p = pc[i].p ? pc[i].p : in->b.data + pc[i].off;

		ws += igos_ac_wordsum(p, pc[i].len, toff + at);
		at += align8(pc[i].len);
	}
	igos_put_le32(cs, igos_ac_checksum(ws, toff + tsize));

	if (!early) {
		out_write(o, pe->data, pe->checksum_off);
		out_write(o, cs, 4);
		out_write(o, pe->data + pe->checksum_off + 4,
			  pe->secdir_off - (pe->checksum_off + 4));
		out_write(o, sd, 8);
		out_input(o, in, pe->secdir_off + 8, end - (pe->secdir_off + 8));
	}
	if (tsize)
		out_write(o, zero, pad);
	for (unsigned i = 0; i < npc; i++) {
		if (pc[i].p)
			out_write(o, pc[i].p, pc[i].len);
		else
			out_input(o, in, pc[i].off, pc[i].len);
		out_write(o, zero, align8(pc[i].len) - pc[i].len);
	}
	if (early && (igos_out_pwrite(o, cs, 4, pe->checksum_off) < 0 ||
		      igos_out_pwrite(o, sd, 8, pe->secdir_off) < 0))
		fail("%s", igos_errmsg());
	out_commit(o);
}

/* Word sum of the image up to content_end without CheckSum and the table entry. */
static uint64_t
content_wordsum(const struct input *in, const struct igos_pe *pe)
{
	size_t end = igos_ac_content_end(pe);
	const struct igos_ac_range r[3] = {
		{ 0, pe->checksum_off },
		{ pe->checksum_off + 4, pe->secdir_off - (pe->checksum_off + 4) },
		{ pe->secdir_off + 8, end - (pe->secdir_off + 8) },
	};
	uint64_t ws = 0;

	for (int i = 0; i < 3; i++)
		for (size_t off = r[i].off, left = r[i].len; left;) {
			size_t k = left < (4u << 20) ? left : (4u << 20);

			ws += igos_ac_wordsum(in->b.data + off, k, off);
			if (in->b.mapped)
				madvise(in->b.data + (off & ~(size_t)4095),
					((off + k) & ~(size_t)4095) - (off & ~(size_t)4095),
					MADV_DONTNEED);
			off += k;
			left -= k;
		}
	return ws;
}

/* ---- JSON ---- */

static void
json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
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
		fail("out of memory");
	for (int i = 0; i < n; i++) {
		X509 *x = igos_cert_load(refs[i]);

		if (x == NULL)
			fail("%s", igos_errmsg());
		if (!sk_X509_push(sk, x))
			fail("out of memory");
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
			fail("'%s': %s", in->path, igos_errmsg());
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
			fail("'%s': signature %u: %s", in->path, i + 1, igos_errmsg());
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
				fail("out of memory");
			printf("%u: subject=%s; issuer=%s; serial=%s; digest=%s; key=%s\n", i + 1,
			       subj, iss, si[i].serial, si[i].digest, si[i].key);
			free(subj);
			free(iss);
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		fail("cannot write to standard output: %s", strerror(errno));
	return 0;
}

static int
cmd_verify(struct input *in, int json, STACK_OF(X509) *certs)
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
		usage_err("verify: a module signature carries no certificate: give -c CERT");
	collect(in, f, &pe, &m, &s);
	if (s.n == 0)
		fail("'%s': not signed", in->path);
	memset(&dg, 0, sizeof(dg));
	dg.pe = &pe;
	dg.flags = in->b.mapped ? IGOS_AC_DROP_PAGES : 0;
	for (unsigned i = 0; i < s.n; i++) {
		int r;

		if (f == FMT_PE)
			r = igos_ac_verify(s.der[i], s.len[i], &dg, certs);
		else
			r = igos_p7_verify_detached(s.der[i], s.len[i], in->b.data, m.mod_len, certs);
		ok[i] = r == 0;
		snprintf(why[i], sizeof(why[i]), "%s", r == 0 ? "ok" : igos_errmsg());
		if (verbose && r < 0)
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
		fail("cannot write to standard output: %s", strerror(errno));
	if (any)
		return 0;
	for (unsigned i = 0; i < s.n; i++) {
		size_t l = strlen(msg);

		snprintf(msg + l, sizeof(msg) - l, "%ssignature %u: %s", i ? "; " : "", i + 1,
			 why[i]);
	}
	fail("'%s': not verified: %s", in->path, msg);
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
			fail("'%s': %s", in->path, igos_errmsg());
	} else {
		struct igos_modsig m;

		mod_open(in, &m);
		if (igos_digest(EVP_sha256(), in->b.data, m.mod_len, d) < 0)
			fail("'%s': %s", in->path, igos_errmsg());
	}
	igos_hex_encode(d, sizeof(d), hex);
	printf("%s\n", hex);
	if (fflush(stdout) != 0 || ferror(stdout))
		fail("cannot write to standard output: %s", strerror(errno));
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
		fail("'%s': not signed", in->path);
	if (!all && idx > s.n)
		fail("'%s': no signature %u (it has %u)", in->path, idx, s.n);
	if (f == FMT_MODULE) {
		struct igos_out o;

		out_open(&o, outpath);
		out_input(&o, in, 0, m.mod_len);
		out_commit(&o);
		return 0;
	}
	{
		struct piece pc[IGOS_AC_MAX_CERTS];
		struct igos_out o;
		unsigned npc = 0;
		uint64_t ws = content_wordsum(in, &pe);

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

struct sign_opts {
	const char *key, *cert, *pin_file;
	int replace;
};

static void
open_signer(const struct sign_opts *so, struct igos_signer **sp, X509 **xp)
{
	struct igos_signer_opts o = { .pin_file = so->pin_file };

	if ((*xp = igos_cert_load(so->cert)) == NULL)
		fail("%s", igos_errmsg());
	if ((*sp = signer = igos_signer_open(so->key, &o)) == NULL)
		fail("%s", igos_errmsg());
	if (igos_cert_matches(*xp, *sp) < 0)
		fail("'%s': %s", so->cert, igos_errmsg());
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
			fail("'%s': module is already signed (--replace signs it again)", in->path);
		open_signer(so, &sg, &x);
		/* what sign-file makes: detached, no certificates, no attributes, no
		 * NULL digest parameters; Debian's kernel has no ECDSA */
		if (igos_signer_type(sg) != IGOS_KEY_RSA)
			fail("'%s': cannot sign a module with an %s key: the kernel's module keys "
			     "are RSA", so->key,
			     igos_signer_type(sg) == IGOS_KEY_ED25519 ? "Ed25519" : "EC");
		cms = igos_pkcs7_sign(sg, x, EVP_sha256(), NULL, in->b.data, m.mod_len,
				      IGOS_P7_NOCERTS | IGOS_P7_NOATTR | IGOS_P7_DETACHED |
				      IGOS_P7_MD_NOPARAM, &cl);
		if (cms == NULL)
			fail("'%s': %s", in->path, igos_errmsg());
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
		struct piece pc[IGOS_AC_MAX_CERTS + 1];
		struct igos_out o;
		unsigned n, bits;
		int early;
		unsigned char dg[32], *spc, *p7, *entry;
		size_t spclen, p7len;
		uint64_t ws;

		pe_open(in, &pe);
		if (pe.ndirs <= 4)
			fail("'%s': cannot sign: the image has no certificate table entry "
			     "(NumberOfRvaAndSizes is %u)", in->path, pe.ndirs);
		if (igos_ac_certs(&pe, c, IGOS_AC_MAX_CERTS, &n) < 0)
			fail("'%s': %s", in->path, igos_errmsg());
		if (n == IGOS_AC_MAX_CERTS)
			fail("'%s': already has %u signatures", in->path, n);
		open_signer(so, &sg, &x);
		if (igos_signer_type(sg) != IGOS_KEY_RSA)
			fail("'%s': cannot sign a PE image with an %s key: UEFI firmware and shim "
			     "accept only RSA", so->key,
			     igos_signer_type(sg) == IGOS_KEY_ED25519 ? "Ed25519" : "EC");
		bits = (unsigned)igos_signer_bits(sg);
		if (bits < 2048 || bits > 4096)
			fail("'%s': cannot sign a PE image with an RSA-%u key: UEFI firmware "
			     "accepts RSA 2048 to 4096", so->key, bits);
		out_open(&o, outpath);
		early = pe_write_early(&o, in, &pe);
		if (igos_ac_digest(&pe, EVP_sha256(), dg, &ws,
				   in->b.mapped ? IGOS_AC_DROP_PAGES : 0) < 0)
			fail("'%s': %s", in->path, igos_errmsg());
		if ((spc = igos_ac_spc_build(EVP_sha256(), dg, sizeof(dg), &spclen)) == NULL)
			fail("%s", igos_errmsg());
		p7 = igos_pkcs7_sign(sg, x, EVP_sha256(), IGOS_AC_SPC_INDIRECT_OID, spc, spclen, 0,
				     &p7len);
		if (p7 == NULL)
			fail("'%s': %s", in->path, igos_errmsg());
		{
			const EVP_MD *fwmd;

			/* e.g. a certificate so large the signature passes 64 KiB */
			if (igos_ac_firmware_form(p7, p7len, &fwmd) < 0)
				fail("'%s': cannot make a signature UEFI firmware reads: %s",
				     in->path, igos_errmsg());
		}
		if (p7len > UINT32_MAX - 8 || (entry = malloc(p7len + 8)) == NULL)
			fail("out of memory");
		igos_put_le32(entry, (uint32_t)(p7len + 8));
		entry[4] = IGOS_WIN_CERT_REVISION & 0xff;
		entry[5] = IGOS_WIN_CERT_REVISION >> 8;
		entry[6] = IGOS_WIN_CERT_TYPE_PKCS;
		entry[7] = 0;
		memcpy(entry + 8, p7, p7len);
		for (unsigned i = 0; i < n; i++)
			pc[i] = (struct piece){ NULL, c[i].off, c[i].dwlength };
		pc[n] = (struct piece){ entry, 0, p7len + 8 };
		pe_write(&o, early, in, &pe, ws, pc, n + 1);
		free(entry);
		free(p7);
		free(spc);
		igos_signer_free(sg);
		signer = NULL;
		X509_free(x);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_PIN_FILE, OPT_REPLACE };
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
		{ NULL, 0, NULL, 0 },
	};
	const char *verb, *outpath = NULL;
	char **certs = NULL;
	int ncerts = 0, json = 0, all = 0, seen_n = 0, ch, rc;
	unsigned idx = 0;
	struct sign_opts so = { 0 };
	struct input in;
	STACK_OF(X509) *trusted = NULL;

	if (argc < 2)
		usage_err("no verb given (sign, verify, list, remove or hash; see --help)");
	verb = argv[1];
	if (strcmp(verb, "-h") == 0 || strcmp(verb, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(verb, "-V") == 0 || strcmp(verb, "--version") == 0) {
		igos_print_version(PROG);
		return 0;
	}
	if (strcmp(verb, "sign") && strcmp(verb, "verify") && strcmp(verb, "list") &&
	    strcmp(verb, "remove") && strcmp(verb, "hash"))
		usage_err("unknown verb '%s' (sign, verify, list, remove or hash)", verb);
	if ((certs = calloc((size_t)argc, sizeof(*certs))) == NULL)
		fail("out of memory");
	argv++;
	argc--;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":hVvk:c:o:n:a", lopts, NULL)) != -1) {
		int allowed;

		switch (ch) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			igos_print_version(PROG);
			return 0;
		case 'v':
			verbose = 1;
			break;
		case 'k':
			if (strcmp(verb, "sign"))
				usage_err("%s: -k is only for sign", verb);
			if (so.key)
				usage_err("-k given twice");
			so.key = optarg;
			break;
		case 'c':
			if (strcmp(verb, "sign") == 0) {
				if (so.cert)
					usage_err("-c given twice");
				so.cert = optarg;
			} else if (strcmp(verb, "verify") == 0 || strcmp(verb, "list") == 0) {
				certs[ncerts++] = optarg;
			} else {
				usage_err("%s: -c is not an option of this verb", verb);
			}
			break;
		case 'o':
			if (strcmp(verb, "sign") && strcmp(verb, "remove"))
				usage_err("%s: -o is only for sign and remove", verb);
			if (outpath)
				usage_err("-o given twice");
			outpath = optarg;
			break;
		case 'n': {
			uint64_t v;

			if (strcmp(verb, "remove"))
				usage_err("%s: -n is only for remove", verb);
			if (seen_n)
				usage_err("-n given twice");
			if (igos_parse_u64(optarg, &v) < 0 || v == 0 || v > IGOS_AC_MAX_CERTS)
				usage_err("-n: bad signature index '%s'", optarg);
			idx = (unsigned)v;
			seen_n = 1;
			break;
		}
		case 'a':
			if (strcmp(verb, "remove"))
				usage_err("%s: --all is only for remove", verb);
			if (all)
				usage_err("--all given twice");
			all = 1;
			break;
		case OPT_JSON:
			allowed = !strcmp(verb, "verify") || !strcmp(verb, "list");
			if (!allowed)
				usage_err("%s: --json is only for verify and list", verb);
			if (json)
				usage_err("--json given twice");
			json = 1;
			break;
		case OPT_PIN_FILE:
			if (strcmp(verb, "sign"))
				usage_err("%s: --pin-file is only for sign", verb);
			if (so.pin_file)
				usage_err("--pin-file given twice");
			so.pin_file = optarg;
			break;
		case OPT_REPLACE:
			if (strcmp(verb, "sign"))
				usage_err("%s: --replace is only for sign", verb);
			if (so.replace)
				usage_err("--replace given twice");
			so.replace = 1;
			break;
		case ':':
			usage_err("option '%s' needs an argument", argv[optind - 1]);
		case '?':
		default:
			if (optopt)
				usage_err("unknown option '-%c'", optopt);
			usage_err("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		usage_err("%s: expected exactly one FILE operand", verb);
	if (strcmp(verb, "sign") == 0 && (so.key == NULL || so.cert == NULL))
		usage_err("sign: -k KEY and -c CERT are required");
	if (strcmp(verb, "remove") == 0 && seen_n == all)
		usage_err("remove: give exactly one of -n INDEX and --all");
	if (outpath == NULL)
		outpath = argv[optind];

	input_open(&in, argv[optind]);
	if (ncerts)
		trusted = load_certs(certs, ncerts);
	if (strcmp(verb, "sign") == 0)
		rc = cmd_sign(&in, outpath, &so);
	else if (strcmp(verb, "verify") == 0)
		rc = cmd_verify(&in, json, trusted);
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
