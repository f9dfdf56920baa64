/*
 * igos-measure: predict PCR 11 for a UKI as its stub measures it, sign TPM2
 * PCR policies (.pcrsig for .pcrpkey, systemd-compatible), verify them, and
 * show the PCRs of the TPM.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "igos.h"
#include "pcr.h"
#include "request.h"

#define PROG "igos-measure"

enum {
	OPT_SEC = 0x100, /* OPT_SEC + IGOS_SEC_x: a section file */
	OPT_PIN_FILE = 0x200,
	OPT_TCTI,
	OPT_STUB,
	OPT_REQUEST_OUT,
	OPT_REQUEST,
	OPT_SIGNATURE,
	OPT_PROFILE,
	OPT_PCRSIG,
	OPT_POLICY_DIGEST,
	OPT_LOAD_OPTIONS,
};

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "bank", required_argument, NULL, 'b' },
	{ "phase", required_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },
	{ "key", required_argument, NULL, 'k' },
	{ "pin-file", required_argument, NULL, OPT_PIN_FILE },
	{ "public-key", required_argument, NULL, 'P' },
	{ "output", required_argument, NULL, 'o' },
	{ "tcti", required_argument, NULL, OPT_TCTI },
	{ "stub", required_argument, NULL, OPT_STUB },
	{ "request-out", required_argument, NULL, OPT_REQUEST_OUT },
	{ "request", required_argument, NULL, OPT_REQUEST },
	{ "signature", required_argument, NULL, OPT_SIGNATURE },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "pcrsig", required_argument, NULL, OPT_PCRSIG },
	{ "policy-digest", required_argument, NULL, OPT_POLICY_DIGEST },
	{ "load-options", required_argument, NULL, OPT_LOAD_OPTIONS },
	{ "linux", required_argument, NULL, OPT_SEC + IGOS_SEC_LINUX },
	{ "osrel", required_argument, NULL, OPT_SEC + IGOS_SEC_OSREL },
	{ "cmdline", required_argument, NULL, OPT_SEC + IGOS_SEC_CMDLINE },
	{ "initrd", required_argument, NULL, OPT_SEC + IGOS_SEC_INITRD },
	{ "ucode", required_argument, NULL, OPT_SEC + IGOS_SEC_UCODE },
	{ "splash", required_argument, NULL, OPT_SEC + IGOS_SEC_SPLASH },
	{ "dtb", required_argument, NULL, OPT_SEC + IGOS_SEC_DTB },
	{ "uname", required_argument, NULL, OPT_SEC + IGOS_SEC_UNAME },
	{ "sbat", required_argument, NULL, OPT_SEC + IGOS_SEC_SBAT },
	{ "pcrpkey", required_argument, NULL, OPT_SEC + IGOS_SEC_PCRPKEY },
	/* systemd-measure calls it --profile; ours is the profile's number */
	{ "profile-section", required_argument, NULL, OPT_SEC + IGOS_SEC_PROFILE },
	{ "dtbauto", required_argument, NULL, OPT_SEC + IGOS_SEC_DTBAUTO },
	{ "hwids", required_argument, NULL, OPT_SEC + IGOS_SEC_HWIDS },
	{ "efifw", required_argument, NULL, OPT_SEC + IGOS_SEC_EFIFW },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
	"usage: igos-measure calculate [-b BANK]... [-p PHASE]... [-j] [--stub S] [--profile N]\n"
	"                              (UKI | --linux F [--osrel F] [--cmdline F] [--initrd F]\n"
	"                               [--ucode F] [--splash F] [--dtb F] [--uname F]\n"
	"                               [--sbat F] [--pcrpkey F] [--profile-section F]\n"
	"                               [--dtbauto F] [--hwids F] [--efifw F])\n"
	"       igos-measure sign -k KEY [--pin-file F] [--tcti CONF] [-b BANK]... [-p PHASE]...\n"
	"                         [-o OUT] [--stub S] [--profile N] (UKI | section files)\n"
	"       igos-measure sign -k KEY [--pin-file F] [--tcti CONF] [-o OUT]\n"
	"                         --policy-digest DIGESTS\n"
	"       igos-measure sign --request-out REQ [-P PEM] [-b BANK]... [-p PHASE]...\n"
	"                         [--stub S] [--profile N] UKI\n"
	"       igos-measure policy-digest [-P PEM] [-b BANK]... [-p PHASE]... [-o OUT]\n"
	"                         [--stub S] [--profile N] (UKI | section files)\n"
	"       igos-measure attach --request REQ --signature SIG [-b BANK]... [-p PHASE]...\n"
	"                           [-o OUT] [--stub S] [--profile N] UKI\n"
	"       igos-measure attach --pcrsig SIGNED [-P PEM] [-b BANK]... [-p PHASE]...\n"
	"                           [-o OUT] [--stub S] [--profile N] (UKI | section files)\n"
	"       igos-measure verify -P PEM [-p PHASE]... [--stub S] [--profile N] PCRSIG\n"
	"                           (UKI | section files)\n"
	"       igos-measure pcr12 [-b BANK]... [-j] [--profile N] [--load-options TEXT]\n"
	"                          [ADDON]...\n"
	"       igos-measure status [-b BANK]... [-j] [--tcti CONF]\n"
	"\n"
	"  -b, --bank BANK        sha1, sha256, sha384 or sha512 (default: all four)\n"
	"  -p, --phase PATH       boot phase path, words joined by ':' (default: systemd's\n"
	"                         four; empty: right after the stub)\n"
	"  -j, --json             JSON output\n"
	"  -k, --key KEY          RSA private key: PEM file, pkcs11: URI or TSS2 key file\n"
	"      --pin-file F       token PIN (or TPM key auth value) from a file\n"
	"  -P, --public-key PEM   public key the .pcrsig must be made with (policy-digest:\n"
	"                         its fingerprint goes in)\n"
	"  -o, --output OUT       where the JSON goes (default: stdout)\n"
	"      --profile N        the UKI's profile N, as the stub boots it with @N\n"
	"                         (default: 0)\n"
	"      --policy-digest F  sign: the policy digests to sign (from policy-digest)\n"
	"      --pcrsig SIGNED    attach: the policy digests, signed elsewhere\n"
	"      --request-out REQ  sign: write a signing request instead (igos-sign sign-request)\n"
	"      --request REQ, --signature SIG   attach: the request and its signature\n"
	"      --load-options TEXT  pcr12: the command line the stub takes from its load\n"
	"                         options (without @N)\n"
	"      --stub S           measure as stub S does: auto (default), 252, current\n"
	"      --tcti CONF        TPM to read, or holding the TSS2 key (tss2 TCTI, e.g.\n"
	"                         swtpm:host=127.0.0.1,port=2321)\n"
	"  -v, --verbose          on failure, the whole OpenSSL error queue too\n"
	"  -h, --help             this help\n"
	"  -V, --version          print the version\n";

