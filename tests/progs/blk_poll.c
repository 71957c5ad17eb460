// SPDX-License-Identifier: MIT
/*
 * A process dumped inside poll(2) on stdin and an idle pipe, 20 s timeout:
 * after restore the poll goes on and reports stdin readable when the
 * runner writes, with the pipe not ready.
 */
// sudcr-test: wait-syscall 7
// sudcr-test: wait-syscall32 168
#include <poll.h>

#include "progs/prog.h"

int main(void)
{
	struct pollfd pfd[2];
	int p[2];
	long ret;

	SETUP(!pipe(p), "pipe");
	pfd[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = 0, .events = POLLIN };
	prog_ready();
	do
		ret = prog_sys3(__NR_poll, (long)pfd, 2, 20000);
	while (ret == -EINTR);
	/* 1, not 0: stdin woke it, the 20 s timeout did not. */
	CHECK(ret == 1, "poll returned %ld", ret);
	CHECK(pfd[1].revents == POLLIN, "stdin revents 0x%x", pfd[1].revents);
	CHECK(pfd[0].revents == 0, "idle pipe revents 0x%x", pfd[0].revents);
	prog_wait();
	prog_done();
}
