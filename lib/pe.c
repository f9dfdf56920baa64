/*
 * PE/COFF: the one place that reads and edits its headers (the tools and the
 * EFI build fix-up go through here; no header offset appears elsewhere).
 * Every offset and size is checked against the file before it is used.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "authenticode.h"
#include "igos.h"

/* DOS header */
#define DOS_LFANEW 0x3c
/* COFF file header, from the "PE\0\0" signature */
#define COFF_MACHINE 4
#define COFF_NSECTIONS 6
#define COFF_SYMTAB 12
#define COFF_NSYMS 16
#define COFF_OPT_SIZE 20
#define COFF_CHARACTERISTICS 22
#define COFF_END 24
#define FILE_LOCAL_SYMS_STRIPPED 0x0008u
/* COFF symbol table entry; the string table starts with its u32 size */
#define SYMBOL_SIZE 18
/* optional header (the same offsets in PE32 and PE32+ up to the data directories) */
#define OPT_MAGIC 0
#define OPT_SIZE_OF_INIT_DATA 8
#define OPT_ENTRY 16
#define OPT_IMAGE_BASE32 28
#define OPT_IMAGE_BASE64 24
#define OPT_SECTION_ALIGN 32
#define OPT_FILE_ALIGN 36
#define OPT_SIZE_OF_IMAGE 56
#define OPT_SIZE_OF_HEADERS 60
#define OPT_CHECKSUM 64
#define OPT_SUBSYSTEM 68
#define OPT_DLL_CHARACTERISTICS 70
#define OPT_DIRS32 96 /* NumberOfRvaAndSizes just before */
#define OPT_DIRS64 112
#define DIR_SECURITY 4
/* section header */
#define SH_VSIZE 8
#define SH_VADDR 12
#define SH_RAW_SIZE 16
#define SH_RAW_OFF 20
#define SH_FLAGS 36
#define SH_SIZE 40
/* Above the PE specification's 64 KiB: no editor buffer grows by that much per section. */
#define MAX_FILE_ALIGN 0x10000u

