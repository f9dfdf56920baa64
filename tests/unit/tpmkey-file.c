/* lib/tpmkey.c without a TPM: the TSS2 PRIVATE KEY file as igos reads and
 * writes it. Each key is assembled here byte by byte (the DER around blobs
 * that libtss2's marshaller makes from a TPMT_PUBLIC), so every refusal is
 * checked with its exact message against one edited field, and every accepted
 * shape (emptyAuth 0x01/0xff/FALSE/absent, the parents, the length forms 0x81
 * and 0x82 at their boundaries) is read back field by field. The writer's
 * output is compared with the same hand-made DER. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <tss2/tss2_mu.h>

#include "igos.h"
#include "tpmkey.h"
#include "unit.h"

struct buf {
	unsigned char b[8192];
	size_t n;
};

static void
put(struct buf *o, const void *p, size_t n)
{
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void
byte(struct buf *o, unsigned c)
{
	o->b[o->n++] = (unsigned char)c;
}

/* a tag, the minimal DER length, the contents */
static void
tlv(struct buf *o, unsigned tag, const void *p, size_t n)
{
	byte(o, tag);
	if (n < 0x80) {
		byte(o, (unsigned)n);
	} else if (n < 0x100) {
		byte(o, 0x81);
		byte(o, (unsigned)n);
	} else {
		byte(o, 0x82);
		byte(o, (unsigned)(n >> 8));
		byte(o, (unsigned)n & 0xff);
	}
	put(o, p, n);
}

static const unsigned char OID_LOADABLE[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x03 };
static const unsigned char OID_IMPORTABLE[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x04 };
static const unsigned char OID_SEALED[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x05 };
static const unsigned char PARENT_OWNER[] = { 0x40, 0x00, 0x00, 0x01 };
static const unsigned char EMPTY_FF[] = { 0x01, 0x01, 0xff };

/* the pieces of one key file; NULL leaves a field out */
struct key {
	const unsigned char *oid;
	size_t oidlen;
	const unsigned char *empty; /* contents of [0] */
	size_t emptylen;
	const unsigned char *extra; /* whole TLVs after emptyAuth */
	size_t extralen;
	unsigned partag;
	const unsigned char *parent;
	size_t parentlen;
	unsigned pubtag;
	const unsigned char *pub;
	size_t publen;
	unsigned privtag;
	const unsigned char *priv;
	size_t privlen;
	const unsigned char *tail; /* whole TLVs after the private part */
	size_t taillen;
};

static struct buf pub_rsa; /* TPM2B_PUBLIC of an RSA-2048 signing key */
static struct buf priv_blob; /* a TPM2B_PRIVATE of 40 bytes */

static struct key
good(void)
{
	struct key k = {
		OID_LOADABLE, sizeof(OID_LOADABLE), EMPTY_FF, sizeof(EMPTY_FF), NULL, 0,
		0x02, PARENT_OWNER, sizeof(PARENT_OWNER), 0x04, pub_rsa.b, pub_rsa.n,
		0x04, priv_blob.b, priv_blob.n, NULL, 0,
	};

	return k;
}

static void
der_of(const struct key *k, struct buf *out)
{
	struct buf body = { .n = 0 };

	if (k->oid != NULL)
		tlv(&body, 0x06, k->oid, k->oidlen);
	if (k->empty != NULL)
		tlv(&body, 0xa0, k->empty, k->emptylen);
	if (k->extra != NULL)
		put(&body, k->extra, k->extralen);
	if (k->parent != NULL)
		tlv(&body, k->partag, k->parent, k->parentlen);
	if (k->pub != NULL)
		tlv(&body, k->pubtag, k->pub, k->publen);
	if (k->priv != NULL)
		tlv(&body, k->privtag, k->priv, k->privlen);
	if (k->tail != NULL)
		put(&body, k->tail, k->taillen);
	out->n = 0;
	tlv(out, 0x30, body.b, body.n);
}

/* parse exactly len bytes (a private copy: ASan sees any over-read) */
static int
parse(struct igos_tpmkey *t, const unsigned char *der, size_t len)
{
	unsigned char *c = malloc(len ? len : 1);
	int r;

	memcpy(c, der, len);
	r = igos_tpmkey_parse_der(t, c, len);
	free(c);
	return r;
}

static int
refused(const unsigned char *der, size_t len, const char *msg)
{
	struct igos_tpmkey t;

	if (parse(&t, der, len) == 0) {
		printf("# accepted\n");
		return 0;
	}
	if (strcmp(igos_errmsg(), msg) != 0) {
		printf("# got '%s'\n", igos_errmsg());
		return 0;
	}
	return 1;
}

static int
key_refused(const struct key *k, const char *msg)
{
	struct buf d;

	der_of(k, &d);
	return refused(d.b, d.n, msg);
}

static int
key_parses(const struct key *k, struct igos_tpmkey *t)
{
	struct buf d;

	der_of(k, &d);
	if (parse(t, d.b, d.n) < 0) {
		printf("# refused: '%s'\n", igos_errmsg());
		return 0;
	}
	return 1;
}

/* the DER igos writes for t is exactly want */
static int
writes(const struct igos_tpmkey *t, const struct buf *want)
{
	size_t n = 0;
	unsigned char *d = igos_tpmkey_der(t, &n);
	int ok = d != NULL && n == want->n && memcmp(d, want->b, n) == 0;

	if (!ok)
		printf("# wrote %zu bytes, want %zu\n", n, want->n);
	free(d);
	return ok;
}

