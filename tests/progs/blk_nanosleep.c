// SPDX-License-Identifier: MIT
/*
 * A process dumped inside nanosleep: after restore (or release) the sleep
 * goes on and returns 0, not EINTR, having slept at least the time asked.
 */
// sudcr-test: wait-syscall 35
// sudcr-test: wait-syscall32 162
#include <time.h>

#include "progs/prog.h"

#define SLEEP_NS 700000000L

int main(void)
{
	struct timespec req = { 0, SLEEP_NS }, rem = { 0, 0 };
	double t0, slept;
	long ret;

	prog_ready();
	t0 = prog_now();
	ret = prog_sys3(__NR_nanosleep, (long)&req, (long)&rem, 0);
	slept = prog_now() - t0;
	prog_wait();

	CHECK(ret == 0, "nanosleep returned %ld (rem %ld.%09ld)", ret, (long)rem.tv_sec, rem.tv_nsec);
	CHECK(slept >= SLEEP_NS / 1e9, "slept %.3f s of %.3f", slept, SLEEP_NS / 1e9);
	prog_done();
}
