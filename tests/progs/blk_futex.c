// SPDX-License-Identifier: MIT
/*
 * A process dumped inside a futex wait with a timeout: after restore the
 * wait goes on and ends in ETIMEDOUT (not EINTR, not a spurious 0), no
 * sooner than the timeout.  Restored, it is the call issued again with its
 * original arguments (DESIGN.md, "Restart block"): the relative timeout
 * starts over, so it ends at least the timeout after the restored process
 * was created.
 */
// sudcr-test: wait-syscall 202
#include <linux/futex.h>
#include <time.h>

#include "progs/prog.h"

#define TIMEOUT_NS 700000000L

static unsigned int word = 0x1234;

int main(void)
{
	struct timespec ts = { 0, TIMEOUT_NS };
	double t0, waited, end, created_before, created;
	long ret;

	created_before = prog_start_time();
	SETUP(created_before >= 0, "cannot read the start time in /proc/self/stat");
	prog_ready();
	t0 = prog_now();
	{
		register long r10 asm("r10") = (long)&ts;

		asm volatile("syscall"
			     : "=a"(ret)
			     : "a"(__NR_futex), "D"(&word), "S"(FUTEX_WAIT_PRIVATE), "d"(0x1234L), "r"(r10)
			     : "rcx", "r11", "memory");
	}
	waited = prog_now() - t0;
	end = prog_boottime();
	prog_wait();

	created = prog_start_time();
	/* Only if the dump cut the wait: it may have ended before the freeze. */
	if (created != created_before && end > created + 1.0 / sysconf(_SC_CLK_TCK))
		CHECK(end >= created + TIMEOUT_NS / 1e9,
		      "restored: the wait ended %.3f s after the new process was created, so it did not start over (%.3f s)",
		      end - created, TIMEOUT_NS / 1e9);
	CHECK(ret == -ETIMEDOUT, "futex wait returned %ld, expected -ETIMEDOUT", ret);
	CHECK(waited >= TIMEOUT_NS / 1e9, "waited %.3f s of %.3f", waited, TIMEOUT_NS / 1e9);
	CHECK(word == 0x1234, "futex word changed");
	prog_done();
}
