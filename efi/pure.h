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