static TPM2B_PUBLIC
rsa_public(unsigned bits, unsigned usize)
{
	TPM2B_PUBLIC p;

	memset(&p, 0, sizeof(p));
	p.publicArea.type = TPM2_ALG_RSA;
	p.publicArea.nameAlg = TPM2_ALG_SHA256;
	/* as the tpm2 provider makes them: 0x00060072 */
	p.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
		TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_DECRYPT;
	p.publicArea.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
	p.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
	p.publicArea.parameters.rsaDetail.keyBits = (TPMI_RSA_KEY_BITS)bits;
	p.publicArea.unique.rsa.size = (UINT16)usize;
	memset(p.publicArea.unique.rsa.buffer, 0xa5, usize);
	p.publicArea.unique.rsa.buffer[0] = 0xc3;
	return p;
}

static TPM2B_PUBLIC
ecc_public(TPM2_ECC_CURVE curve, unsigned xs, unsigned ys)
{
	TPM2B_PUBLIC p;

	memset(&p, 0, sizeof(p));
	p.publicArea.type = TPM2_ALG_ECC;
	p.publicArea.nameAlg = TPM2_ALG_SHA256;
	p.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
		TPMA_OBJECT_SIGN_ENCRYPT;
	p.publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	p.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	p.publicArea.parameters.eccDetail.curveID = curve;
	p.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	p.publicArea.unique.ecc.x.size = (UINT16)xs;
	p.publicArea.unique.ecc.y.size = (UINT16)ys;
	memset(p.publicArea.unique.ecc.x.buffer, 0x11, xs);
	memset(p.publicArea.unique.ecc.y.buffer, 0x22, ys);
	return p;
}

static void
marshal_pub(const TPM2B_PUBLIC *p, struct buf *o)
{
	size_t off = 0;

	if (Tss2_MU_TPM2B_PUBLIC_Marshal(p, o->b, sizeof(o->b), &off) != 0) {
		printf("Bail out! cannot marshal a public area\n");
		exit(1);
	}
	o->n = off;
}

static void
make_priv(struct buf *o, size_t n)
{
	o->n = 0;
	byte(o, (unsigned)(n >> 8));
	byte(o, (unsigned)n & 0xff);
	for (size_t i = 0; i < n; i++)
		byte(o, (unsigned)(i * 7 + 1) & 0xff);
}

/* the key with public part p parses (or is refused with msg) */
static int
public_is(const TPM2B_PUBLIC *p, const char *msg)
{
	struct key k = good();
	struct buf pb;
	struct igos_tpmkey t;

	marshal_pub(p, &pb);
	k.pub = pb.b;
	k.publen = pb.n;
	if (msg != NULL)
		return key_refused(&k, msg);
	return key_parses(&k, &t);
}

static void
test_outer(void)
{
	struct key k = good();
	struct buf d, e;
	struct igos_tpmkey t;

	der_of(&k, &d);
	OK(parse(&t, d.b, d.n) == 0, "a well-formed RSA-2048 key parses");
	OK(t.empty_auth == 1 && t.parent == IGOS_TPMKEY_OWNER, "emptyAuth TRUE, parent the owner");
	OK(t.pub.size + 2u == pub_rsa.n && t.pub.publicArea.parameters.rsaDetail.keyBits == 2048 &&
	   t.pub.publicArea.unique.rsa.buffer[0] == 0xc3, "its public part as marshalled");
	OK(t.priv.size == 40 && t.priv.buffer[1] == 8, "its private part as it was");
	OK(d.b[1] == 0x82, "(the outer SEQUENCE has a two-byte length)");

	OK(refused(d.b, 0, "malformed TSS2 key: truncated"), "an empty file: truncated");
	OK(refused(d.b, 1, "malformed TSS2 key: truncated"), "one byte: truncated");
	OK(refused(d.b, 4, "malformed TSS2 key: truncated"), "a header whose length exceeds the file: truncated");
	OK(refused(d.b, d.n - 1, "malformed TSS2 key: truncated"), "the last byte cut: truncated");
	OK(refused((const unsigned char *)"\x30\x00", 2, "malformed TSS2 key: truncated"),
	   "an empty SEQUENCE: truncated");
	OK(refused((const unsigned char *)"\x30\x82\x01", 3, "malformed TSS2 key: bad length"),
	   "a two-byte length cut after one byte: bad length");
	OK(refused((const unsigned char *)"\x30\x80\x00\x00", 4, "malformed TSS2 key: bad length"),
	   "an indefinite length (BER): bad length");
	OK(refused((const unsigned char *)"\x30\x85\x01\x00\x00\x00\x00\x00", 8,
		   "malformed TSS2 key: bad length"), "a five-byte length: bad length");
	OK(refused((const unsigned char *)"\x30\x84\x01\x00\x00\x00\x00", 7,
		   "malformed TSS2 key: truncated"), "a four-byte length is read (and is longer than the file)");
	OK(refused((const unsigned char *)"\x30\x82\x01\x00", 4, "malformed TSS2 key: truncated"),
	   "a two-byte length with nothing after it: truncated");
	OK(refused((const unsigned char *)"\x30\x82\x00\x90\x00", 5,
		   "malformed TSS2 key: length not in DER form"), "a length with a leading zero byte: not DER");
	OK(refused((const unsigned char *)"\x30\x81\x7f\x00", 4,
		   "malformed TSS2 key: length not in DER form"), "0x81 0x7f (short form fits): not DER");
	OK(refused((const unsigned char *)"\x3f\x01\x00", 3, "malformed TSS2 key: unexpected tag"),
	   "a high-number tag: refused");

	/* the outer element */
	e = d;
	e.b[0] = 0x31;
	OK(refused(e.b, e.n, "malformed TSS2 key: not one SEQUENCE"), "a SET: not one SEQUENCE");
	e.b[e.n++] = 0x05;
	e.b[e.n++] = 0x00;
	e.b[0] = 0x30;
	OK(refused(e.b, e.n, "malformed TSS2 key: not one SEQUENCE"), "bytes after the SEQUENCE: refused");

	/* a lone short SEQUENCE that holds only a NULL */
	OK(refused((const unsigned char *)"\x30\x02\x05\x00", 4, "malformed TSS2 key: no type OID"),
	   "no OID first: refused");
}

