/*
 * Token keys through p11-kit: find the one key a pkcs11: URI (RFC 7512) names,
 * log in exactly once, and sign on the token. Private keys are never read out.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>

#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>
#include <p11-kit/uri.h>

#include "internal.h"

struct igos_p11 {
	CK_FUNCTION_LIST **modules; /* registered modules, or NULL */
	CK_FUNCTION_LIST *single;   /* a module-path= module, or NULL */
	CK_FUNCTION_LIST *fn;       /* the module of the token in use */
	CK_SESSION_HANDLE session;
	int have_session;
	CK_OBJECT_HANDLE key;
	int always_auth;
	char *pin;                  /* kept only for CKA_ALWAYS_AUTHENTICATE keys */
	char label[33];
	char skipped[256];          /* registered modules that would not initialise */
};

/* ---- references in messages ---- */

static int
ref_sep(char c)
{
	return c == ';' || c == '&' || c == '?' || c == ':';
}

/* Is s[0..n) the attribute name pin-value, spelt in any case, maybe
 * percent-encoded, maybe with blanks around it? */
static int
is_pin_value(const char *s, size_t n)
{
	static const char want[] = "pin-value";
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		int hi = i + 2 < n ? igos_hex_digit((unsigned char)s[i + 1]) : -1;
		int lo = i + 2 < n ? igos_hex_digit((unsigned char)s[i + 2]) : -1;

		if (c == '%' && hi >= 0 && lo >= 0) {
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == ' ' || c == '\t')
			continue;
		if (k == sizeof(want) - 1 || (c | 0x20) != want[k])
			return 0;
		k++;
	}
	return k == sizeof(want) - 1;
}

const char *
igos_ref_shown(const char *ref, char *buf, size_t size)
{
	size_t o = 0;
	int eliding = 0, changed = 0, sep_out = 0;
	const char *p = ref;

	if (size == 0)
		return "";
	while (*p) {
		size_t n = 0, name;
		const char *eq;

		while (p[n] && !ref_sep(p[n]))
			n++;
		eq = memchr(p, '=', n);
		name = eq ? (size_t)(eq - p) : n;
		if (eq != NULL)
			eliding = is_pin_value(p, name);
		if (eliding && eq == NULL) {
			/* a piece without '=' after a PIN is taken as more of the
			 * PIN: it goes, with the separator before it */
			if (o > 0 && sep_out)
				o--;
		} else if (eliding) {
			for (size_t i = 0; i <= name && o + 1 < size; i++)
				buf[o++] = p[i];
			for (const char *d = "..."; *d && o + 1 < size; d++)
				buf[o++] = *d;
			changed = 1;
		} else {
			for (size_t i = 0; i < n && o + 1 < size; i++)
				buf[o++] = p[i];
		}
		p += n;
		sep_out = 0;
		if (*p) {
			if (o + 1 < size) {
				buf[o++] = *p;
				sep_out = 1;
			}
			p++;
		}
	}
	buf[o] = '\0';
	return changed ? buf : ref;
}

void
igos_ref_scrub_errmsg(const char *ref)
{
	char shown[IGOS_REF_SHOWN_MAX], *re = NULL, *se = NULL;
	const char *m = igos_errmsg(), *hit;
	size_t common = 0;

	if (igos_ref_shown(ref, shown, sizeof(shown)) == ref)
		return;
	/* messages hold their arguments escaped: compare escaped forms */
	if ((re = igos_escape(ref, strlen(ref), 0)) == NULL ||
	    (se = igos_escape(shown, strlen(shown), 0)) == NULL) {
		igos_seterr("out of memory");
		goto out;
	}
	if (igos_errmsg_replace(re, se))
		goto out;
	/* not there whole: a message cut inside the reference, or one that does
	 * not name it. Where a piece of the reference reaches past the first
	 * byte the two forms differ in, the message ends with the shown form. */
	while (re[common] && re[common] == se[common])
		common++;
	for (hit = m; *hit; hit++) {
		size_t l = 0;

		while (hit[l] && hit[l] == re[l])
			l++;
		if (l > common) {
			igos_errmsg_cut((size_t)(hit - m), se);
			goto out;
		}
	}
out:
	free(re);
	free(se);
}

