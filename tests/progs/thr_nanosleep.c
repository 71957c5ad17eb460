// SPDX-License-Identifier: MIT
/*
 * Threads asleep at the dump, one way each: nanosleep(2) (the raw
 * syscall), a relative clock_nanosleep on CLOCK_MONOTONIC, an absolute
 * one on CLOCK_MONOTONIC and an absolute one on CLOCK_REALTIME, all for
 * SLEEP seconds, far longer than a dump and restore take.
 *
 * After "go" each must still be asleep (in its syscall or the kernel's
 * restart_syscall), then return 0 (not EINTR), not before its time (a relative sleep at least SLEEP after it
 * began, an absolute one not before its deadline) and not much later
 * either (a restored relative sleep may start over, so at most SLEEP after
 * go, plus slack).
 */
#include "progs/thr.h"

#define SLEEP	0.5
#define SLACK	0.4

enum { S_NANOSLEEP, S_MONO_REL, S_MONO_ABS, S_REAL_ABS, NR_S };

struct sleeper {
	const char *name;
	long nr;			/* the syscall it sleeps in */
	volatile pid_t tid;
	double start, end;		/* CLOCK_MONOTONIC */
	double real_deadline, real_end;	/* CLOCK_REALTIME, S_REAL_ABS */
	struct timespec rem;		/* the kernel writes it when it stops the sleep */
	long ret;
	volatile int done;
	pthread_t t;
};

static struct sleeper s[NR_S] = {
	[S_NANOSLEEP] = { .name = "nanosleep", .nr = SYS_nanosleep },
	[S_MONO_REL] = { .name = "clock_nanosleep(CLOCK_MONOTONIC, relative)", .nr = SYS_clock_nanosleep },
	[S_MONO_ABS] = { .name = "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)", .nr = SYS_clock_nanosleep },
	[S_REAL_ABS] = { .name = "clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME)", .nr = SYS_clock_nanosleep },
};

static struct timespec ts_of(double t)
{
	return (struct timespec){ (time_t)t, (long)((t - (time_t)t) * 1e9) };
}

static double real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *sleeper_main(void *arg)
{
	struct sleeper *me = arg;
	struct timespec req = ts_of(SLEEP), abs;

	me->rem = (struct timespec){ 777, 777 };
	me->start = prog_now();
	me->tid = gettid();
	switch (me - s) {
	case S_NANOSLEEP:
		me->ret = syscall(SYS_nanosleep, &req, &me->rem) ? -errno : 0;
		break;
	case S_MONO_REL:
		me->ret = -clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &me->rem);
		break;
	case S_MONO_ABS:
		abs = ts_of(me->start + SLEEP);
		me->ret = -clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL);
		break;
	case S_REAL_ABS:
		me->real_deadline = real_now() + SLEEP;
		abs = ts_of(me->real_deadline);
		me->ret = -clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL);
		me->real_end = real_now();
		break;
	}
	me->end = prog_now();
	__atomic_store_n(&me->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

int main(void)
{
	double t_go;

	for (int i = 0; i < NR_S; i++) {
		thr_create(&s[i].t, sleeper_main, &s[i], 0);
		while (!s[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < NR_S; i++)
		THR_SETUP_BLOCKED(s[i].tid, s[i].nr, s[i].name);

	prog_ready();
	prog_wait();
	t_go = prog_now();

	for (int i = 0; i < NR_S; i++) {
		/* Either asleep or (only when the restore was slow) done already. */
		if (CHECK(!s[i].done, "%s: done before go: slept %.3f s of %.3f (ret %ld)", s[i].name,
			  s[i].end - s[i].start, SLEEP, s[i].ret))
			THR_CHECK_BLOCKED(s[i].tid, s[i].nr, s[i].name);
	}
	for (int i = 0; i < NR_S; i++) {
		struct sleeper *x = &s[i];
		double latest = (x->start + SLEEP > t_go ? x->start + SLEEP : t_go) + SLEEP + SLACK;
		int err = thr_join_for(x->t, NULL, 2 * SLEEP + THR_TIMEOUT);

		if (!CHECK(!err, "%s: pthread_join: %s", x->name, strerror(err)))
			continue;
		CHECK(x->ret == 0, "%s returned %ld (%s), expected 0", x->name, x->ret, strerror(-x->ret));
		CHECK(x->end - x->start >= SLEEP, "%s: cut short: woke after %.6f s of %.3f", x->name,
		      x->end - x->start, SLEEP);
		CHECK(x->end <= latest, "%s: woke %.3f s after go, expected at most %.3f", x->name, x->end - t_go,
		      latest - t_go);
		if (i == S_REAL_ABS)
			CHECK(x->real_end >= x->real_deadline, "%s: woke %.6f s before its CLOCK_REALTIME deadline",
			      x->name, x->real_deadline - x->real_end);
	}
	prog_done();
}
