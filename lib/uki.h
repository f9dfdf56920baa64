/*
 * What a UKI builder needs besides the PE editor (lib/pe.c): the kernel's
 * version, the command-line text, the section names a builder writes itself.
 * Shared by igos-ukify and any other image builder.
 */
#ifndef IGOS_UKI_H
#define IGOS_UKI_H

#include <stddef.h>

/*
 * The kernel's release ("6.1.0-13-amd64"): from the x86 boot header's version
 * string, else from "Linux version X (" in an uncompressed image, as
 * systemd's ukify reads it. A heap string, or NULL when there is none (or no
 * memory).
 */
char *igos_uki_kernel_uname(const unsigned char *k, size_t len);
/* A command-line text with its white space collapsed to single blanks and
 * trimmed (as ukify does for a text, not a file). A heap string, or NULL. */
char *igos_uki_cmdline(const char *text);
/* 1 if name[0..n) is a section a UKI builder writes from its own option. */
int igos_uki_reserved(const char *name, size_t n);

#endif