static void
p11_release(struct igos_p11 *p)
{
	if (p->have_session)
		p->fn->C_CloseSession(p->session);
	p->have_session = 0;
	if (p->single != NULL) {
		p11_kit_module_finalize(p->single);
		p11_kit_module_release(p->single);
	}
	if (p->modules != NULL)
		p11_kit_modules_finalize_and_release(p->modules);
	p->single = NULL;
	p->modules = NULL;
}

void
igos_p11_close(struct igos_p11 *p)
{
	if (p == NULL)
		return;
	p11_release(p);
	igos_secret_free(p->pin);
	free(p);
}

static void
copy_label(char *dst, const unsigned char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
	while (n > 0 && dst[n - 1] == ' ')
		dst[--n] = '\0';
}

/* stderr to /dev/null while modules we may not want talk; -1 if left alone */
static int
mute_stderr(void)
{
	int saved, nul;

	if (igos_verbose)
		return -1;
	fflush(stderr);
	if ((saved = fcntl(2, F_DUPFD_CLOEXEC, 3)) < 0)
		return -1;
	if ((nul = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0 || dup2(nul, 2) < 0) {
		if (nul >= 0)
			close(nul);
		close(saved);
		return -1;
	}
	close(nul);
	return saved;
}

static void
unmute_stderr(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

/*
 * The modules registered with p11-kit, each initialised on its own: one that
 * fails (tpm2-pkcs11 without a TPM resource manager prints a dozen lines and
 * gives up) is dropped quietly unless the URI names it with module-name=; -v
 * shows its own messages and names it. What was dropped goes into the "no
 * token" message, where it may be the reason.
 */
static int
load_registered(struct igos_p11 *p, P11KitUri *uri)
{
	const char *want = p11_kit_uri_get_module_name(uri);
	size_t keep = 0, sl = 0;
	int saved;

	p11_kit_be_quiet();
	p->modules = p11_kit_modules_load(NULL, 0);
	if (igos_verbose)
		p11_kit_be_loud();
	if (p->modules == NULL || p->modules[0] == NULL)
		return igos_seterr("no PKCS#11 modules are registered with p11-kit");
	for (size_t m = 0; p->modules[m] != NULL; m++) {
		CK_FUNCTION_LIST *mod = p->modules[m];
		char *name;
		CK_RV rv;

		saved = mute_stderr();
		rv = p11_kit_module_initialize(mod);
		unmute_stderr(saved);
		if (rv == CKR_OK) {
			p->modules[keep++] = mod;
			continue;
		}
		name = p11_kit_module_get_name(mod);
		if (want != NULL && name != NULL && strcmp(want, name) == 0) {
			igos_seterr("cannot initialize PKCS#11 module '%s': %s", name,
				    p11_kit_strerror(rv));
			free(name);
			p11_kit_module_release(mod);
			for (size_t r = m + 1; p->modules[r] != NULL; r++)
				p11_kit_module_release(p->modules[r]);
			p->modules[keep] = NULL;
			return -1;
		}
		igos_note("PKCS#11 module '%s' skipped: cannot initialize: %s",
			  name ? name : "?", p11_kit_strerror(rv));
		if (sl < sizeof(p->skipped))
			sl += (size_t)snprintf(p->skipped + sl, sizeof(p->skipped) - sl, "%s%s",
					       sl ? ", " : "", name ? name : "?");
		free(name);
		p11_kit_module_release(mod);
	}
	p->modules[keep] = NULL;
	if (keep == 0)
		return igos_seterr("no registered PKCS#11 module could be initialised (%s)",
				   p->skipped);
	return 0;
}

static int
load_modules(struct igos_p11 *p, P11KitUri *uri)
{
	const char *path = p11_kit_uri_get_module_path(uri);
	CK_RV rv;

	if (path != NULL) {
		p->single = p11_kit_module_load(path, 0);
		if (p->single == NULL)
			return igos_seterr("cannot load PKCS#11 module '%s': %s", path,
					   p11_kit_message() ? p11_kit_message() : "not found");
		if ((rv = p11_kit_module_initialize(p->single)) != CKR_OK) {
			p11_kit_module_release(p->single);
			p->single = NULL;
			return igos_seterr("cannot initialize PKCS#11 module '%s': %s", path,
					   p11_kit_strerror(rv));
		}
		return 0;
	}
	return load_registered(p, uri);
}

/* Find the single token the URI names; its module goes to p->fn. */
static int
find_token(struct igos_p11 *p, P11KitUri *uri, const char *ref, CK_SLOT_ID *slot_out)
{
	CK_FUNCTION_LIST *one[2] = {p->single, NULL};
	CK_FUNCTION_LIST **mods = p->single ? one : p->modules;
	int found = 0;

	for (size_t m = 0; mods[m] != NULL; m++) {
		CK_FUNCTION_LIST *fn = mods[m];
		CK_INFO info;
		CK_SLOT_ID *slots;
		CK_ULONG n = 0;

		if (fn->C_GetInfo(&info) != CKR_OK || !p11_kit_uri_match_module_info(uri, &info))
			continue;
		if (fn->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK || n == 0)
			continue;
		if ((slots = calloc(n, sizeof(*slots))) == NULL)
			return igos_seterr("out of memory");
		if (fn->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK) {
			free(slots);
			continue;
		}
		for (CK_ULONG i = 0; i < n; i++) {
			CK_SLOT_INFO si;
			CK_TOKEN_INFO ti;

			if (fn->C_GetSlotInfo(slots[i], &si) != CKR_OK ||
			    !p11_kit_uri_match_slot_info(uri, &si) ||
			    fn->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
			    !p11_kit_uri_match_token_info(uri, &ti))
				continue;
			if (found++ == 0) {
				p->fn = fn;
				*slot_out = slots[i];
				copy_label(p->label, ti.label, sizeof(ti.label));
			}
		}
		free(slots);
	}
	if (found == 0 && p->skipped[0] != '\0')
		return igos_seterr("no PKCS#11 token matches '%s' (modules that would not "
				   "initialise: %s)", ref, p->skipped);
	if (found == 0)
		return igos_seterr("no PKCS#11 token matches '%s'", ref);
	if (found > 1)
		return igos_seterr("'%s' matches %d tokens: name one with token=", ref, found);
	return 0;
}

static char *
read_pin(struct igos_p11 *p, P11KitUri *uri, const struct igos_signer_opts *opts)
{
	const char *src = p11_kit_uri_get_pin_source(uri);
	char prompt[96];

	if (src != NULL) {
		if (strncmp(src, "file:", 5) == 0)
			src += 5;
		return igos_secret_read(src, NULL, 256);
	}
	if (opts->pin_file != NULL)
		return igos_secret_read(opts->pin_file, NULL, 256);
	snprintf(prompt, sizeof(prompt), "PIN for token '%s'", p->label);
	return igos_secret_read(NULL, prompt, 256);
}

static int
login(struct igos_p11 *p, P11KitUri *uri, CK_SLOT_ID slot, const struct igos_signer_opts *opts,
      int keep_pin)
{
	CK_TOKEN_INFO ti;
	char *pin = NULL;
	CK_RV rv;

	if ((rv = p->fn->C_GetTokenInfo(slot, &ti)) != CKR_OK)
		return igos_seterr("token '%s': %s", p->label, p11_kit_strerror(rv));
	if (ti.flags & CKF_USER_PIN_LOCKED)
		return igos_seterr("token '%s': the user PIN is locked", p->label);
	if ((ti.flags & CKF_USER_PIN_FINAL_TRY) && !opts->force_final_try)
		return igos_seterr("token '%s': one PIN try left; refusing to risk locking the "
				   "token (--force-pin-final-try to try anyway)", p->label);
	if (!(ti.flags & CKF_LOGIN_REQUIRED))
		return 0;
	if (!(ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH) &&
	    (pin = read_pin(p, uri, opts)) == NULL)
		return -1;
	rv = p->fn->C_Login(p->session, CKU_USER, (CK_UTF8CHAR_PTR)pin,
			    pin ? (CK_ULONG)strlen(pin) : 0);
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
		igos_secret_free(pin);
		if (rv == CKR_PIN_INCORRECT)
			return igos_seterr("token '%s': wrong PIN", p->label);
		return igos_seterr("token '%s': login failed: %s", p->label, p11_kit_strerror(rv));
	}
	if (keep_pin)
		p->pin = pin;
	else
		igos_secret_free(pin);
	return 0;
}

/* Up to two objects matching tmpl (two is enough to know it is ambiguous). */
static int
find_objects(struct igos_p11 *p, CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *out,
	     CK_ULONG *count)
{
	CK_RV rv;

	*count = 0;
	if ((rv = p->fn->C_FindObjectsInit(p->session, tmpl, n)) != CKR_OK)
		return igos_seterr("token '%s': cannot search: %s", p->label, p11_kit_strerror(rv));
	rv = p->fn->C_FindObjects(p->session, out, 2, count);
	p->fn->C_FindObjectsFinal(p->session);
	if (rv != CKR_OK)
		return igos_seterr("token '%s': cannot search: %s", p->label, p11_kit_strerror(rv));
	return 0;
}

static unsigned char *
get_attr(struct igos_p11 *p, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type, CK_ULONG *len)
{
	CK_ATTRIBUTE a = {type, NULL, 0};
	unsigned char *v;

	if (p->fn->C_GetAttributeValue(p->session, obj, &a, 1) != CKR_OK ||
	    a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
		return NULL;
	if ((v = malloc(a.ulValueLen ? a.ulValueLen : 1)) == NULL)
		return NULL;
	a.pValue = v;
	if (p->fn->C_GetAttributeValue(p->session, obj, &a, 1) != CKR_OK) {
		free(v);
		return NULL;
	}
	*len = a.ulValueLen;
	return v;
}

static CK_ULONG
get_ulong(struct igos_p11 *p, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type, CK_ULONG dflt)
{
	CK_ULONG v = dflt;
	CK_ATTRIBUTE a = {type, &v, sizeof(v)};

	if (p->fn->C_GetAttributeValue(p->session, obj, &a, 1) != CKR_OK)
		return dflt;
	return v;
}

static EVP_PKEY *
rsa_from_parts(const unsigned char *n, CK_ULONG nlen, const unsigned char *e, CK_ULONG elen)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bn = BN_bin2bn(n, (int)nlen, NULL), *be = BN_bin2bn(e, (int)elen, NULL);
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *k = NULL;

	if (bld && bn && be && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) != NULL &&
	    EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return k;
}

/* CKA_EC_POINT comes raw, as a DER OCTET STRING, or (Ed25519) a BIT STRING. */
static const unsigned char *
unwrap_point(const unsigned char *pt, CK_ULONG len, CK_ULONG want)
{
	if (len == want)
		return pt;
	if (len == want + 2 && pt[0] == 0x04 && pt[1] == want)
		return pt + 2;
	if (len == want + 3 && pt[0] == 0x03 && pt[1] == want + 1 && pt[2] == 0)
		return pt + 3;
	if (len == want + 3 && pt[0] == 0x04 && pt[1] == 0x81 && pt[2] == want)
		return pt + 3;
	return NULL;
}

static EVP_PKEY *
ec_from_parts(CK_KEY_TYPE kt, const unsigned char *params, CK_ULONG plen,
	      const unsigned char *pt, CK_ULONG ptlen)
{
	static const unsigned char p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
	static const unsigned char ed_oid[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
	static const unsigned char ed_name[] = {0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's',
						'2', '5', '5', '1', '9'};
	const unsigned char *raw;
	EVP_PKEY *k = NULL;

	if ((plen == sizeof(ed_oid) && memcmp(params, ed_oid, plen) == 0) ||
	    (plen == sizeof(ed_name) && memcmp(params, ed_name, plen) == 0)) {
		if ((raw = unwrap_point(pt, ptlen, 32)) == NULL)
			return NULL;
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, 32);
	}
	if (kt == CKK_EC && plen == sizeof(p256) && memcmp(params, p256, plen) == 0) {
		OSSL_PARAM prm[3];
		EVP_PKEY_CTX *ctx;

		if ((raw = unwrap_point(pt, ptlen, 65)) == NULL || raw[0] != 0x04)
			return NULL;
		prm[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
							  (char *)"prime256v1", 0);
		prm[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
							   (void *)raw, 65);
		prm[2] = OSSL_PARAM_construct_end();
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		if (ctx && EVP_PKEY_fromdata_init(ctx) == 1)
			EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, prm);
		EVP_PKEY_CTX_free(ctx);
	}
	return k;
}

