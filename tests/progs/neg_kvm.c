// SPDX-License-Identifier: MIT
/*
 * Failure path: an open of /dev/kvm is refused with one line naming the
 * fd; the process goes on and it still answers KVM_GET_API_VERSION.
 */
// sudcr-test: dump-fails fd 3: /dev/kvm (KVM): not supported
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "progs/prog.h"

int main(void)
{
	int fd = open("/dev/kvm", O_RDWR);

	if (fd < 0)
		prog_skip("/dev/kvm: %s", strerror(errno));
	SETUP(fd == 3, "/dev/kvm at fd %d", fd);

	prog_ready();
	prog_wait();

	CHECK(ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION, "KVM_GET_API_VERSION: %s", strerror(errno));
	prog_done();
}
