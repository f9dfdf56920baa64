/*
 * What a UKI builder needs besides the PE editor (lib/pe.c): the kernel's
 * version, the command-line text, the section names a builder writes itself.
 * Shared by igos-ukify and any other image builder.
 */
#ifndef IGOS_UKI_H
#define IGOS_UKI_H

#include <stddef.h>

#include "uki-sections.h"

/*
 * The kernel's release ("6.1.0-13-amd64"): from the x86 boot header's version
 * string, else from "Linux version X (" in an uncompressed image, as
 * systemd's ukify reads it. A heap string, or NULL when there is none (or no
 * memory).
 */
char *igos_uki_kernel_uname(const unsigned char *k, size_t len);
/* A command-line text with its white space collapsed to single blanks and
 * trimmed (as ukify does for a text, not a file). A heap string, or NULL. */
char *igos_uki_cmdline(const char *text);
/* 1 if name[0..n) is a section a UKI builder writes from its own option. */
int igos_uki_reserved(const char *name, size_t n);

struct igos_pe;

/*
 * The profiles of a multi-profile UKI (systemd 257): the sections before the
 * first .profile are the base, shared by all; each .profile section starts a
 * profile that runs up to the next one. A profile uses its own section of a
 * name where it has one, else the base's. A UKI without .profile has one
 * profile, number 0, with no sections of its own.
 */
struct igos_uki_profiles {
	unsigned base_end;        /* sections [0, base_end) are the base */
	unsigned n;               /* profiles (.profile sections); 0: none */
	unsigned first[IGOS_UKI_PROFILES_MAX]; /* index of each .profile */
	unsigned end[IGOS_UKI_PROFILES_MAX];   /* one past its last section */
};
/* Find the profiles of pe. More than IGOS_UKI_PROFILES_MAX is an error (the
 * stub's limit), as is a section name twice within the base or a profile
 * (.dtbauto and .efifw excepted: those may repeat). */
int igos_uki_profiles(const struct igos_pe *pe, struct igos_uki_profiles *p);
/* The index of the section named name that profile k uses (its own, else
 * the base's), or -1. k must be < p->n, or 0 when p->n is 0. */
int igos_uki_profile_section(const struct igos_pe *pe, const struct igos_uki_profiles *p,
			     unsigned k, const char *name);
/* 1 if name is a section a profile PE carries (IGOS_UKI_PROFILE_SECTIONS). */
int igos_uki_profile_carries(const char *name);
/*
 * The value of KEY in a .profile text (os-release syntax: KEY=VALUE lines,
 * values optionally quoted with ' or "; no escapes are undone), as a heap
 * string, or NULL when the key is absent (igos_errmsg empty) or on no memory.
 */
char *igos_uki_profile_field(const unsigned char *text, size_t len, const char *key);

/*
 * The .hwids section from device descriptions (systemd's hwids JSON files:
 * {"type": "devicetree"|"uefi-fw", "name": S, "compatible"|"fwid": S,
 * "hwids": [GUID, ...]}), laid out as systemd-stub reads it: one 28-byte
 * entry per (device, CHID) (u32 descriptor = 28 | type << 28, the GUID in
 * EFI byte order, u32 offset of the name, u32 offset of the compatible or
 * fwid string), CHIDs sorted within a device, a zero entry, then the strings
 * sorted, each NUL-terminated, offsets from the start of the section.
 * texts[i] is file i's JSON, lens[i] bytes with a NUL after them (what[i]
 * names it in messages); devices are taken
 * in the order given. A heap buffer in *out, its length in *len; lib/ukihwids.c
 * (json-c).
 */
int igos_uki_hwids(const char *const *texts, const size_t *lens, const char *const *what,
		   size_t n, unsigned char **out, size_t *len);

/*
 * An .efifw entry (efi-firmware.h of systemd): a 16-byte header (u32 magic
 * 0xfeeddead, u32 header length 16, u32 fwid length with its NUL, u32
 * payload length, little-endian), the fwid with its NUL, the payload.
 * Returns a heap buffer, its length in *len.
 */
unsigned char *igos_uki_efifw(const char *fwid, const unsigned char *payload, size_t plen,
			      size_t *len);

#endif
