// SPDX-License-Identifier: MIT
/*
 * Failure path: a perf event (the process's task clock) is refused with
 * one line naming the fd; the process goes on and its counter still counts.
 */
// sudcr-test: dump-fails fd 3: anon_inode:[perf_event] (perf event): not supported
#include <linux/perf_event.h>
#include <sys/syscall.h>

#include "progs/prog.h"

int main(void)
{
	struct perf_event_attr pe = { .type = PERF_TYPE_SOFTWARE, .size = sizeof(pe),
				      .config = PERF_COUNT_SW_TASK_CLOCK, .exclude_kernel = 1 };
	uint64_t c0 = 0, c1 = 0;
	int fd = (int)syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0);

	if (fd < 0 && (errno == ENOSYS || errno == EPERM || errno == EACCES || errno == ENOENT))
		prog_skip("perf_event_open: %s (not allowed here)", strerror(errno));
	SETUP(fd == 3, "perf_event_open gave %d: %s", fd, strerror(errno));
	SETUP(read(fd, &c0, 8) == 8, "read");

	prog_ready();
	prog_wait();

	prog_burn_cpu(0.01);
	CHECK(read(fd, &c1, 8) == 8 && c1 > c0, "task clock %llu, was %llu", (unsigned long long)c1,
	      (unsigned long long)c0);
	prog_done();
}
