/*
 * The firmware's TPM event log (see tpmlog.h). Layout from the TCG PC Client
 * Platform Firmware Profile 1.05 (TCG_PCR_EVENT, TCG_PCR_EVENT2,
 * TCG_EfiSpecIDEvent) and UEFI's UEFI_IMAGE_LOAD_EVENT / UEFI_VARIABLE_DATA.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "tpmlog.h"

#define ALG_SHA256 0x000b
#define MAX_ALGS 16

static int
push(struct igos_tpm_event **v, size_t *n, size_t *cap, const struct igos_tpm_event *e)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct igos_tpm_event *nv;

		if (nc > SIZE_MAX / sizeof(**v) || (nv = realloc(*v, nc * sizeof(**v))) == NULL)
			return igos_seterr("out of memory");
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *e;
	return 0;
}

int
igos_tpmlog_parse(const unsigned char *p, size_t len, struct igos_tpm_event **evp, size_t *np)
{
	struct igos_tpm_event *v = NULL, e;
	size_t n = 0, cap = 0, off = 0, nalg = 0;
	uint16_t alg_id[MAX_ALGS], alg_size[MAX_ALGS];
	int agile = 0;

	*evp = NULL;
	*np = 0;
	/* the first event is always in the SHA-1 format */
	if (len < 32)
		return igos_seterr("event log: %zu bytes, shorter than one event", len);
	{
		uint32_t esz = igos_le32(p + 28);

		if (esz > len - 32)
			return igos_seterr("event log: event 1 data of %u bytes runs past the "
					   "end", esz);
		memset(&e, 0, sizeof(e));
		e.pcr = igos_le32(p);
		e.type = igos_le32(p + 4);
		e.data = p + 32;
		e.len = esz;
		if (e.type == IGOS_EV_NO_ACTION && esz >= 24 &&
		    memcmp(e.data, "Spec ID Event03\0", 16) == 0) {
			const unsigned char *d = e.data;
			uint32_t cnt = igos_le32(d + 24);

			agile = 1;
			if (cnt == 0 || cnt > MAX_ALGS || 28 + (size_t)cnt * 4 + 1 > esz)
				return igos_seterr("event log: Spec ID event lists %u digest "
						   "algorithms in %u bytes", cnt, esz);
			for (uint32_t i = 0; i < cnt; i++) {
				alg_id[i] = igos_le16(d + 28 + 4 * i);
				alg_size[i] = igos_le16(d + 30 + 4 * i);
				if (alg_size[i] == 0 || alg_size[i] > IGOS_MAX_MD)
					return igos_seterr("event log: digest size %u for "
							   "algorithm 0x%04x", alg_size[i],
							   alg_id[i]);
			}
			nalg = cnt;
		}
		if (push(&v, &n, &cap, &e) < 0)
			goto fail;
		off = 32 + esz;
	}
	while (off < len) {
		size_t left = len - off, at = off, k = n + 1;
		const unsigned char *h = p + off;

		memset(&e, 0, sizeof(e));
		e.offset = at;
		if (!agile) {
			uint32_t esz;

			if (left < 32) {
				igos_seterr("event log: event %zu at offset %zu: %zu bytes left, "
					    "a header needs 32", k, at, left);
				goto fail;
			}
			esz = igos_le32(h + 28);
			if (esz > left - 32) {
				igos_seterr("event log: event %zu at offset %zu: data of %u "
					    "bytes runs past the end", k, at, esz);
				goto fail;
			}
			e.pcr = igos_le32(h);
			e.type = igos_le32(h + 4);
			e.data = h + 32;
			e.len = esz;
			off += 32 + esz;
		} else {
			size_t pos = 12;
			uint32_t cnt, esz;

			if (left < 12) {
				igos_seterr("event log: event %zu at offset %zu: %zu bytes left, "
					    "a header needs 12", k, at, left);
				goto fail;
			}
			e.pcr = igos_le32(h);
			e.type = igos_le32(h + 4);
			cnt = igos_le32(h + 8);
			if (cnt > MAX_ALGS) {
				igos_seterr("event log: event %zu at offset %zu: %u digests",
					    k, at, cnt);
				goto fail;
			}
			for (uint32_t i = 0; i < cnt; i++) {
				uint16_t id;
				size_t j;

				if (left - pos < 2) {
					igos_seterr("event log: event %zu at offset %zu: digests "
						    "run past the end", k, at);
					goto fail;
				}
				id = igos_le16(h + pos);
				for (j = 0; j < nalg && alg_id[j] != id; j++)
					;
				if (j == nalg) {
					igos_seterr("event log: event %zu at offset %zu: digest "
						    "algorithm 0x%04x not in the Spec ID event",
						    k, at, id);
					goto fail;
				}
				pos += 2;
				if (left - pos < alg_size[j]) {
					igos_seterr("event log: event %zu at offset %zu: digests "
						    "run past the end", k, at);
					goto fail;
				}
				if (id == ALG_SHA256 && alg_size[j] == 32)
					e.sha256 = h + pos;
				pos += alg_size[j];
			}
			if (left - pos < 4) {
				igos_seterr("event log: event %zu at offset %zu: no event size",
					    k, at);
				goto fail;
			}
			esz = igos_le32(h + pos);
			pos += 4;
			if (esz > left - pos) {
				igos_seterr("event log: event %zu at offset %zu: data of %u "
					    "bytes runs past the end", k, at, esz);
				goto fail;
			}
			e.data = h + pos;
			e.len = esz;
			off += pos + esz;
		}
		if (push(&v, &n, &cap, &e) < 0)
			goto fail;
	}
	*evp = v;
	*np = n;
	return 0;
