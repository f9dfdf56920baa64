/*
 * libigos: what the igos commands share. Functions never print and never exit;
 * they return 0 / -1 (or NULL) and leave a one-line message in igos_errmsg().
 */
#ifndef IGOS_H
#define IGOS_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#define IGOS_VERSION "0.1"

/* ---- errors (err.c) ------------------------------------------------------ */

/* The last message set by a failing library call ("cannot open 'x': ..."). */
const char *igos_errmsg(void);
/* Set the message; always returns -1 so callers can `return igos_seterr(...)`. */
int igos_seterr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, with ": strerror(errno)" appended (errno is read before anything else). */
int igos_seterr_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, with ": <reason of the last OpenSSL error>" appended; the queue is kept
 * for tools that dump it under -v, and cleared by igos_ssl_clear(). */
int igos_seterr_ssl(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void igos_ssl_clear(void);

/* ---- input (file.c) ------------------------------------------------------ */

/* A whole input in private memory ("-" is stdin). `len` is exact; `data` may
 * be NULL when len == 0. `mapped` is set only by a caller that mapped the
 * buffer itself (igos_buf_free then unmaps it). */
struct igos_buf {
	unsigned char *data;
	size_t len;
	int mapped;
};

/* Read `path` whole, once, with read(): the bytes a caller verifies are the
 * bytes it goes on to use, whatever happens to the file meanwhile. Refuses
 * directories and inputs longer than `max` bytes (0 = no limit). */
int igos_buf_read(struct igos_buf *b, const char *path, size_t max);
void igos_buf_free(struct igos_buf *b);
/* Read at most `max` bytes of a small text or key file into a NUL-terminated
 * heap string (the length is returned through len if not NULL). */
char *igos_read_small(const char *path, size_t max, size_t *len);

/* ---- atomic output (file.c) ---------------------------------------------- */

enum {
	IGOS_OUT_EXCL = 1 << 0,     /* fail if the target exists */
	IGOS_OUT_NOFOLLOW = 1 << 1, /* refuse a target that is a symbolic link */
};

/*
 * An output being written: an unnamed temporary file in the target's
 * directory (O_TMPFILE; a named ".name.XXXXXX" one where the filesystem has
 * none, e.g. vfat), made visible by igos_out_commit() with fsync, rename and
 * fsync of the directory. "-" writes to stdout (no temp, no fsync).
 */
struct igos_out {
	int fd;
	int dirfd;
	int is_stdout;
	int flags;
	mode_t mode;
	char *path;     /* target as given */
	char *base;     /* target's last component */
	char *tmpname;  /* named temp in dirfd, or NULL for O_TMPFILE */
	off_t written;
};

/* mode: the final mode; 0 keeps an existing target's mode, else 0666 & ~umask. */
int igos_out_open(struct igos_out *o, const char *path, mode_t mode, int flags);
int igos_out_write(struct igos_out *o, const void *buf, size_t len);
/* Append len bytes of fd from offset off (copy_file_range, else read/write). */
int igos_out_copy(struct igos_out *o, int fd, off_t off, size_t len);
/* Write len zero bytes. */
int igos_out_zero(struct igos_out *o, size_t len);
/* Positioned write into what has been written so far (headers patched late). */
int igos_out_pwrite(struct igos_out *o, const void *buf, size_t len, off_t off);
int igos_out_commit(struct igos_out *o);
/* Drop the output; the target is untouched. Safe after a failed commit. */
void igos_out_abort(struct igos_out *o);
/* One call: write buf atomically to path. */
int igos_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
		      int flags);

/* ---- encodings (encode.c) ------------------------------------------------ */

/* Lowercase hex; out must hold 2*len+1 bytes. */
void igos_hex_encode(const void *in, size_t len, char *out);
/* Exactly 2*outlen hex digits (either case) from s[0..slen); anything else is
 * an error. */
int igos_hex_decode(const char *s, size_t slen, void *out, size_t outlen);
/* Hex of any even length: returns a heap buffer and its length, or NULL. */
unsigned char *igos_hex_decode_alloc(const char *s, size_t slen, size_t *outlen);
/* Standard base64 with padding, no line breaks; returns a heap string. */
char *igos_base64_encode(const void *in, size_t len);
/* Strict: canonical padding, no whitespace, unused bits zero. Heap result. */
unsigned char *igos_base64_decode(const char *s, size_t slen, size_t *outlen);

/* ---- digests (digest.c) -------------------------------------------------- */

#define IGOS_MAX_MD 64

/* The EVP_MD for "sha1", "sha256", "sha384", "sha512"; NULL (with message)
 * for anything else. */
