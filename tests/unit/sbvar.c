/* lib/sbvar.c and lib/tpmlog.c on edge inputs: GUID text both ways, EFI_TIME
 * fields, the bytes a signature covers, authenticated updates that are cut or
 * lie about their lengths, event logs and device paths. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "efivar.h"
#include "sbvar.h"
#include "tpmlog.h"
#include "unit.h"

int
main(void)
{
	unsigned char g[16], t[IGOS_EFI_TIME_SIZE], *b, upd[64];
	char s[37], text[64];
	size_t n;
	struct igos_sbauth a;

	OK(igos_guid_parse("8be4df61-93ca-11d2-aa0d-00e098032b8c", g) == 0 &&
	   memcmp(g, igos_guid_global, 16) == 0, "GUID text to the in-memory order");
	igos_guid_str(g, s);
	OK(strcmp(s, "8be4df61-93ca-11d2-aa0d-00e098032b8c") == 0, "and back");
	OK(igos_guid_parse("8BE4DF61-93CA-11D2-AA0D-00E098032B8C", g) == 0, "upper case taken");
	OK(igos_guid_parse("8be4df61-93ca-11d2-aa0d-00e098032b8", g) < 0, "35 characters refused");
	OK(igos_guid_parse("8be4df61+93ca-11d2-aa0d-00e098032b8c", g) < 0, "a wrong separator refused");
	OK(igos_guid_parse("8be4df61-93ca-11d2-aa0d-00e098032b8g", g) < 0, "a non-hex digit refused");
	OK(igos_sbvar_guid("db") == igos_guid_security && igos_sbvar_guid("KEK") == igos_guid_global &&
	   igos_sbvar_guid("DB") == NULL, "vendor GUIDs by name, case-sensitive");

	OK(igos_efi_time_parse("2026-12-31 23:59:58", t) == 0 && igos_le16(t) == 2026 &&
	   t[2] == 12 && t[3] == 31 && t[4] == 23 && t[5] == 59 && t[6] == 58 &&
	   igos_le32(t + 8) == 0 && igos_le16(t + 12) == 0 && t[14] == 0,
	   "EFI_TIME fields, nanosecond, zone and daylight zero");
	OK(igos_efi_time_parse("2026-12-31 23:59:58 ", t) < 0, "trailing text refused");
	OK(igos_efi_time_parse("2026-02-29 00:00:00", t) < 0, "a day that does not exist refused");
	OK(igos_efi_time_parse("2028-02-29 00:00:00", t) == 0, "a leap day taken");

	igos_efi_time_parse("2026-01-01 00:00:00", t);
	b = igos_sbvar_bundle("db", igos_guid_security, 0x27, t, (const unsigned char *)"XY", 2, &n);
	OK(b && n == 4 + 16 + 4 + 16 + 2 && memcmp(b, "d\0b\0", 4) == 0 &&
	   memcmp(b + 4, igos_guid_security, 16) == 0 && igos_le32(b + 20) == 0x27 &&
	   memcmp(b + 24, t, 16) == 0 && memcmp(b + 40, "XY", 2) == 0,
	   "the signed bytes: UCS-2 name, GUID, attributes, time, data");
	free(b);
	OK(igos_sbvar_bundle("d b", igos_guid_security, 0x27, t, NULL, 0, &n) == NULL,
	   "a name with a space refused");

	memset(upd, 0, sizeof(upd));
	igos_put_le32(upd + 16, 24 + 4);
	igos_put_le16(upd + 20, 0x0200);
	igos_put_le16(upd + 22, 0x0ef1);
	memcpy(upd + 24, igos_guid_cert_pkcs7, 16);
	memcpy(upd + 40, "\x30\x02\x05\x00", 4);
	OK(igos_sbauth_parse(upd, 50, &a) == 0 && a.siglen == 4 && a.len == 6 &&
	   a.data == upd + 44, "an update: header, a 4-byte signature, 6 bytes of data");
	OK(igos_sbauth_parse(upd, 43, &a) < 0, "dwLength past the end refused");
	OK(igos_sbauth_parse(upd, 39, &a) < 0, "shorter than the header refused");
	upd[8] = 1;
	OK(igos_sbauth_parse(upd, 50, &a) < 0, "nanoseconds set refused (firmware refuses it)");
	upd[8] = 0;
	upd[41] = 0x03;
	OK(igos_sbauth_parse(upd, 50, &a) < 0, "a signature that is not one DER value refused");
	upd[41] = 0x02;
	igos_put_le16(upd + 20, 0x0100);
	OK(igos_sbauth_parse(upd, 50, &a) < 0, "revision 0x0100 refused");

	{
		/* PciRoot(0x0)/Pci(0x2,0x1)/End, then a node whose length runs out */
		const unsigned char dp[] = { 2, 1, 12, 0, 0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0,
					     1, 1, 6, 0, 1, 2, 0x7f, 0xff, 4, 0 };
		const unsigned char bad[] = { 1, 1, 60, 0, 1, 2 };

		igos_devpath_str(dp, sizeof(dp), text, sizeof(text));
		OK(strcmp(text, "PciRoot(0x0)/Pci(0x2,0x1)") == 0, "device path as text");
		igos_devpath_str(bad, sizeof(bad), text, sizeof(text));
		OK(strcmp(text, "<bad node>") == 0, "a node longer than the path");
		igos_devpath_str(dp, sizeof(dp), text, 10);
		OK(strlen(text) == 9, "cut to the buffer");
	}
	{
		struct igos_tpm_event *ev;
		unsigned char log[32 + 4];

		memset(log, 0, sizeof(log));
		igos_put_le32(log + 28, 4);
		OK(igos_tpmlog_parse(log, sizeof(log), &ev, &n) == 0 && n == 1 && ev[0].len == 4 &&
		   ev[0].sha256 == NULL, "a one-event SHA-1 log");
		free(ev);
		igos_put_le32(log + 28, 5);
		OK(igos_tpmlog_parse(log, sizeof(log), &ev, &n) < 0, "an event past the end refused");
	}
	return DONE();
}