static EVP_PKEY *
public_key_of(struct igos_p11 *p, CK_OBJECT_HANDLE priv)
{
	CK_KEY_TYPE kt = get_ulong(p, priv, CKA_KEY_TYPE, (CK_ULONG)-1);
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ULONG idlen = 0, count = 0, l1 = 0, l2 = 0;
	unsigned char *id = get_attr(p, priv, CKA_ID, &idlen);
	CK_OBJECT_HANDLE objs[2];
	CK_ATTRIBUTE tmpl[3] = {
		{CKA_CLASS, &cls, sizeof(cls)},
		{CKA_KEY_TYPE, &kt, sizeof(kt)},
		{CKA_ID, id, idlen},
	};
	unsigned char *a = NULL, *b = NULL;
	EVP_PKEY *k = NULL;

	if (id != NULL && idlen > 0 && find_objects(p, tmpl, 3, objs, &count) == 0 && count > 0) {
		if (kt == CKK_RSA) {
			a = get_attr(p, objs[0], CKA_MODULUS, &l1);
			b = get_attr(p, objs[0], CKA_PUBLIC_EXPONENT, &l2);
			if (a && b)
				k = rsa_from_parts(a, l1, b, l2);
		} else {
			a = get_attr(p, objs[0], CKA_EC_PARAMS, &l1);
			b = get_attr(p, objs[0], CKA_EC_POINT, &l2);
			if (a && b)
				k = ec_from_parts(kt, a, l1, b, l2);
		}
		free(a);
		free(b);
		a = b = NULL;
	}
	if (k == NULL && kt == CKK_RSA) {
		a = get_attr(p, priv, CKA_MODULUS, &l1);
		b = get_attr(p, priv, CKA_PUBLIC_EXPONENT, &l2);
		if (a && b)
			k = rsa_from_parts(a, l1, b, l2);
		free(a);
		free(b);
	}
	if (k == NULL && id != NULL && idlen > 0) {
		/* a certificate with the key's id carries the public key too */
		cls = CKO_CERTIFICATE;
		tmpl[1] = tmpl[2];
		if (find_objects(p, tmpl, 2, objs, &count) == 0 && count > 0 &&
		    (a = get_attr(p, objs[0], CKA_VALUE, &l1)) != NULL) {
			const unsigned char *q = a;
			X509 *x = d2i_X509(NULL, &q, (long)l1);

			if (x != NULL)
				k = X509_get_pubkey(x);
			X509_free(x);
			free(a);
		}
	}
	free(id);
	if (k == NULL)
		igos_seterr("token '%s': cannot find the public key of the key (no public key "
			    "or certificate object with its id)", p->label);
	return k;
}

