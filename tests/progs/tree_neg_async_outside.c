// SPDX-License-Identifier: MIT
/*
 * Failure path: a socket whose O_ASYNC signals go to a process outside
 * the tree (F_SETOWN to this process's parent, the runner's).  After a
 * restore its owner would be gone: the dump must fail with one line
 * naming it, and leave the process running, the owner still set.  No
 * I/O happens on the socket while the owner is set (the signal would go
 * to the runner): the owner is cleared before the pair is closed.
 */
// sudcr-test: dump-fails which is not dumped with it
#include <signal.h>
#include <sys/socket.h>

#include "progs/tree_util.h"

int main(void)
{
	int sv[2], fl;
	pid_t pp = getppid();

	SETUP(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	fl = fcntl(sv[0], F_GETFL);
	SETUP(fl >= 0 && !fcntl(sv[0], F_SETOWN, pp) && !fcntl(sv[0], F_SETFL, fl | O_ASYNC), "O_ASYNC");

	prog_ready();
	prog_wait();

	CHECK(fcntl(sv[0], F_GETOWN) == pp && (fcntl(sv[0], F_GETFL) & O_ASYNC), "owner %d, want %d",
	      fcntl(sv[0], F_GETOWN), pp);
	fcntl(sv[0], F_SETOWN, 0);
	close(sv[0]);
	close(sv[1]);
	prog_done();
}
