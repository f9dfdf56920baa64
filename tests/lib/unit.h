/* A minimal TAP producer for the C unit tests. */
#ifndef IGOS_UNIT_H
#define IGOS_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_n, unit_failed;

/* cond is evaluated once: it may have side effects */
#define OK(cond, ...) do { \
	int ok_ = !!(cond); \
	unit_n++; \
	if (ok_) { printf("ok %d - ", unit_n); } \
	else { printf("not ok %d - ", unit_n); unit_failed++; } \
	printf(__VA_ARGS__); printf("\n"); \
	if (!ok_) printf("#   at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
} while (0)

#define DONE() (printf("1..%d\n", unit_n), unit_failed ? 1 : 0)

#endif
