/*
 * igos-verity: dm-verity hash trees laid out byte for byte as veritysetup
 * does, root-hash signatures for the kernel, and activation via libcryptsetup.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/fs.h>

#include <json-c/json.h>
#include <libcryptsetup.h>
#include <openssl/crypto.h>

#include "authenticode.h"
#include "igos.h"
#include "fec.h"
#include "request.h"
#include "verity.h"

static const char usage_text[] =
	"usage: igos-verity format [--hash ALG] [--data-block-size N] [--hash-block-size N]\n"
	"                          [--salt HEX|-] [--uuid UUID] [--format 0|1] [--data-blocks N]\n"
	"                          [--hash-offset N] [--no-superblock] [--root-hash-file FILE]\n"
	"                          [--fec-device FILE [--fec-offset N] [--fec-roots N]]\n"
	"                          [--threads N] DATA HASH\n"
	"       igos-verity verify [--hash-offset N] [--threads N]\n"
	"                          [--fec-device FILE [--fec-offset N] [--fec-roots N]]\n"
	"                          [--no-superblock [format parameters]] DATA HASH ROOTHASH\n"
	"       igos-verity dump [--json] [--hash-offset N] HASH\n"
	"       igos-verity sign -k|--key KEY -c|--cert CERT [--pin-file FILE] [--tcti CONF]\n"
	"                        [--json] [-o|--output FILE] ROOTHASH\n"
	"       igos-verity sign --request-out REQ -c|--cert CERT ROOTHASH\n"
	"       igos-verity attach --request REQ --signature SIG [-o|--output FILE.p7s] ROOTHASH\n"
	"       igos-verity open [--root-hash-signature FILE] [--hash-offset N]\n"
	"                        [--fec-device FILE [--fec-offset N] [--fec-roots N]]\n"
	"                        DATA NAME HASH ROOTHASH\n"
	"       igos-verity close NAME\n"
	"       igos-verity status [--json] NAME\n"
	"       igos-verity -h | --help | -V | --version\n"
	"ROOTHASH is hex or @FILE. --signature is --root-hash-signature.\n"
	"-v|--verbose prints the whole OpenSSL error queue on failure.\n";

static void
usage(FILE *f)
{
	fputs(usage_text, f);
}

/* ---- options ---- */

enum {
	O_HASH = 1, O_DBS, O_HBS, O_SALT, O_UUID, O_FORMAT, O_DATA_BLOCKS, O_HASH_OFFSET,
	O_NO_SB, O_RH_FILE, O_THREADS, O_JSON, O_SIGNATURE, O_KEY, O_CERT, O_OUTPUT,
	O_PIN_FILE, O_FEC_DEVICE, O_FEC_OFFSET, O_FEC_ROOTS, O_HELP, O_VERSION,
	O_TCTI, O_REQUEST_OUT, O_REQUEST,
	O_MAX
};

#define BIT(o) (1u << (o))
#define FEC_OPTS (BIT(O_FEC_DEVICE) | BIT(O_FEC_OFFSET) | BIT(O_FEC_ROOTS))
#define TREE_OPTS (BIT(O_HASH) | BIT(O_DBS) | BIT(O_HBS) | BIT(O_SALT) | BIT(O_FORMAT) | \
		   BIT(O_DATA_BLOCKS))

static const struct option all_opts[] = {
	{ "hash", required_argument, NULL, O_HASH },
	{ "data-block-size", required_argument, NULL, O_DBS },
	{ "hash-block-size", required_argument, NULL, O_HBS },
	{ "salt", required_argument, NULL, O_SALT },
	{ "uuid", required_argument, NULL, O_UUID },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "data-blocks", required_argument, NULL, O_DATA_BLOCKS },
	{ "hash-offset", required_argument, NULL, O_HASH_OFFSET },
	{ "no-superblock", no_argument, NULL, O_NO_SB },
	{ "root-hash-file", required_argument, NULL, O_RH_FILE },
	{ "threads", required_argument, NULL, O_THREADS },
	{ "json", no_argument, NULL, O_JSON },
	{ "signature", required_argument, NULL, O_SIGNATURE },
	{ "root-hash-signature", required_argument, NULL, O_SIGNATURE },
	{ "key", required_argument, NULL, O_KEY },
	{ "cert", required_argument, NULL, O_CERT },
	{ "output", required_argument, NULL, O_OUTPUT },
	{ "pin-file", required_argument, NULL, O_PIN_FILE },
	{ "fec-device", required_argument, NULL, O_FEC_DEVICE },
	{ "fec-offset", required_argument, NULL, O_FEC_OFFSET },
	{ "fec-roots", required_argument, NULL, O_FEC_ROOTS },
	{ "tcti", required_argument, NULL, O_TCTI },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, O_VERSION },
	{ "request-out", required_argument, NULL, O_REQUEST_OUT },
	{ "request", required_argument, NULL, O_REQUEST },
};

struct opts {
	unsigned seen;
	const char *arg[O_MAX];
	uint64_t dbs, hbs, format, data_blocks, hash_offset, threads, fec_offset, fec_roots;
	int no_sb, json;
};

static uint64_t
num_opt(const char *name, const char *s)
{
	uint64_t v;

	if (igos_parse_u64(s, &v) < 0)
		igos_usage_err("invalid --%s '%s'", name, s);
	return v;
}

static uint32_t
block_size_opt(const char *name, const char *s)
{
	uint64_t v = num_opt(name, s);

	if (v < IGOS_VERITY_BLOCK_MIN || v > IGOS_VERITY_BLOCK_MAX || (v & (v - 1)))
		igos_usage_err("invalid --%s '%s': not a power of two from 512 to 524288", name, s);
	return (uint32_t)v;
}

/* Parse the options `allowed` of one command; argv[0] is the command name.
 * Returns the index of the first operand. */
