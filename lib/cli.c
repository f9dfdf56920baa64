/*
 * The command line: the one part of the library that prints and exits, so that
 * every igos command speaks alike (one-line errors, exit 1 for a failure and 2
 * for a usage error, options checked the same way, no abbreviations).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "igos.h"

int igos_verbose;

static const char *prog = "igos";
static void (*usage_fn)(FILE *);
static void (*cleanup_fn)(void);
/* the option igos_getopt returned last, as the user would name it */
static char optname[64];

void
igos_cli_init(const char *name, void (*usage)(FILE *), void (*cleanup)(void))
{
	prog = name;
	usage_fn = usage;
	cleanup_fn = cleanup;
}

const char *
igos_prog(void)
{
	return prog;
}

void
igos_print_version(void)
{
	printf("%s %s\n", prog, IGOS_VERSION);
}

static void
vsay(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void
run_cleanup(void)
{
	void (*fn)(void) = cleanup_fn;

	/* once: a cleanup that fails must not come back here */
	cleanup_fn = NULL;
	if (fn)
		fn();
}

void
igos_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

void
igos_note(const char *fmt, ...)
{
	va_list ap;

	if (!igos_verbose)
		return;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

void
igos_die(const char *fmt, ...)
{
	va_list ap;

	run_cleanup();
	if (igos_verbose)
		ERR_print_errors_fp(stderr);
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	exit(1);
}

/*
 * A file truncated under its mapping faults instead of reading: that is a
 * one-line failure like any unreadable input, not a crash, and the temporary
 * output goes. The handler only uses what was prepared here beforehand and
 * async-signal-safe calls (unlinkat, write, _exit).
 */
static char bus_msg[512];
static size_t bus_len;
static struct igos_out *const *bus_out;

static void
on_sigbus(int sig)
{
	struct igos_out *o = bus_out != NULL ? *bus_out : NULL;

	(void)sig;
	if (o != NULL && o->tmpname != NULL && o->dirfd >= 0)
		unlinkat(o->dirfd, o->tmpname, 0);
	if (write(STDERR_FILENO, bus_msg, bus_len) < 0)
		_exit(1);
	_exit(1);
}

void
igos_cli_guard_mapping(const char *path, struct igos_out *const *out)
{
	struct sigaction sa;
	int n;

	n = snprintf(bus_msg, sizeof(bus_msg),
		     "%s: cannot read '%s': the file shrank while it was read\n", prog, path);
	if (n < 0 || (size_t)n >= sizeof(bus_msg))
		n = snprintf(bus_msg, sizeof(bus_msg),
			     "%s: cannot read the input: the file shrank while it was read\n", prog);
	bus_len = n < 0 ? 0 : (size_t)n;
	bus_out = out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) < 0)
		igos_die("cannot catch SIGBUS: %s", strerror(errno));
}

void
igos_die_lib(void)
{
	igos_die("%s", igos_errmsg());
}

void
igos_usage_err(const char *fmt, ...)
{
	va_list ap;

	run_cleanup();
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	exit(2);
}

const char *
igos_optname(void)
{
	return optname;
}

void
igos_opt_once(const char **slot, const char *val)
{
	if (*slot != NULL)
		igos_usage_err("%s given twice", optname);
	*slot = val;
}

void
igos_flag_once(int *slot)
{
	if (*slot)
		igos_usage_err("%s given twice", optname);
	*slot = 1;
}

/* The name of the option getopt_long just matched, for messages. */
static void
remember(int c, int li, const struct option *longs)
{
	if (li >= 0) {
		snprintf(optname, sizeof(optname), "--%s", longs[li].name);
		return;
	}
	for (const struct option *o = longs; o && o->name; o++)
		if (o->flag == NULL && o->val == c) {
			snprintf(optname, sizeof(optname), "--%s", o->name);
			return;
		}
	snprintf(optname, sizeof(optname), "-%c", c);
}

