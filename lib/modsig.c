/* Kernel module signatures: the trailer sign-file appends, checked as the kernel does. */
#include <stdlib.h>
#include <string.h>

#include "modsig.h"

int
igos_elf_is_rel(const unsigned char *d, size_t len)
{
	unsigned type;

	if (len < 52 || memcmp(d, "\177ELF", 4) != 0)
		return 0;
	if (d[4] != 1 && d[4] != 2)   /* ELFCLASS32/64 */
		return 0;
	if (d[4] == 2 && len < 64)
		return 0;
	if (d[5] == 1)                /* ELFDATA2LSB */
		type = d[16] | d[17] << 8;
	else if (d[5] == 2)
		type = d[16] << 8 | d[17];
	else
		return 0;
	return type == 1;             /* ET_REL */
}

int
igos_modsig_parse(const unsigned char *d, size_t len, struct igos_modsig *m)
{
	const unsigned char *info;
	uint32_t sl;

	memset(m, 0, sizeof(*m));
	m->mod_len = len;
	if (len < IGOS_MODSIG_MAGIC_LEN ||
	    memcmp(d + len - IGOS_MODSIG_MAGIC_LEN, IGOS_MODSIG_MAGIC, IGOS_MODSIG_MAGIC_LEN))
		return 0;
	if (len < IGOS_MODSIG_TRAILER_LEN)
		return igos_seterr("module signature trailer truncated");
	info = d + len - IGOS_MODSIG_TRAILER_LEN;
	/* algo, hash, id_type, signer_len, key_id_len, pad[3], be32 sig_len */
	if (info[0] || info[1] || info[2] != 2 || info[3] || info[4] || info[5] || info[6] ||
	    info[7])
		return igos_seterr("module signature is not a plain PKCS#7 one (id_type %u)",
				   info[2]);
	sl = (uint32_t)info[8] << 24 | (uint32_t)info[9] << 16 | (uint32_t)info[10] << 8 |
	     info[11];
	/* >=: the kernel (mod_check_sig) wants at least one byte of module */
	if (sl == 0 || sl >= len - IGOS_MODSIG_TRAILER_LEN)
		return igos_seterr("module signature length %u overflows the file", sl);
	m->is_signed = 1;
	m->sig_len = sl;
	m->mod_len = len - IGOS_MODSIG_TRAILER_LEN - sl;
	m->sig = d + m->mod_len;
	return 0;
}

void
igos_modsig_trailer(unsigned char out[IGOS_MODSIG_TRAILER_LEN], uint32_t sl)
{
	memset(out, 0, IGOS_MODSIG_INFO_LEN);
	out[2] = 2; /* PKEY_ID_PKCS7 */
	out[8] = (unsigned char)(sl >> 24);
	out[9] = (unsigned char)(sl >> 16);
	out[10] = (unsigned char)(sl >> 8);
	out[11] = (unsigned char)sl;
	memcpy(out + IGOS_MODSIG_INFO_LEN, IGOS_MODSIG_MAGIC, IGOS_MODSIG_MAGIC_LEN);
}
