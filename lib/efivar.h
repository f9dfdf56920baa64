/*
 * EFI variables as Linux shows them (efivarfs, or a plain directory standing
 * in for it), and the formats shim's MokManager reads from them: signature
 * lists (MokNew, MokDel, MokListRT, db) and the packed password record
 * (MokAuth, MokDelAuth). Parsers take (pointer, length) and check every length.
 */
#ifndef IGOS_EFIVAR_H
#define IGOS_EFIVAR_H

#include <stddef.h>
#include <stdint.h>

#define IGOS_EFI_NV 0x1u /* EFI_VARIABLE_NON_VOLATILE */
#define IGOS_EFI_BS 0x2u /* EFI_VARIABLE_BOOTSERVICE_ACCESS */
#define IGOS_EFI_RT 0x4u /* EFI_VARIABLE_RUNTIME_ACCESS */

/* GUIDs in their in-memory byte order (first three fields little-endian). */
extern const unsigned char igos_guid_shim[16];     /* 605dab50-e046-4300-abb6-3dd810dd8b23 */
extern const unsigned char igos_guid_global[16];   /* 8be4df61-93ca-11d2-aa0d-00e098032b8c */
extern const unsigned char igos_guid_security[16]; /* d719b2cb-3d3a-4596-a3bc-dad00e67656f (db, dbx) */
extern const unsigned char igos_guid_cert_x509[16];  /* EFI_CERT_X509_GUID */
extern const unsigned char igos_guid_cert_sha1[16];
extern const unsigned char igos_guid_cert_sha224[16];
extern const unsigned char igos_guid_cert_sha256[16];
extern const unsigned char igos_guid_cert_sha384[16];
extern const unsigned char igos_guid_cert_sha512[16];

/* The textual form, lower case; out holds 37 bytes. */
void igos_guid_str(const unsigned char g[16], char out[37]);

/* ---- EFI_SIGNATURE_LIST ---------------------------------------------------- */

#define IGOS_ESL_HEADER 28 /* SignatureType, ListSize, HeaderSize, SignatureSize */

struct igos_esl_entry {
	const unsigned char *type;  /* the list's SignatureType (16 bytes) */
	const unsigned char *owner; /* SignatureOwner (16 bytes) */
	const unsigned char *data;  /* SignatureData: a DER certificate or a digest */
	size_t len;
	size_t list;                /* which signature list (0-based) */
	size_t offset;              /* offset of the entry's SignatureOwner */
};

/*
 * Split data[0..len) (zero or more whole signature lists, nothing after) into
 * its signatures; entries point into data. Refused: a short header, a
 * ListSize smaller than the header or past the end, a HeaderSize past the
 * list, a SignatureSize that leaves no data or does not divide the list, a
 * hash list whose SignatureSize is not 16 + the digest size, an empty list.
 * *entries is malloc'd (NULL when *n is 0).
 */
int igos_esl_parse(const unsigned char *data, size_t len,
		   struct igos_esl_entry **entries, size_t *n);

/* Digest size of a hash SignatureType (SHA-1 … SHA-512), else 0. */
size_t igos_esl_hash_size(const unsigned char type[16]);
/* "x509", "sha1", "sha224", "sha256", "sha384", "sha512", or NULL. */
const char *igos_esl_type_name(const unsigned char type[16]);

/* Append one signature list holding one signature to *buf (realloc'd). */
int igos_esl_append(unsigned char **buf, size_t *len, const unsigned char type[16],
		    const unsigned char owner[16], const void *data, size_t dlen);

/*
 * The data without signature idx (of the n entries parsed from it): a list
 * holding only that one goes whole; from a list of several, the signature
 * goes and the list's SignatureListSize shrinks (as mokutil removes a hash).
 * *out is malloc'd.
 */
int igos_esl_remove(const unsigned char *data, size_t len, const struct igos_esl_entry *e,
		    size_t n, size_t idx, unsigned char **out, size_t *outlen);

