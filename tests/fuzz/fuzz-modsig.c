/* The kernel module signature trailer and the ELF check igos-sign uses for
 * modules; a parsed signature's PKCS#7 goes to the same reader igos-sign
 * verify uses. */
#include "authenticode.h"
#include "modsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_modsig m;
	struct igos_ac_siginfo si;

	(void)igos_elf_is_rel(data, size);
	if (igos_modsig_parse(data, size, &m) == 0 && m.is_signed)
		(void)igos_ac_siginfo(m.sig, m.sig_len, NULL, &si);
	igos_ssl_clear();
	return 0;
}
