/* The stub's addons: finding, verifying (through LoadImage), applying and
 * measuring *.addon.efi as systemd-stub 257 does (efi/README, "Addons"). */
#include <efi.h>
#include <efilib.h>

#include "addons.h"
#include "devicetree.h"
#include "pure.h"
#include "tcg2.h"

#define ADDON_PCR 12
/* systemd's tags for the EV_EVENT_TAG records of addons (the event log
 * tells a reader which file a digest came from) */
#define TAG_DEVICETREE_ADDON 0x6c46f751u
#define TAG_UCODE_ADDON 0xdac08e1au

/* Extends PCR 12 with the digest of data[0..len); the event carries what the
 * log shows: the command line (EV_IPL), or the tag and the addon's file name
 * (EV_EVENT_TAG, a TCG_PCClientTaggedEvent). No TPM: nothing, silently (the
 * stub said so once). */
static int measured; /* something went into PCR 12 */

static void
measure(const void *data, UINTN len, UINT32 tag, const CHAR16 *text)
{
	struct tcg2 *t = igos_tcg2_open();
	EFI_STATUS st;

	if (t == NULL)
		return;
	st = tag ? igos_tcg2_measure_tagged(t, ADDON_PCR, tag, data, len, text)
		 : igos_tcg2_measure(t, ADDON_PCR, data, len, text);
	measured |= st == EFI_SUCCESS;
	if (st != EFI_SUCCESS)
		Print(L"igos-stub: cannot measure %s into PCR 12: %r\r\n", text, st);
}

/* ---- what the addons brought --------------------------------------------- */

struct blob {
	UINT8 *data;
	UINTN len;
	CHAR16 *name; /* the addon's file name, for the event log */
};

#define BLOBS_MAX (2 * ADDON_DIR_MAX)

static struct blob dtbs[BLOBS_MAX], ucodes[BLOBS_MAX];
static unsigned ndtbs, nucodes;
static CHAR16 *addon_cmdline; /* joined, not yet mangled; NULL: none */
static size_t addon_cmdline_len;

static CHAR16 names[ADDON_DIR_MAX][ADDON_NAME_MAX + 1];
static struct uki_pe addon_pe;

static void
keep_blob(struct blob *list, unsigned *n, const UINT8 *data, size_t len, const CHAR16 *name)
{
	struct blob b = { AllocatePool(len), len, StrDuplicate(name) };

	if (b.data == NULL || b.name == NULL || *n >= BLOBS_MAX) {
		Print(L"igos-stub: addon %s: %r, not used\r\n", name, EFI_OUT_OF_RESOURCES);
		if (b.data)
			FreePool(b.data);
		if (b.name)
			FreePool(b.name);
		return;
	}
	CopyMem(b.data, (VOID *)data, len);
	list[(*n)++] = b;
}

static void
keep_cmdline(const UINT8 *text, size_t len, const CHAR16 *name)
{
	/* UTF-8 to UTF-16 needs len + 1 units; the join adds a space and a NUL */
	if (len > 0x100000 || addon_cmdline_len > 0x100000) {
		Print(L"igos-stub: addon %s: command line too long, not used\r\n", name);
		return;
	}
	CHAR16 *one = AllocatePool((len + 1) * sizeof(CHAR16));
	CHAR16 *acc = AllocatePool((addon_cmdline_len + len + 2) * sizeof(CHAR16));
	if (one == NULL || acc == NULL) {
		Print(L"igos-stub: addon %s: %r, not used\r\n", name, EFI_OUT_OF_RESOURCES);
		if (one)
			FreePool(one);
		if (acc)
			FreePool(acc);
		return;
	}
	uki_utf8_to_utf16(text, len, one);
	size_t n = addon_mangle_cmdline(one);
	if (addon_cmdline) {
		CopyMem(acc, addon_cmdline, addon_cmdline_len * sizeof(CHAR16));
		FreePool(addon_cmdline);
	}
	addon_cmdline_len = addon_cmdline_join(acc, addon_cmdline_len, one, n);
	addon_cmdline = acc;
	FreePool(one);
}

/* One addon: loaded (and so verified) by LoadImage, its sections read from
 * the loaded image, the image unloaded. */