const EVP_MD *igos_md(const char *name);
int igos_digest(const EVP_MD *md, const void *buf, size_t len, unsigned char *out);
/* Digest of a whole file ("-" = stdin), streamed. */
int igos_digest_file(const EVP_MD *md, const char *path, unsigned char *out,
		     uint64_t *size);

/* ---- keys and signers (signer.c, pkcs11.c) ------------------------------- */

enum igos_key_type {
	IGOS_KEY_RSA = 1,
	IGOS_KEY_EC_P256,
	IGOS_KEY_ED25519,
};

struct igos_signer_opts {
	const char *pin_file;  /* --pin-file, or NULL */
	int force_final_try;   /* allow a login on CKF_USER_PIN_FINAL_TRY */
};

struct igos_signer;

/*
 * Open a key reference: a PEM private key file (refused if group or others
 * may read it) or an RFC 7512 "pkcs11:" URI (token keys are used on the
 * token, never read out). opts may be NULL.
 */
struct igos_signer *igos_signer_open(const char *ref,
				     const struct igos_signer_opts *opts);
void igos_signer_free(struct igos_signer *s);
/*
 * A key or certificate reference as a message may show it: ref itself, or in
 * buf (cut to size) a copy with the value of every pin-value attribute
 * replaced by "..." (and any piece that follows it before the next attribute,
 * in case the PIN held a separator). Any string is accepted, a URI too broken
 * to parse or a file name: no message ever shows a PIN.
 */
#define IGOS_REF_SHOWN_MAX 1024
const char *igos_ref_shown(const char *ref, char *buf, size_t size);
/* The public key (owned by the signer). */
EVP_PKEY *igos_signer_pubkey(const struct igos_signer *s);
enum igos_key_type igos_signer_type(const struct igos_signer *s);
int igos_signer_bits(const struct igos_signer *s);
int igos_signer_is_token(const struct igos_signer *s);
/*
 * Sign a digest made with md (RSA: PKCS#1 v1.5 over DigestInfo; ECDSA: the
 * result is DER Ecdsa-Sig-Value, as X.509 and CMS carry it). Ed25519 cannot
 * sign a digest: use igos_signer_sign_msg. *sig is malloc'd.
 */
int igos_signer_sign_digest(struct igos_signer *s, const EVP_MD *md,
			    const unsigned char *dgst, size_t dlen,
			    unsigned char **sig, size_t *siglen);
/* Sign a message: RSA and ECDSA hash it with md first; Ed25519 signs it whole
 * (md must be NULL for Ed25519). */
int igos_signer_sign_msg(struct igos_signer *s, const EVP_MD *md,
			 const unsigned char *msg, size_t len,
			 unsigned char **sig, size_t *siglen);

/* ECDSA P-256 signatures: DER Ecdsa-Sig-Value <-> raw r||s (64 bytes). */
int igos_ecdsa_der_to_raw(const unsigned char *der, size_t len, unsigned char raw[64]);
unsigned char *igos_ecdsa_raw_to_der(const unsigned char raw[64], size_t *len);

/* Certificates from a PEM or DER file, or a "pkcs11:...;type=cert" URI. */
X509 *igos_cert_load(const char *ref);
/* All certificates of a PEM or DER file (a PEM file may hold several). */
STACK_OF(X509) *igos_certs_load(const char *path);
/* 0 if cert's public key is the signer's key, else -1 with a message. */
int igos_cert_matches(X509 *cert, const struct igos_signer *s);
/* Public key from a PEM/DER file (SubjectPublicKeyInfo, or a certificate). */
EVP_PKEY *igos_pubkey_load(const char *path);

/* Read a PIN or password: a file (regular, ours, mode 0600 or stricter, one
 * trailing newline dropped) or, with path NULL, a prompt on /dev/tty with
 * echo off. The result is wiped and freed with igos_secret_free. */
char *igos_secret_read(const char *path, const char *prompt, size_t max);
void igos_secret_free(char *s);

/* ---- PKCS#7 SignedData with any signer (pkcs7.c) -------------------------- */

enum {
	IGOS_P7_NOCERTS = 1 << 0,  /* do not embed the signer certificate */
	IGOS_P7_NOATTR = 1 << 1,   /* no signed attributes */
	IGOS_P7_DETACHED = 1 << 2, /* content not embedded */
	IGOS_P7_MD_NOPARAM = 1 << 3, /* digest algorithms without a NULL parameter,
				      * as CMS (and so the kernel's sign-file) writes them */
};

/*
 * A SignedData with one signer (issuerAndSerialNumber) over `content`.
 * content_oid NULL means id-data with content as the data bytes; otherwise
 * content is the DER of the value of an [0] EXPLICIT content of that type
 * (Authenticode's SpcIndirectDataContent) and the messageDigest attribute
 * covers its contents octets, as Authenticode requires. Returns a malloc'd DER.
 */
