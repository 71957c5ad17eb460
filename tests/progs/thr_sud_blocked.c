// SPDX-License-Identifier: MIT
/*
 * Per-thread SUD configs, each worker blocked in a futex wait at the dump.
 * Five workers arm their own SUD setups (thr_sud.h): exclusive with a
 * selector, exclusive with an allowed range, exclusive with a range and a
 * selector held at BLOCK, inclusive, and off; the main thread has none.
 * Each makes BEFORE checked getppid calls, then waits in FUTEX_WAIT issued
 * from the allowed range (so every syscall injected elsewhere, in the
 * range setups, would be dispatched).
 *
 * After "go" each worker must be back in futex (one FUTEX_WAKE wakes
 * exactly it), then make AFTER more calls: every one dispatched exactly
 * once, to the handler in its own thread, with its own answer, or never
 * for the worker without SUD; then the probe checks the setup is the one
 * armed (selector ALLOW lets the call through, the allowed range is not
 * dispatched, inclusive mode leaves other sites alone).  No dispatch may
 * reach the main thread.
 */
#include "progs/thr_sud.h"

#define BEFORE	2000
#define AFTER	3000

struct worker {
	struct thr_sud s;
	volatile uint32_t gate;
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

static void *worker_main(void *arg)
{
	struct worker *me = arg;
	struct thr_sud *s = &me->s;

	s->arm_ret = thr_sud_arm(s);
	if (!s->arm_ret) {
		for (int i = 0; i < BEFORE; i++)
			thr_sud_call(s);
	}
	__atomic_store_n(&me->ready, 1, __ATOMIC_RELEASE);
	if (s->arm_ret)
		return NULL;
	thr_sud_wait(&me->gate);
	for (int i = 0; i < AFTER; i++)
		thr_sud_call(s);
	thr_sud_probe(s);
	s->disarm_ret = thr_sud_disarm();
	return NULL;
}

int main(void)
{
	long r = thr_sud_install_handler();

	errno = -r;
	SETUP(!r, "rt_sigaction(SIGSYS)");
	for (int i = 0; i < NR_W; i++) {
		w[i].s.salt = (unsigned long)(i + 1) << 20;
		thr_create(&w[i].t, worker_main, &w[i], 0);
		while (!__atomic_load_n(&w[i].ready, __ATOMIC_ACQUIRE))
			thr_sleep_ms(1);
		errno = -w[i].s.arm_ret;
		SETUP(!w[i].s.arm_ret, "worker %d: PR_SET_SYSCALL_USER_DISPATCH %s", i, thr_sud_mode_names[w[i].s.mode]);
	}
	for (int i = 0; i < NR_W; i++)
		THR_SETUP_BLOCKED(w[i].s.tid, SYS_futex, thr_sud_mode_names[w[i].s.mode]);
	for (int i = 0; i < NR_W; i++)
		SETUP(!w[i].s.bad && w[i].s.calls == BEFORE && w[i].s.hits == (w[i].s.mode == TS_OFF ? 0 : BEFORE),
		      "worker %d (%s) before the dump: bad %lu hits %lu calls %lu", i, thr_sud_mode_names[w[i].s.mode],
		      w[i].s.bad, w[i].s.hits, w[i].s.calls);

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR_W; i++) {
		struct worker *x = &w[i];
		const char *m = thr_sud_mode_names[x->s.mode];

		THR_CHECK_BLOCKED(x->s.tid, SYS_futex, m);
		CHECK(x->s.calls == BEFORE && x->s.hits == (x->s.mode == TS_OFF ? 0 : BEFORE) && !x->s.bad,
		      "worker %d (%s) at go: bad %lu hits %lu calls %lu", i, m, x->s.bad, x->s.hits, x->s.calls);
		CHECK(x->s.sel == (x->s.mode == TS_RANGE_SELECTOR ? SYSCALL_DISPATCH_FILTER_BLOCK
								 : SYSCALL_DISPATCH_FILTER_ALLOW),
		      "worker %d (%s): selector byte %d at go", i, m, x->s.sel);
		long woken = thr_gate_open(&x->gate);

		CHECK(woken == 1, "worker %d (%s): FUTEX_WAKE woke %ld, expected 1", i, m, woken);
	}
	for (int i = 0; i < NR_W; i++) {
		char who[32];
		int err = thr_join(w[i].t, NULL);

		snprintf(who, sizeof(who), "worker %d", i);
		if (CHECK(!err, "%s (%s): pthread_join: %s", who, thr_sud_mode_names[w[i].s.mode], strerror(err)))
			thr_sud_check(who, &w[i].s, BEFORE + AFTER);
	}
	CHECK(thr_sud_orphans == 0, "%lu dispatches in a thread without SUD (main)", thr_sud_orphans);
	prog_done();
}