static int
open_token(struct igos_p11 *p, P11KitUri **urip, const char *ref, CK_SLOT_ID *slot)
{
	P11KitUri *uri = p11_kit_uri_new();
	CK_RV rv;
	int r;

	*urip = uri;
	if (uri == NULL)
		return igos_seterr("out of memory");
	r = p11_kit_uri_parse(ref, P11_KIT_URI_FOR_ANY, uri);
	if (r != P11_KIT_URI_OK) {
		char shown[IGOS_REF_SHOWN_MAX];

		/* a URI refused for its syntax may still carry a PIN */
		return igos_seterr("invalid pkcs11 URI '%s': %s",
				   igos_ref_shown(ref, shown, sizeof(shown)),
				   p11_kit_uri_message(r));
	}
	if (p11_kit_uri_get_pin_value(uri) != NULL)
		return igos_seterr("pin-value in a pkcs11 URI is refused: use pin-source= or "
				   "--pin-file");
	if (load_modules(p, uri) < 0 || find_token(p, uri, ref, slot) < 0)
		return -1;
	if ((rv = p->fn->C_OpenSession(*slot, CKF_SERIAL_SESSION, NULL, NULL, &p->session)) !=
	    CKR_OK)
		return igos_seterr("token '%s': cannot open a session: %s", p->label,
				   p11_kit_strerror(rv));
	p->have_session = 1;
	return 0;
}

