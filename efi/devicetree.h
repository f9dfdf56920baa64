/* The EFI devicetree configuration table, as the stub and its addons
 * replace it (efi/devicetree.c). */
#ifndef IGOS_STUB_DEVICETREE_H
#define IGOS_STUB_DEVICETREE_H

#include <efi.h>

/* EFI_DTB_TABLE_GUID: where the kernel looks for a devicetree */
extern EFI_GUID igos_dtb_table_guid;

/* Installs the flattened devicetree at dtb (len bytes: its header's magic
 * and totalsize checked, totalsize bytes copied) as the devicetree table, in
 * ACPI-reclaim pages the OS keeps. A later call replaces it and frees the
 * pages of the one it replaces (the firmware's own table is never freed).
 * `what` names it in the one console line a failure prints. */
EFI_STATUS igos_dt_install(const UINT8 *dtb, UINTN len, const CHAR16 *what);

#endif
