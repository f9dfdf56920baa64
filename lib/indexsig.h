/*
 * The signed package index (spec/index-signature.md): the strict .sig and
 * subkey-certificate parser and serializer, the index parser, the client
 * state file and the acceptance rule. Every parser takes (pointer, length),
 * borrows nothing past the call except where a field says so, and leaves a
 * one-line message in igos_errmsg() on failure.
 */
#ifndef IGOS_INDEXSIG_H
#define IGOS_INDEXSIG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define IGOS_IDX_SIG_MAX 8192    /* a .sig file, a cert file, a state file */
#define IGOS_IDX_LINE_MAX 1024   /* one line of them, LF included */
#define IGOS_IDX_NAME_MAX 64     /* a repo or arch name */
#define IGOS_IDX_FILE_MAX 255    /* a package file name */
#define IGOS_IDX_DEFAULT_VALIDITY (14 * 86400)

enum igos_idx_alg {
	IGOS_IDX_P256 = 1,   /* ECDSA P-256 over SHA-256, raw r||s */
	IGOS_IDX_ED25519,    /* pure Ed25519 */
};

/* The subkey certificate: seven cert-* lines signed by the master, then cert-sig. */
struct igos_idx_cert {
	unsigned char master[8];     /* first 8 bytes of SHA-256 of the master's raw key */
	uint64_t serial;
	enum igos_idx_alg alg;
	unsigned char pub[65];       /* 65-byte uncompressed P-256 point or 32-byte Ed25519 */
	size_t publen;
	char scope[IGOS_IDX_LINE_MAX]; /* "REPOS ARCHES", each a comma list or "*" */
	int64_t not_before, not_after;
	unsigned char sig[64];       /* the master's Ed25519 signature */
	/* Borrowed from the parsed input: the seven signed lines, and the whole
	 * block (with the cert-sig line) as it is copied into a .sig. */
	const unsigned char *tbs;
	size_t tbslen;
	const unsigned char *block;
	size_t blocklen;
};

struct igos_idx_sig {
	struct igos_idx_cert cert;
	char repo[IGOS_IDX_NAME_MAX + 1];
	char arch[IGOS_IDX_NAME_MAX + 1];
	uint64_t version;
	int64_t created, expires;
	uint64_t index_size;
	unsigned char index_sha256[32];
	unsigned char sig[64];
	size_t siglen;
	const unsigned char *tbs;    /* every byte above the "sig:" line (borrowed) */
	size_t tbslen;
};

/* The client's state for one repo. */
struct igos_idx_state {
	char repo[IGOS_IDX_NAME_MAX + 1];
	uint64_t serial, version;
	int64_t created;             /* the time floor: never decreases */
	unsigned char index_sha256[32];
};

/* ---- values ---- */

/* "YYYY-MM-DDThh:mm:ssZ" (years 1970-9999, real dates, no leap second). */
int igos_idx_time_parse(const char *s, size_t len, int64_t *t);
void igos_idx_time_format(int64_t t, char out[21]);
/* "<n>d", "<n>h", "<n>m" or "<n>s", n > 0 without leading zeros. */
int igos_idx_duration_parse(const char *s, int64_t *secs);
void igos_idx_duration_format(int64_t secs, char out[32]);
/* A repo or arch name: [A-Za-z0-9][A-Za-z0-9._+-]*, at most 64 bytes. */
int igos_idx_name_ok(const char *s, size_t len);
/* A scope "REPOS ARCHES": validates it (0) or fails with a message. */
int igos_idx_scope_parse(const char *s, size_t len);
/* 1 if the scope covers repo and arch, else 0. */
int igos_idx_scope_covers(const char *scope, const char *repo, const char *arch);

/* ---- keys ---- */

/* The public key of an algorithm from its raw form. */
EVP_PKEY *igos_idx_pubkey(enum igos_idx_alg alg, const unsigned char *pub, size_t len);
/* The raw form of a P-256 or Ed25519 public key, and its algorithm. */
int igos_idx_pubkey_raw(EVP_PKEY *pk, enum igos_idx_alg *alg, unsigned char pub[65],
			size_t *len);