static int
parse_opts(int argc, char **argv, unsigned allowed, struct opts *o)
{
	struct option table[sizeof(all_opts) / sizeof(all_opts[0]) + 2];
	size_t n = 0;
	int c;

	memset(o, 0, sizeof(*o));
	o->dbs = o->hbs = 4096;
	o->format = 1;
	o->fec_roots = 2;
	allowed |= BIT(O_HELP) | BIT(O_VERSION);
	for (size_t i = 0; i < sizeof(all_opts) / sizeof(all_opts[0]); i++)
		if (allowed & BIT(all_opts[i].val))
			table[n++] = all_opts[i];
	memset(&table[n], 0, sizeof(table[n]));
	/* help and version as the command-line module knows them */
	for (size_t i = 0; i < n; i++)
		if (table[i].val == O_HELP)
			table[i].val = 'h';
		else if (table[i].val == O_VERSION)
			table[i].val = 'V';
		else if (table[i].val == O_KEY)
			table[i].val = 'k';
		else if (table[i].val == O_CERT)
			table[i].val = 'c';
		else if (table[i].val == O_OUTPUT)
			table[i].val = 'o';
	table[n++] = (struct option){ "verbose", no_argument, NULL, 'v' };
	memset(&table[n], 0, sizeof(table[n]));
	while ((c = igos_getopt(argc, argv,
				(allowed & (BIT(O_KEY) | BIT(O_OUTPUT))) ? "hVvk:c:o:" : "hVv",
				table)) != -1) {
		switch (c) {
		case 'k':
			c = O_KEY;
			break;
		case 'c':
			c = O_CERT;
			break;
		case 'o':
			c = O_OUTPUT;
			break;
		default:
			if (c > 0 && c < O_MAX)
				break;
			igos_usage_err("unknown option '%s'", igos_optname());
		}
		if (o->seen & BIT(c))
			igos_usage_err("%s given twice", igos_optname());
		o->seen |= BIT(c);
		o->arg[c] = optarg;
		switch (c) {
		case O_DBS:
			o->dbs = block_size_opt("data-block-size", optarg);
			break;
		case O_HBS:
			o->hbs = block_size_opt("hash-block-size", optarg);
			break;
		case O_FORMAT:
			if (strcmp(optarg, "0") != 0 && strcmp(optarg, "1") != 0)
				igos_usage_err("invalid --format '%s': 0 or 1", optarg);
			o->format = optarg[0] - '0';
			break;
		case O_DATA_BLOCKS:
			if ((o->data_blocks = num_opt("data-blocks", optarg)) == 0)
				igos_usage_err("invalid --data-blocks '%s'", optarg);
			break;
		case O_HASH_OFFSET:
			o->hash_offset = num_opt("hash-offset", optarg);
			if (o->hash_offset % 512)
				igos_usage_err("invalid --hash-offset '%s': not a multiple of 512", optarg);
			break;
		case O_THREADS:
			o->threads = num_opt("threads", optarg);
			if (o->threads < 1 || o->threads > IGOS_VERITY_MAX_THREADS)
				igos_usage_err("invalid --threads '%s': 1 to %d", optarg,
				     IGOS_VERITY_MAX_THREADS);
			break;
		case O_FEC_OFFSET:
			o->fec_offset = num_opt("fec-offset", optarg);
			if (o->fec_offset % 512)
				igos_usage_err("invalid --fec-offset '%s': not a multiple of 512", optarg);
			break;
		case O_FEC_ROOTS:
			o->fec_roots = num_opt("fec-roots", optarg);
			if (o->fec_roots < IGOS_FEC_ROOTS_MIN || o->fec_roots > IGOS_FEC_ROOTS_MAX)
				igos_usage_err("invalid --fec-roots '%s': %d to %d", optarg,
					       IGOS_FEC_ROOTS_MIN, IGOS_FEC_ROOTS_MAX);
			break;
		case O_NO_SB:
			o->no_sb = 1;
			break;
		case O_JSON:
			o->json = 1;
			break;
		}
	}
	return optind;
}

static void
operands(int argc, int first, int want)
{
	if (argc - first != want)
		igos_usage_err("expected %d operand%s, got %d (see --help)", want, want == 1 ? "" : "s",
		     argc - first);
}

/* ---- shared pieces ---- */

/* The tree parameters from the command line (format, or verify without a
 * superblock); default_salt: a random 32-byte salt unless --salt is given. */
static void
params_from_opts(struct igos_verity *v, const struct opts *o)
{
	const char *alg = o->arg[O_HASH] ? o->arg[O_HASH] : "sha256";

	memset(v, 0, sizeof(*v));
	v->hash_type = (uint32_t)o->format;
	if (strlen(alg) >= sizeof(v->alg) || igos_verity_md(alg) == NULL)
		igos_usage_err("unknown hash algorithm '%s'", alg);
	strcpy(v->alg, alg);
	v->data_block_size = (uint32_t)o->dbs;
	v->hash_block_size = (uint32_t)o->hbs;
	if (o->arg[O_SALT] && strcmp(o->arg[O_SALT], "-") != 0) {
		const char *s = o->arg[O_SALT];
		size_t len = strlen(s);

		if (len % 2 || len / 2 > IGOS_VERITY_SALT_MAX ||
		    igos_hex_decode(s, len, v->salt, len / 2) < 0)
			igos_usage_err("invalid --salt: up to 256 bytes in hex, or -");
		v->salt_size = (uint16_t)(len / 2);
	}
	if (o->arg[O_UUID] && igos_verity_uuid_parse(o->arg[O_UUID], v->uuid) < 0)
		igos_usage_err("invalid --uuid '%s'", o->arg[O_UUID]);
	if (igos_verity_check(v) < 0)
		igos_usage_err("%s", igos_errmsg());
}

static int
open_ro(const char *path, struct stat *st, uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		igos_die("cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, st) < 0)
		igos_die("cannot stat '%s': %s", path, strerror(errno));
	if (S_ISREG(st->st_mode)) {
		*size = (uint64_t)st->st_size;
	} else if (S_ISBLK(st->st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, size) < 0)
			igos_die("cannot get the size of '%s': %s", path, strerror(errno));
	} else {
		igos_die("'%s' is not a regular file or a block device", path);
	}
	return fd;
}

/* The data blocks the tree covers: --data-blocks, or every whole block. */
static uint64_t
data_blocks(const struct opts *o, const char *path, uint64_t size, uint32_t dbs)
{
	uint64_t have = size / dbs;

	if (o->data_blocks) {
		if (o->data_blocks > have)
			igos_die("--data-blocks %llu is beyond the end of '%s' (%llu blocks of %u bytes)",
			     (unsigned long long)o->data_blocks, path, (unsigned long long)have, dbs);
		return o->data_blocks;
	}
	if (have == 0)
		igos_die("'%s' holds no whole data block of %u bytes", path, dbs);
	return have;
}

static void
check_overlap(const struct stat *ds, const struct stat *hs, const struct igos_verity *v,
	      uint64_t hash_offset)
{
	if (ds->st_dev == hs->st_dev && ds->st_ino == hs->st_ino &&
	    v->data_blocks * v->data_block_size > hash_offset)
		igos_die("data area overlaps with hash area");
}

/*
 * ROOTHASH operand: hex, or @FILE holding hex and at most trailing blanks.
 * Returns the hex digits as a heap string (exits on anything else).
 */
static char *
root_hex(const char *arg)
{
	char *s;
	size_t len;

	if (arg[0] == '@') {
		if ((s = igos_read_small(arg + 1, 4096, &len)) == NULL)
			igos_die("%s", igos_errmsg());
		while (len > 0 && isspace((unsigned char)s[len - 1]))
			len--;
		s[len] = '\0';
	} else if ((s = strdup(arg)) == NULL) {
		igos_die("out of memory");
	}
	for (size_t i = 0; s[i] != '\0'; i++)
		if (!isxdigit((unsigned char)s[i]))
			igos_die("invalid root hash: not hex");
	return s;
}

/* A ROOTHASH for algorithm alg (ds bytes) into out. */
static void
parse_root(const char *arg, const char *alg, unsigned ds, unsigned char *out)
{
	char *s = root_hex(arg);
	size_t len = strlen(s);

	if (len != 2 * (size_t)ds)
		igos_die("invalid root hash: %zu hex digits, %s needs %u", len, alg, 2 * ds);
	if (igos_hex_decode(s, len, out, ds) < 0)
		igos_die("invalid root hash: %s", igos_errmsg());
	free(s);
}

