// SPDX-License-Identifier: MIT
/*
 * A process dumped inside nanosleep: after restore (or release) the sleep
 * goes on and returns 0, not EINTR, having slept at least the time asked.
 * Restored, it is the call issued again with its original arguments
 * (DESIGN.md, "Restart block"): the relative sleep starts over, so it ends
 * at least the time asked after the restored process was created.
 */
// sudcr-test: wait-syscall 35
// sudcr-test: wait-syscall32 162
#include <time.h>

#include "progs/prog.h"

#define SLEEP_NS 700000000L

int main(void)
{
	struct timespec req = { 0, SLEEP_NS }, rem = { 0, 0 };
	double t0, slept, end, created_before, created;
	long ret;

	created_before = prog_start_time();
	SETUP(created_before >= 0, "cannot read the start time in /proc/self/stat");
	prog_ready();
	t0 = prog_now();
	ret = prog_sys3(__NR_nanosleep, (long)&req, (long)&rem, 0);
	slept = prog_now() - t0;
	end = prog_boottime();
	prog_wait();

	created = prog_start_time();
	/* Only if the dump cut the sleep: it may have ended before the freeze. */
	if (created != created_before && end > created + 1.0 / sysconf(_SC_CLK_TCK))
		CHECK(end >= created + SLEEP_NS / 1e9,
		      "restored: the sleep ended %.3f s after the new process was created, so it did not start over (%.3f s)",
		      end - created, SLEEP_NS / 1e9);
	CHECK(ret == 0, "nanosleep returned %ld (rem %ld.%09ld)", ret, (long)rem.tv_sec, rem.tv_nsec);
	CHECK(slept >= SLEEP_NS / 1e9, "slept %.3f s of %.3f", slept, SLEEP_NS / 1e9);
	prog_done();
}