fail:
	free(v);
	return -1;
}

int
igos_tpmlog_image_load(const struct igos_tpm_event *e, struct igos_image_load *il)
{
	uint64_t dl;

	memset(il, 0, sizeof(*il));
	if (e->len < 32)
		return igos_seterr("image load event of %zu bytes, shorter than 32", e->len);
	il->addr = igos_le64(e->data);
	il->length = igos_le64(e->data + 8);
	il->link = igos_le64(e->data + 16);
	dl = igos_le64(e->data + 24);
	if (dl > e->len - 32)
		return igos_seterr("image load event: device path of %llu bytes runs past "
				   "the event", (unsigned long long)dl);
	il->dp = e->data + 32;
	il->dplen = (size_t)dl;
	return 0;
}

int
igos_tpmlog_var(const struct igos_tpm_event *e, struct igos_tpm_var *vd)
{
	uint64_t nl, dl;

	memset(vd, 0, sizeof(*vd));
	if (e->len < 32)
		return igos_seterr("variable event of %zu bytes, shorter than 32", e->len);
	vd->guid = e->data;
	nl = igos_le64(e->data + 16);
	dl = igos_le64(e->data + 24);
	if (nl > (e->len - 32) / 2 || dl > e->len - 32 - 2 * nl)
		return igos_seterr("variable event: name or data runs past the event");
	for (uint64_t i = 0; i < nl && i < sizeof(vd->name) - 1; i++) {
		uint16_t c = igos_le16(e->data + 32 + 2 * i);

		vd->name[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	vd->data = e->data + 32 + 2 * nl;
	vd->len = (size_t)dl;
	return 0;
}

static void
app(char *out, size_t size, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*at >= size)
		return;
	va_start(ap, fmt);
	r = vsnprintf(out + *at, size - *at, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	*at = (size_t)r >= size - *at ? size - 1 : *at + (size_t)r;
}

void
igos_devpath_str(const unsigned char *dp, size_t len, char *out, size_t size)
{
	size_t off = 0, at = 0;

	if (size == 0)
		return;
	out[0] = '\0';
	while (len - off >= 4) {
		unsigned type = dp[off], sub = dp[off + 1];
		size_t nl = igos_le16(dp + off + 2);
		const unsigned char *d = dp + off + 4;

		if (nl < 4 || nl > len - off) {
			app(out, size, &at, "%s<bad node>", at ? "/" : "");
			return;
		}
		if (type == 0x7f)
			break;
		if (at)
			app(out, size, &at, "/");
		if (type == 2 && sub == 1 && nl >= 12)
			app(out, size, &at, "PciRoot(0x%x)", (unsigned)igos_le32(d + 4));
		else if (type == 1 && sub == 1 && nl >= 6)
			app(out, size, &at, "Pci(0x%x,0x%x)", d[1], d[0]);
		else if (type == 4 && sub == 8 && nl >= 24)
			app(out, size, &at, "Offset(0x%llx,0x%llx)",
			    (unsigned long long)igos_le64(d + 4),
			    (unsigned long long)igos_le64(d + 12));
		else if (type == 4 && sub == 4) {
			app(out, size, &at, "File(");
			for (size_t i = 0; i + 1 < nl - 4; i += 2) {
				uint16_t c = igos_le16(d + i);

				if (c == 0)
					break;
				app(out, size, &at, "%c", (c >= 0x20 && c < 0x7f) ? (char)c : '?');
			}
			app(out, size, &at, ")");
		} else if (type == 4 && sub == 6 && nl >= 20) {
			app(out, size, &at, "FvFile(%02x%02x%02x%02x-...)", d[3], d[2], d[1], d[0]);
		} else
			app(out, size, &at, "Path(%u,%u)", type, sub);
		off += nl;
	}
}
