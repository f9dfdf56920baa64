/* The UKI stub's pure logic: no firmware calls, no libc, so that it builds
 * both into the EFI stub and on the host for the unit tests. */
#ifndef IGOS_STUB_PURE_H
#define IGOS_STUB_PURE_H

#include <stddef.h>
#include <stdint.h>

#define IGOS_STUB_VERSION "0.1"

/* The stub's own SBAT generation line after the sbat,1 header. The .sbat
 * section holds this text padded with NULs to IGOS_SBAT_SIZE bytes, the room
 * igos-ukify has to merge the kernel's and the UKI's lines into. */
#define IGOS_SBAT_HEADER \
	"sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\n"
#define IGOS_SBAT_TEXT IGOS_SBAT_HEADER \
	"igos,1,InterGenOS,igos-stub," IGOS_STUB_VERSION ",none\n"
#define IGOS_SBAT_SIZE 4096

/* Error codes of the pure helpers; uki_strerror() gives the console text. */
enum uki_err {
	UKI_OK = 0,
	UKI_E_TRUNC,     /* a header or table runs past the buffer */
	UKI_E_MAGIC,     /* not MZ/PE */
	UKI_E_FORMAT,    /* not PE32+ x86-64, or a header field out of range */
	UKI_E_SECTIONS,  /* too many sections */
	UKI_E_BOUNDS,    /* a section lies outside the image or the file */
	UKI_E_DUP,       /* a section name occurs twice */
	UKI_E_RELOC,     /* a bad or unsupported base relocation */
	UKI_E_PROFILE,   /* the chosen profile is not in the UKI */
};
const char *uki_strerror(int e);

#define UKI_MAX_SECTIONS 48

struct uki_section {
	char name[9];            /* NUL-terminated */
	uint32_t vaddr, vsize;   /* VirtualAddress, VirtualSize */
	uint32_t raw_off, raw_size;
	uint32_t flags;
};

struct uki_pe {
	uint16_t machine, subsystem, dll_chars, major_image_version;
	uint32_t entry;          /* AddressOfEntryPoint */
	uint32_t section_align, file_align, size_of_headers, size_of_image;
	uint64_t image_base;
	uint32_t reloc_rva, reloc_size; /* base relocation directory, 0 if none */
	unsigned nsections;
	struct uki_section sec[UKI_MAX_SECTIONS];
};

/*
 * Parse the headers and section table at buf[0..len) (a file, or the first
 * bytes of a loaded image: the headers are the same). Only PE32+ images are
 * accepted. Every offset is checked against len; nothing past the section
 * table is read.
 */
int uki_pe_parse(const uint8_t *buf, size_t len, struct uki_pe *pe);

/* Section `name` of a loaded image of image_size bytes: its data at
 * image + VirtualAddress, VirtualSize bytes. Returns UKI_OK with *data NULL
 * and *len 0 when there is no such section; UKI_E_BOUNDS when it lies outside
 * the image; UKI_E_DUP when the name occurs twice. */
int uki_loaded_section(const struct uki_pe *pe, const uint8_t *image, size_t image_size,
		       const char *name, const uint8_t **data, size_t *len);

/* Section i (< pe->nsections) of a loaded image: as uki_loaded_section, by
 * index. */
int uki_section_data(const struct uki_pe *pe, const uint8_t *image, size_t image_size, unsigned i,
		     const uint8_t **data, size_t *len);

/*
 * Lay a PE file out in memory as a loader does: dst holds pe->size_of_image
 * bytes and is zeroed by the caller; headers and section data are copied to
 * their virtual addresses, then base relocations are applied for loading at
 * load_addr. Every section must fit both the file and SizeOfImage.
 */
int uki_pe_load(const struct uki_pe *pe, const uint8_t *file, size_t file_len,
		uint8_t *dst, uint64_t load_addr);

/* Apply the base relocation table at rva/size of img (img_size bytes) for a
 * load delta. Types ABSOLUTE and DIR64 only. */
int uki_pe_relocate(uint8_t *img, size_t img_size, uint32_t rva, uint32_t size,
		    uint64_t delta);

/*
 * Multi-profile UKIs (systemd 257): the sections before the first .profile
 * are the base; profile N runs from the (N+1)th .profile section up to the
 * next .profile or the end of the table. A profile's sections replace the
 * base sections of the same name. UKI_PROFILE_BASE names the base range.
 */
#define UKI_PROFILE_BASE 0xffffffffu
/* The section table range [*first, *end) of a profile: UKI_E_PROFILE when the
 * UKI has no such profile. */
int uki_profile_range(const struct uki_pe *pe, unsigned profile, unsigned *first, unsigned *end);
/* Section `name` as profile `profile` sees it: the profile's own section if it
 * has one, else the base section (profile UKI_PROFILE_BASE: the base alone).
 * Profile 0 of a UKI without .profile sections is the base. A name twice in
 * one range is UKI_E_DUP (systemd takes the first: igos refuses the image);
 * bounds as uki_loaded_section. */
/* The search of one section range [first, end) for uki_profile_lookup: sets
 * *data and *len when it finds one (they start 0), returns UKI_OK or an error. */
typedef int (*uki_range_find)(const struct uki_pe *pe, const uint8_t *image, size_t image_size,
			      unsigned first, unsigned end, const char *name, void *ctx,
			      const uint8_t **data, size_t *len);
