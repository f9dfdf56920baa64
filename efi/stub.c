/* igos-stubx64.efi: the EFI program at the front of a UKI. It picks the
 * profile named in the load options, measures the UKI's sections into PCR 11,
 * sets the boot loader interface variables, hands the initrd (microcode,
 * .initrd, the /.extra files) over LoadFile2 and starts the kernel in .linux
 * by laying its PE image out itself (see efi/README). */
#include <efi.h>
#include <efilib.h>

#include "pure.h"
#include "addons.h"
#include "chid.h"
#include "devicetree.h"
#include "tcg2.h"

/* Functions the firmware or the kernel calls, and protocol members declared
 * here, use the Microsoft ABI; gnu-efi's own tables go through
 * uefi_call_wrapper. */
#define MSABI __attribute__((ms_abi))
#define WIDE_(s) L##s
#define WIDE(s) WIDE_(s)

/* The stub's SBAT, padded: igos-ukify rewrites it with merged lines. */
const char igos_sbat[IGOS_SBAT_SIZE] __attribute__((section(".sbat"), used, aligned(1))) =
	IGOS_SBAT_TEXT;
_Static_assert(sizeof(IGOS_SBAT_TEXT) <= IGOS_SBAT_SIZE, "SBAT text too long");

/* ---- TCG2 (efi/tcg2.c) -------------------------------------------------- */

/* systemd's tag for the chosen UKI profile (PCR 12), so event logs read alike */
#define UKI_PROFILE_EVENT_TAG_ID 0x13aed6db
#define PCR_KERNEL_IMAGE 11
#define PCR_KERNEL_PARAMS 12
#define PCR_SYSEXTS 13

/* ---- LoadFile2 for the initrd ------------------------------------------- */

static EFI_GUID load_file2_guid = { 0x4006c0c1, 0xfcb3, 0x403e,
	{ 0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d } };
static EFI_GUID initrd_media_guid = { 0x5568e427, 0x68fc, 0x4f3d,
	{ 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68 } };
static EFI_GUID global_var_guid = { 0x8be4df61, 0x93ca, 0x11d2,
	{ 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c } };

struct load_file2 {
	EFI_STATUS (MSABI *LoadFile)(struct load_file2 *, EFI_DEVICE_PATH *, BOOLEAN,
				     UINTN *, VOID *);
};

static struct {
	VENDOR_DEVICE_PATH vendor;
	EFI_DEVICE_PATH end;
} __attribute__((packed)) initrd_dp = {
	.vendor = { .Header = { MEDIA_DEVICE_PATH, MEDIA_VENDOR_DP,
				{ sizeof(VENDOR_DEVICE_PATH), 0 } } },
	.end = { END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE,
		 { sizeof(EFI_DEVICE_PATH), 0 } },
};

static const UINT8 *initrd_data;
static UINTN initrd_len;

static EFI_STATUS MSABI
initrd_load_file(struct load_file2 *this, EFI_DEVICE_PATH *path, BOOLEAN boot_policy,
		 UINTN *size, VOID *buf)
{
	(void)path;
	if (this == NULL || size == NULL)
		return EFI_INVALID_PARAMETER;
	if (boot_policy)
		return EFI_UNSUPPORTED;
	if (buf == NULL || *size < initrd_len) {
		*size = initrd_len;
		return EFI_BUFFER_TOO_SMALL;
	}
	CopyMem(buf, (VOID *)initrd_data, initrd_len);
	*size = initrd_len;
	return EFI_SUCCESS;
}

static struct load_file2 initrd_lf2 = { initrd_load_file };

/* ---- helpers ------------------------------------------------------------ */

static EFI_STATUS
fail(EFI_STATUS st, const CHAR16 *what)
{
	Print(L"igos-stub: %s: %r\r\n", what, st);
	return st;
}

static EFI_STATUS
fail_pe(int e, const CHAR16 *what)
{
	Print(L"igos-stub: %s: %a\r\n", what, uki_strerror(e));
	return EFI_LOAD_ERROR;
}

static int
secure_boot_enabled(void)
{
	UINT8 v = 0;
	UINTN size = sizeof(v);
	EFI_STATUS st = uefi_call_wrapper(RT->GetVariable, 5, L"SecureBoot", &global_var_guid,
					  NULL, &size, &v);

	return st == EFI_SUCCESS && size == 1 && v == 1;
}

static void
ascii_to_utf16(const char *s, CHAR16 *out, UINTN cap)
{
	UINTN i = 0;

	for (; s[i] && i + 1 < cap; i++)
		out[i] = (unsigned char)s[i];
	out[i] = 0;
}

/* ---- starting the kernel ------------------------------------------------ */

typedef EFI_STATUS (MSABI *pe_entry_fn)(EFI_HANDLE, EFI_SYSTEM_TABLE *);

/*
 * Lay out the kernel's PE image in fresh pages and call its entry point on
 * a new handle carrying a LOADED_IMAGE protocol with the command line. No
 * LoadImage: the kernel was verified as part of the signed UKI, and neither
 * the firmware's nor shim's verifier is asked about the inner image.
 */
static struct uki_pe kpe; /* the kernel's PE headers */

