/* Unit tests for lib/authenticode.c and lib/modsig.c: checksum word sums, the
 * certificate table walk's bounds, SpcIndirectDataContent, module trailers. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <openssl/err.h>

#include "authenticode.h"
#include "modsig.h"
#include "unit.h"
#include "unit-pe.h"

static void
entry(unsigned char *p, uint32_t len, uint16_t rev, uint16_t type)
{
	igos_put_le32(p, len);
	p[4] = (unsigned char)rev;
	p[5] = (unsigned char)(rev >> 8);
	p[6] = (unsigned char)type;
	p[7] = (unsigned char)(type >> 8);
}

int
main(void)
{
	unsigned char buf[70001], t[64];
	struct igos_ac_cert c[4];
	unsigned n;
	uint64_t ws;

	/* word sums: split anywhere, at any parity, they add up to the checksum */
	srand(1);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)rand();
	for (size_t len = sizeof(buf) - 3; len <= sizeof(buf); len++) {
		memset(buf + 64, 0, 4); /* the CheckSum field of igos_pe_checksum's view */
		ws = igos_ac_wordsum(buf, 64, 0) + igos_ac_wordsum(buf + 68, 1, 68) +
		     igos_ac_wordsum(buf + 69, 12345, 69) +
		     igos_ac_wordsum(buf + 69 + 12345, len - 69 - 12345, 69 + 12345);
		OK(igos_ac_checksum(ws, len) == igos_pe_checksum(buf, len, 64),
		   "split word sums give igos_pe_checksum (length %zu)", len);
	}
	memset(buf, 0, 4096);
	OK(igos_ac_checksum(igos_ac_wordsum(buf, 4095, 0), 4095) == 4095,
	   "the checksum of zeros is the length");
	buf[4094] = 0x12;
	OK(igos_ac_checksum(igos_ac_wordsum(buf, 4095, 0), 4095) == 4095 + 0x12,
	   "an odd last byte counts as a low byte");
	OK(igos_ac_checksum(igos_ac_wordsum(buf + 4094, 1, 4093), 0) == 0x1200,
	   "a byte at an odd offset counts as a high byte");

	/* the table walk */
	memset(t, 0, sizeof(t));
	entry(t, 13, 0x200, 2);
	entry(t + 16, 20, 0x200, 2);
	OK(igos_ac_walk(t, 40, 1000, c, 4, &n) == 0 && n == 2, "two entries walk");
	OK(c[0].off == 1000 && c[0].derlen == 5 && c[1].off == 1016 && c[1].derlen == 12,
	   "entry offsets and lengths");
	OK(igos_ac_walk(t, 36, 0, c, 4, &n) < 0, "a table shorter than the last entry's padding");
	OK(igos_ac_walk(t, 48, 0, c, 4, &n) < 0, "a table longer than its entries");
	OK(igos_ac_walk(t, 40, 0, c, 1, &n) < 0, "more entries than room");
	entry(t, 7, 0x200, 2);
	OK(igos_ac_walk(t, 40, 0, c, 4, &n) < 0, "dwLength below the header size");
	/* EDK2 stops at an entry of dwLength <= 8 and denies the image */
	entry(t, 8, 0x200, 2);
	entry(t + 8, 20, 0x200, 2);
	OK(igos_ac_walk(t, 32, 0, c, 4, &n) < 0 && strstr(igos_errmsg(), "dwLength 8 leaves"),
	   "an empty WIN_CERTIFICATE before a signature is refused");
	entry(t, 20, 0x200, 2);
	entry(t + 24, 8, 0x200, 2);
	OK(igos_ac_walk(t, 32, 0, c, 4, &n) < 0 && strstr(igos_errmsg(), "entry 2: dwLength 8"),
	   "an empty WIN_CERTIFICATE after a signature is refused");
	OK(igos_ac_walk(t, 28, 0, c, 4, &n) < 0 && strstr(igos_errmsg(), "entry 2 truncated"),
	   "4 bytes after the last entry are refused");
	OK(igos_ac_walk(t, 20, 0, c, 4, &n) < 0 && strstr(igos_errmsg(), "padding"),
	   "a last entry without its padding is refused");
	entry(t, 13, 0x200, 2);
	entry(t + 16, 20, 0x200, 2);
	entry(t, 0xfffffff8u, 0x200, 2);
	OK(igos_ac_walk(t, 40, 0, c, 4, &n) < 0 && strstr(igos_errmsg(), "overflows"),
	   "dwLength near 2^32 does not wrap");
	entry(t, 13, 0x200, 1);
	OK(igos_ac_walk(t, 40, 0, c, 4, &n) < 0 && strstr(igos_errmsg(), "type 0x0001"),
	   "a non-PKCS entry is refused");
	entry(t, 13, 0x100, 2);
	OK(igos_ac_walk(t, 40, 0, c, 4, &n) < 0, "revision 1.0 is refused");
	OK(igos_ac_walk(t, 5, 0, c, 4, &n) < 0, "a truncated header");
	OK(igos_ac_walk(t, 0, 0, c, 4, &n) == 0 && n == 0, "an empty table has no entries");

	/* igos_ac_ranges on its own (secboot.c and acstream.c call it) and the
	 * digest: a section that runs into the certificate table is refused, so
	 * the signature's bytes are never hashed as the image's. The image passes
	 * igos_pe_parse, which does not look at the table's place; igos_ac_parse
	 * refuses it too. */
	{
		struct igos_pe pe;
		struct igos_ac_range r[IGOS_AC_MAX_RANGES];

		unit_pe_headers(1, 0x2000);
		unit_pe_section(0, ".text", 0x1000, 0x400, 0x400, 0x400);
		put32(OPT + 144, 0x700);
		put32(OPT + 148, 0x100);
		OK(igos_pe_parse(&pe, img, 0x800) == 0 && igos_ac_ranges(&pe, r) < 0 &&
		   !strcmp(igos_errmsg(), "PE sections extend into the certificate table"),
		   "ranges: a section running into the certificate table is refused (%s)",
		   igos_errmsg());
		{
			unsigned char d[32];

			OK(igos_pe_parse(&pe, img, 0x800) == 0 &&
			   igos_ac_digest(&pe, EVP_sha256(), d, NULL, 0) < 0 &&
			   !strcmp(igos_errmsg(), "PE sections extend into the certificate table"),
			   "so is its digest (%s)", igos_errmsg());
		}
		OK(igos_ac_parse(&pe, img, 0x800) < 0 &&
		   !strcmp(igos_errmsg(), "PE certificate table points inside the sections"),
		   "parse refuses it too (%s)", igos_errmsg());
		put32(OPT + 144, 0x800);
		put32(OPT + 148, 0x100);
		OK(igos_ac_parse(&pe, img, 0x900) == 0 && igos_ac_ranges(&pe, r) == 4 &&
		   r[3].off == 0x400 && r[3].len == 0x400,
		   "with the table after the section: the three header ranges, then the section");
	}

	/* an image in anonymous memory (read from a pipe, or built by the
	 * caller) hashed without IGOS_AC_DROP_PAGES: its pages are left alone
	 * (dropping them would zero them), so a second digest is the same and
	 * the bytes are intact */
	{
		const size_t len = 0x400 + 0x10000;
		unsigned char *a = mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned char d1[32], d2[32];
		struct igos_pe pe;
		size_t bad = 0;

		unit_pe_headers(1, 0x20000);
		unit_pe_section(0, ".data", 0x1000, 0x10000, 0x400, 0x10000);
		if (a != MAP_FAILED) {
			memcpy(a, img, 0x400);
			for (size_t i = 0x400; i < len; i++)
				a[i] = (unsigned char)(i % 251 + 1);
		}
		OK(a != MAP_FAILED && igos_ac_parse(&pe, a, len) == 0 &&
		   igos_ac_digest(&pe, EVP_sha256(), d1, NULL, 0) == 0 &&
		   igos_ac_digest(&pe, EVP_sha256(), d2, NULL, 0) == 0 && !memcmp(d1, d2, 32),
		   "an image in anonymous memory: the same digest twice");
		for (size_t i = 0x400; a != MAP_FAILED && i < len; i++)
			bad += a[i] != (unsigned char)(i % 251 + 1);
		OK(a != MAP_FAILED && bad == 0, "and its bytes intact (%zu changed)", bad);
		if (a != MAP_FAILED)
			munmap(a, len);
	}

	/* the DER reader under SpcIndirectDataContent and certificates: the tag,
	 * short and long (1 to 4 bytes) lengths, a value exactly filling what is left */
	{
		unsigned char d[300];
		const unsigned char *p, *v, *w;
		size_t left, vl, wl;

#define DER(len, tag) (p = d, left = (len), \
		       igos_der_get(&p, &left, (tag), &v, &vl, &w, &wl))
		memset(d, 0, sizeof(d));
		d[0] = 0x30;
		OK(DER(2, 0x30) == 0 && vl == 0 && v == d + 2 && w == d && wl == 2 && left == 0 &&
		   p == d + 2, "an empty SEQUENCE in exactly 2 bytes");
		OK(DER(1, 0x30) < 0 && DER(0, 0x30) < 0, "1 or 0 bytes hold no header");
		OK(DER(2, 0x31) < 0, "another tag is refused");
		d[1] = 3;
		OK(DER(5, 0x30) == 0 && vl == 3 && wl == 5 && left == 0, "a value filling the rest");
		OK(DER(4, 0x30) < 0, "a value one byte past the rest is refused");
		OK(DER(9, 0x30) == 0 && left == 4 && p == d + 5, "what follows is left");
		d[1] = 0x81;
		d[2] = 0x80;
		OK(DER(3 + 0x80, 0x30) == 0 && vl == 0x80 && v == d + 3 && wl == 3 + 0x80,
		   "a one-byte long form (128)");
		d[1] = 0x82;
		d[2] = 0;
		d[3] = 0;
		OK(DER(4, 0x30) == 0 && vl == 0 && wl == 4, "a two-byte long form filling 4 bytes");
		OK(DER(3, 0x30) < 0, "a long form cut inside its length is refused");
		d[1] = 0x84;
		d[5] = 1;
		OK(DER(7, 0x30) == 0 && vl == 1 && v == d + 6, "a four-byte long form");
		d[1] = 0x85;
		OK(DER(sizeof(d), 0x30) < 0, "a five-byte long form is refused");
		d[1] = 0x80;
		OK(DER(sizeof(d), 0x30) < 0, "the indefinite form is refused");
