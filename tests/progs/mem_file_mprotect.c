// SPDX-License-Identifier: MIT
/*
 * A shared mapping of a file opened read-write, mapped read-only (VmFlags
 * mw: it may be made writable) next to a read-only one of a file opened
 * read-only, and a writable one of the first file.  After restore the
 * read-only mapping can still be mprotect()ed writable and writes through
 * to the file; the other stays one that cannot.
 */
#include <sys/mman.h>

#include "progs/prog.h"

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	const char *path = prog_path("shared"), *ro_path = prog_path("readonly");
	unsigned char *ro, *rw, *fixed, buf[8];
	int fd, rofd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	rofd = open(ro_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	SETUP(fd >= 0 && rofd >= 0 && !ftruncate(fd, 4 * page) && !ftruncate(rofd, page), "create files");
	close(rofd);
	rofd = open(ro_path, O_RDONLY);
	SETUP(rofd >= 0, "open read-only");
	rw = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ro = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, 2 * page);
	fixed = mmap(NULL, page, PROT_READ, MAP_SHARED, rofd, 0);
	SETUP(rw != MAP_FAILED && ro != MAP_FAILED && fixed != MAP_FAILED, "mmap");
	close(fd);
	close(rofd);
	memcpy(rw, "first", 5);

	prog_ready();
	prog_wait();

	CHECK(!mprotect(ro, 2 * page, PROT_READ | PROT_WRITE),
	      "the read-only shared mapping cannot be made writable: %s", strerror(errno));
	memcpy(ro + page, "through", 7);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, buf, 7, 3 * page) == 7 && !memcmp(buf, "through", 7),
	      "a write through the mprotect()ed mapping is not in the file");
	CHECK(pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "first", 5), "contents");
	close(fd);
	CHECK(mprotect(fixed, page, PROT_READ | PROT_WRITE) < 0 && errno == EACCES,
	      "a mapping of a read-only file became writable");
	prog_done();
}
