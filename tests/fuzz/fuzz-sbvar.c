/* Authenticated variable updates (EFI_VARIABLE_AUTHENTICATION_2 + signature
 * lists) as igos-sbkeys dbx reads a vendor's .auth, and the signature lists
 * after it. */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "igos.h"
#include "efivar.h"
#include "sbvar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_sbauth a;
	struct igos_esl_entry *e = NULL;
	size_t n;

	if (igos_sbauth_parse(data, size, &a) == 0) {
		STACK_OF(X509) *certs;

		/* every piece lies inside the input and they tile it */
		if (a.sig != data + IGOS_SBAUTH_HDR || a.sig + a.siglen != a.data ||
		    a.data + a.len != data + size)
			abort();
		if ((certs = igos_sbauth_certs(&a)) != NULL)
			sk_X509_pop_free(certs, X509_free);
		if (igos_esl_parse(a.data, a.len, &e, &n) == 0)
			free(e);
	}
	igos_ssl_clear();
	if (size >= 1 && size <= 64) {
		char s[65];
		unsigned char g[16], t[IGOS_EFI_TIME_SIZE];

		memcpy(s, data, size);
		s[size] = '\0';
		(void)igos_guid_parse(s, g);
		(void)igos_efi_time_parse(s, t);
		(void)igos_sbvar_guid(s);
	}
	return 0;
}
