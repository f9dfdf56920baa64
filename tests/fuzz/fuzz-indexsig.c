/* The index signature chain: a .sig file (with its embedded subkey
 * certificate), a bare certificate, the client state, the index and the
 * acceptance rule over whatever parsed, plus the value parsers. */
#include <stdlib.h>
#include <string.h>

#include "igos.h"
#include "indexsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igos_idx_sig s;
	struct igos_idx_cert c;
	struct igos_idx_state st = { .repo = "core" }, next;
	size_t count, n;
	int64_t t;
	uint64_t fsz;
	unsigned char h[32];
	char buf[64];
	unsigned char *out;

	if (igos_idx_cert_parse(data, size, &c) == 0) {
		unsigned char *tbs = igos_idx_cert_tbs(&c, &n);

		free(tbs);
	}
	if (igos_idx_state_parse(data, size, &st) == 0) {
		if ((out = igos_idx_state_format(&st, &n)) == NULL)
			abort();
		free(out);
	}
	if (igos_idx_sig_parse(data, size, &s) == 0) {
		(void)igos_idx_sig_verify(&s);
		(void)igos_idx_accept(&s, &st, s.repo, s.arch, 1700000000, 0, &next);
		(void)igos_idx_scope_covers(s.cert.scope, s.repo, s.arch);
	}
	if (igos_idx_index_parse(data, size, &count) == 0 && size > 0) {
		/* look up the first entry's name, and one that is not there */
		const char *sp = memchr(data, '\n', size);

		if (sp != NULL) {
			const char *nm = sp + 1, *e = memchr(nm, ' ', size - (size_t)(nm - (const char *)data));

			if (e != NULL && (size_t)(e - nm) < sizeof(buf)) {
				memcpy(buf, nm, (size_t)(e - nm));
				buf[e - nm] = 0;
				if (count && igos_idx_index_find(data, size, buf, &fsz, h) != 1)
					abort();
			}
		}
		(void)igos_idx_index_find(data, size, "zz-not-there", &fsz, h);
	}
	(void)igos_idx_time_parse((const char *)data, size, &t);
	(void)igos_idx_scope_parse((const char *)data, size);
	(void)igos_idx_name_ok((const char *)data, size);
	(void)igos_idx_filename_ok((const char *)data, size);
	if (size < sizeof(buf)) {
		int64_t d;

		memcpy(buf, data, size);
		buf[size] = 0;
		(void)igos_idx_duration_parse(buf, &d);
	}
	return 0;
}
