// SPDX-License-Identifier: MIT
/*
 * Failure path: a memfd sealed against writes (F_SEAL_WRITE), known only
 * through a read-only shared mapping of it (its fd is closed).  Made again
 * for the mapping alone, it could not be filled and then sealed while
 * mapped, so the dump must fail with one line and leave the process as it
 * was: content, seals (through /proc/self/map_files) and mapping intact.
 */
// sudcr-test: dump-fails
#include <sys/mman.h>

#include "progs/prog.h"

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char data[4096];
	char path[128];
	unsigned char *map;
	int fd;

	prog_fill(data, sizeof(data), 5);
	fd = memfd_create("prog-sealed-map", MFD_ALLOW_SEALING);
	SETUP(fd >= 0 && write(fd, data, sizeof(data)) == (ssize_t)sizeof(data), "memfd");
	SETUP(!fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), "F_ADD_SEALS");
	map = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	SETUP(map != MAP_FAILED, "mmap");
	close(fd);

	prog_ready();
	prog_wait();

	CHECK(!memcmp(map, data, sizeof(data)), "content");
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)map,
		 (unsigned long)map + page);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && fcntl(fd, F_GET_SEALS) == F_SEAL_WRITE, "seals");
	prog_done();
}