/* The URI's attributes as a search template, the class forced to cls. */
static CK_ATTRIBUTE *
uri_template(P11KitUri *uri, CK_OBJECT_CLASS *cls, CK_ULONG *n, const char *ref,
	     const char *want)
{
	CK_ULONG na = 0;
	CK_ATTRIBUTE *attrs = p11_kit_uri_get_attributes(uri, &na), *t;
	CK_ULONG k = 0;

	if ((t = calloc(na + 1, sizeof(*t))) == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	for (CK_ULONG i = 0; i < na; i++) {
		if (attrs[i].type == CKA_CLASS) {
			if (attrs[i].ulValueLen != sizeof(CK_OBJECT_CLASS) ||
			    *(CK_OBJECT_CLASS *)attrs[i].pValue != *cls) {
				free(t);
				igos_seterr("'%s' does not name a %s", ref, want);
				return NULL;
			}
			continue;
		}
		t[k++] = attrs[i];
	}
	t[k].type = CKA_CLASS;
	t[k].pValue = cls;
	t[k].ulValueLen = sizeof(*cls);
	*n = k + 1;
	return t;
}

struct igos_p11 *
igos_p11_open_key(const char *ref, const struct igos_signer_opts *opts, EVP_PKEY **pub)
{
	struct igos_p11 *p = calloc(1, sizeof(*p));
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_OBJECT_HANDLE objs[2];
	CK_ATTRIBUTE *tmpl = NULL;
	P11KitUri *uri = NULL;
	CK_ULONG n = 0, count = 0;
	CK_SLOT_ID slot = 0;

	*pub = NULL;
	if (p == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	if (open_token(p, &uri, ref, &slot) < 0)
		goto fail;
	if ((tmpl = uri_template(uri, &cls, &n, ref, "private key")) == NULL)
		goto fail;
	/* exactly one login, before the search: private objects hide until then */
	if (login(p, uri, slot, opts, 1) < 0)
		goto fail;
	if (find_objects(p, tmpl, n, objs, &count) < 0)
		goto fail;
	if (count == 0) {
		igos_seterr("no private key matches '%s' on token '%s'", ref, p->label);
		goto fail;
	}
	if (count > 1) {
		igos_seterr("'%s' matches more than one private key on token '%s': add id= or "
			    "object=", ref, p->label);
		goto fail;
	}
	p->key = objs[0];
	p->always_auth = get_ulong(p, p->key, CKA_ALWAYS_AUTHENTICATE, CK_FALSE) == CK_TRUE;
	if (!p->always_auth) {
		igos_secret_free(p->pin);
		p->pin = NULL;
	}
	if ((*pub = public_key_of(p, p->key)) == NULL)
		goto fail;
	free(tmpl);
	p11_kit_uri_free(uri);
	return p;
fail:
	free(tmpl);
	p11_kit_uri_free(uri);
	igos_p11_close(p);
	return NULL;
}

int
igos_p11_sign(struct igos_p11 *p, unsigned long mech_type, const unsigned char *in,
	      size_t inlen, unsigned char **sig, size_t *siglen)
{
	CK_MECHANISM mech = {mech_type, NULL, 0};
	CK_ULONG len = 0;
	unsigned char *out;
	CK_RV rv;

	*sig = NULL;
	if ((rv = p->fn->C_SignInit(p->session, &mech, p->key)) != CKR_OK)
		return igos_seterr("token '%s': cannot start signing: %s", p->label,
				   p11_kit_strerror(rv));
	if (p->always_auth) {
		rv = p->fn->C_Login(p->session, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)p->pin,
				    p->pin ? (CK_ULONG)strlen(p->pin) : 0);
		if (rv != CKR_OK)
			return igos_seterr("token '%s': key login failed: %s", p->label,
					   p11_kit_strerror(rv));
	}
	if ((rv = p->fn->C_Sign(p->session, (CK_BYTE_PTR)in, (CK_ULONG)inlen, NULL, &len)) !=
	    CKR_OK)
		return igos_seterr("token '%s': signing failed: %s", p->label, p11_kit_strerror(rv));
	if ((out = malloc(len ? len : 1)) == NULL)
		return igos_seterr("out of memory");
	if ((rv = p->fn->C_Sign(p->session, (CK_BYTE_PTR)in, (CK_ULONG)inlen, out, &len)) !=
	    CKR_OK) {
		free(out);
		return igos_seterr("token '%s': signing failed: %s", p->label, p11_kit_strerror(rv));
	}
	*sig = out;
	*siglen = len;
	return 0;
}

X509 *
igos_p11_load_cert(const char *ref)
{
	struct igos_p11 p = {0};
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_OBJECT_HANDLE objs[2];
	CK_ATTRIBUTE *tmpl = NULL;
	P11KitUri *uri = NULL;
	CK_ULONG n = 0, count = 0, len = 0;
	CK_SLOT_ID slot = 0;
	unsigned char *der = NULL;
	X509 *x = NULL;

	if (open_token(&p, &uri, ref, &slot) < 0 ||
	    (tmpl = uri_template(uri, &cls, &n, ref, "certificate")) == NULL ||
	    find_objects(&p, tmpl, n, objs, &count) < 0)
		goto out;
	if (count != 1) {
		igos_seterr(count ? "'%s' matches more than one certificate on token '%s'"
				  : "no certificate matches '%s' on token '%s'", ref, p.label);
		goto out;
	}
	if ((der = get_attr(&p, objs[0], CKA_VALUE, &len)) != NULL) {
		const unsigned char *q = der;

		x = d2i_X509(NULL, &q, (long)len);
	}
	if (x == NULL)
		igos_seterr("token '%s': cannot read the certificate", p.label);
out:
	free(der);
	free(tmpl);
	p11_kit_uri_free(uri);
	p11_release(&p);
	return x;
}

/*
 * The public key a pkcs11: URI names, read without logging in (public
 * objects need no PIN): a public key object, else a certificate, matching
 * the URI's attributes whatever class (type=) it names, so that the URI of
 * a private key finds its public half.
 */
EVP_PKEY *
igos_p11_load_pubkey(const char *ref)
{
	static const CK_OBJECT_CLASS classes[] = { CKO_PUBLIC_KEY, CKO_CERTIFICATE };
	struct igos_p11 p = {0};
	P11KitUri *uri = NULL;
	CK_SLOT_ID slot = 0;
	CK_ATTRIBUTE *attrs, *t = NULL;
	CK_ULONG na = 0, k = 0, count = 0, l1 = 0, l2 = 0;
	CK_OBJECT_HANDLE objs[2];
	CK_OBJECT_CLASS cls;
	unsigned char *a = NULL, *b = NULL;
	EVP_PKEY *key = NULL;

	if (open_token(&p, &uri, ref, &slot) < 0)
		goto out;
	attrs = p11_kit_uri_get_attributes(uri, &na);
	if ((t = calloc(na + 1, sizeof(*t))) == NULL) {
		igos_seterr("out of memory");
		goto out;
	}
	for (CK_ULONG i = 0; i < na; i++)
		if (attrs[i].type != CKA_CLASS)
			t[k++] = attrs[i];
	t[k] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	for (size_t c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
		cls = classes[c];
		if (find_objects(&p, t, k + 1, objs, &count) < 0)
			goto out;
		if (count > 1) {
			igos_seterr("'%s' matches more than one %s on token '%s': add id= or "
				    "object=", ref, c ? "certificate" : "public key", p.label);
			goto out;
		}
		if (count == 1)
			break;
	}
	if (count == 0) {
		igos_seterr("no public key or certificate matches '%s' on token '%s'", ref,
			    p.label);
		goto out;
	}
	if (cls == CKO_CERTIFICATE) {
		if ((a = get_attr(&p, objs[0], CKA_VALUE, &l1)) != NULL) {
			const unsigned char *q = a;
			X509 *x = d2i_X509(NULL, &q, (long)l1);

			key = x ? X509_get_pubkey(x) : NULL;
			X509_free(x);
		}
	} else {
		CK_KEY_TYPE kt = get_ulong(&p, objs[0], CKA_KEY_TYPE, (CK_ULONG)-1);

		if (kt == CKK_RSA) {
			a = get_attr(&p, objs[0], CKA_MODULUS, &l1);
			b = get_attr(&p, objs[0], CKA_PUBLIC_EXPONENT, &l2);
			if (a && b)
				key = rsa_from_parts(a, l1, b, l2);
		} else {
			a = get_attr(&p, objs[0], CKA_EC_PARAMS, &l1);
			b = get_attr(&p, objs[0], CKA_EC_POINT, &l2);
			if (a && b)
				key = ec_from_parts(kt, a, l1, b, l2);
		}
	}
	if (key == NULL)
		igos_seterr("token '%s': cannot read the public key '%s' names", p.label, ref);
out:
	free(a);
	free(b);
	free(t);
	p11_kit_uri_free(uri);
	p11_release(&p);
	if (key == NULL)
		igos_ref_scrub_errmsg(ref);
	return key;
}
