/*
 * libigos: what the igos commands share. Functions never print and never exit;
 * they return 0 / -1 (or NULL) and leave a one-line message in igos_errmsg().
 */
#ifndef IGOS_H
#define IGOS_H

#include <getopt.h>
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
/* An input read only if it holds exactly `len` bytes (a signed size): no
 * further than len + 1 bytes, into private memory. Returns -1 on an error
 * (message set), else 0 with *cmp 0 (b holds the bytes), or -1 or 1 for an
 * input shorter or longer than len (b empty, no message: the caller says it). */
int igos_buf_read_exact(struct igos_buf *b, const char *path, size_t len, int *cmp);
/* Whether fd is a regular file whose stated size is its content, so that it
 * may be mapped or copied by offset (procfs and sysfs files are not: read them
 * with igos_buf_read). */
struct stat;
int igos_fd_regular(int fd, const struct stat *st);
/* open(path, flags) (close-on-exec, no controlling tty) and fstat it: the
 * fd, or -1 with "cannot open 'path': ..." or "cannot stat 'path': ...". */
int igos_open_stat(const char *path, int flags, struct stat *st);
/* pread (wr 0) or pwrite (wr 1) all len bytes at offset off, again on EINTR.
 * 0, or -1 with errno set (0 at the end of the file on a read) and *at (when
 * not NULL) the offset where it stopped; no message. */
int igos_pio_all(int fd, void *buf, size_t len, uint64_t off, int wr, uint64_t *at);
/* Open an input for reading ("-" is stdin) and stat it; a directory is
 * refused. The fd, or -1 with a message. */
int igos_input_open(const char *path, struct stat *st);
/* read() once (again on EINTR; at most 1 GiB): the count, 0 at the end, or -1
 * with "cannot read 'path': <reason>". */
ssize_t igos_read(int fd, void *buf, size_t len, const char *path);

/* ---- atomic output (file.c) ---------------------------------------------- */

enum {
	IGOS_OUT_EXCL = 1 << 0,     /* fail if the target exists */
	IGOS_OUT_NOFOLLOW = 1 << 1, /* refuse a target that is a symbolic link */
	IGOS_OUT_DEVICE = 1 << 2,   /* a block device target is a device image:
				     * written in place, then fsync'd */
	IGOS_OUT_SEEKABLE = 1 << 3, /* the caller writes at offsets: refuse a
				     * character device or a FIFO */
};

/*
 * An output being written. What the target is decides how, once, on the
 * target as opened (O_PATH, no check-then-use):
 *   absent, a regular file: an unnamed temporary file in the target's
 *     directory (O_TMPFILE; a named ".name.XXXXXXXX~" one where the filesystem
 *     has none, e.g. vfat), made visible by igos_out_commit() with fsync,
 *     rename and fsync of the directory; the rename never replaces anything
 *     but a regular file or a symbolic link (checked on what it replaced);
 *   a character device or a FIFO (/dev/null, /dev/stdout, /proc/self/fd/N,
 *     a named pipe): written in place as a stream, like "-" (stdout);
 *     never renamed over, unlinked or chmod'ed; opening a FIFO waits for a
 *     reader, as a shell redirection does;
 *   a block device, with IGOS_OUT_DEVICE: written in place, fsync'd at commit;
 *   a directory, a socket, a block device without IGOS_OUT_DEVICE: refused;
 *   a symbolic link: refused with IGOS_OUT_NOFOLLOW; else judged by what it
 *     points to, except that a link to a regular file (or to nothing) is
 *     itself replaced and its target left alone. A link through /proc to an
 *     open regular file (/dev/stdout, /proc/self/fd/N) is written in place.
 */
struct igos_out {
	int fd;
	int dirfd;
	int is_stdout;  /* "-" */
	int stream;     /* no positioned writes: stdout, a character device, a FIFO */
	int in_place;   /* written into the target itself (stream or device): no temp */
	int device;     /* a block device (IGOS_OUT_DEVICE) */
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
/* Positioned write into what has been written so far (headers patched late);
 * fails on a stream (o->stream). */
int igos_out_pwrite(struct igos_out *o, const void *buf, size_t len, off_t off);
int igos_out_commit(struct igos_out *o);
/* Drop the output; the target is untouched (a stream or a device written in
 * place keeps what was written). Safe after a failed commit. */
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
/* The value of one hex digit (either case), or -1. */
int igos_hex_digit(int c);
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
	const char *tcti;      /* --tcti: the TPM for TSS2 key files, or NULL */
};

