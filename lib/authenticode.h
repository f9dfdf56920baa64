/*
 * Authenticode for PE/COFF images, held to what EDK2 and shim accept: the
 * digest ranges, the certificate table, SpcIndirectDataContent and the
 * verification of one PKCS#7 signature. Parsers take (pointer, length).
 */
#ifndef IGOS_AUTHENTICODE_H
#define IGOS_AUTHENTICODE_H

#include "igos.h"

#define IGOS_AC_SPC_INDIRECT_OID "1.3.6.1.4.1.311.2.1.4"
#define IGOS_AC_MAX_RANGES (IGOS_PE_MAX_SECTIONS + 4)
#define IGOS_AC_MAX_CERTS 64
#define IGOS_WIN_CERT_REVISION 0x0200
#define IGOS_WIN_CERT_TYPE_PKCS 0x0002

/*
 * igos_pe_parse plus what signing and verifying need on top: no overlapping
 * sections, no gaps between them (firmware and the peers hash such images
 * differently), and a certificate table that lies after the sections, starts
 * 8-aligned and ends exactly at the end of the file.
 */
int igos_ac_parse(struct igos_pe *pe, const unsigned char *data, size_t len);

/* 1 if the image has a certificate table (SecurityDir.Size != 0). */
int igos_ac_is_signed(const struct igos_pe *pe);
/* The image without its certificate table: cert_off if signed, else len. */
size_t igos_ac_content_end(const struct igos_pe *pe);

struct igos_ac_range {
	size_t off, len;
};

/* The hashed ranges in hashing order (at most IGOS_AC_MAX_RANGES); their
 * count, or -1. Requires a pe that passed igos_ac_parse. */
int igos_ac_ranges(const struct igos_pe *pe, struct igos_ac_range *r);

enum {
	IGOS_AC_DROP_PAGES = 1 << 0, /* data is an mmap: drop pages once hashed */
	IGOS_AC_READ_FD = 1 << 1,    /* igos_ac_digests: hash what dg->fd holds */
};

/*
 * The Authenticode digest as a signer embeds it (`pesign -h -P`): for an
 * unsigned image whose size is not a multiple of 8 the zero padding a signer
 * adds is hashed too. If wordsum is not NULL it receives the sum of the
 * little-endian 16-bit words of the hashed bytes at their file offsets (the
 * PE checksum of everything but CheckSum and the Certificate Table entry).
 */
int igos_ac_digest(const struct igos_pe *pe, const EVP_MD *md, unsigned char *out,
		   uint64_t *wordsum, int flags);
/*
 * The same, the bytes read with pread from fd, the file pe->data maps, into a
 * small buffer: in a virtual machine, hashing straight from a mapping costs up
 * to twice the CPU (page walks), a read into the cache much less (issue 27).
 */
int igos_ac_digest_fd(const struct igos_pe *pe, int fd, const EVP_MD *md, unsigned char *out,
		      uint64_t *wordsum);

/* Sum of the 16-bit little-endian words of p[0..len) lying at file offset off
 * (a byte at an odd offset is a high byte). */
uint64_t igos_ac_wordsum(const unsigned char *p, size_t len, uint64_t off);
/* The PE checksum from a word sum and the file length. */
uint32_t igos_ac_checksum(uint64_t wordsum, uint64_t filelen);

/* One WIN_CERTIFICATE. */
struct igos_ac_cert {
	size_t off;               /* offset of its header in the walked buffer's file */
	uint32_t dwlength;
	uint16_t revision, type;
	const unsigned char *der; /* the PKCS#7, dwLength - 8 bytes */
	size_t derlen;
};

/*
 * Walk a certificate table of len bytes lying at file offset base, as EDK2
 * does: each entry 8-aligned, 8 < dwLength, dwLength and its padding within
 * the table, the walk ending exactly at the end; revision 2.0 and type
 * PKCS_SIGNED_DATA only (stricter than EDK2 and shim, which skip others).
 */
int igos_ac_walk(const unsigned char *tbl, size_t len, size_t base,
		 struct igos_ac_cert *c, unsigned max, unsigned *n);
/* The same over a parsed image's table (0 entries if unsigned). */
int igos_ac_certs(const struct igos_pe *pe, struct igos_ac_cert *c, unsigned max,
		  unsigned *n);

/* SpcIndirectDataContent (DER) for a PE image digest. Heap result. */
unsigned char *igos_ac_spc_build(const EVP_MD *md, const unsigned char *dg,
				 size_t dlen, size_t *outlen);
/* Parse one: the digest's algorithm and the digest (pointing into der). */
int igos_ac_spc_parse(const unsigned char *der, size_t len, const EVP_MD **md,
		      const unsigned char **dg, size_t *dlen);

/* What `list` shows of one signature. */
struct igos_ac_siginfo {
	char subject[512];
	char issuer[512];
	char serial[132];
	char digest[16];
	char key[32];
};

/* Describe the first signer of a DER PKCS#7 SignedData. certs (may be NULL)
 * are searched for the signer's certificate when the PKCS#7 holds none. */
int igos_ac_siginfo(const unsigned char *der, size_t len, STACK_OF(X509) *certs,
		    struct igos_ac_siginfo *si);

/* Image digests computed once per algorithm while verifying. */
struct igos_ac_digests {
	const struct igos_pe *pe;
	int flags;
	int fd;                   /* with IGOS_AC_READ_FD */
	unsigned n;
	int nid[4];
	unsigned char d[4][IGOS_MAX_MD];
};

/*
 * The form EDK2 needs before it looks further: an outer SEQUENCE with a
 * two-byte length (so 256 B to 64 KiB) and the one digest algorithm's OID at
 * offset 32. Gives that algorithm.
 */
int igos_ac_firmware_form(const unsigned char *der, size_t len, const EVP_MD **md);

/*
 * Verify one Authenticode PKCS#7 as EDK2 and shim do, the stricter of the
 * two: the firmware form above, SignedData with SpcIndirectDataContent, a
 * SHA-256 image digest (shim) equal to the image's, the signature valid over
 * the content, one signer whose embedded certificate has an RSA key of 2048
 * to 4096 bits signing with PKCS#1 v1.5 and SHA-256 (OVMF and shim have no
 * EC), and, when trusted is not NULL, the signer chaining to one of trusted
 * (partial chains allowed, time and key usage ignored).
 */
int igos_ac_verify(const unsigned char *der, size_t len, struct igos_ac_digests *dg,
		   STACK_OF(X509) *trusted);

/*
 * Verify a detached PKCS#7 over data[0..len) (module signatures): the signer
 * is looked up in certs (the PKCS#7 may carry none) and must be one of them
 * or chain to one of them.
 */
int igos_p7_verify_detached(const unsigned char *der, size_t derlen,
			    const unsigned char *data, size_t len, STACK_OF(X509) *certs);

/*
 * Read one DER TLV with the given tag from *p (*left bytes), definite lengths
 * only: its value (val, vlen) and the whole TLV (whole, wlen), each when not
 * NULL; *p and *left move past it. 0, or -1 (no message) if it is not there.
 */
int igos_der_get(const unsigned char **p, size_t *left, unsigned tag,
		 const unsigned char **val, size_t *vlen, const unsigned char **whole,
		 size_t *wlen);

/* A distinguished name on one line, as shown to a person ("?" if it cannot be
 * printed), cut to fit out[size]. */
void igos_x509_name_str(const X509_NAME *n, char *out, size_t size);

#endif
