// SPDX-License-Identifier: MIT
/*
 * Threads inside their SIGSYS handler at the dump.  Four workers with
 * their own SUD setups (thr_sud.h) each make HOLD checked getppid calls;
 * the handler of the last one does not return until the main thread lets
 * it, after "go": two spin in the handler (exclusive with a selector,
 * inclusive), two wait there in FUTEX_WAIT issued from the allowed range
 * (exclusive with a range, and with a range and a selector at BLOCK).
 *
 * After "go" the waiting ones must be back in futex (one FUTEX_WAKE wakes
 * exactly each), the spinning ones still held.  Once let go, each handler
 * must find SIGSYS blocked and nothing else (the mask inside a handler),
 * and its siginfo and frame intact (it checks them after the hold); its
 * answer must reach the interrupted call, SIGSYS be unblocked again after
 * rt_sigreturn, and AFTER more calls be dispatched exactly as before.
 */
#include "progs/thr_sud.h"

#define HOLD	100	/* the call whose handler is held */
#define AFTER	2000

struct worker {
	struct thr_sud s;
	uint64_t mask_after;	/* blocked mask once the handler returned */
	pthread_t t;
};

static struct worker w[] = {
	{ .s = { .mode = TS_SELECTOR, .hold_at = HOLD } },
	{ .s = { .mode = TS_INCLUSIVE, .hold_at = HOLD } },
	{ .s = { .mode = TS_RANGE, .hold_at = HOLD, .hold_in_futex = 1 } },
	{ .s = { .mode = TS_RANGE_SELECTOR, .hold_at = HOLD, .hold_in_futex = 1 } },
};
#define NR_W ((int)(sizeof(w) / sizeof(w[0])))

static void *worker_main(void *arg)
{
	struct worker *me = arg;
	struct thr_sud *s = &me->s;
	uint64_t mask = ~0ULL;

	s->arm_ret = thr_sud_arm(s);
	if (s->arm_ret)
		return NULL;
	for (int i = 0; i < HOLD; i++)
		thr_sud_call(s);
	thr_sud_syscall(__NR_rt_sigprocmask, SIG_BLOCK, 0, (long)&mask, 8, 0);
	me->mask_after = mask;
	for (int i = 0; i < AFTER; i++)
		thr_sud_call(s);
	thr_sud_probe(s);
	s->disarm_ret = thr_sud_disarm();
	return NULL;
}

static const char *name(int i)
{
	return thr_sud_mode_names[w[i].s.mode];
}

int main(void)
{
	long r = thr_sud_install_handler();
	sigset_t none;

	errno = -r;
	SETUP(!r, "rt_sigaction(SIGSYS)");
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);	/* inherited: the workers block nothing */
	for (int i = 0; i < NR_W; i++) {
		double until = prog_now() + THR_TIMEOUT;

		w[i].s.salt = (unsigned long)(i + 1) << 20;
		thr_create(&w[i].t, worker_main, &w[i], 0);
		while (!__atomic_load_n(&w[i].s.in_handler, __ATOMIC_ACQUIRE) && !w[i].s.arm_ret && prog_now() < until)
			thr_sleep_ms(1);
		errno = -w[i].s.arm_ret;
		SETUP(!w[i].s.arm_ret, "worker %d: PR_SET_SYSCALL_USER_DISPATCH %s", i, name(i));
		SETUP(w[i].s.in_handler == 1, "worker %d (%s) did not reach its handler hold: calls %lu hits %lu bad %lu",
		      i, name(i), w[i].s.calls, w[i].s.hits, w[i].s.bad);
	}
	for (int i = 0; i < NR_W; i++)
		if (w[i].s.hold_in_futex)
			THR_SETUP_BLOCKED(w[i].s.tid, SYS_futex, name(i));

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR_W; i++) {
		struct thr_sud *s = &w[i].s;

		CHECK(s->in_handler == 1 && s->calls == HOLD - 1 && s->hits == HOLD - 1,
		      "worker %d (%s) at go: in_handler %d, calls %lu, hits %lu; expected held in call %d", i, name(i),
		      s->in_handler, s->calls, s->hits, HOLD);
		if (s->hold_in_futex)
			THR_CHECK_BLOCKED(s->tid, SYS_futex, name(i));
	}
	for (int i = 0; i < NR_W; i++) {
		long woken = thr_gate_open(&w[i].s.release);

		if (w[i].s.hold_in_futex)
			CHECK(woken == 1, "worker %d (%s): FUTEX_WAKE in the handler woke %ld, expected 1", i, name(i),
			      woken);
	}
	for (int i = 0; i < NR_W; i++) {
		char who[32];
		int err = thr_join(w[i].t, NULL);

		snprintf(who, sizeof(who), "worker %d", i);
		if (!CHECK(!err, "%s (%s): pthread_join: %s", who, name(i), strerror(err)))
			continue;
		CHECK(w[i].s.in_handler == 2, "%s (%s): the held handler did not finish", who, name(i));
		CHECK(w[i].s.handler_mask == thr_sigbit(SIGSYS),
		      "%s (%s): blocked mask in the handler %016llx, expected %016llx", who, name(i),
		      (unsigned long long)w[i].s.handler_mask, (unsigned long long)thr_sigbit(SIGSYS));
		CHECK(w[i].mask_after == 0, "%s (%s): blocked mask after the handler returned %016llx, expected 0", who,
		      name(i), (unsigned long long)w[i].mask_after);
		thr_sud_check(who, &w[i].s, HOLD + AFTER);
	}
	CHECK(thr_sud_orphans == 0, "%lu dispatches in a thread without SUD (main)", thr_sud_orphans);
	prog_done();
}
