/* lib/pcr: phase paths, the PolicyPCR digest against a hand-built buffer,
 * .pcrsig build -> parse -> verify, and the parser on every prefix and on
 * byte flips of a good file (no terminator, exact-size buffers for ASan). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "pcr.h"
#include "unit.h"
#include "unit-pe.h"

#include "unit-pcrsign.h"

static int
err_is(const char *want)
{
	return strcmp(igos_errmsg(), want) == 0;
}

/* img: a UKI of .sdmagic (raw bytes magic, VirtualSize its length), .linux
 * "k" and .uname "u" */
static size_t
uki(const char *magic)
{
	unit_pe_headers(3, 0x4000);
	unit_pe_section(0, ".sdmagic", 0x1000, (uint32_t)strlen(magic), 0x400, 0x200);
	unit_pe_section(1, ".linux", 0x2000, 1, 0x600, 0x200);
	unit_pe_section(2, ".uname", 0x3000, 1, 0x800, 0x200);
	memcpy(img + 0x400, magic, strlen(magic));
	img[0x600] = 'k';
	img[0x800] = 'u';
	return 0xa00;
}

/* what igos_pcr_input_from_uki says of the stub in img; -1 on an error */
static int
stub_of(size_t len, int flags, int *uname)
{
	struct igos_pcr_input in;
	int old = -1;

	igos_pcr_input_init(&in, 1u << IGOS_BANK_SHA256);
	if (igos_pcr_input_from_uki(&in, img, len, flags, &old) < 0)
		return -1;
	*uname = in.present[IGOS_SEC_UNAME];
	return old;
}