static int
read_superblock(int fd, const char *path, uint64_t off, struct igos_verity *v)
{
	unsigned char sb[IGOS_VERITY_SB_SIZE];
	ssize_t n;

	do
		n = pread(fd, sb, sizeof(sb), (off_t)off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		igos_die("cannot read '%s': %s", path, strerror(errno));
	if (igos_verity_sb_parse(v, sb, (size_t)n) < 0)
		igos_die("'%s': invalid verity superblock: %s", path, igos_errmsg());
	return 0;
}

/* Reproducible salt and uuid under SOURCE_DATE_EPOCH: both derived from the
 * epoch, the tree parameters and the first MiB of the data. */
static void
derive_ids(struct igos_verity *v, int fd, const char *path, const char *epoch, int salt,
	   int uuid)
{
	unsigned char seed[32], h[64], le[20];
	size_t want = v->data_blocks * v->data_block_size < (1u << 20)
			      ? (size_t)(v->data_blocks * v->data_block_size) : (1u << 20);
	unsigned char *buf = malloc(want);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t got = 0;

	if (buf == NULL || c == NULL)
		igos_die("out of memory");
	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			igos_die("cannot read '%s': %s", path, strerror(errno));
		got += (size_t)n;
	}
	/* data blocks, data and hash block sizes, little-endian */
	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char)(v->data_blocks >> (8 * i));
	for (int i = 0; i < 4; i++) {
		le[8 + i] = (unsigned char)(v->data_block_size >> (8 * i));
		le[12 + i] = (unsigned char)(v->hash_block_size >> (8 * i));
		le[16 + i] = (unsigned char)(v->hash_type >> (8 * i));
	}
	if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(c, "igos-verity\0", 12) != 1 ||
	    EVP_DigestUpdate(c, epoch, strlen(epoch) + 1) != 1 ||
	    EVP_DigestUpdate(c, v->alg, strlen(v->alg) + 1) != 1 ||
	    EVP_DigestUpdate(c, le, sizeof(le)) != 1 ||
	    EVP_DigestUpdate(c, buf, want) != 1 || EVP_DigestFinal_ex(c, seed, NULL) != 1)
		igos_die("cannot derive the salt");
	free(buf);
	EVP_MD_CTX_free(c);
	if (salt) {
		unsigned char in[36];

		memcpy(in, "salt", 4);
		memcpy(in + 4, seed, 32);
		igos_digest(EVP_sha256(), in, sizeof(in), h);
		memcpy(v->salt, h, 32);
		v->salt_size = 32;
	}
	if (uuid) {
		unsigned char in[36];

		memcpy(in, "uuid", 4);
		memcpy(in + 4, seed, 32);
		igos_digest(EVP_sha256(), in, sizeof(in), h);
		memcpy(v->uuid, h, 16);
		v->uuid[6] = (v->uuid[6] & 0x0f) | 0x40;
		v->uuid[8] = (v->uuid[8] & 0x3f) | 0x80;
	}
}

static void
random_ids(struct igos_verity *v, int salt, int uuid)
{
	if (salt) {
		if (getrandom(v->salt, 32, 0) != 32)
			igos_die("cannot get random bytes: %s", strerror(errno));
		v->salt_size = 32;
	}
	if (uuid) {
		if (getrandom(v->uuid, 16, 0) != 16)
			igos_die("cannot get random bytes: %s", strerror(errno));
		v->uuid[6] = (v->uuid[6] & 0x0f) | 0x40;
		v->uuid[8] = (v->uuid[8] & 0x3f) | 0x80;
	}
}

/* ---- FEC ---- */

static void
fec_opts_check(const struct opts *o)
{
	if (!o->arg[O_FEC_DEVICE] && (o->seen & (BIT(O_FEC_OFFSET) | BIT(O_FEC_ROOTS))))
		igos_usage_err("--%s needs --fec-device",
			       o->arg[O_FEC_OFFSET] ? "fec-offset" : "fec-roots");
	if (o->arg[O_FEC_DEVICE] && o->dbs != o->hbs)
		igos_usage_err("block sizes must match for FEC");
}

static int
same_file(const char *a, const struct stat *as, const char *b, const struct stat *bs)
{
	if (strcmp(a, b) == 0)
		return 1;
	return as != NULL && bs != NULL && as->st_dev == bs->st_dev && as->st_ino == bs->st_ino;
}

/* How many hash-device blocks FEC covers, as libcryptsetup counts them: up to
 * the FEC area when FEC shares the hash device, else to its end. */
static int
fec_hash_blocks(const struct igos_verity_tree *t, int same, uint64_t fec_offset,
		uint64_t hash_dev_size, uint64_t *out)
{
	uint64_t bs = t->v->hash_block_size, end = (same ? fec_offset : hash_dev_size) / bs;

	if (same && fec_offset < t->hash_end)
		return igos_seterr("hash area overlaps with FEC area");
	*out = end > t->h0 ? end - t->h0 : 0;
	return 0;
}

static int
fd_size(int fd, const char *name, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return igos_seterr_errno("cannot stat '%s'", name);
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, size) < 0
			       ? igos_seterr_errno("cannot get the size of '%s'", name) : 0;
	*size = (uint64_t)st.st_size;
	return 0;
}

/* Write the parity for format: into the hash file's own output when the FEC
 * area shares it, else through a new output (fec_out, committed by the
 * caller). */
static int
fec_format(const struct opts *o, const struct igos_verity_tree *t, int dfd, const char *data,
	   const struct stat *ds, int hfd, const char *hash, const struct stat *hs,
	   struct igos_out *fec_out)
{
	const char *fpath = o->arg[O_FEC_DEVICE];
	struct stat fs;
	struct igos_fec f;
	int have = stat(fpath, &fs) == 0, same, ffd, rfd, rc;
	char proc[64];
	uint64_t hsz, hblocks = 0, fsize = 0;

	if (!have && errno != ENOENT)
		return igos_seterr_errno("cannot stat '%s'", fpath);
	same = same_file(fpath, have ? &fs : NULL, hash, hs);
	if (!same && have && same_file(fpath, &fs, data, ds))
		return igos_seterr("FEC in the data device needs the hash tree there too");
	if (fd_size(hfd, hash, &hsz) < 0 ||
	    fec_hash_blocks(t, same, o->fec_offset, hsz, &hblocks) < 0)
		return -1;
	if (igos_fec_init(&f, (unsigned)o->fec_roots, t->v->data_block_size, t->v->data_blocks,
			  t->h0 * t->v->hash_block_size, hblocks, o->fec_offset) < 0)
		return -1;
	if (same) {
		ffd = hfd;
	} else {
		if (have && S_ISDIR(fs.st_mode))
			return igos_seterr("cannot write '%s': Is a directory", fpath);
		if (igos_out_open(fec_out, fpath, 0, IGOS_OUT_DEVICE | IGOS_OUT_SEEKABLE) < 0)
			return -1;
		if (fec_out->device) {
			if (fd_size(fec_out->fd, fpath, &fsize) < 0)
				return -1;
			if (fsize < f.fec_offset + f.size)
				return igos_seterr("'%s' too short for FEC: %llu bytes, needs %llu",
						   fpath, (unsigned long long)fsize,
						   (unsigned long long)(f.fec_offset + f.size));
		} else if (have && S_ISREG(fs.st_mode) && fs.st_size > 0) {
			/* keep what lies outside the parity, as veritysetup does */
			int old = open(fpath, O_RDONLY | O_CLOEXEC);

			if (old < 0)
				return igos_seterr_errno("cannot open '%s'", fpath);
			if (igos_out_copy(fec_out, old, 0, (size_t)fs.st_size) < 0) {
				close(old);
				return -1;
			}
			close(old);
			fsize = (uint64_t)fs.st_size;
		}
		ffd = fec_out->fd;
	}
	/* the hash output may be open for writing only: read it through /proc */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", hfd);
	if ((rfd = open(proc, O_RDONLY | O_CLOEXEC)) < 0)
		return igos_seterr_errno("cannot read back '%s'", hash);
	rc = igos_fec_encode(&f, dfd, data, rfd, hash, ffd, fpath, (int)o->threads);
	close(rfd);
	if (rc < 0)
		return -1;
	if (same || !fec_out->device) {
		if (fd_size(ffd, fpath, &fsize) < 0)
			return -1;
		if (fsize < f.fec_offset + f.size &&
		    ftruncate(ffd, (off_t)(f.fec_offset + f.size)) < 0)
			return igos_seterr_errno("cannot write '%s'", fpath);
	}
	return 0;
}