/* --tcti CONF on every command that takes -k: an entry for the option table
 * and the value getopt returns for it (the tool stores optarg in opts.tcti). */
#define IGOS_OPT_TCTI 0x7443
#define IGOS_LONGOPT_TCTI { "tcti", required_argument, NULL, IGOS_OPT_TCTI }

struct igos_signer;

/*
 * Open a key reference: a PEM private key file (refused if group or others
 * may read it), an RFC 7512 "pkcs11:" URI (token keys are used on the
 * token, never read out), or a PEM "TSS2 PRIVATE KEY" file (the key is
 * loaded into the TPM named by opts->tcti and signs there). opts may be NULL.
 */
struct igos_signer *igos_signer_open(const char *ref,
				     const struct igos_signer_opts *opts);
/*
 * A new RSA signing key of `bits` made inside the TPM (opts->tcti) under the
 * storage primary key, with the auth value read from opts->pin_file (none
 * without it): a signer for it, and its key file (PEM "TSS2 PRIVATE KEY",
 * malloc'd) in *pem.
 */
struct igos_signer *igos_signer_tpm_new(int bits, const struct igos_signer_opts *opts,
					char **pem, size_t *pemlen);
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
/* 1 for a key that never leaves its hardware (a token or a TPM key). */
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
/* 0 if cert's public key is the signer's key, else -1 with a message. */
int igos_cert_matches(X509 *cert, const struct igos_signer *s);
/* A new self-signed X.509 v3 code-signing certificate for pkey: subject and
 * issuer `name`, a random positive 16-byte serial, valid from now for `days`,
 * CA:FALSE, digitalSignature, extended key usage `eku` (OpenSSL's text form,
 * "codeSigning,..."), subject and authority key identifiers; signed (SHA-256)
 * by `signer` (a token key) or, when it is NULL, by pkey itself. */
X509 *igos_cert_selfsigned(const X509_NAME *name, EVP_PKEY *pkey, struct igos_signer *signer,
			   int days, const char *eku);
/* The same certificate for an RSA public key, unsigned: the signature
 * algorithm (sha256WithRSAEncryption) set, the signature empty; what a
 * signing request carries for a token in another room to sign. */
X509 *igos_cert_selfsigned_unsigned(const X509_NAME *name, EVP_PKEY *pub, int days,
				    const char *eku);
/* Public key from a PEM/DER file (SubjectPublicKeyInfo, or a certificate), or
 * the public key or certificate a pkcs11: URI names, read without a login. */
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

/* The same over a detached id-data content given by its digest cdgst (made
 * with md): a module too large to carry to the signing host. */
unsigned char *igos_pkcs7_sign_dgst(struct igos_signer *s, X509 *cert, const EVP_MD *md,
				    const unsigned char *cdgst, int flags, size_t *outlen);
/* What igos_pkcs7_sign_dgst makes, around a signature value sig made
 * elsewhere (nothing is checked: verify sig first). */
unsigned char *igos_pkcs7_from_sig(X509 *cert, const EVP_MD *md, const unsigned char *cdgst,
				   int flags, const unsigned char *sig, size_t siglen,
				   size_t *outlen);
/* The DER SET OF signed attributes igos_pkcs7_sign would sign for cert (its
 * key's hash of them is what a signing request asks the token to sign). */
unsigned char *igos_pkcs7_attrs(X509 *cert, const EVP_MD *md, const char *content_oid,
				const unsigned char *content, size_t content_len, int flags,
				size_t *outlen);

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
/* The section called name, or NULL; a name longer than 8 bytes is found
 * through the COFF string table ("/N" in the header), as linkers write it. */
const struct igos_pe_section *igos_pe_section(const struct igos_pe *pe, const char *name);
/* PE checksum of data as if the CheckSum field at csum_off were zero. */
uint32_t igos_pe_checksum(const unsigned char *data, size_t len, size_t csum_off);

