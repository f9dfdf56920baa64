/*
 * igos-grub: the distribution's GRUB image (Debian's GRUB modules, a .sbat
 * shim accepts, the configuration built into the image) and the ESP layout
 * shim expects (shim as the removable path, MokManager and GRUB beside it).
 */
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igos.h"
#include "bootentry.h"
#include "efivar.h"
#include "sbat.h"

#define PROG "igos-grub"

extern char **environ;

#define GRUB_DIR_DEFAULT "/usr/lib/grub/x86_64-efi"
#define SBAT_MAX (64 * 1024)
#define IMAGE_MAX (64u << 20)
/* The level shim 16.1 enforces (its .sbatlevel, "previous" and "latest"
 * alike for these components): used when no --shim is given. */
#define SBAT_LEVEL_DEFAULT "sbat,1,2025021800\nshim,4\ngrub,5\n"
#define VENDOR_URL "https://intergenos.org"
#define SUPERUSER "root"
/* The name nobody can log in as: no password is defined for it. */
#define LOCKED_USER "igos-locked"

/*
 * Every module the configuration uses is built in: under Secure Boot GRUB
 * refuses insmod from the ESP. No `linux' here: its initrd and command line
 * are verified by nothing (only with --allow-linux).
 */
static const char *const base_modules[] = {
	"normal", "configfile", "echo", "test", "true", "sleep", "reboot", "halt",
	"fat", "part_gpt", "part_msdos", "chain", "regexp", "memdisk", "tar",
	"password_pbkdf2", "minicmd", "ls", "cat", "efi_gop", "efi_uga",
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " build [--sbat FILE] [--shim FILE] [--modules LIST]...\n"
	    "         [--password-hash FILE | --no-shell] [--allow-linux] [--timeout SECONDS]\n"
	    "         [--directory DIR] -o|--output GRUBX64.EFI|-\n"
	    "       " PROG " install --esp DIR --shim FILE [--mokmanager FILE] [--grub FILE]\n"
	    "         [--vendor-dir NAME] [--boot-entry LABEL [--efivars DIR]]\n"
	    "       " PROG " -h|--help | -V|--version\n"
	    "-v|--verbose prints the whole OpenSSL error queue on failure.\n"
	    "Build the distribution's GRUB image, its configuration built in, or lay out\n"
	    "an ESP for shim (EFI/BOOT/BOOTX64.EFI, mmx64.efi, grubx64.efi).\n");
}

/* ---- SBAT (parsed by lib/sbat.c as shim parses it) ------------------------ */

/*
 * What igos asks of the SBAT beyond shim: printable ASCII lines, each
 * generation a plain decimal number above 0, no component twice, "sbat"
 * first and a "grub" entry (shim would accept an image without them).
 */
static int
sbat_strict(const char *p, size_t len, const struct igos_sbat *s)
{
	int grub = 0;

	for (size_t i = 0; i < len; i++)
		if (p[i] != '\n' && ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7e))
			return igos_seterr("SBAT: byte %zu is not printable ASCII", i);
	if (s->n == 0)
		return igos_seterr("SBAT: no entries");
	for (size_t i = 0; i < s->n; i++) {
		const struct igos_sbat_entry *e = &s->e[i];

		if (!e->gen_exact || e->gen == 0)
			return igos_seterr("SBAT line %u: bad generation '%s'", e->line,
			    e->f[IGOS_SBAT_GENERATION]);
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->e[j].f[IGOS_SBAT_COMPONENT], e->f[IGOS_SBAT_COMPONENT]) == 0)
				return igos_seterr("SBAT line %u: component '%s' twice", e->line,
				    e->f[IGOS_SBAT_COMPONENT]);
		grub |= strcmp(e->f[IGOS_SBAT_COMPONENT], "grub") == 0;
	}
	if (strcmp(s->e[0].f[IGOS_SBAT_COMPONENT], "sbat") != 0)
		return igos_seterr("SBAT: the first entry is '%s', not 'sbat'",
		    s->e[0].f[IGOS_SBAT_COMPONENT]);
	if (!grub)
		return igos_seterr("SBAT: no 'grub' entry (the generation shim checks GRUB by)");
	return 0;
}

/* The levels a shim enforces: the "previous" and "latest" texts of its
 * .sbatlevel section (an image must pass both: either may be the policy). */
static int
shim_level(const char *path, struct igos_sbat lvl[2])
{
	struct igos_buf b;
	struct igos_pe pe;
	const struct igos_pe_section *sec;
	struct igos_sbatlevel sl;
	int rc = -1;

	if (igos_buf_read(&b, path, IMAGE_MAX) < 0)
		return -1;
	if (igos_pe_parse(&pe, b.data, b.len) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", igos_errmsg());
		igos_seterr("'%s': %s", path, why);
		goto out;
	}
	if (!(sec = igos_pe_section(&pe, ".sbatlevel"))) {
		igos_seterr("'%s' has no .sbatlevel section (not a shim 15.7 or later)", path);
		goto out;
	}
	if (igos_sbatlevel_parse(b.data + sec->raw_off,
	    sec->raw_size < sec->vsize ? sec->raw_size : sec->vsize, &sl) < 0 ||
	    igos_sbat_level_parse(&lvl[0], sl.previous, sl.previous_len) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", igos_errmsg());
		igos_seterr("'%s': %s", path, why);
		goto out;
	}
	if (igos_sbat_level_parse(&lvl[1], sl.latest, sl.latest_len) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", igos_errmsg());
		igos_seterr("'%s': %s", path, why);
		igos_sbat_free(&lvl[0]);
		goto out;
	}
	rc = 0;
out:
	igos_buf_free(&b);
	return rc;
}

