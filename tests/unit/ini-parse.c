/* lib/ini.c: the uki.conf reader, from (pointer, length) input. */
#include <stdlib.h>

#include "igos.h"
#include "ini.h"
#include "unit.h"

struct rec {
	char buf[1024];
	size_t len;
	int stop_at;
	int calls;
};

static int
rec_cb(void *ctx, const char *sec, size_t slen, const char *key, size_t klen, const char *val,
       size_t vlen, unsigned line)
{
	struct rec *r = ctx;

	r->calls++;
	if (r->stop_at && r->calls == r->stop_at)
		return igos_seterr("stopped");
	r->len += (size_t)snprintf(r->buf + r->len, sizeof(r->buf) - r->len, "%u[%.*s]%.*s=<%.*s>;",
				   line, (int)slen, sec, (int)klen, key, (int)vlen, val);
	return 0;
}

static const char *
parse(const char *in, size_t len, int *rc)
{
	static struct rec r;

	memset(&r, 0, sizeof(r));
	*rc = igos_ini_parse(in, len, rec_cb, &r);
	return *rc < 0 ? igos_errmsg() : r.buf;
}

#define P(s) parse(s, sizeof(s) - 1, &rc)

int
main(void)
{
	int rc;
	const char *out;

	out = P("[UKI]\nLinux = /boot/vmlinuz\nCmdline=a  b \n");
	OK(rc == 0 && strcmp(out, "2[UKI]Linux=</boot/vmlinuz>;3[UKI]Cmdline=<a  b>;") == 0,
	   "keys and values trimmed: %s", out);
	out = P("# c\n; c\n\n[A]\nk=v # comment\nj=v#not\n");
	OK(rc == 0 && strcmp(out, "5[A]k=<v>;6[A]j=<v#not>;") == 0,
	   "comments: whole-line # and ;, inline only after a blank: %s", out);
	out = P("[A]\nk = one\n  two  \n\tthree\nz=1");
	OK(rc == 0 && strcmp(out, "2[A]k=<one\ntwo\nthree>;5[A]z=<1>;") == 0,
	   "continuation lines joined with newlines; last line without newline");
	out = P("[A]\nk = one\n\n  two=2\n");
	OK(rc == 0 && strcmp(out, "2[A]k=<one>;4[A]two=<2>;") == 0,
	   "a blank line ends a value: %s", out);
	out = P("[A]\r\nk=v\r\n[B]\r\nk=w\r\n");
	OK(rc == 0 && strcmp(out, "2[A]k=<v>;4[B]k=<w>;") == 0, "CRLF line ends: %s", out);
	out = P("[A]\nk=\n");
	OK(rc == 0 && strcmp(out, "2[A]k=<>;") == 0, "an empty value: %s", out);
	out = P("[A]\nk=a=b\n");
	OK(rc == 0 && strcmp(out, "2[A]k=<a=b>;") == 0, "only the first = splits: %s", out);
	out = P("");
	OK(rc == 0 && strcmp(out, "") == 0, "empty input");

	out = P("k=v\n");
	OK(rc < 0 && strcmp(out, "line 1: setting outside a [section]") == 0, "key before a section: %s", out);
	out = P("[A]\nnovalue\n");
	OK(rc < 0 && strcmp(out, "line 2: expected KEY=VALUE") == 0, "no =: %s", out);
	out = P("[A\nk=v\n");
	OK(rc < 0 && strcmp(out, "line 1: bad section header") == 0, "unclosed [: %s", out);
	out = P("[]\n");
	OK(rc < 0 && strcmp(out, "line 1: bad section header") == 0, "empty section name: %s", out);
	out = P("[A]\n=v\n");
	OK(rc < 0 && strcmp(out, "line 2: empty key") == 0, "empty key: %s", out);
	out = P("[A]\nk=v\n\0x=y\n");
	OK(rc < 0 && strcmp(out, "line 3: NUL byte") == 0, "NUL byte: %s", out);
	{
		struct rec r;

		memset(&r, 0, sizeof(r));
		r.stop_at = 2;
		rc = igos_ini_parse("[A]\na=1\nb=2\nc=3\n", 16, rec_cb, &r);
		OK(rc < 0 && strcmp(igos_errmsg(), "stopped") == 0 && r.calls == 2,
		   "a callback error stops the parse");
	}
	{
		/* not NUL-terminated: the parser must stop at len */
		char *buf = malloc(9);

		memcpy(buf, "[A]\nk=vX", 8);
		out = parse(buf, 7, &rc);
		OK(rc == 0 && strcmp(out, "2[A]k=<v>;") == 0, "reads only len bytes: %s", out);
		free(buf);
	}
	return DONE();
}
