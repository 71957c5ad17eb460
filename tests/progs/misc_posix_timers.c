// SPDX-License-Identifier: MIT
/*
 * POSIX timers (timer_create): on CLOCK_MONOTONIC, CLOCK_REALTIME and the
 * process CPU clock, notifying by signal (with a value) or not at all, one
 * disarmed, one due 800 ms after setup.  After restore the timer ids are
 * the same, each has the same interval and what was left (150 ms of CPU
 * time are used before the dump, so a timer restored to its initial value
 * shows), and the due one fires with its signal, value and id; a new
 * timer can be created.
 */
#include <signal.h>
#include <time.h>

#include "progs/prog.h"

#define NR 5

static volatile int fired;
static volatile int fired_value, fired_code;
static volatile timer_t fired_id;

static void on_timer(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fired++;
	fired_value = si->si_value.sival_int;
	fired_code = si->si_code;
	fired_id = (timer_t)(long)si->si_timerid;
}

static double ts(const struct timespec *t)
{
	return t->tv_sec + t->tv_nsec / 1e9;
}

int main(void)
{
	struct {
		clockid_t clock;
		int notify, signo, value;
		struct itimerspec spec;
	} t[NR] = {
		{ CLOCK_MONOTONIC, SIGEV_SIGNAL, 0, 4242, { { 7, 0 }, { 100, 0 } } },
		{ CLOCK_REALTIME, SIGEV_NONE, 0, 0, { { 0, 0 }, { 200, 500000000 } } },
		{ CLOCK_PROCESS_CPUTIME_ID, SIGEV_SIGNAL, 0, 4343, { { 3, 0 }, { 300, 0 } } },
		{ CLOCK_MONOTONIC, SIGEV_SIGNAL, 0, 4444, { { 0, 0 }, { 0, 0 } } },
		{ CLOCK_MONOTONIC, SIGEV_SIGNAL, 0, 4545, { { 0, 0 }, { 0, 800000000 } } },
	};
	struct sigaction sa = { .sa_sigaction = on_timer, .sa_flags = SA_SIGINFO | SA_RESTART };
	struct itimerspec before[NR], now;
	timer_t id[NR], extra;
	double t0, elapsed, until;

	t[0].signo = SIGRTMIN + 1;
	t[2].signo = SIGRTMIN + 2;
	t[3].signo = SIGRTMIN + 3;
	t[4].signo = SIGUSR2;
	SETUP(!sigaction(SIGUSR2, &sa, NULL) && !sigaction(SIGRTMIN + 1, &sa, NULL) &&
	      !sigaction(SIGRTMIN + 2, &sa, NULL) && !sigaction(SIGRTMIN + 3, &sa, NULL), "sigaction");
	t0 = prog_now();
	for (int i = 0; i < NR; i++) {
		struct sigevent ev = { .sigev_notify = t[i].notify, .sigev_signo = t[i].signo };

		ev.sigev_value.sival_int = t[i].value;
		SETUP(!timer_create(t[i].clock, &ev, &id[i]), "timer_create %d", i);
		SETUP(!timer_settime(id[i], 0, &t[i].spec, NULL), "timer_settime %d", i);
	}
	prog_burn_cpu(0.15);
	for (int i = 0; i < NR; i++)
		timer_gettime(id[i], &before[i]);

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR - 1; i++) {
		double left0 = ts(&before[i].it_value), left;

		if (!CHECK(!timer_gettime(id[i], &now), "timer %d (id %ld) is gone: %s", i, (long)id[i],
			   strerror(errno)))
			continue;
		/* After the reading: it bounds the time the timer may have lost. */
		elapsed = prog_now() - t0;
		left = ts(&now.it_value);
		CHECK(ts(&now.it_interval) == ts(&before[i].it_interval), "timer %d: interval %.9f, was %.9f", i,
		      ts(&now.it_interval), ts(&before[i].it_interval));
		if (!left0)
			CHECK(!left, "disarmed timer %d is armed: %.9f s left", i, left);
		else
			CHECK(left > 0 && left <= left0 + 0.001 && left >= left0 - elapsed - 0.001,
			      "timer %d: %.6f s left, had %.6f %.3f s ago", i, left, left0, elapsed);
	}
	until = prog_now() + 5;
	while (!fired && prog_now() < until)
		usleep(1000);
	CHECK(fired == 1, "the due timer fired %d times", fired);
	CHECK(fired_value == 4545 && fired_code == SI_TIMER && fired_id == id[4],
	      "due timer's signal: value %d code %d id %ld (expected 4545, %d, %ld)", fired_value, fired_code,
	      (long)fired_id, SI_TIMER, (long)id[4]);
	CHECK(prog_now() - t0 >= 0.8 - 0.001, "the due timer fired early");
	CHECK(!timer_create(CLOCK_MONOTONIC, NULL, &extra), "a new timer: %s", strerror(errno));
	for (int i = 0; i < NR; i++)
		CHECK(extra != id[i], "the new timer got the id of timer %d", i);
	prog_done();
}