/* The accessors and the input's refusals, as the API promises them (pcr.h). */
static void
api(void)
{
	static const size_t size[IGOS_BANK_N] = { 20, 32, 48, 64 };
	struct igos_pcr_input in;
	unsigned char v[IGOS_MAX_MD];
	int good = 1, uname = -1;

	for (int b = 0; b < IGOS_BANK_N; b++)
		good &= igos_pcr_bank_size(b) == size[b] && igos_pcr_bank_md(b) != NULL &&
			(size_t)EVP_MD_get_size(igos_pcr_bank_md(b)) == size[b] &&
			igos_pcr_bank_parse(igos_pcr_bank_name(b)) == b;
	OK(good, "each bank: its name, digest and size");
	OK(igos_pcr_bank_name(IGOS_BANK_N) == NULL && igos_pcr_bank_name(-1) == NULL &&
	   igos_pcr_bank_md(IGOS_BANK_N) == NULL && igos_pcr_bank_md(-1) == NULL &&
	   igos_pcr_bank_alg(IGOS_BANK_N) == 0 && igos_pcr_bank_alg(-1) == 0 &&
	   igos_pcr_bank_size(IGOS_BANK_N) == 0 && igos_pcr_bank_size(-1) == 0,
	   "a bank out of range has no name, digest, algorithm or size");
	OK(igos_pcr_bank_alg(IGOS_BANK_SHA1) == 0x0004 && igos_pcr_bank_alg(IGOS_BANK_SHA512) == 0x000d,
	   "TPM2 algorithm ids at both ends");

	good = 1;
	for (int s = 0; s < IGOS_SEC_N; s++)
		good &= igos_pcr_section_index(igos_pcr_section_name(s)) == s;
	OK(good, "each measured section: its name and back");
	OK(igos_pcr_section_index(".linux") == IGOS_SEC_LINUX &&
	   igos_pcr_section_index(".efifw") == IGOS_SEC_EFIFW &&
	   igos_pcr_section_index(".pcrsig") == -1 && igos_pcr_section_index(".text") == -1 &&
	   igos_pcr_section_index(".linu") == -1 && igos_pcr_section_index("") == -1,
	   "a section that is never measured has no index");
	OK(igos_pcr_section_name(-1) == NULL && igos_pcr_section_name(IGOS_SEC_N) == NULL &&
	   igos_pcr_section_name(1 << 24) == NULL && igos_pcr_section_name(-(1 << 24)) == NULL,
	   "no name out of range");
	OK(igos_pcr_section_measured(IGOS_SEC_LINUX, 1) && igos_pcr_section_measured(IGOS_SEC_PCRPKEY, 1) &&
	   !igos_pcr_section_measured(IGOS_SEC_UNAME, 1) && !igos_pcr_section_measured(IGOS_SEC_SBAT, 1) &&
	   igos_pcr_section_measured(IGOS_SEC_UNAME, 0) && igos_pcr_section_measured(IGOS_SEC_EFIFW, 0),
	   "the 252 stub's set and the current one");
	OK(!igos_pcr_section_measured(-1, 0) && !igos_pcr_section_measured(IGOS_SEC_N, 0) &&
	   !igos_pcr_section_measured(IGOS_SEC_N, 1), "no section out of range is measured");

	igos_pcr_input_init(&in, 1u << IGOS_BANK_SHA256);
	OK(igos_pcr_input_set(&in, IGOS_SEC_N, "x", 1) < 0 && err_is("section 14 is not measured") &&
	   igos_pcr_input_set(&in, -1, "x", 1) < 0 && err_is("section -1 is not measured"),
	   "a section out of range is refused");
	OK(igos_pcr_input_set(&in, IGOS_SEC_LINUX, "k", 1) == 0 &&
	   igos_pcr_input_set_file(&in, IGOS_SEC_LINUX, "/nonexistent/linux") < 0 &&
	   err_is("section .linux given twice"),
	   "a section given twice is refused before its file is read");
	OK(igos_pcr_input_set_file(&in, IGOS_SEC_OSREL, "/nonexistent/osrel") < 0 &&
	   strstr(igos_errmsg(), "/nonexistent/osrel") && !in.present[IGOS_SEC_OSREL],
	   "a section file that cannot be read is an error");
	OK(igos_pcr_predict(&in, IGOS_BANK_N, NULL, v) < 0 && err_is("unknown bank 4") &&
	   igos_pcr_predict(&in, -1, NULL, v) < 0 && err_is("unknown bank -1"),
	   "predict: a bank out of range is refused");
	OK(igos_pcr_predict(&in, IGOS_BANK_SHA1, NULL, v) < 0 && err_is("bank sha1 was not computed") &&
	   igos_pcr_predict(&in, IGOS_BANK_SHA256, NULL, v) == 0,
	   "predict: only the banks computed");
	{
		/* by hand: from zeros, extend H(".linux\0"), H("k"), then
		 * H("enter-initrd") and H("leave-initrd"); each extend is
		 * PCR = SHA256(PCR || digest). Sections not given add nothing. */
		static const char *const parts[] = { ".linux", "k", "enter-initrd", "leave-initrd" };
		static const size_t plen[] = { 7, 1, 12, 12 };
		unsigned char want[32] = { 0 }, buf[64];

		for (int i = 0; i < 4; i++) {
			memcpy(buf, want, 32);
			igos_digest(EVP_sha256(), parts[i], plen[i], buf + 32);
			igos_digest(EVP_sha256(), buf, 64, want);
		}
		OK(igos_pcr_predict(&in, IGOS_BANK_SHA256, "::enter-initrd:leave-initrd", v) == 0 &&
		   memcmp(v, want, 32) == 0, "predict: the PCR 11 chain computed by hand");
	}

	OK(stub_of(uki("#### LoaderInfo: systemd-stub 252.39-1~deb12u2 ####"), 0, &uname) == 1 &&
	   !uname, "a 252 stub is told, and .uname is not measured for it");
	OK(stub_of(uki("#### LoaderInfo: systemd-stub 253 ####"), 0, &uname) == 0 && uname,
	   "a 253 stub is told, and .uname is measured");
	OK(stub_of(uki("#### LoaderInfo: systemd-stub 253 ####"), IGOS_PCR_STUB_252, &uname) == 1 &&
	   !uname, "IGOS_PCR_STUB_252 forces the 252 set");
	OK(stub_of(uki("#### LoaderInfo: systemd-stub 252 ####"), IGOS_PCR_STUB_CURRENT, &uname) == 0 &&
	   uname, "IGOS_PCR_STUB_CURRENT forces the current set");
}

/* The .pcrsig calls' refusals that the command line cannot reach (it checks
 * the phases and banks first, parses signed digests with "sig" required). */
