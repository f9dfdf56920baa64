/* A tiny EFI test program: prints a marker and powers the machine off, so
 * that firmware-level tests (Secure Boot accept/refuse) finish in seconds. */
#include <efi.h>
#include <efilib.h>

EFI_STATUS EFIAPI
efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	InitializeLib(image, st);
	Print(L"IGOS-MARKER-OK\r\n");
	uefi_call_wrapper(st->RuntimeServices->ResetSystem, 4, EfiResetShutdown,
			  EFI_SUCCESS, 0, NULL);
	return EFI_SUCCESS;
}
