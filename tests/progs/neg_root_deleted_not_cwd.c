// SPDX-License-Identifier: MIT
/*
 * Failure path: a root directory that was removed while the working
 * directory is another one (chroot without chdir).  Only a removed root
 * that is also the cwd is made again: the dump fails with one line naming
 * the root, and the process goes on, its root still the removed directory.
 */
// sudcr-test: dump-fails was removed, and is not its working directory: not supported
#include <sys/stat.h>

#include "progs/prog.h"

int main(void)
{
	char d[4096];
	struct stat root, dot;

	snprintf(d, sizeof(d), "%s", prog_path("neg_root.dir"));
	rmdir(d);
	SETUP(!mkdir(d, 0700), "mkdir %s", d);
	SETUP(!chdir(prog_path("")), "chdir");
	SETUP(!chroot(d), "chroot %s", d);
	/* The cwd is outside the root: the removal is by a relative path. */
	SETUP(!rmdir("neg_root.dir"), "remove the root");

	prog_ready();
	prog_wait();

	if (CHECK(!stat("/", &root) && !stat(".", &dot), "stat: %s", strerror(errno))) {
		CHECK(root.st_nlink == 0, "the root has nlink %ld", (long)root.st_nlink);
		CHECK(root.st_ino != dot.st_ino, "the cwd became the root");
	}
	prog_done();
}
