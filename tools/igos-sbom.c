/*
 * igos-sbom: a deterministic SPDX 2.3 JSON SBOM for a build: the built package,
 * its source tarballs, the patches applied to them, other build inputs and the
 * files the build made. The same inputs give the same bytes anywhere.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "igos.h"
#include "grubimg.h"
#include "sbat.h"
#include "spdx.h"

#define PROG "igos-sbom"

enum kind { K_SOURCE, K_PATCH, K_INPUT, K_ARTIFACT };

struct item {
	enum kind kind;
	const char *path;  /* as given */
	const char *base;  /* its last component */
	const char *url;   /* sources: downloadLocation */
	char *id;          /* SPDXID */
	char *fname;       /* files: "./" base */
	char *comment;     /* artifacts that are GRUB images: what they carry */
	char sha1[41], sha256[65];
};

struct rel {
	const char *a, *type, *b;
};

struct sbom {
	const char *name, *version, *supplier, *download, *license, *nsbase;
	char *license_norm;
	char created[32];
	char *root_id;
	struct item *items;
	size_t nitems;
	struct rel *rels;
	size_t nrels;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " -n|--name NAME --package-version VERSION\n"
	    "         [--supplier 'Organization: X'] [--download-location URL]\n"
	    "         [-l|--license SPDX-EXPRESSION] [--namespace-base URI] [--created TIME]\n"
	    "         [--source FILE[=URL]]... [--patch FILE]... [--input FILE]...\n"
	    "         [--artifact FILE]... [-o|--output OUT.spdx.json] [-v|--verbose]\n"
	    "       " PROG " -h|--help | -V|--version\n"
	    "Write an SPDX 2.3 JSON SBOM of a build; 'created' comes from SOURCE_DATE_EPOCH\n"
	    "or --created (seconds since the epoch or YYYY-MM-DDThh:mm:ssZ).\n");
}

/* ---- checks on the command line ------------------------------------------ */

static int
uri_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL);
}

/* An absolute URI: scheme ":" and at least one more character, all of them
 * characters a URI may hold. */
static int
uri_ok(const char *s, int allow_hash)
{
	const char *p = s;

	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		return 0;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	    (*p >= '0' && *p <= '9') || *p == '+' || *p == '.' || *p == '-')
		p++;
	if (*p != ':' || p[1] == '\0')
		return 0;
	for (p = s; *p; p++)
		if (!uri_char((unsigned char)*p) || (*p == '#' && !allow_hash))
			return 0;
	return 1;
}

static void
check_location(const char *s)
{
	if (strcmp(s, "NONE") != 0 && strcmp(s, "NOASSERTION") != 0 && !uri_ok(s, 1))
		igos_usage_err("invalid download location '%s' (a URL, NONE or NOASSERTION)", s);
}

static void
check_text(const char *what, const char *s)
{
	if (*s == '\0')
		igos_usage_err("%s is empty", what);
	if (!igos_utf8_valid(s, strlen(s)))
		igos_usage_err("%s is not valid UTF-8", what);
}

/* A byte string shown safely in a one-line message: \xNN for control bytes and
 * bytes that are not ASCII. */
static const char *
shown(const char *s)
{
	static char buf[1024];
	size_t o = 0;

	for (; *s && o + 5 < sizeof(buf); s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

/* SOURCE_DATE_EPOCH or --created: decimal seconds, or (iso != 0) also
 * YYYY-MM-DDThh:mm:ssZ. */
static int
parse_time(const char *s, int iso, char out[32])
{
	uint64_t v;
	struct tm tm;
	time_t t;

	iso = iso && strlen(s) == 20 && s[4] == '-';
	if (iso) {
		char tail;

		memset(&tm, 0, sizeof(tm));
		if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon,
		    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &tail) != 7 ||
		    tail != 'Z')
			return -1;
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		if ((t = timegm(&tm)) < 0)
			return -1;
		v = (uint64_t)t;
	} else if (igos_parse_u64(s, &v) < 0) {
		return -1;
	}
	/* The format has four digits for the year. */
	if (v > 253402300799ULL)
		return -1;
	t = (time_t)v;
	if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		return -1;
	/* A date written out must be the date read: no 2026-02-30, no " 1". */
	if (iso && strcmp(out, s) != 0)
		return -1;
	return 0;
}

