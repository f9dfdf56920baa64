/* SPDX helpers: license-expression parser, SPDXIDs, UUIDv5. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "igos.h"
#include "spdx.h"

const unsigned char igos_uuid_ns_url[16] = {
	0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
	0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
};

/* ---- license expressions ------------------------------------------------- */

enum tok { T_END, T_LP, T_RP, T_AND, T_OR, T_WITH, T_TERM };
enum node { N_TERM, N_AND, N_OR, N_WITH };

#define MAX_DEPTH 64

struct lnode {
	enum node type;
	int left, right;        /* children (binary, WITH: right is a term) */
	const char *text;       /* term */
	size_t tlen;
	int plus;
	int parens;             /* parentheses the user wrote around it */
	int tdepth;             /* operators on the longest path down (a term: 0) */
};

struct lparse {
	const char *s;
	size_t len, pos;
	/* current token */
	enum tok tok;
	const char *tt;
	size_t tl;
	int tplus;
	struct lnode *nodes;
	size_t nnodes, cap;
	const char *why;
	char whybuf[64];
};

static int
is_idchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-';
}

static int
lfail(struct lparse *p, const char *why)
{
	p->why = why;
	return -1;
}

static int
lnext(struct lparse *p)
{
	const char *s = p->s;
	size_t i = p->pos, st;

	while (i < p->len && s[i] == ' ')
		i++;
	p->tplus = 0;
	if (i == p->len) {
		p->pos = i;
		p->tok = T_END;
		p->tt = s + i;
		p->tl = 0;
		return 0;
	}
	if (s[i] == '(' || s[i] == ')') {
		p->tok = s[i] == '(' ? T_LP : T_RP;
		p->tt = s + i;
		p->tl = 1;
		p->pos = i + 1;
		return 0;
	}
	st = i;
	while (i < p->len && (is_idchar((unsigned char)s[i]) || s[i] == ':'))
		i++;
	if (i == st) {
		unsigned char c = (unsigned char)s[i];

		if (c > 0x20 && c < 0x7f)
			snprintf(p->whybuf, sizeof(p->whybuf), "unexpected character '%c'", c);
		else
			snprintf(p->whybuf, sizeof(p->whybuf), "unexpected byte 0x%02x", c);
		return lfail(p, p->whybuf);
	}
	p->tt = s + st;
	p->tl = i - st;
	if (i < p->len && s[i] == '+') {
		p->tplus = 1;
		i++;
	}
	p->pos = i;
	if (!p->tplus && p->tl == 3 && memcmp(p->tt, "AND", 3) == 0)
		p->tok = T_AND;
	else if (!p->tplus && p->tl == 2 && memcmp(p->tt, "OR", 2) == 0)
		p->tok = T_OR;
	else if (!p->tplus && p->tl == 4 && memcmp(p->tt, "WITH", 4) == 0)
		p->tok = T_WITH;
	else
		p->tok = T_TERM;
	return 0;
}

static int
has_prefix(const char *t, size_t tl, const char *pfx)
{
	size_t n = strlen(pfx);

	return tl >= n && memcmp(t, pfx, n) == 0;
}

/* An idstring: one or more of [A-Za-z0-9.-]. */
static int
idstring(const char *t, size_t tl)
{
	size_t i;

	if (tl == 0)
		return 0;
	for (i = 0; i < tl; i++)
		if (!is_idchar((unsigned char)t[i]))
			return 0;
	return 1;
}

/* What kind of term the current token is: 1 license id, 2 license ref; -1 bad. */
static int
term_kind(struct lparse *p)
{
	const char *t = p->tt, *colon;
	size_t tl = p->tl;

	colon = memchr(t, ':', tl);
	if (colon != NULL) {
		size_t dl = (size_t)(colon - t);

		if (!has_prefix(t, dl, "DocumentRef-") || !idstring(t + 12, dl - 12) ||
		    !has_prefix(colon + 1, tl - dl - 1, "LicenseRef-") ||
		    !idstring(colon + 12, tl - dl - 12))
			return lfail(p, "a reference is DocumentRef-ID:LicenseRef-ID");
		return 2;
	}
	if (has_prefix(t, tl, "DocumentRef-"))
		return lfail(p, "a reference is DocumentRef-ID:LicenseRef-ID");
	if (has_prefix(t, tl, "LicenseRef-")) {
		if (!idstring(t + 11, tl - 11))
			return lfail(p, "LicenseRef- needs an id after it");
		return 2;
	}
	return 1;
}

