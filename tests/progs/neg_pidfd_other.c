// SPDX-License-Identifier: MIT
/*
 * Failure path: a pidfd of a live process outside the image (the parent)
 * cannot be dumped: the dump fails with one line naming the fd and the
 * PID, and the process goes on with its pidfd referring to its parent.
 */
// sudcr-test: dump-fails fd 3: pidfd of process
#include <sys/syscall.h>

#include "progs/prog.h"

int main(void)
{
	pid_t parent = getppid();
	int fd = (int)syscall(SYS_pidfd_open, parent, 0);

	SETUP(fd >= 0, "pidfd_open(%d): %s", parent, strerror(errno));

	prog_ready();
	prog_wait();

	CHECK(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) == 0, "signal 0 to the parent through the pidfd: %s",
	      strerror(errno));
	prog_done();
}