/* Before anything is measured or installed: is .linux a kernel we can start? */
static EFI_STATUS
check_kernel(const UINT8 *kernel, UINTN klen, int have_initrd)
{
	int e;

	if ((e = uki_pe_parse(kernel, klen, &kpe)) != UKI_OK)
		return fail_pe(e, L".linux");
	if (kpe.subsystem != 10)
		return fail(EFI_UNSUPPORTED, L".linux is not an EFI application");
	if (have_initrd && kpe.major_image_version < 1)
		return fail(EFI_UNSUPPORTED, L".linux has no LoadFile2 initrd support (Linux < 5.8)");
	if (kpe.size_of_image == 0 || kpe.size_of_image > 0x40000000u)
		return fail(EFI_LOAD_ERROR, L".linux: SizeOfImage out of range");
	return EFI_SUCCESS;
}

static EFI_STATUS
start_kernel(EFI_HANDLE parent, EFI_LOADED_IMAGE *li, const UINT8 *kernel, UINTN klen,
	     CHAR16 *cmdline, UINTN cmdline_chars)
{
	static EFI_LOADED_IMAGE kli;
	EFI_HANDLE khandle = NULL;
	EFI_PHYSICAL_ADDRESS addr = 0;
	EFI_STATUS st;
	int e;

	UINTN align = kpe.section_align > EFI_PAGE_SIZE ? kpe.section_align : EFI_PAGE_SIZE;
	UINTN pages = EFI_SIZE_TO_PAGES((UINTN)kpe.size_of_image + align - EFI_PAGE_SIZE);
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderCode, pages, &addr);
	if (st != EFI_SUCCESS)
		return fail(st, L"cannot allocate memory for .linux");
	EFI_PHYSICAL_ADDRESS base = (addr + align - 1) & ~(EFI_PHYSICAL_ADDRESS)(align - 1);
	UINT8 *dst = (UINT8 *)(UINTN)base;
	ZeroMem(dst, kpe.size_of_image);
	if ((e = uki_pe_load(&kpe, kernel, klen, dst, base)) != UKI_OK) {
		uefi_call_wrapper(BS->FreePages, 2, addr, pages);
		return fail_pe(e, L".linux");
	}

	kli = *li;
	kli.ParentHandle = parent;
	kli.LoadOptions = cmdline;
	kli.LoadOptionsSize = (cmdline_chars + 1) * sizeof(CHAR16);
	kli.ImageBase = dst;
	kli.ImageSize = kpe.size_of_image;
	kli.ImageCodeType = EfiLoaderCode;
	kli.ImageDataType = EfiLoaderData;
	kli.Unload = NULL;
	st = uefi_call_wrapper(BS->InstallProtocolInterface, 4, &khandle, &LoadedImageProtocol,
			       EFI_NATIVE_INTERFACE, &kli);
	if (st != EFI_SUCCESS) {
		uefi_call_wrapper(BS->FreePages, 2, addr, pages);
		return fail(st, L"cannot register the kernel image");
	}

	pe_entry_fn entry = (pe_entry_fn)(UINTN)(base + kpe.entry);
	st = entry(khandle, ST);

	/* Only reached when the kernel's EFI stub gave up. */
	uefi_call_wrapper(BS->UninstallProtocolInterface, 3, khandle, &LoadedImageProtocol, &kli);
	uefi_call_wrapper(BS->FreePages, 2, addr, pages);
	return fail(st == EFI_SUCCESS ? EFI_LOAD_ERROR : st, L"the kernel returned");
}

/* ---- the boot loader interface (systemd's names, systemd-stub(7)) ------- */

static EFI_GUID loader_guid = { 0x4a67b082, 0x0a4c, 0x41cf,
	{ 0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f } };

/* StubFeatures bits (systemd's numbering): only what this stub does. */
#define STUB_FEATURE_REPORT_BOOT_PARTITION (1ULL << 0) /* LoaderDevicePartUUID */
#define STUB_FEATURE_PICK_UP_CREDENTIALS (1ULL << 1)  /* *.cred from the ESP */
#define STUB_FEATURE_PICK_UP_SYSEXTS (1ULL << 2)      /* *.raw from the ESP */
#define STUB_FEATURE_THREE_PCRS (1ULL << 3)           /* PCR 11, 12 and 13 */
#define STUB_FEATURE_PICK_UP_CONFEXTS (1ULL << 8)     /* *.confext.raw from the ESP */
#define STUB_FEATURE_MULTI_PROFILE_UKI (1ULL << 9)    /* "@N" in the load options */
#define STUB_FEATURE_REPORT_STUB_PARTITION (1ULL << 10) /* StubDevicePartUUID, StubImageIdentifier */
#define IGOS_STUB_FEATURES (STUB_FEATURE_REPORT_BOOT_PARTITION | STUB_FEATURE_PICK_UP_CREDENTIALS | \
			    STUB_FEATURE_PICK_UP_SYSEXTS | STUB_FEATURE_THREE_PCRS | \
			    STUB_FEATURE_PICK_UP_CONFEXTS | STUB_FEATURE_MULTI_PROFILE_UKI | \
			    STUB_FEATURE_REPORT_STUB_PARTITION)

static int
var_exists(const CHAR16 *name)
{
	UINTN size = 0;
	EFI_STATUS st = uefi_call_wrapper(RT->GetVariable, 5, (CHAR16 *)name, &loader_guid, NULL,
					  &size, NULL);

	return st == EFI_BUFFER_TOO_SMALL || st == EFI_SUCCESS;
}