int
igos_pe_parse(struct igos_pe *pe, const unsigned char *d, size_t len)
{
	uint16_t magic;
	uint32_t need, dirs_rel;
	uint64_t end;

	memset(pe, 0, sizeof(*pe));
	pe->data = d;
	pe->len = len;
	if (len < 64 || d[0] != 'M' || d[1] != 'Z')
		return igos_seterr("not a PE/COFF image (no MZ header)");
	pe->pe_off = igos_le32(d + DOS_LFANEW);
	if ((uint64_t)pe->pe_off + COFF_END > len)
		return igos_seterr("not a PE/COFF image (e_lfanew out of range)");
	if (memcmp(d + pe->pe_off, "PE\0\0", 4) != 0)
		return igos_seterr("not a PE/COFF image (no PE signature)");
	pe->machine = igos_le16(d + pe->pe_off + COFF_MACHINE);
	pe->nsections = igos_le16(d + pe->pe_off + COFF_NSECTIONS);
	pe->symtab_off = igos_le32(d + pe->pe_off + COFF_SYMTAB);
	pe->nsyms = igos_le32(d + pe->pe_off + COFF_NSYMS);
	pe->opt_size = igos_le16(d + pe->pe_off + COFF_OPT_SIZE);
	pe->characteristics = igos_le16(d + pe->pe_off + COFF_CHARACTERISTICS);
	pe->opt_off = pe->pe_off + COFF_END;
	if ((uint64_t)pe->opt_off + pe->opt_size > len)
		return igos_seterr("truncated PE optional header");
	if (pe->opt_size < 2)
		return igos_seterr("PE optional header too small");
	magic = igos_le16(d + pe->opt_off + OPT_MAGIC);
	if (magic == 0x20b) {
		pe->pe32plus = 1;
		need = OPT_DIRS64;
		dirs_rel = OPT_DIRS64;
	} else if (magic == 0x10b) {
		need = OPT_DIRS32;
		dirs_rel = OPT_DIRS32;
	} else {
		return igos_seterr("unknown PE optional header magic 0x%x", magic);
	}
	if (pe->opt_size < need)
		return igos_seterr("PE optional header too small");
	pe->entry = igos_le32(d + pe->opt_off + OPT_ENTRY);
	pe->image_base = pe->pe32plus ? igos_le64(d + pe->opt_off + OPT_IMAGE_BASE64) :
				       igos_le32(d + pe->opt_off + OPT_IMAGE_BASE32);
	pe->section_align = igos_le32(d + pe->opt_off + OPT_SECTION_ALIGN);
	pe->file_align = igos_le32(d + pe->opt_off + OPT_FILE_ALIGN);
	pe->size_of_image = igos_le32(d + pe->opt_off + OPT_SIZE_OF_IMAGE);
	pe->size_of_headers = igos_le32(d + pe->opt_off + OPT_SIZE_OF_HEADERS);
	pe->checksum_off = pe->opt_off + OPT_CHECKSUM;
	pe->subsystem = igos_le16(d + pe->opt_off + OPT_SUBSYSTEM);
	pe->dll_characteristics = igos_le16(d + pe->opt_off + OPT_DLL_CHARACTERISTICS);
	pe->ndirs = igos_le32(d + pe->opt_off + dirs_rel - 4);
	pe->dirs_off = pe->opt_off + dirs_rel;
	if (pe->ndirs > 16 || (uint64_t)dirs_rel + (uint64_t)IGOS_PE_DIRENT_SIZE * pe->ndirs > pe->opt_size)
		return igos_seterr("bad PE data directory count %u", pe->ndirs);
	if (pe->ndirs > DIR_SECURITY) {
		pe->secdir_off = pe->dirs_off + IGOS_PE_DIRENT_SIZE * DIR_SECURITY;
		pe->cert_off = igos_le32(d + pe->secdir_off);
		pe->cert_size = igos_le32(d + pe->secdir_off + 4);
	}
	if (pe->size_of_headers > len)
		return igos_seterr("PE SizeOfHeaders past end of file");
	if (pe->file_align == 0 || (pe->file_align & (pe->file_align - 1)) ||
	    pe->section_align == 0 || (pe->section_align & (pe->section_align - 1)))
		return igos_seterr("bad PE alignment");
	if (pe->nsections > IGOS_PE_MAX_SECTIONS)
		return igos_seterr("too many PE sections (%u)", pe->nsections);
	pe->shdr_off = pe->opt_off + pe->opt_size;
	end = (uint64_t)pe->shdr_off + (uint64_t)SH_SIZE * pe->nsections;
	if (end > len)
		return igos_seterr("PE section table past end of file");
	if (end > pe->size_of_headers)
		return igos_seterr("PE section table past SizeOfHeaders");
	for (unsigned i = 0; i < pe->nsections; i++) {
		const unsigned char *h = d + pe->shdr_off + SH_SIZE * i;
		struct igos_pe_section *s = &pe->sec[i];

		memcpy(s->name, h, 8);
		s->name[8] = '\0';
		s->vsize = igos_le32(h + SH_VSIZE);
		s->vaddr = igos_le32(h + SH_VADDR);
		s->raw_size = igos_le32(h + SH_RAW_SIZE);
		s->raw_off = igos_le32(h + SH_RAW_OFF);
		s->flags = igos_le32(h + SH_FLAGS);
		s->hdr_off = pe->shdr_off + SH_SIZE * i;
		if (s->raw_size && (uint64_t)s->raw_off + s->raw_size > len)
			return igos_seterr("PE section '%s' past end of file", s->name);
		if (s->raw_size && s->raw_off < pe->size_of_headers)
			return igos_seterr("PE section '%s' inside the headers", s->name);
	}
	if (pe->cert_size && (uint64_t)pe->cert_off + pe->cert_size > len)
		return igos_seterr("PE certificate table past end of file");
	return 0;
}

