/*
 * SPDX helpers for igos-sbom, kept apart from the tool so unit tests and fuzz
 * targets can call them: UTF-8 and license-expression checks (pointer, length),
 * SPDXIDs from names, and name-based (version 5) UUIDs.
 */
#ifndef IGOS_SPDX_H
#define IGOS_SPDX_H

#include <stddef.h>

/*
 * Check an SPDX 2.3 license expression (SPDX 2.3 annex D) in s[0..len):
 * license ids (with an optional "+"), LicenseRef-x and DocumentRef-x:LicenseRef-y,
 * "WITH" exceptions, AND binding tighter than OR, parentheses; the operators
 * are upper case; tokens are separated by spaces (no tabs, as in the
 * reference parsers). NONE and NOASSERTION are accepted alone. Ids are checked
 * for syntax, not against the SPDX license list.
 * Returns a heap string: the expression with its whitespace normalised
 * (single spaces between tokens, none inside parentheses), or with full != 0
 * every operator parenthesised, "((A AND B) OR C)", to show how it parsed.
 * On error NULL, and igos_errmsg() says
 * "invalid license expression 'EXPR': REASON".
 */
char *igos_spdx_license(const char *s, size_t len, int full);

/* name[0..len) with each byte outside [A-Za-z0-9.-] replaced by '-' (a heap
 * string; never fails but for memory). */
char *igos_spdx_idstring(const char *name, size_t len);

/* prefix followed by igos_spdx_idstring(name): an SPDXID. A name with no
 * ASCII letter or digit cannot make one: NULL, and igos_errmsg() says
 * "name 'NAME' cannot make an SPDXID: it has no letter or digit". */
char *igos_spdx_id(const char *prefix, const char *name, size_t len);

/* RFC 4122 name-based UUID (version 5, SHA-1) of name in namespace ns, as
 * 36 lower-case characters and a NUL in out. */
int igos_uuid5(const unsigned char ns[16], const void *name, size_t len, char out[37]);

/* RFC 4122's namespace for URLs, 6ba7b811-9dad-11d1-80b4-00c04fd430c8. */
extern const unsigned char igos_uuid_ns_url[16];

#endif