/* Volatile, boot and runtime access, as systemd sets them: userspace reads
 * them from efivarfs. A failure is not worth stopping the boot for. */
static void
var_set(const CHAR16 *name, const void *data, UINTN len)
{
	EFI_STATUS st = uefi_call_wrapper(RT->SetVariable, 5, (CHAR16 *)name, &loader_guid,
					  EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS,
					  len, (VOID *)data);
	if (st != EFI_SUCCESS)
		Print(L"igos-stub: cannot set %s: %r\r\n", name, st);
}

static void
var_set_str(const CHAR16 *name, const CHAR16 *value)
{
	var_set(name, value, (StrLen(value) + 1) * sizeof(CHAR16));
}

static void
var_set_num(const CHAR16 *name, UINT64 v)
{
	CHAR16 buf[24];
	int n = 0;

	do
		buf[n++] = L'0' + v % 10;
	while ((v /= 10) != 0);
	for (int i = 0; i < n / 2; i++) {
		CHAR16 c = buf[i];
		buf[i] = buf[n - 1 - i];
		buf[n - 1 - i] = c;
	}
	buf[n] = 0;
	var_set_str(name, buf);
}

/* The GPT partition GUID of the partition the UKI was loaded from, as
 * 36 characters in upper case (userspace, bootctl included, reads the GUID
 * without regard to case), or 0. */
static int
part_uuid(EFI_HANDLE dev, CHAR16 out[37])
{
	EFI_DEVICE_PATH *dp = dev ? DevicePathFromHandle(dev) : NULL;

	for (; dp != NULL && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
		if (DevicePathType(dp) != MEDIA_DEVICE_PATH || DevicePathSubType(dp) != MEDIA_HARDDRIVE_DP ||
		    DevicePathNodeLength(dp) < 42) /* the packed node: Signature at 24, type at 41 */
			continue;
		HARDDRIVE_DEVICE_PATH *hd = (HARDDRIVE_DEVICE_PATH *)dp;
		if (hd->SignatureType != SIGNATURE_TYPE_GUID)
			continue;
		/* The GUID's first three fields are little-endian. */
		static const UINT8 order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
		int o = 0;
		for (int i = 0; i < 16; i++) {
			UINT8 b = hd->Signature[order[i]];
			if (i == 4 || i == 6 || i == 8 || i == 10)
				out[o++] = L'-';
			out[o++] = L"0123456789ABCDEF"[b >> 4];
			out[o++] = L"0123456789ABCDEF"[b & 15];
		}
		out[o] = 0;
		return 1;
	}
	return 0;
}

static void
export_variables(EFI_LOADED_IMAGE *li, unsigned profile)
{
	CHAR16 uuid[37], *s;

	/* A boot loader before us (systemd-boot) sets these for the partition and
	 * the image it started; the stub fills them in when it was started
	 * directly. */
	int have_uuid = part_uuid(li->DeviceHandle, uuid);
	if (have_uuid && !var_exists(L"LoaderDevicePartUUID"))
		var_set_str(L"LoaderDevicePartUUID", uuid);
	s = li->FilePath != NULL ? DevicePathToStr(li->FilePath) : NULL;
	if (s != NULL && !var_exists(L"LoaderImageIdentifier"))
		var_set_str(L"LoaderImageIdentifier", s);
	/* systemd 258: the stub's own partition and path, whoever started it */
	if (have_uuid)
		var_set_str(L"StubDevicePartUUID", uuid);
	if (s != NULL) {
		var_set_str(L"StubImageIdentifier", s);
		FreePool(s);
	}
	if (!var_exists(L"LoaderFirmwareInfo") &&
	    (s = PoolPrint(L"%s %d.%02d", ST->FirmwareVendor, ST->FirmwareRevision >> 16,
			   ST->FirmwareRevision & 0xffff)) != NULL) {
		var_set_str(L"LoaderFirmwareInfo", s);
		FreePool(s);
	}
	if (!var_exists(L"LoaderFirmwareType") &&
	    (s = PoolPrint(L"UEFI %d.%02d", ST->Hdr.Revision >> 16, ST->Hdr.Revision & 0xffff)) != NULL) {
		var_set_str(L"LoaderFirmwareType", s);
		FreePool(s);
	}
	/* The stub's own: always ours. */
	var_set_str(L"StubInfo", L"igos-stub " WIDE(IGOS_STUB_VERSION));
	UINT64 features = IGOS_STUB_FEATURES;
	var_set(L"StubFeatures", &features, sizeof(features));
	var_set_num(L"StubProfile", profile);
}

/* ---- the splash -------------------------------------------------------- */

/* .splash on the screen, centred on black, before the kernel starts (as
 * systemd-stub: after it was measured). No graphics output: nothing to do. */