/*
 * A name longer than 8 bytes stands in the COFF string table (after the
 * symbols, its first 4 bytes the table's size) and the section header holds
 * "/N", N its offset there: binutils writes shim's .vendor_cert and
 * .sbatlevel that way.
 */
const struct igos_pe_section *
igos_pe_section(const struct igos_pe *pe, const char *name)
{
	uint64_t strtab = (uint64_t)pe->symtab_off + 18ull * pe->nsyms;
	size_t nl = strlen(name);

	for (unsigned i = 0; i < pe->nsections; i++) {
		const struct igos_pe_section *s = &pe->sec[i];
		uint64_t off = 0;

		if (nl <= 8 && strncmp(s->name, name, 8) == 0)
			return s;
		if (s->name[0] != '/' || pe->symtab_off == 0)
			continue;
		for (const char *p = s->name + 1; *p; p++) {
			if (*p < '0' || *p > '9') {
				off = UINT64_MAX;
				break;
			}
			off = off * 10 + (uint64_t)(*p - '0');
		}
		if (off < 4 || off == UINT64_MAX || strtab + 4 > pe->len || strtab + off >= pe->len ||
		    off >= igos_le32(pe->data + strtab))
			continue;
		if (pe->len - (strtab + off) > nl &&
		    memcmp(pe->data + strtab + off, name, nl + 1) == 0)
			return s;
	}
	return NULL;
}

uint32_t
igos_pe_checksum(const unsigned char *d, size_t len, size_t csum_off)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		if (i == csum_off || i == csum_off + 2)
			continue;
		sum += igos_le16(d + i);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len & 1) {
		sum += d[len - 1];
		sum = (sum & 0xffff) + (sum >> 16);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)(sum + len);
}

/* ---- editing ------------------------------------------------------------- */

static uint64_t
align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

int
igos_pe_edit_open(struct igos_pe_edit *e, const unsigned char *data, size_t len)
{
	memset(e, 0, sizeof(*e));
	if ((e->d = malloc(len ? len : 1)) == NULL)
		return igos_seterr("out of memory");
	memcpy(e->d, data, len);
	e->len = e->cap = len;
	e->end = len;
	if (igos_pe_parse(&e->pe, e->d, e->len) < 0) {
		igos_pe_edit_free(e);
		return -1;
	}
	return 0;
}

void
igos_pe_edit_free(struct igos_pe_edit *e)
{
	free(e->d);
	memset(e, 0, sizeof(*e));
}

/* Room for n more bytes in d (the parse follows the buffer). */
static int
edit_reserve(struct igos_pe_edit *e, size_t n)
{
	unsigned char *d;

	if (n <= e->cap - e->len)
		return 0;
	if (n > SIZE_MAX - e->len || (d = realloc(e->d, e->len + n)) == NULL)
		return igos_seterr("out of memory");
	e->d = d;
	e->pe.data = d;
	e->cap = e->len + n;
	return 0;
}

static void
set_len(struct igos_pe_edit *e, size_t len)
{
	e->end = e->end - e->len + len;
	e->len = len;
	e->pe.len = len;
}

static void
sec_put(struct igos_pe_edit *e, unsigned i)
{
	const struct igos_pe_section *s = &e->pe.sec[i];
	unsigned char *h = e->d + s->hdr_off;

	igos_put_le32(h + SH_VSIZE, s->vsize);
	igos_put_le32(h + SH_VADDR, s->vaddr);
	igos_put_le32(h + SH_RAW_SIZE, s->raw_size);
	igos_put_le32(h + SH_RAW_OFF, s->raw_off);
	igos_put_le32(h + SH_FLAGS, s->flags);
}

static void
set_size_of_headers(struct igos_pe_edit *e, uint32_t v)
{
	e->pe.size_of_headers = v;
	igos_put_le32(e->d + e->pe.opt_off + OPT_SIZE_OF_HEADERS, v);
}

