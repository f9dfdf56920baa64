/* The library's error message: one line, set by the function that failed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "igos.h"

/* one per thread: a worker's failure never garbles the caller's message
 * (igos-bootcheck predicts PCR 11 beside the Authenticode hash) */
static _Thread_local char msg[1024] = "unknown error";

const char *
igos_errmsg(void)
{
	return msg;
}

static void
vset(const char *fmt, va_list ap)
{
	vsnprintf(msg, sizeof(msg), fmt, ap);
}

static void
append(const char *what)
{
	size_t n = strlen(msg), w = strlen(what) + 2;

	/* a message cut short (a very long path) still ends with the reason */
	if (w + 4 < sizeof(msg) && n + w >= sizeof(msg)) {
		n = sizeof(msg) - w - 4;
		memcpy(msg + n, "...", 3);
		n += 3;
	}
	if (n < sizeof(msg) - 1)
		snprintf(msg + n, sizeof(msg) - n, ": %s", what);
}

int
igos_seterr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(fmt, ap);
	va_end(ap);
	return -1;
}

int
igos_seterr_errno(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vset(fmt, ap);
	va_end(ap);
	append(strerror(e));
	errno = e;
	return -1;
}

int
igos_seterr_ssl(const char *fmt, ...)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vset(fmt, ap);
	va_end(ap);
	if (reason == NULL && e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		reason = buf;
	}
	if (reason != NULL)
		append(reason);
	return -1;
}

void
igos_ssl_clear(void)
{
	ERR_clear_error();
}
