/*
 * Secure Boot as the components enforce it, judged offline: the trust
 * stores (db, dbx, MokList, MokListX, shim's built-in vendor certificate and
 * vendor dbx), EDK2's image verification (DxeImageVerificationHandler) and
 * shim's (verify_buffer_authenticode), each over lib/authenticode.c's
 * verification of one signature; and the boot entries firmware follows
 * (EFI_LOAD_OPTION and its device path). Facts from EDK2 2022.11 and shim
 * 16.1, written anew. Parsers take (pointer, length).
 */
#ifndef IGOS_SECBOOT_H
#define IGOS_SECBOOT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "authenticode.h"

/* ---- trust stores -------------------------------------------------------- */

enum igos_sb_kind {
	IGOS_SIG_OTHER,
	IGOS_SIG_X509,
	IGOS_SIG_SHA1,
	IGOS_SIG_SHA256,
	IGOS_SIG_SHA384,
	IGOS_SIG_SHA512,
	IGOS_SIG_X509_SHA256, /* hash of a certificate's TBSCertificate + revocation time */
	IGOS_SIG_X509_SHA384,
	IGOS_SIG_X509_SHA512,
};

struct igos_sb_sig {
	enum igos_sb_kind kind;
	const unsigned char *data; /* SignatureData, into the store's copy */
	size_t len;
	X509 *x509;       /* parsed certificate (X509 kind), NULL if it does not parse */
	int shim_uses;    /* shim takes it: DER "30 82" with the exact length, and
			   * no module-signing EKU (1.3.6.1.4.1.2312.16.1.2) */
	char subject[256];
};

struct igos_sb_store {
	char name[40];    /* "db", "dbx", "MokListRT", ... as messages name it */
	int present;      /* the variable (or section) exists */
	int single;       /* one certificate, not signature lists (shim's vendor_cert) */
	unsigned char *raw;
	size_t rawlen;
	struct igos_sb_sig *s;
	size_t n;
	/* a malformed signature list: the lists before it are kept (the
	 * firmware's walk stops there too) and the reason is here */
	char bad[256];
};

/* A store from EFI_SIGNATURE_LISTs (data copied). 0, or -1 out of memory. */
int igos_sb_store_esl(struct igos_sb_store *st, const char *name, const unsigned char *data,
		      size_t len);
/* A store holding one DER certificate (shim's vendor_cert). */
int igos_sb_store_cert(struct igos_sb_store *st, const char *name, const unsigned char *der,
		       size_t len);
void igos_sb_store_free(struct igos_sb_store *st);
/* Whether any entry of the store has kind k. */
int igos_sb_store_has(const struct igos_sb_store *st, enum igos_sb_kind k);

/*
 * shim's .vendor_cert section: u32 authorized size, u32 deauthorized size,
 * u32 authorized offset, u32 deauthorized offset (offsets from the section's
 * start); authorized is one DER certificate (VENDOR_CERT_FILE) or signature
 * lists (VENDOR_DB_FILE), deauthorized signature lists. Pointers into sec.
 */
struct igos_shim_vendor {
	const unsigned char *auth, *deauth;
	size_t authlen, deauthlen;
	int auth_is_cert; /* auth starts like a DER certificate */
};
int igos_shim_vendor_parse(const unsigned char *sec, size_t len, struct igos_shim_vendor *v);

/* ---- an image and the verdicts -------------------------------------------- */

struct igos_sb_image {
	const unsigned char *data;
	size_t len;
	struct igos_pe pe;
	int pe_ok;                /* igos_ac_parse passed */
	char pe_err[256];
	struct igos_ac_digests dg; /* SHA-256 filled by igos_sb_image_hash */
	unsigned char sha256[32];  /* Authenticode SHA-256 as signers embed it (and shim hashes) */
	unsigned char sha256_fw[32]; /* EDK2's for an unsigned image: no padding to 8 */
	unsigned char sha1[20];
	int have_sha1;
	int hashed;
};

/*
 * Parse data[0..len) and hash it once: SHA-256 (both forms) and, if want_sha1,
 * SHA-1 in the same pass. An image that does not parse is not hashed
 * (pe_ok 0, pe_err says why); that is not an error of this call.
 */
int igos_sb_image_init(struct igos_sb_image *im, const unsigned char *data, size_t len);
int igos_sb_image_hash(struct igos_sb_image *im, int want_sha1);

