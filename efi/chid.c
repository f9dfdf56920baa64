/* CHIDs from SMBIOS, .hwids lookup and the .dtbauto/.efifw pick (chid.h):
 * freestanding, built into the stub and on the host for the unit tests. */
#include "chid.h"

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int
same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* ---- SHA-1 (FIPS 180-4) ------------------------------------------------- */

struct sha1 {
	uint32_t h[5];
	uint8_t buf[64];
	uint64_t total;
	unsigned used;
};

static uint32_t
rol(uint32_t x, unsigned n)
{
	return x << n | x >> (32 - n);
}

static void
sha1_block(struct sha1 *c, const uint8_t *p)
{
	uint32_t w[80], a = c->h[0], b = c->h[1], d3 = c->h[2], d = c->h[3], e = c->h[4];

	for (int i = 0; i < 16; i++)
		w[i] = be32(p + 4 * i);
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;
		if (i < 20)
			f = (b & d3) | (~b & d), k = 0x5a827999;
		else if (i < 40)
			f = b ^ d3 ^ d, k = 0x6ed9eba1;
		else if (i < 60)
			f = (b & d3) | (b & d) | (d3 & d), k = 0x8f1bbcdc;
		else
			f = b ^ d3 ^ d, k = 0xca62c1d6;
		uint32_t t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = d3;
		d3 = rol(b, 30);
		b = a;
		a = t;
	}
	c->h[0] += a;
	c->h[1] += b;
	c->h[2] += d3;
	c->h[3] += d;
	c->h[4] += e;
}

static void
sha1_init(struct sha1 *c)
{
	static const uint32_t iv[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };

	for (int i = 0; i < 5; i++)
		c->h[i] = iv[i];
	c->total = 0;
	c->used = 0;
}

static void
sha1_update(struct sha1 *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	c->total += len;
	while (len > 0) {
		c->buf[c->used++] = *p++;
		len--;
		if (c->used == 64) {
			sha1_block(c, c->buf);
			c->used = 0;
		}
	}
}