/*
 * getopt_long accepts any unambiguous prefix of a long option; we do not, so
 * that a script's `--ver` means the same after a later release adds `--verify`.
 * The option's own word is argv[optind - 1], or argv[optind - 2] when its
 * argument came as the next word.
 */
static int
abbreviated(int argc, char **argv, int li, const struct option *longs)
{
	const char *w;
	size_t n;

	if (optind < 2 || optind > argc)
		return 0;
	w = argv[optind - 1];
	if (optarg != NULL && optarg == w && optind >= 2)
		w = argv[optind - 2];
	if (strncmp(w, "--", 2) != 0)
		return 0;
	w += 2;
	n = strcspn(w, "=");
	if (strlen(longs[li].name) == n && strncmp(longs[li].name, w, n) == 0)
		return 0;
	snprintf(optname, sizeof(optname), "--%.*s", (int)(n < 40 ? n : 40), w);
	return 1;
}

int
igos_getopt(int argc, char **argv, const char *shorts, const struct option *longs)
{
	char spec[128];
	const char *s = shorts;
	int c, li = -1;

	/* a leading ':' makes a missing argument ':' rather than '?' */
	if (*s == '+' || *s == '-')
		snprintf(spec, sizeof(spec), "%c:%s", *s, s + 1);
	else
		snprintf(spec, sizeof(spec), ":%s", s);
	opterr = 0;
	for (;;) {
		li = -1;
		c = getopt_long(argc, argv, spec, longs, &li);
		if (c == -1)
			return -1;
		if (c == '?' || c == ':') {
			const char *w = optind > 0 && optind <= argc ? argv[optind - 1] : NULL;

			/* a long option by its word (without "=..."), a short one by
			 * its letter (it may stand inside a cluster such as -xk) */
			if (w && strncmp(w, "--", 2) == 0)
				snprintf(optname, sizeof(optname), "%.*s",
					 (int)strcspn(w, "=") < 40 ? (int)strcspn(w, "=") : 40, w);
			else
				snprintf(optname, sizeof(optname), "-%c", optopt);
			if (c == ':')
				igos_usage_err("option '%s' needs an argument", optname);
			igos_usage_err("unknown option '%s'", optname);
		}
		if (li >= 0 && abbreviated(argc, argv, li, longs))
			igos_usage_err("unknown option '%s'", optname);
		remember(c, li, longs);
		switch (c) {
		case 'h':
			if (usage_fn)
				usage_fn(stdout);
			exit(0);
		case 'V':
			igos_print_version();
			exit(0);
		case 'v':
			igos_verbose = 1;
			continue;
		default:
			return c;
		}
	}
}

/* "a, b or c" from a verb table, for messages. */
static void
verb_list(char *buf, size_t size, const struct igos_verb *verbs)
{
	size_t n = 0, count = 0, i;

	while (verbs[count].name)
		count++;
	buf[0] = '\0';
	for (i = 0; i < count && n < size; i++) {
		const char *sep = i == 0 ? "" : i + 1 == count ? " or " : ", ";
		int r = snprintf(buf + n, size - n, "%s%s", sep, verbs[i].name);

		if (r < 0)
			break;
		n += (size_t)r;
	}
}

int
igos_cli_verbs(int argc, char **argv, const struct igos_verb *verbs)
{
	char list[256];

	verb_list(list, sizeof(list), verbs);
	if (argc < 2)
		igos_usage_err("no verb given (%s; see --help)", list);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		if (usage_fn)
			usage_fn(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		igos_print_version();
		return 0;
	}
	for (const struct igos_verb *v = verbs; v->name; v++)
		if (strcmp(argv[1], v->name) == 0) {
			/* 0, not 1: getopt starts afresh and reads the verb's '+' */
			optind = 0;
			return v->run(argc - 1, argv + 1);
		}
	if (argv[1][0] == '-')
		igos_usage_err("the verb comes first (%s), not '%s'", list, argv[1]);
	igos_usage_err("unknown verb '%s' (%s)", argv[1], list);
}