static void
usage(FILE *f)
{
	fputs(usage_text, f);
}

struct args {
	const char *verb;
	unsigned banks;
	const char **phases;
	size_t nphases;
	int json;
	const char *key, *pin_file, *pubkey, *output, *tcti;
	const char *reqout, *req, *sig;
	const char *pcrsig, *digests, *loadopts;
	unsigned profile;
	int profile_set;
	int stub_flags, stub_set;
	const char *sec[IGOS_SEC_N];
	int nsec;
	char **ops;
	int nops;
};

static void
parse_args(struct args *a, int argc, char **argv)
{
	int c;

	memset(a, 0, sizeof(*a));
	a->verb = argv[0];
	if (!(a->phases = calloc((size_t)argc, sizeof(*a->phases))))
		igos_die("out of memory");
	while ((c = igos_getopt(argc, argv, "hVvb:p:jk:P:o:", longopts)) != -1) {
		int b;

		switch (c) {
		case 'b':
			if ((b = igos_pcr_bank_parse(optarg)) < 0)
				igos_usage_err("%s", igos_errmsg());
			a->banks |= 1u << b;
			break;
		case 'p':
			a->phases[a->nphases++] = optarg;
			break;
		case 'j':
			igos_flag_once(&a->json);
			break;
		case 'k':
			igos_opt_once(&a->key, optarg);
			break;
		case OPT_PIN_FILE:
			igos_opt_once(&a->pin_file, optarg);
			break;
		case 'P':
			igos_opt_once(&a->pubkey, optarg);
			break;
		case 'o':
			igos_opt_once(&a->output, optarg);
			break;
		case OPT_TCTI:
			igos_opt_once(&a->tcti, optarg);
			break;
		case OPT_REQUEST_OUT:
			igos_opt_once(&a->reqout, optarg);
			break;
		case OPT_REQUEST:
			igos_opt_once(&a->req, optarg);
			break;
		case OPT_SIGNATURE:
			igos_opt_once(&a->sig, optarg);
			break;
		case OPT_PROFILE: {
			char *end;
			unsigned long n;

			igos_flag_once(&a->profile_set);
			errno = 0;
			n = strtoul(optarg, &end, 10);
			/* systemd-stub takes at most 256 profiles */
			if (*optarg < '0' || *optarg > '9' || *end || errno || n > 255)
				igos_usage_err("'%s' is not a profile number (0 to 255)", optarg);
			a->profile = (unsigned)n;
			break;
		}
		case OPT_PCRSIG:
			igos_opt_once(&a->pcrsig, optarg);
			break;
		case OPT_POLICY_DIGEST:
			igos_opt_once(&a->digests, optarg);
			break;
		case OPT_LOAD_OPTIONS:
			igos_opt_once(&a->loadopts, optarg);
			break;
		case OPT_STUB:
			igos_flag_once(&a->stub_set);
			if (strcmp(optarg, "252") == 0)
				a->stub_flags = IGOS_PCR_STUB_252;
			else if (strcmp(optarg, "current") == 0)
				a->stub_flags = IGOS_PCR_STUB_CURRENT;
			else if (strcmp(optarg, "auto") != 0)
				igos_usage_err("unknown stub '%s' (auto, 252, current)", optarg);
			break;
		default:
			if (c >= OPT_SEC && c < OPT_SEC + IGOS_SEC_N) {
				igos_opt_once(&a->sec[c - OPT_SEC], optarg);
				a->nsec++;
				break;
			}
			igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	/* validate phase words now: a typo is a usage error */
	for (size_t i = 0; i < a->nphases; i++) {
		char *n = igos_pcr_phase_normalize(a->phases[i]);

		if (!n)
			igos_usage_err("%s", igos_errmsg());
		free(n);
	}
	a->ops = argv + optind;
	a->nops = argc - optind;
}

/* Options that only some verbs take. */
static void
check_verb_options(const struct args *a)
{
	int calc = !strcmp(a->verb, "calculate"), sign = !strcmp(a->verb, "sign");
	int verify = !strcmp(a->verb, "verify"), status = !strcmp(a->verb, "status");
	int attach = !strcmp(a->verb, "attach"), digest = !strcmp(a->verb, "policy-digest");
	int pcr12 = !strcmp(a->verb, "pcr12");

	if (a->json && !(calc || status || pcr12))
		igos_usage_err("--json is an option of calculate, status and pcr12");
	if ((a->key || a->pin_file) && !sign)
		igos_usage_err("--key and --pin-file are options of sign");
	if (a->output && !(sign || attach || digest))
		igos_usage_err("--output is an option of sign, attach and policy-digest");
	if (a->reqout && !sign)
		igos_usage_err("--request-out is an option of sign");
	if (a->digests && !sign)
		igos_usage_err("--policy-digest is an option of sign");
	if ((a->req || a->sig) && !attach)
		igos_usage_err("--request and --signature are options of attach");
	if (a->pcrsig && !attach)
		igos_usage_err("--pcrsig is an option of attach");
	if (a->pcrsig && (a->req || a->sig))
		igos_usage_err("attach joins a request's signature (--request, --signature) or "
			       "signed policy digests (--pcrsig), not both");
	if (a->loadopts && !pcr12)
		igos_usage_err("--load-options is an option of pcr12");
	if (a->reqout && (a->key || a->pin_file || a->output || a->tcti))
		igos_usage_err("--request-out writes a request, not a .pcrsig: no --key, "
			       "--pin-file, --tcti or --output");
	if (a->pubkey && !verify && !digest && !(attach && a->pcrsig) && !(sign && a->reqout))
		igos_usage_err("--public-key is an option of verify, policy-digest, attach "
			       "--pcrsig and sign --request-out");
	if (a->tcti && !status && !sign)
		igos_usage_err("--tcti is an option of status and sign");
	if (a->banks && verify)
		igos_usage_err("--bank is not an option of verify (the .pcrsig names its banks)");
	if (status && (a->nphases || a->nsec || a->stub_set))
		igos_usage_err("status takes no phase, section or stub option");
	if (status && a->profile_set)
		igos_usage_err("--profile is not an option of status");
	if (pcr12 && (a->nphases || a->nsec || a->stub_set))
		igos_usage_err("pcr12 takes addons: no phase, section or stub option");
	if (a->digests && (a->reqout || a->nphases || a->banks || a->nsec || a->stub_set ||
			   a->profile_set))
		igos_usage_err("sign --policy-digest signs the digests as they are: no "
			       "--request-out, phase, bank, section, stub or profile option");
}

/* The public key in the UKI's .pcrpkey section, or NULL if it has none. */
static EVP_PKEY *
uki_pcrpkey(const struct igos_buf *b, const char *uki, unsigned profile)
{
	const struct igos_pe_section *s;
	struct igos_pe pe;
	EVP_PKEY *k;

	if (igos_pe_parse(&pe, b->data, b->len) < 0)
		igos_die("'%s': %s", uki, igos_errmsg());
	/* a profile may carry its own */
	if (igos_pcr_uki_find(&pe, profile, ".pcrpkey", &s) < 0)
		igos_die("'%s': %s", uki, igos_errmsg());
	if (!s || !s->vsize)
		return NULL;
	if (!(k = igos_pcr_pubkey_parse(b->data + s->raw_off,
					s->raw_size < s->vsize ? s->raw_size : s->vsize)))
		igos_die("'%s': .pcrpkey: %s", uki, igos_errmsg());
	return k;
}

/* The UKI operand or the section files into in; *pcrpkey (if not NULL) gets
 * the .pcrpkey public key, or NULL when there is none. */
static void
load_input(const struct args *a, struct igos_pcr_input *in, unsigned banks, const char *uki,
	   EVP_PKEY **pcrpkey)
{
	igos_pcr_input_init(in, banks);
	if (pcrpkey)
		*pcrpkey = NULL;
	if (uki) {
		struct igos_buf b;

		if (a->nsec)
			igos_usage_err("give a UKI or section files, not both");
		if (igos_buf_read(&b, uki, 0) < 0)
			igos_die("%s", igos_errmsg());
		if (igos_pcr_input_from_uki_profile(in, b.data, b.len, a->stub_flags, a->profile,
						    NULL) < 0) {
			igos_buf_free(&b);
			igos_die("'%s': %s", uki, igos_errmsg());
		}
		if (pcrpkey)
			*pcrpkey = uki_pcrpkey(&b, uki, a->profile);
		igos_buf_free(&b);
		return;
	}
	if (!a->nsec)
		igos_usage_err("no UKI and no section files given");
	if (!a->sec[IGOS_SEC_LINUX])
		igos_usage_err("--linux is required with section files");
	if (a->stub_set)
		igos_usage_err("--stub applies to a UKI only");
	if (a->profile_set)
		igos_usage_err("--profile applies to a UKI only");
	for (int s = 0; s < IGOS_SEC_N; s++)
		if (a->sec[s] && igos_pcr_input_set_file(in, s, a->sec[s]) < 0)
			igos_die("%s", igos_errmsg());
	if (pcrpkey && in->present[IGOS_SEC_PCRPKEY]) {
		size_t len;
		char *pem = igos_read_small(a->sec[IGOS_SEC_PCRPKEY], 1 << 20, &len);

		if (!pem)
			igos_die("%s", igos_errmsg());
		if (!(*pcrpkey = igos_pcr_pubkey_parse(pem, len)))
			igos_die("'%s': %s", a->sec[IGOS_SEC_PCRPKEY], igos_errmsg());
		free(pem);
	}
}

/* Normalised, sorted, unique phases (systemd's order); defaults if none. */
static char **
phase_list(const struct args *a, size_t *n)
{
	const char *const *src = a->nphases ? a->phases : igos_pcr_default_phases;
	size_t ns = a->nphases ? a->nphases : 4, k = 0;
	char **v = calloc(ns, sizeof(*v));

	if (!v)
		igos_die("out of memory");
	for (size_t i = 0; i < ns; i++) {
		char *p = igos_pcr_phase_normalize(src[i]);
		size_t j;

		if (!p)
			igos_usage_err("%s", igos_errmsg());
		for (j = 0; j < k && strcmp(v[j], p) < 0; j++)
			;
		if (j < k && strcmp(v[j], p) == 0) {
			free(p);
			continue;
		}
		memmove(v + j + 1, v + j, (k - j) * sizeof(*v));
		v[j] = p;
		k++;
	}
	*n = k;
	return v;
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
print_json(json_object *root)
{
	const char *s = json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s)
		igos_die("cannot write JSON");
	printf("%s\n", s);
}

/* {"phase": ..., "pcr": ..., "hash": ...} appended to arr (phase left out
 * when NULL; exits when out of memory). */
static void
json_pcr_add(json_object *arr, const char *phase, int pcr, const unsigned char *v, size_t len)
{
	json_object *e = json_object_new_object();
	char hex[2 * IGOS_MAX_MD + 1];

	if (!e)
		igos_die("cannot build JSON: out of memory");
	igos_hex_encode(v, len, hex);
	if ((phase && json_object_object_add(e, "phase", json_object_new_string(phase)) < 0) ||
	    json_object_object_add(e, "pcr", json_object_new_int(pcr)) < 0 ||
	    json_object_object_add(e, "hash", json_object_new_string(hex)) < 0 ||
	    json_object_array_add(arr, e) < 0)
		igos_die("cannot build JSON: out of memory");
}

/* An empty {} for the banks (exits when out of memory). */
static json_object *
json_root(void)
{
	json_object *root = json_object_new_object();

	if (!root)
		igos_die("cannot build JSON: out of memory");
	return root;
}

/* The array of bank b in a {"<bank>": [...]} object, or NULL when b is not in
 * the mask banks (exits when out of memory). */
static json_object *
json_bank(json_object *root, unsigned banks, int b)
{
	json_object *arr;

	if (!(banks & 1u << b))
		return NULL;
	arr = json_object_new_array();
	if (arr == NULL || json_object_object_add(root, igos_pcr_bank_name(b), arr) < 0)
		igos_die("cannot build JSON: out of memory");
	return arr;
}

static int
cmd_calculate(const struct args *a)
{
	struct igos_pcr_input in;
	unsigned banks = a->banks ? a->banks : IGOS_BANKS_ALL;
	unsigned char v[IGOS_MAX_MD];
	char hex[2 * IGOS_MAX_MD + 1];
	size_t nph;
	char **ph;

	if (a->nops > 1)
		igos_usage_err("calculate takes one UKI, or section files and no operand");
	load_input(a, &in, banks, a->nops ? a->ops[0] : NULL, NULL);
	ph = phase_list(a, &nph);
	if (a->json) {
		json_object *root = json_root(), *arr;

		for (int b = 0; b < IGOS_BANK_N; b++) {
			if ((arr = json_bank(root, banks, b)) == NULL)
				continue;
			for (size_t i = 0; i < nph; i++) {
				if (igos_pcr_predict(&in, b, ph[i], v) < 0)
					igos_die("%s", igos_errmsg());
				/* systemd leaves "phase" out for the empty path */
				json_pcr_add(arr, ph[i][0] ? ph[i] : NULL, IGOS_PCR_KERNEL_BOOT, v,
					     igos_pcr_bank_size(b));
			}
		}
		print_json(root);
		json_object_put(root);
	} else {
		for (size_t i = 0; i < nph; i++) {
			/* the note systemd-measure 252 writes (":" for the empty path) */
			fprintf(stderr, "# PCR[%d] Phase <%s>\n", IGOS_PCR_KERNEL_BOOT,
				ph[i][0] ? ph[i] : ":");
			fflush(stderr);
			for (int b = 0; b < IGOS_BANK_N; b++) {
				if (!(banks & 1u << b))
					continue;
				if (igos_pcr_predict(&in, b, ph[i], v) < 0)
					igos_die("%s", igos_errmsg());
				igos_hex_encode(v, igos_pcr_bank_size(b), hex);
				printf("%d:%s=%s\n", IGOS_PCR_KERNEL_BOOT, igos_pcr_bank_name(b), hex);
			}
			fflush(stdout);
		}
	}
	free_list(ph, nph);
	if (fflush(stdout) == EOF || ferror(stdout))
		igos_die("cannot write to standard output: %s", strerror(errno));
	return 0;
}

/* ---- signing in two rooms (igos-sign sign-request signs the request) ---- */

/* What the .pcrsig builder asks to sign: recorded into a request, or, when
 * joining, answered from the signature file after checking each one. */
struct pcr_rec {
	struct igos_req *r;
	const struct igos_rsig *sig; /* NULL: record */
	unsigned i;
};

static int
pcr_rec_cb(void *ctx, const EVP_MD *md, const unsigned char *dgst, size_t dlen,
	   unsigned char **sig, size_t *siglen)
{
	struct pcr_rec *c = ctx;

	if (c->sig == NULL) {
		if (igos_req_add_item(c->r, md, dgst, dlen) < 0 || (*sig = malloc(1)) == NULL)
			return -1;
		*siglen = 1;
		return 0;
	}
	if (c->i >= c->sig->n)
		return igos_seterr("it holds %u signatures, fewer than the request's %u",
				   c->sig->n, c->r->nitems);
	if (igos_req_verify_item(c->r, c->i, c->sig->sig[c->i], c->sig->len[c->i]) < 0)
		return igos_seterr("signature %u is not the request's key's over policy %u",
				   c->i + 1, c->i + 1);
	if ((*sig = malloc(c->sig->len[c->i])) == NULL)
		return igos_seterr("out of memory");
	memcpy(*sig, c->sig->sig[c->i], c->sig->len[c->i]);
	*siglen = c->sig->len[c->i++];
	return 0;
}

/* The pcr-policy request for the UKI a->ops[0] with key pub (or its .pcrpkey). */
static void
pcr_request(const struct args *a, EVP_PKEY *pub, struct igos_req *r)
{
	const char *uki = a->ops[0], *name = strrchr(uki, '/') ? strrchr(uki, '/') + 1 : uki;
	unsigned banks = a->banks ? a->banks : IGOS_BANKS_ALL;
	struct pcr_rec rec = { r, NULL, 0 };
	struct igos_pcr_input in;
	struct igos_buf b;
	EVP_PKEY *own = NULL;
	char *json;

	if (a->nops != 1 || a->nsec)
		igos_usage_err("%s: a request is made for one UKI operand", a->verb);
	if (strcmp(uki, "-") == 0)
		igos_usage_err("%s: the request names its UKI: give a file, not '-'", a->verb);
	memset(r, 0, sizeof(*r));
	if (strlen(name) >= sizeof(r->file))
		igos_die("'%s': file name too long for a request", uki);
	strcpy(r->file, name);
	if (igos_buf_read(&b, uki, 0) < 0)
		igos_die("%s", igos_errmsg());
	igos_pcr_input_init(&in, banks);
	if (igos_pcr_input_from_uki_profile(&in, b.data, b.len, a->stub_flags, a->profile,
					    NULL) < 0)
		igos_die("'%s': %s", uki, igos_errmsg());
	if (pub == NULL && (pub = own = uki_pcrpkey(&b, uki, a->profile)) == NULL)
		igos_die("'%s': no .pcrpkey: give the public key with --public-key", uki);
	r->kind = IGOS_REQ_PCR;
	r->size = b.len;
	if (igos_digest(EVP_sha256(), b.data, b.len, r->sha256) < 0 ||
	    igos_req_set_pubkey(r, pub) < 0)
		igos_die("'%s': %s", uki, igos_errmsg());
	igos_buf_free(&b);
	json = igos_pcrsig_build(&in, banks, a->nphases ? a->phases : NULL, a->nphases, pub,
				 pcr_rec_cb, &rec);
	if (json == NULL)
		igos_die("'%s': %s", uki, igos_errmsg());
	free(json);
	EVP_PKEY_free(own);
}

static int
sign_request_out(const struct args *a)
{
	struct igos_req r;
	struct igos_text t = { 0 };
	EVP_PKEY *pub = NULL;

	if (a->pubkey && (pub = igos_pubkey_load(a->pubkey)) == NULL)
		igos_die("%s", igos_errmsg());
	pcr_request(a, pub, &r);
	if (igos_req_format(&r, &t) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_write_atomic(a->reqout, t.p, t.len, 0, 0) < 0)
		igos_die("%s", igos_errmsg());
	free(t.p);
	igos_req_free(&r);
	EVP_PKEY_free(pub);
	return 0;
}

/* ---- the offline flow systemd-measure 258 offers: policy-digest, joined back ---- */

/* The public key for a policy: --public-key, else the one the stub hands on
 * (.pcrpkey of the UKI or the --pcrpkey file); NULL if neither. */
static EVP_PKEY *
policy_key(const struct args *a, EVP_PKEY *pcrpkey)
{
	EVP_PKEY *pub;

	if (!a->pubkey)
		return pcrpkey;
	if (!(pub = igos_pubkey_load(a->pubkey)))
		igos_die("%s", igos_errmsg());
	/* a signature for another key than the one handed on checks nothing */
	if (pcrpkey && EVP_PKEY_eq(pcrpkey, pub) != 1)
		igos_die("'%s': its .pcrpkey is not the public key '%s'",
			 a->nops ? a->ops[a->nops - 1] : a->sec[IGOS_SEC_PCRPKEY], a->pubkey);
	EVP_PKEY_free(pcrpkey);
	return pub;
}

static void
write_json(const struct args *a, char *json)
{
	if (igos_write_atomic(a->output ? a->output : "-", json, strlen(json), 0, 0) < 0) {
		free(json);
		igos_die("%s", igos_errmsg());
	}
	free(json);
}

/* What a signer elsewhere signs: the TPM2 policy digest of each bank and
 * phase, in .pcrsig form without "sig" (systemd-measure policy-digest). */
static int
cmd_policy_digest(const struct args *a)
{
	struct igos_pcr_input in;
	unsigned banks = a->banks ? a->banks : IGOS_BANKS_ALL;
	EVP_PKEY *pub = NULL;
	char *json;

	if (a->nops > 1)
		igos_usage_err("policy-digest takes one UKI, or section files and no operand");
	load_input(a, &in, banks, a->nops ? a->ops[0] : NULL, NULL);
	/* systemd-measure writes "pkfp" only when it is given the key */
	if (a->pubkey && !(pub = igos_pubkey_load(a->pubkey)))
		igos_die("%s", igos_errmsg());
	json = igos_pcrsig_build(&in, banks, a->nphases ? a->phases : NULL, a->nphases, pub,
				 NULL, NULL);
	EVP_PKEY_free(pub);
	if (!json)
		igos_die("%s", igos_errmsg());
	write_json(a, json);
	return 0;
}

/* Join policy digests signed elsewhere back into the UKI's .pcrsig, each
 * signature checked against the UKI's own policies first. */
static int
attach_pcrsig(const struct args *a)
{
	struct igos_pcr_input in;
	struct igos_pcrsig ps;
	struct igos_buf b;
	unsigned banks = a->banks;
	EVP_PKEY *pub, *pcrpkey;
	char *json;

	if (a->nops > 1)
		igos_usage_err("attach --pcrsig takes one UKI, or section files and no operand");
	if (a->nops == 1 && !strcmp(a->ops[0], "-") && !strcmp(a->pcrsig, "-"))
		igos_usage_err("the signed digests and the UKI cannot both be standard input");
	if (igos_buf_read(&b, a->pcrsig, 1 << 20) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_pcrsig_parse_ex(&ps, (const char *)b.data, b.len,
				 IGOS_PCRSIG_PKFP_OPTIONAL) < 0) {
		igos_buf_free(&b);
		igos_die("'%s': %s", a->pcrsig, igos_errmsg());
	}
	igos_buf_free(&b);
	/* without --bank: the banks that were signed */
	if (!banks)
		for (size_t i = 0; i < ps.n; i++)
			banks |= 1u << ps.e[i].bank;
	load_input(a, &in, banks, a->nops ? a->ops[0] : NULL, &pcrpkey);
	if (!(pub = policy_key(a, pcrpkey)))
		igos_die("no public key to check the signatures with: give --public-key, or a "
			 "UKI with .pcrpkey");
	json = igos_pcrsig_join(&in, banks, a->nphases ? a->phases : NULL, a->nphases, pub, &ps);
	EVP_PKEY_free(pub);
	igos_pcrsig_free(&ps);
	if (!json)
		igos_die("'%s': %s", a->pcrsig, igos_errmsg());
	write_json(a, json);
	return 0;
}

/* The signer's side: sign a policy-digest file, no UKI at hand. */
static int
sign_digests(const struct args *a)
{
	struct igos_signer_opts opts = { .pin_file = a->pin_file, .tcti = a->tcti };
	struct igos_signer *s;
	struct igos_pcrsig pd;
	struct igos_buf b;
	char *json;

	if (a->nops)
		igos_usage_err("sign --policy-digest takes no operand");
	if (igos_buf_read(&b, a->digests, 1 << 20) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_pcrsig_parse_ex(&pd, (const char *)b.data, b.len,
				 IGOS_PCRSIG_PKFP_OPTIONAL | IGOS_PCRSIG_SIG_OPTIONAL) < 0) {
		igos_buf_free(&b);
		igos_die("'%s': %s", a->digests, igos_errmsg());
	}
	igos_buf_free(&b);
	for (size_t i = 0; i < pd.n; i++)
		if (pd.e[i].pcrs != 1u << IGOS_PCR_KERNEL_BOOT)
			igos_die("'%s': a policy over PCRs other than 11", a->digests);
	if (!(s = igos_signer_open(a->key, &opts)))
		igos_die("%s", igos_errmsg());
	json = igos_pcrsig_sign_digests(&pd, s);
	igos_signer_free(s);
	igos_pcrsig_free(&pd);
	if (!json)
		igos_die("'%s': %s", a->digests, igos_errmsg());
	write_json(a, json);
	return 0;
}

/* ---- PCR 12: what the stub measures besides the UKI ---- */

static int
cmd_pcr12(const struct args *a)
{
	unsigned banks = a->banks ? a->banks : IGOS_BANKS_ALL;
	unsigned char v[IGOS_BANK_N][IGOS_MAX_MD];
	char hex[2 * IGOS_MAX_MD + 1];
	struct igos_pcr_addon *ad = calloc((size_t)a->nops + 1, sizeof(*ad));
	struct igos_buf *bufs = calloc((size_t)a->nops + 1, sizeof(*bufs));
	int nstdin = 0;

	if (!ad || !bufs)
		igos_die("out of memory");
	for (int i = 0; i < a->nops; i++) {
		if (!strcmp(a->ops[i], "-") && nstdin++)
			igos_usage_err("standard input can be one addon only");
		if (igos_buf_read(&bufs[i], a->ops[i], 0) < 0)
			igos_die("%s", igos_errmsg());
		ad[i].name = a->ops[i];
		ad[i].data = bufs[i].data;
		ad[i].len = bufs[i].len;
	}
	if (igos_pcr12_predict(banks, a->profile, a->loadopts, ad, (size_t)a->nops, v) < 0)
		igos_die("%s", igos_errmsg());
	for (int i = 0; i < a->nops; i++)
		igos_buf_free(&bufs[i]);
	free(bufs);
	free(ad);
	if (a->json) {
		json_object *root = json_root(), *arr;

		for (int b = 0; b < IGOS_BANK_N; b++)
			if ((arr = json_bank(root, banks, b)) != NULL)
				json_pcr_add(arr, NULL, IGOS_PCR_KERNEL_CONFIG, v[b],
					     igos_pcr_bank_size(b));
		print_json(root);
		json_object_put(root);
	} else {
		for (int b = 0; b < IGOS_BANK_N; b++) {
			if (!(banks & 1u << b))
				continue;
			igos_hex_encode(v[b], igos_pcr_bank_size(b), hex);
			printf("%d:%s=%s\n", IGOS_PCR_KERNEL_CONFIG, igos_pcr_bank_name(b), hex);
		}
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		igos_die("cannot write to standard output: %s", strerror(errno));
	return 0;
}

/* Join the signatures made on the token into the .pcrsig JSON. */
static int
cmd_attach(const struct args *a)
{
	struct igos_req r, mine;
	struct igos_rsig rs;
	struct igos_buf rb, sb;
	struct igos_pcr_input in;
	struct igos_buf b;
	struct pcr_rec rec = { &r, &rs, 0 };
	unsigned banks = a->banks ? a->banks : IGOS_BANKS_ALL;
	unsigned char rh[32];
	EVP_PKEY *pub;
	const char *out = a->output ? a->output : "-";
	char *json;

	if (a->pcrsig)
		return attach_pcrsig(a);
	if (!a->req || !a->sig)
		igos_usage_err("attach needs --request and --signature, or --pcrsig");
	if (igos_buf_read(&rb, a->req, IGOS_REQ_MAX) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_req_parse(&r, rb.data, rb.len) < 0)
		igos_die("'%s': %s", a->req, igos_errmsg());
	if (r.kind != IGOS_REQ_PCR)
		igos_die("'%s': not a pcr-policy request (%s)", a->req, igos_req_kind_name(r.kind));
	if ((pub = igos_req_pubkey(&r)) == NULL)
		igos_die("'%s': %s", a->req, igos_errmsg());
	pcr_request(a, pub, &mine);
	if (mine.size != r.size || memcmp(mine.sha256, r.sha256, 32) != 0)
		igos_die("'%s' is not the file the request is for (its SHA-256 differs)",
			 a->ops[0]);
	if (!igos_req_equal(&r, &mine))
		igos_die("'%s': the request does not ask for the policies of '%s' (banks and "
			 "phases as at request time?)", a->req, a->ops[0]);
	if (igos_digest(EVP_sha256(), rb.data, rb.len, rh) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_buf_read(&sb, a->sig, IGOS_REQ_MAX) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_rsig_parse(&rs, sb.data, sb.len) < 0)
		igos_die("'%s': %s", a->sig, igos_errmsg());
	if (memcmp(rs.request, rh, 32) != 0)
		igos_die("'%s': answers another request than '%s'", a->sig, a->req);
	if (igos_buf_read(&b, a->ops[0], 0) < 0)
		igos_die("%s", igos_errmsg());
	igos_pcr_input_init(&in, banks);
	if (igos_pcr_input_from_uki_profile(&in, b.data, b.len, a->stub_flags, a->profile,
					    NULL) < 0)
		igos_die("'%s': %s", a->ops[0], igos_errmsg());
	igos_buf_free(&b);
	json = igos_pcrsig_build(&in, banks, a->nphases ? a->phases : NULL, a->nphases, pub,
				 pcr_rec_cb, &rec);
	if (json == NULL)
		igos_die("'%s': %s", a->sig, igos_errmsg());
	if (rec.i != rs.n)
		igos_die("'%s': it holds %u signatures, the request asks for %u", a->sig, rs.n,
			 rec.i);
	if (igos_write_atomic(out, json, strlen(json), 0, 0) < 0)
		igos_die("%s", igos_errmsg());
	free(json);
	EVP_PKEY_free(pub);
	igos_rsig_free(&rs);
	igos_req_free(&r);
	igos_req_free(&mine);
	igos_buf_free(&rb);
	igos_buf_free(&sb);
	return 0;
}

static int
cmd_sign(const struct args *a)
{
	struct igos_signer_opts opts = { .pin_file = a->pin_file, .tcti = a->tcti };
	struct igos_signer *s;
	struct igos_pcr_input in;
	unsigned banks = a->banks ? a->banks : IGOS_BANKS_ALL;
	const char *out = a->output ? a->output : "-";
	EVP_PKEY *pcrpkey;
	char *json;

	if (a->reqout)
		return sign_request_out(a);
	if (!a->key)
		igos_usage_err("sign needs --key");
	if (a->digests)
		return sign_digests(a);
	if (a->nops > 1)
		igos_usage_err("sign takes one UKI, or section files and no operand");
	load_input(a, &in, banks, a->nops ? a->ops[0] : NULL, &pcrpkey);
	if (!(s = igos_signer_open(a->key, &opts))) {
		EVP_PKEY_free(pcrpkey);
		igos_die("%s", igos_errmsg());
	}
	/* the stub hands .pcrpkey on as the key to check .pcrsig with: a
	 * signature by any other key would unlock nothing at boot */
	if (pcrpkey && EVP_PKEY_eq(pcrpkey, igos_signer_pubkey(s)) != 1) {
		EVP_PKEY_free(pcrpkey);
		igos_signer_free(s);
		igos_die("'%s': its .pcrpkey is not the public key of '%s'",
			 a->nops ? a->ops[0] : a->sec[IGOS_SEC_PCRPKEY], a->key);
	}
	EVP_PKEY_free(pcrpkey);
	json = igos_pcrsig_build_signer(&in, banks, a->nphases ? a->phases : NULL, a->nphases, s);
	if (!json) {
		igos_signer_free(s);
		igos_die("'%s': %s", a->key, igos_errmsg());
	}
	igos_signer_free(s);
	if (igos_write_atomic(out, json, strlen(json), 0, 0) < 0) {
		free(json);
		igos_die("%s", igos_errmsg());
	}
	free(json);
	return 0;
}

static int
cmd_verify(const struct args *a)
{
	struct igos_pcr_input in;
	struct igos_pcrsig ps;
	struct igos_buf b;
	EVP_PKEY *pub, *pcrpkey;
	size_t *matched;
	const char *const *phases = a->nphases ? a->phases : igos_pcr_default_phases;

	if (!a->pubkey)
		igos_usage_err("verify needs --public-key");
	if (a->nops < 1 || a->nops > 2 || (a->nops == 2 && a->nsec))
		igos_usage_err("verify takes a .pcrsig and one UKI, or a .pcrsig and section files");
	if (a->nops == 2 && !strcmp(a->ops[0], "-") && !strcmp(a->ops[1], "-"))
		igos_usage_err("the .pcrsig and the UKI cannot both be standard input");
	if (igos_buf_read(&b, a->ops[0], 1 << 20) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_pcrsig_parse(&ps, (const char *)b.data, b.len) < 0) {
		igos_buf_free(&b);
		igos_die("'%s': %s", a->ops[0], igos_errmsg());
	}
	igos_buf_free(&b);
	load_input(a, &in, IGOS_BANKS_ALL, a->nops == 2 ? a->ops[1] : NULL, &pcrpkey);
	if (!(pub = igos_pubkey_load(a->pubkey)))
		igos_die("%s", igos_errmsg());

	if (!(matched = calloc(ps.n, sizeof(*matched))))
		igos_die("out of memory");
	if (igos_pcrsig_verify(&ps, &in, a->nphases ? a->phases : NULL, a->nphases, pub,
			       matched) < 0) {
		EVP_PKEY_free(pub);
		igos_die("'%s': %s", a->ops[0], igos_errmsg());
	}
	/* the stub hands .pcrpkey on as the key to check .pcrsig with */
	if (pcrpkey && EVP_PKEY_eq(pcrpkey, pub) != 1)
		igos_die("'%s': its .pcrpkey is not the public key '%s'",
		     a->nops == 2 ? a->ops[1] : a->sec[IGOS_SEC_PCRPKEY], a->pubkey);
	EVP_PKEY_free(pcrpkey);
	for (size_t i = 0; i < ps.n; i++) {
		char *p = igos_pcr_phase_normalize(phases[matched[i]]);

		printf("%s %s: ok\n", igos_pcr_bank_name(ps.e[i].bank), p && *p ? p : ":");
		free(p);
	}
	free(matched);
	EVP_PKEY_free(pub);
	igos_pcrsig_free(&ps);
	if (fflush(stdout) == EOF || ferror(stdout))
		igos_die("cannot write to standard output: %s", strerror(errno));
	return 0;
}

/* ---- status ------------------------------------------------------------------ */

static const int status_pcrs[] = { 11, 12, 13 };
#define NSTATUS (sizeof(status_pcrs) / sizeof(status_pcrs[0]))

/* PCR values from sysfs (kernel 5.12+); 1 if the bank is there, 0 if not. */
static int
read_sysfs(int bank, unsigned char v[NSTATUS][IGOS_MAX_MD])
{
	for (size_t i = 0; i < NSTATUS; i++) {
		char path[96], s[2 * IGOS_MAX_MD + 8];
		size_t len, size = igos_pcr_bank_size(bank);
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "/sys/class/tpm/tpm0/pcr-%s/%d",
			 igos_pcr_bank_name(bank), status_pcrs[i]);
		/* sysfs files claim 4096 bytes whatever they hold: read() them,
		 * igos_read_small() would trust st_size */
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			if (errno == ENOENT)
				return 0;
			igos_die("cannot open '%s': %s", path, strerror(errno));
		}
		do
			n = read(fd, s, sizeof(s));
		while (n < 0 && errno == EINTR);
		if (n < 0)
			igos_die("cannot read '%s': %s", path, strerror(errno));
		close(fd);
		len = (size_t)n;
		while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
			len--;
		if (igos_hex_decode(s, len, v[i], size) < 0)
			igos_die("'%s': not a PCR value", path);
	}
	return 1;
}

struct tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
};

