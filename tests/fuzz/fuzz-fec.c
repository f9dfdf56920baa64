/* dm-verity FEC: the Reed-Solomon decoder over damaged codewords. The input
 * chooses the roots, a message, an error pattern and erasures; whatever it
 * is, the decoder must not crash, must return a codeword (parity matching
 * its message) or leave the input as it was, and must give back the
 * original message whenever 2 * errors + erasures <= roots. */
#include <stdlib.h>
#include <string.h>

#include "fec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char cw[IGOS_FEC_N], orig[IGOS_FEC_N], in[IGOS_FEC_N], par[IGOS_FEC_ROOTS_MAX];
	unsigned era[IGOS_FEC_N], nera = 0, roots, rsn, errs = 0, unknown = 0;
	size_t p = 0;
	int r;

	if (size < 2)
		return 0;
	roots = IGOS_FEC_ROOTS_MIN + data[p++] % (IGOS_FEC_ROOTS_MAX - IGOS_FEC_ROOTS_MIN + 1);
	rsn = IGOS_FEC_N - roots;
	memset(orig, 0, sizeof(orig));
	for (unsigned i = 0; i < rsn && p < size; i++)
		orig[i] = data[p++] ^ (unsigned char)(i * 37);
	igos_fec_rs_encode(roots, orig, orig + rsn);
	memcpy(cw, orig, sizeof(cw));
	/* triples: position, value, erased? */
	while (p + 3 <= size) {
		unsigned pos = data[p] % IGOS_FEC_N;
		int marked = 0;

		cw[pos] ^= data[p + 1];
		if ((data[p + 2] & 1) && nera < IGOS_FEC_N) {
			for (unsigned e = 0; e < nera; e++)
				marked |= era[e] == pos;
			if (!marked)
				era[nera++] = pos;
		}
		p += 3;
	}
	for (unsigned k = 0; k < IGOS_FEC_N; k++) {
		int erased = 0;

		for (unsigned e = 0; e < nera; e++)
			erased |= era[e] == k;
		if (cw[k] != orig[k]) {
			errs++;
			unknown += !erased;
		}
	}
	memcpy(in, cw, sizeof(in));
	r = igos_fec_rs_decode(roots, cw, era, nera);
	if (r < 0) {
		if (memcmp(cw, in, sizeof(cw)) != 0)
			abort();
		if (2 * unknown + nera <= roots)
			abort();
		return 0;
	}
	igos_fec_rs_encode(roots, cw, par);
	if (memcmp(par, cw + rsn, roots) != 0)
		abort();
	if (2 * unknown + nera <= roots && memcmp(cw, orig, sizeof(cw)) != 0)
		abort();
	(void)errs;
	return 0;
}