enum igos_sb_reason {
	IGOS_SB_PASS,
	IGOS_SB_MALFORMED,     /* not an image the verifier parses, bad certificate table */
	IGOS_SB_NOT_SIGNED,
	IGOS_SB_UNTRUSTED,     /* valid signature, signer in no allow list */
	IGOS_SB_REVOKED_CERT,  /* dbx / MokListX / vendor dbx by certificate */
	IGOS_SB_REVOKED_HASH,  /* ... by image hash */
	IGOS_SB_TAMPERED,      /* the image digest is not the signed one */
	IGOS_SB_ALGORITHM,     /* an algorithm or form the verifier refuses */
	IGOS_SB_SBAT,          /* a generation below SbatLevel */
	IGOS_SB_NO_SBAT,       /* no .sbat where shim requires one, or one shim cannot parse */
	IGOS_SB_MISSING,       /* no such file */
};

/* "passes", "not signed", "untrusted signer", ... */
const char *igos_sb_reason_str(enum igos_sb_reason r);
/* a short stable word for JSON: "pass", "not-signed", "untrusted", ... */
const char *igos_sb_reason_code(enum igos_sb_reason r);

struct igos_sb_verdict {
	enum igos_sb_reason reason;
	char detail[640];       /* the words after the reason */
	char signer[256];       /* subject of the signer that decided (or the first) */
	char store[40];         /* which store accepted or revoked it ("" none) */
	size_t entry;           /* 1-based entry of that store (0: the store is one certificate) */
	char entry_what[256];   /* that entry: a certificate's subject, or "SHA-256 image hash" */
};

/* EDK2: unsigned images by SHA-256 hash in dbx/db; signed ones signature by
 * signature, any dbx hit denies, one signature chaining to db (or the image
 * hash in db) allows; the certificate table walk must end at its end. */
int igos_sb_judge_firmware(struct igos_sb_image *im, const struct igos_sb_store *db,
			   const struct igos_sb_store *dbx, struct igos_sb_verdict *v);

struct igos_sb_shim_stores {
	const struct igos_sb_store *db, *dbx, *mok, *mokx, *vendor_db, *vendor_dbx, *vendor_cert;
	int ignore_db; /* MokIgnoreDB */
};

/* shim's verify_buffer_authenticode (SBAT is judged apart, lib/sbat.c). */
int igos_sb_judge_shim(struct igos_sb_image *im, const struct igos_sb_shim_stores *s,
		       struct igos_sb_verdict *v);

/* ---- boot entries ---------------------------------------------------------- */

#define IGOS_LOAD_OPTION_ACTIVE 0x1u
#define IGOS_LOAD_OPTION_HIDDEN 0x8u
#define IGOS_LOAD_OPTION_CATEGORY_APP 0x100u

enum igos_lo_kind {
	IGOS_LO_FILE,      /* a File() node: a path on the partition */
	IGOS_LO_REMOVABLE, /* a device without a file: its removable path \EFI\BOOT\BOOTX64.EFI */
	IGOS_LO_FIRMWARE,  /* an application inside the firmware (FvFile, memory mapped) */
	IGOS_LO_NETWORK,   /* MAC, IP, URI: a network boot */
	IGOS_LO_OTHER,     /* anything else (BBS, vendor) */
};

struct igos_loadopt {
	uint32_t attributes;
	char desc[256];           /* Description as UTF-8 (control characters as '?') */
	enum igos_lo_kind kind;
	char path[1024];          /* IGOS_LO_FILE: the path, '/'-separated, no leading '/' */
	int has_hd;
	uint32_t part;            /* HD(): partition number */
	unsigned char part_sig[16]; /* HD(): partition signature (GPT: the partition GUID) */
	uint8_t sig_type;         /* HD(): 2 = GPT GUID, 1 = MBR */
	const unsigned char *optional; /* OptionalData, into the input */
	size_t optlen;
};

/* An EFI_LOAD_OPTION (Boot####): attributes, the NUL-terminated UCS-2
 * description, FilePathListLength bytes of device path (its first instance
 * read), the rest optional data. Every node length checked. */
int igos_loadopt_parse(const unsigned char *d, size_t len, struct igos_loadopt *lo);

/* BootOrder: little-endian u16s; an odd length is an error. *ids malloc'd. */
int igos_bootorder_parse(const unsigned char *d, size_t len, uint16_t **ids, size_t *n);

#endif