static void
tpm_open(struct tpm *t, const char *conf)
{
	TSS2_RC rc;

	/* the TSS logs to stderr by default; we say what failed ourselves */
	setenv("TSS2_LOG", "all+NONE", 0);
	rc = Tss2_TctiLdr_Initialize(conf, &t->tcti);
	if (rc != TSS2_RC_SUCCESS)
		igos_die("cannot open the TPM '%s': %s", conf, Tss2_RC_Decode(rc));
	rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		Tss2_TctiLdr_Finalize(&t->tcti);
		igos_die("cannot talk to the TPM '%s': %s", conf, Tss2_RC_Decode(rc));
	}
}

static void
tpm_close(struct tpm *t)
{
	Esys_Finalize(&t->esys);
	Tss2_TctiLdr_Finalize(&t->tcti);
}

/* 1 if the TPM has the bank allocated (values in v), 0 if not. */
static int
read_tpm(struct tpm *t, int bank, unsigned char v[NSTATUS][IGOS_MAX_MD])
{
	TPML_PCR_SELECTION sel = { 0 }, *got = NULL;
	TPML_DIGEST *vals = NULL;
	UINT32 counter;
	TSS2_RC rc;
	size_t size = igos_pcr_bank_size(bank);
	int have;

	sel.count = 1;
	sel.pcrSelections[0].hash = igos_pcr_bank_alg(bank);
	sel.pcrSelections[0].sizeofSelect = 3;
	for (size_t i = 0; i < NSTATUS; i++)
		sel.pcrSelections[0].pcrSelect[status_pcrs[i] / 8] |= 1u << (status_pcrs[i] % 8);
	rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel,
			   &counter, &got, &vals);
	if (rc != TSS2_RC_SUCCESS)
		igos_die("cannot read PCRs from the TPM: %s", Tss2_RC_Decode(rc));
	have = got->count == 1 && vals->count == NSTATUS;
	for (size_t i = 0; have && i < NSTATUS; i++) {
		if (vals->digests[i].size != size)
			igos_die("the TPM returned a %u-byte %s PCR", vals->digests[i].size,
			     igos_pcr_bank_name(bank));
		memcpy(v[i], vals->digests[i].buffer, size);
	}
	Esys_Free(got);
	Esys_Free(vals);
	return have;
}