static void
test_oid(void)
{
	static const unsigned char imp_long[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x04, 0x01 };
	static const unsigned char seal_long[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x05, 0x01 };
	static const unsigned char load_long[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x03, 0x01 };
	static const unsigned char load_short[] = { 0x67, 0x81, 0x05, 0x0a, 0x01 };
	static const unsigned char other[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x06 };
	struct key k = good();

	k.oid = OID_IMPORTABLE;
	OK(key_refused(&k, "the TSS2 key is an importable key (not loadable: not supported)"),
	   "importableKey refused by name");
	k.oid = OID_SEALED;
	OK(key_refused(&k, "the TSS2 file holds sealed data, not a key"), "sealedKey refused by name");
	k.oid = other;
	OK(key_refused(&k, "not a TSS2 loadable key (OID 2.23.133.10.1.3)"), "2.23.133.10.1.6 refused");
	k.oid = imp_long;
	k.oidlen = sizeof(imp_long);
	OK(key_refused(&k, "not a TSS2 loadable key (OID 2.23.133.10.1.3)"),
	   "2.23.133.10.1.4.1 is not the importable key OID");
	k.oid = seal_long;
	OK(key_refused(&k, "not a TSS2 loadable key (OID 2.23.133.10.1.3)"),
	   "2.23.133.10.1.5.1 is not the sealed key OID");
	k.oid = load_long;
	OK(key_refused(&k, "not a TSS2 loadable key (OID 2.23.133.10.1.3)"),
	   "2.23.133.10.1.3.1 is not the loadable key OID");
	k.oid = load_short;
	k.oidlen = sizeof(load_short);
	OK(key_refused(&k, "not a TSS2 loadable key (OID 2.23.133.10.1.3)"), "2.23.133.10.1 refused");
	k = good();
	k.oid = NULL;
	OK(key_refused(&k, "malformed TSS2 key: no type OID"), "the OID left out: refused");
}

static void
test_empty_auth(void)
{
	static const unsigned char one[] = { 0x01, 0x01, 0x01 }, zero[] = { 0x01, 0x01, 0x00 },
		two[] = { 0x01, 0x01, 0x02 }, fe[] = { 0x01, 0x01, 0xfe },
		four[] = { 0x01, 0x01, 0xff, 0x00 }, shortb[] = { 0x01, 0x01 },
		integer[] = { 0x02, 0x01, 0x01 }, len2[] = { 0x01, 0x02, 0xff },
		twice[] = { 0xa0, 0x03, 0x01, 0x01, 0xff };
	struct key k = good();
	struct igos_tpmkey t;
	struct buf d;

	k.empty = one;
	OK(key_parses(&k, &t) && t.empty_auth == 1, "emptyAuth TRUE written 0x01 (the provider): no auth value");
	k.empty = zero;
	OK(key_parses(&k, &t) && t.empty_auth == 0, "emptyAuth FALSE: the key has an auth value");
	k.empty = NULL;
	OK(key_parses(&k, &t) && t.empty_auth == 0, "emptyAuth absent (DEFAULT FALSE): an auth value");
	k.empty = two;
	OK(key_refused(&k, "malformed TSS2 key: bad emptyAuth"), "emptyAuth 0x02 refused");
	k.empty = fe;
	OK(key_refused(&k, "malformed TSS2 key: bad emptyAuth"), "emptyAuth 0xfe refused");
	k.empty = four;
	k.emptylen = sizeof(four);
	OK(key_refused(&k, "malformed TSS2 key: bad emptyAuth"), "a BOOLEAN with a byte after it refused");
	k.empty = shortb;
	k.emptylen = sizeof(shortb);
	OK(key_refused(&k, "malformed TSS2 key: bad emptyAuth"), "a BOOLEAN cut short refused");
	k.empty = integer;
	k.emptylen = sizeof(integer);
	OK(key_refused(&k, "malformed TSS2 key: bad emptyAuth"), "[0] holding an INTEGER refused");
	k.empty = len2;
	OK(key_refused(&k, "malformed TSS2 key: bad emptyAuth"), "[0] holding a BOOLEAN of length 2 refused");
	k = good();
	k.extra = twice;
	k.extralen = sizeof(twice);
	OK(key_refused(&k, "the TSS2 key has an unknown optional field [0]: not supported by igos"),
	   "emptyAuth given twice refused");

	/* a key that ends after a field */
	k = good();
	k.parent = k.pub = k.priv = NULL;
	OK(key_refused(&k, "malformed TSS2 key: truncated"), "a key that ends after emptyAuth: truncated");
	k.empty = NULL;
	OK(key_refused(&k, "malformed TSS2 key: truncated"), "a key that ends after its OID: truncated");
	k = good();
	k.pub = k.priv = NULL;
	OK(key_refused(&k, "malformed TSS2 key: truncated"), "a key that ends after its parent: truncated");
	k = good();
	k.priv = NULL;
	OK(key_refused(&k, "malformed TSS2 key: truncated"), "a key that ends after its public part: truncated");
	/* the outer length claims one byte more than there is */
	k = good();
	der_of(&k, &d);
	d.b[3]++;
	OK(refused(d.b, d.n, "malformed TSS2 key: truncated"), "an outer length one too long: truncated");
}