/* ---- the image's pieces ---------------------------------------------------- */

/* grub_package_version from the modules' modinfo.sh (the Debian version). */
static char *
grub_version(const char *dir)
{
	char path[4096], *s, *p, *q;

	snprintf(path, sizeof(path), "%s/modinfo.sh", dir);
	if (!(s = igos_read_small(path, 65536, NULL)))
		return NULL;
	p = strstr(s, "\ngrub_package_version=\"");
	if (!p || !(q = strchr(p += 23, '"')) || q == p) {
		igos_seterr("'%s': no grub_package_version", path);
		free(s);
		return NULL;
	}
	*q = '\0';
	for (char *c = p; *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
		    (*c >= 'A' && *c <= 'Z') || strchr(".+~-:", *c))) {
			igos_seterr("'%s': bad grub_package_version", path);
			free(s);
			return NULL;
		}
	p = strdup(p);
	free(s);
	if (!p)
		igos_seterr("out of memory");
	return p;
}

/* A grub-mkpasswd-pbkdf2 hash: grub.pbkdf2.sha512.ITER.SALT.HASH (hex). */
static int
hash_ok(const char *s)
{
	const char *p = s;
	int part = 0;

	if (strncmp(p, "grub.pbkdf2.sha512.", 19) != 0)
		return 0;
	p += 19;
	if (*p < '1' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	while (*p == '.' && part < 2) {
		const char *h = ++p;

		while ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'F') ||
		    (*p >= 'a' && *p <= 'f'))
			p++;
		if (p - h < 16)
			return 0;
		part++;
	}
	return part == 2 && *p == '\0';
}

static int
text(struct igos_text *t, const char *s)
{
	return igos_text_add(t, s, strlen(s));
}

/*
 * The configuration, run by GRUB's normal parser from the memdisk. Its only
 * input from the ESP is the list of UKIs, each verified by shim when
 * chainloaded. Newest first means: the UKI with the latest modification time
 * first, the others in directory order after it.
 */
static int
make_cfg(struct igos_text *t, const char *hash, unsigned timeout)
{
	char num[32];

	snprintf(num, sizeof(num), "%u", timeout);
	if (text(t, "# InterGenOS GRUB, built into the signed image by igos-grub.\n"
	    "# Nothing on the ESP but the UKIs is read, and shim verifies each UKI.\n"
	    "set pager=0\n") < 0)
		return -1;
	if (hash) {
		if (text(t, "set superusers=\"" SUPERUSER "\"\npassword_pbkdf2 " SUPERUSER " ") < 0 ||
		    text(t, hash) < 0 || text(t, "\n") < 0)
			return -1;
	} else if (text(t, "set superusers=\"" LOCKED_USER "\"\n") < 0)
		return -1;
	return text(t,
	    "regexp --set=1:root '^\\(([^)]*)\\)' \"$cmdpath\"\n"
	    "set igos_best=\"\"\n"
	    "for f in ($root)/EFI/Linux/*.efi; do\n"
	    "\tif [ -f \"$f\" ]; then\n"
	    "\t\tif [ -z \"$igos_best\" ]; then set igos_best=\"$f\"\n"
	    "\t\telif [ \"$f\" -nt \"$igos_best\" ]; then set igos_best=\"$f\"; fi\n"
	    "\tfi\n"
	    "done\n"
	    "function igos_try {\n"
	    "\techo \"igos: starting $1\"\n"
	    "\tif chainloader \"$1\"; then boot; fi\n"
	    "}\n"
	    "echo \"igos: Esc for the menu\"\n"
	    "if sleep --interruptible ") < 0 || text(t, num) < 0 || text(t, "; then\n"
	    "\tif [ -n \"$igos_best\" ]; then igos_try \"$igos_best\"; fi\n"
	    "\tfor f in ($root)/EFI/Linux/*.efi; do\n"
	    "\t\tif [ -f \"$f\" -a \"$f\" != \"$igos_best\" ]; then igos_try \"$f\"; fi\n"
	    "\tdone\n"
	    "\techo \"igos: no UKI on the ESP could be started\"\n"
	    "fi\n"
	    "for f in ($root)/EFI/Linux/*.efi; do\n"
	    "\tif [ -f \"$f\" ]; then\n"
	    "\t\tregexp --set=1:igos_name '/([^/]*)$' \"$f\"\n"
	    "\t\tmenuentry \"$igos_name\" --unrestricted --id \"$f\" {\n"
	    "\t\t\tchainloader \"$chosen\"; boot\n"
	    "\t\t}\n"
	    "\tfi\n"
	    "done\n"
	    "menuentry \"Reboot\" --unrestricted --id reboot { reboot }\n"
	    "menuentry \"Power off\" --unrestricted --id halt { halt }\n");
}

