/* igos-addonx64.efi: the PE that igos-ukify build --addon puts a UKI addon's
 * sections (.cmdline, .dtb, .ucode, ...) on. The stub reads those sections;
 * the addon itself carries no logic and, started as a program, refuses. It
 * has no .sbat of its own: igos-ukify adds the addon's, as ukify does on
 * systemd's addon stub. */
#include <efi.h>
#include <efilib.h>

/* An addon is data for a stub: run on its own it does nothing, as
 * systemd's addon stub does. */
EFI_STATUS
efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	(void)st;
	return EFI_UNSUPPORTED;
}
