/*
 * The UEFI Secure Boot variables PK, KEK, db and dbx as an owner writes them:
 * time-based authenticated updates (EFI_VARIABLE_AUTHENTICATION_2, the
 * PKCS#7 SignedData over name, vendor GUID, attributes, timestamp and data),
 * built byte for byte as efitools' sign-efi-sig-list builds them, and read
 * back. Parsers take (pointer, length).
 */
#ifndef IGOS_SBVAR_H
#define IGOS_SBVAR_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#define IGOS_EFI_TIME_AUTH 0x20u  /* EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS */
#define IGOS_EFI_APPEND 0x40u     /* EFI_VARIABLE_APPEND_WRITE */
#define IGOS_EFI_TIME_SIZE 16
#define IGOS_SBAUTH_HDR 40        /* EFI_TIME + WIN_CERTIFICATE_UEFI_GUID header */

struct igos_signer;

/* EFI_CERT_TYPE_PKCS7_GUID 4aafd29d-68df-49ee-8aa9-347d375665a7 */
extern const unsigned char igos_guid_cert_pkcs7[16];

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case) to in-memory bytes. */
int igos_guid_parse(const char *s, unsigned char g[16]);

/* The vendor GUID of PK and KEK (global) or db, dbx, dbt, dbr (image
 * security database); NULL for any other name. */
const unsigned char *igos_sbvar_guid(const char *name);

/* EFI_TIME from "YYYY-MM-DD HH:MM:SS" (UTC; nanosecond, time zone and
 * daylight zero, as sign-efi-sig-list writes them). */
int igos_efi_time_parse(const char *s, unsigned char out[IGOS_EFI_TIME_SIZE]);
/* EFI_TIME for a time_t (UTC). */
int igos_efi_time_from(long long t, unsigned char out[IGOS_EFI_TIME_SIZE]);

/* What the signature covers: the variable name in UCS-2 without its NUL,
 * the vendor GUID, the attributes, the timestamp and the data. Malloc'd. */
unsigned char *igos_sbvar_bundle(const char *name, const unsigned char guid[16], uint32_t attr,
				 const unsigned char time[IGOS_EFI_TIME_SIZE],
				 const unsigned char *data, size_t len, size_t *outlen);

/*
 * The authenticated update: EFI_TIME, WIN_CERTIFICATE_UEFI_GUID (dwLength,
 * revision 0x0200, type 0x0EF1, EFI_CERT_TYPE_PKCS7_GUID) holding a detached
 * SignedData (not its ContentInfo) with SHA-256, no signed attributes and
 * the signer's certificate, then the data. Malloc'd.
 */
unsigned char *igos_sbvar_auth(struct igos_signer *s, X509 *cert, const char *name,
			       const unsigned char guid[16], uint32_t attr,
			       const unsigned char time[IGOS_EFI_TIME_SIZE],
			       const unsigned char *data, size_t len, size_t *outlen);

/* How the PKCS#7 (a ContentInfo) of an update is made: detached id-data,
 * no signed attributes (sign-efi-sig-list's, hence no signing time). */
#define IGOS_SBVAR_P7_FLAGS (IGOS_P7_NOATTR | IGOS_P7_DETACHED)

/* SHA-256 of what the signature covers (igos_sbvar_bundle). */
int igos_sbvar_digest(const char *name, const unsigned char guid[16], uint32_t attr,
		      const unsigned char time[IGOS_EFI_TIME_SIZE], const unsigned char *data,
		      size_t len, unsigned char out[32]);

/* The update from a PKCS#7 ContentInfo made with IGOS_SBVAR_P7_FLAGS
 * (ci[0..cilen), one DER value), the timestamp and the data. Malloc'd. */
unsigned char *igos_sbvar_auth_wrap(const unsigned char *ci, size_t cilen,
				    const unsigned char time[IGOS_EFI_TIME_SIZE],
				    const unsigned char *data, size_t len, size_t *outlen);

struct igos_sbauth {
	const unsigned char *time;   /* 16 bytes */
	const unsigned char *sig;    /* the SignedData DER */
	size_t siglen;
	const unsigned char *data;   /* what follows: the signature lists */
	size_t len;
};

/* Split an authenticated update; checks dwLength, the revision, the
 * certificate type and GUID, and that the signature is one DER value. */
int igos_sbauth_parse(const unsigned char *p, size_t len, struct igos_sbauth *a);

/* The signer certificates inside a's SignedData (a new stack), or NULL. */
STACK_OF(X509) *igos_sbauth_certs(const struct igos_sbauth *a);

/* One EFI_SIGNATURE_LIST of n SHA-256 digests, each owned by owner, as
 * hash-to-efi-sig-list writes it; appended to *buf. */
int igos_esl_append_sha256(unsigned char **buf, size_t *len, const unsigned char owner[16],
			   const unsigned char (*h)[32], size_t n);

#endif
