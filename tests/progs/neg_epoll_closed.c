// SPDX-License-Identifier: MIT
/*
 * Failure path: an epoll watches an eventfd added as fd N, and fd N has
 * been closed after a dup: the kernel keeps the entry (the file lives on
 * at the dup), but no EPOLL_CTL_ADD on the restored fds can make it again.
 * The dump must fail with one line naming the epoll and fd N, and leave
 * the process as it was: the entry still reports the eventfd.
 */
// sudcr-test: dump-fails
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "progs/prog.h"

int main(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0xabcdef };
	int ep, efd, moved;
	uint64_t one = 1;

	ep = epoll_create1(0);
	efd = eventfd(0, EFD_NONBLOCK);
	SETUP(ep >= 0 && efd >= 0 && !epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), "epoll");
	moved = fcntl(efd, F_DUPFD, 30);
	SETUP(moved >= 30 && !close(efd), "move the eventfd");

	prog_ready();
	prog_wait();

	CHECK(epoll_wait(ep, &ev, 1, 0) == 0, "epoll ready before the write");
	CHECK(write(moved, &one, 8) == 8, "write");
	CHECK(epoll_wait(ep, &ev, 1, 0) == 1 && ev.data.u64 == 0xabcdef && ev.events == EPOLLIN,
	      "the epoll no longer reports the eventfd");
	prog_done();
}
