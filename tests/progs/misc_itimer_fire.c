// SPDX-License-Identifier: MIT
/*
 * Interval timers that expire after restore: ITIMER_REAL due 1 s after
 * setup, with a 300 ms period, and ITIMER_VIRTUAL due after 100 ms of CPU
 * time; both fire their handlers, at the right time.
 */
#include <signal.h>
#include <sys/time.h>

#include "progs/prog.h"

static volatile int alarms, vtalarms;
static volatile double first_alarm;

static void on_alarm(int sig)
{
	(void)sig;
	if (!alarms++)
		first_alarm = prog_now();
}

static void on_vtalarm(int sig)
{
	(void)sig;
	vtalarms++;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct sigaction sv = { .sa_handler = on_vtalarm, .sa_flags = SA_RESTART };
	struct itimerval real = { { 0, 300000 }, { 1, 0 } }, virt = { { 0, 0 }, { 0, 100000 } };
	double t0, until;

	SETUP(!sigaction(SIGALRM, &sa, NULL) && !sigaction(SIGVTALRM, &sv, NULL), "sigaction");
	t0 = prog_now();
	SETUP(!setitimer(ITIMER_REAL, &real, NULL) && !setitimer(ITIMER_VIRTUAL, &virt, NULL), "setitimer");

	prog_ready();
	prog_wait();

	/* Wait (up to 5 s) for two alarms; burn CPU time for the virtual timer. */
	until = prog_now() + 5;
	while ((alarms < 2 || !vtalarms) && prog_now() < until)
		for (volatile int i = 0; i < 100000; i++)
			;
	CHECK(alarms >= 2, "ITIMER_REAL fired %d times in 5 s", alarms);
	CHECK(!alarms || first_alarm - t0 >= 1 - 0.001, "ITIMER_REAL fired after %.3f s, due after 1",
	      first_alarm - t0);
	CHECK(vtalarms == 1, "ITIMER_VIRTUAL fired %d times", vtalarms);
	prog_done();
}
