/*
 * Test driver for the atomic writer: copies standard input to PATH through
 * igos_out as it arrives (so a test can kill it half way).
 *   atomictool [-x] [-n] [-D] [-S] [-m MODE] PATH
 *   -x: IGOS_OUT_EXCL, -n: IGOS_OUT_NOFOLLOW, -D: IGOS_OUT_DEVICE, -S: IGOS_OUT_SEEKABLE,
 *   -P: then patch the first byte to 'P' with igos_out_pwrite
 */
#include <err.h>
#include <stdlib.h>
#include <unistd.h>

#include "igos.h"

int
main(int argc, char **argv)
{
	static unsigned char buf[65536];
	struct igos_out o;
	mode_t mode = 0;
	int c, flags = 0, patch = 0;
	ssize_t n;

	while ((c = getopt(argc, argv, "xnDSPm:")) != -1) {
		switch (c) {
		case 'x':
			flags |= IGOS_OUT_EXCL;
			break;
		case 'n':
			flags |= IGOS_OUT_NOFOLLOW;
			break;
		case 'D':
			flags |= IGOS_OUT_DEVICE;
			break;
		case 'P':
			patch = 1;
			break;
		case 'S':
			flags |= IGOS_OUT_SEEKABLE;
			break;
		case 'm':
			mode = (mode_t)strtoul(optarg, NULL, 8);
			break;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc)
		errx(2, "usage: atomictool [-x] [-n] [-D] [-S] [-P] [-m MODE] PATH");
	if (igos_out_open(&o, argv[optind], mode, flags) < 0)
		errx(1, "%s", igos_errmsg());
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (igos_out_write(&o, buf, (size_t)n) < 0) {
			igos_out_abort(&o);
			errx(1, "%s", igos_errmsg());
		}
	if (n < 0) {
		igos_out_abort(&o);
		err(1, "read");
	}
	if (patch && igos_out_pwrite(&o, "P", 1, 0) < 0) {
		igos_out_abort(&o);
		errx(1, "%s", igos_errmsg());
	}
	if (igos_out_commit(&o) < 0)
		errx(1, "%s", igos_errmsg());
	return 0;
}
