/* Unit tests for lib/secboot.c: the trust stores as firmware and shim read
 * them, and each rule of the two offline judges (EDK2's and shim's image
 * verification) accepting or refusing an image, with the reason, the detail
 * line and the store entry that decided. Keys, certificates and signed PE
 * images are made in memory (tests/lib/unit-secboot.h). */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "efivar.h"
#include "secboot.h"
#include "unit.h"
#include "unit-pe.h"
#include "unit-secboot.h"

/* ---- judging ------------------------------------------------------------- */

static struct igos_sb_verdict v;

static int
fw(const struct image *im, const struct igos_sb_store *db, const struct igos_sb_store *dbx)
{
	struct igos_sb_image s;

	igos_sb_image_init(&s, im->d, im->len);
	if (igos_sb_judge_firmware(&s, db, dbx, &v) < 0)
		return -1;
	return (int)v.reason;
}

static int
shim(const struct image *im, const struct igos_sb_shim_stores *ss)
{
	struct igos_sb_image s;

	igos_sb_image_init(&s, im->d, im->len);
	if (igos_sb_judge_shim(&s, ss, &v) < 0)
		return -1;
	return (int)v.reason;
}

#define IS(a, b) (strcmp((a), (b)) == 0)

static char hbuf[17];

static const char *
h16(const struct image *im, int fwform)
{
	unsigned char h[32];

	image_sha256(im, fwform, h);
	igos_hex_encode(h, 8, hbuf);
	return hbuf;
}

