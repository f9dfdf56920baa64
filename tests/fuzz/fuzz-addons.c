/* The stub's addon rules (efi/addons-pure.c built for the host), fed what the
 * ESP and an addon image control: a directory entry's name, the UKI's file
 * path (its .extra.d), an addon's command line (UTF-8 to UTF-16, tidied,
 * joined as the stub does), its .uname against the UKI's, and the addon read
 * from its loaded image (the input taken as one) with its sections touched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../efi/addons-pure.c"
#include "../../efi/pure.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
touch(const uint8_t *p, size_t n)
{
	if (n > 0) {
		volatile uint8_t sink = p[0] ^ p[n - 1];
		(void)sink;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The input as UTF-16 units: a file name (NUL-terminated, as
	 * EFI_FILE_INFO gives it) and a file path node (n units, a NUL may end
	 * it early). */
	size_t units = size / 2;
	uint16_t *u = malloc((units + 1) * sizeof(*u));
	if (u == NULL)
		abort();
	for (size_t i = 0; i < units; i++)
		u[i] = (uint16_t)(data[2 * i] | data[2 * i + 1] << 8);
	u[units] = 0;
	(void)addon_name_ok(u);
	/* the stub's buffer is 1040 units; smaller ones check the fit */
	size_t cap = size > 0 ? (size_t)data[0] * 5 : 0;
	uint16_t *out = malloc((cap ? cap : 1) * sizeof(*out));
	if (out == NULL)
		abort();
	size_t o = addon_extra_dir(u, units, out, cap);
	if (o > 0 && (o >= cap || out[o] != 0 || addon_strlen16(out) != o))
		abort(); /* the result must fit, NUL-terminated, with no NUL inside */
	free(out);
	(void)addon_strcmp16(u, u + units / 2);

	/* An addon's .cmdline, as keep_cmdline takes it: UTF-8 to UTF-16,
	 * tidied, and two joined in a buffer of acc + extra + 2 units. */
	size_t half = size / 2;
	uint16_t *one = malloc((half + 1) * sizeof(*one));
	uint16_t *two = malloc((size - half + 1) * sizeof(*two));
	uint16_t *acc = malloc((size + 2) * sizeof(*acc));
	if (one == NULL || two == NULL || acc == NULL)
		abort();
	uki_utf8_to_utf16(data, half, one);
	uki_utf8_to_utf16(data + half, size - half, two);
	size_t n1 = addon_mangle_cmdline(one), n2 = addon_mangle_cmdline(two);
	size_t n = addon_cmdline_join(acc, 0, one, n1);
	n = addon_cmdline_join(acc, n, two, n2);
	if (n > size + 1 || acc[n] != 0)
		abort();
	(void)addon_mangle_cmdline(acc);
	free(one);
	free(two);
	free(acc);
	free(u);

	/* .uname: the UKI's and the addon's, each up to a NUL */
	(void)addon_uname_ok(data, half, data + half, size - half);
	(void)addon_pad4(size);

	/* The input as an addon's loaded image. */
	static struct uki_pe pe;
	struct addon_parts a;
	int err;
	if (addon_read(data, size, data, half, &pe, &a, &err) == ADDON_USE) {
		touch(a.cmdline, a.cmdline_len);
		touch(a.dtb, a.dtb_len);
		touch(a.ucode, a.ucode_len);
	}
	return 0;
}