static void
pcrsig_api(const struct igos_pcr_input *in, EVP_PKEY *key, EVP_PKEY *ec)
{
	static const char *const bogus[] = { "enter-initrd", "bogus" };
	struct igos_pcr_input in1;
	struct igos_pcrsig ps;
	char *json;

	json = igos_pcrsig_build(in, 0, NULL, 0, key, sign_cb, key);
	OK(json == NULL && err_is("no PCR bank selected"), "build: no bank is refused");
	json = igos_pcrsig_build(in, 1u << IGOS_BANK_SHA256, NULL, 0, key, sign_cb, key);
	OK(json && igos_pcrsig_parse(&ps, json, strlen(json)) == 0, "a sha256 .pcrsig");
	{
		/* bits past the known banks are no bank: left out, as an
		 * entry of no known bank is when the JSON is written */
		char *more = igos_pcrsig_build(in, 1u << IGOS_BANK_SHA256 | 1u << IGOS_BANK_N,
					       NULL, 0, key, sign_cb, key);
		char *plain = igos_pcrsig_format(&ps), *odd;
		struct igos_pcrsig_entry e[5];

		memcpy(e, ps.e, 4 * sizeof(*e));
		e[4] = ps.e[0];
		e[4].bank = IGOS_BANK_N;
		struct igos_pcrsig ps5 = { .n = 5, .e = e };
		odd = igos_pcrsig_format(&ps5);
		OK(json && more && strcmp(json, more) == 0,
		   "build: a bank bit past sha512 is ignored");
		OK(plain && odd && strcmp(plain, odd) == 0,
		   "format: an entry of no known bank is left out");
		free(more);
		free(plain);
		free(odd);
	}
	free(json);
	/* the same sections, the sha1 bank only */
	igos_pcr_input_init(&in1, 1u << IGOS_BANK_SHA1);
	igos_pcr_input_set(&in1, IGOS_SEC_LINUX, "k", 1);
	OK(igos_pcrsig_verify(&ps, &in1, NULL, 0, key, NULL) < 0 &&
	   err_is("'sha256' entry 1: bank not computed"), "verify: a bank not computed is named");
	OK(igos_pcrsig_verify(&ps, in, bogus, 2, key, NULL) < 0 &&
	   strstr(igos_errmsg(), "unknown phase word 'bogus' in 'bogus'"),
	   "verify: an unknown phase word is refused");
	OK(igos_pcrsig_verify(&ps, in, NULL, 0, ec, NULL) < 0 &&
	   err_is("the public key is not an RSA key"), "verify: an EC key is refused");
	igos_pcrsig_free(&ps);

	{
		static const char nonarray[] = "{\"sha256\":[{\"pcrs\":11,\"pol\":\"00\"}]}";

		OK(igos_pcrsig_parse(&ps, nonarray, strlen(nonarray)) < 0 &&
		   err_is("'sha256' entry 1: 'pcrs' is not an array"),
		   "parse: 'pcrs' a number, not an array, is refused as such");
	}

	/* policy digests without signatures, joined as if signed elsewhere */
	json = igos_pcrsig_build(in, 1u << IGOS_BANK_SHA256, NULL, 0, NULL, NULL, NULL);
	OK(json && !strstr(json, "\"sig\"") && !strstr(json, "\"pkfp\"") &&
	   igos_pcrsig_parse(&ps, json, strlen(json)) < 0 &&
	   err_is("'sha256' entry 1: 'pkfp' is not a string") && ps.n == 0 && ps.e == NULL,
	   "policy digests: no sig, no pkfp; a plain parse refuses them and leaves nothing");
	OK(igos_pcrsig_parse_ex(&ps, json, strlen(json), IGOS_PCRSIG_PKFP_OPTIONAL |
				IGOS_PCRSIG_SIG_OPTIONAL) == 0 && ps.n == 4 && !ps.e[0].sig &&
	   !ps.e[0].has_pkfp, "... parsed with sig and pkfp optional");
	free(json);
	json = igos_pcrsig_join(in, 1u << IGOS_BANK_SHA256, NULL, 0, key, &ps);
	OK(json == NULL && err_is("a sha256 policy without a signature ('sig')"),
	   "join: a policy without its signature is refused");
	json = igos_pcrsig_join(in, 1u << IGOS_BANK_SHA256, NULL, 0, ec, &ps);
	OK(json == NULL && err_is("a PCR policy needs an RSA key: systemd's TPM-side check uses RSASSA"),
	   "join: an EC key is refused");
	igos_pcrsig_free(&ps);

	/* a signed file short of one of the UKI's four policies */
	json = igos_pcrsig_build(in, 1u << IGOS_BANK_SHA256, NULL, 0, key, sign_cb, key);
	if (json && igos_pcrsig_parse(&ps, json, strlen(json)) == 0 && ps.n == 4) {
		char *j2;

		ps.n = 3;
		j2 = igos_pcrsig_join(in, 1u << IGOS_BANK_SHA256, NULL, 0, key, &ps);
		OK(j2 == NULL && err_is("no signature for one of the sha256 policies of the UKI "
					"(made for other sections, banks or phases?)"),
		   "join: a policy missing from the signed file is refused, its bank named");
		free(j2);
		ps.n = 4;
		j2 = igos_pcrsig_join(in, 1u << IGOS_BANK_SHA256, NULL, 0, key, &ps);
		OK(j2 && strcmp(j2, json) == 0, "... all four: the same .pcrsig as signed here");
		free(j2);
		igos_pcrsig_free(&ps);
	} else {
		OK(0, "a signed sha256 .pcrsig to join");
	}
	free(json);
}

