/*
 * Test driver for the library's signer: exercises igos_signer_* and the
 * PKCS#7 and X.509 builders from shell tests.
 *   signtool sign KEYREF MD IN SIG PUB   sign IN (MD "none" for Ed25519); write SIG and PUB (PEM)
 *   signtool p7 KEYREF CERT IN OUT       detached PKCS#7 over IN, no certs, no attributes
 *   signtool cms KEYREF CERT IN OUT      the same with CMS-style digest algorithms
 *   signtool selfsign KEYREF OUT         self-signed certificate (PEM) by the key
 *   signtool match KEYREF CERT           exit 0 if CERT is the key's
 * --pin-file F may come first.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "igos.h"

int
main(int argc, char **argv)
{
	struct igos_signer_opts opts = {0};
	struct igos_signer *s;
	struct igos_buf in;

	if (argc > 2 && strcmp(argv[1], "--pin-file") == 0) {
		opts.pin_file = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 3)
		errx(2, "usage: signtool sign|p7|selfsign|match KEYREF ...");
	if ((s = igos_signer_open(argv[2], &opts)) == NULL)
		errx(1, "%s", igos_errmsg());
	if (strcmp(argv[1], "sign") == 0 && argc == 7) {
		const EVP_MD *md = strcmp(argv[3], "none") == 0 ? NULL : igos_md(argv[3]);
		unsigned char *sig;
		size_t siglen;
		BIO *b;

		if (igos_buf_read(&in, argv[4], 0) < 0 ||
		    igos_signer_sign_msg(s, md, in.data, in.len, &sig, &siglen) < 0 ||
		    igos_write_atomic(argv[5], sig, siglen, 0644, 0) < 0)
			errx(1, "%s", igos_errmsg());
		if ((b = BIO_new_file(argv[6], "w")) == NULL ||
		    !PEM_write_bio_PUBKEY(b, igos_signer_pubkey(s)))
			errx(1, "cannot write '%s'", argv[6]);
		BIO_free(b);
		printf("%d %d %d\n", igos_signer_type(s), igos_signer_bits(s),
		       igos_signer_is_token(s));
		free(sig);
		igos_buf_free(&in);
	} else if ((strcmp(argv[1], "p7") == 0 || strcmp(argv[1], "cms") == 0) && argc == 6) {
		int extra = strcmp(argv[1], "cms") == 0 ? IGOS_P7_MD_NOPARAM : 0;
		X509 *cert = igos_cert_load(argv[3]);
		unsigned char *der;
		size_t len;

		if (cert == NULL || igos_cert_matches(cert, s) < 0 ||
		    igos_buf_read(&in, argv[4], 0) < 0 ||
		    (der = igos_pkcs7_sign(s, cert, EVP_sha256(), NULL, in.data, in.len,
					   IGOS_P7_NOCERTS | IGOS_P7_NOATTR | IGOS_P7_DETACHED | extra,
					   &len)) == NULL ||
		    igos_write_atomic(argv[5], der, len, 0644, 0) < 0)
			errx(1, "%s", igos_errmsg());
		X509_free(cert);
		free(der);
		igos_buf_free(&in);
	} else if (strcmp(argv[1], "selfsign") == 0 && argc == 4) {
		X509 *x = X509_new();
		X509_NAME *n = X509_NAME_new();
		BIO *b;

		X509_set_version(x, 2);
		ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
		X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"igos test", -1, -1, 0);
		X509_set_subject_name(x, n);
		X509_set_issuer_name(x, n);
		X509_gmtime_adj(X509_getm_notBefore(x), 0);
		X509_gmtime_adj(X509_getm_notAfter(x), 86400);
		X509_set_pubkey(x, igos_signer_pubkey(s));
		if (igos_x509_sign(x, s, igos_signer_type(s) == IGOS_KEY_ED25519 ? NULL
										  : EVP_sha256()) < 0)
			errx(1, "%s", igos_errmsg());
		if ((b = BIO_new_file(argv[3], "w")) == NULL || !PEM_write_bio_X509(b, x))
			errx(1, "cannot write '%s'", argv[3]);
		BIO_free(b);
		X509_NAME_free(n);
		X509_free(x);
	} else if (strcmp(argv[1], "match") == 0 && argc == 4) {
		X509 *cert = igos_cert_load(argv[3]);

		if (cert == NULL || igos_cert_matches(cert, s) < 0)
			errx(1, "%s", igos_errmsg());
		X509_free(cert);
	} else {
		errx(2, "bad usage");
	}
	igos_signer_free(s);
	return 0;
}
