/* PINs and passwords: from a private file or a terminal prompt, wiped after use. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "igos.h"

void
igos_secret_free(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

static char *
secret_from_file(const char *path, size_t max)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	int fd;

	if ((fd = igos_open_stat(path, O_RDONLY | O_NOFOLLOW, &st)) < 0)
		return NULL;
	if (!S_ISREG(st.st_mode)) {
		igos_seterr("'%s' is not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_uid != geteuid()) {
		igos_seterr("'%s' is not owned by the user running this command", path);
		close(fd);
		return NULL;
	}
	if (st.st_mode & 077) {
		igos_seterr("'%s' is readable by others: it must be mode 0600 or stricter", path);
		close(fd);
		return NULL;
	}
	if ((buf = malloc(max + 2)) == NULL) {
		igos_seterr("out of memory");
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t n = igos_read(fd, buf + len, max + 1 - len, path);

		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			break;
	}
	close(fd);
	fd = -1;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > max) {
		igos_seterr("'%s' is too long (at most %zu characters)", path, max);
		goto fail;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL || memchr(buf, '\n', len) != NULL) {
		igos_seterr("'%s' holds more than one line", path);
		goto fail;
	}
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	OPENSSL_cleanse(buf, max + 2);
	free(buf);
	return NULL;
}

static char *
secret_from_tty(const char *prompt, size_t max)
{
	struct termios old, quiet;
	char *buf;
	size_t len = 0;
	int fd, restore = 0;
	char c;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0) {
		igos_seterr("cannot prompt for %s: no terminal", prompt);
		return NULL;
	}
	if ((buf = malloc(max + 1)) == NULL) {
		close(fd);
		igos_seterr("out of memory");
		return NULL;
	}
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	if (write(fd, prompt, strlen(prompt)) < 0 || write(fd, ": ", 2) < 0)
		goto fail_io;
	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail_io;
		if (n == 0 || c == '\n')
			break;
		if (len == max) {
			igos_seterr("%s too long (at most %zu characters)", prompt, max);
			goto fail;
		}
		buf[len++] = c;
	}
	buf[len] = '\0';
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0) {
		/* the prompt's line break is cosmetic */
	}
	close(fd);
	c = 0;
	return buf;
fail_io:
	igos_seterr_errno("cannot read %s from the terminal", prompt);
fail:
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	close(fd);
	OPENSSL_cleanse(buf, max + 1);
	free(buf);
	c = 0;
	return NULL;
}

char *
igos_secret_read(const char *path, const char *prompt, size_t max)
{
	if (path != NULL)
		return secret_from_file(path, max);
	return secret_from_tty(prompt, max);
}
