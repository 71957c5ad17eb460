// SPDX-License-Identifier: MIT
/*
 * Interval timers ITIMER_REAL, ITIMER_VIRTUAL and ITIMER_PROF, armed far
 * in the future with distinct intervals: after restore each has the same
 * interval and what was left of it, less the time (real or CPU) that
 * passed, never more (150 ms of CPU time are used before the dump, so a
 * timer restored to its initial value shows).  No time window: the clock
 * is read before the first reading and after the second, so the time
 * between them bounds what the timer may have lost, however late we run.
 */
#include <sys/time.h>

#include "progs/prog.h"

static double tv(const struct timeval *t)
{
	return t->tv_sec + t->tv_usec / 1e6;
}

int main(void)
{
	static const char *const names[] = { "ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF" };
	const struct itimerval set[3] = {
		{ { 50, 250000 }, { 100, 500000 } },
		{ { 20, 0 }, { 200, 0 } },
		{ { 30, 125000 }, { 300, 0 } },
	};
	struct itimerval before[3], now;
	double t0, elapsed;

	for (int w = 0; w < 3; w++)
		SETUP(!setitimer(w, &set[w], NULL), "setitimer(%s)", names[w]);
	prog_burn_cpu(0.15);
	t0 = prog_now();
	for (int w = 0; w < 3; w++)
		getitimer(w, &before[w]);

	prog_ready();
	prog_wait();

	for (int w = 0; w < 3; w++) {
		double left0 = tv(&before[w].it_value), left;
		/*
		 * Real time for REAL; CPU time (less than real) for the others;
		 * 1 ms for the rounding of the values to microseconds.
		 */
		double slack;

		CHECK(!getitimer(w, &now), "getitimer");
		elapsed = prog_now() - t0;
		slack = elapsed + 0.001;
		left = tv(&now.it_value);
		CHECK(now.it_interval.tv_sec == before[w].it_interval.tv_sec &&
			      now.it_interval.tv_usec == before[w].it_interval.tv_usec,
		      "%s interval is %.6f, was %.6f", names[w], tv(&now.it_interval), tv(&before[w].it_interval));
		CHECK(left > 0 && left <= left0 + 0.01 && left >= left0 - slack,
		      "%s has %.6f s left, had %.6f s %.3f s ago", names[w], left, left0, elapsed);
	}
	prog_done();
}
