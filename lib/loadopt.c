/*
 * Boot entries as firmware reads them: EFI_LOAD_OPTION (Boot####), its
 * device path, and BootOrder. See secboot.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "secboot.h"

/* Append UCS-2 code unit u as UTF-8 to out[*o..size-1); control characters
 * and lone surrogates become '?'. */
static void
put_utf8(char *out, size_t size, size_t *o, uint16_t u)
{
	unsigned char b[3];
	size_t n;

	if (u < 0x20 || u == 0x7f || (u >= 0xd800 && u <= 0xdfff)) {
		b[0] = '?';
		n = 1;
	} else if (u < 0x80) {
		b[0] = (unsigned char)u;
		n = 1;
	} else if (u < 0x800) {
		b[0] = (unsigned char)(0xc0 | u >> 6);
		b[1] = (unsigned char)(0x80 | (u & 0x3f));
		n = 2;
	} else {
		b[0] = (unsigned char)(0xe0 | u >> 12);
		b[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (u & 0x3f));
		n = 3;
	}
	if (*o + n < size) {
		memcpy(out + *o, b, n);
		*o += n;
	}
	out[*o] = '\0';
}

int
igos_loadopt_parse(const unsigned char *d, size_t len, struct igos_loadopt *lo)
{
	size_t off, dpend, o = 0, po = 0;
	uint16_t fplen;
	int instance_done = 0, file = 0, fw = 0, net = 0, dev = 0, other = 0;

	memset(lo, 0, sizeof(*lo));
	if (len < 6)
		return igos_seterr("load option too short (%zu bytes)", len);
	lo->attributes = igos_le32(d);
	fplen = igos_le16(d + 4);
	/* the description: UCS-2, NUL-terminated */
	for (off = 6;; off += 2) {
		uint16_t u;

		if (off + 2 > len)
			return igos_seterr("load option description not terminated");
		u = igos_le16(d + off);
		if (u == 0)
			break;
		put_utf8(lo->desc, sizeof(lo->desc), &o, u);
	}
	off += 2;
	if (fplen > len - off)
		return igos_seterr("load option device path (%u bytes) past the end", fplen);
	if (fplen < 4)
		return igos_seterr("load option without a device path");
	dpend = off + fplen;
	lo->optional = d + dpend;
	lo->optlen = len - dpend;
	/* the first instance's nodes */
	while (!instance_done) {
		uint8_t type, sub;
		uint16_t nl;
		const unsigned char *n = d + off;

		if (dpend - off < 4)
			return igos_seterr("device path node at offset %zu truncated", off);
		type = n[0];
		sub = n[1];
		nl = igos_le16(n + 2);
		if (nl < 4 || nl > dpend - off)
			return igos_seterr("device path node at offset %zu: length %u out of range",
					   off, nl);
		switch (type) {
		case 0x7f: /* end of this instance (0x01) or of the whole path (0xff) */
			instance_done = 1;
			break;
		case 0x04: /* media */
			if (sub == 0x01) { /* HD() */
				if (nl < 42)
					return igos_seterr("HD() node too short (%u bytes)", nl);
				lo->has_hd = 1;
				lo->part = igos_le32(n + 4);
				memcpy(lo->part_sig, n + 24, 16);
				lo->sig_type = n[41];
				dev = 1;
			} else if (sub == 0x04) { /* File(): a path, maybe in pieces */
				size_t k;

				if (po && po + 1 < sizeof(lo->path) && lo->path[po - 1] != '/')
					lo->path[po++] = '/';
				lo->path[po] = '\0';
				for (k = 4; k + 2 <= nl; k += 2) {
					uint16_t u = igos_le16(n + k);

					if (u == 0)
						break;
					if (u == '\\')
						u = '/';
					if (u == '/' && po == 0)
						continue; /* no leading separator */
					put_utf8(lo->path, sizeof(lo->path), &po, u);
				}
				file = 1;
			} else if (sub == 0x06 || sub == 0x07) { /* PIWG firmware file / volume */
				fw = 1;
			} else {
				dev = 1;
			}
			break;
		case 0x01: /* hardware: memory-mapped is firmware, the rest a device */
			if (sub == 0x03)
				fw = 1;
			else
				dev = 1;
			break;
		case 0x02: /* ACPI */
			dev = 1;
			break;
		case 0x03: /* messaging: network nodes make a network boot */
			if (sub == 11 || sub == 12 || sub == 13 || sub == 24)
				net = 1;
			else
				dev = 1;
			break;
		default: /* BBS and anything else */
			other = 1;
			break;
		}
		off += nl;
		if (!instance_done && off == dpend)
			return igos_seterr("device path without an end node");
	}
	if (file && po == 0)
		return igos_seterr("File() node with an empty path");
	lo->kind = file ? IGOS_LO_FILE : fw ? IGOS_LO_FIRMWARE : net ? IGOS_LO_NETWORK :
		   other ? IGOS_LO_OTHER : dev ? IGOS_LO_REMOVABLE : IGOS_LO_OTHER;
	return 0;
}

int
igos_bootorder_parse(const unsigned char *d, size_t len, uint16_t **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	if (len % 2)
		return igos_seterr("BootOrder has an odd length (%zu bytes)", len);
	if (len == 0)
		return 0;
	if ((*ids = malloc(len / 2 * sizeof(**ids))) == NULL)
		return igos_seterr("out of memory");
	for (size_t i = 0; i < len / 2; i++)
		(*ids)[i] = igos_le16(d + 2 * i);
	*n = len / 2;
	return 0;
}