int
igos_pe_strip_symbols(struct igos_pe_edit *e, int *stripped)
{
	struct igos_pe *pe = &e->pe;
	uint64_t end;

	if (stripped)
		*stripped = 0;
	if (pe->symtab_off == 0)
		return 0;
	if (e->nadded)
		return igos_seterr("COFF symbol table dropped after sections were added");
	/* where it lies: never inside the headers or any section's data */
	if (pe->symtab_off < pe->size_of_headers ||
	    pe->symtab_off < (uint64_t)pe->opt_off + pe->opt_size +
			     (uint64_t)SH_SIZE * pe->nsections)
		return igos_seterr("COFF symbol table inside the headers");
	for (unsigned i = 0; i < pe->nsections; i++)
		if (pe->sec[i].raw_size &&
		    pe->symtab_off < (uint64_t)pe->sec[i].raw_off + pe->sec[i].raw_size)
			return pe->symtab_off >= pe->sec[i].raw_off ?
				       igos_seterr("section %s runs into the symbol table",
						   pe->sec[i].name) :
				       igos_seterr("COFF symbol table before section %s",
						   pe->sec[i].name);
	end = (uint64_t)pe->symtab_off + (uint64_t)SYMBOL_SIZE * pe->nsyms;
	if (end > e->len)
		return igos_seterr("COFF symbol table past end of file");
	if (end + 4 <= e->len) {
		end += igos_le32(e->d + end);
		if (end > e->len)
			return igos_seterr("COFF string table past end of file");
	}
	if (end != e->len)
		return 0;
	set_len(e, pe->symtab_off);
	pe->symtab_off = pe->nsyms = 0;
	pe->characteristics |= FILE_LOCAL_SYMS_STRIPPED;
	igos_put_le32(e->d + pe->pe_off + COFF_SYMTAB, 0);
	igos_put_le32(e->d + pe->pe_off + COFF_NSYMS, 0);
	igos_put_le16(e->d + pe->pe_off + COFF_CHARACTERISTICS, pe->characteristics);
	if (stripped)
		*stripped = 1;
	return 0;
}

int
igos_pe_align_raw(struct igos_pe_edit *e)
{
	struct igos_pe *pe = &e->pe;
	uint32_t fa = pe->file_align;
	unsigned n = pe->nsections - e->nadded;

	if (e->nadded)
		return igos_seterr("PE raw data aligned after sections were added");
	if (fa > MAX_FILE_ALIGN)
		return igos_seterr("PE FileAlignment %#x larger than 64 KiB", fa);
	/* at most two paddings of less than fa per section */
	if (edit_reserve(e, (size_t)n * 2 * fa) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		struct igos_pe_section *s = &pe->sec[i];
		uint32_t op = s->raw_off, os = s->raw_size;
		size_t padp = (size_t)(align_up(op, fa) - op), pads = (size_t)(align_up(os, fa) - os);
		unsigned char *d = e->d;

		if (os == 0)
			continue;
		if ((uint64_t)op + os > e->len)
			return igos_seterr("PE section %s past end of file", s->name);
		if (padp == 0 && pads == 0)
			continue;
		/* d[0..op) + zeros(padp) + d[op..op+os) + zeros(pads) + d[op+os..len) */
		memmove(d + op + padp + os + pads, d + op + os, e->len - op - os);
		memmove(d + op + padp, d + op, os);
		memset(d + op, 0, padp);
		memset(d + op + padp + os, 0, pads);
		set_len(e, e->len + padp + pads);
		if (e->len > UINT32_MAX)
			return igos_seterr("PE image larger than 4 GiB");
		s->raw_off = (uint32_t)(op + padp);
		s->raw_size = (uint32_t)(os + pads);
		for (unsigned j = i + 1; j < n; j++)
			pe->sec[j].raw_off += (uint32_t)(padp + pads);
	}
	for (unsigned i = 0; i < n; i++)
		sec_put(e, i);
	set_size_of_headers(e, (uint32_t)align_up(pe->size_of_headers, fa));
	if (pe->size_of_headers > e->len)
		return igos_seterr("SizeOfHeaders past the end of its sections");
	for (unsigned i = 0; i < n; i++)
		if (pe->sec[i].raw_size && pe->sec[i].raw_off < pe->size_of_headers)
			return igos_seterr("section %s overlaps the headers", pe->sec[i].name);
	return 0;
}

