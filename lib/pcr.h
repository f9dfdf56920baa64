/*
 * PCR 11 as a UKI stub measures it (pcr.c: libcrypto), the TPM2 PolicyPCR
 * digest over it (pcrpolicy.c: tss2-mu), and the .pcrsig JSON that carries
 * signed policies, systemd-compatible (pcrsig.c: json-c). A program that links
 * the policy or the .pcrsig adds PCR_LIBS (Makefile). Functions never print
 * and never exit.
 */
#ifndef IGOS_PCR_H
#define IGOS_PCR_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "igos.h"
#include "uki-sections.h"

/* The PCR a UKI stub extends. */
#define IGOS_PCR_KERNEL_BOOT 11

/* PCR banks, in systemd-measure's (sorted) output order. */
enum igos_pcr_bank {
	IGOS_BANK_SHA1,
	IGOS_BANK_SHA256,
	IGOS_BANK_SHA384,
	IGOS_BANK_SHA512,
	IGOS_BANK_N
};
#define IGOS_BANKS_ALL ((1u << IGOS_BANK_N) - 1)

/* "sha256" (any case) -> IGOS_BANK_SHA256; -1 with a message otherwise. */
int igos_pcr_bank_parse(const char *name);
const char *igos_pcr_bank_name(int bank);
const EVP_MD *igos_pcr_bank_md(int bank);
/* TPM2_ALG_ID of the bank (sha256 = 0x000B). */
uint16_t igos_pcr_bank_alg(int bank);
size_t igos_pcr_bank_size(int bank);

/* UKI sections that are measured, in the order the stub measures them. */
enum igos_pcr_sec {
#define IGOS_SEC_ENUM(id, name) IGOS_SEC_##id,
	IGOS_UKI_PCR11_SECTIONS(IGOS_SEC_ENUM)
#undef IGOS_SEC_ENUM
	IGOS_SEC_N
};
/* ".linux" -> IGOS_SEC_LINUX; -1 for a section that is never measured. */
int igos_pcr_section_index(const char *name);
const char *igos_pcr_section_name(int sec);

/*
 * What goes into PCR 11: for each measured section, whether it is there (and
 * not empty) and the digest of its contents in each selected bank.
 */
struct igos_pcr_input {
	unsigned banks; /* bit (1 << IGOS_BANK_x) per bank computed */
	int given[IGOS_SEC_N];   /* set (possibly empty) */
	int present[IGOS_SEC_N]; /* set and not empty: measured */
	uint64_t size[IGOS_SEC_N];
	unsigned char digest[IGOS_SEC_N][IGOS_BANK_N][IGOS_MAX_MD];
};

void igos_pcr_input_init(struct igos_pcr_input *in, unsigned banks);
/* Set a section from memory; an empty one is not measured (as the stub does).
 * Setting a section twice is an error. */
int igos_pcr_input_set(struct igos_pcr_input *in, int sec, const void *data, size_t len);
/* Same, from a file ("-" = stdin), streamed. */
int igos_pcr_input_set_file(struct igos_pcr_input *in, int sec, const char *path);

/*
 * A section fed in pieces (several initrds with their padding, a section
 * padded to its VirtualSize): begin, update..., end. update with data NULL
 * feeds len zero bytes. end (or abort) frees the context; after a failed
 * update call abort.
 */
struct igos_pcr_section_ctx {
	struct igos_pcr_input *in;
	int sec;
	uint64_t len;
	EVP_MD_CTX *md[IGOS_BANK_N];
};
int igos_pcr_section_begin(struct igos_pcr_section_ctx *c, struct igos_pcr_input *in, int sec);
int igos_pcr_section_update(struct igos_pcr_section_ctx *c, const void *data, size_t len);
int igos_pcr_section_end(struct igos_pcr_section_ctx *c);
void igos_pcr_section_abort(struct igos_pcr_section_ctx *c);

enum {
	/* Measure as the systemd 252 stub did (.linux .osrel .cmdline .initrd
	 * .splash .dtb .pcrpkey), whatever stub the UKI carries. */
	IGOS_PCR_STUB_252 = 1 << 0,
	/* Measure as the current stub (every section of igos_pcr_sec). */
	IGOS_PCR_STUB_CURRENT = 1 << 1,
};

/*
 * All measured sections of a UKI image in memory, by the stub's rules:
 * sections found in the PE section table, VirtualSize bytes each (zeros past
 * SizeOfRawData, as loaded), empty ones skipped, `.pcrsig` never. `.linux` is
 * required; two sections of a measured name are refused. Without a flag, the stub is recognised from `.sdmagic`: a
 * systemd-stub older than 253 measured only the 252 set; any other stub (igos
 * stub, newer systemd) the full set. *stub252 (if not NULL) says which.
 */
int igos_pcr_input_from_uki(struct igos_pcr_input *in, const unsigned char *data,
			    size_t len, int flags, int *stub252);