/* ---- format ---- */

static int
cmd_format(int argc, char **argv)
{
	struct opts o;
	struct igos_verity v;
	struct igos_verity_tree t;
	struct igos_out out, fec_out;
	struct stat ds, hs;
	unsigned char root[IGOS_MAX_MD], sb[IGOS_VERITY_SB_SIZE];
	char hex[2 * IGOS_MAX_MD + 2];
	const char *data, *hash, *epoch;
	uint64_t dsize, hsize = 0;
	int i, dfd, hfd, in_place = 0, have_hash;

	memset(&hs, 0, sizeof(hs));
	fec_out.fd = -1;
	i = parse_opts(argc, argv, TREE_OPTS | BIT(O_UUID) | BIT(O_HASH_OFFSET) | BIT(O_NO_SB) |
				   BIT(O_RH_FILE) | BIT(O_THREADS) | FEC_OPTS, &o);
	fec_opts_check(&o);
	operands(argc, i, 2);
	data = argv[i];
	hash = argv[i + 1];
	params_from_opts(&v, &o);
	dfd = open_ro(data, &ds, &dsize);
	v.data_blocks = data_blocks(&o, data, dsize, v.data_block_size);
	if (v.data_blocks > UINT64_MAX / v.data_block_size)
		igos_die("--data-blocks too large");
	epoch = getenv("SOURCE_DATE_EPOCH");
	if (epoch != NULL && *epoch != '\0')
		derive_ids(&v, dfd, data, epoch, o.arg[O_SALT] == NULL, o.arg[O_UUID] == NULL);
	else
		random_ids(&v, o.arg[O_SALT] == NULL, o.arg[O_UUID] == NULL);
	if (igos_verity_tree_init(&t, &v, o.hash_offset, !o.no_sb) < 0)
		igos_die("%s", igos_errmsg());

	have_hash = stat(hash, &hs) == 0;
	if (!have_hash && errno != ENOENT)
		igos_die("cannot stat '%s': %s", hash, strerror(errno));
	if (have_hash) {
		check_overlap(&ds, &hs, &v, o.hash_offset);
		if (S_ISDIR(hs.st_mode))
			igos_die("cannot write '%s': Is a directory", hash);
		if (!S_ISREG(hs.st_mode) && !S_ISBLK(hs.st_mode))
			igos_die("'%s' is not a regular file or a block device", hash);
		/* The data file itself can only be written in place. */
		in_place = S_ISREG(hs.st_mode) && ds.st_dev == hs.st_dev && ds.st_ino == hs.st_ino;
	}
	if (in_place) {
		if ((hfd = open(hash, O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0)
			igos_die("cannot open '%s': %s", hash, strerror(errno));
		hsize = (uint64_t)hs.st_size;
	} else {
		/* a block device is written in place (IGOS_OUT_DEVICE), decided on
		 * the device as opened; the tree is written at offsets */
		if (igos_out_open(&out, hash, 0, IGOS_OUT_DEVICE | IGOS_OUT_SEEKABLE) < 0)
			igos_die("%s", igos_errmsg());
		if (out.device) {
			if (ioctl(out.fd, BLKGETSIZE64, &hsize) < 0) {
				igos_seterr_errno("cannot get the size of '%s'", hash);
				igos_out_abort(&out);
				igos_die("%s", igos_errmsg());
			}
			if (hsize < t.hash_end) {
				igos_out_abort(&out);
				igos_die("'%s' too short for the tree: %llu bytes, needs %llu", hash,
				     (unsigned long long)hsize, (unsigned long long)t.hash_end);
			}
		} else if (have_hash && S_ISREG(hs.st_mode) && hs.st_size > 0) {
			/* keep what lies outside the tree, as veritysetup does */
			int old = open(hash, O_RDONLY | O_CLOEXEC);

			if (old < 0 || igos_out_copy(&out, old, 0, (size_t)hs.st_size) < 0) {
				if (old < 0)
					igos_seterr_errno("cannot open '%s'", hash);
				igos_out_abort(&out);
				igos_die("%s", igos_errmsg());
			}
			close(old);
			hsize = (uint64_t)hs.st_size;
		}
		hfd = out.fd;
	}
	if (igos_verity_build(&t, dfd, data, hfd, hash, (int)o.threads, root) < 0)
		goto fail;
	if (!o.no_sb) {
		igos_verity_sb_build(&v, sb);
		if (igos_pio_all(hfd, sb, sizeof(sb), o.hash_offset, 1, NULL) < 0) {
			igos_seterr_errno("cannot write '%s'", hash);
			goto fail;
		}
	}
	if ((in_place || !out.device) && hsize < t.hash_end &&
	    ftruncate(hfd, (off_t)t.hash_end) < 0) {
		igos_seterr_errno("cannot write '%s'", hash);
		goto fail;
	}
	if (o.arg[O_FEC_DEVICE] &&
	    fec_format(&o, &t, dfd, data, &ds, hfd, hash, have_hash ? &hs : NULL, &fec_out) < 0)
		goto fail;
	if (in_place) {
		if (fsync(hfd) < 0 || close(hfd) < 0) {
			igos_seterr_errno("cannot write '%s'", hash);
			goto fail;
		}
	} else if (igos_out_commit(&out) < 0) {
		if (fec_out.fd >= 0)
			igos_out_abort(&fec_out);
		igos_die("%s", igos_errmsg());
	}
	if (fec_out.fd >= 0 && igos_out_commit(&fec_out) < 0)
		igos_die("%s", igos_errmsg());
	close(dfd);
	igos_hex_encode(root, t.ds, hex);
	if (o.no_sb && o.arg[O_SALT] == NULL) {
		char shex[2 * IGOS_VERITY_SALT_MAX + 1];

		/* nothing else holds it: without it the tree cannot be checked */
		igos_hex_encode(v.salt, v.salt_size, shex);
		fprintf(stderr, "igos-verity: salt %s (no superblock holds it: pass --salt to "
			"verify and open)\n", shex);
	}
	/* as veritysetup writes it: the hex digits, no newline */
	if (o.arg[O_RH_FILE] && igos_write_atomic(o.arg[O_RH_FILE], hex, strlen(hex), 0, 0) < 0)
		igos_die("%s", igos_errmsg());
	if (printf("%s\n", hex) < 0 || fflush(stdout) != 0)
		igos_die("cannot write to standard output: %s", strerror(errno));
	return 0;
fail:
	if (!in_place)
		igos_out_abort(&out);
	if (fec_out.fd >= 0)
		igos_out_abort(&fec_out);
	igos_die("%s", igos_errmsg());
}

/* ---- verify ---- */

/* An unnamed scratch copy of len bytes of fd (the corrected image). */
static int
scratch_copy(int fd, const char *name, uint64_t len)
{
	const char *dir = getenv("TMPDIR");
	unsigned char *buf;
	int out;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if ((out = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) < 0)
		igos_die("cannot make a scratch file in '%s': %s", dir, strerror(errno));
	if ((buf = malloc(1 << 20)) == NULL)
		igos_die("out of memory");
	for (uint64_t off = 0; off < len;) {
		size_t n = len - off < (1 << 20) ? (size_t)(len - off) : (1 << 20);
		uint64_t at;

		if (igos_pio_all(fd, buf, n, off, 0, &at) < 0)
			igos_die("cannot read '%s' at offset %llu: %s", name, (unsigned long long)at,
				 errno ? strerror(errno) : "end of file");
		if (igos_pio_all(out, buf, n, off, 1, NULL) < 0)
			igos_die("cannot write a scratch file in '%s': %s", dir, strerror(errno));
		off += n;
	}
	free(buf);
	return out;
}

struct bad_ctx {
	const struct igos_verity_tree *t;
	const struct igos_fec *f;
	int hash_fd;
	const unsigned char *root;
};

static int
fec_bad(void *arg, uint64_t k, const unsigned char *blk)
{
	struct bad_ctx *c = arg;
	uint64_t at;
	int w = igos_fec_block_where(c->f, k, &at), r;

	if (w == 2)
		return 0;
	r = igos_verity_block_ok(c->t, c->hash_fd, c->root, w == 1,
				 w == 1 ? at + c->t->h0 : at, blk);
	return r < 0 ? -1 : !r;
}

/*
 * The tree does not match: let FEC correct what it can in a scratch copy
 * of data and hash, say which blocks it corrected, and judge the copy.
 */
static void
fec_verify(const struct opts *o, const struct igos_verity_tree *t, const unsigned char *root,
	   int dfd, const char *data, const struct stat *ds, int hfd, const char *hash,
	   const struct stat *hs)
{
	const char *fpath = o->arg[O_FEC_DEVICE];
	char first[1024];
	struct stat fs;
	struct igos_fec f;
	struct igos_fec_repair r;
	struct bad_ctx bc;
	uint64_t hsz, fsz, hblocks = 0, dbs = t->v->data_block_size;
	int ffd, sd, sh, mismatch, same_dh = same_file(data, ds, hash, hs);

	snprintf(first, sizeof(first), "%s", igos_errmsg());
	ffd = open_ro(fpath, &fs, &fsz);
	if (fd_size(hfd, hash, &hsz) < 0 ||
	    fec_hash_blocks(t, same_file(fpath, &fs, hash, hs), o->fec_offset, hsz, &hblocks) < 0 ||
	    igos_fec_init(&f, (unsigned)o->fec_roots, (uint32_t)dbs, t->v->data_blocks,
			  t->h0 * t->v->hash_block_size, hblocks, o->fec_offset) < 0)
		igos_die("%s", igos_errmsg());
	sd = scratch_copy(dfd, data, same_dh ? hsz : t->v->data_blocks * dbs);
	sh = same_dh ? sd : scratch_copy(hfd, hash, hsz);
	bc.t = t;
	bc.f = &f;
	bc.hash_fd = hfd;
	bc.root = root;
	if (igos_fec_repair(&f, dfd, data, hfd, hash, ffd, fpath, sd, sh, fec_bad, &bc, &r) < 0)
		igos_die("%s", igos_errmsg());
	close(ffd);
	for (uint64_t i = 0; i < r.corrected && i < sizeof(r.first) / sizeof(r.first[0]); i++) {
		uint64_t at;
		int w = igos_fec_block_where(&f, r.first[i], &at);

		if (w == 0)
			fprintf(stderr, "igos-verity: data block %llu (offset %llu) corrected by FEC\n",
				(unsigned long long)at, (unsigned long long)(at * dbs));
		else
			fprintf(stderr, "igos-verity: hash block %llu (offset %llu) corrected by FEC\n",
				(unsigned long long)(at + t->h0),
				(unsigned long long)((at + t->h0) * dbs));
	}
	if (r.corrected > sizeof(r.first) / sizeof(r.first[0]))
		fprintf(stderr, "igos-verity: %llu blocks corrected by FEC in all\n",
			(unsigned long long)r.corrected);
	if (igos_verity_verify(t, sd, data, sh, hash, (int)o->threads, root, &mismatch) < 0) {
		if (r.unrepaired)
			igos_die("%s (beyond FEC's reach)", igos_errmsg());
		igos_die("%s (FEC found nothing to correct there)", first);
	}
	close(sd);
	if (sh != sd)
		close(sh);
	if (printf("%llu blocks corrected by FEC\n", (unsigned long long)r.corrected) < 0 ||
	    fflush(stdout) != 0)
		igos_die("cannot write to standard output: %s", strerror(errno));
}

static int
cmd_verify(int argc, char **argv)
{
	struct opts o;
	struct igos_verity v;
	struct igos_verity_tree t;
	struct stat ds, hs;
	unsigned char root[IGOS_MAX_MD];
	const char *data, *hash;
	uint64_t dsize, hsize;
	int i, dfd, hfd, mismatch;

	i = parse_opts(argc, argv, TREE_OPTS | BIT(O_HASH_OFFSET) | BIT(O_NO_SB) | BIT(O_THREADS) |
				   FEC_OPTS, &o);
	operands(argc, i, 3);
	fec_opts_check(&o);
	data = argv[i];
	hash = argv[i + 1];
	if (!o.no_sb && (o.seen & TREE_OPTS)) {
		for (size_t k = 0; k < sizeof(all_opts) / sizeof(all_opts[0]); k++)
			if ((o.seen & TREE_OPTS) & BIT(all_opts[k].val))
				igos_usage_err("--%s needs --no-superblock (the superblock holds it)",
				     all_opts[k].name);
	}
	dfd = open_ro(data, &ds, &dsize);
	hfd = open_ro(hash, &hs, &hsize);
	if (o.no_sb) {
		params_from_opts(&v, &o);
		v.data_blocks = data_blocks(&o, data, dsize, v.data_block_size);
		if (v.data_blocks > UINT64_MAX / v.data_block_size)
			igos_die("--data-blocks too large");
	} else {
		read_superblock(hfd, hash, o.hash_offset, &v);
		if (v.data_blocks > UINT64_MAX / v.data_block_size)
			igos_die("'%s': invalid verity superblock: too many data blocks", hash);
	}
	parse_root(argv[i + 2], v.alg, (unsigned)EVP_MD_get_size(igos_verity_md(v.alg)), root);
	if (igos_verity_tree_init(&t, &v, o.hash_offset, !o.no_sb) < 0)
		igos_die("'%s': %s", hash, igos_errmsg());
	check_overlap(&ds, &hs, &v, o.hash_offset);
	if (dsize / v.data_block_size < v.data_blocks)
		igos_die("'%s' too short: %llu bytes, the tree covers %llu", data,
		     (unsigned long long)dsize,
		     (unsigned long long)(v.data_blocks * v.data_block_size));
	if (hsize < t.hash_end)
		igos_die("'%s' too short for the tree: %llu bytes, needs %llu", hash,
		     (unsigned long long)hsize, (unsigned long long)t.hash_end);
	if (igos_verity_verify(&t, dfd, data, hfd, hash, (int)o.threads, root, &mismatch) < 0) {
		if (!mismatch || !o.arg[O_FEC_DEVICE])
			igos_die("%s", igos_errmsg());
		fec_verify(&o, &t, root, dfd, data, &ds, hfd, hash, &hs);
	}
	close(dfd);
	close(hfd);
	return 0;
}

/* ---- dump ---- */

static int
cmd_dump(int argc, char **argv)
{
	struct opts o;
	struct igos_verity v;
	struct igos_verity_tree t;
	struct stat hs;
	char uuid[37], salt[2 * IGOS_VERITY_SALT_MAX + 1];
	const char *hash;
	uint64_t hsize;
	int i, hfd;

	i = parse_opts(argc, argv, BIT(O_JSON) | BIT(O_HASH_OFFSET), &o);
	operands(argc, i, 1);
	hash = argv[i];
	hfd = open_ro(hash, &hs, &hsize);
	read_superblock(hfd, hash, o.hash_offset, &v);
	close(hfd);
	if (igos_verity_tree_init(&t, &v, o.hash_offset, 1) < 0)
		igos_die("'%s': %s", hash, igos_errmsg());
	igos_verity_uuid_format(v.uuid, uuid);
	igos_hex_encode(v.salt, v.salt_size, salt);
	if (o.json) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "uuid", json_object_new_string(uuid));
		json_object_object_add(j, "hash_type", json_object_new_int(v.hash_type));
		json_object_object_add(j, "data_blocks", json_object_new_uint64(v.data_blocks));
		json_object_object_add(j, "data_block_size", json_object_new_int(v.data_block_size));
		json_object_object_add(j, "hash_blocks", json_object_new_uint64(t.hash_blocks));
		json_object_object_add(j, "hash_block_size", json_object_new_int(v.hash_block_size));
		json_object_object_add(j, "hash_algorithm", json_object_new_string(v.alg));
		json_object_object_add(j, "salt", json_object_new_string(salt));
		json_object_object_add(j, "hash_offset", json_object_new_uint64(o.hash_offset));
		json_object_object_add(j, "hash_device_size", json_object_new_uint64(t.hash_end));
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	} else {
		printf("UUID:            \t%s\n", uuid);
		printf("Hash type:       \t%u\n", v.hash_type);
		printf("Data blocks:     \t%llu\n", (unsigned long long)v.data_blocks);
		printf("Data block size: \t%u\n", v.data_block_size);
		printf("Hash blocks:     \t%llu\n", (unsigned long long)t.hash_blocks);
		printf("Hash block size: \t%u\n", v.hash_block_size);
		printf("Hash algorithm:  \t%s\n", v.alg);
		printf("Salt:            \t%s\n", v.salt_size ? salt : "-");
		/* as veritysetup: with an offset, the device holds more than the tree */
		if (o.hash_offset == 0)
			printf("Hash device size: \t%llu [bytes]\n",
			       (unsigned long long)t.hash_end);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		igos_die("cannot write to standard output: %s", strerror(errno));
	return 0;
}

/* ---- sign ---- */

/* A ROOTHASH of any digest size, lowercased into hex (for sign). */
static size_t
root_hex_any(const char *arg, char *hex, size_t cap)
{
	static const unsigned sizes[] = { 20, 28, 32, 48, 64 };
	char *s = root_hex(arg);
	size_t len = strlen(s);

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (len == 2 * sizes[i] && len < cap) {
			for (size_t k = 0; k <= len; k++)
				hex[k] = (char)tolower((unsigned char)s[k]);
			free(s);
			return len;
		}
	igos_die("invalid root hash: %zu hex digits, not the size of a digest", len);
}

/* ---- signing in two rooms (igos-sign sign-request signs the request) ---- */

/* The request to sign the root hash hex[0..hlen) with x's key; the artefact
 * is the root hash as the kernel reads it (named after its @FILE). */
static void
verity_request(const char *arg, const char *hex, size_t hlen, X509 *x, struct igos_req *r)
{
	const char *name = arg[0] == '@' ? strrchr(arg + 1, '/') : NULL;

	memset(r, 0, sizeof(*r));
	name = name ? name + 1 : arg[0] == '@' ? arg + 1 : "roothash";
	if (strlen(name) >= sizeof(r->file))
		igos_die("'%s': file name too long for a request", name);
	strcpy(r->file, name);
	r->kind = IGOS_REQ_VERITY;
	r->size = hlen;
	if (igos_digest(EVP_sha256(), hex, hlen, r->sha256) < 0 || igos_req_set_cert(r, x) < 0 ||
	    igos_req_add_item(r, NULL, hex, hlen) < 0)
		igos_die("%s", igos_errmsg());
}

static int
sign_request_out(const struct opts *o, int argc, char **argv, int i)
{
	char hex[2 * IGOS_MAX_MD + 1];
	struct igos_req r;
	struct igos_text t = { 0 };
	X509 *x;
	size_t hlen;

	if (o->arg[O_KEY] || o->arg[O_OUTPUT] || o->arg[O_PIN_FILE] || o->arg[O_JSON] ||
	    o->arg[O_TCTI])
		igos_usage_err("sign: --request-out writes a request, not a signature: no -k, "
			       "-o, --pin-file, --tcti or --json");
	if (!o->arg[O_CERT])
		igos_usage_err("sign: --request-out needs -c/--cert");
	operands(argc, i, 1);
	hlen = root_hex_any(argv[i], hex, sizeof(hex));
	if ((x = igos_cert_load(o->arg[O_CERT])) == NULL)
		igos_die("%s", igos_errmsg());
	verity_request(argv[i], hex, hlen, x, &r);
	if (igos_req_format(&r, &t) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_write_atomic(o->arg[O_REQUEST_OUT], t.p, t.len, 0, 0) < 0)
		igos_die("%s", igos_errmsg());
	free(t.p);
	igos_req_free(&r);
	X509_free(x);
	return 0;
}

/* The signature made on the token for a request, checked against the request
 * and the root hash, and written where sign would write it. */
static int
cmd_attach(int argc, char **argv)
{
	struct opts o;
	char hex[2 * IGOS_MAX_MD + 1];
	const char *req, *sig, *output;
	struct igos_req r, mine;
	struct igos_buf rb, sb;
	STACK_OF(X509) *tr;
	X509 *x;
	size_t hlen;
	int i;

	i = parse_opts(argc, argv, BIT(O_REQUEST) | BIT(O_SIGNATURE) | BIT(O_OUTPUT), &o);
	/* -k and -c are known to the short options for -o's sake */
	if (o.seen & (BIT(O_KEY) | BIT(O_CERT)))
		igos_usage_err("attach takes no key or certificate: the request names them");
	if (!o.arg[O_REQUEST] || !o.arg[O_SIGNATURE])
		igos_usage_err("attach needs --request and --signature");
	operands(argc, i, 1);
	req = o.arg[O_REQUEST];
	sig = o.arg[O_SIGNATURE];
	output = o.arg[O_OUTPUT] ? o.arg[O_OUTPUT] : "-";
	if (strcmp(output, "-") == 0 && isatty(STDOUT_FILENO))
		igos_usage_err("refusing to write a binary signature to a terminal (use -o)");
	hlen = root_hex_any(argv[i], hex, sizeof(hex));
	if (igos_buf_read(&rb, req, IGOS_REQ_MAX) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_req_parse(&r, rb.data, rb.len) < 0)
		igos_die("'%s': %s", req, igos_errmsg());
	if (r.kind != IGOS_REQ_VERITY)
		igos_die("'%s': not a verity request (%s)", req, igos_req_kind_name(r.kind));
	if ((x = igos_req_cert(&r)) == NULL)
		igos_die("'%s': %s", req, igos_errmsg());
	verity_request(argv[i], hex, hlen, x, &mine);
	/* the root hash may come inline or from another file than at request time */
	memcpy(mine.file, r.file, sizeof(mine.file));
	if (!igos_req_equal(&r, &mine))
		igos_die("'%s': the request is not for root hash %s", req, hex);
	if (igos_buf_read(&sb, sig, 1024 * 1024) < 0)
		igos_die("%s", igos_errmsg());
	if ((tr = sk_X509_new_null()) == NULL || !sk_X509_push(tr, x))
		igos_die("out of memory");
	if (igos_p7_verify_detached(sb.data, sb.len, (const unsigned char *)hex, hlen, tr) < 0)
		igos_die("'%s': not a signature of root hash %s by the request's key: %s", sig, hex,
			 igos_errmsg());
	if (igos_write_atomic(output, sb.data, sb.len, 0, 0) < 0)
		igos_die("%s", igos_errmsg());
	sk_X509_pop_free(tr, X509_free);
	igos_buf_free(&sb);
	igos_buf_free(&rb);
	igos_req_free(&r);
	igos_req_free(&mine);
	return 0;
}

static int
cmd_sign(int argc, char **argv)
{
	struct opts o;
	struct igos_signer_opts so = { 0 };
	struct igos_signer *signer;
	struct igos_out out;
	X509 *cert;
	char hex[2 * IGOS_MAX_MD + 1];
	unsigned char *p7;
	size_t hlen, p7len;
	const char *output;
	int i;

	i = parse_opts(argc, argv, BIT(O_KEY) | BIT(O_CERT) | BIT(O_OUTPUT) | BIT(O_PIN_FILE) |
				   BIT(O_JSON) | BIT(O_TCTI) | BIT(O_REQUEST_OUT), &o);
	if (o.arg[O_REQUEST_OUT])
		return sign_request_out(&o, argc, argv, i);
	if (!o.arg[O_KEY])
		igos_usage_err("sign needs -k/--key");
	if (!o.arg[O_CERT])
		igos_usage_err("sign needs -c/--cert");
	operands(argc, i, 1);
	output = o.arg[O_OUTPUT] ? o.arg[O_OUTPUT] : "-";
	if (strcmp(output, "-") == 0 && isatty(STDOUT_FILENO) && !o.json)
		igos_usage_err("refusing to write a binary signature to a terminal (use -o)");
	hlen = root_hex_any(argv[i], hex, sizeof(hex));
	so.pin_file = o.arg[O_PIN_FILE];
	so.tcti = o.arg[O_TCTI];
	if ((cert = igos_cert_load(o.arg[O_CERT])) == NULL)
		igos_die("%s", igos_errmsg());
	if ((signer = igos_signer_open(o.arg[O_KEY], &so)) == NULL) {
		X509_free(cert);
		igos_die("%s", igos_errmsg());
	}
	if (igos_cert_matches(cert, signer) < 0) {
		igos_signer_free(signer);
		X509_free(cert);
		igos_die("%s", igos_errmsg());
	}
	p7 = igos_pkcs7_sign(signer, cert, EVP_sha256(), NULL, (const unsigned char *)hex, hlen,
			     IGOS_P7_NOCERTS | IGOS_P7_NOATTR | IGOS_P7_DETACHED, &p7len);
	igos_signer_free(signer);
	X509_free(cert);
	if (p7 == NULL)
		igos_die("cannot sign: %s", igos_errmsg());
	if (o.json) {
		/* systemd-repart's signature partition content */
		char *j = igos_verity_sigjson_build(hex, p7, p7len);

		free(p7);
		if (j == NULL)
			igos_die("%s", igos_errmsg());
		p7 = (unsigned char *)j;
		p7len = strlen(j);
	}
	if (igos_out_open(&out, output, 0, 0) < 0 || igos_out_write(&out, p7, p7len) < 0 ||
	    igos_out_commit(&out) < 0) {
		free(p7);
		if (out.fd >= 0)
			igos_out_abort(&out);
		igos_die("%s", igos_errmsg());
	}
	free(p7);
	return 0;
}

/* ---- open, close, status (libcryptsetup) ---- */

static char cs_msg[512];

static void
cs_log(int level, const char *msg, void *usr)
{
	size_t n;

	(void)usr;
	if (level != CRYPT_LOG_ERROR)
		return;
	snprintf(cs_msg, sizeof(cs_msg), "%s", msg);
	n = strlen(cs_msg);
	while (n > 0 && (cs_msg[n - 1] == '\n' || cs_msg[n - 1] == '.'))
		cs_msg[--n] = '\0';
	if (n > 0 && isupper((unsigned char)cs_msg[0]) && !isupper((unsigned char)cs_msg[1]))
		cs_msg[0] = (char)tolower((unsigned char)cs_msg[0]);
}

static const char *
cs_reason(int r)
{
	return cs_msg[0] ? cs_msg : strerror(-r);
}

static int
is_corrupted(struct crypt_device *cd, const char *name)
{
	struct crypt_active_device cad;

	if (crypt_get_active_device(cd, name, &cad) < 0)
		return -1;
	return (cad.flags & CRYPT_ACTIVATE_CORRUPTED) != 0;
}

static int
crypt_hex_len(const char *alg)
{
	return EVP_MD_get_size(igos_verity_md(alg));
}

/*
 * device-mapper must be there before libcryptsetup is asked to activate:
 * without it libdevmapper's error is lost behind a vaguer one, and it
 * creates /dev/mapper/control on the way. The kernel lists it in /proc/misc
 * once dm_mod is loaded (or built in).
 */
static void
need_dm(void)
{
	FILE *f = fopen("/proc/misc", "re");
	char line[128];
	int found = 0;

	if (f == NULL) {
		if (access("/dev/mapper/control", F_OK) == 0)
			return;
		igos_die("cannot initialize device-mapper; is the dm_mod kernel module loaded?");
	}
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, " device-mapper\n") != NULL;
	fclose(f);
	if (!found)
		igos_die("cannot initialize device-mapper; is the dm_mod kernel module loaded?");
}

