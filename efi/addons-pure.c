/* The addon rules of the stub that need no firmware (which files are addons,
 * where a UKI's own addons live, how their command lines are joined): built
 * into the EFI stub and on the host for tests/unit/efi-addons.c. */
#include "addons.h"
#include "pure.h"

static int
is_space16(uint16_t c)
{
	/* systemd-stub's rule: every control character, space and DEL */
	return c <= 0x20 || c == 0x7f;
}

size_t
addon_strlen16(const uint16_t *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int
addon_strcmp16(const uint16_t *a, const uint16_t *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (int)*a - (int)*b;
}

size_t
addon_mangle_cmdline(uint16_t *s)
{
	size_t r = 0, w = 0, end = 0;

	while (s[r] && is_space16(s[r]))
		r++;
	for (; s[r]; r++) {
		if (is_space16(s[r])) {
			s[w++] = ' ';
			continue;
		}
		s[w++] = s[r];
		end = w;
	}
	s[end] = 0;
	return end;
}

static uint16_t
lower16(uint16_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint16_t)(c - 'A' + 'a') : c;
}

int
addon_name_ok(const uint16_t *name)
{
	static const char suffix[] = ".addon.efi";
	size_t n = addon_strlen16(name), k = sizeof(suffix) - 1;

	if (n == 0 || name[0] == '.' || n > ADDON_NAME_MAX || n < k)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (name[i] >= 0x80)
			return 0;
	for (size_t i = 0; i < k; i++)
		if (lower16(name[n - k + i]) != (uint16_t)suffix[i])
			return 0;
	return 1;
}

/* Digits at s[*i...]: at least one, advanced past them. */
static int
skip_digits(const uint16_t *s, size_t *i)
{
	size_t start = *i;

	while (s[*i] >= '0' && s[*i] <= '9')
		(*i)++;
	return *i > start;
}

size_t
addon_extra_dir(const uint16_t *path, size_t n, uint16_t *out, size_t cap)
{
	static const char tail[] = ".extra.d";
	size_t o = 0;

	if (cap == 0)
		return 0;
	/* '/' as '\', no doubled '\', no NUL inside (a file path node's
	 * PathName ends in one) */
	for (size_t i = 0; i < n && path[i]; i++) {
		uint16_t c = path[i] == '/' ? '\\' : path[i];
		if (c == '\\' && o > 0 && out[o - 1] == '\\')
			continue;
		if (o + 1 >= cap)
			return 0;
		out[o++] = c;
	}
	out[o] = 0;
	if (o == 0 || out[o - 1] == '\\')
		return 0;
	/* Boot counting (foo+3-0.efi is foo.efi's entry with tries left):
	 * "+N" or "+N-M" before the end or a '.' is dropped, at the first '+'
	 * of the path, as systemd-stub does. */
	for (size_t p = 0; p < o; p++) {
		if (out[p] != '+')
			continue;
		size_t t = p + 1;
		if (skip_digits(out, &t)) {
			int ok = 1;
			if (out[t] == '-') {
				t++;
				ok = skip_digits(out, &t);
			}
			if (ok && (out[t] == 0 || out[t] == '.')) {
				size_t d = t - p;
				for (size_t k = p; k + d <= o; k++)
					out[k] = out[k + d];
				o -= d;
			}
		}
		break;
	}
	if (o + sizeof(tail) > cap)
		return 0;
	for (size_t i = 0; tail[i]; i++)
		out[o++] = (uint16_t)tail[i];
	out[o] = 0;
	return o;
}

int
addon_uname_ok(const uint8_t *uki, size_t uki_len, const uint8_t *addon, size_t addon_len)
{
	size_t a = 0, b = 0;

	if (uki == 0 || addon == 0 || uki_len == 0 || addon_len == 0)
		return 1;
	while (a < uki_len && uki[a])
		a++;
	while (b < addon_len && addon[b])
		b++;
	if (a != b)
		return 0;
	for (size_t i = 0; i < a; i++)
		if (uki[i] != addon[i])
			return 0;
	return 1;
}

size_t
addon_cmdline_join(uint16_t *acc, size_t acc_len, const uint16_t *extra, size_t extra_len)
{
	/* systemd-stub joins the addons' (already mangled) command lines
	 * with one space after a non-empty one, even before an empty one */
	if (acc_len > 0)
		acc[acc_len++] = ' ';
	for (size_t i = 0; i < extra_len; i++)
		acc[acc_len++] = extra[i];
	acc[acc_len] = 0;
	return acc_len;
}

size_t
addon_pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

enum addon_verdict
addon_read(const uint8_t *image, size_t image_size, const uint8_t *uname, size_t uname_len,
	   struct uki_pe *pe, struct addon_parts *parts, int *err)
{
	static const char *const want[5] = { ".linux", ".cmdline", ".dtb", ".ucode", ".uname" };
	enum { A_LINUX, A_CMDLINE, A_DTB, A_UCODE, A_UNAME };
	const uint8_t *s[5];
	size_t sl[5];
	int e;

	*err = UKI_OK;
	if ((e = uki_pe_parse(image, image_size, pe)) == UKI_OK)
		for (unsigned i = 0; i < 5 && e == UKI_OK; i++)
			e = uki_loaded_section(pe, image, image_size, want[i], &s[i], &sl[i]);
	if (e != UKI_OK) {
		*err = e;
		return ADDON_BAD_PE;
	}
	if (sl[A_LINUX] > 0)
		return ADDON_HAS_LINUX;
	if (sl[A_CMDLINE] == 0 && sl[A_DTB] == 0 && sl[A_UCODE] == 0)
		return ADDON_NOTHING;
	if (!addon_uname_ok(uname, uname_len, s[A_UNAME], sl[A_UNAME]))
		return ADDON_OTHER_KERNEL;
	parts->cmdline = s[A_CMDLINE];
	parts->cmdline_len = sl[A_CMDLINE];
	parts->dtb = s[A_DTB];
	parts->dtb_len = sl[A_DTB];
	parts->ucode = s[A_UCODE];
	parts->ucode_len = sl[A_UCODE];
	return ADDON_USE;
}