/* 1 if the PE (a stub or a UKI) carries a systemd-stub older than 253 by its
 * .sdmagic ("#### LoaderInfo: systemd-stub 252... ####"): that stub measured
 * only .linux .osrel .cmdline .initrd .splash .dtb .pcrpkey. */
int igos_pcr_stub252(const struct igos_pe *pe);

/* Whether a stub (stub252: see igos_pcr_stub252) measures section sec. */
int igos_pcr_section_measured(int sec, int stub252);

/* Phase path words known to systemd (systemd-pcrphase measures them). */
extern const char *const igos_pcr_phase_words[];

/*
 * Normalise a phase path "enter-initrd::leave-initrd:" -> "enter-initrd:
 * leave-initrd" (empty words dropped; "" is the value right after the stub).
 * Every word must be a known one. Returns a heap string, or NULL.
 */
char *igos_pcr_phase_normalize(const char *path);
/* systemd's four default phase paths. */
extern const char *const igos_pcr_default_phases[4];

/* The PCR 11 value in bank after the stub and the phase path (normalised or
 * not). out gets igos_pcr_bank_size(bank) bytes. */
int igos_pcr_predict(const struct igos_pcr_input *in, int bank, const char *phase,
		     unsigned char *out);

/*
 * TPM2 PolicyPCR digest (policy session hash SHA-256) for PCR 11 in bank
 * holding `value`: SHA256(0^32 || TPM2_CC_PolicyPCR || TPML_PCR_SELECTION ||
 * SHA256(value)), the structures marshalled with tss2-mu.
 */
int igos_pcr_policy_digest(int bank, const unsigned char *value, unsigned char pol[32]);

/* pkfp: SHA-256 of the DER RSAPublicKey (PKCS#1) of an RSA key, as systemd
 * writes it. Hex in out[65]. */
int igos_pcr_pkfp(EVP_PKEY *pub, char out[65]);
/* The .pcrpkey contents: the PEM SubjectPublicKeyInfo. Heap string. */
char *igos_pcr_pubkey_pem(EVP_PKEY *pub, size_t *len);
/* A .pcrpkey read back (PEM SubjectPublicKeyInfo in data[0..len)). */
EVP_PKEY *igos_pcr_pubkey_parse(const void *data, size_t len);

/*
 * Sign callback: PKCS#1 v1.5 signature with md over a digest; *sig malloc'd.
 * igos_pcrsig_build_signer() passes igos_signer_sign_digest.
 */
typedef int (*igos_pcr_sign_fn)(void *ctx, const EVP_MD *md, const unsigned char *dgst,
				size_t dlen, unsigned char **sig, size_t *siglen);

/*
 * The .pcrsig JSON: {"<bank>":[{"pcrs":[11],"pkfp":…,"pol":…,"sig":…}, … one
 * per phase, phases sorted and deduplicated as systemd does]}, banks in
 * order, compact, ending in "\n" (byte for byte what systemd-measure sign
 * writes). pub must be RSA. phases NULL: the four defaults. Heap string.
 */
char *igos_pcrsig_build(const struct igos_pcr_input *in, unsigned banks,
			const char *const *phases, size_t nphases, EVP_PKEY *pub,
			igos_pcr_sign_fn sign, void *ctx);

struct igos_signer;
/* The same with an igos signer (file key or token); refuses non-RSA keys. */
char *igos_pcrsig_build_signer(const struct igos_pcr_input *in, unsigned banks,
			       const char *const *phases, size_t nphases,
			       struct igos_signer *s);

/* A parsed .pcrsig. */
struct igos_pcrsig_entry {
	int bank;
	uint32_t pcrs;            /* bit per PCR listed */
	unsigned char pkfp[32];
	unsigned char pol[32];
	unsigned char *sig;
	size_t siglen;
};

struct igos_pcrsig {
	size_t n;
	struct igos_pcrsig_entry *e;
};

/*
 * Parse .pcrsig JSON from data[0..len) (no terminator needed): an object of
 * known banks, each an array of entries with "pcrs" (integers 0..23), "pkfp"
 * and "pol" (64 hex digits) and "sig" (base64); other keys are ignored. At
 * least one entry. Messages name the bank and the entry ("'sha256' entry 2:
 * 'sig' is not valid base64").
 */
int igos_pcrsig_parse(struct igos_pcrsig *ps, const char *data, size_t len);
void igos_pcrsig_free(struct igos_pcrsig *ps);

/*
 * Check every entry: PCR 11 only, pkfp is pub's, pol is the policy of one of
 * the phases for the UKI (phases NULL: the four defaults), sig verifies with
 * pub over H_bank(pol). matched[i] (if not NULL, ps->n of them) gets the
 * index in phases (in igos_pcr_default_phases if phases is NULL) of the phase
 * entry i was made for.
 */
int igos_pcrsig_verify(const struct igos_pcrsig *ps, const struct igos_pcr_input *in,
		       const char *const *phases, size_t nphases, EVP_PKEY *pub,
		       size_t *matched);

#endif
