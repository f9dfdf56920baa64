/* Hex and base64, strict on input: anything non-canonical is an error. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"

void
igos_hex_encode(const void *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = in;

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

int
igos_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
igos_hex_decode(const char *s, size_t slen, void *out, size_t outlen)
{
	unsigned char *o = out;

	if (slen != 2 * outlen)
		return igos_seterr("expected %zu hex digits, got %zu characters", 2 * outlen, slen);
	for (size_t i = 0; i < outlen; i++) {
		int hi = igos_hex_digit((unsigned char)s[2 * i]);
		int lo = igos_hex_digit((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return igos_seterr("not a hex string");
		o[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

unsigned char *
igos_hex_decode_alloc(const char *s, size_t slen, size_t *outlen)
{
	unsigned char *p;

	if (slen % 2) {
		igos_seterr("not a hex string: odd length");
		return NULL;
	}
	if ((p = malloc(slen / 2 + 1)) == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	if (igos_hex_decode(s, slen, p, slen / 2) < 0) {
		free(p);
		return NULL;
	}
	*outlen = slen / 2;
	return p;
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
igos_base64_encode(const void *in, size_t len)
{
	const unsigned char *p = in;
	char *out, *o;

	if (len > (SIZE_MAX - 1) / 4 * 3 - 3 || (out = malloc((len + 2) / 3 * 4 + 1)) == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	o = out;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*o++ = b64[v >> 18];
		*o++ = b64[(v >> 12) & 63];
		*o++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static int
b64val(int c)
{
	const char *p;

	if (c == '\0' || (p = strchr(b64, c)) == NULL)
		return -1;
	return (int)(p - b64);
}

unsigned char *
igos_base64_decode(const char *s, size_t slen, size_t *outlen)
{
	unsigned char *out;
	size_t n = 0;

	if (slen % 4) {
		igos_seterr("invalid base64: length not a multiple of 4");
		return NULL;
	}
	if ((out = malloc(slen / 4 * 3 + 1)) == NULL) {
		igos_seterr("out of memory");
		return NULL;
	}
	for (size_t i = 0; i < slen; i += 4) {
		int v[4], pad = 0;
		int last = i + 4 == slen;

		for (int j = 0; j < 4; j++) {
			int c = (unsigned char)s[i + j];

			if (c == '=' && last && j >= 2) {
				pad++;
				v[j] = 0;
				continue;
			}
			if (pad || (v[j] = b64val(c)) < 0)
				goto bad;
		}
		if (pad == 1 && s[i + 2] == '=')
			goto bad;
		out[n++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			out[n++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		if (pad < 1)
			out[n++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
		/* canonical: the bits that padding drops must be zero */
		if ((pad == 2 && (v[1] & 15)) || (pad == 1 && (v[2] & 3)))
			goto bad;
	}
	*outlen = n;
	return out;
bad:
	free(out);
	igos_seterr("invalid base64");
	return NULL;
}
