/*
 * Linux kernel module signatures (scripts/sign-file.c,
 * include/linux/module_signature.h): module || CMS || struct
 * module_signature || "~Module signature appended~\n".
 */
#ifndef IGOS_MODSIG_H
#define IGOS_MODSIG_H

#include "igos.h"

#define IGOS_MODSIG_MAGIC "~Module signature appended~\n"
#define IGOS_MODSIG_MAGIC_LEN 28
#define IGOS_MODSIG_INFO_LEN 12
#define IGOS_MODSIG_TRAILER_LEN (IGOS_MODSIG_INFO_LEN + IGOS_MODSIG_MAGIC_LEN)

/* 1 if data[0..len) starts with an ELF header of a relocatable object (ET_REL). */
int igos_elf_is_rel(const unsigned char *data, size_t len);

struct igos_modsig {
	int is_signed;
	size_t mod_len;           /* the module without its signature */
	const unsigned char *sig; /* the CMS (DER), pointing into data */
	size_t sig_len;
};

/* Split a module into its bytes and its signature, checking the trailer as
 * the kernel does (id_type PKCS#7, every other field zero). */
int igos_modsig_parse(const unsigned char *data, size_t len, struct igos_modsig *m);

/* The 40-byte trailer that follows a CMS of sig_len bytes. */
void igos_modsig_trailer(unsigned char out[IGOS_MODSIG_TRAILER_LEN], uint32_t sig_len);

#endif