int
main(void)
{
	struct key A, B, C, L, E, W, M;
	struct image u, uo, sa, sb, sl, t, two, ab, ba, sw, se, s1, sm, bad;
	struct igos_sb_store db, dbx, empty, st;
	struct esl e = {0};
	char d[700];
	const char *A_SUBJ = "CN = unit A", *B_SUBJ = "CN = unit B";

	setvbuf(stdout, NULL, _IOLBF, 0);
	strcpy(keyfile, "/tmp/secboot-judge-XXXXXX");
	close(mkstemp(keyfile));
	unlink(keyfile);
	A = mkkey("unit A", 2048, NULL, 0, "codeSigning");
	helper = &A;
	B = mkkey("unit B", 2048, NULL, 0, "codeSigning");
	C = mkkey("unit CA", 2048, NULL, 1, NULL);
	L = mkkey("unit leaf", 2048, &C, 0, "codeSigning");
	E = mkkey("unit EC", 0, NULL, 0, "codeSigning");
	W = mkkey("unit weak", 1024, NULL, 0, "codeSigning");
	M = mkkey("unit modsign", 2048, NULL, 0, "codeSigning,1.3.6.1.4.1.2312.16.1.2");
	OK(A.s && B.s && C.s && L.s && E.s && !W.s && M.s, "keys and signers made");

	image_base(&u, 0, 0x11);
	image_base(&uo, 1, 0x11);
	image_base(&sa, 0, 0x22);
	sign(&sa, &A);
	image_base(&sb, 0, 0x22);
	sign(&sb, &B);
	image_base(&sl, 0, 0x22);
	sign(&sl, &L);
	image_base(&two, 0, 0x22);
	sign(&two, &B);
	sign(&two, &A);
	image_base(&ab, 0, 0x22);
	sign(&ab, &A);
	sign(&ab, &B);
	t = sa;
	t.d[0x500] ^= 1; /* in the section, after signing */
	image_base(&sw, 0, 0x22);
	sign(&sw, &W);
	image_base(&se, 0, 0x22);
	sign(&se, &E);
	image_base(&sm, 0, 0x22);
	sign(&sm, &M);
	{
		size_t pl;
		unsigned char *p7;

		image_base(&s1, 0, 0x22);
		p7 = p7_of(&s1, &A, EVP_sha1(), EVP_sha1(), &pl);
		OK(p7 != NULL, "a SHA-1 Authenticode signature made");
		if (p7)
			add_sig(&s1, p7, pl);
		free(p7);
		/* a WIN_CERTIFICATE that holds no PKCS#7 */
		image_base(&bad, 0, 0x22);
		add_sig(&bad, (const unsigned char *)"not a pkcs7", 11);
	}
	/* ba: B's signature, then one by A over a tampered image */
	ba = sb;
	{
		size_t pl;
		unsigned char *p7;
		struct image x;

		image_base(&x, 0, 0x33);
		p7 = p7_of(&x, &A, EVP_sha256(), EVP_sha256(), &pl);
		if (p7)
			add_sig(&ba, p7, pl);
		free(p7);
	}

	/* ---- stores ---- */
	igos_sb_store_esl(&empty, "db", NULL, 0);
	OK(empty.present && empty.n == 0 && empty.raw == NULL && !empty.bad[0] &&
	   IS(empty.name, "db"), "an empty variable is a present store without entries");
	esl_cert(&e, &A);
	esl_hash(&e, &u, 1);
	esl_add(&e, igos_guid_cert_sha1, "01234567890123456789", 20);
	esl_add(&e, igos_guid_cert_sha384, d, 48);
	esl_add(&e, igos_guid_cert_sha512, d, 64);
	esl_tbs(&e, &A, EVP_sha256(), guid_x509_sha256);
	esl_tbs(&e, &A, EVP_sha384(), guid_x509_sha384);
	esl_tbs(&e, &A, EVP_sha512(), guid_x509_sha512);
	esl_add(&e, owner, "other kind", 10);
	esl_cert(&e, &M);
	store(&st, "MokListRT", &e);
	OK(st.n == 10 && !st.bad[0] && IS(st.name, "MokListRT"), "ten lists, ten entries");
	OK(st.s[0].kind == IGOS_SIG_X509 && st.s[1].kind == IGOS_SIG_SHA256 &&
	   st.s[2].kind == IGOS_SIG_SHA1 && st.s[3].kind == IGOS_SIG_SHA384 &&
	   st.s[4].kind == IGOS_SIG_SHA512 && st.s[5].kind == IGOS_SIG_X509_SHA256 &&
	   st.s[6].kind == IGOS_SIG_X509_SHA384 && st.s[7].kind == IGOS_SIG_X509_SHA512 &&
	   st.s[8].kind == IGOS_SIG_OTHER && st.s[9].kind == IGOS_SIG_X509,
	   "each SignatureType gives its kind");
	OK(st.s[0].x509 && IS(st.s[0].subject, A_SUBJ) && st.s[0].shim_uses &&
	   st.s[0].len == A.derlen && !memcmp(st.s[0].data, A.der, A.derlen) &&
	   st.s[0].data != A.der, "a certificate entry: parsed, its subject, shim takes it, a copy");
	OK(st.s[9].x509 && !st.s[9].shim_uses,
	   "shim does not take a certificate with the module-signing EKU");
	OK(st.s[1].len == 32 && st.s[2].len == 20 && st.s[5].len == 48 && st.s[8].len == 10,
	   "entry lengths");
	OK(igos_sb_store_has(&st, IGOS_SIG_SHA1) && igos_sb_store_has(&st, IGOS_SIG_OTHER) &&
	   !igos_sb_store_has(&empty, IGOS_SIG_X509) && !igos_sb_store_has(NULL, IGOS_SIG_X509),
	   "igos_sb_store_has");
	igos_sb_store_free(&st);
	OK(st.n == 0 && st.s == NULL && st.raw == NULL, "a freed store is empty");

	/* 40 entries: the entry array grows past 32 */
	for (int i = 0; i < 40; i++) {
		unsigned char h[32];

		memset(h, i, 32);
		esl_add(&e, igos_guid_cert_sha256, h, 32);
	}
	store(&st, "dbx", &e);
	OK(st.n == 40 && st.s[39].data[0] == 39 && st.s[31].data[5] == 31 && st.s[32].data[0] == 32,
	   "40 entries kept in order");
	igos_sb_store_free(&st);

	/* a certificate that does not parse, and DER forms shim refuses */
	{
		unsigned char x[2048];

		memcpy(x, A.der, 4);
		memset(x + 4, 0, sizeof(x) - 4);
		esl_add(&e, igos_guid_cert_x509, x, 20);
		esl_add(&e, igos_guid_cert_x509, "\x30\x81\x01\x00", 4);
		memcpy(x, "\x30\x82\x00\x06\x01\x02\x03\x04\x05\x06", 10);
		esl_add(&e, igos_guid_cert_x509, x, 10);
		x[3] = 5;
		esl_add(&e, igos_guid_cert_x509, x, 10);
		esl_add(&e, igos_guid_cert_x509, "\x30\x82\x00", 3);
		esl_add(&e, igos_guid_cert_x509, "\x30\x82\x00\x00", 4);
		x[0] = 0x31;
		x[3] = 6;
		esl_add(&e, igos_guid_cert_x509, x, 10);
		memcpy(x, A.der, A.derlen);
		x[1] = 0x83;
		esl_add(&e, igos_guid_cert_x509, x, A.derlen);
		x[1] = 0x82;
		x[3] ^= 1;
		esl_add(&e, igos_guid_cert_x509, x, A.derlen);
		store(&st, "db", &e);
		OK(st.n == 9 && st.s[0].x509 == NULL &&
		   IS(st.s[0].subject, "(a certificate that does not parse)"),
		   "a certificate that does not parse is kept, named so");
		OK(!st.s[0].shim_uses, "... with the wrong length shim does not take it");
		OK(!st.s[1].shim_uses, "shim does not take a one-byte DER length");
		OK(st.s[2].shim_uses && st.s[2].x509 == NULL,
		   "shim takes \"30 82\" with the exact length, parsed or not");
		OK(!st.s[3].shim_uses, "shim does not take a length one short");
		OK(!st.s[4].shim_uses, "shim does not take 3 bytes");
		OK(st.s[5].shim_uses && st.s[5].x509 == NULL,
		   "shim takes 4 bytes \"30 82 00 00\" (the verifier then fails on it)");
		OK(!st.s[6].shim_uses, "shim does not take another tag");
		OK(!st.s[7].shim_uses, "shim does not take another length form");
		OK(!st.s[8].shim_uses, "shim does not take a certificate whose length is off");
		igos_sb_store_free(&st);
	}

	/* malformed lists: the ones before are kept, the reason recorded */
	esl_cert(&e, &A);
	{
		size_t ok = e.len;

		esl_cert(&e, &B);
		igos_put_le32(e.b + ok + 16, (uint32_t)(e.len - ok + 1));
		store(&st, "db", &e);
		snprintf(d, sizeof(d), "signature list 2 at offset %zu: SignatureListSize %zu "
			 "exceeds the %zu bytes left", ok, B.derlen + 44 + 1, B.derlen + 44);
		OK(st.n == 1 && IS(st.s[0].subject, A_SUBJ) && IS(st.bad, d),
		   "a list past the end: the one before kept (%s)", st.bad);
		igos_sb_store_free(&st);
	}
	esl_cert(&e, &A);
	{
		size_t ok = e.len;

		esl_cert(&e, &B);
		igos_put_le32(e.b + ok + 16, 27);
		store(&st, "db", &e);
		snprintf(d, sizeof(d), "signature list 2 at offset %zu: SignatureListSize 27 "
			 "is smaller than its header", ok);
		OK(st.n == 1 && IS(st.bad, d), "a list smaller than its header (%s)", st.bad);
		igos_sb_store_free(&st);
		esl_cert(&e, &A);
		esl_cert(&e, &B);
		igos_put_le32(e.b + ok + 16, 28);
		igos_put_le32(e.b + ok + 24, 17);
		store(&st, "db", &e);
		snprintf(d, sizeof(d), "signature list 2 at offset %zu: no signatures", ok);
		OK(st.n == 1 && IS(st.bad, d), "a list of only its header (%s)", st.bad);
		igos_sb_store_free(&st);
	}
	esl_cert(&e, &A);
	{
		size_t ok = e.len;

		esl_cert(&e, &B);
		e.len = ok + 27;
		store(&st, "db", &e);
		snprintf(d, sizeof(d), "signature list 2 at offset %zu: 27 bytes left, a header "
			 "needs 28", ok);
		OK(st.n == 1 && IS(st.bad, d), "27 bytes after a list (%s)", st.bad);
		igos_sb_store_free(&st);
		/* so short that even ListSize is not there: never read */
		esl_cert(&e, &A);
		esl_cert(&e, &B);
		e.b = realloc(e.b, ok + 10);
		e.len = ok + 10;
		store(&st, "db", &e);
		snprintf(d, sizeof(d), "signature list 2 at offset %zu: 10 bytes left, a header "
			 "needs 28", ok);
		OK(st.n == 1 && IS(st.bad, d), "10 bytes after a list (%s)", st.bad);
		igos_sb_store_free(&st);
		esl_cert(&e, &A);
		esl_cert(&e, &B);
		e.len = ok + 28;
		igos_put_le32(e.b + ok + 16, 28);
		store(&st, "db", &e);
		snprintf(d, sizeof(d), "signature list 2 at offset %zu: no signatures", ok);
		OK(st.n == 1 && IS(st.bad, d), "a bare header of 28 bytes at the end (%s)", st.bad);
		igos_sb_store_free(&st);
		esl_cert(&e, &A);
		esl_cert(&e, &B);
		igos_put_le32(e.b + ok + 24, 16);
		store(&st, "db", &e);
		snprintf(d, sizeof(d), "signature list 2 at offset %zu: SignatureSize 16 leaves no "
			 "signature data", ok);
		OK(st.n == 1 && IS(st.bad, d), "a list that itself is malformed (%s)", st.bad);
		igos_sb_store_free(&st);
	}

	/* vendor_cert */
	OK(igos_sb_store_cert(&st, "shim's vendor certificate", A.der, A.derlen) == 0 &&
	   st.n == 1 && st.single && st.present && st.s[0].shim_uses && st.s[0].x509 &&
	   IS(st.s[0].subject, A_SUBJ) && st.rawlen == A.derlen,
	   "vendor_cert: one certificate");
	igos_sb_store_free(&st);
	OK(igos_sb_store_cert(&st, "vendor", M.der, M.derlen) == 0 && st.s[0].shim_uses,
	   "vendor_cert: shim hands it over even with the module-signing EKU");
	igos_sb_store_free(&st);
	OK(igos_sb_store_cert(&st, "vendor", (const unsigned char *)"", 0) == 0 && st.n == 1 &&
	   st.s[0].x509 == NULL && st.s[0].shim_uses, "vendor_cert: empty");
	igos_sb_store_free(&st);

	/* .vendor_cert section */
	{
		unsigned char sec[64];
		struct igos_shim_vendor sv;

		memset(sec, 0, sizeof(sec));
		OK(igos_shim_vendor_parse(sec, 15, &sv) < 0 &&
		   IS(igos_errmsg(), ".vendor_cert section too short (15 bytes)"), "15 bytes");
		OK(igos_shim_vendor_parse(sec, 16, &sv) == 0 && !sv.auth && !sv.deauth &&
		   !sv.authlen && !sv.auth_is_cert, "16 zero bytes: nothing");
#define V(a, b, c, dd) (igos_put_le32(sec, a), igos_put_le32(sec + 4, b), \
			igos_put_le32(sec + 8, c), igos_put_le32(sec + 12, dd))
#define OUTSIDE (igos_shim_vendor_parse(sec, 64, &sv) < 0 && \
		 IS(igos_errmsg(), ".vendor_cert: a list lies outside the section"))
		sec[16] = 0x30;
		sec[17] = 0x82;
		V(48, 16, 16, 48);
		OK(igos_shim_vendor_parse(sec, 64, &sv) == 0 && sv.auth == sec + 16 &&
		   sv.authlen == 48 && sv.deauth == sec + 48 && sv.deauthlen == 16 && sv.auth_is_cert,
		   "both lists exactly filling the section");
		V(0, 48, 0, 16);
		OK(igos_shim_vendor_parse(sec, 64, &sv) == 0 && !sv.auth && sv.deauth == sec + 16 &&
		   sv.deauthlen == 48, "only a deauthorized list, right after the header");
		V(48, 17, 16, 48);
		OK(OUTSIDE, "the deauthorized list one byte past the end");
		V(49, 0, 16, 0);
		OK(OUTSIDE, "the authorized list one byte past the end");
		V(4, 0, 15, 0);
		OK(OUTSIDE, "the authorized list inside the header");
		V(0, 4, 0, 15);
		OK(OUTSIDE, "the deauthorized list inside the header");
		V(1, 0, 65, 0);
		OK(OUTSIDE, "an authorized offset past the section");
		V(0, 1, 0, 65);
		OK(OUTSIDE, "a deauthorized offset past the section");
		V(0, 1, 0, 64);
		OK(OUTSIDE, "a deauthorized list at the very end");
		V(0, 0, 99, 99);
		OK(igos_shim_vendor_parse(sec, 64, &sv) == 0 && !sv.auth && !sv.deauth,
		   "offsets of empty lists are not looked at");
		V(4, 0, 60, 0);
		sec[60] = 0x30;
		sec[61] = 0x80;
		OK(igos_shim_vendor_parse(sec, 64, &sv) == 0 && sv.auth_is_cert,
		   "30 80: a certificate");
		sec[61] = 0x7f;
		OK(igos_shim_vendor_parse(sec, 64, &sv) == 0 && !sv.auth_is_cert,
		   "30 7f: signature lists");
		sec[60] = 0x31;
		sec[61] = 0x82;
		OK(igos_shim_vendor_parse(sec, 64, &sv) == 0 && !sv.auth_is_cert,
		   "31 82: signature lists");
		V(3, 0, 16, 0);
		OK(igos_shim_vendor_parse(sec, 64, &sv) == 0 && !sv.auth_is_cert,
		   "3 bytes: not a certificate");
