/* Small helpers every command uses. */
#include <errno.h>
#include <stdio.h>

#include "igos.h"

int
igos_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (s == NULL || *s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return igos_seterr("invalid number '%s'", s ? s : "");
	for (p = s; *p; p++) {
		unsigned d;

		if (*p < '0' || *p > '9')
			return igos_seterr("invalid number '%s'", s);
		d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return igos_seterr("number out of range '%s'", s);
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

void
igos_print_version(const char *prog)
{
	printf("%s %s\n", prog, IGOS_VERSION);
}