static void
test_optional(void)
{
	static const unsigned char pol[] = { 0xa1, 0x08, 0x30, 0x06, 0xa0, 0x04, 0x04, 0x02, 0x00, 0x0b },
		sec[] = { 0xa2, 0x04, 0x04, 0x02, 0xab, 0xcd }, a3[] = { 0xa3, 0x02, 0x05, 0x00 },
		a31[] = { 0xbe, 0x00 };
	struct key k = good();

	k.extra = pol;
	k.extralen = sizeof(pol);
	OK(key_refused(&k, "the TSS2 key has a policy ([1]): not supported by igos"), "[1] policy refused");
	k.empty = NULL;
	OK(key_refused(&k, "the TSS2 key has a policy ([1]): not supported by igos"),
	   "[1] policy without emptyAuth refused");
	k = good();
	k.extra = sec;
	k.extralen = sizeof(sec);
	OK(key_refused(&k, "the TSS2 key has an imported secret ([2]): not supported by igos"),
	   "[2] secret refused");
	k.extra = a3;
	k.extralen = sizeof(a3);
	OK(key_refused(&k, "the TSS2 key has an unknown optional field [3]: not supported by igos"),
	   "[3] refused by number");
	k.extra = a31;
	k.extralen = sizeof(a31);
	OK(key_refused(&k, "the TSS2 key has an unknown optional field [30]: not supported by igos"),
	   "[30] refused by number");
	k = good();
	k.partag = 0x81;
	OK(key_refused(&k, "malformed TSS2 key: bad parent handle"), "a primitive [1] where the parent is: refused");
	k.partag = 0xe1;
	OK(key_refused(&k, "malformed TSS2 key: bad parent handle"), "a private-class tag where the parent is: refused");
	k.partag = 0x04;
	OK(key_refused(&k, "malformed TSS2 key: bad parent handle"), "the parent as an OCTET STRING: refused");
}

/* a key whose parent INTEGER has contents p: parses with parent want, or is
 * refused with msg */
static int
parent_is(const unsigned char *p, size_t n, uint32_t want, const char *msg)
{
	struct key k = good();
	struct igos_tpmkey t;

	k.parent = p;
	k.parentlen = n;
	if (msg != NULL)
		return key_refused(&k, msg);
	if (!key_parses(&k, &t))
		return 0;
	if (t.parent != want)
		printf("# parent 0x%08x\n", (unsigned)t.parent);
	return t.parent == want;
}

static void
test_parent(void)
{
	const char *bad = "malformed TSS2 key: bad parent handle";

	OK(parent_is((const unsigned char *)"\x00\x81\x00\x00\x01", 5, 0x81000001, NULL),
	   "parent 0x81000001 (five bytes, a leading zero) accepted");
	OK(parent_is((const unsigned char *)"\x00\x81\x80\xff\x7e", 5, 0x8180ff7e, NULL),
	   "parent 0x8180ff7e accepted");
	OK(parent_is((const unsigned char *)"\x40\x00\x00\x01", 4, IGOS_TPMKEY_OWNER, NULL),
	   "parent 0x40000001 accepted");
	OK(parent_is((const unsigned char *)"", 0, 0, bad), "an empty INTEGER refused");
	OK(parent_is((const unsigned char *)"\x81\x00\x00\x01", 4, 0, bad),
	   "0x81000001 without its leading zero (a negative INTEGER) refused");
	OK(parent_is((const unsigned char *)"\x00\x40\x00\x00\x01", 5, 0, bad),
	   "a leading zero that is not needed refused");
	OK(parent_is((const unsigned char *)"\x00\x7f", 2, 0, bad), "0x007f (not minimal) refused");
	OK(parent_is((const unsigned char *)"\x01\x81\x00\x00\x01", 5, 0, bad),
	   "a 33-bit handle refused");
	OK(parent_is((const unsigned char *)"\x00\x00\x81\x00\x00\x01", 6, 0, bad), "six bytes refused");
	OK(parent_is((const unsigned char *)"\x00", 1, 0,
		     "the TSS2 key's parent 0x00000000 is neither the owner hierarchy nor a persistent key"),
	   "parent 0 (one byte): refused by value");
	OK(parent_is((const unsigned char *)"\x00\xff", 2, 0,
		     "the TSS2 key's parent 0x000000ff is neither the owner hierarchy nor a persistent key"),
	   "parent 0xff (two bytes, minimal): refused by value");
	OK(parent_is((const unsigned char *)"\x00\x80\x00\x00\x01", 5, 0,
		     "the TSS2 key's parent 0x80000001 is neither the owner hierarchy nor a persistent key"),
	   "a transient parent refused");
	OK(parent_is((const unsigned char *)"\x40\x00\x00\x0b", 4, 0,
		     "the TSS2 key's parent 0x4000000b is neither the owner hierarchy nor a persistent key"),
	   "the endorsement hierarchy refused");
	OK(parent_is((const unsigned char *)"\x00\x82\x00\x00\x01", 5, 0,
		     "the TSS2 key's parent 0x82000001 is neither the owner hierarchy nor a persistent key"),
	   "a handle of type 0x82 refused");
}

