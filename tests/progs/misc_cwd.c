// SPDX-License-Identifier: MIT
/*
 * The working directory, a directory of the scratch area with a space in
 * its name: the same after restore, and relative paths resolve there.
 */
#include <sys/stat.h>

#include "progs/prog.h"

int main(void)
{
	char dir[4096], cwd[4096] = "", buf[64] = "";
	int fd;

	snprintf(dir, sizeof(dir), "%s", prog_path("cwd dir"));
	mkdir(dir, 0700);
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/sub");
	mkdir(dir, 0700);
	SETUP(!chdir(dir), "chdir %s", dir);
	fd = open("marker", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	SETUP(fd >= 0 && write(fd, "here", 4) == 4, "marker");
	close(fd);
	SETUP(getcwd(dir, sizeof(dir)), "getcwd");

	prog_ready();
	prog_wait();

	CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, dir), "cwd is '%s', expected '%s'", cwd, dir);
	CHECK(prog_read_file("marker", buf, sizeof(buf)) == 4 && !strcmp(buf, "here"),
	      "relative path: marker reads '%s'", buf);
	prog_done();
}
