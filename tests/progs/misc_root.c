// SPDX-License-Identifier: MIT
/*
 * The root directory: the program chroots into a directory of the scratch
 * area (and chdirs to its /sub).  After restore its root and cwd are the
 * same: "/" holds the marker file, the outside is not reachable, and
 * relative and absolute paths resolve as before.
 */
#include <sys/stat.h>

#include "progs/prog.h"

int main(void)
{
	char root[4096], path[4200], cwd[256] = "", buf[64] = "";
	struct stat st;
	int fd;

	snprintf(root, sizeof(root), "%s", prog_path("misc_root.d"));
	mkdir(root, 0700);
	snprintf(path, sizeof(path), "%s/sub", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/root-marker", root);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	SETUP(fd >= 0 && write(fd, "inside", 6) == 6, "create %s", path);
	close(fd);
	SETUP(!chroot(root) && !chdir("/sub"), "chroot %s", root);
	SETUP(!stat("/root-marker", &st), "marker");

	prog_ready();
	prog_wait();

	CHECK(prog_read_file("/root-marker", buf, sizeof(buf)) == 6 && !strcmp(buf, "inside"),
	      "/root-marker reads '%s': root is not the chroot", buf);
	CHECK(prog_read_file("../root-marker", buf, sizeof(buf)) == 6, "../root-marker from the cwd");
	CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/sub"), "cwd is '%s', expected /sub", cwd);
	CHECK(stat(root, &st) && stat("/proc/self", &st), "%s is reachable: not chrooted", root);
	prog_done();
}