unsigned char *igos_pkcs7_sign(struct igos_signer *s, X509 *cert, const EVP_MD *md,
			       const char *content_oid, const unsigned char *content,
			       size_t content_len, int flags, size_t *outlen);

/* Sign an X.509 certificate (or CSR-less self-signed cert) with a signer. */
int igos_x509_sign(X509 *x, struct igos_signer *s, const EVP_MD *md);

/* ---- PE/COFF (pe.c) ------------------------------------------------------ */

#define IGOS_PE_MAX_SECTIONS 96

struct igos_pe_section {
	char name[9];           /* NUL-terminated, up to 8 characters */
	uint32_t vsize, vaddr;  /* VirtualSize, VirtualAddress */
	uint32_t raw_size, raw_off; /* SizeOfRawData, PointerToRawData */
	uint32_t flags;         /* Characteristics */
	size_t hdr_off;         /* file offset of this 40-byte header */
};

struct igos_pe {
	const unsigned char *data; /* the image, borrowed */
	size_t len;
	int pe32plus;
	uint32_t pe_off;          /* e_lfanew */
	uint32_t opt_off;         /* optional header */
	uint16_t opt_size;
	uint16_t machine, characteristics, subsystem, dll_characteristics;
	uint32_t checksum_off;    /* offset of CheckSum */
	uint32_t section_align, file_align, size_of_headers, size_of_image;
	uint64_t image_base;
	uint32_t entry;
	uint32_t ndirs;           /* NumberOfRvaAndSizes */
	uint32_t dirs_off;        /* file offset of DataDirectory[0] */
	uint32_t secdir_off;      /* file offset of DataDirectory[4], 0 if absent */
	uint32_t cert_off, cert_size; /* Certificate Table (a file offset) */
	uint32_t symtab_off, nsyms;   /* COFF symbol table */
	uint32_t shdr_off;        /* file offset of the section table */
	unsigned nsections;
	struct igos_pe_section sec[IGOS_PE_MAX_SECTIONS];
};

/* Parse headers and the section table of data[0..len), checking every bound.
 * Sections may lie past EOF only if SizeOfRawData is 0. */
int igos_pe_parse(struct igos_pe *pe, const unsigned char *data, size_t len);
/* The section called name, or NULL. */
const struct igos_pe_section *igos_pe_section(const struct igos_pe *pe, const char *name);
/* PE checksum of data as if the CheckSum field at csum_off were zero. */
uint32_t igos_pe_checksum(const unsigned char *data, size_t len, size_t csum_off);

/* ---- little-endian fields (PE/COFF, EFI, verity: all little-endian) ------- */

static inline uint16_t
igos_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
igos_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
igos_le64(const unsigned char *p)
{
	return igos_le32(p) | (uint64_t)igos_le32(p + 4) << 32;
}

static inline void
igos_put_le16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void
igos_put_le32(unsigned char *p, uint32_t v)
{
	igos_put_le16(p, (uint16_t)v);
	igos_put_le16(p + 2, (uint16_t)(v >> 16));
}

/* ---- small helpers (util.c) ---------------------------------------------- */

/* A growable NUL-terminated byte string: start zeroed, free(t.p) when done. */
struct igos_text {
	char *p;
	size_t len, cap;
};

/* Append n bytes (p may hold NULs); 0, or -1 when out of memory. */
int igos_text_add(struct igos_text *t, const void *p, size_t n);

/* Parse a whole decimal unsigned number (no sign, no leading zero unless "0"). */
int igos_parse_u64(const char *s, uint64_t *out);
/* Print "prog 0.1" to stdout. */
void igos_print_version(const char *prog);

/*
 * Bytes from an input shown to a person (a section of a UKI, a certificate
 * subject, a name in an index): nothing in them may drive the terminal or
 * hide what follows. Well-formed UTF-8 is kept as it is, except C1 controls
 * and bidirectional embeddings, overrides and isolates (\u009b, \u202e); other
 * control bytes and DEL become \xNN (\n and \t as such, or kept with
 * IGOS_ESC_LINES for a multi-line text shown whole), a byte that is not UTF-8
 * \xNN, and \ itself \\, so that the escaped form is unambiguous.
 */
enum { IGOS_ESC_LINES = 1 << 0 };
/* Append the escaped form of p[0..n) to t; 0, or -1 out of memory. */
int igos_text_escape(struct igos_text *t, const void *p, size_t n, int flags);
/* The escaped form as a new NUL-terminated string (free it), or NULL. */
char *igos_escape(const void *p, size_t n, int flags);
/* Write the escaped form to f; 0, or -1 (out of memory, write error). */
int igos_print_escaped(FILE *f, const void *p, size_t n, int flags);

#endif
