// SPDX-License-Identifier: MIT
/*
 * A deleted file still open, through two separate opens (two open file
 * descriptions, different offsets): after restore both fds show the old
 * path with " (deleted)", the content and offsets are back, the file has
 * no links, and the two fds are still one file (a write through one is
 * read through the other).
 */
#include <sys/stat.h>

#include "progs/prog.h"

#define LEN (3 * 4096 + 321)

int main(void)
{
	const char *path = prog_path("fd_deleted.dat");
	unsigned char data[LEN], buf[LEN];
	char want[4200], link[4200] = "", proc[64];
	struct stat st;
	int a, b;

	prog_fill(data, LEN, 121);
	a = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	SETUP(a >= 0 && write(a, data, LEN) == LEN, "create %s", path);
	b = open(path, O_RDONLY);
	SETUP(b >= 0 && lseek(a, 100, SEEK_SET) == 100 && lseek(b, 4000, SEEK_SET) == 4000, "open");
	SETUP(!unlink(path), "unlink");
	snprintf(want, sizeof(want), "%s (deleted)", path);

	prog_ready();
	prog_wait();

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", a);
	CHECK(readlink(proc, link, sizeof(link) - 1) > 0 && !strcmp(link, want), "fd %d is '%s'", a, link);
	CHECK(!fstat(a, &st) && st.st_nlink == 0 && st.st_size == LEN, "links %ld size %lld", (long)st.st_nlink,
	      (long long)st.st_size);
	CHECK(lseek(a, 0, SEEK_CUR) == 100 && lseek(b, 0, SEEK_CUR) == 4000, "offsets %lld %lld",
	      (long long)lseek(a, 0, SEEK_CUR), (long long)lseek(b, 0, SEEK_CUR));
	CHECK(pread(a, buf, LEN, 0) == LEN && !memcmp(buf, data, LEN), "content differs");
	CHECK(fcntl(a, F_GETFL) & O_RDWR, "fd %d is no longer read-write", a);
	CHECK(pwrite(a, "deleted!", 8, 4000) == 8 && read(b, buf, 8) == 8 && !memcmp(buf, "deleted!", 8),
	      "the two fds are no longer one file");
	CHECK(access(path, F_OK), "%s exists again", path);
	prog_done();
}
