// SPDX-License-Identifier: MIT
/*
 * eventfds: counter 12345 non-blocking, counter 3 in semaphore mode, and a
 * huge counter: after restore each has its counter and flags (reads give
 * 12345; 1, 1, 1, then nothing; the huge value).
 */
#include <poll.h>
#include <sys/eventfd.h>

#include "progs/prog.h"

#define HUGE_COUNT 0x123456789abcdefULL

int main(void)
{
	int a, b, c, fl[3];
	uint64_t v;
	struct pollfd p;

	a = eventfd(12345, EFD_NONBLOCK | EFD_CLOEXEC);
	b = eventfd(3, EFD_SEMAPHORE);
	c = eventfd(0, 0);
	v = HUGE_COUNT;
	SETUP(a >= 0 && b >= 0 && c >= 0 && write(c, &v, 8) == 8, "eventfd");
	fl[0] = fcntl(a, F_GETFL);
	fl[1] = fcntl(b, F_GETFL);
	fl[2] = fcntl(c, F_GETFL);

	prog_ready();
	prog_wait();

	CHECK(fcntl(a, F_GETFL) == fl[0] && fcntl(b, F_GETFL) == fl[1] && fcntl(c, F_GETFL) == fl[2],
	      "flags 0%o 0%o 0%o, were 0%o 0%o 0%o", fcntl(a, F_GETFL), fcntl(b, F_GETFL), fcntl(c, F_GETFL), fl[0],
	      fl[1], fl[2]);
	CHECK(fcntl(a, F_GETFD) == FD_CLOEXEC && fcntl(b, F_GETFD) == 0, "fd flags");
	v = 0;
	CHECK(read(a, &v, 8) == 8 && v == 12345, "counter of a is %llu", (unsigned long long)v);
	CHECK(read(a, &v, 8) < 0 && errno == EAGAIN, "a: second read did not fail with EAGAIN");
	for (int i = 0; i < 3; i++) {
		v = 0;
		CHECK(read(b, &v, 8) == 8 && v == 1, "semaphore read %d gave %llu", i, (unsigned long long)v);
	}
	p = (struct pollfd){ .fd = b, .events = POLLIN };
	CHECK(poll(&p, 1, 0) == 0, "semaphore b still readable after three reads");
	v = 0;
	CHECK(read(c, &v, 8) == 8 && v == HUGE_COUNT, "counter of c is 0x%llx", (unsigned long long)v);
	prog_done();
}
