// SPDX-License-Identifier: MIT
/* Helpers shared by the dump and restore modules. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

bool cr_cancelled(void)
{
	return sudcr_cancel_requested();
}

int cr_inject(struct cr_thread *th, long nr, int64_t *ret, uint64_t a0, uint64_t a1, uint64_t a2,
	      uint64_t a3, uint64_t a4, uint64_t a5)
{
	if (!th->inj_active) {
		sudcr_error("thread %d: no injection in progress", th->tid);
		return -EINVAL;
	}
	if (nr < 0) {
		sudcr_error("thread %d: a syscall %s tasks do not have", th->tid, arch_name(th->inj.kind));
		return -ENOSYS;
	}
	return inject_syscall6(&th->inj, nr, ret, a0, a1, a2, a3, a4, a5);
}

int cr_scratch(struct cr_thread *th, size_t len, uint64_t *addr)
{
	if (!th->inj_active)
		return -EINVAL;
	return inject_scratch(&th->inj, len, addr);
}

int cr_next_of_type(struct img_reader *img, uint32_t want, const void **data, size_t *len)
{
	uint32_t type;
	int ret;

	while ((ret = img_next_record(img, &type, data, len)) == 1)
		if (type == want)
			return 1;
	return ret;
}

bool cr_can_set_timerfd_ticks(void)
{
	uint64_t zero = 0;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	/* 0 is refused by the ioctl itself; without it the answer is ENOTTY. */
	ok = ioctl(fd, TFD_IOC_SET_TICKS, &zero) < 0 && errno == EINVAL;
	close(fd);
	return ok;
}