static void
test_parts(void)
{
	struct key k = good();
	struct buf pb, b;
	struct igos_tpmkey t;

	k.pubtag = 0x03;
	OK(key_refused(&k, "malformed TSS2 key: bad public part"), "the public part as a BIT STRING refused");
	k = good();
	k.publen = 1;
	OK(key_refused(&k, "malformed TSS2 key: bad public part"), "a public part of one byte refused");
	k.publen = pub_rsa.n - 1;
	OK(key_refused(&k, "malformed TSS2 key: bad public part"), "a public part one byte short refused");
	pb = pub_rsa;
	pb.b[pb.n++] = 0;
	k.pub = pb.b;
	k.publen = pb.n;
	OK(key_refused(&k, "malformed TSS2 key: bad public part"), "a byte after the public area refused");
	pb.n--;
	pb.b[1]--; /* the size field one less than the area */
	OK(key_refused(&k, "malformed TSS2 key: bad public part"),
	   "a public area longer than its size field refused");
	pb.b[1] += 2;
	OK(key_refused(&k, "malformed TSS2 key: bad public part"),
	   "a public area shorter than its size field refused");

	k = good();
	k.privtag = 0x03;
	OK(key_refused(&k, "malformed TSS2 key: bad private part"), "the private part as a BIT STRING refused");
	k = good();
	k.privlen = 0;
	OK(key_refused(&k, "malformed TSS2 key: bad private part"), "an empty private part refused");
	k.priv = (const unsigned char *)"\x00\x00";
	k.privlen = 2;
	OK(key_refused(&k, "malformed TSS2 key: bad private part"), "a private blob of size 0 refused");
	k.priv = priv_blob.b;
	k.privlen = priv_blob.n - 1;
	OK(key_refused(&k, "malformed TSS2 key: bad private part"), "a private blob one byte short refused");
	b = priv_blob;
	b.b[b.n++] = 0;
	k.priv = b.b;
	k.privlen = b.n;
	OK(key_refused(&k, "malformed TSS2 key: bad private part"), "a byte after the private blob refused");
	k = good();
	k.tail = (const unsigned char *)"\x05\x00";
	k.taillen = 2;
	OK(key_refused(&k, "malformed TSS2 key: data after the private part"), "a NULL after the private part refused");
	/* one byte of the private part: its size field cannot be read */
	k = good();
	k.privlen = 1;
	OK(key_refused(&k, "malformed TSS2 key: bad private part"), "a private part of one byte refused");
	make_priv(&b, 1);
	k.priv = b.b;
	k.privlen = b.n;
	OK(key_parses(&k, &t) && t.priv.size == 1, "a private blob of one byte is read as it is");
}