/* One ustar header. */
static int
tar_header(struct igos_text *t, const char *name, char type, unsigned mode, size_t size,
	   uint64_t mtime)
{
	unsigned char h[512];
	unsigned sum = 0;

	memset(h, 0, sizeof(h));
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011zo", size);
	snprintf((char *)h + 136, 12, "%011llo", (unsigned long long)mtime);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	return igos_text_add(t, h, sizeof(h));
}

/* The memdisk: boot/grub/grub.cfg in a ustar archive, owners, modes, order
 * and times fixed (mtime = SOURCE_DATE_EPOCH or 0). */
static int
make_tar(struct igos_text *t, const struct igos_text *cfg, uint64_t mtime)
{
	static const unsigned char zero[1024];
	size_t pad = (512 - cfg->len % 512) % 512;

	if (tar_header(t, "boot/", '5', 0755, 0, mtime) < 0 ||
	    tar_header(t, "boot/grub/", '5', 0755, 0, mtime) < 0 ||
	    tar_header(t, "boot/grub/grub.cfg", '0', 0644, cfg->len, mtime) < 0 ||
	    igos_text_add(t, cfg->p, cfg->len) < 0 || igos_text_add(t, zero, pad) < 0 ||
	    igos_text_add(t, zero, sizeof(zero)) < 0)
		return -1;
	return 0;
}

/* ---- the child: grub-mkimage ----------------------------------------------- */

static int
put_file(const char *dir, const char *name, const void *p, size_t n, char *path, size_t psz)
{
	int fd;

	snprintf(path, psz, "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return igos_seterr_errno("cannot create '%s'", path);
	if (write(fd, p, n) != (ssize_t)n || close(fd) < 0) {
		igos_seterr_errno("cannot write '%s'", path);
		return -1;
	}
	return 0;
}

/* The first line grub-mkimage wrote on stderr, for our one-line message. */
static void
first_line(const char *path, char *out, size_t n)
{
	char *s = igos_read_small(path, 4096, NULL), *e;

	out[0] = '\0';
	if (!s)
		return;
	if ((e = strchr(s, '\n')))
		*e = '\0';
	for (char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			*c = '?';
	snprintf(out, n, "%s", s);
	free(s);
}

static int
run_mkimage(char *const argv[], const char *errpath)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, e;
	char line[512];

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, errpath,
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		errno = e;
		return igos_seterr_errno("cannot run '%s'", argv[0]);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return igos_seterr_errno("waitpid");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	first_line(errpath, line, sizeof(line));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && line[0] == '\0')
		return igos_seterr("cannot run '%s'", argv[0]);
	return igos_seterr("%s failed%s%s", argv[0], line[0] ? ": " : "", line);
}

/* ---- build ---------------------------------------------------------------- */

struct build {
	const char *sbat_path, *shim, *hash_path, *dir, *out;
	int no_shell, allow_linux;
	unsigned timeout;
	const char *mods[128];
	size_t nmods;
	char *modbuf[32];
	size_t nmodbuf;
};

static int
mod_name_ok(const char *m)
{
	if (!*m || strlen(m) > 64)
		return 0;
	for (; *m; m++)
		if (!((*m >= 'a' && *m <= 'z') || (*m >= '0' && *m <= '9') || *m == '_' || *m == '-'))
			return 0;
	return 1;
}

static void
add_module(struct build *b, const char *m)
{
	for (size_t i = 0; i < b->nmods; i++)
		if (strcmp(b->mods[i], m) == 0)
			return;
	if (b->nmods == sizeof(b->mods) / sizeof(b->mods[0]))
		igos_usage_err("too many modules");
	b->mods[b->nmods++] = m;
}

