/*
 * A GRUB core image's "mods" section, as grub-mkimage writes it for EFI: the
 * module info header (magic "mimg", the offset of the first object and the
 * size of the whole), then objects, each a type and a size (header
 * included). An ELF module names itself in its .modname section.
 */
#ifndef IGOS_GRUBIMG_H
#define IGOS_GRUBIMG_H

#include <stddef.h>

struct igos_pe;

enum {
	IGOS_GRUB_OBJ_ELF = 0,
	IGOS_GRUB_OBJ_MEMDISK = 1,
	IGOS_GRUB_OBJ_CONFIG = 2,
	IGOS_GRUB_OBJ_PREFIX = 3,
	IGOS_GRUB_OBJ_PUBKEY = 4,
	IGOS_GRUB_OBJ_DTB = 5,
	IGOS_GRUB_OBJ_DISABLE_SHIM_LOCK = 6,
};

struct igos_grub_image {
	char **modules;  /* names, in the image's order (heap, NUL-terminated) */
	size_t nmodules;
	size_t memdisk_len;      /* 0 when there is none */
	int has_config, disable_shim_lock;
	char *prefix;    /* NULL when there is none */
};

/* Parse a "mods" section's bytes; every length is checked against len.
 * Returns 0, or -1 with a message. */
int igos_grub_image_parse(struct igos_grub_image *g, const unsigned char *mods, size_t len);
/* The "mods" section of a PE image: 0 (found: data and len set), 1 (not a GRUB
 * image), -1 (a section that lies outside the file). */
int igos_grub_image_find(const struct igos_pe *pe, const unsigned char **data, size_t *len);
void igos_grub_image_free(struct igos_grub_image *g);

#endif
