/* The TPM through EFI_TCG2_PROTOCOL (TCG EFI Protocol Specification; not in
 * gnu-efi 3.0.15): the few members the stub and its addon code use. */
#ifndef IGOS_EFI_TCG2_H
#define IGOS_EFI_TCG2_H

#include <efi.h>

#define EV_EVENT_TAG 0x00000006
#define EV_IPL 0x0000000d

struct tcg2;

/* The protocol when a TPM 2.0 is present, else NULL. */
struct tcg2 *igos_tcg2_open(void);

/* One event of `type` whose event data is ev_data[0..ev_len); the digest
 * extended into `pcr` is of data[0..len) alone. */
EFI_STATUS igos_tcg2_extend(struct tcg2 *t, UINT32 pcr, UINT32 type, const void *data, UINTN len,
			    const void *ev_data, UINTN ev_len);

/* An EV_IPL event of data[0..len) described by desc (UTF-16 with its NUL in
 * the log, as systemd's). */
EFI_STATUS igos_tcg2_measure(struct tcg2 *t, UINT32 pcr, const void *data, UINTN len,
			     const CHAR16 *desc);

/* An EV_EVENT_TAG event (TCG_PCClientTaggedEvent: id, size, text with its
 * NUL) of data[0..len). */
EFI_STATUS igos_tcg2_measure_tagged(struct tcg2 *t, UINT32 pcr, UINT32 id, const void *data,
				    UINTN len, const CHAR16 *text);

#endif
