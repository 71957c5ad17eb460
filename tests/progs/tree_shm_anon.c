// SPDX-License-Identifier: MIT
/*
 * Shared anonymous memory (MAP_SHARED | MAP_ANONYMOUS) mapped in a parent,
 * its child and its grandchild, each page written by one of them: after
 * the restore it is one object again, every page there, each write seen
 * by all (tests/progs/tree_shm_util.h).
 */
#include "progs/tree_shm_util.h"

int main(void)
{
	volatile char *m = mmap(NULL, 6 * SHM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	SETUP(m != MAP_FAILED, "mmap");
	tree_shm_run(m, NULL);
	prog_done();
}
