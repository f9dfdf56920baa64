/* Picking a UKI's .dtbauto and .efifw by hardware, as systemd-stub does:
 * Microsoft's computer hardware IDs (CHIDs) from the SMBIOS tables, looked up
 * in the UKI's .hwids. Pure code: built into the stub and on the host (units). */
#ifndef IGOS_STUB_CHID_H
#define IGOS_STUB_CHID_H

#include <stddef.h>
#include <stdint.h>

#include "pure.h"

/* SMBIOS fields the CHIDs are made of, in the order they are joined (systemd's
 * and fwupd's order, not the order of the tables). */
enum chid_field {
	CHID_MANUFACTURER,      /* type 1 Manufacturer */
	CHID_FAMILY,            /* type 1 Family */
	CHID_PRODUCT_NAME,      /* type 1 Product Name */
	CHID_PRODUCT_SKU,       /* type 1 SKU Number */
	CHID_BOARD_MANUFACTURER,/* type 2 Manufacturer */
	CHID_BOARD_PRODUCT,     /* type 2 Product */
	CHID_NFIELDS,
};

/* The fields as found: each a string of len bytes (not NUL-terminated), or
 * NULL when the table, the structure or the string is missing. */
struct chid_smbios {
	const char *s[CHID_NFIELDS];
	size_t len[CHID_NFIELDS];
};

/* HardwareID-0 .. -14; a CHID is 16 bytes in EFI_GUID memory layout (the
 * first three fields little-endian), as .hwids stores them. IDs 0-2 (BIOS
 * version) and 12 (enclosure) are not computed (all zero): systemd-stub 257
 * and 258 match on none of them. */
#define CHID_COUNT 15
typedef uint8_t chid_t[16];

/* The SMBIOS structure table from an entry point structure: the 64-bit one
 * ("_SM3_", v3 != 0) or the 32-bit one ("_SM_"). ep_len is how many bytes at
 * ep may be read. 0 and the table's address and (maximum) length, or -1. */
int chid_smbios_entry(const uint8_t *ep, size_t ep_len, int v3, uint64_t *addr, uint32_t *len);

/* The CHID fields from the first type 1 and type 2 structures of an SMBIOS
 * structure table (len bytes): every offset checked against len. */
void chid_smbios_read(const uint8_t *table, size_t len, struct chid_smbios *f);

/* The CHIDs of a machine: each field stripped as systemd and fwupd do
 * (leading spaces, then leading '0's, trailing spaces), UTF-8 read as
 * UTF-16, the fields of each ID joined by '&' and hashed as a name-based
 * UUID (SHA-1, version 5) in Microsoft's namespace
 * 70ffd812-4c7f-4c7d-0000-000000000000. A missing field is an empty string
 * (as systemd); a field longer than CHID_FIELD_MAX bytes makes no ID (zero). */
#define CHID_FIELD_MAX 1024
void chid_compute(const struct chid_smbios *f, chid_t out[CHID_COUNT]);

/* SHA-1 (the stub has no other use for it; host units compare it with
 * OpenSSL's). */
void chid_sha1(const void *data, size_t len, uint8_t out[20]);

/* .hwids entries (28 bytes: u32 descriptor = type << 28 | 28, the CHID,
 * u32 name offset, u32 compatible/fwid offset, offsets from the section's
 * start) up to a zero descriptor. */
#define CHID_TYPE_DEVICETREE 1u
#define CHID_TYPE_UEFI_FW 2u
enum chid_match_result {
	CHID_MATCH = 0,  /* *str: the entry's compatible (devicetree) or fwid */
	CHID_NONE,       /* no entry of the type for this machine's CHIDs */
	CHID_BAD,        /* the section is malformed: nothing is picked */
};
/* The entry of `type` for this machine, in systemd-stub's order of IDs from
 * the most to the least specific (3, 6, 8, 10, 4, 5, 7, 9, 11), entries in
 * their order for each ID. Validated first as systemd-stub does: an entry
 * of another type, an offset outside the section or a string without its
 * NUL makes the section bad. An entry without the string (offset 0) matches
 * but picks nothing (CHID_NONE). */
int chid_match(const uint8_t *hwids, size_t len, const chid_t chids[CHID_COUNT], uint32_t type,
	       const char **str);

/* The first string of the root node's "compatible" property of a flattened
 * devicetree (NUL-terminated inside the blob), or NULL. */
const char *chid_fdt_compatible(const uint8_t *dtb, size_t len);

/* The firmware ID of an .efifw blob (magic 0xfeeddead, header length,
 * fwid length with its NUL, payload length, all u32 LE; then the fwid at
 * header length), or NULL when the header does not hold. */
const char *chid_efifw_fwid(const uint8_t *blob, size_t len);

/* What the stub knows of the machine. */
struct chid_machine {
	const chid_t *chids;     /* CHID_COUNT IDs */
	int fw_dt;               /* the firmware installed a devicetree table */
	const char *fw_compat;   /* its first compatible string, or NULL */
};

/*
 * Section `name` (".dtbauto" or ".efifw") picked for this machine as profile
 * `profile` sees it, as systemd-stub does: in the base range, then in the
 * profile's own range (a pick there replaces the base's), the first section
 * of that name whose key matches. .dtbauto: its first compatible equals the
 * firmware devicetree's when the firmware has one, else the compatible of
 * the range's .hwids entry for this machine; .efifw: its fwid equals the
 * fwid of the range's .hwids firmware entry. *data NULL: none picked.
 * *bad_hwids is set when a range's .hwids was malformed (nothing picked from
 * that range). Errors as uki_profile_section (a section outside the image,
 * .hwids twice in one range, a profile the UKI lacks).
 */
int uki_profile_pick(const struct uki_pe *pe, const uint8_t *image, size_t image_size,
		     unsigned profile, const char *name, const struct chid_machine *m,
		     const uint8_t **data, size_t *len, int *bad_hwids);

#endif