static void
show_splash(const UINT8 *bmp, UINTN len)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	struct uki_bmp b;
	int e;

	if (uefi_call_wrapper(BS->LocateProtocol, 3, &GraphicsOutputProtocol, NULL, (VOID **)&gop) !=
		    EFI_SUCCESS || gop == NULL || gop->Mode == NULL || gop->Mode->Info == NULL)
		return;
	if ((e = uki_bmp_parse(bmp, len, &b)) != UKI_OK) {
		Print(L"igos-stub: .splash: %a (24 or 32-bit uncompressed BMP only), not shown\r\n",
		      uki_strerror(e));
		return;
	}
	UINT32 hres = gop->Mode->Info->HorizontalResolution, vres = gop->Mode->Info->VerticalResolution;
	if (b.width > hres || b.height > vres) {
		Print(L"igos-stub: .splash is larger than the screen, not shown\r\n");
		return;
	}
	UINT8 *px = AllocatePool((UINTN)b.width * b.height * 4);
	if (px == NULL)
		return;
	for (UINT32 y = 0; y < b.height; y++)
		uki_bmp_row(bmp, &b, y, px + (UINTN)y * b.width * 4);
	EFI_GRAPHICS_OUTPUT_BLT_PIXEL black = { 0, 0, 0, 0 };
	uefi_call_wrapper(gop->Blt, 10, gop, &black, EfiBltVideoFill, 0, 0, 0, 0, hres, vres, 0);
	uefi_call_wrapper(gop->Blt, 10, gop, (EFI_GRAPHICS_OUTPUT_BLT_PIXEL *)px, EfiBltBufferToVideo,
			  0, 0, (hres - b.width) / 2, (vres - b.height) / 2, b.width, b.height, 0);
	FreePool(px);
}

/* ---- the machine, for .dtbauto and .efifw (efi/chid.c) --------------- */

static EFI_GUID smbios3_guid = { 0xf2fd1544, 0x9794, 0x4a2c,
	{ 0x99, 0x2e, 0xe5, 0xbb, 0xcf, 0x20, 0xe3, 0x94 } };
static EFI_GUID smbios_guid = { 0xeb9d2d31, 0x2d88, 0x11d3,
	{ 0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d } };

static VOID *
config_table(EFI_GUID *guid)
{
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++)
		if (CompareGuid(&ST->ConfigurationTable[i].VendorGuid, guid) == 0)
			return ST->ConfigurationTable[i].VendorTable;
	return NULL;
}

/* The CHIDs from the SMBIOS tables (the 64-bit entry point first, as
 * systemd-stub), and the firmware's own devicetree if it installed one. */
static void
read_machine(struct chid_machine *m)
{
	static chid_t chids[CHID_COUNT];
	struct chid_smbios f;
	const UINT8 *ep, *table = NULL;
	UINT64 addr;
	UINT32 len = 0;

	if ((ep = config_table(&smbios3_guid)) != NULL && chid_smbios_entry(ep, 24, 1, &addr, &len) == 0)
		table = (const UINT8 *)(UINTN)addr;
	else if ((ep = config_table(&smbios_guid)) != NULL && chid_smbios_entry(ep, 31, 0, &addr, &len) == 0)
		table = (const UINT8 *)(UINTN)addr;
	chid_smbios_read(table, table ? len : 0, &f);
	chid_compute(&f, chids);
	m->chids = (const chid_t *)chids;
	const UINT8 *fdt = config_table(&igos_dtb_table_guid);
	m->fw_dt = fdt != NULL;
	m->fw_compat = NULL;
	if (fdt != NULL) {
		/* the firmware's blob is taken at its own word for its size, as
		 * the kernel takes it; 32 MiB is no devicetree */
		UINT32 total = (UINT32)fdt[4] << 24 | (UINT32)fdt[5] << 16 | (UINT32)fdt[6] << 8 | fdt[7];
		if (total <= 0x2000000)
			m->fw_compat = chid_fdt_compatible(fdt, total);
	}
}

/* ---- the initrd: microcode, .initrd, then the /.extra files -------------- */

struct piece {
	const UINT8 *data;
	UINTN len;
};

/* One cpio archive placing data at /.extra/<name> (0444, the directory
 * 0555), as systemd-stub hands .pcrsig, .pcrpkey, .osrel and .profile on;
 * NULL when out of memory. */
static UINT8 *
extra_cpio(const char *name, const UINT8 *data, UINTN len, UINTN *out_len)
{
	UINT32 ino = 1;
	UINTN n = uki_cpio_prefix(NULL, &ino, ".extra", 0555) +
		  uki_cpio_member(NULL, 0, 0100444, name, NULL, len) + uki_cpio_trailer(NULL);
	UINT8 *buf = AllocatePool(n), *p = buf;

	if (buf == NULL)
		return NULL;
	ino = 1;
	p += uki_cpio_prefix(p, &ino, ".extra", 0555);
	p += uki_cpio_member(p, ino++, 0100444, name, data, len);
	p += uki_cpio_trailer(p);
	*out_len = n;
	return buf;
}

/* ---- credentials and extensions from the ESP (systemd-stub(7)) ---------- */

#define DROPIN_MAX 64 /* files taken from one directory; the rest are ignored */

struct dropin {
	char name[256 + 32]; /* prefix/name, ASCII */
	UINT8 *data;
	UINTN len;
};

static int
suffix_is(const CHAR16 *s, const CHAR16 *suffix)
{
	UINTN n = StrLen(s), m = StrLen(suffix);

	if (m > n)
		return 0;
	for (UINTN i = 0; i < m; i++) {
		CHAR16 a = s[n - m + i], b = suffix[i];
		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != b)
			return 0;
	}
	return 1;
}

/* ASCII names in code unit order, as systemd sorts them (the measurement
 * must not depend on the directory's order). */
