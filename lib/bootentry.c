/*
 * Boot entries for the firmware: the ESP's partition as a HD() node and the
 * EFI_LOAD_OPTION around it (see bootentry.h).
 */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "bootentry.h"

int
igos_hd_from_disk(const unsigned char *d, size_t len, unsigned bs, uint32_t part,
		  uint64_t start, uint64_t size, struct igos_hd *hd)
{
	memset(hd, 0, sizeof(*hd));
	if (bs < 512 || bs > 65536 || (bs & (bs - 1)) || len < 512)
		return igos_seterr("bad block size %u", bs);
	if (d[510] != 0x55 || d[511] != 0xaa)
		return igos_seterr("no partition table (no MBR signature)");
	hd->part = part;
	hd->start = start;
	hd->size = size;
	/* a protective MBR: one partition of type 0xEE, the GPT behind it */
	if (d[446 + 4] == 0xee) {
		const unsigned char *h, *e;
		uint64_t ents;
		uint32_t n, esz;

		if (len < 2 * (size_t)bs)
			return igos_seterr("GPT: the header is not in what was read");
		h = d + bs;
		if (memcmp(h, "EFI PART", 8) != 0)
			return igos_seterr("GPT: no header at LBA 1");
		ents = igos_le64(h + 72);
		n = igos_le32(h + 80);
		esz = igos_le32(h + 84);
		if (esz < 128 || esz > 4096 || part == 0 || part > n)
			return igos_seterr("GPT: no partition %u", part);
		if (ents > len / bs || (uint64_t)(part - 1) * esz + esz > len - ents * bs)
			return igos_seterr("GPT: the entries are not in what was read");
		e = d + ents * bs + (uint64_t)(part - 1) * esz;
		if (igos_le64(e + 32) != start || igos_le64(e + 40) - igos_le64(e + 32) + 1 != size)
			return igos_seterr("GPT: partition %u is not where the kernel has it", part);
		memcpy(hd->sig, e + 16, 16);
		hd->mbr_type = 2;
		hd->sig_type = 2;
		return 0;
	}
	if (part == 0 || part > 4)
		return igos_seterr("MBR: no primary partition %u", part);
	{
		const unsigned char *p = d + 446 + 16 * (part - 1);

		if (p[4] == 0 || igos_le32(p + 8) != start || igos_le32(p + 12) != size)
			return igos_seterr("MBR: partition %u is not where the kernel has it", part);
	}
	memcpy(hd->sig, d + 440, 4);
	hd->mbr_type = 1;
	hd->sig_type = 1;
	return 0;
}

static void
put64(unsigned char *p, uint64_t v)
{
	igos_put_le32(p, (uint32_t)v);
	igos_put_le32(p + 4, (uint32_t)(v >> 32));
}

unsigned char *
igos_load_option(const char *label, const struct igos_hd *hd, const char *path, size_t *len)
{
	size_t ll = strlen(label), pl = strlen(path), fpl, n, o = 0;
	unsigned char *b;

	if (ll == 0 || ll > 256 || pl == 0 || pl > 512) {
		igos_seterr("a boot entry's label and path must be 1-256 and 1-512 characters");
		return NULL;
	}
	for (size_t i = 0; i < ll; i++)
		if ((unsigned char)label[i] < 0x20 || (unsigned char)label[i] > 0x7e) {
			igos_seterr("a boot entry's label must be printable ASCII");
			return NULL;
		}
	fpl = 42 + 4 + 2 * (pl + 1) + 4;
	n = 4 + 2 + 2 * (ll + 1) + fpl;
	if (!(b = calloc(1, n))) {
		igos_seterr("out of memory");
		return NULL;
	}
	igos_put_le32(b, 1); /* LOAD_OPTION_ACTIVE */
	igos_put_le16(b + 4, (uint16_t)fpl);
	o = 6;
	for (size_t i = 0; i < ll; i++, o += 2)
		b[o] = (unsigned char)label[i];
	o += 2;
	/* HD(): media (4), hard drive (1), 42 bytes */
	b[o] = 4;
	b[o + 1] = 1;
	igos_put_le16(b + o + 2, 42);
	igos_put_le32(b + o + 4, hd->part);
	put64(b + o + 8, hd->start);
	put64(b + o + 16, hd->size);
	memcpy(b + o + 24, hd->sig, 16);
	b[o + 40] = hd->mbr_type;
	b[o + 41] = hd->sig_type;
	o += 42;
	/* File(): media (4), file path (4), UTF-16LE with '\' separators */
	b[o] = 4;
	b[o + 1] = 4;
	igos_put_le16(b + o + 2, (uint16_t)(4 + 2 * (pl + 1)));
	o += 4;
	for (size_t i = 0; i < pl; i++, o += 2)
		b[o] = path[i] == '/' ? '\\' : (unsigned char)path[i];
	o += 2;
	/* End of the whole path */
	b[o] = 0x7f;
	b[o + 1] = 0xff;
	igos_put_le16(b + o + 2, 4);
	*len = n;
	return b;
}

int
igos_load_option_path(const unsigned char *opt, size_t len, const unsigned char **dp,
		      size_t *dplen)
{
	size_t o = 6, fpl;

	if (len < 6)
		return -1;
	fpl = igos_le16(opt + 4);
	while (o + 1 < len && (opt[o] || opt[o + 1]))
		o += 2;
	o += 2;
	if (o > len || fpl > len - o)
		return -1;
	*dp = opt + o;
	*dplen = fpl;
	return 0;
}