/* ---- the document --------------------------------------------------------- */

static json_object *
jnew(json_object *o)
{
	if (o == NULL)
		igos_die("out of memory");
	return o;
}

static void
put(json_object *o, const char *k, json_object *v)
{
	if (json_object_object_add(o, k, jnew(v)) != 0)
		igos_die("out of memory");
}

static void
puts_(json_object *o, const char *k, const char *v)
{
	put(o, k, json_object_new_string(v));
}

static void
push(json_object *a, json_object *v)
{
	if (json_object_array_add(a, jnew(v)) != 0)
		igos_die("out of memory");
}

static json_object *
checksums(const struct item *it)
{
	json_object *a = jnew(json_object_new_array()), *c;

	/* sorted by algorithm: "SHA1" < "SHA256" */
	c = jnew(json_object_new_object());
	puts_(c, "algorithm", "SHA1");
	puts_(c, "checksumValue", it->sha1);
	push(a, c);
	c = jnew(json_object_new_object());
	puts_(c, "algorithm", "SHA256");
	puts_(c, "checksumValue", it->sha256);
	push(a, c);
	return a;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_object *
root_package(const struct sbom *d)
{
	json_object *p = jnew(json_object_new_object());

	puts_(p, "SPDXID", d->root_id);
	puts_(p, "name", d->name);
	puts_(p, "versionInfo", d->version);
	puts_(p, "supplier", d->supplier);
	puts_(p, "downloadLocation", d->download);
	put(p, "filesAnalyzed", json_object_new_boolean(0));
	puts_(p, "licenseConcluded", "NOASSERTION");
	puts_(p, "licenseDeclared", d->license_norm);
	puts_(p, "copyrightText", "NOASSERTION");
	puts_(p, "primaryPackagePurpose", "APPLICATION");
	return p;
}

static json_object *
source_package(const struct item *it)
{
	json_object *p = jnew(json_object_new_object());

	puts_(p, "SPDXID", it->id);
	puts_(p, "name", it->base);
	puts_(p, "packageFileName", it->base);
	puts_(p, "supplier", "NOASSERTION");
	puts_(p, "downloadLocation", it->url);
	put(p, "filesAnalyzed", json_object_new_boolean(0));
	put(p, "checksums", checksums(it));
	puts_(p, "primaryPackagePurpose", "SOURCE");
	return p;
}

/* The whole document as text, with documentNamespace left out when ns is NULL. */
static char *
render(const struct sbom *d, const char *ns, size_t *len)
{
	json_object *doc = jnew(json_object_new_object()), *ci, *cr, *pk, *fl, *rl, *r;
	const char *creators[2], *txt;
	size_t i, nc = 0, tl;
	int rootdone = 0;
	char *out;

	puts_(doc, "spdxVersion", "SPDX-2.3");
	puts_(doc, "dataLicense", "CC0-1.0");
	puts_(doc, "SPDXID", "SPDXRef-DOCUMENT");
	{
		size_t n = strlen(d->name) + strlen(d->version) + 2;
		char *dn = malloc(n);

		if (dn == NULL)
			igos_die("out of memory");
		snprintf(dn, n, "%s-%s", d->name, d->version);
		puts_(doc, "name", dn);
		free(dn);
	}
	if (ns != NULL)
		puts_(doc, "documentNamespace", ns);

	ci = jnew(json_object_new_object());
	puts_(ci, "created", d->created);
	cr = jnew(json_object_new_array());
	creators[nc++] = "Tool: " PROG "-" IGOS_VERSION;
	if (strcmp(d->supplier, "NOASSERTION") != 0)
		creators[nc++] = d->supplier;
	qsort(creators, nc, sizeof(creators[0]), cmp_str);
	for (i = 0; i < nc; i++)
		push(cr, json_object_new_string(creators[i]));
	put(ci, "creators", cr);
	put(doc, "creationInfo", ci);

	/* packages by SPDXID: the sources are sorted already; the root goes in
	 * its place among them */
	pk = jnew(json_object_new_array());
	for (i = 0; i < d->nitems; i++) {
		const struct item *it = &d->items[i];

		if (it->kind != K_SOURCE)
			continue;
		if (!rootdone && strcmp(d->root_id, it->id) < 0) {
			push(pk, root_package(d));
			rootdone = 1;
		}
		push(pk, source_package(it));
	}
	if (!rootdone)
		push(pk, root_package(d));
	put(doc, "packages", pk);

	fl = NULL;
	for (i = 0; i < d->nitems; i++) {
		const struct item *it = &d->items[i];
		json_object *f;

		if (it->kind == K_SOURCE)
			continue;
		if (fl == NULL)
			fl = jnew(json_object_new_array());
		f = jnew(json_object_new_object());
		puts_(f, "SPDXID", it->id);
		puts_(f, "fileName", it->fname);
		put(f, "checksums", checksums(it));
		if (it->comment)
			puts_(f, "comment", it->comment);
		push(fl, f);
	}
	if (fl != NULL)
		put(doc, "files", fl);

	rl = jnew(json_object_new_array());
	for (i = 0; i < d->nrels; i++) {
		r = jnew(json_object_new_object());
		puts_(r, "spdxElementId", d->rels[i].a);
		puts_(r, "relationshipType", d->rels[i].type);
		puts_(r, "relatedSpdxElement", d->rels[i].b);
		push(rl, r);
	}
	put(doc, "relationships", rl);

	txt = json_object_to_json_string_length(doc, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE, &tl);
	if (txt == NULL || (out = malloc(tl + 2)) == NULL)
		igos_die("out of memory");
	memcpy(out, txt, tl);
	out[tl] = '\n';
	out[tl + 1] = '\0';
	*len = tl + 1;
	json_object_put(doc);
	return out;
}

static int
cmp_item(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int c;

	/* sources first (packages, by SPDXID), then files by fileName */
	if ((a->kind == K_SOURCE) != (b->kind == K_SOURCE))
		return a->kind == K_SOURCE ? -1 : 1;
	if ((c = a->kind == K_SOURCE ? strcmp(a->id, b->id) : strcmp(a->fname, b->fname)) != 0)
		return c;
	return strcmp(a->path, b->path);
}

static int
cmp_rel(const void *pa, const void *pb)
{
	const struct rel *a = pa, *b = pb;
	int c;

	if ((c = strcmp(a->a, b->a)) != 0)
		return c;
	if ((c = strcmp(a->type, b->type)) != 0)
		return c;
	return strcmp(a->b, b->b);
}

static void
add_rel(struct sbom *d, const char *a, const char *type, const char *b)
{
	struct rel *n = realloc(d->rels, (d->nrels + 1) * sizeof(*n));

	if (n == NULL)
		igos_die("out of memory");
	d->rels = n;
	d->rels[d->nrels++] = (struct rel){ a, type, b };
}

static int
text_add(struct igos_text *t, const char *s)
{
	return igos_text_add(t, s, strlen(s));
}

/*
 * An artifact that is a GRUB core image (a PE image with GRUB's "mods"
 * section) is described in its file's comment: the GRUB package it came from
 * (its SBAT's vendor row, else the grub row), its SBAT rows, the modules
 * built in, and whether shim_lock verification was disabled at build.
 */
static char *
grub_comment(const char *path)
{
	struct igos_buf b;
	struct igos_pe pe;
	struct igos_grub_image g;
	struct igos_sbat sb = { 0 };
	const unsigned char *mods, *st;
	size_t ml, sl;
	struct igos_text t = { 0 };
	const struct igos_sbat_entry *pkg = NULL;
	int r;

	if (igos_buf_read(&b, path, 1u << 28) < 0)
		igos_die("%s", igos_errmsg());
	if (igos_pe_parse(&pe, b.data, b.len) < 0 || (r = igos_grub_image_find(&pe, &mods, &ml)) == 1) {
		igos_buf_free(&b);
		return NULL;
	}
	if (r < 0 || igos_grub_image_parse(&g, mods, ml) < 0)
		igos_die("'%s': %s", path, igos_errmsg());
	if ((r = igos_sbat_find(&pe, &st, &sl)) < 0 || (r == 0 && igos_sbat_parse(&sb, st, sl) < 0))
		igos_die("'%s': %s", path, igos_errmsg());
	for (size_t i = 0; i < sb.n; i++)
		if (strncmp(sb.e[i].f[IGOS_SBAT_COMPONENT], "grub.", 5) == 0 ||
		    (!pkg && strcmp(sb.e[i].f[IGOS_SBAT_COMPONENT], "grub") == 0))
			pkg = &sb.e[i];
	if (text_add(&t, "GRUB image") < 0 ||
	    (pkg && (text_add(&t, "; package ") < 0 || text_add(&t, pkg->f[IGOS_SBAT_PACKAGE]) < 0 ||
	    text_add(&t, " ") < 0 || text_add(&t, pkg->f[IGOS_SBAT_VERSION]) < 0)) ||
	    text_add(&t, "; SBAT:") < 0)
		igos_die("out of memory");
	for (size_t i = 0; i < sb.n; i++) {
		char gen[16];

		snprintf(gen, sizeof(gen), ",%u", sb.e[i].gen);
		if (text_add(&t, i ? ", " : " ") < 0 ||
		    text_add(&t, sb.e[i].f[IGOS_SBAT_COMPONENT]) < 0 || text_add(&t, gen) < 0)
			igos_die("out of memory");
	}
	if (sb.n == 0 && text_add(&t, " none") < 0)
		igos_die("out of memory");
	if (text_add(&t, "; modules:") < 0)
		igos_die("out of memory");
	for (size_t i = 0; i < g.nmodules; i++)
		if (text_add(&t, " ") < 0 || text_add(&t, g.modules[i]) < 0)
			igos_die("out of memory");
	if ((g.memdisk_len && text_add(&t, "; memdisk") < 0) ||
	    (g.disable_shim_lock && text_add(&t, "; shim_lock verifier DISABLED") < 0))
		igos_die("out of memory");
	igos_sbat_free(&sb);
	igos_grub_image_free(&g);
	igos_buf_free(&b);
	return t.p;
}

static void
add_item(struct sbom *d, enum kind kind, const char *arg)
{
	struct item *n = realloc(d->items, (d->nitems + 1) * sizeof(*n)), *it;
	const char *slash;
	char *path;

	if (n == NULL)
		igos_die("out of memory");
	d->items = n;
	it = &d->items[d->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	if ((path = strdup(arg)) == NULL)
		igos_die("out of memory");
	if (kind == K_SOURCE) {
		char *eq = strchr(path, '=');

		it->url = "NOASSERTION";
		if (eq != NULL) {
			*eq = '\0';
			it->url = eq + 1;
			check_location(it->url);
		}
	}
	it->path = path;
	if (*path == '\0')
		igos_usage_err("empty file name");
	if (strcmp(path, "-") == 0)
		igos_usage_err("a build file cannot be standard input");
	slash = strrchr(path, '/');
	it->base = slash ? slash + 1 : path;
	if (*it->base == '\0')
		igos_usage_err("no file name in '%s'", path);
	if (!igos_utf8_valid(it->base, strlen(it->base)))
		igos_usage_err("file name '%s' is not valid UTF-8", shown(it->base));
	it->id = igos_spdx_id(kind == K_SOURCE ? "SPDXRef-Source-" : "SPDXRef-File-",
	    it->base, strlen(it->base));
	if (it->id == NULL)
		igos_usage_err("%s", igos_errmsg());
	if (kind != K_SOURCE) {
		size_t l = strlen(it->base) + 3;

		if ((it->fname = malloc(l)) == NULL)
			igos_die("out of memory");
		snprintf(it->fname, l, "./%s", it->base);
	}
}

enum {
	O_VERSION = 256, O_SUPPLIER, O_DOWNLOAD, O_NSBASE, O_CREATED, O_SOURCE, O_PATCH,
	O_INPUT, O_ARTIFACT,
};

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "package-version", required_argument, NULL, O_VERSION },
		{ "supplier", required_argument, NULL, O_SUPPLIER },
		{ "download-location", required_argument, NULL, O_DOWNLOAD },
		{ "license", required_argument, NULL, 'l' },
		{ "namespace-base", required_argument, NULL, O_NSBASE },
		{ "created", required_argument, NULL, O_CREATED },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "patch", required_argument, NULL, O_PATCH },
		{ "input", required_argument, NULL, O_INPUT },
		{ "artifact", required_argument, NULL, O_ARTIFACT },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct sbom d;
	const char *output = NULL, *created = NULL, *sde;
	unsigned char md[32];
	char hexmd[65], uuid[37], *text, *ns, *nid, *vid;
	size_t i, j, len, nsrc = 0, npatch = 0, nslen;
	int c;

	memset(&d, 0, sizeof(d));
	igos_cli_init(PROG, usage, NULL);
	/* --version once named the package's version: beside other arguments
	 * it is refused rather than taken for a request for ours */
	for (int k = 1; k < argc && argc > 2; k++)
		if (strcmp(argv[k], "--") == 0)
			break;
		else if (strcmp(argv[k], "--version") == 0)
			igos_usage_err("--version takes no argument "
				       "(the package's version is --package-version)");
	while ((c = igos_getopt(argc, argv, "n:l:o:hVv", opts)) != -1) {
		switch (c) {
		case 'n': igos_opt_once(&d.name, optarg); break;
		case O_VERSION: igos_opt_once(&d.version, optarg); break;
		case O_SUPPLIER: igos_opt_once(&d.supplier, optarg); break;
		case O_DOWNLOAD: igos_opt_once(&d.download, optarg); break;
		case 'l': igos_opt_once(&d.license, optarg); break;
		case O_NSBASE: igos_opt_once(&d.nsbase, optarg); break;
		case O_CREATED: igos_opt_once(&created, optarg); break;
		case 'o': igos_opt_once(&output, optarg); break;
		case O_SOURCE: add_item(&d, K_SOURCE, optarg); break;
		case O_PATCH: add_item(&d, K_PATCH, optarg); break;
		case O_INPUT: add_item(&d, K_INPUT, optarg); break;
		case O_ARTIFACT: add_item(&d, K_ARTIFACT, optarg); break;
		default: igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (optind != argc)
		igos_usage_err("unexpected operand '%s'", argv[optind]);

	/* What the command line says, checked before any file is read. */
	if (d.name == NULL)
		igos_usage_err("--name is required");
	if (d.version == NULL)
		igos_usage_err("--package-version is required");
	check_text("--name", d.name);
	check_text("--package-version", d.version);
	if ((d.root_id = igos_spdx_id("SPDXRef-Package-", d.name, strlen(d.name))) == NULL)
		igos_usage_err("%s", igos_errmsg());
	if (d.supplier == NULL)
		d.supplier = "NOASSERTION";
	check_text("--supplier", d.supplier);
	if (strcmp(d.supplier, "NOASSERTION") != 0 &&
	    !((strncmp(d.supplier, "Organization: ", 14) == 0 && d.supplier[14] != '\0') ||
	    (strncmp(d.supplier, "Person: ", 8) == 0 && d.supplier[8] != '\0')))
		igos_usage_err("invalid supplier '%s' (Organization: NAME, Person: NAME or NOASSERTION)",
		    d.supplier);
	if (d.download == NULL)
		d.download = "NOASSERTION";
	check_location(d.download);
	if (d.license == NULL)
		d.license = "NOASSERTION";
	if ((d.license_norm = igos_spdx_license(d.license, strlen(d.license), 0)) == NULL)
		igos_usage_err("%s", igos_errmsg());
	if (d.nsbase == NULL)
		d.nsbase = "https://spdx.org/spdxdocs";
	if (!uri_ok(d.nsbase, 0))
		igos_usage_err("invalid namespace base '%s' (an absolute URI without '#')", d.nsbase);
	if (created != NULL) {
		if (parse_time(created, 1, d.created) < 0)
			igos_usage_err("invalid --created '%s' (seconds since 1970 or "
			    "YYYY-MM-DDThh:mm:ssZ)", created);
	} else if ((sde = getenv("SOURCE_DATE_EPOCH")) != NULL) {
		if (parse_time(sde, 0, d.created) < 0)
			igos_usage_err("invalid SOURCE_DATE_EPOCH '%s' (seconds since 1970)", sde);
	} else {
		igos_usage_err("SOURCE_DATE_EPOCH is not set and no --created is given");
	}
	if (output == NULL)
		output = "-";

	if (d.nitems > 0) /* qsort wants a non-NULL base */
		qsort(d.items, d.nitems, sizeof(d.items[0]), cmp_item);
	for (i = 0; i < d.nitems; i++) {
		if (d.items[i].kind == K_SOURCE)
			nsrc++;
		if (d.items[i].kind == K_PATCH)
			npatch++;
		for (j = i + 1; j < d.nitems; j++)
			if (strcmp(d.items[i].id, d.items[j].id) == 0)
				igos_usage_err("'%s' and '%s' make the same SPDXID '%s'",
				    d.items[i].path, d.items[j].path, d.items[i].id);
	}
	if (npatch > 0 && nsrc != 1)
		igos_usage_err("--patch needs exactly one --source to apply to (%zu given)", nsrc);

	/* The files, in the order they are written out. */
	for (i = 0; i < d.nitems; i++) {
		struct item *it = &d.items[i];
		unsigned char h[IGOS_MAX_MD];

		if (igos_digest_file(EVP_sha1(), it->path, h, NULL) < 0)
			igos_die("%s", igos_errmsg());
		igos_hex_encode(h, 20, it->sha1);
		if (igos_digest_file(EVP_sha256(), it->path, h, NULL) < 0)
			igos_die("%s", igos_errmsg());
		igos_hex_encode(h, 32, it->sha256);
		if (it->kind == K_ARTIFACT)
			it->comment = grub_comment(it->path);
	}

	add_rel(&d, "SPDXRef-DOCUMENT", "DESCRIBES", d.root_id);
	for (i = 0; i < d.nitems; i++) {
		const struct item *it = &d.items[i];

		switch (it->kind) {
		case K_SOURCE:
			add_rel(&d, d.root_id, "GENERATED_FROM", it->id);
			break;
		case K_PATCH:
			add_rel(&d, it->id, "PATCH_APPLIED", d.items[0].id);
			break;
		case K_INPUT:
			add_rel(&d, it->id, "BUILD_DEPENDENCY_OF", d.root_id);
			break;
		case K_ARTIFACT:
			add_rel(&d, d.root_id, "CONTAINS", it->id);
			for (j = 0; j < nsrc; j++)
				add_rel(&d, it->id, "GENERATED_FROM", d.items[j].id);
			break;
		}
	}
	qsort(d.rels, d.nrels, sizeof(d.rels[0]), cmp_rel);

	/* The namespace ends in a UUIDv5 of the SHA-256 of the document as it
	 * is written, without its documentNamespace line. */
	text = render(&d, NULL, &len);
	if (igos_digest(EVP_sha256(), text, len, md) < 0)
		igos_die("%s", igos_errmsg());
	free(text);
	igos_hex_encode(md, 32, hexmd);
	if (igos_uuid5(igos_uuid_ns_url, hexmd, 64, uuid) < 0)
		igos_die("%s", igos_errmsg());
	if ((nid = igos_spdx_idstring(d.name, strlen(d.name))) == NULL ||
	    (vid = igos_spdx_idstring(d.version, strlen(d.version))) == NULL)
		igos_die("%s", igos_errmsg());
	nslen = strlen(d.nsbase);
	while (nslen > 0 && d.nsbase[nslen - 1] == '/')
		nslen--;
	if (asprintf(&ns, "%.*s/%s-%s-%s", (int)nslen, d.nsbase, nid, vid, uuid) < 0)
		igos_die("out of memory");
	text = render(&d, ns, &len);
	if (igos_write_atomic(output, text, len, 0, 0) < 0)
		igos_die("%s", igos_errmsg());

	free(text);
	free(ns);
	free(nid);
	free(vid);
	for (i = 0; i < d.nitems; i++) {
		free((char *)d.items[i].path);
		free(d.items[i].id);
		free(d.items[i].fname);
		free(d.items[i].comment);
	}
	free(d.items);
	free(d.rels);
	free(d.root_id);
	free(d.license_norm);
	return 0;
}
