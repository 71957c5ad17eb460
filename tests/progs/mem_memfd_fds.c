// SPDX-License-Identifier: MIT
/*
 * A shared writable mapping of a memfd whose lowest fd is a read-only
 * open of it (through /proc/self/fd) and whose read-write fd, the one
 * memfd_create gave, is a higher one.  After restore the mapping is still
 * shared with the memfd both ways (mapping it through the read-only fd
 * would fail with EACCES).
 */
#include <sys/mman.h>

#include "progs/prog.h"

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	char proc[64], buf[8];
	unsigned char *map;
	int m, ro, rw;

	m = memfd_create("prog-fds", 0);
	SETUP(m >= 0 && !ftruncate(m, 2 * page), "memfd_create");
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", m);
	ro = open(proc, O_RDONLY);
	rw = fcntl(m, F_DUPFD, ro + 1);
	SETUP(ro >= 0 && rw > ro && !close(m), "fds");
	SETUP(dup2(ro, m) == m && !close(ro), "dup2");
	ro = m;		/* the lowest fd of the memfd: read-only */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	SETUP(map != MAP_FAILED, "mmap");
	memcpy(map + page, "before", 6);

	prog_ready();
	prog_wait();

	CHECK((fcntl(ro, F_GETFL) & O_ACCMODE) == O_RDONLY && (fcntl(rw, F_GETFL) & O_ACCMODE) == O_RDWR,
	      "access modes of the fds");
	CHECK(!memcmp(map + page, "before", 6), "contents");
	memcpy(map, "mapped", 6);
	CHECK(pread(ro, buf, 6, 0) == 6 && !memcmp(buf, "mapped", 6), "a write to the mapping is not in the memfd");
	CHECK(pwrite(rw, "fdside", 6, page) == 6 && !memcmp(map + page, "fdside", 6),
	      "a write to the memfd is not in the mapping");
	prog_done();
}
