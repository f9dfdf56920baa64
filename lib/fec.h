/*
 * dm-verity forward error correction as veritysetup writes it and the
 * kernel's dm-verity-fec reads it: Reed-Solomon RS(255, 255 - roots) over
 * GF(2^8) (polynomial 0x11d, first consecutive root alpha^0), each codeword
 * taking one byte from each of 255 - roots blocks spread evenly over the
 * data and the hash area. Like the rest of libigos these never print and
 * never exit.
 */
#ifndef IGOS_FEC_H
#define IGOS_FEC_H

#include <stddef.h>
#include <stdint.h>

#define IGOS_FEC_ROOTS_MIN 2
#define IGOS_FEC_ROOTS_MAX 24
#define IGOS_FEC_N 255

/*
 * What FEC covers, in blocks of block_size: the data_blocks of the data
 * device, then hash_blocks of the hash device from byte hash_start (the
 * first tree block), then nothing (read as zeros) up to rounds * rsn.
 * The parity sits at fec_offset of the FEC device: roots bytes for each
 * (round, byte) pair, round after round.
 */
struct igos_fec {
	unsigned roots, rsn;
	uint32_t block_size;
	uint64_t data_blocks, hash_blocks, blocks;
	uint64_t hash_start;
	uint64_t rounds;
	uint64_t fec_offset;
	uint64_t size;        /* parity bytes: rounds * roots * block_size */
};

int igos_fec_init(struct igos_fec *f, unsigned roots, uint32_t block_size,
		  uint64_t data_blocks, uint64_t hash_start, uint64_t hash_blocks,
		  uint64_t fec_offset);

/* Compute the parity of the blocks in data_fd and hash_fd and write it to
 * fec_fd at f->fec_offset, with `threads` threads (0 = online CPUs). */
int igos_fec_encode(const struct igos_fec *f, int data_fd, const char *data_name,
		    int hash_fd, const char *hash_name, int fec_fd, const char *fec_name,
		    int threads);

/* One codeword: the parity of msg[0 .. 255 - roots) into par[0 .. roots). */
void igos_fec_rs_encode(unsigned roots, const unsigned char *msg, unsigned char *par);

/*
 * Correct the codeword cw[0 .. 255) (message then parity) in place, given
 * nera known bad positions era[] (indexes into cw). Returns the number of
 * symbols corrected (0: none needed), or -1 when the errors are beyond
 * reach (2 * errors + erasures > roots); cw is then unchanged.
 */
int igos_fec_rs_decode(unsigned roots, unsigned char *cw, const unsigned *era, unsigned nera);

/* Where FEC block k (0 .. f->blocks) lives: 0 data (block k), 1 hash (block
 * index in the hash device), 2 beyond both (zeros). */
int igos_fec_block_where(const struct igos_fec *f, uint64_t k, uint64_t *at);

/* What a repair found and did. */
struct igos_fec_repair {
	uint64_t corrected;      /* blocks corrected (written to the outputs) */
	uint64_t first[16];      /* the first of them, as FEC block numbers */
	uint64_t parity_fixed;   /* codewords whose parity bytes were damaged */
	uint64_t unrepaired;     /* codewords beyond reach */
	uint64_t bad_round;      /* the round of the first of those */
};

/* 1 when FEC block k (content blk, as read) fails its hash, 0 when it
 * matches, -1 on an error. */
typedef int (*igos_fec_bad_fn)(void *ctx, uint64_t k, const unsigned char *blk);

/*
 * Check every codeword against the parity in fec_fd and correct what can be:
 * corrected blocks are written to out_data_fd (data blocks, at their offset)
 * and out_hash_fd (hash blocks, at their offset in the hash device); the
 * inputs are only read. Returns 0 (see r for what was found) or -1 on an
 * I/O error.
 */
int igos_fec_repair(const struct igos_fec *f, int data_fd, const char *data_name,
		    int hash_fd, const char *hash_name, int fec_fd, const char *fec_name,
		    int out_data_fd, int out_hash_fd, igos_fec_bad_fn bad, void *ctx,
		    struct igos_fec_repair *r);

#endif