#undef V
#undef OUTSIDE
	}

	/* ---- hashing ---- */
	{
		struct igos_sb_image s;
		unsigned char h[32];
		struct igos_pe pe;

		igos_sb_image_init(&s, (const unsigned char *)"MZ", 2);
		OK(!s.pe_ok && s.pe_err[0] && igos_sb_image_hash(&s, 0) < 0 &&
		   IS(igos_errmsg(), "not a parsed image"), "a file that is no image is not hashed");
		igos_sb_image_init(&s, uo.d, uo.len);
		OK(s.pe_ok && igos_sb_image_hash(&s, 1) == 0 && s.hashed && s.have_sha1,
		   "an unsigned image of 0x603 bytes hashes");
		igos_ac_parse(&pe, uo.d, uo.len);
		igos_ac_digest(&pe, EVP_sha256(), h, NULL, 0);
		OK(!memcmp(s.sha256, h, 32), "SHA-256 as signers embed it (zero padding hashed)");
		OK(s.dg.n == 1 && s.dg.nid[0] == NID_sha256 && !memcmp(s.dg.d[0], h, 32) &&
		   s.dg.pe == &s.pe, "the digests handed to the verifier");
		igos_digest(EVP_sha256(), uo.d, uo.len, h); /* no checksum, no table: whole */
		OK(memcmp(s.sha256_fw, s.sha256, 32) != 0, "EDK2's hash leaves the padding out");
		igos_ac_digest(&pe, EVP_sha1(), h, NULL, 0);
		OK(!memcmp(s.sha1, h, 20), "SHA-1 in the same pass");
		igos_sb_image_init(&s, u.d, u.len);
		OK(igos_sb_image_hash(&s, 0) == 0 && !s.have_sha1 &&
		   !memcmp(s.sha256, s.sha256_fw, 32), "an image of 0x600 bytes: both forms agree");
		OK(igos_sb_image_hash(&s, 1) == 0 && s.have_sha1, "SHA-1 asked later");
		igos_ac_parse(&pe, u.d, u.len);
		igos_ac_digest(&pe, EVP_sha1(), h, NULL, 0);
		OK(!memcmp(s.sha1, h, 20), "... is the image's");
		igos_sb_image_init(&s, sa.d, sa.len);
		igos_ac_parse(&pe, sa.d, sa.len);
		igos_ac_digest(&pe, EVP_sha256(), h, NULL, 0);
		OK(igos_sb_image_hash(&s, 0) == 0 && !memcmp(s.sha256, h, 32) &&
		   !memcmp(s.sha256_fw, h, 32), "a signed image: the table is not hashed");
	}

	/* reason words */
	OK(IS(igos_sb_reason_str(IGOS_SB_PASS), "passes") &&
	   IS(igos_sb_reason_str(IGOS_SB_MISSING), "no image") &&
	   IS(igos_sb_reason_str((enum igos_sb_reason)11), "?") &&
	   IS(igos_sb_reason_code(IGOS_SB_MISSING), "missing") &&
	   IS(igos_sb_reason_code((enum igos_sb_reason)11), "?") &&
	   IS(igos_sb_reason_code(IGOS_SB_REVOKED_CERT), "revoked-certificate"),
	   "reason words and codes");

	/* ---- the firmware's judge ---- */
	esl_cert(&e, &A);
	store(&db, "db", &e);
	igos_sb_store_esl(&dbx, "dbx", NULL, 0);

	OK(fw(&sa, &db, &dbx) == IGOS_SB_PASS && IS(v.store, "db") && v.entry == 1 &&
	   IS(v.entry_what, A_SUBJ) && IS(v.signer, A_SUBJ) && IS(v.detail, ""),
	   "firmware: signer in db passes, by db entry 1");
	OK(fw(&sa, &db, NULL) == IGOS_SB_PASS, "firmware: no dbx at all");
	OK(fw(&sb, &db, &dbx) == IGOS_SB_UNTRUSTED && IS(v.signer, B_SUBJ) && !v.store[0] &&
	   IS(v.detail, "signer 'CN = unit B' chains to no db certificate and the image hash "
	      "is not in db"), "firmware: signer not in db: %s", v.detail);
	OK(fw(&sb, NULL, NULL) == IGOS_SB_UNTRUSTED, "firmware: no db at all");
	snprintf(d, sizeof(d), "no signature, and its SHA-256 %s... is not in db", h16(&uo, 1));
	OK(fw(&uo, &db, &dbx) == IGOS_SB_NOT_SIGNED && IS(v.detail, d) && !v.store[0],
	   "firmware: unsigned (%s)", v.detail);
	{
		struct igos_sb_image s;

		igos_sb_image_init(&s, (const unsigned char *)"MZ", 2);
		OK(igos_sb_judge_firmware(&s, &db, &dbx, &v) == 0 && v.reason == IGOS_SB_MALFORMED &&
		   IS(v.detail, s.pe_err), "firmware: not an image: malformed (%s)", v.detail);
		OK(igos_sb_judge_shim(&s, &(struct igos_sb_shim_stores){ .db = &db }, &v) == 0 &&
		   v.reason == IGOS_SB_MALFORMED && IS(v.detail, s.pe_err),
		   "shim: not an image: malformed");
	}

	/* unsigned, by hash (EDK2's: without padding) */
	esl_cert(&e, &A);
	esl_hash(&e, &uo, 1);
	store(&st, "db", &e);
	snprintf(d, sizeof(d), "unsigned, its SHA-256 %s... is db entry 2", h16(&uo, 1));
	OK(fw(&uo, &st, &dbx) == IGOS_SB_PASS && IS(v.detail, d) && v.entry == 2 &&
	   IS(v.entry_what, "SHA-256 image hash"), "firmware: unsigned, its hash in db");
	OK(fw(&uo, &st, &st) == IGOS_SB_REVOKED_HASH && IS(v.store, "db") && v.entry == 2,
	   "firmware: unsigned, its hash in dbx: revoked before db is looked at");
	snprintf(d, sizeof(d), "unsigned; its SHA-256 %s... is dbx entry 2", h16(&uo, 1));
	OK(IS(v.detail, d), "... %s", v.detail);
	igos_sb_store_free(&st);
	esl_hash(&e, &uo, 1);
	store(&st, "db", &e);
	OK(fw(&uo, &st, &dbx) == IGOS_SB_PASS && v.entry == 1, "firmware: unsigned, db entry 1");
	OK(fw(&uo, &db, &st) == IGOS_SB_REVOKED_HASH && v.entry == 1,
	   "firmware: unsigned, dbx entry 1");
	igos_sb_store_free(&st);
	esl_hash(&e, &uo, 0); /* the padded hash: not EDK2's */
	store(&st, "db", &e);
	OK(fw(&uo, &st, &dbx) == IGOS_SB_NOT_SIGNED, "firmware: the padded hash is not EDK2's");
	igos_sb_store_free(&st);
	{
		unsigned char h[32];

		image_sha256(&uo, 1, h);
		esl_add(&e, igos_guid_cert_sha384, d, 48);
		esl_add(&e, igos_guid_cert_sha1, h, 20);
		store(&st, "db", &e);
		OK(fw(&uo, &st, &st) == IGOS_SB_NOT_SIGNED, "firmware: a SHA-1 of the same bytes is no "
		   "SHA-256 entry");
		igos_sb_store_free(&st);
	}

	/* dbx by certificate */
	esl_cert(&e, &B);
	esl_cert(&e, &A);
	store(&st, "dbx", &e);
	OK(fw(&sa, &db, &st) == IGOS_SB_REVOKED_CERT && IS(v.store, "dbx") && v.entry == 2 &&
	   IS(v.entry_what, A_SUBJ) &&
	   IS(v.detail, "signature 1 chains to dbx entry 2 (CN = unit A)"),
	   "firmware: signer in dbx: %s", v.detail);
	OK(fw(&two, &db, &st) == IGOS_SB_REVOKED_CERT &&
	   IS(v.detail, "signature 1 chains to dbx entry 1 (CN = unit B)"),
	   "firmware: both signatures in dbx: the first named");
	igos_sb_store_free(&st);
	esl_cert(&e, &A);
	store(&st, "dbx", &e);
	OK(fw(&two, &db, &st) == IGOS_SB_REVOKED_CERT &&
	   IS(v.detail, "signature 2 chains to dbx entry 1 (CN = unit A)"),
	   "firmware: one signature in dbx denies, another notwithstanding");
	OK(fw(&ab, &db, &st) == IGOS_SB_REVOKED_CERT &&
	   IS(v.detail, "signature 1 chains to dbx entry 1 (CN = unit A)"),
	   "firmware: the first signature in dbx, the second not");
	igos_sb_store_free(&st);

	/* dbx by the certificate's TBS hash */
	{
		const EVP_MD *mds[3] = { EVP_sha256(), EVP_sha384(), EVP_sha512() };
		const unsigned char *g[3] = { guid_x509_sha256, guid_x509_sha384, guid_x509_sha512 };

		for (int i = 0; i < 3; i++) {
			esl_tbs(&e, &B, mds[i], g[i]);
			esl_tbs(&e, &A, mds[i], g[i]);
			store(&st, "dbx", &e);
			OK(fw(&sa, &db, &st) == IGOS_SB_REVOKED_CERT && v.entry == 2 &&
			   IS(v.entry_what, "certificate hash") &&
			   IS(v.detail, "certificate 'CN = unit A' of signature 1 is dbx entry 2 (by its hash)"),
			   "firmware: the signer's TBS %s hash in dbx: %s", EVP_MD_get0_name(mds[i]),
			   v.detail);
			igos_sb_store_free(&st);
		}
		/* an entry of another size but the same first 32 bytes */
		{
			unsigned char *tbs = NULL, x[80];
			int l = i2d_re_X509_tbs(A.cert, &tbs);

			memset(x, 0, sizeof(x));
			igos_digest(EVP_sha256(), tbs, (size_t)l, x);
			OPENSSL_free(tbs);
			esl_add(&e, guid_x509_sha384, x, 64);
			store(&st, "dbx", &e);
			OK(fw(&sa, &db, &st) == IGOS_SB_PASS,
			   "firmware: a SHA-256 TBS hash under the SHA-384 type does not revoke");
			igos_sb_store_free(&st);
			esl_add(&e, guid_x509_sha256, x, 31);
			store(&st, "dbx", &e);
			OK(fw(&sa, &db, &st) == IGOS_SB_PASS,
			   "firmware: a short X509_SHA256 entry does not revoke");
			igos_sb_store_free(&st);
		}
	}

	/* the signer's certificate and another embedded, the signer's TBS hash
	 * dbx entry 1 */
	{
		struct image x;
		size_t pl;
		unsigned char *p7;

		image_base(&x, 0, 0x22);
		extra_cert = B.cert;
		p7 = p7_of(&x, &A, EVP_sha256(), EVP_sha256(), &pl);
		p7 = p7_edit(p7, &pl, NULL, NID_undef, 3);
		add_sig(&x, p7, pl);
		free(p7);
		esl_tbs(&e, &A, EVP_sha256(), guid_x509_sha256);
		store(&st, "dbx", &e);
		OK(fw(&x, &db, &st) == IGOS_SB_REVOKED_CERT && v.entry == 1 &&
		   IS(v.detail, "certificate 'CN = unit A' of signature 1 is dbx entry 1 (by its hash)"),
		   "firmware: two certificates embedded, the signer's TBS hash dbx entry 1: %s",
		   v.detail);
		igos_sb_store_free(&st);
	}

	/* chains through a CA */
	esl_cert(&e, &C);
	store(&st, "db", &e);
	OK(fw(&sl, &st, &dbx) == IGOS_SB_PASS && IS(v.entry_what, "CN = unit CA") &&
	   IS(v.signer, "CN = unit leaf"), "firmware: a leaf of a CA in db passes");
	{
		struct igos_sb_store x;

		esl_cert(&e, &C);
		store(&x, "dbx", &e);
		OK(fw(&sl, &st, &x) == IGOS_SB_REVOKED_CERT &&
		   IS(v.detail, "signature 1 chains to dbx entry 1 (CN = unit CA)"),
		   "firmware: a CA in dbx revokes its leaf");
		igos_sb_store_free(&x);
		esl_tbs(&e, &C, EVP_sha256(), guid_x509_sha256);
		store(&x, "dbx", &e);
		OK(fw(&sl, &st, &x) == IGOS_SB_UNTRUSTED,
		   "firmware: a db CA whose TBS hash is in dbx does not allow (%s)", v.detail);
		igos_sb_store_free(&x);
		igos_sb_store_free(&st);
		/* the first db certificate it chains to decides */
		esl_cert(&e, &C);
		esl_cert(&e, &L);
		store(&st, "db", &e);
		esl_tbs(&e, &C, EVP_sha256(), guid_x509_sha256);
		store(&x, "dbx", &e);
		OK(fw(&sl, &st, &x) == IGOS_SB_UNTRUSTED,
		   "firmware: the first db certificate it chains to decides, even when revoked");
		igos_sb_store_free(&x);
		igos_sb_store_free(&st);
		esl_cert(&e, &B);
		esl_cert(&e, &L);
		esl_cert(&e, &C);
		store(&st, "db", &e);
		OK(fw(&sl, &st, &dbx) == IGOS_SB_PASS && v.entry == 2 && IS(v.entry_what, "CN = unit leaf"),
		   "firmware: the first db certificate it chains to is named");
		igos_sb_store_free(&st);
	}

	/* signed, the image hash in db or dbx */
	esl_cert(&e, &B);
	esl_hash(&e, &sb, 0);
	store(&st, "db", &e);
	OK(fw(&sa, &st, &dbx) == IGOS_SB_PASS && v.entry == 2 &&
	   IS(v.entry_what, "SHA-256 image hash") && IS(v.signer, A_SUBJ),
	   "firmware: signed by a key not in db, the image hash in db: passes");
	OK(fw(&sa, &db, &st) == IGOS_SB_REVOKED_HASH && IS(v.store, "db") && v.entry == 2,
	   "firmware: signed and in db, the image hash in dbx: revoked");
	snprintf(d, sizeof(d), "its SHA-256 %s... is dbx entry 2", h16(&sa, 0));
	OK(IS(v.detail, d), "... %s", v.detail);
	OK(fw(&t, &db, &st) == IGOS_SB_TAMPERED &&
	   IS(v.detail, "image digest does not match the signed digest"),
	   "firmware: a tampered image: %s", v.detail);
	igos_sb_store_free(&st);
	/* a tampered image whose (new) hash is in db or dbx */
	esl_cert(&e, &B);
	esl_hash(&e, &t, 0);
	store(&st, "db", &e);
	OK(fw(&t, &st, &dbx) == IGOS_SB_PASS && v.entry == 2,
	   "firmware: a tampered signature, but the image hash in db: passes");
	OK(fw(&t, &db, &st) == IGOS_SB_REVOKED_HASH && v.entry == 2,
	   "firmware: a tampered signature, the image hash in dbx: revoked");
	igos_sb_store_free(&st);
	/* 32 entries, the allocation's first step, each one looked at */
	for (int i = 0; i < 32; i++)
		esl_cert(&e, &B);
	store(&st, "db", &e);
	OK(st.n == 32 && fw(&sa, &st, &st) == IGOS_SB_UNTRUSTED,
	   "firmware: 32 db and dbx certificates, the signer in none: untrusted");
	OK(shim(&sa, &(struct igos_sb_shim_stores){ .db = &st, .dbx = &st, .mok = &st }) ==
	   IGOS_SB_UNTRUSTED, "shim: 32 certificates in each list, the signer in none: untrusted");
	igos_sb_store_free(&st);
	/* only a signature over other bytes lets EDK2 look the hash up: one it
	 * refuses for its algorithm does not */
	esl_hash(&e, &sw, 0);
	store(&st, "db", &e);
	OK(fw(&sw, &st, &dbx) == IGOS_SB_ALGORITHM,
	   "firmware: a signature refused for its algorithm, the image hash in db: refused");
	OK(fw(&sw, &db, &st) == IGOS_SB_ALGORITHM,
	   "firmware: a signature refused for its algorithm, the image hash in dbx: that refusal");
	igos_sb_store_free(&st);
	/* the image hash as the first entry of db or dbx */
	esl_hash(&e, &t, 0);
	store(&st, "db", &e);
	OK(fw(&t, &st, &dbx) == IGOS_SB_PASS && v.entry == 1,
	   "firmware: a tampered signature, the image hash db entry 1: passes");
	OK(fw(&t, &db, &st) == IGOS_SB_REVOKED_HASH && v.entry == 1,
	   "firmware: a tampered signature, the image hash dbx entry 1: revoked");
	igos_sb_store_free(&st);
	esl_hash(&e, &sb, 0);
	store(&st, "db", &e);
	OK(fw(&sb, &st, &dbx) == IGOS_SB_PASS && v.entry == 1,
	   "firmware: an untrusted signer, the image hash db entry 1: passes");
	OK(fw(&sb, &db, &st) == IGOS_SB_REVOKED_HASH && v.entry == 1,
	   "firmware: an untrusted signer, the image hash dbx entry 1: revoked");
	igos_sb_store_free(&st);
	/* ba: B valid, then A's over other bytes */
	esl_cert(&e, &C);
	esl_hash(&e, &ba, 0);
	store(&st, "db", &e);
	OK(fw(&ba, &st, &dbx) == IGOS_SB_PASS && v.entry == 2 && IS(v.signer, B_SUBJ),
	   "firmware: a valid signature not in db, a tampered one, the image hash in db");
	OK(fw(&ba, &db, &st) == IGOS_SB_REVOKED_HASH && v.entry == 2,
	   "firmware: ... the image hash in dbx: revoked");
	OK(fw(&ba, &db, &dbx) == IGOS_SB_UNTRUSTED && IS(v.signer, B_SUBJ),
	   "firmware: a valid untrusted signature outweighs a tampered one");
	igos_sb_store_free(&st);
	esl_cert(&e, &B);
	esl_cert(&e, &A);
	store(&st, "db", &e);
	OK(fw(&ba, &st, &dbx) == IGOS_SB_PASS && v.entry == 1 && IS(v.signer, B_SUBJ),
	   "firmware: the valid signature passes, the tampered one notwithstanding");
	igos_sb_store_free(&st);
	/* two signatures: the one in db names the signer */
	OK(fw(&ab, &db, &dbx) == IGOS_SB_PASS && IS(v.signer, A_SUBJ),
	   "firmware: first signature in db passes");
	OK(fw(&two, &db, &dbx) == IGOS_SB_PASS && IS(v.signer, A_SUBJ) && v.entry == 1,
	   "firmware: the second signature in db passes, and is the signer named");
	esl_cert(&e, &B);
	esl_cert(&e, &A);
	store(&st, "db", &e);
	OK(fw(&two, &st, &dbx) == IGOS_SB_PASS && IS(v.signer, B_SUBJ) && v.entry == 1,
	   "firmware: both in db: the first decides");
	igos_sb_store_free(&st);
	esl_hash(&e, &two, 0);
	store(&st, "dbx", &e);
	OK(fw(&two, &db, &st) == IGOS_SB_REVOKED_HASH,
	   "firmware: allowed by the second signature, still revoked by hash");
	igos_sb_store_free(&st);
	{
		struct image x = t;

		/* tampered, then a signature over the tampered bytes by B */
		sign(&x, &B);
		OK(fw(&x, &db, &dbx) == IGOS_SB_UNTRUSTED && IS(v.signer, B_SUBJ),
		   "firmware: a tampered first signature, the second valid: its signer named");
	}
	/* the most signatures the walk takes (IGOS_AC_MAX_CERTS): 63 by B, the
	 * last by A, each one looked at */
	{
		static struct image x;
		size_t pb, pa;
		unsigned char *p7b, *p7a;

		image_base(&x, 0, 0x22);
		p7b = p7_of(&x, &B, EVP_sha256(), EVP_sha256(), &pb);
		p7a = p7_of(&x, &A, EVP_sha256(), EVP_sha256(), &pa);
		for (int i = 0; i < IGOS_AC_MAX_CERTS - 1; i++)
			add_sig(&x, p7b, pb);
		add_sig(&x, p7a, pa);
		free(p7b);
		free(p7a);
		OK(fw(&x, &db, &dbx) == IGOS_SB_PASS && IS(v.signer, A_SUBJ),
		   "firmware: %d signatures, the last in db: passes", IGOS_AC_MAX_CERTS);
		OK(shim(&x, &(struct igos_sb_shim_stores){ .db = &db }) == IGOS_SB_PASS &&
		   IS(v.signer, A_SUBJ), "shim: %d signatures, the last in db: passes",
		   IGOS_AC_MAX_CERTS);
		OK(shim(&x, &(struct igos_sb_shim_stores){ .db = &dbx }) == IGOS_SB_UNTRUSTED &&
		   IS(v.signer, B_SUBJ), "shim: %d signatures, none trusted: the first named",
		   IGOS_AC_MAX_CERTS);
	}

	/* refusals by the signature */
	OK(fw(&t, &db, &dbx) == IGOS_SB_TAMPERED && IS(v.signer, A_SUBJ),
	   "firmware: tampered: the signer still named");
	OK(fw(&sw, &db, &dbx) == IGOS_SB_ALGORITHM && strstr(v.detail, "igos accepts RSA 2048"),
	   "firmware: RSA 1024: %s", v.detail);
	OK(fw(&se, &db, &dbx) == IGOS_SB_ALGORITHM && strstr(v.detail, "verify RSA only"),
	   "firmware: EC: %s", v.detail);
	OK(fw(&s1, &db, &dbx) == IGOS_SB_ALGORITHM && strstr(v.detail, "SHA-256 only"),
	   "firmware: SHA-1: %s", v.detail);
	{
		struct image x;
		size_t pl;
		unsigned char *p7;
		static const struct {
			const EVP_MD *(*md)(void);
			int nid, extra;
			const char *what;
		} ed[] = {
			{ EVP_sha256, NID_rsassaPss, 0, "PKCS#1 v1.5 only" },
			{ EVP_md5, NID_undef, 0, "unsupported digest" },
			{ EVP_sha256, NID_undef, 1, "two-byte form" },
			{ EVP_sha256, NID_undef, 2, "not where UEFI firmware reads" },
		};

		for (size_t i = 0; i < sizeof(ed) / sizeof(ed[0]); i++) {
			image_base(&x, 0, 0x22);
			p7 = p7_of(&x, &A, ed[i].md(), EVP_sha256(), &pl);
			if (p7 == NULL) {
				OK(0, "PKCS#7 %zu made (%s)", i, igos_errmsg());
				continue;
			}
			p7 = p7_edit(p7, &pl, NULL, ed[i].nid, ed[i].extra);
			add_sig(&x, p7, pl);
			free(p7);
			OK(fw(&x, &db, &dbx) == IGOS_SB_ALGORITHM && strstr(v.detail, ed[i].what),
			   "firmware: refused as an algorithm: %s", v.detail);
			OK(shim(&x, &(struct igos_sb_shim_stores){ .db = &db }) == IGOS_SB_ALGORITHM &&
			   strstr(v.detail, ed[i].what), "shim: the same");
		}
	}
	OK(fw(&bad, &db, &dbx) == IGOS_SB_MALFORMED && IS(v.signer, "(unreadable signature)"),
	   "firmware: not a PKCS#7: %s", v.detail);
	{
		struct image x = sa;

		igos_put_le32(x.d + OPT + 148, igos_le32(x.d + OPT + 148) - 8);
		x.len -= 8;
		OK(fw(&x, &db, &dbx) == IGOS_SB_MALFORMED && strstr(v.detail, "certificate table"),
		   "firmware: a table the walk does not end at: %s", v.detail);
		OK(shim(&x, &(struct igos_sb_shim_stores){ .db = &db }) == IGOS_SB_MALFORMED &&
		   strstr(v.detail, "certificate table"), "shim: the same: %s", v.detail);
	}
	/* the first refusal is reported */
	{
		struct image x = sw;
		size_t pl;
		unsigned char *p7 = p7_of(&x, &E, EVP_sha256(), EVP_sha256(), &pl);

		add_sig(&x, p7, pl);
		free(p7);
		OK(fw(&x, &db, &dbx) == IGOS_SB_ALGORITHM && strstr(v.detail, "RSA 2048") &&
		   IS(v.signer, "CN = unit weak"), "firmware: two refusals, the first reported");
		x = t;
		p7 = p7_of(&sw, &W, EVP_sha256(), EVP_sha256(), &pl);
		add_sig(&x, p7, pl);
		free(p7);
		OK(fw(&x, &db, &dbx) == IGOS_SB_TAMPERED, "firmware: tampered, then algorithm");
	}
	/* a bad signature value */
	{
		struct image x = sa;
		unsigned char *p = x.d + BODY + 8;
		size_t pl = igos_le32(x.d + BODY) - 8;

		p[pl - 1] ^= 1;
		OK(fw(&x, &db, &dbx) == IGOS_SB_TAMPERED && strstr(v.detail, "bad signature"),
		   "firmware: a bad signature value: %s", v.detail);
	}

	/* ---- shim ---- */
	{
		struct igos_sb_store mok, mokx, vdb, vdbx, vcert, sdb, sdbx, sx;
		struct igos_sb_shim_stores ss;

#define SS(...) (ss = (struct igos_sb_shim_stores){ __VA_ARGS__ }, &ss)
		esl_cert(&e, &B);
		store(&mok, "MokListRT", &e);
		igos_sb_store_cert(&vcert, "shim's vendor certificate", L.der, L.derlen);

		OK(shim(&sa, SS(.db = &db)) == IGOS_SB_PASS && IS(v.store, "db") && v.entry == 1 &&
		   IS(v.signer, A_SUBJ), "shim: signer in db");
		OK(shim(&sa, SS(.db = &db, .ignore_db = 1)) == IGOS_SB_UNTRUSTED,
		   "shim: MokIgnoreDB: db not looked at");
		OK(IS(v.detail, "signer 'CN = unit A' chains to no certificate of db, MokList or "
		      "shim's vendor certificate, and the image hash is in none"),
		   "... %s", v.detail);
		OK(shim(&sb, SS(.db = &db, .mok = &mok)) == IGOS_SB_PASS &&
		   IS(v.store, "MokListRT") && IS(v.entry_what, B_SUBJ), "shim: signer in MokList");
		OK(shim(&sl, SS(.db = &db, .vendor_cert = &vcert)) == IGOS_SB_PASS &&
		   IS(v.store, "shim's vendor certificate") && v.entry == 0 &&
		   IS(v.signer, "CN = unit leaf"), "shim: signer is the vendor certificate");
		igos_sb_store_free(&vcert);
		igos_sb_store_cert(&vcert, "shim's vendor certificate", C.der, C.derlen);
		OK(shim(&sl, SS(.vendor_cert = &vcert)) == IGOS_SB_PASS,
		   "shim: signer issued by the vendor certificate");
		esl_cert(&e, &C);
		store(&vdb, "vendor_db", &e);
		OK(shim(&sl, SS(.vendor_db = &vdb)) == IGOS_SB_PASS && IS(v.store, "vendor_db"),
		   "shim: signer issued by a vendor_db certificate");
		OK(shim(&sm, SS(.db = &db)) == IGOS_SB_UNTRUSTED, "shim: signer not in any list");
		OK(shim(&u, SS(.db = &db)) == IGOS_SB_NOT_SIGNED, "shim: unsigned");
		snprintf(d, sizeof(d), "no signature, and its SHA-256 %s... is in no allow list",
			 h16(&u, 0));
		OK(IS(v.detail, d), "... %s", v.detail);
		OK(shim(&t, SS(.db = &db)) == IGOS_SB_TAMPERED &&
		   IS(v.detail, "image digest does not match the signed digest"), "shim: tampered");
		OK(shim(&sw, SS(.db = &db)) == IGOS_SB_ALGORITHM, "shim: RSA 1024");
		{
			struct image x = sw;
			size_t pl;
			unsigned char *p7 = p7_of(&x, &E, EVP_sha256(), EVP_sha256(), &pl);

			add_sig(&x, p7, pl);
			free(p7);
			OK(shim(&x, SS(.db = &db)) == IGOS_SB_ALGORITHM && strstr(v.detail, "RSA 2048") &&
			   IS(v.signer, "CN = unit weak"), "shim: two refusals, the first reported");
		}
		OK(shim(&ba, SS(.db = &db)) == IGOS_SB_UNTRUSTED && IS(v.signer, B_SUBJ),
		   "shim: a valid untrusted signature outweighs a tampered one");
		OK(shim(&two, SS(.db = &db)) == IGOS_SB_PASS && IS(v.signer, A_SUBJ),
		   "shim: the second signature in db passes, and is the signer named");

		/* module-signing EKU: not in MokList */
		esl_cert(&e, &M);
		store(&st, "MokListRT", &e);
		OK(shim(&sm, SS(.mok = &st)) == IGOS_SB_UNTRUSTED, "shim: a module-signing MokList "
		   "certificate does not allow");
		igos_sb_store_free(&st);

		/* deny lists by certificate */
		esl_cert(&e, &B);
		esl_cert(&e, &A);
		store(&mokx, "MokListXRT", &e);
		esl_cert(&e, &A);
		store(&vdbx, "vendor_dbx", &e);
		esl_cert(&e, &C);
		store(&sdbx, "dbx", &e);
		OK(shim(&sa, SS(.db = &db, .mokx = &mokx)) == IGOS_SB_REVOKED_CERT &&
		   IS(v.store, "MokListXRT") && v.entry == 2 && IS(v.signer, A_SUBJ) &&
		   IS(v.entry_what, A_SUBJ) &&
		   IS(v.detail, "signature 1 chains to MokListXRT entry 2 (CN = unit A)"),
		   "shim: signer in MokListX: %s", v.detail);
		OK(shim(&sa, SS(.db = &db, .vendor_dbx = &vdbx, .mokx = &mokx)) ==
		   IGOS_SB_REVOKED_CERT && IS(v.store, "vendor_dbx") && v.entry == 1,
		   "shim: vendor dbx is looked at first");
		OK(shim(&sl, SS(.db = &db, .vendor_cert = &vcert, .dbx = &sdbx)) ==
		   IGOS_SB_REVOKED_CERT && IS(v.store, "dbx") && IS(v.signer, "CN = unit leaf") &&
		   IS(v.detail, "signature 1 chains to dbx entry 1 (CN = unit CA)"),
		   "shim: issuer in dbx: %s", v.detail);
		OK(shim(&two, SS(.db = &db, .mok = &mok, .mokx = &mokx)) == IGOS_SB_REVOKED_CERT &&
		   IS(v.detail, "signature 1 chains to MokListXRT entry 1 (CN = unit B)") &&
		   IS(v.signer, B_SUBJ), "shim: both signatures denied: the first named");
		igos_sb_store_free(&mokx);
		esl_cert(&e, &B);
		store(&mokx, "MokListXRT", &e);
		OK(shim(&two, SS(.db = &db, .mokx = &mokx)) == IGOS_SB_PASS && IS(v.signer, A_SUBJ) &&
		   IS(v.store, "db"), "shim: one signature denied, another allowed: passes");
		OK(shim(&ab, SS(.db = &db, .mokx = &mokx)) == IGOS_SB_PASS,
		   "shim: allowed first, the denied one after it never looked at");
		OK(shim(&sb, SS(.mok = &mok, .mokx = &mokx)) == IGOS_SB_REVOKED_CERT,
		   "shim: in MokList and MokListX: denied");
		OK(shim(&ba, SS(.mok = &mok, .mokx = &mokx)) == IGOS_SB_REVOKED_CERT &&
		   IS(v.signer, B_SUBJ), "shim: denied outweighs a tampered signature");
		/* a deny list whose certificate shim does not take */
		esl_cert(&e, &M);
		store(&st, "MokListXRT", &e);
		{
			struct image x;

			image_base(&x, 0, 0x22);
			sign(&x, &M);
			OK(shim(&x, SS(.mokx = &st)) == IGOS_SB_UNTRUSTED,
			   "shim: a deny-list certificate shim does not take does not deny");
		}
		igos_sb_store_free(&st);

		/* by image hash: deny lists first, then allow lists */
		esl_hash(&e, &sa, 0);
		store(&sdb, "db", &e);
		{
			unsigned char h1[20];
			struct igos_sb_image s;

			igos_sb_image_init(&s, sb.d, sb.len);
			igos_sb_image_hash(&s, 1);
			memcpy(h1, s.sha1, 20);
			esl_hash(&e, &u, 0);
			esl_add(&e, igos_guid_cert_sha1, h1, 20);
			store(&st, "dbx", &e);
			OK(shim(&sb, SS(.mok = &mok, .dbx = &st)) == IGOS_SB_REVOKED_HASH &&
			   IS(v.store, "dbx") && v.entry == 2 && IS(v.entry_what, "SHA-1 image hash") &&
			   IS(v.detail, "its image hash is dbx entry 2"),
			   "shim: the image's SHA-1 in dbx: %s", v.detail);
			OK(shim(&sb, SS(.mok = &mok, .vendor_dbx = &st)) == IGOS_SB_REVOKED_HASH &&
			   IS(v.detail, "its image hash is dbx entry 2"),
			   "shim: the image's SHA-1 in vendor dbx");
			OK(shim(&sb, SS(.mok = &mok, .mokx = &st)) == IGOS_SB_PASS,
			   "shim: MokListX is not searched by SHA-1");
			OK(shim(&sb, SS(.mok = &mok, .db = &st)) == IGOS_SB_PASS && IS(v.store, "dbx") &&
			   v.entry == 2, "shim: the image's SHA-1 in db allows");
			OK(shim(&sb, SS(.db = &st, .ignore_db = 1)) == IGOS_SB_UNTRUSTED,
			   "shim: ... not under MokIgnoreDB");
			igos_sb_store_free(&st);
			/* the SHA-1 as dbx entry 1; in MokListX, not looked at even when
			 * dbx makes shim compute it */
			esl_add(&e, igos_guid_cert_sha1, h1, 20);
			store(&st, "dbx", &e);
			esl_add(&e, igos_guid_cert_sha1, "01234567890123456789", 20);
			store(&sx, "dbx", &e);
			OK(shim(&sb, SS(.mok = &mok, .dbx = &st)) == IGOS_SB_REVOKED_HASH && v.entry == 1,
			   "shim: the image's SHA-1 dbx entry 1");
			OK(shim(&sb, SS(.mok = &mok, .dbx = &sx, .mokx = &st)) == IGOS_SB_PASS,
			   "shim: MokListX is not searched by SHA-1, with SHA-1 computed for dbx");
			OK(shim(&sb, SS(.db = &st)) == IGOS_SB_PASS && v.entry == 1 &&
			   IS(v.entry_what, "SHA-1 image hash"), "shim: the image's SHA-1 db entry 1");
			igos_sb_store_free(&st);
			igos_sb_store_free(&sx);
			/* the SHA-1 in MokList: not looked at */
			esl_add(&e, igos_guid_cert_sha1, h1, 20);
			store(&st, "MokListRT", &e);
			esl_add(&e, igos_guid_cert_sha1, "01234567890123456789", 20);
			store(&sx, "dbx", &e);
			OK(shim(&sb, SS(.mok = &st, .dbx = &sx)) == IGOS_SB_UNTRUSTED,
			   "shim: MokList is not searched by SHA-1");
			igos_sb_store_free(&st);
			igos_sb_store_free(&sx);
		}
		OK(shim(&sa, SS(.db = &sdb)) == IGOS_SB_PASS && IS(v.store, "db") && v.entry == 1 &&
		   IS(v.entry_what, "SHA-256 image hash") && !v.signer[0],
		   "shim: the image hash in db");
		OK(shim(&sa, SS(.db = &sdb, .ignore_db = 1)) == IGOS_SB_UNTRUSTED,
		   "shim: the image hash in db under MokIgnoreDB");
		OK(shim(&sa, SS(.vendor_dbx = &sdb)) == IGOS_SB_REVOKED_HASH &&
		   IS(v.detail, "its image hash is db entry 1"), "shim: the image hash in vendor dbx");
		OK(shim(&sa, SS(.db = &db, .dbx = &sdb)) == IGOS_SB_REVOKED_HASH,
		   "shim: the image hash in dbx");
		OK(shim(&sa, SS(.db = &db, .mokx = &sdb)) == IGOS_SB_REVOKED_HASH,
		   "shim: the image hash in MokListX");
		OK(shim(&sa, SS(.vendor_db = &sdb)) == IGOS_SB_PASS && v.entry == 1,
		   "shim: the image hash in vendor_db");
		OK(shim(&sa, SS(.mok = &sdb)) == IGOS_SB_PASS, "shim: the image hash in MokList");
		OK(shim(&sa, SS(.vendor_cert = &sdb)) == IGOS_SB_UNTRUSTED,
		   "shim: vendor_cert is not searched by hash");
		OK(shim(&t, SS(.mok = &sdb)) == IGOS_SB_TAMPERED,
		   "shim: a tampered image: the old hash does not allow");
		esl_hash(&e, &u, 0);
		store(&st, "MokListRT", &e);
		OK(shim(&u, SS(.mok = &st)) == IGOS_SB_PASS && IS(v.store, "MokListRT"),
		   "shim: an unsigned image by its hash in MokList");
		OK(shim(&u, SS(.mok = &st, .mokx = &st)) == IGOS_SB_REVOKED_HASH,
		   "shim: ... and in MokListX");
		igos_sb_store_free(&st);
		esl_hash(&e, &uo, 0);
		store(&st, "db", &e);
		OK(shim(&uo, SS(.db = &st)) == IGOS_SB_PASS,
		   "shim: an unsigned image's padded hash is shim's");
		igos_sb_store_free(&st);

		igos_sb_store_free(&sdb);
		igos_sb_store_free(&sdbx);
		igos_sb_store_free(&vdbx);
		igos_sb_store_free(&mokx);
		igos_sb_store_free(&vdb);
		igos_sb_store_free(&vcert);
		igos_sb_store_free(&mok);
#undef SS
	}

	igos_sb_store_free(&db);
	igos_sb_store_free(&dbx);
	igos_sb_store_free(&empty);
	key_free(&A);
	key_free(&B);
	key_free(&C);
	key_free(&L);
	key_free(&E);
	key_free(&W);
	key_free(&M);
	return DONE();
}