/* Sizes of the fields the Authenticode digest skips. */
#define IGOS_PE_CHECKSUM_SIZE 4u
#define IGOS_PE_DIRENT_SIZE 8u

/*
 * An image being edited: a private copy of its headers and section data,
 * with the parse kept in step with every edit, and sections added whose data
 * is supplied only when the image is written (a kernel or an initrd is copied
 * from its file then, never held in memory). Every edit checks the image's
 * own numbers before it uses them.
 */
struct igos_pe_edit {
	unsigned char *d;         /* headers and the original section data, edited */
	size_t len, cap;
	struct igos_pe pe;        /* pe.data == d; sections added are in pe.sec too */
	unsigned nadded;          /* the last nadded of pe.sec have their data outside d */
	uint64_t end;             /* file length: len plus the added sections' raw data */
};

/* Parse a copy of data[0..len) for editing (igos_pe_parse's checks). */
int igos_pe_edit_open(struct igos_pe_edit *e, const unsigned char *data, size_t len);
void igos_pe_edit_free(struct igos_pe_edit *e);
/*
 * Drop a COFF symbol table (an image should have none): only when it, with
 * its string table, lies after the headers and after every section's raw
 * data and ends the file; a table after them that does not end the file is
 * kept (as systemd's ukify does). A table anywhere else, or reaching past the
 * end of the file, is an error. Sets *stripped (if not NULL).
 */
int igos_pe_strip_symbols(struct igos_pe_edit *e, int *stripped);
/* Round each section's raw pointer and size, and SizeOfHeaders, up to
 * FileAlignment, moving the data with zeros between (for peers such as sbsign
 * that refuse gaps). */
int igos_pe_align_raw(struct igos_pe_edit *e);
/* Grow SizeOfHeaders to soh, moving every section's raw data up (the section
 * table gets room for more entries); sections must lie at or above soh in
 * memory. */
int igos_pe_grow_headers(struct igos_pe_edit *e, uint32_t soh);
/*
 * Add a section header for vsize bytes of data given at write time: its
 * VirtualAddress after the highest section, aligned to va_align (at least
 * SectionAlignment); its raw data at the end of the file, FileAlignment
 * aligned. Updates NumberOfSections, SizeOfInitializedData, SizeOfImage.
 * Returns the section's index, or -1 (no room in the headers, or past 4 GiB).
 */
int igos_pe_add_section(struct igos_pe_edit *e, const char *name, uint32_t vsize,
			uint32_t flags, uint32_t va_align);
/* Replace the data of an original section in place: len bytes (at most its
 * SizeOfRawData), zeros after; VirtualSize becomes len. */
int igos_pe_set_section_data(struct igos_pe_edit *e, unsigned idx, const void *data,
			     size_t len);
void igos_pe_set_dll_characteristics(struct igos_pe_edit *e, uint16_t v);
void igos_pe_set_checksum(struct igos_pe_edit *e, uint32_t v);
/* CheckSum computed over the image (no added sections). */
int igos_pe_update_checksum(struct igos_pe_edit *e);
/* The Certificate Table entry (a file offset and a size). */
int igos_pe_set_cert_table(struct igos_pe_edit *e, uint32_t off, uint32_t size);
/* Write the image to o: the edited bytes, then each added section's raw data
 * from emit (exactly its VirtualSize bytes; zero padding is added here). */
typedef int (*igos_pe_emit_fn)(struct igos_out *o, void *ctx, unsigned added_idx);
int igos_pe_edit_write(struct igos_pe_edit *e, struct igos_out *o, igos_pe_emit_fn emit,
		       void *ctx);

/*
 * Writing a signed image as it streams (igos-sign): the image's bytes up to
 * its content end with CheckSum and the Certificate Table entry set, zero
 * padding to 8, then the table, each entry padded to 8. Entries come from
 * memory or, with p NULL, from the input's fd at off (copied, not read).
 */
struct igos_pe_piece {
	const unsigned char *p;
	size_t off, len;
};
/* The body (everything but the CheckSum and the table entry, which are
 * patched in by igos_pe_write_signed) written ahead, from fd. */
int igos_pe_write_body(struct igos_out *o, const struct igos_pe *pe, int fd);
/* content_ws: igos_pe_content_wordsum; body_written: igos_pe_write_body ran;
 * fd: the input's fd, or -1 (bytes from pe->data). */
