/* PE/COFF headers and section table, every offset checked against the file. */
#include <string.h>

#include "igos.h"

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
	pe->pe_off = igos_le32(d + 0x3c);
	if ((uint64_t)pe->pe_off + 24 > len)
		return igos_seterr("not a PE/COFF image (e_lfanew out of range)");
	if (memcmp(d + pe->pe_off, "PE\0\0", 4) != 0)
		return igos_seterr("not a PE/COFF image (no PE signature)");
	pe->machine = igos_le16(d + pe->pe_off + 4);
	pe->nsections = igos_le16(d + pe->pe_off + 6);
	pe->symtab_off = igos_le32(d + pe->pe_off + 12);
	pe->nsyms = igos_le32(d + pe->pe_off + 16);
	pe->opt_size = igos_le16(d + pe->pe_off + 20);
	pe->characteristics = igos_le16(d + pe->pe_off + 22);
	pe->opt_off = pe->pe_off + 24;
	if ((uint64_t)pe->opt_off + pe->opt_size > len)
		return igos_seterr("truncated PE optional header");
	if (pe->opt_size < 2)
		return igos_seterr("PE optional header too small");
	magic = igos_le16(d + pe->opt_off);
	if (magic == 0x20b) {
		pe->pe32plus = 1;
		need = 112;
		dirs_rel = 112;
	} else if (magic == 0x10b) {
		need = 96;
		dirs_rel = 96;
	} else {
		return igos_seterr("unknown PE optional header magic 0x%x", magic);
	}
	if (pe->opt_size < need)
		return igos_seterr("PE optional header too small");
	pe->entry = igos_le32(d + pe->opt_off + 16);
	pe->image_base = pe->pe32plus ? igos_le64(d + pe->opt_off + 24) : igos_le32(d + pe->opt_off + 28);
	pe->section_align = igos_le32(d + pe->opt_off + 32);
	pe->file_align = igos_le32(d + pe->opt_off + 36);
	pe->size_of_image = igos_le32(d + pe->opt_off + 56);
	pe->size_of_headers = igos_le32(d + pe->opt_off + 60);
	pe->checksum_off = pe->opt_off + 64;
	pe->subsystem = igos_le16(d + pe->opt_off + 68);
	pe->dll_characteristics = igos_le16(d + pe->opt_off + 70);
	pe->ndirs = igos_le32(d + pe->opt_off + dirs_rel - 4);
	pe->dirs_off = pe->opt_off + dirs_rel;
	if (pe->ndirs > 16 || (uint64_t)dirs_rel + 8ull * pe->ndirs > pe->opt_size)
		return igos_seterr("bad PE data directory count %u", pe->ndirs);
	if (pe->ndirs > 4) {
		pe->secdir_off = pe->dirs_off + 32;
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
	end = (uint64_t)pe->shdr_off + 40ull * pe->nsections;
	if (end > len)
		return igos_seterr("PE section table past end of file");
	if (end > pe->size_of_headers)
		return igos_seterr("PE section table past SizeOfHeaders");
	for (unsigned i = 0; i < pe->nsections; i++) {
		const unsigned char *h = d + pe->shdr_off + 40 * i;
		struct igos_pe_section *s = &pe->sec[i];

		memcpy(s->name, h, 8);
		s->name[8] = '\0';
		s->vsize = igos_le32(h + 8);
		s->vaddr = igos_le32(h + 12);
		s->raw_size = igos_le32(h + 16);
		s->raw_off = igos_le32(h + 20);
		s->flags = igos_le32(h + 36);
		s->hdr_off = pe->shdr_off + 40 * i;
		if (s->raw_size && (uint64_t)s->raw_off + s->raw_size > len)
			return igos_seterr("PE section '%s' past end of file", s->name);
		if (s->raw_size && s->raw_off < pe->size_of_headers)
			return igos_seterr("PE section '%s' inside the headers", s->name);
	}
	if (pe->cert_size && (uint64_t)pe->cert_off + pe->cert_size > len)
		return igos_seterr("PE certificate table past end of file");
	return 0;
}

const struct igos_pe_section *
igos_pe_section(const struct igos_pe *pe, const char *name)
{
	for (unsigned i = 0; i < pe->nsections; i++)
		if (strncmp(pe->sec[i].name, name, 8) == 0 && strlen(name) <= 8)
			return &pe->sec[i];
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
