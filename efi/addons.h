/* Addons: signed PE files beside a UKI (<uki>.extra.d/NAME.addon.efi) or for
 * every UKI on the ESP (\loader\addons\NAME.addon.efi) whose .cmdline, .dtb and
 * .ucode the stub applies, as systemd-stub 257 does (efi/README, "Addons"). */
#ifndef IGOS_STUB_ADDONS_H
#define IGOS_STUB_ADDONS_H

#include <stddef.h>
#include <stdint.h>

/* systemd-stub skips longer names (Linux's limit) */
#define ADDON_NAME_MAX 255
/* Addons taken from one directory; more are reported and left out. */
#define ADDON_DIR_MAX 64

/* ---- pure rules (addons-pure.c; host too) ------------------------------ */

size_t addon_strlen16(const uint16_t *s);
int addon_strcmp16(const uint16_t *a, const uint16_t *b);

/* systemd-stub's command line tidying, in place: leading and trailing
 * whitespace (controls, space, DEL) dropped, each inner one a space.
 * Returns the new length. */
size_t addon_mangle_cmdline(uint16_t *s);

/* Is this directory entry an addon: ASCII, not starting with '.', at most
 * ADDON_NAME_MAX characters, ending in ".addon.efi" (any case)? */
int addon_name_ok(const uint16_t *name);

/* The UKI's own addon directory from its file path (n units, a NUL ends it
 * early): '/' read as '\', doubled '\' collapsed, a boot counter "+N[-M]"
 * dropped, ".extra.d" appended. Writes out (cap units with the NUL);
 * returns the length, 0 when it does not fit or the path is empty or names
 * a directory. */
size_t addon_extra_dir(const uint16_t *path, size_t n, uint16_t *out, size_t cap);

/* May an addon with this .uname be used with a UKI with that one? Yes when
 * either has none; otherwise the two strings (up to a NUL) must be equal.
 * (systemd-stub 257 compares only the addon's length: igos is stricter.) */
int addon_uname_ok(const uint8_t *uki, size_t uki_len, const uint8_t *addon, size_t addon_len);

/* Appends one addon's mangled command line to acc (acc_len units), a space
 * between when acc is not empty; acc must hold acc_len + extra_len + 2.
 * Returns the new length. */
size_t addon_cmdline_join(uint16_t *acc, size_t acc_len, const uint16_t *extra, size_t extra_len);

/* n rounded up to 4: initrds are concatenated each padded to 4 bytes. */
size_t addon_pad4(size_t n);

struct uki_pe;

/* What one addon brings (pointers into its loaded image; length 0: none). */
struct addon_parts {
	const uint8_t *cmdline, *dtb, *ucode;
	size_t cmdline_len, dtb_len, ucode_len;
};

enum addon_verdict {
	ADDON_USE,          /* *parts filled */
	ADDON_BAD_PE,       /* not a PE the stub reads: *err holds the UKI_E_ code */
	ADDON_HAS_LINUX,    /* a .linux: a UKI, not an addon */
	ADDON_NOTHING,      /* none of .cmdline .dtb .ucode */
	ADDON_OTHER_KERNEL, /* a .uname other than the UKI's (addon_uname_ok) */
};

/* Reads an addon from its loaded image (image_size bytes as LoadImage laid
 * it out, headers first; pe is scratch) and judges it for a UKI with that
 * .uname (NULL/0: none). Every section is bounds-checked against the image
 * (uki_loaded_section). */
enum addon_verdict addon_read(const uint8_t *image, size_t image_size, const uint8_t *uname,
			      size_t uname_len, struct uki_pe *pe, struct addon_parts *parts,
			      int *err);

#ifdef IGOS_EFI
#include <efi.h>

/* "<the UKI's path>.extra.d" (boot counting dropped, as systemd-stub), in a
 * static buffer; NULL when the UKI was not loaded from a file path. */
CHAR16 *igos_extra_dir(EFI_LOADED_IMAGE *li);

/*
 * Loads the addons (\loader\addons first, then the UKI's own directory,
 * each sorted by name) through the firmware's LoadImage (shim's when shim
 * started us), so that under Secure Boot an addon that is not signed by a key
 * the firmware (or shim) trusts is refused. Addons with a .linux, without any
 * of .cmdline .dtb .ucode, or with a .uname other than the UKI's are refused.
 * Then, as systemd-stub 257: their joined .cmdline is appended to *cmdline
 * (a pool buffer, replaced) and measured into PCR 12; each .dtb is installed
 * as the devicetree configuration table and measured into PCR 12. The .ucode
 * blobs are kept for igos_addons_initrd. Nothing here stops the boot: each
 * refusal or failure is one console line. Returns 1 when something was (or,
 * .ucode, will be) measured into PCR 12, else 0 (none, or no TPM).
 */
int igos_addons_load(EFI_HANDLE image, EFI_LOADED_IMAGE *li, const uint8_t *uname,
		      size_t uname_len, CHAR16 **cmdline, size_t *cmdline_chars);

/*
 * Prepends the addons' .ucode to the initrd (*data, *len: replaced by a pool
 * buffer when there are any), last addon first as systemd-stub 257 does (the
 * kernel takes the first microcode it finds), each measured into PCR 12 in
 * that order. Call after the UKI's own initrds (and what is measured for
 * them) are assembled, as systemd-stub measures these last.
 */
void igos_addons_initrd(const UINT8 **data, UINTN *len);
#endif

#endif
