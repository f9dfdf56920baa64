/* A test EFI program: LoadImage + StartImage of \uki.efi on its own device
 * with the LoadOptions read from \options.txt (ASCII, one line), the way a
 * boot entry with options would start a UKI. Used by the VM tests only. */
#include <efi.h>
#include <efilib.h>

static EFI_STATUS
fail(EFI_STATUS st, const CHAR16 *what)
{
	Print(L"igos-chain: %s: %r\r\n", what, st);
	return st;
}

EFI_STATUS EFIAPI
efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_LOADED_IMAGE *li = NULL, *child_li = NULL;
	EFI_FILE_HANDLE root, f;
	EFI_HANDLE child = NULL;
	static CHAR8 buf[1024];
	static CHAR16 opts[1024];
	UINTN n = sizeof(buf) - 1, i;
	EFI_STATUS st;

	InitializeLib(image, systab);
	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (VOID **)&li);
	if (st != EFI_SUCCESS)
		return fail(st, L"loaded image");
	if ((root = LibOpenRoot(li->DeviceHandle)) == NULL)
		return fail(EFI_NOT_FOUND, L"cannot open the boot volume");
	st = uefi_call_wrapper(root->Open, 5, root, &f, L"\\options.txt", EFI_FILE_MODE_READ, 0ULL);
	if (st != EFI_SUCCESS)
		return fail(st, L"\\options.txt");
	st = uefi_call_wrapper(f->Read, 3, f, &n, buf);
	uefi_call_wrapper(f->Close, 1, f);
	if (st != EFI_SUCCESS)
		return fail(st, L"cannot read \\options.txt");
	for (i = 0; i < n && buf[i] != '\n' && buf[i] != '\r'; i++)
		opts[i] = buf[i];
	opts[i] = 0;

	EFI_DEVICE_PATH *dp = FileDevicePath(li->DeviceHandle, L"\\uki.efi");
	if (dp == NULL)
		return fail(EFI_OUT_OF_RESOURCES, L"device path");
	st = uefi_call_wrapper(BS->LoadImage, 6, FALSE, image, dp, NULL, 0, &child);
	if (st != EFI_SUCCESS)
		return fail(st, L"LoadImage \\uki.efi");
	st = uefi_call_wrapper(BS->HandleProtocol, 3, child, &LoadedImageProtocol, (VOID **)&child_li);
	if (st != EFI_SUCCESS)
		return fail(st, L"child loaded image");
	child_li->LoadOptions = opts;
	child_li->LoadOptionsSize = (i + 1) * sizeof(CHAR16);
	Print(L"igos-chain: starting \\uki.efi with options '%s'\r\n", opts);
	st = uefi_call_wrapper(BS->StartImage, 3, child, NULL, NULL);
	return fail(st, L"StartImage returned");
}
