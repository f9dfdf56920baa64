/*
 * Signing requests: what a build host wants signed, written down so that a
 * signing host that never sees the artefact can sign it on the token, and a
 * signature answering it (signing in two rooms). One format for every kind
 * of artefact; parsed strictly, (pointer, length), never trusting a NUL.
 */
#ifndef IGOS_REQUEST_H
#define IGOS_REQUEST_H

#include "igos.h"

#define IGOS_REQ_MAGIC "igos-request v1"
#define IGOS_RSIG_MAGIC "igos-signature v1"
#define IGOS_REQ_MAX (64 * 1024)      /* a whole request file */
#define IGOS_REQ_MAX_ITEMS 16         /* sign: lines */
#define IGOS_REQ_MAX_NAME 255

enum igos_req_kind {
	IGOS_REQ_PE = 1,   /* Authenticode: PKCS#7 with SpcIndirectDataContent */
	IGOS_REQ_MODULE,   /* kernel module: detached CMS, no attributes */
	IGOS_REQ_VERITY,   /* dm-verity root hash: detached PKCS#7 over the hex */
	IGOS_REQ_PCR,      /* PCR 11 policies of a UKI (.pcrsig) */
	IGOS_REQ_INDEX,    /* package index signature header */
	IGOS_REQ_SUBKEY,   /* index subkey certificate, by the master key */
	IGOS_REQ_X509,     /* an X.509 certificate (a MOK): its tbsCertificate */
	IGOS_REQ_EFIAUTH,  /* a UEFI authenticated variable update (PK, KEK, db, dbx):
			    * detached PKCS#7, no attributes, over name||GUID||
			    * attributes||timestamp||signature list */
};
#define IGOS_REQ_LAST IGOS_REQ_EFIAUTH
#define IGOS_REQ_MAX_VAR 64

enum igos_req_alg {
	IGOS_REQ_RSA = 1,  /* RSA PKCS#1 v1.5 */
	IGOS_REQ_ECDSA_P256,
	IGOS_REQ_ED25519,
};

/* One thing the key signs: a digest made with md (signed as a digest), or,
 * with md NULL, a message signed whole (Ed25519) or hashed with SHA-256 by
 * the signer (RSA, ECDSA). */
struct igos_req_item {
	const EVP_MD *md;
	unsigned char *data;
	size_t len;
};

struct igos_req {
	enum igos_req_kind kind;
	char file[IGOS_REQ_MAX_NAME + 1]; /* the artefact's base name */
	uint64_t size;                    /* its size and SHA-256 */
	unsigned char sha256[32];
	enum igos_req_alg alg;
	unsigned char key[32];            /* SHA-256 of the key's SubjectPublicKeyInfo DER */
	unsigned char *cert;              /* certificate DER (pe, module, verity; x509: the
					   * certificate to sign, its signature empty) */
	size_t cert_len;
	unsigned char *pubkey;            /* SubjectPublicKeyInfo DER (pcr, index, subkey) */
	size_t pubkey_len;
	unsigned char digest[32];         /* pe: Authenticode SHA-256; module: SHA-256 of
					   * the module's bytes */
	unsigned char *attrs;             /* pe: the signed attributes (DER SET) */
	size_t attrs_len;
	char var[IGOS_REQ_MAX_VAR + 1];   /* efi-auth: the variable, its vendor GUID, */
	unsigned char guid[16];           /* attributes and EFI_TIME timestamp; file, */
	uint32_t attr;                    /* size and sha256 are the signature list's */
	unsigned char time[16];
	unsigned nitems;
	struct igos_req_item item[IGOS_REQ_MAX_ITEMS];
};

const char *igos_req_kind_name(enum igos_req_kind k);
const char *igos_req_alg_name(enum igos_req_alg a);
/* The algorithm a key signs with, or 0 with a message. */
enum igos_req_alg igos_req_alg_of(EVP_PKEY *k);
/* SHA-256 of a public key's SubjectPublicKeyInfo DER. */
int igos_req_keyhash(EVP_PKEY *k, unsigned char out[32]);

/* Parse data[0..len): exactly the fields of its kind, in order, nothing else.
 * r is zeroed first; free it with igos_req_free even after a failure. */
int igos_req_parse(struct igos_req *r, const unsigned char *data, size_t len);
void igos_req_free(struct igos_req *r);
/* The request's text (appended to t); the same checks as parsing. */
int igos_req_format(const struct igos_req *r, struct igos_text *t);
/* Add an item (copied). */
int igos_req_add_item(struct igos_req *r, const EVP_MD *md, const void *p, size_t len);
/* "YYYY-MM-DD HH:MM:SS" of an EFI_TIME (out: 20 bytes). */
void igos_req_time_str(const unsigned char t[16], char out[20]);
/* Set the certificate (pe, module, verity: key is its key) or the public key
 * (the other kinds); sets key and alg. */
int igos_req_set_cert(struct igos_req *r, X509 *x);
int igos_req_set_pubkey(struct igos_req *r, EVP_PKEY *k);
/* The certificate or public key (new references). */
X509 *igos_req_cert(const struct igos_req *r);
EVP_PKEY *igos_req_pubkey(const struct igos_req *r);
/* Whether path's contents are the request's artefact (size and SHA-256 of
 * data[0..len)). 0, or -1 with a message naming what differs. */
int igos_req_check_file(const struct igos_req *r, const char *path,
			const unsigned char *data, size_t len);
/* Whether two requests commit to the same thing (every field). */
int igos_req_equal(const struct igos_req *a, const struct igos_req *b);

/*
 * A signature answering a request of a kind carried outside PKCS#7 (pcr,
 * index, subkey): "igos-signature v1", "request: <SHA-256 of the request
 * file>", then one "sig: <base64>" per item, in order.
 */
struct igos_rsig {
	unsigned char request[32];
	unsigned n;
	unsigned char *sig[IGOS_REQ_MAX_ITEMS];
	size_t len[IGOS_REQ_MAX_ITEMS];
};

int igos_rsig_parse(struct igos_rsig *s, const unsigned char *data, size_t len);
void igos_rsig_free(struct igos_rsig *s);
int igos_rsig_format(const struct igos_rsig *s, struct igos_text *t);

/* Verify sig over item i of r with r's key: 0, or -1 with a message. ECDSA
 * signatures are DER. */
int igos_req_verify_item(const struct igos_req *r, unsigned i, const unsigned char *sig,
			 size_t siglen);

#endif