static int
parse_exact(struct igos_pcrsig *ps, const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1); /* no terminator */
	int rc;

	memcpy(copy, s, len);
	rc = igos_pcrsig_parse(ps, copy, len);
	free(copy);
	return rc;
}

int
main(void)
{
	struct igos_pcr_input in;
	struct igos_pcrsig ps;
	unsigned char v[IGOS_MAX_MD], pol[32], want[32], buf[128];
	char *n, *json;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	size_t len, matched[8];
	int bad, r;

	api();

	n = igos_pcr_phase_normalize("::enter-initrd::leave-initrd:");
	OK(n && strcmp(n, "enter-initrd:leave-initrd") == 0, "phase path normalised");
	free(n);
	n = igos_pcr_phase_normalize("");
	OK(n && *n == '\0', "empty phase path");
	free(n);
	n = igos_pcr_phase_normalize("enter-initrd:bogus");
	OK(n == NULL && strstr(igos_errmsg(), "unknown phase word 'bogus'"), "unknown word refused");
	OK(igos_pcr_bank_parse("SHA384") == IGOS_BANK_SHA384, "bank names in any case");
	OK(igos_pcr_bank_parse("sha3-256") < 0, "unknown bank refused");

	igos_pcr_input_init(&in, IGOS_BANKS_ALL);
	r = igos_pcr_input_set(&in, IGOS_SEC_LINUX, "k", 1);
	OK(r == 0, "set .linux");
	r = igos_pcr_input_set(&in, IGOS_SEC_LINUX, "k", 1);
	OK(r < 0, "set .linux twice refused");
	r = igos_pcr_input_set(&in, IGOS_SEC_CMDLINE, "", 0);
	OK(r == 0 && !in.present[IGOS_SEC_CMDLINE], "an empty section is not measured");

	r = igos_pcr_input_set(&in, IGOS_SEC_CMDLINE, "x", 1);
	OK(r < 0, "an empty section given twice is refused too");
	{
		/* in pieces, with zeros, equals one buffer */
		struct igos_pcr_input a, b;
		struct igos_pcr_section_ctx c;
		unsigned char whole[10] = { 'a', 'b', 'c', 0, 0, 0, 0, 'd', 0, 0 };
		int ok;

		igos_pcr_input_init(&a, IGOS_BANKS_ALL);
		igos_pcr_input_init(&b, IGOS_BANKS_ALL);
		ok = igos_pcr_input_set(&a, IGOS_SEC_INITRD, whole, sizeof(whole)) == 0 &&
			igos_pcr_section_begin(&c, &b, IGOS_SEC_INITRD) == 0 &&
			igos_pcr_section_update(&c, "abc", 3) == 0 &&
			igos_pcr_section_update(&c, NULL, 4) == 0 &&
			igos_pcr_section_update(&c, "d", 1) == 0 &&
			igos_pcr_section_update(&c, NULL, 2) == 0 &&
			igos_pcr_section_end(&c) == 0;
		OK(ok && b.present[IGOS_SEC_INITRD] && b.size[IGOS_SEC_INITRD] == 10 &&
		   memcmp(a.digest, b.digest, sizeof(a.digest)) == 0,
		   "a section fed in pieces and zeros equals it whole");
		ok = igos_pcr_section_begin(&c, &b, IGOS_SEC_INITRD);
		OK(ok < 0, "a streamed section cannot be given twice");
		ok = igos_pcr_section_begin(&c, &b, IGOS_SEC_DTB) == 0 && igos_pcr_section_end(&c) == 0;
		OK(ok && b.given[IGOS_SEC_DTB] && !b.present[IGOS_SEC_DTB], "an empty streamed section is not measured");
	}

	/* PolicyPCR by hand: 32 zeros, CC 0x17f, count 1, alg, 3, {0,8,0}, SHA256(pcr) */
	for (int b = 0; b < IGOS_BANK_N; b++) {
		size_t o = 0;
		static const unsigned char tail[] = { 0, 0, 1, 0x7f, 0, 0, 0, 1 };

		r = igos_pcr_predict(&in, b, "enter-initrd", v);
		OK(r == 0, "predict %s", igos_pcr_bank_name(b));
		memset(buf, 0, 32);
		o = 32;
		memcpy(buf + o, tail, sizeof(tail));
		o += sizeof(tail);
		buf[o++] = (unsigned char)(igos_pcr_bank_alg(b) >> 8);
		buf[o++] = (unsigned char)igos_pcr_bank_alg(b);
		buf[o++] = 3;
		buf[o++] = 0;
		buf[o++] = 8;
		buf[o++] = 0;
		igos_digest(EVP_sha256(), v, igos_pcr_bank_size(b), buf + o);
		o += 32;
		igos_digest(EVP_sha256(), buf, o, want);
		r = igos_pcr_policy_digest(b, v, pol);
		OK(r == 0 && memcmp(pol, want, 32) == 0,
		   "PolicyPCR digest for %s is the hand-built one", igos_pcr_bank_name(b));
	}

	json = igos_pcrsig_build(&in, 1u << IGOS_BANK_SHA256, NULL, 0, key, sign_cb, key);
	OK(json != NULL, "build a .pcrsig");
	len = json ? strlen(json) : 0;
	r = parse_exact(&ps, json, len);
	OK(r == 0 && ps.n == 4, "parse it back from an exact buffer");
	{
		char *again = r == 0 ? igos_pcrsig_format(&ps) : NULL;

		OK(again && strcmp(again, json) == 0, "written back, byte for byte the same");
		free(again);
	}
	r = igos_pcrsig_verify(&ps, &in, NULL, 0, key, matched);
	OK(r == 0, "it verifies");
	OK(matched[0] == 0 && matched[3] == 3, "entries matched to their phases");
	{
		/* what the signature does not cover: an entry's PCR set and pkfp */
		struct igos_pcrsig_entry e0 = ps.e[0], e1 = ps.e[1];

		ps.e[0].pcrs |= 1u << 7;
		OK(igos_pcrsig_verify(&ps, &in, NULL, 0, key, NULL) < 0 &&
		   err_is("'sha256' entry 1: covers PCRs other than 11"),
		   "verify: an entry over PCRs 7 and 11 is refused");
		ps.e[0] = e0;
		ps.e[1].pkfp[31] ^= 1;
		OK(igos_pcrsig_verify(&ps, &in, NULL, 0, key, NULL) < 0 &&
		   err_is("'sha256' entry 2: pkfp is not the fingerprint of the public key"),
		   "verify: an entry whose pkfp is another key's is refused");
		ps.e[1] = e1;
		OK(igos_pcrsig_verify(&ps, &in, NULL, 0, key, NULL) == 0, "put back, it verifies");
	}
	{
		/* the empty phase path is a phase of its own: its policy is not
		 * enter-initrd's */
		static const char *const empty[] = { "" }, *const enter[] = { "enter-initrd" };
		char *j1 = igos_pcrsig_build(&in, 1u << IGOS_BANK_SHA256, empty, 1, key, sign_cb, key);
		struct igos_pcrsig p1 = { 0 };

		OK(j1 && igos_pcrsig_parse(&p1, j1, strlen(j1)) == 0 && p1.n == 1 &&
		   igos_pcrsig_verify(&p1, &in, empty, 1, key, NULL) == 0,
		   "a .pcrsig for the empty phase path verifies for it");
		OK(igos_pcrsig_verify(&p1, &in, enter, 1, key, NULL) < 0 &&
		   err_is("'sha256' entry 1: pol does not match the UKI in any phase"),
		   "... and not for enter-initrd alone");
		igos_pcrsig_free(&p1);
		free(j1);
	}
	ps.e[2].pol[5] ^= 1;
	r = igos_pcrsig_verify(&ps, &in, NULL, 0, key, NULL);
	OK(r < 0 && strstr(igos_errmsg(), "entry 3: pol does not match"), "a changed pol is found");
	igos_pcrsig_free(&ps);

	bad = 0;
	/* (the last byte is the newline: without it the JSON is whole) */
	for (size_t i = 0; i + 1 < len; i++)
		if (parse_exact(&ps, json, i) == 0) {
			bad++;
			igos_pcrsig_free(&ps);
		}
	OK(bad == 0, "every proper prefix is refused");
	bad = 0;
	for (size_t i = 0; i < len; i++) {
		char *m = malloc(len);

		memcpy(m, json, len);
		m[i] ^= 0x41;
		if (igos_pcrsig_parse(&ps, m, len) == 0) {
			if (igos_pcrsig_verify(&ps, &in, NULL, 0, key, NULL) == 0)
				bad++;
			igos_pcrsig_free(&ps);
		}
		free(m);
	}
	OK(bad == 0, "no byte flip gives a .pcrsig that verifies");
	free(json);

	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	json = igos_pcrsig_build(&in, 1u << IGOS_BANK_SHA256, NULL, 0, ec, sign_cb, ec);
	OK(json == NULL && strstr(igos_errmsg(), "needs an RSA key"), "an EC key is refused");
	pcrsig_api(&in, key, ec);
	{
		size_t pl = 0;
		char *pem = igos_pcr_pubkey_pem(key, &pl), *pem2 = igos_pcr_pubkey_pem(key, NULL);
		EVP_PKEY *back = pem ? igos_pcr_pubkey_parse(pem, pl) : NULL;

		OK(pem && pem2 && pl == strlen(pem) && strcmp(pem, pem2) == 0 &&
		   strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27) == 0 && back &&
		   EVP_PKEY_eq(back, key) == 1, ".pcrpkey: the PEM and its length, read back the key");
		OK(igos_pcr_pubkey_parse("not a key", 9) == NULL &&
		   strncmp(igos_errmsg(), "not a PEM public key", 20) == 0, ".pcrpkey: not a key is refused");
		EVP_PKEY_free(back);
		free(pem2);
		/* the 2 GiB limit of a .pcrpkey (OpenSSL's BIO counts in int): the
		 * key, then zeros never touched */
		size_t big = (size_t)INT32_MAX + 1;
		char *m = mmap(NULL, big + 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (m != MAP_FAILED && pem) {
			memcpy(m, pem, pl);
			back = igos_pcr_pubkey_parse(m, big - 1);
			OK(back && EVP_PKEY_eq(back, key) == 1,
			   ".pcrpkey: a key in 2^31 - 1 bytes (then zeros) is read");
			EVP_PKEY_free(back);
			back = igos_pcr_pubkey_parse(m, big);
			OK(back == NULL && err_is("not a PEM public key: too long"),
			   ".pcrpkey: 2^31 bytes are too long, whatever they hold");
			EVP_PKEY_free(back);
			munmap(m, big + 4096);
		} else {
			OK(0, "2 GiB mapped for the .pcrpkey limit");
		}
		free(pem);
	}
	EVP_PKEY_free(ec);
	EVP_PKEY_free(key);
	return DONE();
}
