/* The UKI stub's pure logic (PE parsing and loading, measurement order,
 * command line policy and conversion, SBAT text): built for EFI and the host. */
#include "pure.h"
#include "../lib/uki-sections.h"

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint64_t
rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

static void
wr64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int
streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* [off, off+n) inside [0, len), without overflow. */
static int
fits(uint64_t off, uint64_t n, uint64_t len)
{
	return off <= len && n <= len - off;
}

const char *
uki_strerror(int e)
{
	switch (e) {
	case UKI_OK: return "success";
	case UKI_E_TRUNC: return "truncated PE headers";
	case UKI_E_MAGIC: return "not a PE image";
	case UKI_E_FORMAT: return "not a PE32+ x86-64 image";
	case UKI_E_SECTIONS: return "too many PE sections";
	case UKI_E_BOUNDS: return "a PE section lies outside the image";
	case UKI_E_DUP: return "a PE section occurs twice";
	case UKI_E_RELOC: return "bad base relocations";
	case UKI_E_PROFILE: return "no such profile in the UKI";
	}
	return "unknown error";
}

#define OPT_MAGIC_PE32PLUS 0x20b
#define MACHINE_X64 0x8664

int
uki_pe_parse(const uint8_t *buf, size_t len, struct uki_pe *pe)
{
	if (len < 0x40)
		return UKI_E_TRUNC;
	if (buf[0] != 'M' || buf[1] != 'Z')
		return UKI_E_MAGIC;
	uint32_t pe_off = rd32(buf + 0x3c);
	if (!fits(pe_off, 24, len))
		return UKI_E_TRUNC;
	const uint8_t *h = buf + pe_off;
	if (h[0] != 'P' || h[1] != 'E' || h[2] != 0 || h[3] != 0)
		return UKI_E_MAGIC;
	pe->machine = rd16(h + 4);
	unsigned nsec = rd16(h + 6);
	uint16_t opt_size = rd16(h + 20);
	uint64_t opt_off = (uint64_t)pe_off + 24;
	if (!fits(opt_off, opt_size, len))
		return UKI_E_TRUNC;
	const uint8_t *o = buf + opt_off;
	/* PE32+ fixed part up to NumberOfRvaAndSizes is 112 bytes. */
	if (opt_size < 112 || rd16(o) != OPT_MAGIC_PE32PLUS || pe->machine != MACHINE_X64)
		return UKI_E_FORMAT;
	pe->entry = rd32(o + 16);
	pe->image_base = rd64(o + 24);
	pe->section_align = rd32(o + 32);
	pe->file_align = rd32(o + 36);
	pe->major_image_version = rd16(o + 44);
	pe->size_of_image = rd32(o + 56);
	pe->size_of_headers = rd32(o + 60);
	pe->subsystem = rd16(o + 68);
	pe->dll_chars = rd16(o + 70);
	uint32_t ndirs = rd32(o + 108);
	if (ndirs > (uint32_t)(opt_size - 112) / 8)
		return UKI_E_FORMAT;
	pe->reloc_rva = pe->reloc_size = 0;
	if (ndirs > 5) {
		pe->reloc_rva = rd32(o + 112 + 5 * 8);
		pe->reloc_size = rd32(o + 112 + 5 * 8 + 4);
	}
	if (pe->section_align == 0 || (pe->section_align & (pe->section_align - 1)) != 0)
		return UKI_E_FORMAT;
	if (nsec > UKI_MAX_SECTIONS)
		return UKI_E_SECTIONS;
	uint64_t shdr = opt_off + opt_size;
	if (!fits(shdr, (uint64_t)nsec * 40, len))
		return UKI_E_TRUNC;
	if (shdr + (uint64_t)nsec * 40 > pe->size_of_headers)
		return UKI_E_FORMAT;
	pe->nsections = nsec;
	for (unsigned i = 0; i < nsec; i++) {
		const uint8_t *s = buf + shdr + 40 * (uint64_t)i;
		struct uki_section *d = &pe->sec[i];
		for (int j = 0; j < 8; j++)
			d->name[j] = (char)s[j];
		d->name[8] = '\0';
		d->vsize = rd32(s + 8);
		d->vaddr = rd32(s + 12);
		d->raw_size = rd32(s + 16);
		d->raw_off = rd32(s + 20);
		d->flags = rd32(s + 36);
	}
	return UKI_OK;
}