static void
test_public(void)
{
	TPM2B_PUBLIC p;
	const char *ecc = "the TPM key is an ECC key: only the P-256 curve is supported";

	p = rsa_public(3072, 384);
	OK(public_is(&p, NULL), "RSA-3072 accepted");
	p = rsa_public(4096, 512);
	OK(public_is(&p, NULL), "RSA-4096 accepted");
	p = rsa_public(1024, 128);
	OK(public_is(&p, "the TPM key is RSA-1024: not supported (2048 to 4096 bits)"), "RSA-1024 refused");
	p = rsa_public(2040, 255);
	OK(public_is(&p, "the TPM key is RSA-2040: not supported (2048 to 4096 bits)"), "RSA-2040 refused");
	p = rsa_public(2052, 256);
	OK(public_is(&p, "the TPM key is RSA-2052: not supported (2048 to 4096 bits)"),
	   "RSA-2052 (not whole bytes) refused");
	p = rsa_public(4104, 512);
	OK(public_is(&p, "the TPM key is RSA-4104: not supported (2048 to 4096 bits)"), "RSA-4104 refused");
	p = rsa_public(2048, 255);
	OK(public_is(&p, "the TPM key is RSA-2048: not supported (2048 to 4096 bits)"),
	   "an RSA-2048 key whose modulus has 255 bytes refused");
	p = rsa_public(2048, 256);
	p.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
	p.publicArea.parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
	OK(public_is(&p, NULL), "an RSA key with the RSASSA scheme accepted");
	p.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSAPSS;
	OK(public_is(&p, "the TPM key's scheme is not RSASSA (PKCS#1 v1.5)"), "an RSA-PSS key refused");
	p = rsa_public(2048, 256);
	p.publicArea.objectAttributes &= ~TPMA_OBJECT_SIGN_ENCRYPT;
	OK(public_is(&p, "the TPM key is not a signing key"), "a decrypt-only key refused");
	p = rsa_public(2048, 256);
	p.publicArea.objectAttributes |= TPMA_OBJECT_RESTRICTED;
	p.publicArea.objectAttributes &= ~TPMA_OBJECT_DECRYPT;
	OK(public_is(&p, "the TPM key is a restricted signing key (it signs only what the TPM made)"),
	   "a restricted signing key (an attestation key) refused");

	p = ecc_public(TPM2_ECC_NIST_P256, 32, 32);
	OK(public_is(&p, NULL), "ECC P-256 accepted");
	p.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	p.publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	OK(public_is(&p, NULL), "ECC P-256 with the ECDSA scheme accepted");
	p.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECSCHNORR;
	OK(public_is(&p, "the TPM key's scheme is not ECDSA"), "an EC-Schnorr key refused");
	p = ecc_public(TPM2_ECC_NIST_P384, 48, 48);
	OK(public_is(&p, ecc), "ECC P-384 refused");
	p = ecc_public(TPM2_ECC_NIST_P384, 32, 32);
	OK(public_is(&p, ecc), "ECC P-384 with 32-byte coordinates refused");
	p = ecc_public(TPM2_ECC_NIST_P256, 31, 32);
	OK(public_is(&p, ecc), "P-256 with a 31-byte x refused");
	p = ecc_public(TPM2_ECC_NIST_P256, 32, 31);
	OK(public_is(&p, ecc), "P-256 with a 31-byte y refused");
	p = ecc_public(TPM2_ECC_NIST_P256, 32, 32);
	p.publicArea.objectAttributes |= TPMA_OBJECT_RESTRICTED;
	OK(public_is(&p, "the TPM key is a restricted signing key (it signs only what the TPM made)"),
	   "a restricted ECC key refused");

	memset(&p, 0, sizeof(p));
	p.publicArea.type = TPM2_ALG_KEYEDHASH;
	p.publicArea.nameAlg = TPM2_ALG_SHA256;
	p.publicArea.objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_USERWITHAUTH;
	p.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_HMAC;
	p.publicArea.parameters.keyedHashDetail.scheme.details.hmac.hashAlg = TPM2_ALG_SHA256;
	p.publicArea.unique.keyedHash.size = 32;
	OK(public_is(&p, "the TPM key is neither RSA nor ECC"), "an HMAC key refused");
}

static int
pem_of(const char *label, const char *hdr, const struct buf *d, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int ok = b != NULL && PEM_write_bio(b, label, hdr, d->b, (long)d->n) > 0 &&
		 (n = BIO_get_mem_data(b, &p)) > 0 && (size_t)n < cap;

	if (ok) {
		memcpy(out, p, (size_t)n);
		out[n] = '\0';
	}
	BIO_free(b);
	return ok;
}

#define IS_PEM(s) igos_tpmkey_is_pem(s, sizeof(s) - 1)

static void
test_pem(void)
{
	static char pem[16384], other[16384];
	struct key k = good();
	struct buf d, bad;
	struct igos_tpmkey t;
	char *w = NULL;
	size_t n = 0;

	OK(IS_PEM("-----BEGIN TSS2 PRIVATE KEY-----\nAAAA\n-----END TSS2 PRIVATE KEY-----\n") == 1,
	   "is_pem: a TSS2 PRIVATE KEY block");
	OK(IS_PEM("comment\n-----BEGIN TSS2 PRIVATE KEY-----\n") == 1, "is_pem: text before the block");
	OK(IS_PEM("-----BEGIN TSS2 PRIVATE KEY-----") == 1, "is_pem: the BEGIN line alone, at the end");
	OK(IS_PEM("-----BEGIN TSS2 PRIVATE KEY----") == 0, "is_pem: the BEGIN line cut short");
	OK(IS_PEM("-----BEGIN PRIVATE KEY-----\n") == 0, "is_pem: a PKCS#8 key is not");
	OK(IS_PEM("-----BEGIN CERTIFICATE-----\nx\n-----BEGIN TSS2 PRIVATE KEY-----\n") == 0,
	   "is_pem: only the first block counts");
	OK(IS_PEM("") == 0 && IS_PEM("-----BEGIN ") == 0, "is_pem: empty and bare text are not");

	der_of(&k, &d);
	OK(pem_of("TSS2 PRIVATE KEY", "", &d, pem, sizeof(pem)), "(openssl writes the PEM)");
	OK(igos_tpmkey_parse_pem(&t, pem, strlen(pem)) == 0 && t.parent == IGOS_TPMKEY_OWNER &&
	   t.empty_auth == 1, "the PEM parses");
	OK(igos_tpmkey_parse_pem(&t, pem, strlen(pem) - 40) < 0 &&
	   strcmp(igos_errmsg(), "malformed TSS2 key: bad PEM") == 0, "a cut PEM: bad PEM");
	OK(pem_of("PRIVATE KEY", "", &d, other, sizeof(other)) &&
	   igos_tpmkey_parse_pem(&t, other, strlen(other)) < 0 &&
	   strcmp(igos_errmsg(), "not a TSS2 private key (PEM label 'PRIVATE KEY')") == 0,
	   "another label refused by name");
	OK(pem_of("TSS2 PRIVATE KEY", "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n",
		  &d, other, sizeof(other)) &&
	   igos_tpmkey_parse_pem(&t, other, strlen(other)) < 0 &&
	   strcmp(igos_errmsg(), "malformed TSS2 key: PEM headers (an encrypted file?)") == 0,
	   "PEM headers refused");
	bad = d;
	bad.b[0] = 0x31;
	OK(pem_of("TSS2 PRIVATE KEY", "", &bad, other, sizeof(other)) &&
	   igos_tpmkey_parse_pem(&t, other, strlen(other)) < 0 &&
	   strcmp(igos_errmsg(), "malformed TSS2 key: not one SEQUENCE") == 0,
	   "the DER inside is checked");

	/* the decoded DER (the wrapped private part) is not left on the heap:
	 * many reads use no more memory than one */
	{
		size_t before;
		int ok = 1;

		for (int i = 0; i < 4; i++)
			ok &= igos_tpmkey_parse_pem(&t, pem, strlen(pem)) == 0;
		before = mallinfo2().uordblks;
		for (int i = 0; i < 200; i++)
			ok &= igos_tpmkey_parse_pem(&t, pem, strlen(pem)) == 0;
		if (mallinfo2().uordblks != before)
			printf("# heap grew by %zu bytes\n", mallinfo2().uordblks - before);
		OK(ok && mallinfo2().uordblks == before, "reading a PEM key 200 times leaves nothing on the heap");
	}

	/* igos writes the PEM openssl writes */
	OK(igos_tpmkey_parse_der(&t, d.b, d.n) == 0 && (w = igos_tpmkey_pem(&t, &n)) != NULL &&
	   n == strlen(pem) && strcmp(w, pem) == 0, "igos_tpmkey_pem: the PEM openssl writes");
	free(w);
}