static void
add_modules(struct build *b, const char *list)
{
	char *s, *tok, *save = NULL;

	if (b->nmodbuf == sizeof(b->modbuf) / sizeof(b->modbuf[0]))
		igos_usage_err("--modules given too often");
	if (!(s = strdup(list)))
		igos_die("out of memory");
	b->modbuf[b->nmodbuf++] = s;
	for (tok = strtok_r(s, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (!mod_name_ok(tok))
			igos_usage_err("bad module name '%s'", tok);
		add_module(b, tok);
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
do_build(struct build *b)
{
	struct igos_text cfg = { 0 }, tarb = { 0 };
	struct igos_sbat img = { 0 }, lvl[2] = { { 0 }, { 0 } };
	size_t nlvl = 0;
	char *sbat = NULL, *hash = NULL, *ver = NULL;
	size_t sbatlen = 0;
	char *tmp = NULL;
	char p_sbat[4200], p_tar[4200], p_out[4200], p_err[4200], prefix[64];
	const char *tmpdir = getenv("TMPDIR");
	char tmpbuf[4096];
	uint64_t mtime = 0;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	struct igos_buf img_buf = { 0 };
	struct igos_pe pe;
	const struct igos_pe_section *sec;
	struct igos_out o;
	int rc = 1;

	if (sde && igos_parse_u64(sde, &mtime) < 0) {
		igos_warn("bad SOURCE_DATE_EPOCH '%s'", sde);
		return 2;
	}
	if (mtime > 077777777777ULL) {
		igos_warn("SOURCE_DATE_EPOCH '%s' is out of range", sde);
		return 2;
	}
	/* modules: the base set, linux only when asked for, then sorted so the
	 * order of --modules does not change the image */
	for (size_t i = 0; i < b->nmods; i++)
		if ((strcmp(b->mods[i], "linux") == 0 || strcmp(b->mods[i], "linuxefi") == 0) &&
		    !b->allow_linux) {
			igos_warn("module '%s' needs --allow-linux (its initrd and command line are not verified)",
			    b->mods[i]);
			return 2;
		}
	for (size_t i = 0; i < sizeof(base_modules) / sizeof(base_modules[0]); i++)
		add_module(b, base_modules[i]);
	if (b->allow_linux)
		add_module(b, "linux");
	qsort(b->mods, b->nmods, sizeof(b->mods[0]), cmp_str);
	for (size_t i = 0; i < b->nmods; i++) {
		char path[4200];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s.mod", b->dir, b->mods[i]);
		if (stat(path, &st) < 0) {
			igos_warn("no module '%s' in '%s'", b->mods[i], b->dir);
			return 1;
		}
	}
	if (!(ver = grub_version(b->dir))) {
		igos_warn("%s", igos_errmsg());
		return 1;
	}

	/* SBAT: the given one or ours, checked against shim's level */
	if (b->sbat_path) {
		if (!(sbat = igos_read_small(b->sbat_path, SBAT_MAX, &sbatlen))) {
			igos_warn("%s", igos_errmsg());
			goto out;
		}
	} else {
		if (asprintf(&sbat,
		    "sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\n"
		    "grub,5,Free Software Foundation,grub,%.*s,https://www.gnu.org/software/grub/\n"
		    "grub.intergenos,1,InterGenOS,grub2,%s," VENDOR_URL "\n",
		    (int)strcspn(ver, "-"), ver, ver) < 0) {
			sbat = NULL;
			igos_warn("out of memory");
			goto out;
		}
		sbatlen = strlen(sbat);
	}
	if (igos_sbat_parse(&img, sbat, sbatlen) < 0 || sbat_strict(sbat, sbatlen, &img) < 0) {
		igos_warn("%s%s%s%s", b->sbat_path ? "'" : "", b->sbat_path ? b->sbat_path : "",
		    b->sbat_path ? "': " : "", igos_errmsg());
		goto out;
	}
	if (b->shim) {
		if (shim_level(b->shim, lvl) < 0) {
			igos_warn("%s", igos_errmsg());
			goto out;
		}
		nlvl = 2;
	} else {
		if (igos_sbat_level_parse(&lvl[0], SBAT_LEVEL_DEFAULT, strlen(SBAT_LEVEL_DEFAULT)) < 0)
			igos_die("%s", igos_errmsg());
		nlvl = 1;
	}
	for (size_t k = 0; k < nlvl; k++) {
		size_t ir, lr;

		if (igos_sbat_check(&img, &lvl[k], &ir, &lr) == 1) {
			igos_warn("SBAT generation '%s,%u' is below the level '%s,%u' that shim%s%s%s enforces",
			    img.e[ir].f[IGOS_SBAT_COMPONENT], img.e[ir].gen,
			    lvl[k].e[lr].f[IGOS_SBAT_COMPONENT], lvl[k].e[lr].gen,
			    b->shim ? " '" : " 16.1", b->shim ? b->shim : "", b->shim ? "'" : "");
			goto out;
		}
	}

	if (b->hash_path) {
		size_t hl;

		if (!(hash = igos_read_small(b->hash_path, 4096, &hl))) {
			igos_warn("%s", igos_errmsg());
			goto out;
		}
		if (hl > 0 && hash[hl - 1] == '\n')
			hash[--hl] = '\0';
		if (strlen(hash) != hl || !hash_ok(hash)) {
			igos_warn("'%s': not a grub-mkpasswd-pbkdf2 hash (grub.pbkdf2.sha512.N.SALT.HASH)",
			    b->hash_path);
			goto out;
		}
	}
	if (make_cfg(&cfg, hash, b->timeout) < 0 || make_tar(&tarb, &cfg, mtime) < 0) {
		igos_warn("out of memory");
		goto out;
	}

	snprintf(tmpbuf, sizeof(tmpbuf), "%s/igos-grub.XXXXXX",
	    tmpdir && *tmpdir == '/' ? tmpdir : "/tmp");
	if (strlen(tmpbuf) < sizeof(tmpbuf) - 1 && (tmp = mkdtemp(tmpbuf)) == NULL) {
		igos_warn("cannot create a directory in '%s': %s", tmpdir && *tmpdir == '/' ? tmpdir : "/tmp", strerror(errno));
		goto out;
	}
	if (put_file(tmp, "sbat.csv", sbat, sbatlen, p_sbat, sizeof(p_sbat)) < 0 ||
	    put_file(tmp, "memdisk.tar", tarb.p, tarb.len, p_tar, sizeof(p_tar)) < 0) {
		igos_warn("%s", igos_errmsg());
		goto out;
	}
	snprintf(p_out, sizeof(p_out), "%s/grub.efi", tmp);
	snprintf(p_err, sizeof(p_err), "%s/stderr", tmp);
	snprintf(prefix, sizeof(prefix), "(memdisk)/boot/grub");
	{
		const char *mk = getenv("IGOS_GRUB_MKIMAGE");
		const char *argv[160];
		size_t a = 0;

		argv[a++] = mk && *mk ? mk : "grub-mkimage";
		argv[a++] = "-O";
		argv[a++] = "x86_64-efi";
		argv[a++] = "-d";
		argv[a++] = b->dir;
		argv[a++] = "-p";
		argv[a++] = prefix;
		argv[a++] = "-m";
		argv[a++] = p_tar;
		argv[a++] = "--sbat";
		argv[a++] = p_sbat;
		argv[a++] = "-o";
		argv[a++] = p_out;
		for (size_t i = 0; i < b->nmods; i++)
			argv[a++] = b->mods[i];
		argv[a] = NULL;
		if (run_mkimage((char *const *)argv, p_err) < 0) {
			igos_warn("%s", igos_errmsg());
			goto out;
		}
	}
	/* what came out is a PE image carrying our .sbat */
	if (igos_buf_read(&img_buf, p_out, IMAGE_MAX) < 0) {
		igos_warn("%s", igos_errmsg());
		goto out;
	}
	if (igos_pe_parse(&pe, img_buf.data, img_buf.len) < 0 ||
	    !(sec = igos_pe_section(&pe, ".sbat")) || sec->raw_size < sbatlen ||
	    memcmp(img_buf.data + sec->raw_off, sbat, sbatlen) != 0) {
		igos_warn("grub-mkimage wrote an image without the SBAT given");
		goto out;
	}
	if (igos_out_open(&o, b->out, 0644, 0) < 0 ||
	    igos_out_write(&o, img_buf.data, img_buf.len) < 0 || igos_out_commit(&o) < 0) {
		igos_warn("%s", igos_errmsg());
		igos_out_abort(&o);
		goto out;
	}
	rc = 0;
out:
	if (tmp) {
		unlink(p_out);
		unlink(p_err);
		unlink(p_sbat);
		unlink(p_tar);
		rmdir(tmp);
	}
	igos_buf_free(&img_buf);
	free(cfg.p);
	free(tarb.p);
	igos_sbat_free(&img);
	for (size_t k = 0; k < nlvl; k++)
		igos_sbat_free(&lvl[k]);
	free(sbat);
	free(hash);
	free(ver);
	return rc;
}

/* ---- the firmware's boot entry ------------------------------------------------ */

static int
sysfs_u64(const char *dir, const char *name, uint64_t *v)
{
	char path[PATH_MAX + 64], *s, *e;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(s = igos_read_small(path, 64, NULL)))
		return -1;
	if ((e = strchr(s, '\n')))
		*e = '\0';
	rc = igos_parse_u64(s, v);
	free(s);
	return rc;
}

/* The HD() node of the partition the ESP's filesystem is on: its number,
 * start and size from sysfs, its GUID (or the MBR's signature) from the
 * disk's partition table. */
static int
esp_hd(const char *esp, struct igos_hd *hd)
{
	struct stat st;
	char sys[128], parent[PATH_MAX], dev[PATH_MAX + 16], *base;
	uint64_t part, start, size, bs = 512;
	unsigned char *buf;
	ssize_t n;
	int fd, rc;

	if (stat(esp, &st) < 0)
		return igos_seterr_errno("cannot open '%s'", esp);
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
	if (sysfs_u64(sys, "partition", &part) < 0 || part == 0 || part > 0xffffffffu)
		return igos_seterr("'%s' is not on a disk partition", esp);
	if (sysfs_u64(sys, "start", &start) < 0 || sysfs_u64(sys, "size", &size) < 0)
		return -1;
	snprintf(dev, sizeof(dev), "%s/..", sys);
	if (!realpath(dev, parent))
		return igos_seterr_errno("cannot resolve '%s'", dev);
	base = strrchr(parent, '/') ? strrchr(parent, '/') + 1 : parent;
	snprintf(dev, sizeof(dev), "%s/queue", parent);
	if (sysfs_u64(dev, "logical_block_size", &bs) < 0 || bs < 512 || bs > 65536)
		return igos_seterr("cannot read the block size of '%s'", base);
	/* sysfs counts 512-byte sectors; HD() counts logical blocks */
	start = start * 512 / bs;
	size = size * 512 / bs;
	snprintf(dev, sizeof(dev), "/dev/%s", base);
	if ((fd = open(dev, O_RDONLY | O_CLOEXEC)) < 0)
		return igos_seterr_errno("cannot open '%s'", dev);
	if (!(buf = malloc(1u << 20))) {
		close(fd);
		return igos_seterr("out of memory");
	}
	n = pread(fd, buf, 1u << 20, 0);
	close(fd);
	if (n < 512) {
		free(buf);
		return igos_seterr_errno("cannot read '%s'", dev);
	}
	rc = igos_hd_from_disk(buf, (size_t)n, (unsigned)bs, (uint32_t)part, start, size, hd);
	free(buf);
	if (rc < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", igos_errmsg());
		return igos_seterr("'%s': %s", dev, why);
	}
	return 0;
}

/*
 * Boot#### for the loader, as efibootmgr -c writes it: the entry that already
 * points at the same device path is rewritten, else the lowest free number is
 * taken; it goes first in BootOrder.
 */
static int
boot_entry(const char *efivars, const char *esp, const char *label, const char *loader)
{
	static const char *const hexd = "0123456789ABCDEF";
	struct igos_hd hd;
	unsigned char *opt, *order = NULL, *neworder = NULL;
	const unsigned char *dp;
	size_t optlen, dplen, olen = 0, nlen = 0;
	uint32_t attr;
	unsigned char used[65536 / 8];
	int num = -1, rc = -1;
	char name[16];
	DIR *dir;
	struct dirent *de;

	if (igos_efivar_dir_check(efivars, 1) < 0 || esp_hd(esp, &hd) < 0)
		return -1;
	if (!(opt = igos_load_option(label, &hd, loader, &optlen)))
		return -1;
	igos_load_option_path(opt, optlen, &dp, &dplen);
	memset(used, 0, sizeof(used));
	if (!(dir = opendir(efivars))) {
		igos_seterr_errno("cannot open '%s'", efivars);
		goto out;
	}
	while ((de = readdir(dir))) {
		unsigned v = 0;
		int ok = strncmp(de->d_name, "Boot", 4) == 0 && strlen(de->d_name) == 8 + 1 + 36;

		for (int i = 4; ok && i < 8; i++) {
			const char *h = strchr(hexd, de->d_name[i]);

			if (!h || !*h)
				ok = 0;
			else
				v = v * 16 + (unsigned)(h - hexd);
		}
		if (ok && strcmp(de->d_name + 9, "8be4df61-93ca-11d2-aa0d-00e098032b8c") == 0) {
			unsigned char *cur = NULL;
			const unsigned char *cdp;
			size_t clen, cdplen;

			used[v / 8] |= (unsigned char)(1u << (v % 8));
			snprintf(name, sizeof(name), "Boot%04X", v);
			if (num < 0 && igos_efivar_read(efivars, name, igos_guid_global, &attr, &cur,
			    &clen) == 0 && cur && igos_load_option_path(cur, clen, &cdp, &cdplen) == 0 &&
			    cdplen == dplen && memcmp(cdp, dp, dplen) == 0)
				num = (int)v;
			free(cur);
		}
	}
	closedir(dir);
	for (int v = 0; num < 0 && v < 65536; v++)
		if (!(used[v / 8] & (1u << (v % 8))))
			num = v;
	if (num < 0) {
		igos_seterr("no free Boot#### number");
		goto out;
	}
	snprintf(name, sizeof(name), "Boot%04X", num);
	if (igos_efivar_write(efivars, name, igos_guid_global,
	    IGOS_EFI_NV | IGOS_EFI_BS | IGOS_EFI_RT, opt, optlen) < 0)
		goto out;
	if (igos_efivar_read(efivars, "BootOrder", igos_guid_global, &attr, &order, &olen) < 0)
		goto out;
	if (!(neworder = malloc(olen + 2))) {
		igos_seterr("out of memory");
		goto out;
	}
	igos_put_le16(neworder, (uint16_t)num);
	nlen = 2;
	for (size_t i = 0; i + 1 < olen; i += 2)
		if (igos_le16(order + i) != num) {
			memcpy(neworder + nlen, order + i, 2);
			nlen += 2;
		}
	if (igos_efivar_write(efivars, "BootOrder", igos_guid_global,
	    IGOS_EFI_NV | IGOS_EFI_BS | IGOS_EFI_RT, neworder, nlen) < 0)
		goto out;
	printf("%s\n", name);
	rc = 0;
out:
	free(opt);
	free(order);
	free(neworder);
	return rc;
}

/* ---- install ---------------------------------------------------------------- */

struct part {
	const char *src;   /* input file */
	const char *dst;   /* path under the ESP */
	struct igos_buf buf;
	char *final, *stage;
	int swapped;       /* stage now holds the replaced file */
};

static int
mkdirs(const char *esp, const char *rel)
{
	char path[4200];

	for (const char *p = rel; (p = strchr(p, '/')); p++) {
		snprintf(path, sizeof(path), "%s/%.*s", esp, (int)(p - rel), rel);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return igos_seterr_errno("cannot create '%s'", path);
	}
	return 0;
}

static int
do_install(const char *esp, const char *shim, const char *mm, const char *grub,
	   const char *vendor, const char *label, const char *efivars)
{
	struct part parts[8];
	size_t n = 0, i;
	struct stat st;
	int rc = 1;
	char vpath[3][300];

	if (stat(esp, &st) < 0) {
		igos_warn("cannot open '%s': %s", esp, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		igos_warn("'%s' is not a directory", esp);
		return 1;
	}
	/* the order the names change in: GRUB first and shim last, so a shim is
	 * never without the GRUB (and MokManager) it was installed with */
	memset(parts, 0, sizeof(parts));
	if (grub)
		parts[n++] = (struct part){ .src = grub, .dst = "EFI/BOOT/grubx64.efi" };
	if (mm)
		parts[n++] = (struct part){ .src = mm, .dst = "EFI/BOOT/mmx64.efi" };
	if (vendor) {
		snprintf(vpath[0], sizeof(vpath[0]), "EFI/%s/grubx64.efi", vendor);
		snprintf(vpath[1], sizeof(vpath[1]), "EFI/%s/mmx64.efi", vendor);
		snprintf(vpath[2], sizeof(vpath[2]), "EFI/%s/shimx64.efi", vendor);
		if (grub)
			parts[n++] = (struct part){ .src = grub, .dst = vpath[0] };
		if (mm)
			parts[n++] = (struct part){ .src = mm, .dst = vpath[1] };
		parts[n++] = (struct part){ .src = shim, .dst = vpath[2] };
	}
	parts[n++] = (struct part){ .src = shim, .dst = "EFI/BOOT/BOOTX64.EFI" };

	if (!grub) {
		char path[4200];

		snprintf(path, sizeof(path), "%s/EFI/BOOT/grubx64.efi", esp);
		if (stat(path, &st) < 0) {
			igos_warn("'%s' has no GRUB and no --grub was given: shim would have nothing to start",
			    esp);
			return 1;
		}
	}
	/* every input read and checked before anything on the ESP changes */
	for (i = 0; i < n; i++) {
		struct igos_pe pe;

		if (igos_buf_read(&parts[i].buf, parts[i].src, IMAGE_MAX) < 0) {
			igos_warn("%s", igos_errmsg());
			goto out;
		}
		if (igos_pe_parse(&pe, parts[i].buf.data, parts[i].buf.len) < 0) {
			igos_warn("'%s': %s", parts[i].src, igos_errmsg());
			goto out;
		}
		if (pe.cert_size == 0) {
			igos_warn("'%s' is not signed (Secure Boot would refuse it)", parts[i].src);
			goto out;
		}
	}
	/* 1. every new file under a staging name, each written atomically */
	for (i = 0; i < n; i++) {
		struct igos_out o;
		const char *slash = strrchr(parts[i].dst, '/');

		if (mkdirs(esp, parts[i].dst) < 0) {
			igos_warn("%s", igos_errmsg());
			goto out;
		}
		if (asprintf(&parts[i].final, "%s/%s", esp, parts[i].dst) < 0 ||
		    asprintf(&parts[i].stage, "%s/%.*s/.%s.igos-new", esp,
		    (int)(slash - parts[i].dst), parts[i].dst, slash + 1) < 0) {
			igos_warn("out of memory");
			goto out;
		}
		if (igos_out_open(&o, parts[i].stage, 0644, IGOS_OUT_NOFOLLOW) < 0 ||
		    igos_out_write(&o, parts[i].buf.data, parts[i].buf.len) < 0 ||
		    igos_out_commit(&o) < 0) {
			igos_warn("%s", igos_errmsg());
			igos_out_abort(&o);
			goto out;
		}
	}
	/* 2. the new files into place, GRUB first, shim last: each exchanged
	 * with the file it replaces (RENAME_EXCHANGE), whose bytes stay under the
	 * staging name, so a failure puts the whole old set back */
	for (i = 0; i < n; i++) {
		if (renameat2(AT_FDCWD, parts[i].stage, AT_FDCWD, parts[i].final,
		    RENAME_EXCHANGE) == 0) {
			parts[i].swapped = 1;
			continue;
		}
		if ((errno == ENOENT || errno == EINVAL || errno == ENOSYS) &&
		    rename(parts[i].stage, parts[i].final) == 0) {
			/* nothing was there, or the filesystem cannot exchange */
			free(parts[i].stage);
			parts[i].stage = NULL;
			continue;
		}
		igos_warn("cannot rename '%s' to '%s': %s", parts[i].stage, parts[i].final, strerror(errno));
		while (i-- > 0)
			if (parts[i].swapped)
				renameat2(AT_FDCWD, parts[i].stage, AT_FDCWD, parts[i].final,
				    RENAME_EXCHANGE);
		goto out;
	}
	/* 3. the directories on disk */
	for (i = 0; i < n; i++) {
		char *d = strdup(parts[i].final), *s;
		int fd;

		if (!d || !(s = strrchr(d, '/'))) {
			free(d);
			continue;
		}
		*s = '\0';
		if ((fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			if (fsync(fd) < 0 && errno != EINVAL) {
				igos_warn("cannot sync the directory '%s': %s", d, strerror(errno));
				close(fd);
				free(d);
				goto out;
			}
			close(fd);
		}
		free(d);
	}
	rc = 0;
	if (label) {
		char loader[300];

		if (vendor)
			snprintf(loader, sizeof(loader), "\\EFI\\%s\\shimx64.efi", vendor);
		else
			snprintf(loader, sizeof(loader), "\\EFI\\BOOT\\BOOTX64.EFI");
		if (boot_entry(efivars, esp, label, loader) < 0) {
			igos_warn("the files are in place; the boot entry: %s", igos_errmsg());
			rc = 1;
		}
	}
out:
	for (i = 0; i < n; i++) {
		if (parts[i].stage)
			unlink(parts[i].stage);
		free(parts[i].stage);
		free(parts[i].final);
		igos_buf_free(&parts[i].buf);
	}
	return rc;
}

/* ---- main ---------------------------------------------------------------- */

static int
run(int argc, char **argv)
{
	enum { O_SBAT = 256, O_SHIM, O_MODULES, O_HASH, O_NOSHELL, O_LINUX, O_TIMEOUT, O_DIR,
	       O_ESP, O_MM, O_GRUB, O_VENDOR, O_ENTRY, O_EFIVARS };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "output", required_argument, NULL, 'o' },
		{ "sbat", required_argument, NULL, O_SBAT },
		{ "shim", required_argument, NULL, O_SHIM },
		{ "modules", required_argument, NULL, O_MODULES },
		{ "password-hash", required_argument, NULL, O_HASH },
		{ "no-shell", no_argument, NULL, O_NOSHELL },
		{ "allow-linux", no_argument, NULL, O_LINUX },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "directory", required_argument, NULL, O_DIR },
		{ "esp", required_argument, NULL, O_ESP },
		{ "mokmanager", required_argument, NULL, O_MM },
		{ "grub", required_argument, NULL, O_GRUB },
		{ "vendor-dir", required_argument, NULL, O_VENDOR },
		{ "boot-entry", required_argument, NULL, O_ENTRY },
		{ "efivars", required_argument, NULL, O_EFIVARS },
		{ NULL, 0, NULL, 0 },
	};
	struct build b = { 0 };
	const char *verb, *timeout = NULL, *esp = NULL, *mm = NULL, *grub = NULL,
	    *vendor = NULL, *label = NULL, *efivars = NULL;
	int c, build, rc;

	verb = argv[0];
	build = strcmp(verb, "build") == 0;
	while ((c = igos_getopt(argc, argv, "hVvo:", opts)) != -1) {
		int for_build = c == 'o' || (c >= O_SBAT && c <= O_DIR && c != O_SHIM);
		int for_install = c >= O_ESP && c <= O_EFIVARS;

		if ((build && for_install) || (!build && for_build))
			igos_usage_err("option '%s' is not for %s", igos_optname(), verb);
		switch (c) {
		case 'o': igos_opt_once(&b.out, optarg); break;
		case O_SBAT: igos_opt_once(&b.sbat_path, optarg); break;
		case O_SHIM: igos_opt_once(&b.shim, optarg); break;
		case O_MODULES: add_modules(&b, optarg); break;
		case O_HASH: igos_opt_once(&b.hash_path, optarg); break;
		case O_NOSHELL: b.no_shell = 1; break;
		case O_LINUX: b.allow_linux = 1; break;
		case O_TIMEOUT: igos_opt_once(&timeout, optarg); break;
		case O_DIR: igos_opt_once(&b.dir, optarg); break;
		case O_ESP: igos_opt_once(&esp, optarg); break;
		case O_MM: igos_opt_once(&mm, optarg); break;
		case O_GRUB: igos_opt_once(&grub, optarg); break;
		case O_VENDOR: igos_opt_once(&vendor, optarg); break;
		case O_ENTRY: igos_opt_once(&label, optarg); break;
		case O_EFIVARS: igos_opt_once(&efivars, optarg); break;
		default:
			igos_usage_err("unknown option '%s'", igos_optname());
		}
	}
	if (optind != argc)
		igos_usage_err("unexpected operand '%s'", argv[optind]);
	if (build) {
		uint64_t t = 3;

		if (!b.out)
			igos_usage_err("build needs -o FILE (or -o - for standard output)");
		if (b.hash_path && b.no_shell)
			igos_usage_err("--password-hash and --no-shell exclude each other");
		if (timeout && (igos_parse_u64(timeout, &t) < 0 || t > 3600))
			igos_usage_err("bad --timeout '%s' (0 to 3600 seconds)", timeout);
		b.timeout = (unsigned)t;
		if (!b.dir)
			b.dir = GRUB_DIR_DEFAULT;
		rc = do_build(&b);
		for (size_t i = 0; i < b.nmodbuf; i++)
			free(b.modbuf[i]);
		return rc;
	}
	if (!esp || !b.shim)
		igos_usage_err("install needs --esp DIR and --shim FILE");
	if (vendor && (!*vendor || strchr(vendor, '/') || strcmp(vendor, ".") == 0 ||
	    strcmp(vendor, "..") == 0 || strlen(vendor) > 64 || strcmp(vendor, "BOOT") == 0))
		igos_usage_err("bad --vendor-dir '%s' (one directory name under EFI/)", vendor);
	if (efivars && !label)
		igos_usage_err("--efivars goes with --boot-entry LABEL");
	if (label && !efivars)
		efivars = "/sys/firmware/efi/efivars";
	return do_install(esp, b.shim, mm, grub, vendor, label, efivars);
}

int
main(int argc, char **argv)
{
	static const struct igos_verb verbs[] = {
		{ "build", run }, { "install", run }, { NULL, NULL },
	};

	igos_cli_init(PROG, usage, NULL);
	return igos_cli_verbs(argc, argv, verbs);
}
