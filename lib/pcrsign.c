/* .pcrsig with an igos signer (file key or token): kept apart from pcr.c so
 * that parsing and prediction link without the signer code. */
#include "pcr.h"

static int
sign_cb(void *ctx, const EVP_MD *md, const unsigned char *dgst, size_t dlen,
	unsigned char **sig, size_t *siglen)
{
	return igos_signer_sign_digest(ctx, md, dgst, dlen, sig, siglen);
}

char *
igos_pcrsig_build_signer(const struct igos_pcr_input *in, unsigned banks,
			 const char *const *phases, size_t nphases, struct igos_signer *s)
{
	if (igos_signer_type(s) != IGOS_KEY_RSA) {
		igos_seterr("a PCR policy needs an RSA key: systemd's TPM-side check uses "
			    "RSASSA");
		return NULL;
	}
	return igos_pcrsig_build(in, banks, phases, nphases, igos_signer_pubkey(s), sign_cb, s);
}
