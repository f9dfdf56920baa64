/*
 * The UKI sections the stub measures into PCR 11, in the order it measures
 * them: one table for the EFI stub (efi/pure.c, freestanding) and for the
 * host's prediction (lib/pcr.c), so the two cannot drift apart. No includes:
 * it builds in both worlds. X(ID, NAME) per section.
 *
 * The order is systemd's (src/fundamental/uki.h): the sections systemd-stub
 * 257 and later added (.profile, .dtbauto, .hwids, .efifw) come after
 * .pcrpkey, never between, so that a UKI without them measures as before.
 */
#ifndef IGOS_UKI_SECTIONS_H
#define IGOS_UKI_SECTIONS_H

#define IGOS_UKI_PCR11_SECTIONS(X) \
	X(LINUX, ".linux")         \
	X(OSREL, ".osrel")         \
	X(CMDLINE, ".cmdline")     \
	X(INITRD, ".initrd")       \
	X(UCODE, ".ucode")         \
	X(SPLASH, ".splash")       \
	X(DTB, ".dtb")             \
	X(UNAME, ".uname")         \
	X(SBAT, ".sbat")           \
	X(PCRPKEY, ".pcrpkey")     \
	X(PROFILE, ".profile")     \
	X(DTBAUTO, ".dtbauto")     \
	X(HWIDS, ".hwids")         \
	X(EFIFW, ".efifw")

/* The sections a profile PE carries into a multi-profile UKI (ukify's set:
 * .profile first, then any of these); .pcrsig is made for the joined UKI. */
#define IGOS_UKI_PROFILE_SECTIONS(X) \
	X(".profile")                \
	X(".linux")                  \
	X(".osrel")                  \
	X(".cmdline")                \
	X(".initrd")                 \
	X(".efifw")                  \
	X(".ucode")                  \
	X(".splash")                 \
	X(".dtb")                    \
	X(".uname")                  \
	X(".sbat")

/* systemd-stub's limit on the profiles of one UKI. */
#define IGOS_UKI_PROFILES_MAX 256

#endif