/* A systemd signature partition's JSON in sig: its root hash must be the
 * one being opened; sig becomes the DER signature inside. */
static void
sig_from_json(struct igos_buf *sig, const char *path, const unsigned char *root, unsigned ds)
{
	char jhex[2 * IGOS_MAX_MD + 2], hex[2 * IGOS_MAX_MD + 1];
	unsigned char *der;
	size_t len;

	if (igos_verity_sigjson_parse(sig->data, sig->len, jhex, sizeof(jhex), &der, &len) < 0)
		igos_die("'%s': %s", path, igos_errmsg());
	igos_hex_encode(root, ds, hex);
	if (strcmp(jhex, hex) != 0) {
		free(der);
		igos_die("'%s' signs root hash %s, not %s", path, jhex, hex);
	}
	igos_buf_free(sig);
	sig->data = der;
	sig->len = len;
	sig->mapped = 0;
}

static int
cmd_open(int argc, char **argv)
{
	struct opts o;
	struct crypt_device *cd = NULL;
	struct crypt_params_verity p;
	struct igos_buf sig = { 0 };
	unsigned char root[IGOS_MAX_MD], *blk;
	const char *data, *name, *hash;
	struct igos_verity v;
	struct stat st;
	uint64_t size;
	char dev[4096];
	int i, r, fd, corrupt;
	ssize_t n;

	i = parse_opts(argc, argv, BIT(O_SIGNATURE) | BIT(O_HASH_OFFSET) | FEC_OPTS, &o);
	operands(argc, i, 4);
	fec_opts_check(&o);
	data = argv[i];
	name = argv[i + 1];
	hash = argv[i + 2];
	/* our own checks first, for the same messages as verify and dump */
	fd = open_ro(hash, &st, &size);
	read_superblock(fd, hash, o.hash_offset, &v);
	close(fd);
	parse_root(argv[i + 3], v.alg, (unsigned)EVP_MD_get_size(igos_verity_md(v.alg)), root);
	if (o.arg[O_SIGNATURE] && igos_buf_read(&sig, o.arg[O_SIGNATURE], 1 << 20) < 0)
		igos_die("%s", igos_errmsg());
	if (o.arg[O_SIGNATURE] && igos_verity_sigjson_is(sig.data, sig.len))
		sig_from_json(&sig, o.arg[O_SIGNATURE], root, (unsigned)crypt_hex_len(v.alg));
	if (o.arg[O_FEC_DEVICE]) {
		fd = open_ro(o.arg[O_FEC_DEVICE], &st, &size);
		close(fd);
	}
	need_dm();
	crypt_set_log_callback(NULL, cs_log, NULL);
	if ((r = crypt_init_data_device(&cd, hash, data)) < 0)
		igos_die("cannot open '%s': %s", hash, cs_reason(r));
	crypt_set_log_callback(cd, cs_log, NULL);
	memset(&p, 0, sizeof(p));
	p.hash_area_offset = o.hash_offset;
	if (o.arg[O_FEC_DEVICE]) {
		p.fec_device = o.arg[O_FEC_DEVICE];
		p.fec_area_offset = o.fec_offset;
		p.fec_roots = (uint32_t)o.fec_roots;
	}
	if ((r = crypt_load(cd, CRYPT_VERITY, &p)) < 0)
		igos_die("'%s': invalid verity superblock: %s", hash, cs_reason(r));
	if (crypt_get_volume_key_size(cd) != EVP_MD_get_size(igos_verity_md(v.alg)))
		igos_die("'%s': libcryptsetup reads another superblock", hash);
	if (o.arg[O_SIGNATURE]) {
		r = crypt_activate_by_signed_key(cd, name, (const char *)root,
						 (size_t)crypt_get_volume_key_size(cd),
						 (const char *)sig.data, sig.len,
						 CRYPT_ACTIVATE_READONLY);
		igos_buf_free(&sig);
	} else {
		r = crypt_activate_by_volume_key(cd, name, (const char *)root,
						 (size_t)crypt_get_volume_key_size(cd),
						 CRYPT_ACTIVATE_READONLY);
	}
	if (r < 0)
		igos_die("cannot activate '%s': %s", name, cs_reason(r));
	/* Activation does not check the root hash: the first read does. */
	snprintf(dev, sizeof(dev), "%s/%s", crypt_get_dir(), name);
	if ((blk = malloc(4096)) == NULL)
		igos_die("out of memory");
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : pread(fd, blk, 4096, 0);
	r = errno;
	if (fd >= 0)
		close(fd);
	free(blk);
	corrupt = is_corrupted(cd, name);
	if (n < 0 || corrupt == 1) {
		crypt_deactivate(cd, name);
		crypt_free(cd);
		if (corrupt == 1 || r == EIO)
			igos_die("'%s': root hash does not match '%s': the device is corrupted "
				"(deactivated)", name, hash);
		errno = r;
		igos_die("cannot read '%s' (deactivated): %s", dev, strerror(errno));
	}
	crypt_free(cd);
	return 0;
}

