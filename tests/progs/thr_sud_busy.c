// SPDX-License-Identifier: MIT
/*
 * Per-thread SUD configs, every worker in a busy loop of dispatched calls
 * while it is dumped.  The same five workers as thr_sud_blocked
 * (exclusive with a selector, with a range, with a range and a selector at
 * BLOCK, inclusive, off) make checked getppid calls without pause until
 * the main thread, after "go", has seen each of them make progress; so
 * the dump catches each thread anywhere in its loop: in the handler, with
 * a SIGSYS on its way, between the selector write and the syscall.
 *
 * Every call must still be dispatched exactly once, in its own thread,
 * with its own answer (none for the worker without SUD), counted the same
 * by the handler and the caller, and the probe must find each setup as it
 * was armed.
 */
#include "progs/thr_sud.h"

#define BEFORE	1000	/* calls each worker makes before READY */
#define AFTER	2000	/* and after it is told to stop looping */
#define PROGRESS 500	/* calls after go before it is told */

struct worker {
	struct thr_sud s;
	unsigned long made;		/* the worker's own count, kept apart */
	volatile int ready;
	pthread_t t;
};

static struct worker w[] = {
	{ .s = { .mode = TS_SELECTOR } },
	{ .s = { .mode = TS_RANGE } },
	{ .s = { .mode = TS_RANGE_SELECTOR } },
	{ .s = { .mode = TS_INCLUSIVE } },
	{ .s = { .mode = TS_OFF } },
};
#define NR_W ((int)(sizeof(w) / sizeof(w[0])))

static volatile int stop;

static void *worker_main(void *arg)
{
	struct worker *me = arg;
	struct thr_sud *s = &me->s;
	unsigned long n = 0;

	s->arm_ret = thr_sud_arm(s);
	if (s->arm_ret) {
		__atomic_store_n(&me->ready, 1, __ATOMIC_RELEASE);
		return NULL;
	}
	for (; n < BEFORE; n++)
		thr_sud_call(s);
	__atomic_store_n(&me->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		thr_sud_call(s);
		n++;
	}
	for (int i = 0; i < AFTER; i++, n++)
		thr_sud_call(s);
	me->made = n;
	thr_sud_probe(s);
	s->disarm_ret = thr_sud_disarm();
	return NULL;
}

int main(void)
{
	unsigned long at_go[NR_W];
	long r = thr_sud_install_handler();

	errno = -r;
	SETUP(!r, "rt_sigaction(SIGSYS)");
	for (int i = 0; i < NR_W; i++) {
		w[i].s.salt = (unsigned long)(i + 1) << 20;
		thr_create(&w[i].t, worker_main, &w[i], 0);
	}
	for (int i = 0; i < NR_W; i++) {
		while (!__atomic_load_n(&w[i].ready, __ATOMIC_ACQUIRE))
			thr_sleep_ms(1);
		errno = -w[i].s.arm_ret;
		SETUP(!w[i].s.arm_ret, "worker %d: PR_SET_SYSCALL_USER_DISPATCH %s", i, thr_sud_mode_names[w[i].s.mode]);
	}

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR_W; i++)
		at_go[i] = w[i].s.calls;
	for (int i = 0; i < NR_W; i++) {
		double until = prog_now() + THR_TIMEOUT;

		while (w[i].s.calls < at_go[i] + PROGRESS && prog_now() < until)
			thr_sleep_ms(1);
		CHECK(w[i].s.calls >= at_go[i] + PROGRESS, "worker %d (%s) made %lu calls in %.0f s after go", i,
		      thr_sud_mode_names[w[i].s.mode], w[i].s.calls - at_go[i], THR_TIMEOUT);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < NR_W; i++) {
		char who[32];
		int err = thr_join(w[i].t, NULL);

		snprintf(who, sizeof(who), "worker %d", i);
		if (!CHECK(!err, "%s (%s): pthread_join: %s", who, thr_sud_mode_names[w[i].s.mode], strerror(err)))
			continue;
		CHECK(w[i].made >= BEFORE + PROGRESS + AFTER, "%s: only %lu calls", who, w[i].made);
		thr_sud_check(who, &w[i].s, w[i].made);
	}
	CHECK(thr_sud_orphans == 0, "%lu dispatches in a thread without SUD (main)", thr_sud_orphans);
	prog_done();
}
