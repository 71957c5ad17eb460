// SPDX-License-Identifier: MIT
/*
 * Failure path: an epoll watches an eventfd added as fd N; the eventfd
 * was dup'ed away and fd N is now a pipe.  The entry is still the
 * eventfd's, which fd N no longer is: the dump must fail with one line
 * naming the epoll and fd N, and leave the process as it was (the entry
 * reports the eventfd, not the pipe).
 */
// sudcr-test: dump-fails
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "progs/prog.h"

int main(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1234 };
	int ep, efd, moved, p[2];
	uint64_t one = 1;

	ep = epoll_create1(0);
	efd = eventfd(0, EFD_NONBLOCK);
	SETUP(ep >= 0 && efd >= 0 && !epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), "epoll");
	moved = fcntl(efd, F_DUPFD, 30);
	SETUP(moved >= 30 && !close(efd), "move the eventfd");
	SETUP(!pipe(p) && p[0] == efd, "a pipe at fd %d", efd);

	prog_ready();
	prog_wait();

	CHECK(write(p[1], "x", 1) == 1 && epoll_wait(ep, &ev, 1, 0) == 0, "the pipe is reported");
	CHECK(write(moved, &one, 8) == 8, "write");
	CHECK(epoll_wait(ep, &ev, 1, 0) == 1 && ev.data.u64 == 0x1234, "the eventfd is not reported");
	prog_done();
}