/* a minimal positive INTEGER's contents */
static size_t
int_bytes(uint32_t v, unsigned char *o)
{
	unsigned char b[5] = { 0, (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };
	size_t i = 0;

	while (i < 4 && b[i] == 0 && !(b[i + 1] & 0x80))
		i++;
	memcpy(o, b + i, 5 - i);
	return 5 - i;
}

static void
test_writer(void)
{
	static const uint32_t parents[] = { 0, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0x800000,
					    0x7fffff, 0x40000001, 0x81000001, 0x80000000,
					    0xffffffff, 0x01000000 };
	static const size_t privs[] = { 1, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0xfc, 0xfd, 0xfe, 0xff, 0x3e8 };
	struct key k = good();
	struct igos_tpmkey t;
	struct buf d, e, pb, b;
	unsigned char par[5];
	int ok = 1;

	der_of(&k, &d);
	OK(parse(&t, d.b, d.n) == 0 && writes(&t, &d), "a key is written back byte for byte");
	k.empty = (const unsigned char *)"\x01\x01\x01";
	OK(key_parses(&k, &t) && writes(&t, &d), "emptyAuth 0x01 is written 0xff (DER)");
	k.empty = (const unsigned char *)"\x01\x01\x00";
	k.parent = (const unsigned char *)"\x00\x81\x00\x00\x01";
	k.parentlen = 5;
	OK(key_parses(&k, &t), "a key with emptyAuth FALSE and a persistent parent parses");
	k.empty = NULL;
	der_of(&k, &e);
	OK(writes(&t, &e), "written without emptyAuth (FALSE is the default), the parent as 00 81 00 00 01");

	/* the parent as a minimal INTEGER, whatever its value */
	for (size_t i = 0; i < sizeof(parents) / sizeof(parents[0]); i++) {
		k = good();
		k.parent = par;
		k.parentlen = int_bytes(parents[i], par);
		der_of(&k, &e);
		t.parent = parents[i];
		t.empty_auth = 1;
		if (!writes(&t, &e)) {
			printf("# parent 0x%x\n", parents[i]);
			ok = 0;
		}
	}
	OK(ok, "parents 0 to 0xffffffff written as minimal INTEGERs");

	/* lengths across the short, 0x81 and 0x82 forms, read and written */
	ok = 1;
	for (size_t i = 0; i < sizeof(privs) / sizeof(privs[0]); i++) {
		k = good();
		make_priv(&b, privs[i]);
		k.priv = b.b;
		k.privlen = b.n;
		der_of(&k, &e);
		if (parse(&t, e.b, e.n) < 0 || t.priv.size != privs[i] || !writes(&t, &e)) {
			printf("# private blob of %zu bytes: %s\n", privs[i], igos_errmsg());
			ok = 0;
		}
	}
	OK(ok, "private parts of 3 to 1002 bytes (lengths 0x7f, 0x80, 0xff, 0x100) read and written");

	/* a short key: the outer SEQUENCE in its short and 0x81 forms */
	{
		TPM2B_PUBLIC p = ecc_public(TPM2_ECC_NIST_P256, 32, 32);

		marshal_pub(&p, &pb);
		ok = 1;
		for (size_t n = 1; n < 0x90; n++) {
			k = good();
			k.pub = pb.b;
			k.publen = pb.n;
			make_priv(&b, n);
			k.priv = b.b;
			k.privlen = b.n;
			der_of(&k, &e);
			if (parse(&t, e.b, e.n) < 0 || !writes(&t, &e)) {
				printf("# ECC key, private blob of %zu bytes: %s\n", n, igos_errmsg());
				ok = 0;
			}
		}
		OK(ok, "ECC keys with private blobs of 1 to 143 bytes read and written");
		/* public areas too small for a key: only the writer sees them */
		p = ecc_public(TPM2_ECC_NIST_P256, 0, 0);
		marshal_pub(&p, &pb);
		ok = 1;
		for (size_t n = 1; n < 0x70; n++) {
			k = good();
			k.pub = pb.b;
			k.publen = pb.n;
			make_priv(&b, n);
			k.priv = b.b;
			k.privlen = b.n;
			der_of(&k, &e);
			memset(&t, 0, sizeof(t));
			t.empty_auth = 1;
			t.parent = IGOS_TPMKEY_OWNER;
			t.pub = p;
			t.priv.size = (UINT16)n;
			memcpy(t.priv.buffer, b.b + 2, n);
			if (!writes(&t, &e))
				ok = 0;
		}
		OK(ok, "outer lengths from the short form to 0x81 written minimally");
	}

	/* what cannot be marshalled is not written */
	{
		size_t n = 12345;

		memset(&t, 0, sizeof(t));
		t.parent = IGOS_TPMKEY_OWNER;
		t.pub = rsa_public(2048, 256);
		t.priv.size = 40;
		t.pub.publicArea.unique.rsa.size = 600;
		OK(igos_tpmkey_der(&t, &n) == NULL && n == 12345 &&
		   strcmp(igos_errmsg(), "cannot encode the TPM key") == 0,
		   "a modulus longer than a TPM2B holds: not written");
		OK(igos_tpmkey_pem(&t, &n) == NULL && n == 12345 &&
		   strcmp(igos_errmsg(), "cannot encode the TPM key") == 0, "nor as PEM");
		t.pub.publicArea.unique.rsa.size = 256;
		t.priv.size = sizeof(t.priv.buffer) + 1;
		OK(igos_tpmkey_der(&t, &n) == NULL && n == 12345 &&
		   strcmp(igos_errmsg(), "cannot encode the TPM key") == 0,
		   "a private blob longer than a TPM2B holds: not written");
	}
}

static void
test_pubkey(void)
{
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048),
		 *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), *pk;
	BIGNUM *n = NULL, *e = NULL;
	unsigned char pt[65];
	size_t ptlen = 0;
	struct igos_tpmkey t;

	memset(&t, 0, sizeof(t));
	t.pub = rsa_public(2048, 256);
	OK(rsa && EVP_PKEY_get_bn_param(rsa, OSSL_PKEY_PARAM_RSA_N, &n) &&
	   BN_bn2binpad(n, t.pub.publicArea.unique.rsa.buffer, 256) == 256, "(an RSA-2048 key from openssl)");
	pk = igos_tpmkey_pubkey(&t);
	OK(pk != NULL && EVP_PKEY_eq(pk, rsa) == 1, "RSA: exponent 0 in the TPM means 65537: the same public key");
	EVP_PKEY_free(pk);
	t.pub.publicArea.parameters.rsaDetail.exponent = 3;
	pk = igos_tpmkey_pubkey(&t);
	OK(pk != NULL && EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) && BN_is_word(e, 3),
	   "RSA: exponent 3 kept");
	EVP_PKEY_free(pk);

	t.pub = ecc_public(TPM2_ECC_NIST_P256, 32, 32);
	OK(ec && EVP_PKEY_get_octet_string_param(ec, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &ptlen) &&
	   ptlen == 65 && pt[0] == 0x04, "(a P-256 key from openssl, uncompressed)");
	memcpy(t.pub.publicArea.unique.ecc.x.buffer, pt + 1, 32);
	memcpy(t.pub.publicArea.unique.ecc.y.buffer, pt + 33, 32);
	pk = igos_tpmkey_pubkey(&t);
	OK(pk != NULL && EVP_PKEY_eq(pk, ec) == 1, "ECC P-256: the same public key");
	EVP_PKEY_free(pk);
	t.pub.publicArea.unique.ecc.x.size = 31;
	OK(igos_tpmkey_pubkey(&t) == NULL &&
	   strncmp(igos_errmsg(), "cannot read the public part of the TPM key", 42) == 0,
	   "a 31-byte x: no public key");
	t.pub.publicArea.unique.ecc.x.size = 32;
	t.pub.publicArea.unique.ecc.y.size = 33;
	OK(igos_tpmkey_pubkey(&t) == NULL, "a 33-byte y: no public key");
	t.pub.publicArea.type = TPM2_ALG_KEYEDHASH;
	OK(igos_tpmkey_pubkey(&t) == NULL, "an HMAC key: no public key");
	BN_free(n);
	BN_free(e);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
}

int
main(void)
{
	TPM2B_PUBLIC p = rsa_public(2048, 256);

	marshal_pub(&p, &pub_rsa);
	make_priv(&priv_blob, 40);
	test_outer();
	test_oid();
	test_empty_auth();
	test_optional();
	test_parent();
	test_parts();
	test_public();
	test_pem();
	test_writer();
	test_pubkey();
	return DONE();
}