static void
load_one(EFI_HANDLE image, EFI_LOADED_IMAGE *li, const CHAR16 *dir, const CHAR16 *name,
	 const uint8_t *uname, size_t uname_len)
{
	CHAR16 *path = PoolPrint(L"%s\\%s", dir, name);
	EFI_DEVICE_PATH *dp = path ? FileDevicePath(li->DeviceHandle, path) : NULL;
	EFI_HANDLE h = NULL;
	EFI_LOADED_IMAGE *ali = NULL;
	EFI_STATUS st;
	struct addon_parts a;
	int e;

	if (dp == NULL) {
		Print(L"igos-stub: addon %s\\%s: %r\r\n", dir, name, EFI_OUT_OF_RESOURCES);
		goto out;
	}
	/* Under Secure Boot the firmware (or shim 16, whose LoadImage replaces
	 * the firmware's) refuses an image no trusted key signed. */
	st = uefi_call_wrapper(BS->LoadImage, 6, FALSE, image, dp, NULL, 0, &h);
	if (st != EFI_SUCCESS) {
		Print(L"igos-stub: addon %s refused: %r\r\n", path, st);
		goto out;
	}
	st = uefi_call_wrapper(BS->HandleProtocol, 3, h, &LoadedImageProtocol, (VOID **)&ali);
	if (st != EFI_SUCCESS || ali == NULL || ali->ImageBase == NULL) {
		Print(L"igos-stub: addon %s: no loaded image protocol\r\n", path);
		goto out;
	}
	switch (addon_read(ali->ImageBase, ali->ImageSize, uname, uname_len, &addon_pe, &a, &e)) {
	case ADDON_BAD_PE:
		Print(L"igos-stub: addon %s: %a, not used\r\n", path, uki_strerror(e));
		goto out;
	case ADDON_HAS_LINUX:
		Print(L"igos-stub: addon %s has a .linux section (a UKI, not an addon), not used\r\n", path);
		goto out;
	case ADDON_NOTHING:
		Print(L"igos-stub: addon %s has no .cmdline, .dtb or .ucode, not used\r\n", path);
		goto out;
	case ADDON_OTHER_KERNEL:
		Print(L"igos-stub: addon %s is for another kernel (.uname), not used\r\n", path);
		goto out;
	case ADDON_USE:
		break;
	}
	if (a.cmdline_len > 0)
		keep_cmdline(a.cmdline, a.cmdline_len, name);
	if (a.dtb_len > 0)
		keep_blob(dtbs, &ndtbs, a.dtb, a.dtb_len, name);
	if (a.ucode_len > 0)
		keep_blob(ucodes, &nucodes, a.ucode, a.ucode_len, name);
out:
	/* EDK2 hands back a handle with EFI_SECURITY_VIOLATION too */
	if (h != NULL)
		uefi_call_wrapper(BS->UnloadImage, 1, h);
	if (dp)
		FreePool(dp);
	if (path)
		FreePool(path);
}

/* Every addon of one directory, in name order; a missing directory is no
 * error. */
static void
load_dir(EFI_HANDLE image, EFI_LOADED_IMAGE *li, EFI_FILE_HANDLE root, const CHAR16 *dir,
	 const uint8_t *uname, size_t uname_len)
{
	/* room for any FAT name, and a NUL after it that Read never writes */
	static UINT8 buf[sizeof(EFI_FILE_INFO) + 2 * 512 + 2] __attribute__((aligned(8)));
	EFI_FILE_HANDLE d = NULL;
	unsigned n = 0, order[ADDON_DIR_MAX], skipped = 0;
	EFI_STATUS st;

	st = uefi_call_wrapper(root->Open, 5, root, &d, (CHAR16 *)dir, EFI_FILE_MODE_READ, 0ULL);
	if (st == EFI_NOT_FOUND)
		return;
	if (st != EFI_SUCCESS) {
		Print(L"igos-stub: cannot open %s: %r\r\n", dir, st);
		return;
	}
	for (;;) {
		UINTN sz = sizeof(buf) - 2;
		EFI_FILE_INFO *fi = (EFI_FILE_INFO *)buf;

		buf[sizeof(buf) - 2] = buf[sizeof(buf) - 1] = 0;

		st = uefi_call_wrapper(d->Read, 3, d, &sz, buf);
		if (st != EFI_SUCCESS) {
			Print(L"igos-stub: cannot read %s: %r\r\n", dir, st);
			break;
		}
		if (sz == 0)
			break;
		if (sz < SIZE_OF_EFI_FILE_INFO || (fi->Attribute & EFI_FILE_DIRECTORY))
			continue;
		if (!addon_name_ok(fi->FileName))
			continue;
		if (n == ADDON_DIR_MAX) {
			skipped++;
			continue;
		}
		StrCpy(names[n], fi->FileName);
		order[n] = n;
		n++;
	}
	uefi_call_wrapper(d->Close, 1, d);
	if (skipped)
		Print(L"igos-stub: %s: more than %d addons, %d not used\r\n", dir, ADDON_DIR_MAX, skipped);
	/* Sorted, so that the same addons always measure the same. */
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && addon_strcmp16(names[order[j - 1]], names[order[j]]) > 0; j--) {
			unsigned t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (unsigned i = 0; i < n; i++)
		load_one(image, li, dir, names[order[i]], uname, uname_len);
}

/* The UKI's own directory: <its path>.extra.d, from the file path nodes of
 * LoadedImage->FilePath (none when it was started from memory); the stub's
 * credentials and extensions come from the same place. */