static int
range_section(const struct uki_pe *pe, const uint8_t *image, size_t image_size, unsigned first,
	      unsigned end, const char *name, const uint8_t **data, size_t *len)
{
	const struct uki_section *found = 0;

	for (unsigned i = first; i < end; i++) {
		if (!streq(pe->sec[i].name, name))
			continue;
		if (found)
			return UKI_E_DUP;
		found = &pe->sec[i];
	}
	if (!found)
		return UKI_OK;
	return uki_section_data(pe, image, image_size, (unsigned)(found - pe->sec), data, len);
}

int
uki_section_data(const struct uki_pe *pe, const uint8_t *image, size_t image_size, unsigned i,
		 const uint8_t **data, size_t *len)
{
	const struct uki_section *s = &pe->sec[i];

	if (!fits(s->vaddr, s->vsize, image_size) || !fits(s->vaddr, s->vsize, pe->size_of_image))
		return UKI_E_BOUNDS;
	*data = image + s->vaddr;
	*len = s->vsize;
	return UKI_OK;
}

int
uki_loaded_section(const struct uki_pe *pe, const uint8_t *image, size_t image_size,
		   const char *name, const uint8_t **data, size_t *len)
{
	*data = 0;
	*len = 0;
	return range_section(pe, image, image_size, 0, pe->nsections, name, data, len);
}

static int
is_profile(const struct uki_section *s)
{
	return streq(s->name, ".profile");
}

unsigned
uki_profile_count(const struct uki_pe *pe)
{
	unsigned n = 0;

	for (unsigned i = 0; i < pe->nsections; i++)
		n += is_profile(&pe->sec[i]);
	return n ? n : 1;
}

int
uki_profile_range(const struct uki_pe *pe, unsigned profile, unsigned *first, unsigned *end)
{
	unsigned i = 0, seen = 0;

	if (profile != UKI_PROFILE_BASE) {
		/* Skip to the (profile+1)th .profile. */
		for (; i < pe->nsections; i++)
			if (is_profile(&pe->sec[i]) && seen++ == profile)
				break;
		if (i == pe->nsections)
			return UKI_E_PROFILE;
	}
	*first = i;
	/* A profile range starts with its .profile: look past it for the end. */
	for (i = profile == UKI_PROFILE_BASE ? i : i + 1; i < pe->nsections; i++)
		if (is_profile(&pe->sec[i]))
			break;
	*end = i;
	return UKI_OK;
}


int
uki_profile_lookup(const struct uki_pe *pe, const uint8_t *image, size_t image_size,
		   unsigned profile, const char *name, uki_range_find find, void *ctx,
		   const uint8_t **data, size_t *len)
{
	unsigned first, end;
	int e;

	*data = 0;
	*len = 0;
	if ((e = uki_profile_range(pe, UKI_PROFILE_BASE, &first, &end)) != UKI_OK ||
	    (e = find(pe, image, image_size, first, end, name, ctx, data, len)) != UKI_OK)
		return e;
	if (profile == UKI_PROFILE_BASE)
		return UKI_OK;
	/* Profile 0 is implied when the UKI has no .profile at all. */
	if ((e = uki_profile_range(pe, profile, &first, &end)) != UKI_OK)
		return profile == 0 ? UKI_OK : e;
	const uint8_t *pd = 0;
	size_t pl = 0;
	if ((e = find(pe, image, image_size, first, end, name, ctx, &pd, &pl)) != UKI_OK)
		return e;
	if (pd) {
		*data = pd;
		*len = pl;
	}
	return UKI_OK;
}

static int
range_find(const struct uki_pe *pe, const uint8_t *image, size_t image_size, unsigned first,
	   unsigned end, const char *name, void *ctx, const uint8_t **data, size_t *len)
{
	(void)ctx;
	return range_section(pe, image, image_size, first, end, name, data, len);
}

