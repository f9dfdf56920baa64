/* Whole-input reading: every input read once into private memory. */
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "igos.h"
#include "unit.h"

int
main(void)
{
	struct igos_buf b;
	char tmpl[] = "/tmp/igos-unit-file.XXXXXX";
	int fd = mkstemp(tmpl);
	char *s;
	size_t n;

	OK(fd >= 0 && write(fd, "hello\n", 6) == 6, "a temp file");
	close(fd);
	OK(igos_buf_read(&b, tmpl, 0) == 0 && b.len == 6 && !b.mapped &&
	   memcmp(b.data, "hello\n", 6) == 0, "a regular file is read whole, not mapped");
	/* what was read is what the caller verifies and uses: a writer or a
	 * truncation afterwards changes nothing in it (a mapping, MAP_PRIVATE
	 * included, would show the new bytes, or fault past the new end) */
	fd = open(tmpl, O_WRONLY);
	OK(fd >= 0 && pwrite(fd, "HELLO\n", 6, 0) == 6, "the file is rewritten after the read");
	OK(memcmp(b.data, "hello\n", 6) == 0, "the buffer keeps the bytes that were read");
	OK(ftruncate(fd, 0) == 0 && b.data[5] == '\n', "and stays readable after a truncation");
	OK(pwrite(fd, "hello\n", 6, 0) == 6, "the file is restored");
	close(fd);
	igos_buf_free(&b);
	OK(igos_buf_read(&b, tmpl, 5) < 0 &&
	   strstr(igos_errmsg(), "larger than 5 bytes") != NULL, "the size limit holds");
	OK(igos_buf_read(&b, "/proc/self/stat", 0) == 0 && b.len > 10 && !b.mapped,
	   "a proc file (size 0 in stat) is read, not taken as empty");
	igos_buf_free(&b);
	s = igos_read_small("/sys/kernel/uevent_seqnum", 64, &n);
	OK(s != NULL && n > 0 && n < 64, "a sysfs file (size 4096 in stat) is read to its end");
	free(s);
	OK(igos_buf_read(&b, "/", 0) < 0 && strcmp(igos_errmsg(), "cannot read '/': Is a directory") == 0,
	   "a directory is refused with its name");
	OK(igos_buf_read(&b, "/nonexistent/x", 0) < 0 &&
	   strcmp(igos_errmsg(), "cannot open '/nonexistent/x': No such file or directory") == 0,
	   "a missing file is named");
	/* the exact reader (a signed size): the size is told, never a byte past it */
	{
		struct stat st;
		int cmp = 9;

		OK(igos_buf_read_exact(&b, tmpl, 6, &cmp) == 0 && cmp == 0 && b.len == 6 &&
		   memcmp(b.data, "hello\n", 6) == 0, "exact: a file of the size is read");
		igos_buf_free(&b);
		OK(igos_buf_read_exact(&b, tmpl, 7, &cmp) == 0 && cmp == -1 && b.data == NULL,
		   "exact: a shorter file is told");
		OK(igos_buf_read_exact(&b, tmpl, 5, &cmp) == 0 && cmp == 1 && b.data == NULL,
		   "exact: a longer file is told");
		OK(igos_buf_read_exact(&b, "/", 1, &cmp) < 0 &&
		   strcmp(igos_errmsg(), "cannot read '/': Is a directory") == 0,
		   "exact: a directory is refused");
		fd = open("/proc/self/stat", O_RDONLY);
		OK(fd >= 0 && fstat(fd, &st) == 0 && !igos_fd_regular(fd, &st),
		   "a proc file is not taken as a regular file of its stated size");
		close(fd);
		fd = open(tmpl, O_RDONLY);
		OK(fd >= 0 && fstat(fd, &st) == 0 && igos_fd_regular(fd, &st), "a file is");
		close(fd);
	}
	unlink(tmpl);
	return DONE();
}