int
igos_pe_grow_headers(struct igos_pe_edit *e, uint32_t soh)
{
	struct igos_pe *pe = &e->pe;
	uint32_t old = pe->size_of_headers, grow;

	if (e->nadded)
		return igos_seterr("PE headers grown after sections were added");
	if (soh <= old)
		return 0;
	grow = soh - old;
	for (unsigned i = 0; i < pe->nsections; i++) {
		const struct igos_pe_section *s = &pe->sec[i];

		if (s->vaddr < soh)
			return igos_seterr("section %s overlaps the headers", s->name);
		if (s->raw_size && (uint64_t)s->raw_off + grow > UINT32_MAX)
			return igos_seterr("PE image larger than 4 GiB");
	}
	if (e->len + (uint64_t)grow > UINT32_MAX)
		return igos_seterr("PE image larger than 4 GiB");
	if (edit_reserve(e, grow) < 0)
		return -1;
	memmove(e->d + soh, e->d + old, e->len - old);
	memset(e->d + old, 0, grow);
	set_len(e, e->len + grow);
	for (unsigned i = 0; i < pe->nsections; i++) {
		if (pe->sec[i].raw_size == 0)
			continue;
		pe->sec[i].raw_off += grow;
		sec_put(e, i);
	}
	set_size_of_headers(e, soh);
	return 0;
}

int
igos_pe_add_section(struct igos_pe_edit *e, const char *name, uint32_t vsize, uint32_t flags,
		    uint32_t va_align)
{
	struct igos_pe *pe = &e->pe;
	struct igos_pe_section *s;
	uint64_t hdr = pe->shdr_off + (uint64_t)SH_SIZE * pe->nsections, va, raw;
	uint32_t init;
	unsigned last = 0;
	size_t nlen = strlen(name);

	if (nlen == 0 || nlen > 8)
		return igos_seterr("PE section name '%s' not 1 to 8 characters", name);
	if (pe->nsections == IGOS_PE_MAX_SECTIONS)
		return igos_seterr("too many PE sections");
	if (hdr + SH_SIZE > pe->size_of_headers || hdr + SH_SIZE > e->len)
		return igos_seterr("not enough header space to add section %s", name);
	if (va_align < pe->section_align)
		va_align = pe->section_align;
	if (va_align == 0 || (va_align & (va_align - 1)))
		return igos_seterr("bad PE section alignment %#x", va_align);
	for (unsigned i = 0; i < pe->nsections; i++)
		if (pe->sec[i].vaddr >= pe->sec[last].vaddr)
			last = i;
	va = pe->nsections ? (uint64_t)pe->sec[last].vaddr + pe->sec[last].vsize :
			     pe->size_of_headers;
	va = align_up(va, va_align);
	raw = align_up(e->end, pe->file_align);
	if (va + vsize > UINT32_MAX || raw + align_up(vsize, pe->file_align) > UINT32_MAX)
		return igos_seterr("the image would be larger than 4 GiB");
	s = &pe->sec[pe->nsections];
	memset(s, 0, sizeof(*s));
	memcpy(s->name, name, nlen);
	s->vsize = vsize;
	s->vaddr = (uint32_t)va;
	s->raw_off = (uint32_t)raw;
	s->raw_size = (uint32_t)align_up(vsize, pe->file_align);
	s->flags = flags;
	s->hdr_off = (size_t)hdr;
	memset(e->d + hdr, 0, SH_SIZE);
	memcpy(e->d + hdr, name, nlen);
	sec_put(e, pe->nsections);
	pe->nsections++;
	e->nadded++;
	e->end = raw + s->raw_size;
	igos_put_le16(e->d + pe->pe_off + COFF_NSECTIONS, (uint16_t)pe->nsections);
	init = igos_le32(e->d + pe->opt_off + OPT_SIZE_OF_INIT_DATA);
	igos_put_le32(e->d + pe->opt_off + OPT_SIZE_OF_INIT_DATA, init + vsize);
	pe->size_of_image = (uint32_t)align_up(va + vsize, va_align);
	igos_put_le32(e->d + pe->opt_off + OPT_SIZE_OF_IMAGE, pe->size_of_image);
	return (int)(pe->nsections - 1);
}

