/*
 * The TPM event log the firmware leaves (TCG PC Client Platform Firmware
 * Profile: /sys/kernel/security/tpm0/binary_bios_measurements), read for
 * what it says about the drivers and option ROMs the firmware loaded and the
 * db entries that allowed them. Parsers take (pointer, length).
 */
#ifndef IGOS_TPMLOG_H
#define IGOS_TPMLOG_H

#include <stddef.h>
#include <stdint.h>

#define IGOS_EV_NO_ACTION 0x3u
#define IGOS_EV_EFI_BOOT_SERVICES_APPLICATION 0x80000003u
#define IGOS_EV_EFI_BOOT_SERVICES_DRIVER 0x80000004u
#define IGOS_EV_EFI_RUNTIME_SERVICES_DRIVER 0x80000005u
#define IGOS_EV_EFI_VARIABLE_AUTHORITY 0x800000e0u

struct igos_tpm_event {
	uint32_t pcr, type;
	const unsigned char *sha256; /* the SHA-256 digest, NULL in a SHA-1-only log */
	const unsigned char *data;   /* the event data, into the log */
	size_t len;
	size_t offset;               /* of the event in the log */
};

/*
 * Split a log: the crypto-agile form (a first SHA-1-format event holding
 * "Spec ID Event03" and the digest sizes, then TCG_PCR_EVENT2s) or the old
 * SHA-1-only form. Every count and size checked against the log; a digest
 * algorithm the Spec ID event does not list is refused. *ev malloc'd.
 */
int igos_tpmlog_parse(const unsigned char *p, size_t len, struct igos_tpm_event **ev,
		      size_t *n);

/* UEFI_IMAGE_LOAD_EVENT of a driver or application event. */
struct igos_image_load {
	uint64_t addr, length, link;
	const unsigned char *dp;     /* device path, into the event */
	size_t dplen;
};
int igos_tpmlog_image_load(const struct igos_tpm_event *e, struct igos_image_load *il);

/* UEFI_VARIABLE_DATA (EV_EFI_VARIABLE_*): name as ASCII ('?' for others). */
struct igos_tpm_var {
	const unsigned char *guid;
	char name[64];
	const unsigned char *data;
	size_t len;
};
int igos_tpmlog_var(const struct igos_tpm_event *e, struct igos_tpm_var *v);

/* A device path as text (PciRoot(0x0)/Pci(0x2,0x0)/Offset(0x0,0xffff), ...),
 * cut to size; nodes it does not know as their type and subtype. */
void igos_devpath_str(const unsigned char *dp, size_t len, char *out, size_t size);

#endif