static void
sha1_final(struct sha1 *c, uint8_t out[20])
{
	uint64_t bits = c->total * 8;
	uint8_t pad = 0x80, zero = 0, lenb[8];

	sha1_update(c, &pad, 1);
	while (c->used != 56)
		sha1_update(c, &zero, 1);
	for (int i = 0; i < 8; i++)
		lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha1_update(c, lenb, 8);
	for (int i = 0; i < 20; i++)
		out[i] = (uint8_t)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

void
chid_sha1(const void *data, size_t len, uint8_t out[20])
{
	struct sha1 c;

	sha1_init(&c);
	sha1_update(&c, data, len);
	sha1_final(&c, out);
}

/* ---- SMBIOS ------------------------------------------------------------- */

int
chid_smbios_entry(const uint8_t *ep, size_t ep_len, int v3, uint64_t *addr, uint32_t *len)
{
	if (v3) {
		/* _SM3_, checksum, length (at most the 24 bytes known), ...,
		 * u32 maximum table size at 12, u64 table address at 16 */
		if (ep_len < 24 || ep[0] != '_' || ep[1] != 'S' || ep[2] != 'M' || ep[3] != '3' ||
		    ep[4] != '_' || ep[6] > 24)
			return -1;
		*len = le32(ep + 12);
		*addr = (uint64_t)le32(ep + 16) | (uint64_t)le32(ep + 20) << 32;
		return 0;
	}
	/* _SM_, checksum, length (at most 31), ..., u16 table length at 22,
	 * u32 table address at 24 */
	if (ep_len < 31 || ep[0] != '_' || ep[1] != 'S' || ep[2] != 'M' || ep[3] != '_' || ep[5] > 31)
		return -1;
	*len = (uint32_t)ep[22] | (uint32_t)ep[23] << 8;
	*addr = le32(ep + 24);
	return 0;
}

/* String number nr (from 1) of the structure at s (formatted length flen)
 * whose strings end before `end`; NULL when 0 or absent. */
static const char *
smbios_string(const uint8_t *s, size_t flen, const uint8_t *end, unsigned nr, size_t *len)
{
	const uint8_t *p = s + flen;

	for (unsigned i = 1; nr != 0 && p < end; i++) {
		const uint8_t *e = p;
		while (e < end && *e)
			e++;
		if (e == end || e == p) /* no NUL, or the double NUL: the end */
			return 0;
		if (i == nr) {
			*len = (size_t)(e - p);
			return (const char *)p;
		}
		p = e + 1;
	}
	return 0;
}

void
chid_smbios_read(const uint8_t *table, size_t len, struct chid_smbios *f)
{
	const uint8_t *p = table, *end = table + len;
	int have1 = 0, have2 = 0;

	for (int i = 0; i < CHID_NFIELDS; i++) {
		f->s[i] = 0;
		f->len[i] = 0;
	}
	if (table == 0)
		return;
	while ((size_t)(end - p) >= 4 && !(have1 && have2)) {
		uint8_t type = p[0], flen = p[1];
		if (type == 127 || flen < 4 || flen > end - p)
			return;
		/* the formatted area as systemd-stub reads it: type 1 up to the
		 * family (27 bytes), type 2 up to the serial number (8) */
		if (type == 1 && !have1 && flen >= 27) {
			static const struct { unsigned off; enum chid_field f; } t1[] = {
				{ 4, CHID_MANUFACTURER }, { 5, CHID_PRODUCT_NAME },
				{ 25, CHID_PRODUCT_SKU }, { 26, CHID_FAMILY },
			};
			for (unsigned k = 0; k < 4; k++)
				f->s[t1[k].f] = smbios_string(p, flen, end, p[t1[k].off], &f->len[t1[k].f]);
			have1 = 1;
		} else if (type == 2 && !have2 && flen >= 8) {
			f->s[CHID_BOARD_MANUFACTURER] = smbios_string(p, flen, end, p[4],
								      &f->len[CHID_BOARD_MANUFACTURER]);
			f->s[CHID_BOARD_PRODUCT] = smbios_string(p, flen, end, p[5], &f->len[CHID_BOARD_PRODUCT]);
			have2 = 1;
		}
		/* past the formatted area and the strings, up to the double NUL
		 * (no strings: the two NULs at once, which this loop takes too) */
		p += flen;
		for (;;) {
			const uint8_t *e = p;
			while (e < end && *e)
				e++;
			if (e == end)
				return;
			p = e + 1;
			if (p < end && *p == 0) {
				p++;
				break;
			}
		}
	}
}

/* ---- CHIDs -------------------------------------------------------------- */

/* The fields of HardwareID-N as bits of enum chid_field (0: not computed). */
static const uint8_t chid_fields[CHID_COUNT] = {
#define B(x) (1u << CHID_##x)
	[3] = B(MANUFACTURER) | B(FAMILY) | B(PRODUCT_NAME) | B(PRODUCT_SKU) |
	      B(BOARD_MANUFACTURER) | B(BOARD_PRODUCT),
	[4] = B(MANUFACTURER) | B(FAMILY) | B(PRODUCT_NAME) | B(PRODUCT_SKU),
	[5] = B(MANUFACTURER) | B(FAMILY) | B(PRODUCT_NAME),
	[6] = B(MANUFACTURER) | B(PRODUCT_SKU) | B(BOARD_MANUFACTURER) | B(BOARD_PRODUCT),
	[7] = B(MANUFACTURER) | B(PRODUCT_SKU),
	[8] = B(MANUFACTURER) | B(PRODUCT_NAME) | B(BOARD_MANUFACTURER) | B(BOARD_PRODUCT),
	[9] = B(MANUFACTURER) | B(PRODUCT_NAME),
	[10] = B(MANUFACTURER) | B(FAMILY) | B(BOARD_MANUFACTURER) | B(BOARD_PRODUCT),
	[11] = B(MANUFACTURER) | B(FAMILY),
	[13] = B(MANUFACTURER) | B(BOARD_MANUFACTURER) | B(BOARD_PRODUCT),
	[14] = B(MANUFACTURER),
#undef B
};

void
chid_compute(const struct chid_smbios *f, chid_t out[CHID_COUNT])
{
	/* each field once as UTF-16LE bytes; too long: -1 */
	static uint16_t u16[CHID_NFIELDS][CHID_FIELD_MAX + 1];
	static long n16[CHID_NFIELDS];
	static const uint8_t ns[16] = { 0x70, 0xff, 0xd8, 0x12, 0x4c, 0x7f, 0x4c, 0x7d };

	for (int i = 0; i < CHID_NFIELDS; i++) {
		const char *s = f->s[i];
		size_t n = s ? f->len[i] : 0;
		while (n > 0 && *s == ' ')
			s++, n--;
		while (n > 0 && *s == '0')
			s++, n--;
		while (n > 0 && s[n - 1] == ' ')
			n--;
		n16[i] = n > CHID_FIELD_MAX ? -1 : (long)uki_utf8_to_utf16((const uint8_t *)s, n, u16[i]);
	}
	for (int id = 0; id < CHID_COUNT; id++) {
		uint8_t h[20];
		struct sha1 c;
		int ok = chid_fields[id] != 0;

		for (int i = 0; i < CHID_NFIELDS; i++)
			if ((chid_fields[id] >> i & 1) && n16[i] < 0)
				ok = 0;
		for (int k = 0; k < 16; k++)
			out[id][k] = 0;
		if (!ok)
			continue;
		sha1_init(&c);
		sha1_update(&c, ns, 16);
		int first = 1;
		for (int i = 0; i < CHID_NFIELDS; i++) {
			if (!(chid_fields[id] >> i & 1))
				continue;
			if (!first)
				sha1_update(&c, "&\0", 2);
			first = 0;
			for (long k = 0; k < n16[i]; k++) {
				uint8_t le[2] = { (uint8_t)u16[i][k], (uint8_t)(u16[i][k] >> 8) };
				sha1_update(&c, le, 2);
			}
		}
		sha1_final(&c, h);
		h[6] = (uint8_t)((h[6] & 0x0f) | 0x50); /* version 5 */
		h[8] = (uint8_t)((h[8] & 0x3f) | 0x80); /* RFC 4122 variant */
		/* the hash is the big-endian UUID; EFI_GUID keeps the first three
		 * fields little-endian */
		static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
		for (int k = 0; k < 16; k++)
			out[id][k] = h[order[k]];
	}
}

/* ---- .hwids ------------------------------------------------------------- */

#define HWID_ENTRY 28u

static int
has_nul(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == 0)
			return 1;
	return 0;
}

