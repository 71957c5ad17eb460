// SPDX-License-Identifier: MIT
/*
 * A regular file mapped shared in a parent, its child and its grandchild:
 * after the restore their writes reach each other (tests/progs/tree_shm_util.h)
 * and the file.
 */
#include "progs/tree_shm_util.h"

int main(void)
{
	const char *path = prog_path("tree-shm-file");
	volatile char *m;
	char got[3] = "";
	int fd;

	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	SETUP(fd >= 0 && !ftruncate(fd, 4 * SHM_PAGE), "create %s", path);
	m = mmap(NULL, 4 * SHM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	SETUP(m != MAP_FAILED, "mmap");
	close(fd);
	tree_shm_run(m, NULL);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0, "open %s", path);
	CHECK(pread(fd, &got[0], 1, 1 * SHM_PAGE + 512) == 1 && pread(fd, &got[1], 1, 2 * SHM_PAGE + 512) == 1 &&
	      pread(fd, &got[2], 1, 3 * SHM_PAGE + 512) == 1, "read %s", path);
	CHECK(got[0] == 'c' && got[1] == 'g' && got[2] == 'p', "the file holds the writes: %.3s", got);
	close(fd);
	prog_done();
}