static int
name_before(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a < (unsigned char)*b;
}

static EFI_STATUS
read_file(EFI_FILE_HANDLE dir, const CHAR16 *name, UINT8 **data, UINTN *len)
{
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *info;
	EFI_STATUS st = uefi_call_wrapper(dir->Open, 5, dir, &f, (CHAR16 *)name, EFI_FILE_MODE_READ, 0ULL);

	if (st != EFI_SUCCESS)
		return st;
	if ((info = LibFileInfo(f)) == NULL) {
		uefi_call_wrapper(f->Close, 1, f);
		return EFI_DEVICE_ERROR;
	}
	UINTN n = info->FileSize;
	FreePool(info);
	/* cpio sizes are 32 bits; an ESP file larger than 1 GiB is no credential */
	if (n > 0x40000000u) {
		uefi_call_wrapper(f->Close, 1, f);
		return EFI_BAD_BUFFER_SIZE;
	}
	*data = AllocatePool(n ? n : 1);
	if (*data == NULL) {
		uefi_call_wrapper(f->Close, 1, f);
		return EFI_OUT_OF_RESOURCES;
	}
	*len = n;
	st = uefi_call_wrapper(f->Read, 3, f, len, *data);
	uefi_call_wrapper(f->Close, 1, f);
	if (st == EFI_SUCCESS && *len != n)
		st = EFI_DEVICE_ERROR;
	if (st != EFI_SUCCESS)
		FreePool(*data);
	return st;
}

/*
 * The files in dirpath ending in suffix (and not in exclude) as one cpio archive
 * under `prefix`, laid out as systemd-stub does (sorted, directories first,
 * trailer), measured into `pcr` with `desc`. Nothing (NULL) when the
 * directory does not exist or holds no such file; a file that cannot be read
 * is skipped with a line on the console.
 */
static UINT8 *
pack_dropins(EFI_FILE_HANDLE root, const CHAR16 *dirpath, const CHAR16 *suffix, const CHAR16 *exclude,
	     const char *prefix, UINT32 dir_mode, UINT32 file_mode, struct tcg2 *tpm, UINT32 pcr,
	     const CHAR16 *desc, UINTN *out_len, int *measured)
{
	static struct dropin items[DROPIN_MAX];
	EFI_FILE_HANDLE dir;
	UINTN n = 0, plen = 0;
	UINT8 *out = NULL;

	*out_len = 0;
	if (root == NULL || uefi_call_wrapper(root->Open, 5, root, &dir, (CHAR16 *)dirpath,
					      EFI_FILE_MODE_READ, 0ULL) != EFI_SUCCESS)
		return NULL;
	while (prefix[plen])
		plen++;
	for (;;) {
		UINT8 buf[SIZE_OF_EFI_FILE_INFO + 512 * sizeof(CHAR16)];
		UINTN size = sizeof(buf);
		EFI_FILE_INFO *fi = (EFI_FILE_INFO *)buf;

		if (uefi_call_wrapper(dir->Read, 3, dir, &size, buf) != EFI_SUCCESS || size == 0)
			break;
		const CHAR16 *fn = fi->FileName;
		UINTN fl = StrLen(fn), k;
		if (fn[0] == '.' || (fi->Attribute & EFI_FILE_DIRECTORY) || fl > 255 ||
		    !suffix_is(fn, suffix) || (exclude && suffix_is(fn, exclude)))
			continue;
		for (k = 0; k < fl && fn[k] < 0x80; k++)
			;
		if (k < fl || n == DROPIN_MAX)
			continue;
		struct dropin *d = &items[n];
		CopyMem(d->name, (VOID *)prefix, plen);
		d->name[plen] = '/';
		for (k = 0; k <= fl; k++)
			d->name[plen + 1 + k] = (char)fn[k];
		if (read_file(dir, fn, &d->data, &d->len) != EFI_SUCCESS) {
			Print(L"igos-stub: cannot read %s, ignored\r\n", fn);
			continue;
		}
		/* insertion sort: a few files */
		for (k = n; k > 0 && name_before(d->name, items[k - 1].name); k--)
			;
		if (k < n) {
			struct dropin t = items[n];
			for (UINTN m = n; m > k; m--)
				items[m] = items[m - 1];
			items[k] = t;
		}
		n++;
	}
	uefi_call_wrapper(dir->Close, 1, dir);
	if (n == 0)
		return NULL;

	UINT32 ino = 1;
	UINTN total = uki_cpio_prefix(NULL, &ino, prefix, dir_mode) + uki_cpio_trailer(NULL);
	for (UINTN i = 0; i < n; i++)
		total += uki_cpio_member(NULL, 0, 0, items[i].name, NULL, items[i].len);
	if ((out = AllocatePool(total)) != NULL) {
		UINT8 *p = out;
		ino = 1;
		p += uki_cpio_prefix(p, &ino, prefix, dir_mode);
		for (UINTN i = 0; i < n; i++)
			p += uki_cpio_member(p, ino++, 0100000 | file_mode, items[i].name, items[i].data,
					     items[i].len);
		p += uki_cpio_trailer(p);
		*out_len = total;
		if (tpm != NULL) {
			EFI_STATUS st = igos_tcg2_measure(tpm, pcr, out, total, desc);
			if (st == EFI_SUCCESS)
				*measured = 1;
			else
				Print(L"igos-stub: cannot measure %s into PCR %d: %r\r\n", desc, pcr, st);
		}
	}
	for (UINTN i = 0; i < n; i++)
		FreePool(items[i].data);
	return out;
}

