/*
 * UEFI boot entries (Boot####, BootOrder) as efibootmgr writes them: an
 * EFI_LOAD_OPTION whose device path is a hard-drive media node, HD(), for
 * the ESP's partition, then the file path of the loader, then the end node
 * (UEFI 2.10, 3.1.3 and 10.3.5.1). Facts from the spec and from reading
 * efibootmgr/libefiboot, no code from them.
 */
#ifndef IGOS_BOOTENTRY_H
#define IGOS_BOOTENTRY_H

#include <stddef.h>
#include <stdint.h>

/* HARDDRIVE_DEVICE_PATH */
struct igos_hd {
	uint32_t part;          /* 1-based */
	uint64_t start, size;   /* in logical blocks */
	unsigned char sig[16];  /* GPT: the partition's unique GUID (in-memory
				 * order); MBR: the disk signature, then zeros */
	uint8_t mbr_type;       /* 1 MBR, 2 GPT */
	uint8_t sig_type;       /* 1 MBR signature, 2 GUID */
};

/*
 * Find partition `part` in a disk's first sectors: `disk` holds at least the
 * MBR and, for GPT, the header at LBA 1 and the entry array (bs = logical
 * block size). The partition's start and size (blocks) must match what the
 * kernel reports. 0, or -1 with a message.
 */
int igos_hd_from_disk(const unsigned char *disk, size_t len, unsigned bs, uint32_t part,
		      uint64_t start, uint64_t size, struct igos_hd *hd);

/* An EFI_LOAD_OPTION: attributes LOAD_OPTION_ACTIVE, the UTF-16LE
 * description, HD() + File(path, '\' separated) + End, no optional data.
 * Returns a heap buffer, or NULL with a message. */
unsigned char *igos_load_option(const char *label, const struct igos_hd *hd,
				const char *path, size_t *len);
/* The device path of a load option (its FilePathList), or -1 if malformed. */
int igos_load_option_path(const unsigned char *opt, size_t len, const unsigned char **dp,
			  size_t *dplen);

#endif