int
chid_match(const uint8_t *hwids, size_t len, const chid_t chids[CHID_COUNT], uint32_t type,
	   const char **str)
{
	/* most specific first, as systemd-stub 257/258 */
	static const uint8_t prio[] = { 3, 6, 8, 10, 4, 5, 7, 9, 11 };
	size_t n = 0;

	*str = 0;
	if (hwids == 0)
		return CHID_NONE;
	/* As systemd-stub: an entry counts only when a byte follows it (the
	 * zero descriptor that ends the list, or the strings). */
	for (; (n + 1) * HWID_ENTRY < len; n++) {
		const uint8_t *d = hwids + n * HWID_ENTRY;
		uint32_t desc = le32(d), t = desc >> 28;
		if (desc == 0)
			break;
		if (t != CHID_TYPE_DEVICETREE && t != CHID_TYPE_UEFI_FW)
			return CHID_BAD;
		uint32_t name = le32(d + 20), key = le32(d + 24);
		if (name >= len || key >= len)
			return CHID_BAD;
		if ((name && !has_nul(hwids + name, len - name)) || (key && !has_nul(hwids + key, len - key)))
			return CHID_BAD;
	}
	if (n == 0)
		return CHID_NONE;
	for (unsigned p = 0; p < sizeof(prio); p++) {
		const uint8_t *want = chids[prio[p]];
		int zero = 1;
		for (int k = 0; k < 16; k++)
			zero &= want[k] == 0;
		if (zero)
			continue;
		for (size_t i = 0; i < n; i++) {
			const uint8_t *d = hwids + i * HWID_ENTRY;
			int eq = 1;
			if (le32(d) >> 28 != type)
				continue;
			for (int k = 0; k < 16; k++)
				eq &= d[4 + k] == want[k];
			if (!eq)
				continue;
			uint32_t key = le32(d + 24);
			if (key == 0)
				return CHID_NONE;
			*str = (const char *)hwids + key;
			return CHID_MATCH;
		}
	}
	return CHID_NONE;
}

/* ---- keys of the candidates --------------------------------------------- */