/* Concatenate the pieces, each padded to 4 bytes, into fresh pages;
 * a single piece is handed over where it is. */
static EFI_STATUS
combine_initrd(struct piece *pc, unsigned n, const UINT8 **out, UINTN *out_len)
{
	UINTN total = 0, used = 0, last = 0;
	EFI_PHYSICAL_ADDRESS addr = 0;
	EFI_STATUS st;

	for (unsigned i = 0; i < n; i++) {
		if (pc[i].len == 0)
			continue;
		if (pc[i].len > 0x40000000u || total > 0x40000000u)
			return EFI_BAD_BUFFER_SIZE;
		total += (pc[i].len + 3) & ~(UINTN)3;
		used++;
		last = i;
	}
	*out = NULL;
	*out_len = 0;
	if (used == 0)
		return EFI_SUCCESS;
	if (used == 1) {
		*out = pc[last].data;
		*out_len = pc[last].len;
		return EFI_SUCCESS;
	}
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData,
			       EFI_SIZE_TO_PAGES(total), &addr);
	if (st != EFI_SUCCESS)
		return st;
	UINT8 *p = (UINT8 *)(UINTN)addr;
	for (unsigned i = 0; i < n; i++) {
		if (pc[i].len == 0)
			continue;
		CopyMem(p, (VOID *)pc[i].data, pc[i].len);
		ZeroMem(p + pc[i].len, ((pc[i].len + 3) & ~(UINTN)3) - pc[i].len);
		p += (pc[i].len + 3) & ~(UINTN)3;
	}
	*out = (const UINT8 *)(UINTN)addr;
	*out_len = total;
	return EFI_SUCCESS;
}

/* ---- main --------------------------------------------------------------- */

/* The sections the stub reads: the PCR 11 table (lib/uki-sections.h), then
 * these, each looked up once (a name the table already has is skipped). */
static const char *const other_sections[] = { ".profile", ".pcrsig" };

/* Sections systemd-stub picks among by matching the machine (efi/chid.c):
 * several may be present; the one picked is measured and used, none when no
 * entry matches. */
static int
picked_by_hardware(const char *name)
{
	static const char *const n[] = { ".dtbauto", ".efifw" };

	for (unsigned i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		const char *a = name, *b = n[i];
		while (*a && *a == *b)
			a++, b++;
		if (*a == *b)
			return 1;
	}
	return 0;
}
#define NSECT_MAX 32

static const char *names[NSECT_MAX];
static const UINT8 *sec[NSECT_MAX];
static size_t slen[NSECT_MAX];
static unsigned nsect;