static int
newnode(struct lparse *p, enum node type)
{
	if (p->nnodes == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 16;
		struct lnode *n = realloc(p->nodes, ncap * sizeof(*n));

		if (n == NULL)
			return lfail(p, "out of memory");
		p->nodes = n;
		p->cap = ncap;
	}
	memset(&p->nodes[p->nnodes], 0, sizeof(p->nodes[0]));
	p->nodes[p->nnodes].type = type;
	p->nodes[p->nnodes].left = p->nodes[p->nnodes].right = -1;
	return (int)p->nnodes++;
}

static int lor(struct lparse *p, int depth);

/* An operator node's depth in the tree; A OR B OR C ... nests to the left
 * without parentheses, and both the printer and the fully parenthesized form
 * (read back under MAX_DEPTH) follow the tree: its depth is bounded too. */
static int
settdepth(struct lparse *p, int n)
{
	int l = p->nodes[p->nodes[n].left].tdepth, r = p->nodes[p->nodes[n].right].tdepth;

	p->nodes[n].tdepth = 1 + (l > r ? l : r);
	if (p->nodes[n].tdepth > MAX_DEPTH)
		return lfail(p, "expression nested too deep");
	return n;
}

static const char *
tokname(enum tok t)
{
	switch (t) {
	case T_END: return "unexpected end";
	case T_LP: return "unexpected '('";
	case T_RP: return "unexpected ')'";
	case T_AND: return "unexpected AND";
	case T_OR: return "unexpected OR";
	case T_WITH: return "unexpected WITH";
	case T_TERM: break;
	}
	return "unexpected license";
}

/* primary [WITH exception] */
static int
lwith(struct lparse *p, int depth)
{
	int n, w, e, kind;

	if (p->tok == T_LP) {
		if (depth >= MAX_DEPTH)
			return lfail(p, "parentheses nested too deep");
		if (lnext(p) < 0 || (n = lor(p, depth + 1)) < 0)
			return -1;
		if (p->tok != T_RP)
			return lfail(p, p->tok == T_END ? "missing ')'" : tokname(p->tok));
		p->nodes[n].parens++;
		if (lnext(p) < 0)
			return -1;
		if (p->tok == T_WITH)
			return lfail(p, "WITH follows a single license, not '(...)'");
		return n;
	}
	if (p->tok != T_TERM)
		return lfail(p, tokname(p->tok));
	if ((kind = term_kind(p)) < 0)
		return -1;
	if (p->tplus && kind != 1)
		return lfail(p, "'+' follows a license id only");
	if ((n = newnode(p, N_TERM)) < 0)
		return -1;
	p->nodes[n].text = p->tt;
	p->nodes[n].tlen = p->tl;
	p->nodes[n].plus = p->tplus;
	if (lnext(p) < 0)
		return -1;
	if (p->tok != T_WITH)
		return n;
	if (lnext(p) < 0)
		return -1;
	if (p->tok != T_TERM || p->tplus || memchr(p->tt, ':', p->tl) != NULL ||
	    has_prefix(p->tt, p->tl, "LicenseRef-") || has_prefix(p->tt, p->tl, "DocumentRef-"))
		return lfail(p, "WITH needs a license exception id");
	if ((e = newnode(p, N_TERM)) < 0)
		return -1;
	p->nodes[e].text = p->tt;
	p->nodes[e].tlen = p->tl;
	if ((w = newnode(p, N_WITH)) < 0)
		return -1;
	p->nodes[w].left = n;
	p->nodes[w].right = e;
	if (settdepth(p, w) < 0 || lnext(p) < 0)
		return -1;
	return w;
}

/* OPERAND (TOK OPERAND)*, left-associative: the AND and OR levels */
static int
lchain(struct lparse *p, int depth, enum tok tok, enum node kind,
       int (*operand)(struct lparse *, int))
{
	int l, r, n;

	if ((l = operand(p, depth)) < 0)
		return -1;
	while (p->tok == tok) {
		if (lnext(p) < 0 || (r = operand(p, depth)) < 0 || (n = newnode(p, kind)) < 0)
			return -1;
		p->nodes[n].left = l;
		p->nodes[n].right = r;
		if (settdepth(p, n) < 0)
			return -1;
		l = n;
	}
	return l;
}

static int
land(struct lparse *p, int depth)
{
	return lchain(p, depth, T_AND, N_AND, lwith);
}

static int
lor(struct lparse *p, int depth)
{
	return lchain(p, depth, T_OR, N_OR, land);
}

