/*
 * Keys held by a TPM: the TSS2 PRIVATE KEY file (the wrapped blob only this
 * TPM can load, in the format of the tpm2-openssl provider) and its use
 * through libtss2 Esys. See spec/tpm-keys.md.
 */
#ifndef IGOS_TPMKEY_H
#define IGOS_TPMKEY_H

#include <tss2/tss2_tpm2_types.h>

#include "igos.h"

/* the owner hierarchy: the parent is the storage primary key made anew from
 * the standard template at every use */
#define IGOS_TPMKEY_OWNER 0x40000001u

struct igos_tpmkey {
	int empty_auth;       /* the key has no auth value */
	uint32_t parent;      /* IGOS_TPMKEY_OWNER or a persistent handle 0x81xxxxxx */
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
};

/* 1 if text[0..len) is PEM whose first block is labelled "TSS2 PRIVATE KEY". */
int igos_tpmkey_is_pem(const char *text, size_t len);
/*
 * The DER of a TSS2 loadable key, strictly: optional fields that igos does
 * not implement ([1] policy, [2] secret, any other) are refused by name;
 * emptyAuth TRUE may be written 0x01 (as the provider does) or 0xFF (DER).
 * The public part must be an unrestricted RSA or ECC P-256 signing key.
 */
int igos_tpmkey_parse_der(struct igos_tpmkey *k, const unsigned char *der, size_t len);
/* The same from the PEM text (one "TSS2 PRIVATE KEY" block). */
int igos_tpmkey_parse_pem(struct igos_tpmkey *k, const char *text, size_t len);
/* The key as DER / as PEM text (NUL-terminated); malloc'd, length in *len. */
unsigned char *igos_tpmkey_der(const struct igos_tpmkey *k, size_t *len);
char *igos_tpmkey_pem(const struct igos_tpmkey *k, size_t *len);
/* The public key of the file as OpenSSL sees it. */
EVP_PKEY *igos_tpmkey_pubkey(const struct igos_tpmkey *k);

/* A connection to the TPM holding one loaded key. */
struct igos_tpm;

/* Connect through the TCTI conf, else $TPM2TOOLS_TCTI, else the kernel's
 * resource manager (device:/dev/tpmrm0, the TSS2 default on Linux). */
struct igos_tpm *igos_tpm_open(const char *conf);
/*
 * Load k under its parent (the storage primary key made from the standard
 * template, or the persistent handle) in a salted HMAC session with AES-128
 * CFB parameter encryption, and set its auth value (auth may be NULL when the
 * key has none). A key this TPM cannot load gives "the key file was made by
 * another TPM, or this TPM was cleared". `what` names the key in messages.
 */
int igos_tpm_load(struct igos_tpm *t, const struct igos_tpmkey *k, const char *auth,
		  const char *what);
/*
 * Make an RSA signing key of `bits` inside the TPM under the storage primary
 * key (sign only, scheme left to the signer), with auth value auth (NULL or
 * "" for none), and load it: *k is its key file.
 */
int igos_tpm_create_rsa(struct igos_tpm *t, int bits, const char *auth, struct igos_tpmkey *k);
/*
 * Sign a digest made with md with the loaded key: RSA PKCS#1 v1.5 (RSASSA)
 * or ECDSA (DER Ecdsa-Sig-Value). A wrong auth value fails once and every
 * later call fails too, without asking the TPM again.
 */
int igos_tpm_sign(struct igos_tpm *t, const EVP_MD *md, const unsigned char *dgst,
		  size_t dlen, unsigned char **sig, size_t *siglen);
/* Flush every handle and disconnect. */
void igos_tpm_close(struct igos_tpm *t);

#endif
