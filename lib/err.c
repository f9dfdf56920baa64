/* The library's error message: one line, set by the function that failed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "internal.h"

/* one per thread: a worker's failure never garbles the caller's message
 * (igos-bootcheck predicts PCR 11 beside the Authenticode hash) */
static _Thread_local char msg[1024] = "unknown error";

const char *
igos_errmsg(void)
{
	return msg;
}

/*
 * Messages name things read from inputs (a section name, a field of an index,
 * a hash algorithm in a superblock) and end up on a terminal: the message is
 * kept to one line and to what cannot drive the terminal (igos_escape()).
 */
static void
vset(const char *fmt, va_list ap)
{
	char *e;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if ((e = igos_escape(msg, strlen(msg), 0)) != NULL) {
		snprintf(msg, sizeof(msg), "%s", e);
		free(e);
	}
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

int
igos_errmsg_replace(const char *from, const char *to)
{
	char out[sizeof(msg)];
	size_t flen = strlen(from), o = 0;
	const char *p = msg, *hit;
	int found = 0;

	if (flen == 0)
		return 0;
	while ((hit = strstr(p, from)) != NULL) {
		size_t n = (size_t)(hit - p);

		found = 1;
		n = n < sizeof(out) - 1 - o ? n : sizeof(out) - 1 - o;
		memcpy(out + o, p, n);
		o += n;
		n = strlen(to) < sizeof(out) - 1 - o ? strlen(to) : sizeof(out) - 1 - o;
		memcpy(out + o, to, n);
		o += n;
		p = hit + flen;
	}
	if (!found)
		return 0;
	snprintf(out + o, sizeof(out) - o, "%s", p);
	memcpy(msg, out, sizeof(msg));
	return 1;
}

void
igos_errmsg_cut(size_t at, const char *tail)
{
	if (at < sizeof(msg) && at <= strlen(msg))
		snprintf(msg + at, sizeof(msg) - at, "%s", tail);
}

void
igos_ssl_clear(void)
{
	ERR_clear_error();
}
