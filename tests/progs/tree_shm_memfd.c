// SPDX-License-Identifier: MIT
/*
 * A memfd mapped shared in a parent (which keeps its fd), its child and
 * its grandchild (which closed theirs); the child also maps the object's
 * page 1 once more on its own, through its fd, before closing it.  After
 * the restore it is one memfd again, every page there, each write seen by
 * all (tests/progs/tree_shm_util.h).
 */
#include "progs/tree_shm_util.h"

static int mfd;

static volatile char *child_view(void)
{
	volatile char *v = mmap(NULL, SHM_PAGE, PROT_READ, MAP_SHARED, mfd, SHM_PAGE);

	close(mfd);
	return v == MAP_FAILED ? NULL : v;
}

int main(void)
{
	volatile char *m;

	mfd = memfd_create("tree-shm", 0);
	SETUP(mfd >= 0 && !ftruncate(mfd, 8 * SHM_PAGE), "memfd");
	m = mmap(NULL, 6 * SHM_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	SETUP(m != MAP_FAILED, "mmap");
	tree_shm_run(m, child_view);
	prog_done();
}
