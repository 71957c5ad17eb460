// SPDX-License-Identifier: MIT
/*
 * A deleted file mapped shared in a parent, its child and its grandchild,
 * no fd of it left open: after the restore it is one (deleted) file again,
 * every page there, each write seen by all (tests/progs/tree_shm_util.h).
 */
#include "progs/tree_shm_util.h"

int main(void)
{
	const char *path = prog_path("tree-shm-deleted");
	volatile char *m;
	int fd;

	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	SETUP(fd >= 0 && !ftruncate(fd, 4 * SHM_PAGE), "create %s", path);
	m = mmap(NULL, 4 * SHM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	SETUP(m != MAP_FAILED && !unlink(path), "mmap");
	close(fd);
	tree_shm_run(m, NULL);
	prog_done();
}