/* The 8-byte key id of an Ed25519 master public key. */
int igos_idx_master_id(EVP_PKEY *master, unsigned char id[8]);
/* Verify a signature by a raw-form key over msg (ECDSA: SHA-256 of msg, raw
 * r||s with 0 < r, s < n). */
int igos_idx_verify(enum igos_idx_alg alg, const unsigned char *pub, size_t publen,
		    const unsigned char *sig, size_t siglen,
		    const unsigned char *msg, size_t len);

/* ---- the certificate and the .sig ---- */

int igos_idx_cert_parse(const unsigned char *p, size_t len, struct igos_idx_cert *c);
/* The seven signed cert lines of c (its key, serial, scope, window, master
 * id) as a heap buffer. */
unsigned char *igos_idx_cert_tbs(const struct igos_idx_cert *c, size_t *len);
/* "igos-subkey-cert v1\n" + tbs: what the master signs. Heap buffer. */
unsigned char *igos_idx_cert_message(const unsigned char *tbs, size_t tbslen, size_t *len);
/* tbs + the cert-sig line: the certificate block. Heap buffer. */
unsigned char *igos_idx_cert_block(const unsigned char *tbs, size_t tbslen,
				   const unsigned char sig[64], size_t *len);
/* The master's signature over the certificate. */
int igos_idx_cert_verify(const struct igos_idx_cert *c, EVP_PKEY *master);

int igos_idx_sig_parse(const unsigned char *p, size_t len, struct igos_idx_sig *s);
/* Everything above the sig: line: magic, the certificate block copied as is,
 * the header fields of s. Heap buffer. */
unsigned char *igos_idx_sig_header(const unsigned char *block, size_t blocklen,
				   const struct igos_idx_sig *s, size_t *len);
/* header + "sig: <base64>\n". Heap buffer. */
unsigned char *igos_idx_sig_finish(const unsigned char *hdr, size_t hdrlen,
				   const unsigned char *sig, size_t siglen, size_t *len);
/* The subkey's signature over the header. */
int igos_idx_sig_verify(const struct igos_idx_sig *s);

/* ---- the client state ---- */

int igos_idx_state_parse(const unsigned char *p, size_t len, struct igos_idx_state *st);
unsigned char *igos_idx_state_format(const struct igos_idx_state *st, size_t *len);

/* ---- the acceptance rule ---- */

enum igos_idx_verdict {
	IGOS_IDX_NEW = 1,       /* a newer index: commit the new state */
	IGOS_IDX_NOCHANGE,      /* the accepted (serial, version) with the same index */
};

/*
 * The checks of the acceptance rule that need no keys and no index: repo and
 * arch, scope, the certificate window against now_eff = max(now, st->created),
 * the serial, the validity and freshness, rollback and equivocation. The
 * caller has verified the certificate and the subkey signature. Returns a
 * verdict, or -1 with a message. next (if not NULL) gets the state to commit.
 */
int igos_idx_accept(const struct igos_idx_sig *s, const struct igos_idx_state *st,
		    const char *repo, const char *arch, int64_t now, int64_t max_validity,
		    struct igos_idx_state *next);

/* ---- the index ---- */

/* Validate a whole index: magic line, then "<name> <size> <sha256>\n" lines
 * sorted by name, unique. *count gets the number of entries. */
int igos_idx_index_parse(const unsigned char *p, size_t len, size_t *count);
/* Look a name up in an index that igos_idx_index_parse accepted: 1 and its
 * size and hash if found, 0 if not. */
int igos_idx_index_find(const unsigned char *p, size_t len, const char *name,
			uint64_t *size, unsigned char sha256[32]);
/* A package file name as the index allows it. */
int igos_idx_filename_ok(const char *s, size_t len);

#endif