const char *
chid_fdt_compatible(const uint8_t *dtb, size_t len)
{
	/* The root node's properties only, as systemd-stub: the structure
	 * block starts with the root (an empty name), and a "compatible"
	 * property among the root's before any child node. */
	if (dtb == 0 || len < 40 || be32(dtb) != 0xd00dfeedu)
		return 0;
	uint32_t total = be32(dtb + 4), soff = be32(dtb + 8), stroff = be32(dtb + 12),
		 strsize = be32(dtb + 32), ssize = be32(dtb + 36);
	if (total > len || soff % 4 || ssize % 4 || soff > total || ssize > total - soff ||
	    stroff > total || strsize > total - stroff)
		return 0;
	const uint8_t *s = dtb + soff, *names = dtb + stroff;
	size_t words = ssize / 4, i = 0;
	if (words < 2 || be32(s) != 1 || be32(s + 4) != 0) /* FDT_BEGIN_NODE, "" */
		return 0;
	for (i = 2; i < words;) {
		uint32_t tok = be32(s + 4 * i);
		if (tok == 4) { /* FDT_NOP */
			i++;
			continue;
		}
		if (tok != 3 || i + 3 > words) /* FDT_PROP: len, nameoff, value */
			return 0;
		uint32_t plen = be32(s + 4 * (i + 1)), noff = be32(s + 4 * (i + 2));
		size_t pwords = (plen + 3u) / 4u;
		if (plen > ssize || pwords > words - (i + 3))
			return 0;
		const uint8_t *val = s + 4 * (i + 3);
		if (noff < strsize && strsize - noff >= sizeof("compatible")) {
			const char *nm = (const char *)names + noff;
			if (same(nm, "compatible"))
				return plen > 0 && val[plen - 1] == 0 ? (const char *)val : 0;
		}
		i += 3 + pwords;
	}
	return 0;
}

const char *
chid_efifw_fwid(const uint8_t *blob, size_t len)
{
	if (blob == 0 || len < 16 || le32(blob) != 0xfeeddeadu)
		return 0;
	uint64_t hlen = le32(blob + 4), flen = le32(blob + 8), plen = le32(blob + 12);
	if (hlen < 16 || flen == 0 || hlen + flen + plen > len)
		return 0;
	const uint8_t *id = blob + hlen;
	/* the first NUL is the last byte of the fwid */
	for (uint64_t i = 0; i + 1 < flen; i++)
		if (id[i] == 0)
			return 0;
	return id[flen - 1] == 0 ? (const char *)id : 0;
}

/* ---- the pick ----------------------------------------------------------- */

static int
pick_range(const struct uki_pe *pe, const uint8_t *image, size_t image_size, unsigned first,
	   unsigned end, const char *name, const struct chid_machine *m, const uint8_t **data,
	   size_t *len, int *bad_hwids)
{
	int dt = same(name, ".dtbauto");
	const char *want = 0;
	const uint8_t *hw = 0;
	size_t hwlen = 0;
	int e, n = 0;

	for (unsigned i = first; i < end; i++)
		n += same(pe->sec[i].name, name);
	if (n == 0)
		return UKI_OK;
	if (dt && m->fw_dt) {
		/* The firmware's own devicetree names the board: .hwids is not
		 * consulted (systemd-stub's devicetree_match). */
		want = m->fw_compat;
	} else {
		for (unsigned i = first; i < end; i++) {
			if (!same(pe->sec[i].name, ".hwids"))
				continue;
			if (hw)
				return UKI_E_DUP;
			if ((e = uki_section_data(pe, image, image_size, i, &hw, &hwlen)) != UKI_OK)
				return e;
		}
		int r = chid_match(hw, hwlen, m->chids, dt ? CHID_TYPE_DEVICETREE : CHID_TYPE_UEFI_FW, &want);
		if (r == CHID_BAD)
			*bad_hwids = 1;
	}
	if (want == 0)
		return UKI_OK;
	for (unsigned i = first; i < end; i++) {
		const uint8_t *d;
		size_t l;
		if (!same(pe->sec[i].name, name))
			continue;
		if ((e = uki_section_data(pe, image, image_size, i, &d, &l)) != UKI_OK)
			return e;
		const char *key = dt ? chid_fdt_compatible(d, l) : chid_efifw_fwid(d, l);
		if (key && same(key, want)) {
			*data = d;
			*len = l;
			return UKI_OK;
		}
	}
	return UKI_OK;
}

struct pick_ctx {
	const struct chid_machine *m;
	int *bad_hwids;
};

static int
pick_find(const struct uki_pe *pe, const uint8_t *image, size_t image_size, unsigned first,
	  unsigned end, const char *name, void *ctx, const uint8_t **data, size_t *len)
{
	struct pick_ctx *c = ctx;

	return pick_range(pe, image, image_size, first, end, name, c->m, data, len, c->bad_hwids);
}

int
uki_profile_pick(const struct uki_pe *pe, const uint8_t *image, size_t image_size,
		 unsigned profile, const char *name, const struct chid_machine *m,
		 const uint8_t **data, size_t *len, int *bad_hwids)
{
	struct pick_ctx c = { m, bad_hwids };

	*bad_hwids = 0;
	return uki_profile_lookup(pe, image, image_size, profile, name, pick_find, &c, data, len);
}