CHAR16 *
igos_extra_dir(EFI_LOADED_IMAGE *li)
{
	static CHAR16 joined[1024], out[1024 + 16];
	EFI_DEVICE_PATH *p = li->FilePath;
	size_t n = 0;

	if (p == NULL)
		return NULL;
	for (; !IsDevicePathEnd(p); p = NextDevicePathNode(p)) {
		if (DevicePathType(p) != MEDIA_DEVICE_PATH || DevicePathSubType(p) != MEDIA_FILEPATH_DP)
			return NULL;
		UINTN len = DevicePathNodeLength(p);
		if (len < 4)
			return NULL;
		const CHAR16 *name = ((FILEPATH_DEVICE_PATH *)p)->PathName;
		UINTN units = (len - 4) / sizeof(CHAR16);
		/* nodes are parts of one path: join them with '\' */
		if (n > 0)
			joined[n++] = '\\';
		for (UINTN i = 0; i < units && name[i]; i++) {
			if (n >= 1022)
				return NULL; /* a cut path would name another place */
			joined[n++] = name[i];
		}
	}
	joined[n] = 0;
	return addon_extra_dir(joined, n, out, sizeof(out) / sizeof(out[0])) ? out : NULL;
}

static void
install_dtbs(void)
{
	for (unsigned i = 0; i < ndtbs; i++) {
		CHAR16 *what = PoolPrint(L"addon %s's .dtb", dtbs[i].name);
		EFI_STATUS st = igos_dt_install(dtbs[i].data, dtbs[i].len, what ? what : L"an addon's .dtb");

		if (what)
			FreePool(what);
		if (st == EFI_SUCCESS)
			measure(dtbs[i].data, dtbs[i].len, TAG_DEVICETREE_ADDON, dtbs[i].name);
	}
}

int
igos_addons_load(EFI_HANDLE image, EFI_LOADED_IMAGE *li, const uint8_t *uname, size_t uname_len,
		 CHAR16 **cmdline, size_t *cmdline_chars)
{
	EFI_FILE_HANDLE root;

	if (li->DeviceHandle == NULL || (root = LibOpenRoot(li->DeviceHandle)) == NULL)
		return 0; /* not started from a file system: no ESP to look on */
	load_dir(image, li, root, L"\\loader\\addons", uname, uname_len);
	CHAR16 *own = igos_extra_dir(li);
	if (own)
		load_dir(image, li, root, own, uname, uname_len);
	uefi_call_wrapper(root->Close, 1, root);

	if (addon_cmdline) {
		size_t n = addon_mangle_cmdline(addon_cmdline);
		if (n > 0) {
			CHAR16 *c = AllocatePool((*cmdline_chars + 1 + n + 1) * sizeof(CHAR16));
			if (c == NULL) {
				Print(L"igos-stub: addons' command line: %r, not used\r\n", EFI_OUT_OF_RESOURCES);
			} else {
				measure(addon_cmdline, (n + 1) * sizeof(CHAR16), 0, addon_cmdline);
				size_t k = *cmdline_chars;
				CopyMem(c, *cmdline, k * sizeof(CHAR16));
				if (k > 0)
					c[k++] = ' ';
				CopyMem(c + k, addon_cmdline, (n + 1) * sizeof(CHAR16));
				FreePool(*cmdline);
				*cmdline = c;
				*cmdline_chars = k + n;
			}
		}
		FreePool(addon_cmdline);
		addon_cmdline = NULL;
		addon_cmdline_len = 0;
	}
	install_dtbs();
	return measured || (nucodes > 0 && igos_tcg2_open() != NULL);
}

void
igos_addons_initrd(const UINT8 **data, UINTN *len)
{
	UINTN total = addon_pad4(*len);
	UINT8 *out, *p;

	if (nucodes == 0)
		return;
	for (unsigned i = 0; i < nucodes; i++) {
		if (ucodes[i].len > 0x40000000u || total > 0x40000000u) {
			Print(L"igos-stub: addons' .ucode too large, not used\r\n");
			return;
		}
		total += addon_pad4(ucodes[i].len);
	}
	if ((out = AllocateZeroPool(total)) == NULL) {
		Print(L"igos-stub: addons' .ucode: %r, not used\r\n", EFI_OUT_OF_RESOURCES);
		return;
	}
	p = out;
	for (unsigned i = nucodes; i-- > 0;) {
		measure(ucodes[i].data, ucodes[i].len, TAG_UCODE_ADDON, ucodes[i].name);
		CopyMem(p, ucodes[i].data, ucodes[i].len);
		p += addon_pad4(ucodes[i].len);
	}
	if (*len > 0)
		CopyMem(p, (VOID *)*data, *len);
	*data = out;
	*len = total;
}