int igos_pe_write_signed(struct igos_out *o, const struct igos_pe *pe, int fd,
			 int body_written, uint64_t content_ws, const struct igos_pe_piece *pc,
			 unsigned npc);
/* Word sum of the image up to its content end without CheckSum and the table
 * entry; drop_pages: pe->data is a mapping whose pages may be dropped once read. */
uint64_t igos_pe_content_wordsum(const struct igos_pe *pe, int drop_pages);

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

static inline void
igos_put_le64(unsigned char *p, uint64_t v)
{
	igos_put_le32(p, (uint32_t)v);
	igos_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* ---- small helpers (util.c) ---------------------------------------------- */

/* A growable NUL-terminated byte string: start zeroed, free(t.p) when done. */
struct igos_text {
	char *p;
	size_t len, cap;
};

/* Append n bytes (p may hold NULs); 0, or -1 when out of memory. */
int igos_text_add(struct igos_text *t, const void *p, size_t n);
/* Append printf-formatted text; 0 or -1. */
int igos_text_printf(struct igos_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append p[0..n) as a quoted JSON string: " and \ escaped, \n \t \r as such,
 * other control bytes and DEL as \u00XX, the rest (UTF-8) as it is. */
int igos_json_str(struct igos_text *t, const void *p, size_t n);
/* 1 if s[0..len) is well-formed UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF), else 0. U+0000 is UTF-8: a caller that cannot
 * carry a NUL (a C string, a line of text) refuses it itself. */
int igos_utf8_valid(const void *s, size_t len);

/* Parse a whole decimal unsigned number (no sign, no leading zero unless "0"). */
int igos_parse_u64(const char *s, uint64_t *out);

/* ---- the command line (cli.c) --------------------------------------------- */

/*
 * The one part of the library that prints and exits: what every command's
 * main() shares, so that all of them speak alike. Errors are one line,
 * "prog: message"; exit 1 is a failure, 2 a usage error.
 */
/* set by -v/--verbose: failures print the whole OpenSSL error queue too */
extern int igos_verbose;

/* The program's name for messages, its --help text (to the FILE given), and
 * what to release before any exit through igos_die or igos_usage_err (a
 * token session, an output being written); usage and cleanup may be NULL. */
void igos_cli_init(const char *prog, void (*usage)(FILE *), void (*cleanup)(void));
const char *igos_prog(void);
/* "prog 0.1" to stdout. */
void igos_print_version(void);
void igos_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Under -v only, one line "prog: ..." on stderr: what the library passed over
 * on its own (a PKCS#11 module that would not initialise), for the one place
 * in lib/ that may say it without failing. */
void igos_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A failure: exit 1 (the OpenSSL queue first under -v). */
void igos_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* A failure with the library's last message. */
void igos_die_lib(void) __attribute__((noreturn));
/* A usage error: exit 2. */
void igos_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/*
 * Before mapping the input file path: should it shrink while mapped, the
 * fault (SIGBUS) becomes "prog: cannot read 'path': the file shrank while it
 * was read" and exit 1, after removing the named temporary of *out (the
 * output being written then, or NULL; out itself may be NULL).
 */
void igos_cli_guard_mapping(const char *path, struct igos_out *const *out);

/*
 * getopt_long as every igos command uses it: -h/--help prints the usage and
 * exits 0, -V/--version the version, -v/--verbose sets igos_verbose (each
 * where the command's tables list it); an unknown option, a missing argument
 * or an abbreviated long option is a usage error. Returns the option or -1.
 */
int igos_getopt(int argc, char **argv, const char *shorts, const struct option *longs);
/* The option igos_getopt returned last, as "--name" (or "-c" without one). */
const char *igos_optname(void);
/* An option that may be given once: "--name given twice" is a usage error. */
void igos_opt_once(const char **slot, const char *val);
void igos_flag_once(int *slot);

struct igos_verb {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the verb */
};

/* Dispatch on argv[1] (a verb of the NULL-terminated table, or -h/--help,
 * -V/--version); returns the verb's exit status. */
int igos_cli_verbs(int argc, char **argv, const struct igos_verb *verbs);

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
