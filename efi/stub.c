/* igos-stubx64.efi: the EFI program at the front of a UKI. It measures the
 * UKI's sections into PCR 11, hands the initrd over LoadFile2 and starts the
 * kernel in .linux by laying its PE image out itself (see efi/README). */
#include <efi.h>
#include <efilib.h>

#include "pure.h"
#include "addons.h"

/* Functions the firmware or the kernel calls, and protocol members declared
 * here, use the Microsoft ABI; gnu-efi's own tables go through
 * uefi_call_wrapper. */
#define MSABI __attribute__((ms_abi))

/* The stub's SBAT, padded: igos-ukify rewrites it with merged lines. */
const char igos_sbat[IGOS_SBAT_SIZE] __attribute__((section(".sbat"), used, aligned(1))) =
	IGOS_SBAT_TEXT;
_Static_assert(sizeof(IGOS_SBAT_TEXT) <= IGOS_SBAT_SIZE, "SBAT text too long");

/* ---- TCG2 (TCG EFI Protocol Specification, not in gnu-efi 3.0.15) ------- */

static EFI_GUID tcg2_guid = { 0x607f766c, 0x7455, 0x42be,
	{ 0x93, 0x0b, 0xe4, 0xd7, 0x6d, 0xb2, 0x72, 0x0f } };

#define EV_IPL 0x0000000d
#define PCR_KERNEL_IMAGE 11
#define PCR_KERNEL_PARAMS 12

/* Natural alignment (36 bytes), as EDK2 declares it. */
struct tcg2_caps {
	UINT8 Size;
	UINT8 StructureVersion[2];
	UINT8 ProtocolVersion[2];
	UINT32 HashAlgorithmBitmap;
	UINT32 SupportedEventLogs;
	BOOLEAN TPMPresentFlag;
	UINT16 MaxCommandSize, MaxResponseSize;
	UINT32 ManufacturerID;
	UINT32 NumberOfPCRBanks, ActivePcrBanks;
};
_Static_assert(sizeof(struct tcg2_caps) == 36, "EFI_TCG2_BOOT_SERVICE_CAPABILITY");

struct tcg2_event {
	UINT32 Size;
	UINT32 HeaderSize;
	UINT16 HeaderVersion;
	UINT32 PCRIndex;
	UINT32 EventType;
	UINT8 Event[];
} __attribute__((packed));

struct tcg2 {
	EFI_STATUS (MSABI *GetCapability)(struct tcg2 *, struct tcg2_caps *);
	void *GetEventLog;
	EFI_STATUS (MSABI *HashLogExtendEvent)(struct tcg2 *, UINT64 flags,
					      EFI_PHYSICAL_ADDRESS data, UINT64 len,
					      struct tcg2_event *ev);
	/* SubmitCommand, GetActivePcrBanks, ... unused */
};

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

static struct tcg2 *
tcg2_open(void)
{
	struct tcg2 *t = NULL;
	struct tcg2_caps caps = { .Size = sizeof(caps) };

	if (uefi_call_wrapper(BS->LocateProtocol, 3, &tcg2_guid, NULL, (VOID **)&t) != EFI_SUCCESS ||
	    t == NULL)
		return NULL;
	if (t->GetCapability(t, &caps) != EFI_SUCCESS || !caps.TPMPresentFlag)
		return NULL;
	return t;
}

/* One EV_IPL event; the description (the event data) is UTF-16 like
 * systemd's, the extended digest is of data[0..len) alone. */