static struct crypt_device *
by_name(const char *name)
{
	struct crypt_device *cd = NULL;
	int r;

	need_dm();
	crypt_set_log_callback(NULL, cs_log, NULL);
	r = crypt_init_by_name(&cd, name);
	if (r == -ENODEV || (r == 0 && crypt_status(cd, name) == CRYPT_INACTIVE))
		igos_die("'%s' is not active", name);
	if (r < 0)
		igos_die("cannot open '%s': %s", name, cs_reason(r));
	if (crypt_get_type(cd) == NULL || strcmp(crypt_get_type(cd), CRYPT_VERITY) != 0)
		igos_die("'%s' is not a verity device", name);
	return cd;
}

static int
cmd_close(int argc, char **argv)
{
	struct opts o;
	struct crypt_device *cd;
	int i, r;

	i = parse_opts(argc, argv, 0, &o);
	operands(argc, i, 1);
	cd = by_name(argv[i]);
	if ((r = crypt_deactivate(cd, argv[i])) < 0)
		igos_die("cannot close '%s': %s", argv[i], cs_reason(r));
	crypt_free(cd);
	return 0;
}

static int
cmd_status(int argc, char **argv)
{
	struct opts o;
	struct crypt_device *cd;
	struct crypt_params_verity vp;
	unsigned char root[IGOS_MAX_MD];
	char rhex[2 * IGOS_MAX_MD + 1] = "", shex[2 * IGOS_VERITY_SALT_MAX + 1] = "";
	size_t rlen = sizeof(root);
	const char *name;
	int i, corrupt;

	i = parse_opts(argc, argv, BIT(O_JSON), &o);
	operands(argc, i, 1);
	name = argv[i];
	cd = by_name(name);
	memset(&vp, 0, sizeof(vp));
	if (crypt_get_verity_info(cd, &vp) < 0)
		igos_die("cannot read the parameters of '%s': %s", name, cs_reason(-EINVAL));
	if (crypt_volume_key_get(cd, CRYPT_ANY_SLOT, (char *)root, &rlen, NULL, 0) >= 0 &&
	    rlen <= sizeof(root))
		igos_hex_encode(root, rlen, rhex);
	if (vp.salt_size <= IGOS_VERITY_SALT_MAX)
		igos_hex_encode(vp.salt, vp.salt_size, shex);
	corrupt = is_corrupted(cd, name);
	if (o.json) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "name", json_object_new_string(name));
		json_object_object_add(j, "status",
				       json_object_new_string(corrupt ? "corrupted" : "verified"));
		json_object_object_add(j, "data_device",
				       json_object_new_string(vp.data_device ? vp.data_device : ""));
		json_object_object_add(j, "hash_device",
				       json_object_new_string(vp.hash_device ? vp.hash_device : ""));
		json_object_object_add(j, "hash_start_block",
				       json_object_new_uint64(vp.hash_area_offset));
		json_object_object_add(j, "hash_type", json_object_new_int((int)vp.hash_type));
		json_object_object_add(j, "hash_algorithm",
				       json_object_new_string(vp.hash_name ? vp.hash_name : ""));
		json_object_object_add(j, "data_blocks", json_object_new_uint64(vp.data_size));
		json_object_object_add(j, "data_block_size", json_object_new_int((int)vp.data_block_size));
		json_object_object_add(j, "hash_block_size", json_object_new_int((int)vp.hash_block_size));
		json_object_object_add(j, "salt", json_object_new_string(shex));
		json_object_object_add(j, "root_hash", json_object_new_string(rhex));
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	} else {
		printf("name:            %s\n", name);
		printf("status:          %s\n", corrupt ? "corrupted" : "verified");
		printf("data device:     %s\n", vp.data_device ? vp.data_device : "");
		printf("hash device:     %s\n", vp.hash_device ? vp.hash_device : "");
		/* the kernel's table gives where the tree starts, in hash blocks */
		printf("hash start:      %llu\n", (unsigned long long)vp.hash_area_offset);
		printf("hash type:       %u\n", vp.hash_type);
		printf("hash algorithm:  %s\n", vp.hash_name ? vp.hash_name : "");
		printf("data blocks:     %llu\n", (unsigned long long)vp.data_size);
		printf("data block size: %u\n", vp.data_block_size);
		printf("hash block size: %u\n", vp.hash_block_size);
		printf("salt:            %s\n", vp.salt_size ? shex : "-");
		printf("root hash:       %s\n", rhex);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		igos_die("cannot write to standard output: %s", strerror(errno));
	crypt_free(cd);
	if (corrupt)
		igos_die("'%s' is corrupted", name);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct igos_verb verbs[] = {
		{ "format", cmd_format }, { "verify", cmd_verify }, { "dump", cmd_dump },
		{ "sign", cmd_sign },     { "open", cmd_open },     { "close", cmd_close },
		{ "status", cmd_status }, { "attach", cmd_attach }, { NULL, NULL },
	};

	igos_cli_init("igos-verity", usage, NULL);
	return igos_cli_verbs(argc, argv, verbs);
}