#undef DER
	}

	/* where EDK2 reads the digest algorithm of a PKCS#7: two-byte outer
	 * lengths, the OID's value at offset 32 (igos-sign attach checks a
	 * signature made elsewhere so) */
	{
		static const unsigned char sha1[] = { 0x2b, 0x0e, 0x03, 0x02, 0x1a };
		static const unsigned char sha256[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
							0x04, 0x02, 0x01 };
		unsigned char d[64];
		const EVP_MD *md = NULL;

		memset(d, 0, sizeof(d));
		d[0] = 0x30;
		d[1] = 0x82;
		memcpy(d + 32, sha256, sizeof(sha256));
		OK(igos_ac_firmware_form(d, 41, &md) == 0 && md &&
		   EVP_MD_get_type(md) == NID_sha256, "SHA-256 at offset 32");
		OK(igos_ac_firmware_form(d, 40, &md) < 0 &&
		   !strcmp(igos_errmsg(), "PKCS#7 digest algorithm not where UEFI firmware reads it"),
		   "an OID cut by the end is not read");
		OK(igos_ac_firmware_form(d, 2, &md) < 0 &&
		   !strcmp(igos_errmsg(), "PKCS#7 digest algorithm not where UEFI firmware reads it"),
		   "2 bytes: the form is right, no algorithm");
		memcpy(d + 32, sha1, sizeof(sha1));
		OK(igos_ac_firmware_form(d, 37, &md) == 0 && EVP_MD_get_type(md) == NID_sha1,
		   "SHA-1 at offset 32");
		d[1] = 0x81;
		OK(igos_ac_firmware_form(d, 64, &md) < 0 &&
		   !strcmp(igos_errmsg(), "PKCS#7 length not in the two-byte form UEFI firmware reads"),
		   "a one-byte long form is refused");
		d[0] = 0x31;
		d[1] = 0x82;
		OK(igos_ac_firmware_form(d, 64, &md) < 0 &&
		   !strcmp(igos_errmsg(), "PKCS#7 length not in the two-byte form UEFI firmware reads"),
		   "not a SEQUENCE");
		d[0] = 0x30;
		OK(igos_ac_firmware_form(d, 1, &md) < 0 &&
		   !strcmp(igos_errmsg(), "PKCS#7 length not in the two-byte form UEFI firmware reads"),
		   "1 byte");
	}

	/* SpcIndirectDataContent round trip */
	{
		unsigned char dg[32], *spc;
		const unsigned char *pd;
		const EVP_MD *md;
		size_t sl, dl;

		for (int i = 0; i < 32; i++)
			dg[i] = (unsigned char)i;
		spc = igos_ac_spc_build(EVP_sha256(), dg, 32, &sl);
		OK(spc && sl == 106, "SpcIndirectDataContent is 106 bytes for SHA-256, as sbsign's");
		OK(spc && igos_ac_spc_parse(spc, sl, &md, &pd, &dl) == 0 && dl == 32 &&
		   !memcmp(pd, dg, 32) && EVP_MD_get_type(md) == NID_sha256, "it parses back");
		for (size_t cut = 0; spc && cut < sl; cut++)
			if (igos_ac_spc_parse(spc, cut, &md, &pd, &dl) == 0)
				OK(0, "a truncated SpcIndirectDataContent (%zu bytes) parsed", cut);
		OK(1, "no truncation of it parses");
		if (spc) {
			spc[sl - 33] = 31; /* digest length byte */
			OK(igos_ac_spc_parse(spc, sl, &md, &pd, &dl) < 0, "a short digest is refused");
			spc[sl - 33] = 32;
		}
		/* 30 68 | attribute (53 bytes) | DigestInfo 30 31: algorithm (15), digest (34);
		 * a NULL (05 00) added inside the outer SEQUENCE or inside DigestInfo */
		if (spc && sl == 106) {
			unsigned char x[108];

			memcpy(x, spc, sl);
			x[1] = 0x6a;
			memcpy(x + 106, "\x05\x00", 2);
			OK(igos_ac_spc_parse(x, sizeof(x), &md, &pd, &dl) < 0 &&
			   !strcmp(igos_errmsg(), "malformed SpcIndirectDataContent"),
			   "an element after DigestInfo is refused (%s)", igos_errmsg());
			x[56] = 0x33;
			OK(igos_ac_spc_parse(x, sizeof(x), &md, &pd, &dl) < 0 &&
			   !strcmp(igos_errmsg(), "malformed digest in SpcIndirectDataContent"),
			   "an element after the digest is refused (%s)", igos_errmsg());
			x[1] = 0x35;
			OK(igos_ac_spc_parse(x, 55, &md, &pd, &dl) < 0 &&
			   !strcmp(igos_errmsg(), "malformed SpcIndirectDataContent"),
			   "no DigestInfo is refused (%s)", igos_errmsg());
		}
		free(spc);
		/* well-formed DER around a digest one byte short of SHA-256's */
		spc = igos_ac_spc_build(EVP_sha256(), dg, 31, &sl);
		OK(spc && igos_ac_spc_parse(spc, sl, &md, &pd, &dl) < 0 &&
		   !strcmp(igos_errmsg(), "digest in SpcIndirectDataContent has the wrong length"),
		   "a 31-byte SHA-256 digest is refused for its length (%s)", igos_errmsg());
		free(spc);
		/* a digest without an OID (OpenSSL's null digest) cannot be named */
		ERR_clear_error();
		spc = igos_ac_spc_build(EVP_md_null(), dg, 0, &sl);
		OK(spc == NULL && !strncmp(igos_errmsg(), "cannot encode the digest algorithm", 34),
		   "a digest without an OID is refused (%s)", igos_errmsg());
		free(spc);
		/* SHA-224 is a digest OpenSSL knows but no UEFI verifier takes */
		spc = igos_ac_spc_build(EVP_sha224(), dg, 28, &sl);
		OK(spc && igos_ac_spc_parse(spc, sl, &md, &pd, &dl) < 0 &&
		   !strcmp(igos_errmsg(), "unsupported digest algorithm in SpcIndirectDataContent"),
		   "a SHA-224 digest is refused (%s)", igos_errmsg());
		free(spc);
	}

	/* the DER writer at every length form: a digest of d bytes gives, at
	 * each of the three nested lengths (OCTET STRING, DigestInfo, the outer
	 * SEQUENCE), the short form below 0x80 and the shortest long form above
	 * (X.690 10.1: DER lengths are minimal); the lengths d walks through
	 * cross 0x80, 0x100 and 0x10000 at each level. Parsed back, the DER is
	 * well formed and only the digest's length is wrong. */
	{
		static const size_t spans[][2] = { { 0, 300 }, { 65380, 65560 } };
		unsigned char *dg = calloc(1, 65560), *spc;
		const unsigned char *pd;
		const EVP_MD *md;
		size_t sl, dl, bad = 0, checked = 0;

#define HDR(n) ((n) < 0x80 ? 2 : (n) < 0x100 ? 3 : (n) < 0x10000 ? 4 : 5)
		for (size_t k = 0; dg && k < 2; k++)
			for (size_t d = spans[k][0]; d < spans[k][1]; d++) {
				size_t dic = 15 + HDR(d) + d, seqc = 53 + HDR(dic) + dic;

				spc = igos_ac_spc_build(EVP_sha256(), dg, d, &sl);
				checked++;
				if (spc == NULL || sl != HDR(seqc) + seqc ||
				    igos_ac_spc_parse(spc, sl, &md, &pd, &dl) != (d == 32 ? 0 : -1) ||
				    dl != d || pd != spc + sl - d ||
				    (d != 32 && strcmp(igos_errmsg(), "digest in SpcIndirectDataContent "
						       "has the wrong length"))) {
					if (bad++ < 3)
						OK(0, "a %zu-byte digest: %zu bytes of DER (%s)", d, sl,
						   igos_errmsg());
				}
				free(spc);
			}
#undef HDR
		OK(dg && bad == 0 && checked == 480,
		   "digests of 0-299 and 65380-65559 bytes: minimal DER lengths, parsed back");
		free(dg);
	}

	/* module trailers */
	{
		unsigned char m[200], tr[IGOS_MODSIG_TRAILER_LEN];
		struct igos_modsig ms;

		memset(m, 0xaa, sizeof(m));
		OK(igos_modsig_parse(m, sizeof(m), &ms) == 0 && !ms.is_signed &&
		   ms.mod_len == sizeof(m), "an unsigned module");
		igos_modsig_trailer(tr, 60);
		memcpy(m + sizeof(m) - sizeof(tr), tr, sizeof(tr));
		OK(igos_modsig_parse(m, sizeof(m), &ms) == 0 && ms.is_signed && ms.sig_len == 60 &&
		   ms.mod_len == sizeof(m) - 100 && ms.sig == m + 100, "a signed module splits");
		igos_modsig_trailer(tr, 161);
		memcpy(m + sizeof(m) - sizeof(tr), tr, sizeof(tr));
		OK(igos_modsig_parse(m, sizeof(m), &ms) < 0, "a signature longer than the file");
		igos_modsig_trailer(tr, 0xffffffffu);
		memcpy(m + sizeof(m) - sizeof(tr), tr, sizeof(tr));
		OK(igos_modsig_parse(m, sizeof(m), &ms) < 0, "sig_len 2^32-1 does not wrap");
		OK(igos_modsig_parse(m + 160, 40, &ms) < 0, "a bare trailer with a length");
		OK(igos_modsig_parse(tr + 12, 28, &ms) < 0, "only the magic: truncated");
		OK(!igos_elf_is_rel((const unsigned char *)"\177ELF", 4), "4 bytes are not ELF");
	}

	/* the trailer's own length: a file ending in the magic must hold all 40
	 * bytes, one with less is refused by name (not read before its start) */
	{
		unsigned char big[128], tr[IGOS_MODSIG_TRAILER_LEN];
		struct igos_modsig ms;

		memset(big, 0, sizeof(big));
		igos_modsig_trailer(tr, 1);
		for (size_t len = IGOS_MODSIG_MAGIC_LEN; len < sizeof(tr); len++) {
			memcpy(big + 64, tr + sizeof(tr) - len, len);
			OK(igos_modsig_parse(big + 64, len, &ms) < 0 &&
			   strcmp(igos_errmsg(), "module signature trailer truncated") == 0,
			   "%zu bytes ending in the magic: the trailer is truncated (%s)", len,
			   igos_errmsg());
		}
		memcpy(big + 64, tr, sizeof(tr));
		OK(igos_modsig_parse(big + 64, sizeof(tr), &ms) < 0 &&
		   strcmp(igos_errmsg(), "module signature length 1 overflows the file") == 0,
		   "a whole trailer and nothing else: its length overflows (%s)", igos_errmsg());
		memcpy(big + 64, tr + 1, IGOS_MODSIG_MAGIC_LEN - 1);
		OK(igos_modsig_parse(big + 64, IGOS_MODSIG_MAGIC_LEN - 1, &ms) == 0 &&
		   !ms.is_signed, "27 bytes cannot hold the magic: not signed");
	}
	/* the 2 GiB limit of the PKCS#7 readers (OpenSSL's BIO and d2i take an
	 * int): a PKCS#7 SignedData over detached id-data, with an empty issuer
	 * name, at the start of a 2 GiB + 1 mapping of which only the first page is
	 * touched. Up to 2^31 - 1 bytes are read as PKCS#7 and as a module (whose
	 * signer then is not found before any byte of it is hashed); 2^31 are
	 * refused by name. */
	{
		static const unsigned char p7[] = {
			0x30, 0x4b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07,
			0x02, 0xa0, 0x3e, 0x30, 0x3c, 0x02, 0x01, 0x01, 0x31, 0x00, 0x30, 0x0b,
			0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0x31,
			0x28, 0x30, 0x26, 0x02, 0x01, 0x01, 0x30, 0x05, 0x30, 0x00, 0x02, 0x01,
			0x2a, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
			0x02, 0x01, 0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
			0x01, 0x01, 0x01, 0x04, 0x00,
		};
		const size_t big = (size_t)1 << 31;
		struct igos_ac_siginfo si;
		unsigned char *m = mmap(NULL, big + 1, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		OK(m != MAP_FAILED, "a 2 GiB mapping");
		if (m != MAP_FAILED) {
			memcpy(m, p7, sizeof(p7));
			OK(igos_ac_siginfo(m, sizeof(p7), NULL, &si) == 0 && !strcmp(si.issuer, "") &&
			   !strcmp(si.serial, "2A") && !strcmp(si.digest, "sha256") &&
			   !strcmp(si.key, "RSA") &&
			   !strcmp(si.subject, "(certificate not included)"),
			   "siginfo: an empty issuer name is shown empty, serial 2A, key RSA (%s/%s)",
			   si.issuer, si.serial);
			OK(igos_ac_siginfo(m, big - 1, NULL, &si) == 0 && !strcmp(si.serial, "2A"),
			   "siginfo reads a PKCS#7 in 2^31 - 1 bytes");
			OK(igos_ac_siginfo(m, big, NULL, &si) < 0 &&
			   !strcmp(igos_errmsg(), "not a PKCS#7 structure"),
			   "siginfo refuses 2^31 bytes (%s)", igos_errmsg());
			OK(igos_p7_verify_detached(p7, sizeof(p7), m, big - 1, NULL) < 0 &&
			   !strcmp(igos_errmsg(), "signature not valid: signer certificate not found"),
			   "a module of 2^31 - 1 bytes is read (%s)", igos_errmsg());
			OK(igos_p7_verify_detached(p7, sizeof(p7), m, big, NULL) < 0 &&
			   !strcmp(igos_errmsg(), "module too large"),
			   "a module of 2^31 bytes is refused (%s)", igos_errmsg());
			munmap(m, big + 1);
		}
	}
	return DONE();
}