int
uki_profile_section(const struct uki_pe *pe, const uint8_t *image, size_t image_size,
		    unsigned profile, const char *name, const uint8_t **data, size_t *len)
{
	return uki_profile_lookup(pe, image, image_size, profile, name, range_find, 0, data, len);
}

size_t
uki_profile_prefix(const uint8_t *lo, size_t chars, unsigned *profile)
{
	uint64_t v = 0;
	size_t i = 1;

	*profile = 0;
	if (lo == 0 || chars < 2 || rd16(lo) != '@')
		return 0;
	for (; i < chars; i++) {
		uint16_t c = rd16(lo + 2 * i);
		if (c < '0' || c > '9')
			break;
		v = v * 10 + (c - '0');
		if (v > 0xffffffffu)
			return 0;
	}
	if (i == 1)
		return 0;
	if (i < chars) {
		uint16_t c = rd16(lo + 2 * i);
		if (c == ' ')
			i++;
		else if (c != 0)
			return 0;
	}
	*profile = (unsigned)v;
	return i;
}

static void
hex8(uint8_t *p, uint32_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 4)
		p[i] = "0123456789abcdef"[v & 15];
}

size_t
uki_cpio_member(uint8_t *out, uint32_t ino, uint32_t mode, const char *name,
		const uint8_t *data, size_t len)
{
	size_t nlen = 0;

	while (name[nlen])
		nlen++;
	size_t head = (110 + nlen + 1 + 3) & ~(size_t)3;
	size_t total = head + ((len + 3) & ~(size_t)3);
	if (out == 0)
		return total;
	/* magic, then ino mode uid gid nlink mtime filesize devmajor devminor
	 * rdevmajor rdevminor namesize check: 13 fields of 8 hex digits. */
	const uint32_t f[13] = { ino, mode, 0, 0, 1, 0, (uint32_t)len, 0, 0, 0, 0,
				 (uint32_t)(nlen + 1), 0 };
	for (int i = 0; i < 6; i++)
		out[i] = "070701"[i];
	for (int i = 0; i < 13; i++)
		hex8(out + 6 + 8 * i, f[i]);
	for (size_t i = 0; i <= nlen; i++)
		out[110 + i] = (uint8_t)name[i];
	for (size_t i = 110 + nlen + 1; i < head; i++)
		out[i] = 0;
	for (size_t i = 0; i < len; i++)
		out[head + i] = data[i];
	for (size_t i = head + len; i < total; i++)
		out[i] = 0;
	return total;
}

int
uki_bmp_parse(const uint8_t *d, size_t len, struct uki_bmp *b)
{
	if (d == 0 || len < 54 || d[0] != 'B' || d[1] != 'M')
		return UKI_E_FORMAT;
	uint32_t off = rd32(d + 10), hsize = rd32(d + 14), w = rd32(d + 18), h = rd32(d + 22);
	uint16_t planes = rd16(d + 26), bpp = rd16(d + 28);
	uint32_t comp = rd32(d + 30);
	int top_down = (h & 0x80000000u) != 0;

	if (top_down)
		h = 0u - h;
	if (hsize < 40 || planes != 1 || (bpp != 24 && bpp != 32) || comp != 0 || w == 0 ||
	    w > 8192 || h == 0 || h > 8192)
		return UKI_E_FORMAT;
	uint32_t stride = (w * bpp + 31) / 32 * 4;
	if (!fits(off, (uint64_t)stride * h, len))
		return UKI_E_BOUNDS;
	b->width = w;
	b->height = h;
	b->bpp = bpp;
	b->offset = off;
	b->stride = stride;
	b->top_down = top_down;
	return UKI_OK;
}

void
uki_bmp_row(const uint8_t *d, const struct uki_bmp *b, uint32_t y, uint8_t *out)
{
	uint32_t row = b->top_down ? y : b->height - 1 - y;
	const uint8_t *p = d + b->offset + (size_t)row * b->stride;
	uint32_t step = b->bpp / 8;

	for (uint32_t x = 0; x < b->width; x++, p += step, out += 4) {
		out[0] = p[0];
		out[1] = p[1];
		out[2] = p[2];
		out[3] = 0;
	}
}