int
igos_pe_set_section_data(struct igos_pe_edit *e, unsigned idx, const void *data, size_t len)
{
	struct igos_pe_section *s = &e->pe.sec[idx];

	if (idx >= e->pe.nsections - e->nadded)
		return igos_seterr("PE section %u is not in the image", idx);
	if (len > s->raw_size)
		return igos_seterr("PE section %s has room for %u bytes, not %zu", s->name,
				   s->raw_size, len);
	if ((uint64_t)s->raw_off + s->raw_size > e->len)
		return igos_seterr("PE section %s past end of file", s->name);
	memcpy(e->d + s->raw_off, data, len);
	memset(e->d + s->raw_off + len, 0, s->raw_size - len);
	s->vsize = (uint32_t)len;
	sec_put(e, idx);
	return 0;
}

void
igos_pe_set_dll_characteristics(struct igos_pe_edit *e, uint16_t v)
{
	e->pe.dll_characteristics = v;
	igos_put_le16(e->d + e->pe.opt_off + OPT_DLL_CHARACTERISTICS, v);
}

void
igos_pe_set_checksum(struct igos_pe_edit *e, uint32_t v)
{
	igos_put_le32(e->d + e->pe.checksum_off, v);
}

int
igos_pe_update_checksum(struct igos_pe_edit *e)
{
	if (e->nadded)
		return igos_seterr("PE checksum of an image with sections still to write");
	igos_pe_set_checksum(e, igos_pe_checksum(e->d, e->len, e->pe.checksum_off));
	return 0;
}

int
igos_pe_set_cert_table(struct igos_pe_edit *e, uint32_t off, uint32_t size)
{
	if (e->pe.secdir_off == 0)
		return igos_seterr("PE image has no Certificate Table entry");
	e->pe.cert_off = off;
	e->pe.cert_size = size;
	igos_put_le32(e->d + e->pe.secdir_off, off);
	igos_put_le32(e->d + e->pe.secdir_off + IGOS_PE_DIRENT_SIZE / 2, size);
	return 0;
}

int
igos_pe_edit_write(struct igos_pe_edit *e, struct igos_out *o, igos_pe_emit_fn emit, void *ctx)
{
	const struct igos_pe *pe = &e->pe;
	off_t base = o->written;

	if (igos_out_write(o, e->d, e->len) < 0)
		return -1;
	for (unsigned k = 0, i = pe->nsections - e->nadded; i < pe->nsections; i++, k++) {
		const struct igos_pe_section *s = &pe->sec[i];
		off_t at = o->written - base;

		if (igos_out_zero(o, (size_t)(s->raw_off - at)) < 0)
			return -1;
		if (emit(o, ctx, k) < 0)
			return -1;
		if (o->written - base != (off_t)s->raw_off + s->vsize)
			return igos_seterr("PE section %s: %lld bytes written for %u", s->name,
					   (long long)(o->written - base - s->raw_off), s->vsize);
		if (igos_out_zero(o, s->raw_size - s->vsize) < 0)
			return -1;
	}
	return 0;
}

/* ---- writing a signed image (igos-sign) --------------------------------- */

static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Bytes [off, off+len) of the input: copied from fd (copy_file_range, no
 * second copy in memory) or from pe->data. */
static int
out_input(struct igos_out *o, const struct igos_pe *pe, int fd, size_t off, size_t len)
{
	if (len == 0)
		return 0;
	if (fd >= 0)
		return igos_out_copy(o, fd, (off_t)off, len);
	return igos_out_write(o, pe->data + off, len);
}

int
igos_pe_write_body(struct igos_out *o, const struct igos_pe *pe, int fd)
{
	return out_input(o, pe, fd, 0, igos_ac_content_end(pe));
}

