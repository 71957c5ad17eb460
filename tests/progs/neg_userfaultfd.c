// SPDX-License-Identifier: MIT
/*
 * Failure path: a userfaultfd is refused with one line naming the fd; the
 * process goes on and its userfaultfd still answers UFFDIO_API.
 */
// sudcr-test: dump-fails fd 3: anon_inode:[userfaultfd] (userfaultfd): not supported
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "progs/prog.h"

int main(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		prog_skip("userfaultfd: %s (not allowed here)", strerror(errno));
	SETUP(fd == 3, "userfaultfd gave %d: %s", fd, strerror(errno));

	prog_ready();
	prog_wait();

	CHECK(!ioctl(fd, UFFDIO_API, &api) && api.api == UFFD_API, "UFFDIO_API: %s", strerror(errno));
	prog_done();
}