size_t
uki_fdt_size(const uint8_t *dtb, size_t len)
{
	if (dtb == 0 || len < 40)
		return 0;
	uint32_t magic = (uint32_t)dtb[0] << 24 | (uint32_t)dtb[1] << 16 | (uint32_t)dtb[2] << 8 | dtb[3];
	uint32_t total = (uint32_t)dtb[4] << 24 | (uint32_t)dtb[5] << 16 | (uint32_t)dtb[6] << 8 | dtb[7];
	if (magic != 0xd00dfeedu || total < 40 || total > len)
		return 0;
	return total;
}

size_t
uki_cpio_prefix(uint8_t *out, uint32_t *ino, const char *path, uint32_t dir_mode)
{
	char part[128];
	size_t n = 0, total = 0;

	for (; path[n]; n++) {
		if (n + 1 >= sizeof(part))
			return 0;
		if (path[n] == '/' && n > 0) {
			part[n] = 0;
			total += uki_cpio_member(out ? out + total : 0, (*ino)++, 040555, part, 0, 0);
		}
		part[n] = path[n];
	}
	part[n] = 0;
	total += uki_cpio_member(out ? out + total : 0, (*ino)++, 040000 | dir_mode, part, 0, 0);
	return total;
}

size_t
uki_cpio_trailer(uint8_t *out)
{
	size_t n = uki_cpio_member(out, 0, 0, "TRAILER!!!", 0, 0);

	/* systemd's trailer is a fixed string with an upper-case name size. */
	if (out)
		out[6 + 8 * 11 + 7] = 'B';
	return n;
}

int
uki_pe_relocate(uint8_t *img, size_t img_size, uint32_t rva, uint32_t size, uint64_t delta)
{
	if (size == 0)
		return UKI_OK;
	if (!fits(rva, size, img_size))
		return UKI_E_RELOC;
	const uint8_t *p = img + rva, *end = p + size;
	while ((size_t)(end - p) >= 8) {
		uint32_t page = rd32(p), bsize = rd32(p + 4);
		if (bsize < 8 || bsize % 2 != 0 || bsize > (size_t)(end - p))
			return UKI_E_RELOC;
		for (uint32_t k = 8; k < bsize; k += 2) {
			uint16_t e = rd16(p + k);
			uint64_t at = (uint64_t)page + (e & 0xfff);
			switch (e >> 12) {
			case 0: /* IMAGE_REL_BASED_ABSOLUTE: padding */
				break;
			case 10: /* IMAGE_REL_BASED_DIR64 */
				if (!fits(at, 8, img_size))
					return UKI_E_RELOC;
				wr64(img + at, rd64(img + at) + delta);
				break;
			default:
				return UKI_E_RELOC;
			}
		}
		p += bsize;
	}
	/* Trailing bytes shorter than a block header are padding. */
	return UKI_OK;
}

int
uki_pe_load(const struct uki_pe *pe, const uint8_t *file, size_t file_len,
	    uint8_t *dst, uint64_t load_addr)
{
	uint64_t img = pe->size_of_image;

	if (pe->size_of_headers > img || pe->size_of_headers > file_len)
		return UKI_E_BOUNDS;
	if (pe->entry == 0 || pe->entry >= img)
		return UKI_E_FORMAT;
	for (unsigned i = 0; i < pe->nsections; i++) {
		const struct uki_section *s = &pe->sec[i];
		uint32_t n = s->raw_size < s->vsize || s->vsize == 0 ? s->raw_size : s->vsize;
		uint32_t span = s->vsize > n ? s->vsize : n;
		if (!fits(s->vaddr, span, img) || !fits(s->raw_off, n, file_len) ||
		    s->vaddr < pe->size_of_headers)
			return UKI_E_BOUNDS;
	}
	for (uint32_t k = 0; k < pe->size_of_headers; k++)
		dst[k] = file[k];
	for (unsigned i = 0; i < pe->nsections; i++) {
		const struct uki_section *s = &pe->sec[i];
		uint32_t n = s->raw_size < s->vsize || s->vsize == 0 ? s->raw_size : s->vsize;
		for (uint32_t k = 0; k < n; k++)
			dst[s->vaddr + k] = file[s->raw_off + k];
	}
	return uki_pe_relocate(dst, img, pe->reloc_rva, pe->reloc_size,
			       load_addr - pe->image_base);
}

