// SPDX-License-Identifier: MIT
/*
 * Failure path: an inotify watch of a file that was unlinked (still open,
 * so the watch stays) has no path to be watched again: the dump fails with
 * one line naming the fd and the wd, and the process goes on, its watch
 * still giving the file's events.
 */
// sudcr-test: dump-fails fd 3: inotify watch wd 1 on
#include <poll.h>
#include <sys/inotify.h>

#include "progs/prog.h"

int main(void)
{
	char path[600], buf[256] __attribute__((aligned(8)));
	struct inotify_event *ev = (struct inotify_event *)buf;
	struct pollfd p;
	int in, fd;

	snprintf(path, sizeof(path), "%s", prog_path("inotify-deleted"));
	in = inotify_init();
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	SETUP(in == 3 && fd == 4, "fds %d %d", in, fd);
	SETUP(inotify_add_watch(in, path, IN_MODIFY) == 1 && !unlink(path), "watch");

	prog_ready();
	prog_wait();

	CHECK(write(fd, "x", 1) == 1, "write");
	p = (struct pollfd){ .fd = in, .events = POLLIN };
	CHECK(poll(&p, 1, 5000) == 1 && read(in, buf, sizeof(buf)) >= (ssize_t)sizeof(*ev) && ev->wd == 1 &&
	      ev->mask == IN_MODIFY, "no IN_MODIFY from the watch");
	prog_done();
}
