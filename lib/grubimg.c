/*
 * GRUB core images (grub-mkimage, x86_64-efi): which modules and objects an
 * image carries, for igos-sbom. Facts from GRUB's include/grub/kernel.h
 * (struct grub_module_info64, struct grub_module_header), read, not copied.
 */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "grubimg.h"

#define MIMG 0x676d696dU /* "mimg" */

static uint64_t
le64(const unsigned char *p)
{
	return igos_le64(p);
}

/* The .modname of an ELF64 little-endian relocatable module, or NULL. */
static char *
modname(const unsigned char *e, size_t len)
{
	uint64_t shoff;
	unsigned shentsize, shnum, shstrndx;
	const unsigned char *strs;
	uint64_t stroff, strsize;

	if (len < 64 || memcmp(e, "\177ELF", 4) != 0 || e[4] != 2 || e[5] != 1)
		return NULL;
	shoff = le64(e + 0x28);
	shentsize = igos_le16(e + 0x3a);
	shnum = igos_le16(e + 0x3c);
	shstrndx = igos_le16(e + 0x3e);
	if (shentsize < 64 || shnum == 0 || shstrndx >= shnum || shoff > len ||
	    (uint64_t)shnum * shentsize > len - shoff)
		return NULL;
	strs = e + shoff + (uint64_t)shstrndx * shentsize;
	stroff = le64(strs + 0x18);
	strsize = le64(strs + 0x20);
	if (stroff > len || strsize > len - stroff)
		return NULL;
	for (unsigned i = 0; i < shnum; i++) {
		const unsigned char *sh = e + shoff + (uint64_t)i * shentsize;
		uint32_t name = igos_le32(sh);
		uint64_t off = le64(sh + 0x18), size = le64(sh + 0x20);
		const char *n;
		size_t nl;

		if (name >= strsize)
			continue;
		n = (const char *)e + stroff + name;
		if (strnlen(n, strsize - name) != 8 || memcmp(n, ".modname", 8) != 0)
			continue;
		if (off > len || size > len - off || size == 0)
			return NULL;
		nl = strnlen((const char *)e + off, size);
		if (nl == 0 || nl > 64)
			return NULL;
		for (size_t k = 0; k < nl; k++)
			if (e[off + k] <= 0x20 || e[off + k] > 0x7e)
				return NULL;
		return strndup((const char *)e + off, nl);
	}
	return NULL;
}

void
igos_grub_image_free(struct igos_grub_image *g)
{
	for (size_t i = 0; i < g->nmodules; i++)
		free(g->modules[i]);
	free(g->modules);
	free(g->prefix);
	memset(g, 0, sizeof(*g));
}

int
igos_grub_image_parse(struct igos_grub_image *g, const unsigned char *m, size_t len)
{
	uint64_t off, size;

	memset(g, 0, sizeof(*g));
	if (len < 24 || igos_le32(m) != MIMG)
		return igos_seterr("GRUB modules: no module info (magic 'mimg')");
	off = le64(m + 8);
	size = le64(m + 16);
	if (off < 24 || size > len || off > size)
		return igos_seterr("GRUB modules: module info sizes out of the section");
	while (off < size) {
		uint32_t type, osz;

		if (size - off < 8)
			goto bad;
		type = igos_le32(m + off);
		osz = igos_le32(m + off + 4);
		if (osz < 8 || osz > size - off)
			goto bad;
		switch (type) {
		case IGOS_GRUB_OBJ_ELF: {
			char *n = modname(m + off + 8, osz - 8), **nm;

			if (!n) {
				igos_grub_image_free(g);
				return igos_seterr("GRUB modules: a module at offset %llu has no name",
				    (unsigned long long)off);
			}
			if (!(nm = realloc(g->modules, (g->nmodules + 1) * sizeof(*nm)))) {
				free(n);
				igos_grub_image_free(g);
				return igos_seterr("out of memory");
			}
			g->modules = nm;
			g->modules[g->nmodules++] = n;
			break;
		}
		case IGOS_GRUB_OBJ_MEMDISK:
			g->memdisk_len = osz - 8;
			break;
		case IGOS_GRUB_OBJ_CONFIG:
			g->has_config = 1;
			break;
		case IGOS_GRUB_OBJ_PREFIX:
			free(g->prefix);
			g->prefix = strndup((const char *)m + off + 8, osz - 8);
			if (!g->prefix) {
				igos_grub_image_free(g);
				return igos_seterr("out of memory");
			}
			break;
		case IGOS_GRUB_OBJ_DISABLE_SHIM_LOCK:
			g->disable_shim_lock = 1;
			break;
		default:
			break;
		}
		off += osz;
	}
	return 0;
bad:
	igos_grub_image_free(g);
	return igos_seterr("GRUB modules: an object at offset %llu runs past the module area",
	    (unsigned long long)off);
}

int
igos_grub_image_find(const struct igos_pe *pe, const unsigned char **data, size_t *len)
{
	const struct igos_pe_section *s = igos_pe_section(pe, "mods");

	if (!s)
		return 1;
	if (s->raw_off > pe->len || s->raw_size > pe->len - s->raw_off)
		return igos_seterr("the mods section lies outside the file");
	*data = pe->data + s->raw_off;
	*len = s->raw_size < s->vsize ? s->raw_size : s->vsize;
	return 0;
}
