// SPDX-License-Identifier: MIT
/*
 * A shared file mapping, written through before the dump: after restore it
 * is mapped from the file again (a write through the mapping reaches the
 * file, a write to the file shows in the mapping) and holds what was
 * written.
 */
#include <sys/mman.h>

#include "progs/prog.h"

#define PAGES 8

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE), len = PAGES * page;
	const char *path = prog_path("mem_file_shared.dat");
	unsigned char *m, *want, *now;
	char line[512];
	int fd;

	want = malloc(len);
	now = malloc(len);
	prog_fill(want, len, 51);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	SETUP(fd >= 0 && write(fd, want, len) == (ssize_t)len, "create %s", path);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	SETUP(m != MAP_FAILED, "mmap");
	memset(m + 3 * page, 0x33, 64);
	memset(want + 3 * page, 0x33, 64);

	prog_ready();
	prog_wait();

	CHECK(!prog_maps_line(m, line, sizeof(line)) && strstr(line, path) && strstr(line, " rw-s "),
	      "mapping is '%s'", line);
	CHECK(!memcmp(m, want, len), "mapping differs");
	CHECK(pread(fd, now, len, 0) == (ssize_t)len && !memcmp(now, want, len), "file differs");
	m[6 * page + 1] = 0x66;
	CHECK(pread(fd, now, 2, 6 * page) == 2 && now[1] == 0x66, "a write through the mapping misses the file");
	CHECK(pwrite(fd, "file", 4, 7 * page) == 4 && !memcmp(m + 7 * page, "file", 4),
	      "a write to the file misses the mapping");
	prog_done();
}
