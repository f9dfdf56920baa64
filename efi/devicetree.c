/* One installer of the devicetree configuration table for the UKI's
 * .dtb/.dtbauto and the addons' .dtb (efi/devicetree.h). */
#include <efi.h>
#include <efilib.h>

#include "devicetree.h"
#include "pure.h"

EFI_GUID igos_dtb_table_guid = { 0xb1b621d5, 0xf19c, 0x41a5,
	{ 0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0 } };

EFI_STATUS
igos_dt_install(const UINT8 *dtb, UINTN len, const CHAR16 *what)
{
	/* the table this code installed last: freed once it is replaced */
	static EFI_PHYSICAL_ADDRESS prev;
	static UINTN prev_pages;
	EFI_PHYSICAL_ADDRESS addr = 0;
	EFI_STATUS st;
	UINTN size, pages;

	/* systemd-stub installs any bytes: igos is stricter */
	if ((size = uki_fdt_size(dtb, len)) == 0) {
		Print(L"igos-stub: %s is not a flattened devicetree, not installed\r\n", what);
		return EFI_INVALID_PARAMETER;
	}
	pages = EFI_SIZE_TO_PAGES(size);
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiACPIReclaimMemory, pages, &addr);
	if (st == EFI_SUCCESS) {
		CopyMem((VOID *)(UINTN)addr, (VOID *)dtb, size);
		st = uefi_call_wrapper(BS->InstallConfigurationTable, 2, &igos_dtb_table_guid,
				       (VOID *)(UINTN)addr);
		if (st != EFI_SUCCESS)
			uefi_call_wrapper(BS->FreePages, 2, addr, pages);
	}
	if (st != EFI_SUCCESS) {
		Print(L"igos-stub: cannot install %s as the devicetree: %r\r\n", what, st);
		return st;
	}
	if (prev_pages)
		uefi_call_wrapper(BS->FreePages, 2, prev, prev_pages);
	prev = addr;
	prev_pages = pages;
	return EFI_SUCCESS;
}
