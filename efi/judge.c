/* A test EFI program: asks the firmware's LoadImage (or, started by shim 16,
 * shim's LoadImage, which replaces it) to judge each image named in
 * \judge.txt (one name a line) from \judge\ on its own volume, and prints
 * one line per image, "igos-judge: NAME: STATUS", then IGOS-JUDGE-DONE and
 * powers off. Nothing judged is started. Used by tests/vm/sign-rules.t. */
#include <efi.h>
#include <efilib.h>

#include "pure.h"

/* shim loads only images with an SBAT section */
const char igos_judge_sbat[IGOS_SBAT_SIZE] __attribute__((section(".sbat"), used, aligned(1))) =
	IGOS_SBAT_HEADER "igos-judge,1,InterGenOS,igos-judge,1,none\n";

static void
judge(EFI_HANDLE image, EFI_HANDLE dev, const CHAR16 *name)
{
	static CHAR16 path[300];
	EFI_DEVICE_PATH *dp;
	EFI_HANDLE child = NULL;
	EFI_STATUS st;

	SPrint(path, sizeof(path), L"\\judge\\%s", name);
	if ((dp = FileDevicePath(dev, path)) == NULL) {
		Print(L"igos-judge: %s: no device path\r\n", name);
		return;
	}
	st = uefi_call_wrapper(BS->LoadImage, 6, FALSE, image, dp, NULL, 0, &child);
	Print(L"igos-judge: %s: %r\r\n", name, st);
	if (st == EFI_SUCCESS)
		uefi_call_wrapper(BS->UnloadImage, 1, child);
	FreePool(dp);
}

EFI_STATUS EFIAPI
efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_LOADED_IMAGE *li = NULL;
	EFI_FILE_HANDLE root, f;
	static CHAR8 buf[8192];
	static CHAR16 name[256];
	UINTN n = sizeof(buf) - 1, i, k = 0;
	EFI_STATUS st;

	InitializeLib(image, systab);
	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (VOID **)&li);
	if (st != EFI_SUCCESS || (root = LibOpenRoot(li->DeviceHandle)) == NULL) {
		Print(L"igos-judge: cannot open the boot volume\r\n");
		goto done;
	}
	st = uefi_call_wrapper(root->Open, 5, root, &f, L"\\judge.txt", EFI_FILE_MODE_READ, 0ULL);
	if (st == EFI_SUCCESS) {
		st = uefi_call_wrapper(f->Read, 3, f, &n, buf);
		uefi_call_wrapper(f->Close, 1, f);
	}
	if (st != EFI_SUCCESS) {
		Print(L"igos-judge: \\judge.txt: %r\r\n", st);
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n' || buf[i] == '\r') {
			name[k] = 0;
			if (k)
				judge(image, li->DeviceHandle, name);
			k = 0;
		} else if (k < sizeof(name) / sizeof(name[0]) - 1) {
			name[k++] = buf[i];
		}
	}
done:
	Print(L"IGOS-JUDGE-DONE\r\n");
	uefi_call_wrapper(systab->RuntimeServices->ResetSystem, 4, EfiResetShutdown,
			  EFI_SUCCESS, 0, NULL);
	return EFI_SUCCESS;
}