static int
streq8(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Index of a section name read so far, or nsect. */
static unsigned
S(const char *name)
{
	unsigned i = 0;

	while (i < nsect && !streq8(names[i], name))
		i++;
	return i;
}

EFI_STATUS EFIAPI
efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static struct uki_pe pe;
	static struct chid_machine machine;
	EFI_LOADED_IMAGE *li = NULL;
	EFI_STATUS st;
	int e;

	InitializeLib(image, systab);

	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (VOID **)&li);
	if (st != EFI_SUCCESS || li == NULL || li->ImageBase == NULL)
		return fail(st == EFI_SUCCESS ? EFI_LOAD_ERROR : st, L"no loaded image protocol");
	const UINT8 *ibase = li->ImageBase;
	if ((e = uki_pe_parse(ibase, li->ImageSize, &pe)) != UKI_OK)
		return fail_pe(e, L"own image");

	/* The load options: an "@N" profile selector first, then perhaps a
	 * command line. */
	const UINT8 *lo = li->LoadOptions;
	size_t lo_chars = uki_loadopts_chars(lo, li->LoadOptionsSize);
	unsigned profile = 0;
	size_t skip = uki_profile_prefix(lo, lo_chars, &profile);
	lo_chars -= skip;
	lo = lo_chars ? lo + 2 * skip : NULL;

	nsect = 0;
	for (unsigned i = 0; i < uki_pcr11_count + sizeof(other_sections) / sizeof(other_sections[0]); i++) {
		const char *name = i < uki_pcr11_count ? uki_pcr11_order[i] : other_sections[i - uki_pcr11_count];
		if (i >= uki_pcr11_count && S(name) < nsect)
			continue;
		if (nsect == NSECT_MAX)
			return fail(EFI_BUFFER_TOO_SMALL, L"too many section names");
		names[nsect] = name;
		if (picked_by_hardware(name)) {
			int bad = 0;
			if (machine.chids == NULL)
				read_machine(&machine);
			e = uki_profile_pick(&pe, ibase, li->ImageSize, profile, name, &machine,
					     &sec[nsect], &slen[nsect], &bad);
			if (bad)
				Print(L"igos-stub: .hwids is malformed, no %a picked\r\n", name);
		} else {
			e = uki_profile_section(&pe, ibase, li->ImageSize, profile, name, &sec[nsect],
						&slen[nsect]);
		}
		if (e == UKI_E_PROFILE) {
			Print(L"igos-stub: profile %d: %a\r\n", profile, uki_strerror(e));
			return EFI_NOT_FOUND;
		}
		if (e != UKI_OK) {
			CHAR16 n16[9];
			ascii_to_utf16(name, n16, 9);
			return fail_pe(e, n16);
		}
		nsect++;
	}
	unsigned s_linux = S(".linux"), s_cmdline = S(".cmdline"), s_initrd = S(".initrd"),
		 s_ucode = S(".ucode"), s_dtb = S(".dtb");
	if (slen[s_linux] == 0)
		return fail(EFI_NOT_FOUND, L"no .linux section");
	/* Only the UKI's own initrd and microcode make LoadFile2 support a
	 * must: the /.extra files and the ESP's companions are offered to a
	 * kernel that asks, and an older one boots without them. */
	int have_initrd = slen[s_initrd] || slen[s_ucode];
	if ((st = check_kernel(sec[s_linux], slen[s_linux], have_initrd)) != EFI_SUCCESS)
		return st;

	/* The command line. */
	int sb = secure_boot_enabled();
	enum uki_cmdline_src src = uki_cmdline_choose(sb, slen[s_cmdline], lo_chars);
	size_t cap = src == UKI_CMDLINE_LOADOPTS ? lo_chars + 1 :
		     src == UKI_CMDLINE_SECTION ? slen[s_cmdline] + 1 : 1;
	/* LoadOptionsSize is 32 bits; Linux itself keeps at most a few KiB. */
	if (cap > 0x100000)
		return fail(EFI_BAD_BUFFER_SIZE, L"command line longer than 1 MiB");
	CHAR16 *cmdline = AllocateZeroPool(cap * sizeof(CHAR16));
	size_t cmdline_chars = 0;
	if (cmdline == NULL)
		return fail(EFI_OUT_OF_RESOURCES, L"cannot allocate the command line");
	if (src == UKI_CMDLINE_LOADOPTS) {
		CopyMem(cmdline, (VOID *)lo, lo_chars * sizeof(CHAR16));
		cmdline_chars = lo_chars;
	} else if (src == UKI_CMDLINE_SECTION) {
		cmdline_chars = uki_utf8_to_utf16(sec[s_cmdline], slen[s_cmdline], cmdline);
	}

	/* Measurements. A failing TPM is reported, not fatal: an unmeasured boot
	 * just cannot unseal what was sealed to the expected PCR values. */
	int pcr11 = 0, pcr12 = 0;
	struct tcg2 *tpm = igos_tcg2_open();
	if (tpm == NULL) {
		Print(L"igos-stub: no TPM2, booting without measurements\r\n");
	} else {
		/* A profile other than the default is measured into PCR 12 first
		 * (its number as text), as systemd-stub 257 does. */
		if (profile != 0) {
			CHAR16 num[12];
			UINTN n = 0;
			for (unsigned v = profile; n == 0 || v != 0; v /= 10)
				num[n++] = L'0' + v % 10;
			for (UINTN k = 0; k < n / 2; k++) {
				CHAR16 c = num[k];
				num[k] = num[n - 1 - k];
				num[n - 1 - k] = c;
			}
			num[n] = 0;
			/* the number's text is both the event data and what is extended */
			st = igos_tcg2_measure_tagged(tpm, PCR_KERNEL_PARAMS, UKI_PROFILE_EVENT_TAG_ID,
						      num, (n + 1) * sizeof(CHAR16), num);
			if (st != EFI_SUCCESS)
				Print(L"igos-stub: cannot measure the profile into PCR 12: %r\r\n", st);
			pcr12 |= st == EFI_SUCCESS;
		}
		/* PCR 11: the table's sections in its order (.profile after
		 * .pcrpkey, as systemd), and .profile also when a table without it
		 * is compiled in. */
		pcr11 = 1;
		for (unsigned i = 0; i < nsect && pcr11; i++) {
			const char *name = names[i];
			CHAR16 n16[9];
			UINTN nlen = 0;

			if (slen[i] == 0 || (i >= uki_pcr11_count && !streq8(name, ".profile")))
				continue;
			while (name[nlen])
				nlen++;
			ascii_to_utf16(name, n16, 9);
			st = igos_tcg2_measure(tpm, PCR_KERNEL_IMAGE, name, nlen + 1, n16);
			if (st == EFI_SUCCESS)
				st = igos_tcg2_measure(tpm, PCR_KERNEL_IMAGE, sec[i], slen[i], n16);
			if (st != EFI_SUCCESS) {
				Print(L"igos-stub: cannot measure %s into PCR 11: %r\r\n", n16, st);
				pcr11 = 0;
			}
		}
		if (src == UKI_CMDLINE_LOADOPTS) {
			st = igos_tcg2_measure(tpm, PCR_KERNEL_PARAMS, cmdline,
					 (cmdline_chars + 1) * sizeof(CHAR16), cmdline);
			if (st != EFI_SUCCESS)
				Print(L"igos-stub: cannot measure the command line into PCR 12: %r\r\n", st);
			pcr12 |= st == EFI_SUCCESS;
		}
	}

	if (slen[S(".splash")] > 0)
		show_splash(sec[S(".splash")], slen[S(".splash")]);

	export_variables(li, profile);
	if (pcr11)
		var_set_num(L"StubPcrKernelImage", PCR_KERNEL_IMAGE);

	/* The .dtbauto picked for this machine, else .dtb (systemd-stub's
	 * order); both were measured when present. */
	unsigned s_dtbauto = S(".dtbauto");
	if (slen[s_dtbauto] > 0)
		igos_dt_install(sec[s_dtbauto], slen[s_dtbauto], L".dtbauto");
	else if (slen[s_dtb] > 0)
		igos_dt_install(sec[s_dtb], slen[s_dtb], L".dtb");

	/* Addons (efi/addons.c): .cmdline appended, .dtb installed, both measured. */
	pcr12 |= igos_addons_load(image, li, sec[S(".uname")], slen[S(".uname")], &cmdline,
				  &cmdline_chars);

	/* The ESP's companion files (systemd-stub(7)): credentials next to the
	 * UKI and global ones into PCR 12, system extensions into PCR 13,
	 * configuration extensions into PCR 12, each an archive of its own. */
	EFI_FILE_HANDLE root = li->DeviceHandle ? LibOpenRoot(li->DeviceHandle) : NULL;
	CHAR16 *xdir = igos_extra_dir(li);
	int sysext_measured = 0, confext_measured = 0;
	struct piece pc[10] = {
		{ sec[s_ucode], slen[s_ucode] },
		{ sec[s_initrd], slen[s_initrd] },
	};
	if (xdir != NULL)
		pc[2].data = pack_dropins(root, xdir, L".cred", NULL, ".extra/credentials", 0500, 0400,
					  tpm, PCR_KERNEL_PARAMS, L"Credentials initrd", &pc[2].len, &pcr12);
	pc[3].data = pack_dropins(root, L"\\loader\\credentials", L".cred", NULL, ".extra/global_credentials",
				  0500, 0400, tpm, PCR_KERNEL_PARAMS, L"Global credentials initrd",
				  &pc[3].len, &pcr12);
	if (xdir != NULL) {
		pc[4].data = pack_dropins(root, xdir, L".raw", L".confext.raw", ".extra/sysext", 0555, 0444,
					  tpm, PCR_SYSEXTS, L"System extension initrd", &pc[4].len,
					  &sysext_measured);
		pc[5].data = pack_dropins(root, xdir, L".confext.raw", NULL, ".extra/confext", 0555, 0444,
					  tpm, PCR_KERNEL_PARAMS, L"Configuration extension initrd",
					  &pc[5].len, &confext_measured);
	}
	if (root != NULL)
		uefi_call_wrapper(root->Close, 1, root);
	if (pcr12)
		var_set_num(L"StubPcrKernelParameters", PCR_KERNEL_PARAMS);
	if (sysext_measured)
		var_set_num(L"StubPcrInitRDSysExts", PCR_SYSEXTS);
	if (confext_measured)
		var_set_num(L"StubPcrInitRDConfExts", PCR_KERNEL_PARAMS);

	/* The initrd: .ucode first (the kernel looks for microcode in the first
	 * archive only), .initrd, the companion files, then the UKI's own
	 * /.extra files (not measured again: .pcrsig is the output of PCR 11,
	 * the others are in it). */
	static const struct { const char *section, *name; } extra[] = {
		{ ".pcrsig", ".extra/tpm2-pcr-signature.json" },
		{ ".pcrpkey", ".extra/tpm2-pcr-public-key.pem" },
		{ ".osrel", ".extra/os-release" },
		{ ".profile", ".extra/profile" },
	};
	for (unsigned k = 0; k < 4; k++) {
		unsigned i = S(extra[k].section);
		if (slen[i] == 0)
			continue;
		pc[6 + k].data = extra_cpio(extra[k].name, sec[i], slen[i], &pc[6 + k].len);
		if (pc[6 + k].data == NULL) {
			FreePool(cmdline);
			return fail(EFI_OUT_OF_RESOURCES, L"cannot build the /.extra archive");
		}
	}
	const UINT8 *initrd = NULL;
	UINTN ilen = 0;
	if ((st = combine_initrd(pc, 10, &initrd, &ilen)) != EFI_SUCCESS) {
		FreePool(cmdline);
		return fail(st, L"cannot assemble the initrd");
	}
	igos_addons_initrd(&initrd, &ilen); /* the addons' .ucode first */

	/* The initrd, over LoadFile2 on the initrd media device path. */
	EFI_HANDLE ihandle = NULL;
	if (ilen > 0) {
		CopyMem(&initrd_dp.vendor.Guid, &initrd_media_guid, sizeof(EFI_GUID));
		initrd_data = initrd;
		initrd_len = ilen;
		st = uefi_call_wrapper(BS->InstallMultipleProtocolInterfaces, 6, &ihandle,
				       &DevicePathProtocol, &initrd_dp, &load_file2_guid,
				       &initrd_lf2, NULL);
		if (st != EFI_SUCCESS) {
			FreePool(cmdline);
			return fail(st, L"cannot register the initrd");
		}
	}

	st = start_kernel(image, li, sec[s_linux], slen[s_linux], cmdline, cmdline_chars);

	if (ihandle != NULL)
		uefi_call_wrapper(BS->UninstallMultipleProtocolInterfaces, 6, ihandle,
				  &DevicePathProtocol, &initrd_dp, &load_file2_guid,
				  &initrd_lf2, NULL);
	FreePool(cmdline);
	return st;
}
