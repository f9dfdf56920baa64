/*
 * A reader for the INI files of systemd's tools (ukify's uki.conf): a
 * (pointer, length) parser, no allocation visible to the caller.
 */
#ifndef IGOS_INI_H
#define IGOS_INI_H

#include <stddef.h>

/*
 * Called for each KEY=VALUE: the section name (without brackets), the key
 * and the value, each with its length, all trimmed of surrounding blanks.
 * A value continued on indented lines that follow is given joined with '\n'
 * (each line trimmed), as Python's configparser does. The strings are valid
 * only during the call and are NUL-terminated for convenience. Returning -1
 * stops the parse (igos_ini_parse then returns -1 with the callback's
 * message left in igos_errmsg()).
 */
typedef int (*igos_ini_cb)(void *ctx, const char *section, size_t slen, const char *key,
			   size_t klen, const char *value, size_t vlen, unsigned line);

/*
 * Parse data[0..len): blank lines; whole-line comments starting with '#' or
 * ';'; inline comments after a blank and '#'; "[section]"; "key = value"
 * ('=' only). Anything else (a line with no '=', a key before the first
 * section, a NUL byte, an unclosed '[') is an error "line N: ...".
 */
int igos_ini_parse(const char *data, size_t len, igos_ini_cb cb, void *ctx);

#endif
