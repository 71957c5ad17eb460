// SPDX-License-Identifier: MIT
/*
 * A root directory that was removed: the process chroots into a directory
 * (mode 0751, owner 1234:1235, an old mtime), enters its "/", and the
 * directory is removed from outside (through an fd on its parent, closed
 * afterwards).  After restore its root and its cwd are one removed
 * directory again (nlink 0) with that mode, owner and mtime: ".." of "/"
 * is "/" itself, nothing can be made in it, and the outside is not
 * reachable.
 */
#include <sys/stat.h>

#include "progs/prog.h"

int main(void)
{
	const struct timespec old[2] = { { 0, UTIME_OMIT }, { 1100000000, 5000 } };
	char d[4096], cwd[64];
	struct stat root, dot, up;
	int parent;

	snprintf(d, sizeof(d), "%s", prog_path("misc_root_deleted.dir"));
	rmdir(d);
	parent = open(prog_path(""), O_PATH | O_DIRECTORY);
	SETUP(parent >= 0, "open the scratch directory");
	SETUP(!mkdir(d, 0700) && !chmod(d, 0751) && !chown(d, 1234, 1235) && !utimensat(AT_FDCWD, d, old, 0),
	      "mkdir %s", d);
	SETUP(!chroot(d) && !chdir("/"), "chroot %s", d);
	SETUP(!unlinkat(parent, "misc_root_deleted.dir", AT_REMOVEDIR) && !close(parent), "remove the root");
	SETUP(!stat("/", &root) && root.st_nlink == 0, "the root is not removed");

	prog_ready();
	prog_wait();

	if (CHECK(!stat("/", &root) && !stat(".", &dot) && !stat("..", &up), "stat: %s", strerror(errno))) {
		CHECK(S_ISDIR(root.st_mode) && root.st_nlink == 0, "the root: mode %o, nlink %ld", root.st_mode,
		      (long)root.st_nlink);
		CHECK(root.st_dev == dot.st_dev && root.st_ino == dot.st_ino, "the cwd is not the root");
		CHECK(root.st_dev == up.st_dev && root.st_ino == up.st_ino, "\"..\" of the root leads out");
		CHECK_EQ(root.st_mode & 07777, 0751);
		CHECK(root.st_uid == 1234 && root.st_gid == 1235, "owner %u:%u", root.st_uid, root.st_gid);
		CHECK(root.st_mtim.tv_sec == 1100000000 && root.st_mtim.tv_nsec == 5000, "mtime %ld.%09ld",
		      (long)root.st_mtim.tv_sec, root.st_mtim.tv_nsec);
	}
	CHECK(mkdir("/new", 0700) && errno == ENOENT, "an entry made in a removed root (errno %d)", errno);
	CHECK(stat("/proc/self", &dot) && stat("/tmp", &dot), "the outside is reachable");
	CHECK(!getcwd(cwd, sizeof(cwd)) && errno == ENOENT, "getcwd gave '%s'", cwd);
	prog_done();
}