/* A section of profile `profile` as the stub uses it: found in the base by
 * find, then in the profile's own range, whose find wins when it finds one. */
int uki_profile_lookup(const struct uki_pe *pe, const uint8_t *image, size_t image_size,
		       unsigned profile, const char *name, uki_range_find find, void *ctx,
		       const uint8_t **data, size_t *len);
int uki_profile_section(const struct uki_pe *pe, const uint8_t *image, size_t image_size,
			unsigned profile, const char *name, const uint8_t **data, size_t *len);
/* The number of profiles: .profile sections, or 1 when there are none. */
unsigned uki_profile_count(const struct uki_pe *pe);

/*
 * The "@N" profile selector at the start of LoadOptions (chars UTF-16LE
 * units at lo), as systemd-stub 257 reads it: '@', decimal digits (at most
 * UINT32_MAX, which like systemd's UINT_MAX selects the base alone), then one
 * space or the end. Returns the number of units
 * consumed (the command line starts after them) and sets *profile, or 0 and
 * *profile = 0 when there is no such prefix.
 */
size_t uki_profile_prefix(const uint8_t *lo, size_t chars, unsigned *profile);

/*
 * newc cpio archives laid out byte for byte as systemd-stub 257 makes them
 * (they are measured, so the layout is part of the PCR values): inode
 * numbers from 1 in each archive, uid/gid/mtime 0, nlink 1 for directories
 * too, names NUL-terminated and padded to 4 bytes, data padded to 4 bytes.
 * Each returns the bytes it takes and writes them only when out is not NULL
 * (size with NULL first). mode is the full st_mode.
 * uki_cpio_member: one member named `name`.
 * uki_cpio_prefix: the directories of `path` (".extra/credentials": ".extra"
 *   0555, then the path itself with dir_mode), as mkdir -p.
 * uki_cpio_trailer: the TRAILER!!! member as systemd writes it (124 bytes).
 */
size_t uki_cpio_member(uint8_t *out, uint32_t ino, uint32_t mode, const char *name,
		       const uint8_t *data, size_t len);
size_t uki_cpio_prefix(uint8_t *out, uint32_t *ino, const char *path, uint32_t dir_mode);
size_t uki_cpio_trailer(uint8_t *out);

/*
 * A .splash bitmap (Windows BMP): BITMAPINFOHEADER or later, one plane,
 * 24 or 32 bits a pixel, uncompressed (BI_RGB), at most 8192 pixels a side,
 * rows bottom-up or (negative height) top-down, every row within the data.
 */
struct uki_bmp {
	uint32_t width, height, bpp, offset, stride;
	int top_down;
};
int uki_bmp_parse(const uint8_t *d, size_t len, struct uki_bmp *b);
/* Row y (0 = the top) as width pixels of 4 bytes: blue, green, red, 0 (the
 * EFI_GRAPHICS_OUTPUT_BLT_PIXEL layout). */
void uki_bmp_row(const uint8_t *d, const struct uki_bmp *b, uint32_t y, uint8_t *out);

/* The size of the flattened devicetree at dtb[0..len) (its header's
 * totalsize, big-endian magic 0xd00dfeed), or 0 when it is not one or does
 * not fit. */
size_t uki_fdt_size(const uint8_t *dtb, size_t len);

/* PCR 11: the sections measured, in this order (systemd's), each if present
 * and non-empty: first its name with the NUL, then its content. */
extern const char *const uki_pcr11_order[];
extern const unsigned uki_pcr11_count;

/* Command line policy. */
enum uki_cmdline_src {
	UKI_CMDLINE_NONE,     /* neither: the kernel gets an empty command line */
	UKI_CMDLINE_SECTION,  /* the .cmdline section (signed with the UKI) */
	UKI_CMDLINE_LOADOPTS, /* LoadOptions (then measured into PCR 12) */
};
/* LoadOptions are used only when Secure Boot is off or there is no (or an
 * empty) .cmdline section, and only if they are text (loadopts_chars > 0). */
enum uki_cmdline_src uki_cmdline_choose(int secure_boot, size_t cmdline_len,
					size_t loadopts_chars);

/* LoadOptions as text: the number of UTF-16LE units before the first NUL (or
 * the end), or 0 when they are not printable ASCII (tab allowed) or empty.
 * Firmware passes binary OptionalData too (OVMF: a GUID for the boot options
 * it makes itself, which reads as CJK text as UTF-16); a kernel command line
 * is ASCII. Bytes are read one at a time: LoadOptions need not be aligned. */
size_t uki_loadopts_chars(const uint8_t *lo, size_t bytes);

/* UTF-8 (stopping at the first NUL or after inlen bytes) to UTF-16; out must
 * hold inlen + 1 units; the result is NUL-terminated; returns the number of
 * units before the NUL. Malformed sequences become U+FFFD. */
size_t uki_utf8_to_utf16(const uint8_t *in, size_t inlen, uint16_t *out);

/* Is text[0..len) (up to a NUL) well-formed SBAT CSV: lines of exactly six
 * non-empty comma-separated fields ending in '\n', the first line the sbat,1
 * header, only NULs after the text? (Host only.) */
int uki_sbat_valid(const char *text, size_t len);

#endif
