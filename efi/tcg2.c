/* The TPM through EFI_TCG2_PROTOCOL, for the stub (PCR 11, 12, 13) and its
 * addon code (PCR 12): see tcg2.h. */
#include <efi.h>
#include <efilib.h>

#include "tcg2.h"

#define MSABI __attribute__((ms_abi))

static EFI_GUID tcg2_guid = { 0x607f766c, 0x7455, 0x42be,
	{ 0x93, 0x0b, 0xe4, 0xd7, 0x6d, 0xb2, 0x72, 0x0f } };

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

struct tcg2 *
igos_tcg2_open(void)
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

EFI_STATUS
igos_tcg2_extend(struct tcg2 *t, UINT32 pcr, UINT32 type, const void *data, UINTN len,
		 const void *ev_data, UINTN ev_len)
{
	UINTN size = sizeof(struct tcg2_event) + ev_len;
	struct tcg2_event *ev = AllocateZeroPool(size);
	EFI_STATUS st;

	if (ev == NULL)
		return EFI_OUT_OF_RESOURCES;
	ev->Size = size;
	ev->HeaderSize = sizeof(struct tcg2_event) - sizeof(ev->Size);
	ev->HeaderVersion = 1;
	ev->PCRIndex = pcr;
	ev->EventType = type;
	CopyMem(ev->Event, (VOID *)ev_data, ev_len);
	st = t->HashLogExtendEvent(t, 0, (EFI_PHYSICAL_ADDRESS)(UINTN)data, len, ev);
	FreePool(ev);
	return st;
}

EFI_STATUS
igos_tcg2_measure(struct tcg2 *t, UINT32 pcr, const void *data, UINTN len, const CHAR16 *desc)
{
	return igos_tcg2_extend(t, pcr, EV_IPL, data, len, desc, (StrLen(desc) + 1) * sizeof(CHAR16));
}

EFI_STATUS
igos_tcg2_measure_tagged(struct tcg2 *t, UINT32 pcr, UINT32 id, const void *data, UINTN len,
			 const CHAR16 *text)
{
	UINT32 tlen = (UINT32)((StrLen(text) + 1) * sizeof(CHAR16));
	UINT8 *tag = AllocatePool(8 + tlen);
	EFI_STATUS st;

	if (tag == NULL)
		return EFI_OUT_OF_RESOURCES;
	CopyMem(tag, &id, 4);
	CopyMem(tag + 4, &tlen, 4);
	CopyMem(tag + 8, (VOID *)text, tlen);
	st = igos_tcg2_extend(t, pcr, EV_EVENT_TAG, data, len, tag, 8 + tlen);
	FreePool(tag);
	return st;
}