static int
cmd_status(const struct args *a)
{
	unsigned banks = a->banks ? a->banks : IGOS_BANKS_ALL;
	unsigned char v[IGOS_BANK_N][NSTATUS][IGOS_MAX_MD];
	unsigned have = 0;
	struct tpm t = { 0 };
	const char *conf = a->tcti;
	int sysfs = 0;

	if (a->nops)
		igos_usage_err("status takes no operand");
	if (!conf) {
		/* sysfs PCR files (Linux 5.12+) need no privileges; else the
		 * resource manager device */
		if (access("/sys/class/tpm/tpm0/pcr-sha256", F_OK) == 0 ||
		    access("/sys/class/tpm/tpm0/pcr-sha1", F_OK) == 0)
			sysfs = 1;
		else if (access("/dev/tpmrm0", F_OK) == 0)
			conf = "device:/dev/tpmrm0";
		else if (access("/sys/class/tpm/tpm0", F_OK) == 0)
			igos_die("the TPM has no PCR files in /sys/class/tpm/tpm0 and no /dev/tpmrm0");
		else
			igos_die("no TPM: neither /sys/class/tpm/tpm0 nor /dev/tpmrm0 exists");
	}
	if (!sysfs)
		tpm_open(&t, conf);
	for (int b = 0; b < IGOS_BANK_N; b++) {
		if (!(banks & 1u << b))
			continue;
		if (sysfs ? read_sysfs(b, v[b]) : read_tpm(&t, b, v[b]))
			have |= 1u << b;
		else if (a->banks)
			igos_die("the TPM has no active %s bank", igos_pcr_bank_name(b));
	}
	if (!sysfs)
		tpm_close(&t);
	if (!have)
		igos_die("the TPM has none of the PCR banks asked for");
	if (a->json) {
		json_object *root = json_root(), *arr;

		for (int b = 0; b < IGOS_BANK_N; b++) {
			if ((arr = json_bank(root, have, b)) == NULL)
				continue;
			for (size_t i = 0; i < NSTATUS; i++)
				json_pcr_add(arr, NULL, status_pcrs[i], v[b][i], igos_pcr_bank_size(b));
		}
		print_json(root);
		json_object_put(root);
	} else {
		for (int b = 0; b < IGOS_BANK_N; b++) {
			char hex[2 * IGOS_MAX_MD + 1];

			if (!(have & 1u << b))
				continue;
			for (size_t i = 0; i < NSTATUS; i++) {
				igos_hex_encode(v[b][i], igos_pcr_bank_size(b), hex);
				printf("%d:%s=%s\n", status_pcrs[i], igos_pcr_bank_name(b), hex);
			}
		}
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		igos_die("cannot write to standard output: %s", strerror(errno));
	return 0;
}

/* Parse a verb's options, check them, run it. */
static int
run(int argc, char **argv, int (*cmd)(const struct args *))
{
	struct args a;
	int rc;

	parse_args(&a, argc, argv);
	check_verb_options(&a);
	rc = cmd(&a);
	free(a.phases);
	return rc;
}

static int main_calculate(int argc, char **argv) { return run(argc, argv, cmd_calculate); }
static int main_sign(int argc, char **argv) { return run(argc, argv, cmd_sign); }
static int main_verify(int argc, char **argv) { return run(argc, argv, cmd_verify); }
static int main_status(int argc, char **argv) { return run(argc, argv, cmd_status); }
static int main_attach(int argc, char **argv) { return run(argc, argv, cmd_attach); }
static int main_policy_digest(int argc, char **argv) { return run(argc, argv, cmd_policy_digest); }
static int main_pcr12(int argc, char **argv) { return run(argc, argv, cmd_pcr12); }

int
main(int argc, char **argv)
{
	static const struct igos_verb verbs[] = {
		{ "calculate", main_calculate },
		{ "sign", main_sign },
		{ "verify", main_verify },
		{ "status", main_status },
		{ "attach", main_attach },
		{ "policy-digest", main_policy_digest },
		{ "pcr12", main_pcr12 },
		{ NULL, NULL },
	};

	igos_cli_init(PROG, usage, NULL);
	return igos_cli_verbs(argc, argv, verbs);
}