/*
 * Add a hash as mokutil 0.6.0 --import-hash does: appended to the first list
 * of its type already in *buf (whose SignatureListSize grows), else a list of
 * its own put before everything. *buf must parse (igos_esl_parse).
 */
int igos_esl_add_hash(unsigned char **buf, size_t *len, const unsigned char type[16],
		      const unsigned char owner[16], const void *hash, size_t hlen);

/* ---- MokSB, MokListTrustedNew: shim's MokSBvar / MokTMLvar ------------------ */

#define IGOS_MOK_TOGGLE_SIZE 40 /* u32 state, u32 pwlen, UCS-2 password[16] */
#define IGOS_MOK_TOGGLE_PW_MIN 8 /* mokutil's bounds; MokManager asks 3 characters */
#define IGOS_MOK_TOGGLE_PW_MAX 16

/* The record for state and the plain password (8-16 printable ASCII
 * characters, stored in UCS-2 as MokManager compares them; the rest zero). */
int igos_mok_toggle_pack(uint32_t state, const char *pw, unsigned char out[IGOS_MOK_TOGGLE_SIZE]);
/* State and password length of a record; refuses any size but 40. */
int igos_mok_toggle_unpack(const unsigned char *p, size_t len, uint32_t *state, uint32_t *pwlen);

/* ---- MokAuth: shim's PASSWORD_CRYPT ---------------------------------------- */

#define IGOS_MOK_AUTH_SIZE 172 /* u16 method, u64 iter, u16 salt_size, salt[32], hash[128] */
#define IGOS_MOK_AUTH_SHA512 4 /* sha512-crypt ("$6$") */
#define IGOS_MOK_SALT_MAX 16

struct igos_mok_auth {
	uint16_t method;
	uint64_t iter_count;
	uint16_t salt_size;
	unsigned char salt[32];
	unsigned char hash[128];
};

/*
 * From a sha512-crypt string "$6$[rounds=N$]salt$hash" in s[0..len) (one
 * trailing newline allowed): the salt as written and the raw 64-byte digest
 * decoded from crypt's permuted base64.
 */
int igos_mok_auth_from_crypt(const char *s, size_t len, struct igos_mok_auth *a);
/* The 172 packed little-endian bytes MokManager reads. */
void igos_mok_auth_pack(const struct igos_mok_auth *a, unsigned char out[IGOS_MOK_AUTH_SIZE]);
/* The reverse; refuses any length but 172 and a salt_size over 32. */
int igos_mok_auth_unpack(const unsigned char *p, size_t len, struct igos_mok_auth *a);

/* ---- the variables ---------------------------------------------------------- */

enum { IGOS_EFIVAR_ABSENT = 1 };

/* 0 if dir is a directory we may read (and, if for_write, write). */
int igos_efivar_dir_check(const char *dir, int for_write);

/*
 * Read dir/Name-GUID: the attribute word and the data (malloc'd, NULL when
 * empty). IGOS_EFIVAR_ABSENT when there is no such variable (or an empty
 * file, as efivarfs leaves after a failed create); -1 on error.
 */
int igos_efivar_read(const char *dir, const char *name, const unsigned char guid[16],
		     uint32_t *attr, unsigned char **data, size_t *len);

/*
 * Set a variable: on efivarfs one write() of the attribute word and the data
 * (the file written in place, as efivarfs cannot rename), with the immutable
 * flag cleared around it; in a plain directory the same bytes written to a
 * temporary file and renamed over the target, so no partial file is seen.
 */
int igos_efivar_write(const char *dir, const char *name, const unsigned char guid[16],
		      uint32_t attr, const void *data, size_t len);

/* Delete a variable; IGOS_EFIVAR_ABSENT if there was none. */
int igos_efivar_delete(const char *dir, const char *name, const unsigned char guid[16]);

/* Read a whole small file with read(2) (sysfs and efivarfs cannot be mapped). */
int igos_efivar_read_file(const char *path, size_t max, unsigned char **data, size_t *len);

#endif
