// SPDX-License-Identifier: MIT
/*
 * Failure path: an io_uring instance is refused with one line naming the
 * fd; the process goes on and its ring still takes a call.
 */
// sudcr-test: dump-fails fd 3: anon_inode:[io_uring] (io_uring instance): not supported
#include <linux/io_uring.h>
#include <sys/syscall.h>

#include "progs/prog.h"

int main(void)
{
	struct io_uring_params p = { 0 };
	int fd = (int)syscall(SYS_io_uring_setup, 4, &p);

	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		prog_skip("io_uring_setup: %s (io_uring disabled here)", strerror(errno));
	SETUP(fd == 3, "io_uring_setup gave %d: %s", fd, strerror(errno));

	prog_ready();
	prog_wait();

	CHECK(syscall(SYS_io_uring_enter, fd, 0, 0, 0, NULL, 0) == 0, "io_uring_enter: %s", strerror(errno));
	prog_done();
}
