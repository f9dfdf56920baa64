/*
 * The UKI sections the stub measures into PCR 11, in the order it measures
 * them: one table for the EFI stub (efi/pure.c, freestanding) and for the
 * host's prediction (lib/pcr.c), so the two cannot drift apart. No includes:
 * it builds in both worlds. X(ID, NAME) per section.
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
	X(PCRPKEY, ".pcrpkey")

#endif