static EFI_STATUS
tpm_measure(struct tcg2 *t, UINT32 pcr, const void *data, UINTN len, const CHAR16 *desc)
{
	UINTN dsize = (StrLen(desc) + 1) * sizeof(CHAR16);
	UINTN size = sizeof(struct tcg2_event) + dsize;
	struct tcg2_event *ev = AllocateZeroPool(size);
	EFI_STATUS st;

	if (ev == NULL)
		return EFI_OUT_OF_RESOURCES;
	ev->Size = size;
	ev->HeaderSize = sizeof(struct tcg2_event) - sizeof(ev->Size);
	ev->HeaderVersion = 1;
	ev->PCRIndex = pcr;
	ev->EventType = EV_IPL;
	CopyMem(ev->Event, (VOID *)desc, dsize);
	st = t->HashLogExtendEvent(t, 0, (EFI_PHYSICAL_ADDRESS)(UINTN)data, len, ev);
	FreePool(ev);
	return st;
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

/* ---- main --------------------------------------------------------------- */

#define NSECT 11 /* the PCR 11 list and .pcrsig */

EFI_STATUS EFIAPI
efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static struct uki_pe pe;
	EFI_LOADED_IMAGE *li = NULL;
	const UINT8 *sec[NSECT];
	size_t slen[NSECT];
	EFI_STATUS st;
	int e;

	InitializeLib(image, systab);

	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (VOID **)&li);
	if (st != EFI_SUCCESS || li == NULL || li->ImageBase == NULL)
		return fail(st == EFI_SUCCESS ? EFI_LOAD_ERROR : st, L"no loaded image protocol");
	const UINT8 *ibase = li->ImageBase;
	if ((e = uki_pe_parse(ibase, li->ImageSize, &pe)) != UKI_OK)
		return fail_pe(e, L"own image");
	for (unsigned i = 0; i < NSECT; i++) {
		const char *name = i < uki_pcr11_count ? uki_pcr11_order[i] : ".pcrsig";
		if ((e = uki_loaded_section(&pe, ibase, li->ImageSize, name, &sec[i], &slen[i])) != UKI_OK) {
			CHAR16 n16[9];
			ascii_to_utf16(name, n16, 9);
			return fail_pe(e, n16);
		}
	}
	/* Indexes into uki_pcr11_order. */
	enum { S_LINUX, S_OSREL, S_CMDLINE, S_INITRD };
	if (slen[S_LINUX] == 0)
		return fail(EFI_NOT_FOUND, L"no .linux section");
	if ((st = check_kernel(sec[S_LINUX], slen[S_LINUX], slen[S_INITRD] > 0)) != EFI_SUCCESS)
		return st;

	/* The command line. */
	int sb = secure_boot_enabled();
	size_t lo_chars = uki_loadopts_chars(li->LoadOptions, li->LoadOptionsSize);
	enum uki_cmdline_src src = uki_cmdline_choose(sb, slen[S_CMDLINE], lo_chars);
	size_t cap = src == UKI_CMDLINE_LOADOPTS ? lo_chars + 1 :
		     src == UKI_CMDLINE_SECTION ? slen[S_CMDLINE] + 1 : 1;
	/* LoadOptionsSize is 32 bits; Linux itself keeps at most a few KiB. */
	if (cap > 0x100000)
		return fail(EFI_BAD_BUFFER_SIZE, L"command line longer than 1 MiB");
	CHAR16 *cmdline = AllocateZeroPool(cap * sizeof(CHAR16));
	size_t cmdline_chars = 0;
	if (cmdline == NULL)
		return fail(EFI_OUT_OF_RESOURCES, L"cannot allocate the command line");
	if (src == UKI_CMDLINE_LOADOPTS) {
		CopyMem(cmdline, li->LoadOptions, lo_chars * sizeof(CHAR16));
		cmdline_chars = lo_chars;
	} else if (src == UKI_CMDLINE_SECTION) {
		cmdline_chars = uki_utf8_to_utf16(sec[S_CMDLINE], slen[S_CMDLINE], cmdline);
	}

	/* Measurements. A failing TPM is reported, not fatal: an unmeasured boot
	 * just cannot unseal what was sealed to the expected PCR values. */
	struct tcg2 *tpm = tcg2_open();
	if (tpm == NULL) {
		Print(L"igos-stub: no TPM2, booting without measurements\r\n");
	} else {
		for (unsigned i = 0; i < uki_pcr11_count; i++) {
			const char *name = uki_pcr11_order[i];
			CHAR16 n16[9];
			UINTN nlen = 0;

			if (slen[i] == 0)
				continue;
			while (name[nlen])
				nlen++;
			ascii_to_utf16(name, n16, 9);
			st = tpm_measure(tpm, PCR_KERNEL_IMAGE, name, nlen + 1, n16);
			if (st == EFI_SUCCESS)
				st = tpm_measure(tpm, PCR_KERNEL_IMAGE, sec[i], slen[i], n16);
			if (st != EFI_SUCCESS) {
				Print(L"igos-stub: cannot measure %s into PCR 11: %r\r\n", n16, st);
				break;
			}
		}
		if (src == UKI_CMDLINE_LOADOPTS) {
			st = tpm_measure(tpm, PCR_KERNEL_PARAMS, cmdline,
					 (cmdline_chars + 1) * sizeof(CHAR16), cmdline);
			if (st != EFI_SUCCESS)
				Print(L"igos-stub: cannot measure the command line into PCR 12: %r\r\n", st);
		}
	}

	/* Addons (efi/addons.c): their .cmdline and .dtb, then .ucode before the initrd. */
	igos_addons_load(image, li, sec[ADDON_SEC_UNAME], slen[ADDON_SEC_UNAME], &cmdline,
			 &cmdline_chars);
	initrd_data = sec[S_INITRD];
	initrd_len = slen[S_INITRD];
	igos_addons_initrd(&initrd_data, &initrd_len);

	/* The initrd, over LoadFile2 on the initrd media device path. */
	EFI_HANDLE ihandle = NULL;
	if (initrd_len > 0) {
		CopyMem(&initrd_dp.vendor.Guid, &initrd_media_guid, sizeof(EFI_GUID));
		st = uefi_call_wrapper(BS->InstallMultipleProtocolInterfaces, 6, &ihandle,
				       &DevicePathProtocol, &initrd_dp, &load_file2_guid,
				       &initrd_lf2, NULL);
		if (st != EFI_SUCCESS) {
			FreePool(cmdline);
			return fail(st, L"cannot register the initrd");
		}
	}

	st = start_kernel(image, li, sec[S_LINUX], slen[S_LINUX], cmdline, cmdline_chars);

	if (ihandle != NULL)
		uefi_call_wrapper(BS->UninstallMultipleProtocolInterfaces, 6, ihandle,
				  &DevicePathProtocol, &initrd_dp, &load_file2_guid,
				  &initrd_lf2, NULL);
	FreePool(cmdline);
	return st;
}
