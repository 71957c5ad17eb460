// SPDX-License-Identifier: MIT
/*
 * A process dumped inside a futex wait with a timeout: after restore the
 * wait goes on and ends in ETIMEDOUT (not EINTR, not a spurious 0), no
 * sooner than the timeout.
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
	double t0, waited;
	long ret;

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
	prog_wait();

	CHECK(ret == -ETIMEDOUT, "futex wait returned %ld, expected -ETIMEDOUT", ret);
	CHECK(waited >= TIMEOUT_NS / 1e9, "waited %.3f s of %.3f", waited, TIMEOUT_NS / 1e9);
	CHECK(word == 0x1234, "futex word changed");
	prog_done();
}