const char *const uki_pcr11_order[] = {
#define SECTION_NAME(id, name) name,
	IGOS_UKI_PCR11_SECTIONS(SECTION_NAME)
#undef SECTION_NAME
};
const unsigned uki_pcr11_count = sizeof(uki_pcr11_order) / sizeof(uki_pcr11_order[0]);

enum uki_cmdline_src
uki_cmdline_choose(int secure_boot, size_t cmdline_len, size_t loadopts_chars)
{
	if (loadopts_chars > 0 && (!secure_boot || cmdline_len == 0))
		return UKI_CMDLINE_LOADOPTS;
	if (cmdline_len > 0)
		return UKI_CMDLINE_SECTION;
	return UKI_CMDLINE_NONE;
}

size_t
uki_loadopts_chars(const uint8_t *lo, size_t bytes)
{
	size_t n = 0;

	if (lo == 0)
		return 0;
	for (; n < bytes / 2; n++) {
		uint16_t c = rd16(lo + 2 * n);
		if (c == 0)
			break;
		if ((c < 0x20 && c != '\t') || c >= 0x7f)
			return 0;
	}
	return n;
}

size_t
uki_utf8_to_utf16(const uint8_t *in, size_t inlen, uint16_t *out)
{
	size_t i = 0, o = 0;

	while (i < inlen && in[i] != 0) {
		uint8_t c = in[i];
		uint32_t cp, min;
		size_t more;

		if (c < 0x80) {
			out[o++] = c;
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			cp = c & 0x1f, more = 1, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			cp = c & 0x0f, more = 2, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			cp = c & 0x07, more = 3, min = 0x10000;
		} else {
			out[o++] = 0xfffd;
			i++;
			continue;
		}
		size_t k = 1;
		for (; k <= more; k++) {
			if (i + k >= inlen || (in[i + k] & 0xc0) != 0x80)
				break;
			cp = (cp << 6) | (in[i + k] & 0x3f);
		}
		if (k <= more || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
			/* Malformed: one replacement for the lead byte, resync after it. */
			out[o++] = 0xfffd;
			i++;
			continue;
		}
		i += more + 1;
		if (cp >= 0x10000) {
			/* 4 input bytes, 2 output units: stays within inlen + 1. */
			cp -= 0x10000;
			out[o++] = (uint16_t)(0xd800 | (cp >> 10));
			out[o++] = (uint16_t)(0xdc00 | (cp & 0x3ff));
		} else {
			out[o++] = (uint16_t)cp;
		}
	}
	out[o] = 0;
	return o;
}

#ifndef IGOS_EFI /* host only: the tests check the SBAT text with it */
int
uki_sbat_valid(const char *text, size_t len)
{
	size_t i = 0, line = 0;

	while (i < len && text[i] != '\0') {
		size_t start = i;
		int fields = 1, empty = 0;
		size_t fstart = i;

		while (i < len && text[i] != '\n' && text[i] != '\0') {
			if (text[i] == ',') {
				if (i == fstart)
					empty = 1;
				fields++;
				fstart = i + 1;
			} else if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e) {
				return 0;
			}
			i++;
		}
		if (i >= len || text[i] != '\n' || i == fstart || empty || fields != 6)
			return 0;
		if (line == 0) {
			const char *h = "sbat,1,";
			for (size_t k = 0; h[k]; k++)
				if (start + k >= i || text[start + k] != h[k])
					return 0;
		}
		line++;
		i++;
	}
	if (line == 0)
		return 0;
	for (; i < len; i++)
		if (text[i] != '\0')
			return 0;
	return 1;
}
#endif
