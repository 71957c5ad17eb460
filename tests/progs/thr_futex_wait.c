// SPDX-License-Identifier: MIT
/*
 * Threads blocked in futex waits at the dump, one kind of wait each: a
 * private FUTEX_WAIT without timeout, one with a 20 s relative timeout,
 * FUTEX_WAIT_BITSET with an absolute CLOCK_REALTIME deadline 20 s away
 * and bitset 0x4, a shared (not private) FUTEX_WAIT, and a monotonic
 * FUTEX_WAIT_BITSET with bitset 0x1.
 *
 * After "go" every waiter must be back in futex (restarted), and the main
 * thread's wakes must find exactly the waiters they should: a wake that
 * does not match (other bitset, private wake of a shared waiter) wakes
 * nobody, the matching one wakes exactly one thread.  Each waiter's futex
 * call must then return 0 (not ETIMEDOUT or EAGAIN), once, after "go",
 * and see the value the main thread stored.
 */
#include "progs/thr.h"

enum { W_PLAIN, W_RELTIME, W_ABS_BITSET, W_SHARED, W_BITSET, NR_W };

struct waiter {
	const char *name;
	volatile uint32_t word;
	volatile pid_t tid;
	long first_ret;		/* result of the first futex call */
	int calls;
	uint32_t seen;		/* the word once awake */
	double woke_at;
	volatile int done;
	pthread_t t;
};

static struct waiter w[NR_W] = {
	[W_PLAIN] = { .name = "FUTEX_WAIT_PRIVATE" },
	[W_RELTIME] = { .name = "FUTEX_WAIT_PRIVATE with 20 s timeout" },
	[W_ABS_BITSET] = { .name = "FUTEX_WAIT_BITSET|CLOCK_REALTIME, absolute deadline, bitset 0x4" },
	[W_SHARED] = { .name = "FUTEX_WAIT (shared)" },
	[W_BITSET] = { .name = "FUTEX_WAIT_BITSET_PRIVATE, bitset 0x1" },
};

static void *waiter_main(void *arg)
{
	struct waiter *me = arg;
	int kind = me - w;
	struct timespec abs, rel = { 20, 0 };

	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_sec += 20;
	me->tid = gettid();
	do {
		long r = -EINVAL;

		switch (kind) {
		case W_PLAIN:
			r = thr_futex(&me->word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
			break;
		case W_RELTIME:
			r = thr_futex(&me->word, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0);
			break;
		case W_ABS_BITSET:
			r = thr_futex(&me->word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &abs, NULL,
				      0x4);
			break;
		case W_SHARED:
			r = thr_futex(&me->word, FUTEX_WAIT, 0, NULL, NULL, 0);
			break;
		case W_BITSET:
			r = thr_futex(&me->word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 0x1);
			break;
		}
		if (!me->calls++)
			me->first_ret = r;
	} while (!__atomic_load_n(&me->word, __ATOMIC_ACQUIRE) && me->calls < 100);
	me->woke_at = prog_now();
	me->seen = me->word;
	__atomic_store_n(&me->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Store the value, then wake with @op/@bitset: how many woke. */
static long wake(struct waiter *x, int op, uint32_t bitset)
{
	return thr_futex(&x->word, op, INT_MAX, NULL, NULL, bitset);
}

int main(void)
{
	double t_go;

	for (int i = 0; i < NR_W; i++) {
		thr_create(&w[i].t, waiter_main, &w[i], 0);
		while (!w[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < NR_W; i++)
		THR_SETUP_BLOCKED(w[i].tid, SYS_futex, w[i].name);

	prog_ready();
	prog_wait();
	t_go = prog_now();

	for (int i = 0; i < NR_W; i++) {
		THR_CHECK_BLOCKED(w[i].tid, SYS_futex, w[i].name);
		CHECK(!w[i].done, "%s: woke before go (first futex call returned %ld)", w[i].name, w[i].first_ret);
	}
	for (int i = 0; i < NR_W; i++)
		__atomic_store_n(&w[i].word, 0x100 + i, __ATOMIC_RELEASE);

	/* Wakes that must find nobody. */
	CHECK_EQ(wake(&w[W_ABS_BITSET], FUTEX_WAKE_BITSET_PRIVATE, 0x8), 0);
	CHECK_EQ(wake(&w[W_BITSET], FUTEX_WAKE_BITSET_PRIVATE, 0x2), 0);
	CHECK_EQ(wake(&w[W_SHARED], FUTEX_WAKE_PRIVATE, 0), 0);
	/* Those that must find exactly one waiter. */
	CHECK_EQ(wake(&w[W_PLAIN], FUTEX_WAKE_PRIVATE, 0), 1);
	CHECK_EQ(wake(&w[W_RELTIME], FUTEX_WAKE_PRIVATE, 0), 1);
	CHECK_EQ(wake(&w[W_ABS_BITSET], FUTEX_WAKE_BITSET_PRIVATE, 0x4), 1);
	CHECK_EQ(wake(&w[W_SHARED], FUTEX_WAKE, 0), 1);
	CHECK_EQ(wake(&w[W_BITSET], FUTEX_WAKE_BITSET_PRIVATE, 0x1), 1);

	for (int i = 0; i < NR_W; i++) {
		int err = thr_join(w[i].t, NULL);

		if (!CHECK(!err, "%s: pthread_join: %s", w[i].name, strerror(err)))
			continue;
		CHECK(w[i].first_ret == 0 && w[i].calls == 1,
		      "%s: first futex call returned %ld, %d calls; expected 0 from one call", w[i].name,
		      w[i].first_ret, w[i].calls);
		CHECK(w[i].seen == 0x100u + i, "%s: saw 0x%x, expected 0x%x", w[i].name, w[i].seen, 0x100 + i);
		CHECK(w[i].woke_at >= t_go, "%s: woke %.3f s before go", w[i].name, t_go - w[i].woke_at);
	}
	prog_done();
}