int
igos_pe_write_signed(struct igos_out *o, const struct igos_pe *pe, int fd, int body_written,
		     uint64_t content_ws, const struct igos_pe_piece *pc, unsigned npc)
{
	static const unsigned char zero[8];
	unsigned char sd[IGOS_PE_DIRENT_SIZE], cs[IGOS_PE_CHECKSUM_SIZE];
	size_t end = igos_ac_content_end(pe), pad = 0, tsize = 0, toff;
	size_t cs_end = pe->checksum_off + IGOS_PE_CHECKSUM_SIZE;
	size_t sd_end = pe->secdir_off + IGOS_PE_DIRENT_SIZE;
	uint64_t ws = content_ws;

	if (pe->secdir_off == 0)
		return igos_seterr("PE image has no Certificate Table entry");
	for (unsigned i = 0; i < npc; i++)
		tsize += align8(pc[i].len);
	if (tsize) {
		pad = align8(end) - end;
		if (end + pad > UINT32_MAX || tsize > UINT32_MAX - (end + pad))
			return igos_seterr("image too large for a certificate table");
	}
	toff = end + pad;
	igos_put_le32(sd, tsize ? (uint32_t)toff : 0);
	igos_put_le32(sd + IGOS_PE_DIRENT_SIZE / 2, (uint32_t)tsize);
	ws += igos_ac_wordsum(sd, sizeof(sd), pe->secdir_off);
	for (unsigned i = 0, at = 0; i < npc; i++) {
		const unsigned char *p = pc[i].p ? pc[i].p : pe->data + pc[i].off;

		ws += igos_ac_wordsum(p, pc[i].len, toff + at);
		at += align8(pc[i].len);
	}
	igos_put_le32(cs, igos_ac_checksum(ws, toff + tsize));

	if (!body_written &&
	    (igos_out_write(o, pe->data, pe->checksum_off) < 0 ||
	     igos_out_write(o, cs, sizeof(cs)) < 0 ||
	     igos_out_write(o, pe->data + cs_end, pe->secdir_off - cs_end) < 0 ||
	     igos_out_write(o, sd, sizeof(sd)) < 0 ||
	     out_input(o, pe, fd, sd_end, end - sd_end) < 0))
		return -1;
	if (tsize && igos_out_write(o, zero, pad) < 0)
		return -1;
	for (unsigned i = 0; i < npc; i++) {
		if ((pc[i].p ? igos_out_write(o, pc[i].p, pc[i].len) :
			       out_input(o, pe, fd, pc[i].off, pc[i].len)) < 0 ||
		    igos_out_write(o, zero, align8(pc[i].len) - pc[i].len) < 0)
			return -1;
	}
	if (body_written && (igos_out_pwrite(o, cs, sizeof(cs), (off_t)pe->checksum_off) < 0 ||
			     igos_out_pwrite(o, sd, sizeof(sd), (off_t)pe->secdir_off) < 0))
		return -1;
	return 0;
}

uint64_t
igos_pe_content_wordsum(const struct igos_pe *pe, int drop_pages)
{
	size_t end = igos_ac_content_end(pe);
	size_t cs_end = pe->checksum_off + IGOS_PE_CHECKSUM_SIZE;
	size_t sd_end = pe->secdir_off + IGOS_PE_DIRENT_SIZE;
	const struct igos_ac_range r[3] = {
		{ 0, pe->checksum_off },
		{ cs_end, pe->secdir_off - cs_end },
		{ sd_end, end - sd_end },
	};
	uint64_t ws = 0;

	for (int i = 0; i < 3; i++)
		for (size_t off = r[i].off, left = r[i].len; left;) {
			size_t k = left < (4u << 20) ? left : (4u << 20);

			ws += igos_ac_wordsum(pe->data + off, k, off);
			if (drop_pages)
				madvise((void *)(pe->data + (off & ~(size_t)4095)),
					((off + k) & ~(size_t)4095) - (off & ~(size_t)4095),
					MADV_DONTNEED);
			off += k;
			left -= k;
		}
	return ws;
}
