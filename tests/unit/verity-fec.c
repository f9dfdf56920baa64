/* lib/fec.c: the layout's numbers (checked against veritysetup's output
 * sizes), and the Reed-Solomon decoder's guarantees: up to roots / 2 errors,
 * up to roots erasures, 2e + f <= roots mixed; beyond that a refusal that
 * leaves the codeword alone, or a (rare) miscorrection to another codeword. */
#include <stdlib.h>
#include <string.h>

#include "fec.h"
#include "unit.h"

static unsigned seed = 12345;

static unsigned
rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 16) & 0x7fff;
}

/* A codeword with e errors (positions era[0..e)) of which the first f are
 * given as erasures: does decoding give back the original? */
static int
trial(unsigned roots, unsigned e, unsigned f)
{
	unsigned char orig[IGOS_FEC_N], cw[IGOS_FEC_N];
	unsigned pos[IGOS_FEC_N], n = 0;
	unsigned rsn = IGOS_FEC_N - roots;

	for (unsigned i = 0; i < rsn; i++)
		orig[i] = (unsigned char)rnd();
	igos_fec_rs_encode(roots, orig, orig + rsn);
	memcpy(cw, orig, sizeof(cw));
	while (n < e) {
		unsigned p = rnd() % IGOS_FEC_N, dup = 0;

		for (unsigned k = 0; k < n; k++)
			dup |= pos[k] == p;
		if (dup)
			continue;
		pos[n++] = p;
		cw[p] ^= (unsigned char)(1 + rnd() % 255);
	}
	if (igos_fec_rs_decode(roots, cw, pos, f) < 0)
		return 0;
	return memcmp(cw, orig, sizeof(cw)) == 0;
}

int
main(void)
{
	struct igos_fec f;
	unsigned char msg[IGOS_FEC_N] = { 0 }, cw[IGOS_FEC_N];
	int all;

	/* 300 data blocks + 4 tree blocks: 2 rounds, 16384 bytes of parity
	 * (veritysetup: "FEC blocks: 4") */
	OK(igos_fec_init(&f, 2, 4096, 300, 4096, 4, 0) == 0 && f.rounds == 2 && f.size == 16384,
	   "300 + 4 blocks, roots 2: 2 rounds, 16384 bytes");
	OK(igos_fec_init(&f, 2, 4096, 2000, 4096, 17, 0) == 0 && f.rounds == 8 && f.size == 65536,
	   "2000 + 17 blocks: 8 rounds, 65536 bytes");
	OK(igos_fec_init(&f, 1, 4096, 1, 0, 0, 0) < 0, "roots 1 refused");
	OK(igos_fec_init(&f, 25, 4096, 1, 0, 0, 0) < 0, "roots 25 refused");
	OK(igos_fec_init(&f, 2, 4096, UINT64_MAX / 2, 0, 0, 0) < 0, "a huge area refused");

	igos_fec_rs_encode(2, msg, msg + 253);
	OK(msg[253] == 0 && msg[254] == 0, "the all-zero message has zero parity");
	memcpy(cw, msg, sizeof(cw));
	OK(igos_fec_rs_decode(2, cw, NULL, 0) == 0, "a clean codeword needs nothing");

	for (unsigned roots = 2; roots <= 24; roots += 11) {
		all = 1;
		for (int t = 0; t < 50; t++)
			all &= trial(roots, roots / 2, 0);
		OK(all, "roots %u: %u errors corrected", roots, roots / 2);
		all = 1;
		for (int t = 0; t < 50; t++)
			all &= trial(roots, roots, roots);
		OK(all, "roots %u: %u erasures corrected", roots, roots);
		all = 1;
		for (int t = 0; t < 50; t++)
			all &= trial(roots, roots / 2 + 1, roots % 2 ? 1 : 2);
		OK(all, "roots %u: errors and erasures mixed within 2e + f <= roots", roots);
	}
	/* three errors with roots 2: never the original back */
	all = 0;
	for (int t = 0; t < 50; t++)
		all |= trial(2, 3, 0);
	OK(!all, "roots 2: three errors are beyond reach");
	{
		unsigned char c[IGOS_FEC_N], in[IGOS_FEC_N];
		unsigned era[3] = { 1, 2, 3 };

		for (unsigned i = 0; i < 253; i++)
			c[i] = (unsigned char)i;
		igos_fec_rs_encode(2, c, c + 253);
		c[1] ^= 1;
		c[2] ^= 2;
		c[3] ^= 3;
		memcpy(in, c, sizeof(c));
		OK(igos_fec_rs_decode(2, c, era, 3) < 0 && memcmp(c, in, sizeof(c)) == 0,
		   "three erasures with roots 2: refused, the codeword left alone");
	}
	return DONE();
}
