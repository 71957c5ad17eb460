// SPDX-License-Identifier: MIT
/*
 * Failure path: an O_PATH fd on a unix socket file that was removed (the
 * socket closed, the inode kept by the O_PATH fd alone).  Nothing can make
 * that node again (a socket file is made by bind(), which needs the
 * socket): the dump fails with one line naming the fd, and the process
 * goes on, its fd still naming the socket node.
 */
// sudcr-test: dump-fails O_PATH descriptor of a deleted file
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "progs/prog.h"

int main(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = prog_path("sock");
	struct stat st;
	int s, fd;

	SETUP(strlen(path) < sizeof(sa.sun_path), "path too long");
	strcpy(sa.sun_path, path);
	unlink(path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	SETUP(s >= 0 && !bind(s, (struct sockaddr *)&sa, sizeof(sa)), "bind");
	fd = open(path, O_PATH);
	SETUP(fd >= 0, "open O_PATH");
	SETUP(!unlink(path) && !close(s), "unlink, close");

	prog_ready();
	prog_wait();

	if (CHECK(!fstat(fd, &st), "fstat: %s", strerror(errno))) {
		CHECK(S_ISSOCK(st.st_mode), "mode %o", st.st_mode);
		CHECK_EQ(st.st_nlink, 0);
	}
	prog_done();
}
