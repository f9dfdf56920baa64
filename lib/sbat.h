/*
 * SBAT as shim reads it: an image's .sbat CSV, the SbatLevel text (the
 * variable, and the "previous"/"latest" payloads of shim's .sbatlevel
 * section), and the generation comparison that refuses an image. The parsing
 * follows shim 16.1's csv.c/sbat.c rule for rule (facts, not code): what
 * shim accepts is accepted here and what it refuses is refused.
 */
#ifndef IGOS_SBAT_H
#define IGOS_SBAT_H

#include <stddef.h>
#include <stdint.h>

struct igos_pe;

/* Columns of a .sbat row, and of a SbatLevel row (2 or 3 of them). */
enum {
	IGOS_SBAT_COMPONENT,
	IGOS_SBAT_GENERATION,
	IGOS_SBAT_VENDOR,
	IGOS_SBAT_PACKAGE,
	IGOS_SBAT_VERSION,
	IGOS_SBAT_URL,
	IGOS_SBAT_COLUMNS,
	IGOS_SBAT_DATESTAMP = IGOS_SBAT_VENDOR, /* SbatLevel's optional third column */
};

struct igos_sbat_entry {
	/* NUL-terminated copies; a SbatLevel row has component, generation and
	 * datestamp (NULL when the row has two columns), the rest NULL. */
	const char *f[IGOS_SBAT_COLUMNS];
	/* The generation as shim compares it: spaces and tabs skipped, then
	 * decimal digits up to the first other character (none: 0), the value
	 * wrapped to 16 bits. */
	uint16_t gen;
	/* 1 when the generation column is exactly a decimal number 0..65535
	 * (anything else is a likely mistake shim does not flag). */
	int gen_exact;
	unsigned line; /* 1-based line of the text */
};

struct igos_sbat {
	struct igos_sbat_entry *e;
	size_t n;
	char *text; /* private copy the fields point into */
};

/*
 * Parse an image's .sbat section bytes (the whole raw section, NUL padding
 * included). As shim: a UTF-8 BOM at the start is skipped; rows are split at
 * CR and LF (runs of them); the text ends at a NUL, except that shim reads
 * on past a NUL that follows two or more line-break bytes; each row's first
 * six comma-separated fields are its columns (later fields are ignored); a
 * row with fewer than six, or with an empty column, is an error. A text with
 * no rows parses to n == 0 (shim then finds nothing to refuse).
 */
int igos_sbat_parse(struct igos_sbat *s, const void *data, size_t len);
/* The same for a SbatLevel text: two columns required, a third optional. */
int igos_sbat_level_parse(struct igos_sbat *s, const void *data, size_t len);
void igos_sbat_free(struct igos_sbat *s);

/*
 * The comparison shim makes (verify_sbat): for each row of the image, the
 * first level row with the same component name (exact, case-sensitive)
 * decides; the image is refused when its generation is below that row's.
 * Returns 0 when the image passes, 1 when it is refused (with *img_row and
 * *lvl_row, if not NULL, the rows that refuse it). An empty level refuses
 * nothing.
 */
int igos_sbat_check(const struct igos_sbat *img, const struct igos_sbat *lvl,
		    size_t *img_row, size_t *lvl_row);

/*
 * Find an image's .sbat as shim does (verify_buffer_sbat): the section named
 * exactly ".sbat" whose SizeOfRawData is non-zero and at least its
 * VirtualSize (a smaller one is ignored); all SizeOfRawData bytes are its
 * text. Returns 0 (found), IGOS_SBAT_NONE (shim refuses such an image it
 * loads itself), or -1 with a message for what shim rejects outright: two
 * .sbat sections, relocations on it, data past the end of the file.
 */
enum { IGOS_SBAT_NONE = 1 };
int igos_sbat_find(const struct igos_pe *pe, const unsigned char **data, size_t *len);

/*
 * shim's .sbatlevel section: u32 format version (0), then a header of two
 * u32 offsets, relative to that header, of the NUL-terminated "previous"
 * (automatic) and "latest" SbatLevel texts. The pointers point into sec.
 */
struct igos_sbatlevel {
	const char *previous, *latest;
	size_t previous_len, latest_len;
};
int igos_sbatlevel_parse(const unsigned char *sec, size_t len, struct igos_sbatlevel *out);

/*
 * shim's update of SbatLevel at start (set_sbat_uefi_variable): does shim keep
 * the SbatLevel already in NVRAM (cur[0..curlen)) rather than write its own
 * candidate text? Kept when it starts with "sbat,", is at least as long as
 * shim's original level, and either its version field is greater than the
 * candidate's or its datestamp is not older. Returns 1 (kept) or 0 (replaced).
 */
int igos_sbat_level_kept(const void *cur, size_t curlen, const char *cand, size_t candlen);

#endif