/* the printed expression; out of memory is told once, at the end */
struct sbuf {
	struct igos_text t;
	int oom;
};

static void
sadd(struct sbuf *b, const char *s, size_t n)
{
	if (!b->oom && igos_text_add(&b->t, s, n) < 0)
		b->oom = 1;
}

static void
lprint(const struct lparse *p, int i, int full, struct sbuf *b)
{
	const struct lnode *n = &p->nodes[i];
	int k, open = full ? n->type != N_TERM : n->parens;

	for (k = 0; k < open; k++)
		sadd(b, "(", 1);
	switch (n->type) {
	case N_TERM:
		sadd(b, n->text, n->tlen);
		if (n->plus)
			sadd(b, "+", 1);
		break;
	case N_AND:
	case N_OR:
	case N_WITH:
		lprint(p, n->left, full, b);
		sadd(b, n->type == N_AND ? " AND " : n->type == N_OR ? " OR " : " WITH ",
		    n->type == N_AND ? 5 : n->type == N_OR ? 4 : 6);
		lprint(p, n->right, full, b);
		break;
	}
	for (k = 0; k < open; k++)
		sadd(b, ")", 1);
}

char *
igos_spdx_license(const char *s, size_t len, int full)
{
	struct lparse p;
	struct sbuf b = { 0 };
	size_t i;
	int root = -1;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.len = len;
	if (lnext(&p) < 0)
		goto bad;
	if (p.tok == T_END) {
		p.why = "empty";
		goto bad;
	}
	if ((root = lor(&p, 0)) < 0)
		goto bad;
	if (p.tok != T_END) {
		p.why = p.tok == T_TERM ? "unexpected license (missing AND or OR?)" : tokname(p.tok);
		goto bad;
	}
	/* NONE and NOASSERTION stand alone. */
	for (i = 0; i < p.nnodes; i++) {
		const struct lnode *n = &p.nodes[i];

		if (n->type != N_TERM)
			continue;
		if ((n->tlen == 4 && memcmp(n->text, "NONE", 4) == 0) ||
		    (n->tlen == 11 && memcmp(n->text, "NOASSERTION", 11) == 0)) {
			if (p.nnodes != 1 || n->plus || n->parens) {
				p.why = "NONE and NOASSERTION stand alone";
				goto bad;
			}
		}
	}
	lprint(&p, root, full, &b);
	free(p.nodes);
	if (b.oom) {
		free(b.t.p);
		igos_seterr("out of memory");
		return NULL;
	}
	return b.t.p;
bad:
	free(p.nodes);
	igos_seterr("invalid license expression '%.*s': %s",
	    len > 200 ? 200 : (int)len, s, p.why ? p.why : "syntax error");
	return NULL;
}

/* ---- SPDXIDs and UUIDs --------------------------------------------------- */

char *
igos_spdx_idstring(const char *name, size_t len)
{
	char *r = malloc(len + 1);
	size_t i;

	if (r == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	for (i = 0; i < len; i++)
		r[i] = is_idchar((unsigned char)name[i]) ? name[i] : '-';
	r[len] = '\0';
	return r;
}

char *
igos_spdx_id(const char *prefix, const char *name, size_t len)
{
	size_t i, pl = strlen(prefix);
	int alnum = 0;
	char *id, *r;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (is_idchar(c) && c != '.' && c != '-')
			alnum = 1;
	}
	if (!alnum) {
		igos_seterr("name '%.*s' cannot make an SPDXID: it has no letter or digit",
		    len > 200 ? 200 : (int)len, name);
		return NULL;
	}
	if ((id = igos_spdx_idstring(name, len)) == NULL)
		return NULL;
	if ((r = malloc(pl + len + 1)) == NULL) {
		free(id);
		igos_seterr("out of memory");
		return NULL;
	}
	memcpy(r, prefix, pl);
	memcpy(r + pl, id, len + 1);
	free(id);
	return r;
}

int
igos_uuid5(const unsigned char ns[16], const void *name, size_t len, char out[37])
{
	unsigned char md[EVP_MAX_MD_SIZE], u[16];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	char hex[33];
	int ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return igos_seterr_ssl("digest failed");
	ok = EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, ns, 16) == 1 &&
	    EVP_DigestUpdate(ctx, name, len) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok || mdlen < 16)
		return igos_seterr_ssl("digest failed");
	memcpy(u, md, 16);
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x50);
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	igos_hex_encode(u, 16, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	return 0;
}
