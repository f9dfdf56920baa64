/* Between the library's own files: the PKCS#11 side of the signer. */
#ifndef IGOS_INTERNAL_H
#define IGOS_INTERNAL_H

#include "igos.h"

struct igos_p11;

/* Find the one private key a pkcs11: URI names, log in once, and return it
 * with its public key (*pub, owned by the caller). */
struct igos_p11 *igos_p11_open_key(const char *uri, const struct igos_signer_opts *opts,
				   EVP_PKEY **pub);
/* C_SignInit + C_Sign with a mechanism without parameters (CKM_RSA_PKCS,
 * CKM_ECDSA, CKM_EDDSA). *sig is malloc'd. */
int igos_p11_sign(struct igos_p11 *p, unsigned long mech, const unsigned char *in,
		  size_t inlen, unsigned char **sig, size_t *siglen);
void igos_p11_close(struct igos_p11 *p);
X509 *igos_p11_load_cert(const char *uri);
/* The public key (or certificate's key) a pkcs11: URI names, without login. */
EVP_PKEY *igos_p11_load_pubkey(const char *uri);

/* The message with each `from` replaced by `to` (cut to fit); 0 if there
 * was none. igos_errmsg_cut() ends the message at byte `at` with `tail`. */
int igos_errmsg_replace(const char *from, const char *to);
void igos_errmsg_cut(size_t at, const char *tail);
/* After a failure with the key or certificate reference ref: the message
 * shows ref only as igos_ref_shown() does (no PIN), even if it was cut short
 * in the middle of the reference. */
void igos_ref_scrub_errmsg(const char *ref);

#endif
