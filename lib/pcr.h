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
/* The PCR it extends with what is not in the UKI (addons, load options). */
#define IGOS_PCR_KERNEL_CONFIG 12

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

/*
 * The same for one profile of a multi-profile UKI, as systemd-stub 257 boots
 * it with "@N": the base sections (those before the first .profile), each
 * replaced by the profile's own of that name (its .profile section and those
 * after it up to the next .profile); the .profile section is measured.
 * Profile 0 of a UKI without profiles is the UKI itself. One .dtbauto is
 * measured as on a machine it matches (as ukify signs it); several are
 * refused: the stub measures the one that matches the machine.
 */
int igos_pcr_input_from_uki_profile(struct igos_pcr_input *in, const unsigned char *data,
				    size_t len, int flags, unsigned profile, int *stub252);

/* The number of .profile sections (profiles) of a UKI. */
unsigned igos_pcr_uki_profiles(const struct igos_pe *pe);

/* The section called name that the stub uses when it boots profile (as
 * above): *out NULL if there is none; -1 for two of a name in the base or in
 * the profile, or a profile the UKI does not have. */
int igos_pcr_uki_find(const struct igos_pe *pe, unsigned profile, const char *name,
		      const struct igos_pe_section **out);

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

/* pcr = H(pcr || H(data)) in bank (pcr holds igos_pcr_bank_size bytes). */
int igos_pcr_extend_data(int bank, unsigned char *pcr, const void *data, size_t len);

/* An addon PE (name for messages). */
struct igos_pcr_addon {
	const char *name;
	const unsigned char *data;
	size_t len;
};

/*
 * PCR 12 after a systemd-stub 257 style stub (pcraddon.c), from zero, in each
 * bank of banks, event by event as the stub extends it:
 *   1. profile != 0: the profile's number in decimal, UTF-16LE with its NUL;
 *   2. loadopts (UTF-8; NULL: none): a command line passed in the load
 *      options that the stub uses (Secure Boot off, or no .cmdline), without
 *      its "@N " prefix; mangled as the stub does (control characters to
 *      spaces, ends trimmed), UTF-16LE with its NUL, if not empty;
 *   3. the addons' .cmdline sections, each mangled, joined with a space,
 *      mangled again: one event, UTF-16LE with its NUL, if not empty;
 *   4. each addon's .dtb (VirtualSize bytes), in order;
 *   5. each addon's .ucode, last addon first.
 * addons in the order the stub loads them (ESP/loader/addons/ first, then
 * <uki>.extra.d/, each sorted by file name). An addon with .linux or
 * .dtbauto, two sections of a name, or none of .cmdline .dtb .ucode is
 * refused. Credentials, confexts and SMBIOS command-line extras, which the
 * stub also measures into PCR 12, are not predicted.
 */
int igos_pcr12_predict(unsigned banks, unsigned profile, const char *loadopts,
		       const struct igos_pcr_addon *addons, size_t naddons,
		       unsigned char out[IGOS_BANK_N][IGOS_MAX_MD]);

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
 * sign NULL: no "sig" (systemd-measure policy-digest); pub NULL: no "pkfp".
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
	int has_pkfp;             /* always, unless IGOS_PCRSIG_PKFP_OPTIONAL */
	unsigned char pkfp[32];
	unsigned char pol[32];
	unsigned char *sig;       /* NULL: none (IGOS_PCRSIG_SIG_OPTIONAL) */
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
 * 'sig' is not valid base64"). On failure *ps is left empty (n 0, e NULL):
 * nothing to free.
 */
int igos_pcrsig_parse(struct igos_pcrsig *ps, const char *data, size_t len);
void igos_pcrsig_free(struct igos_pcrsig *ps);

/* The same with parts left optional: a policy-digest file (systemd-measure
 * policy-digest: no "sig", "pkfp" only when it was given a public key), or
 * one signed elsewhere ("sig", "pkfp" perhaps). */
enum {
	IGOS_PCRSIG_PKFP_OPTIONAL = 1 << 0,
	IGOS_PCRSIG_SIG_OPTIONAL = 1 << 1,
};
int igos_pcrsig_parse_ex(struct igos_pcrsig *ps, const char *data, size_t len,
			 unsigned flags);

/* A parsed .pcrsig (or policy-digest file) written back in igos_pcrsig_build's
 * form: banks in order, each bank's entries as they are, "pkfp" and "sig"
 * where present. Heap string ending in "\n". */
char *igos_pcrsig_format(const struct igos_pcrsig *ps);

/*
 * The signer's side of the offline flow: sign every policy digest of pd (a
 * policy-digest file) with s over H_bank(pol), as igos_pcrsig_build does, and
 * give the .pcrsig JSON. No UKI is needed: the signer signs what it is sent.
 * An entry whose pkfp is not the signer's key is refused.
 */
char *igos_pcrsig_sign_digests(const struct igos_pcrsig *pd, struct igos_signer *s);

/*
 * Join signatures made elsewhere back: the .pcrsig for the UKI (in, banks,
 * phases as igos_pcrsig_build) whose every signature is taken from ps (a
 * signed policy-digest file, pkfp optional) after checking it with pub. Every
 * entry of ps must be one of the UKI's policies and verify; every policy of
 * the UKI must have one. The result is what igos_pcrsig_build would write
 * with the key itself.
 */
char *igos_pcrsig_join(const struct igos_pcr_input *in, unsigned banks,
		       const char *const *phases, size_t nphases, EVP_PKEY *pub,
		       const struct igos_pcrsig *ps);

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
