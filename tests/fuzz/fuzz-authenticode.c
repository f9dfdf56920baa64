/* Authenticode and module signatures: the image checks and digest ranges, the
 * certificate table walk, SpcIndirectDataContent, the PKCS#7 readers, and the
 * module signature trailer, over arbitrary bytes. */
#include "authenticode.h"
#include "modsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_pe pe;
	struct igos_ac_cert c[IGOS_AC_MAX_CERTS];
	struct igos_ac_siginfo si;
	struct igos_modsig m;
	const unsigned char *dg;
	const EVP_MD *md;
	unsigned n;
	size_t dl;

	if (igos_ac_parse(&pe, data, size) == 0) {
		struct igos_ac_digests d = { .pe = &pe };
		unsigned char out[IGOS_MAX_MD];
		uint64_t ws;

		(void)igos_ac_digest(&pe, EVP_sha256(), out, &ws, 0);
		if (igos_ac_certs(&pe, c, IGOS_AC_MAX_CERTS, &n) == 0)
			for (unsigned i = 0; i < n; i++) {
				(void)igos_ac_siginfo(c[i].der, c[i].derlen, NULL, &si);
				(void)igos_ac_verify(c[i].der, c[i].derlen, &d, NULL);
			}
	}
	(void)igos_ac_walk(data, size, 0, c, IGOS_AC_MAX_CERTS, &n);
	(void)igos_ac_spc_parse(data, size, &md, &dg, &dl);
	(void)igos_ac_firmware_form(data, size, &md);
	if (igos_modsig_parse(data, size, &m) == 0 && m.is_signed)
		(void)igos_ac_siginfo(m.sig, m.sig_len, NULL, &si);
	igos_ssl_clear();
	return 0;
}
