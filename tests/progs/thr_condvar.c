// SPDX-License-Identifier: MIT
/*
 * Threads waiting on condition variables at the dump: three in
 * pthread_cond_wait() on one condvar, one in pthread_cond_timedwait() on
 * the same condvar with a CLOCK_REALTIME deadline 30 s away, and one in
 * pthread_cond_clockwait() on CLOCK_MONOTONIC on a second condvar.  The
 * mutex is error-checking, so a waiter can prove it holds it on return.
 *
 * After "go" every waiter must be back in futex.  One ticket and
 * pthread_cond_signal() must let exactly one of the first four through
 * while the others stay in futex; the remaining tickets and
 * pthread_cond_broadcast() the rest; the second condvar's waiter is woken
 * by a signal of its own.  Every wait must return 0 (not ETIMEDOUT) with
 * the mutex held.
 */
#include "progs/thr.h"

#define NR_W	5
#define W_CLOCK	4	/* the one on cv2 */

static pthread_mutex_t m;
static pthread_cond_t cv1 = PTHREAD_COND_INITIALIZER, cv2;
static int tickets1, tickets2, taken;

struct waiter {
	volatile pid_t tid;
	int ret, unlock, wakeups;
	volatile int done;
	pthread_t t;
};

static struct waiter w[NR_W];

static void *waiter_main(void *arg)
{
	struct waiter *me = arg;
	int i = me - w;
	struct timespec ts;

	if (i == 3)
		clock_gettime(CLOCK_REALTIME, &ts);
	else
		clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += 30;
	pthread_mutex_lock(&m);
	me->tid = gettid();
	for (;;) {
		int *tickets = i == W_CLOCK ? &tickets2 : &tickets1;

		if (*tickets) {
			(*tickets)--;
			taken++;
			break;
		}
		if (i < 3)
			me->ret = pthread_cond_wait(&cv1, &m);
		else if (i == 3)
			me->ret = pthread_cond_timedwait(&cv1, &m, &ts);
		else
			me->ret = pthread_cond_clockwait(&cv2, &m, CLOCK_MONOTONIC, &ts);
		me->wakeups++;
		if (me->ret)
			break;
	}
	/* Error-checking: EPERM here if the wait returned without the mutex. */
	me->unlock = pthread_mutex_unlock(&m);
	__atomic_store_n(&me->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int nr_done(void)
{
	int n = 0;

	for (int i = 0; i < NR_W; i++)
		n += __atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE);
	return n;
}

static bool wait_done(int n)
{
	double until = prog_now() + THR_TIMEOUT;

	while (nr_done() < n && prog_now() < until)
		thr_sleep_ms(1);
	return nr_done() >= n;
}

int main(void)
{
	pthread_mutexattr_t ma;

	SETUP(!pthread_mutexattr_init(&ma) && !pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK) &&
		      !pthread_mutex_init(&m, &ma),
	      "mutex");
	SETUP(!pthread_cond_init(&cv2, NULL), "pthread_cond_init");
	for (int i = 0; i < NR_W; i++) {
		thr_create(&w[i].t, waiter_main, &w[i], 0);
		while (!w[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < NR_W; i++)
		THR_SETUP_BLOCKED(w[i].tid, SYS_futex, "condvar waiter");

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR_W; i++)
		THR_CHECK_BLOCKED(w[i].tid, SYS_futex, "condvar waiter");
	CHECK(nr_done() == 0, "%d waiters done before go", nr_done());

	/* One ticket, one signal: exactly one through. */
	pthread_mutex_lock(&m);
	tickets1 = 1;
	pthread_cond_signal(&cv1);
	pthread_mutex_unlock(&m);
	CHECK(wait_done(1), "pthread_cond_signal after restore woke no waiter");
	thr_sleep_ms(20);
	CHECK(nr_done() == 1 && taken == 1, "after one signal: %d waiters done, %d tickets taken; expected 1, 1",
	      nr_done(), taken);
	for (int i = 0; i < NR_W; i++)
		if (!w[i].done)
			THR_CHECK_BLOCKED(w[i].tid, SYS_futex, "condvar waiter after the first signal");

	pthread_mutex_lock(&m);
	tickets1 = 3;
	pthread_cond_broadcast(&cv1);
	pthread_mutex_unlock(&m);
	CHECK(wait_done(4), "pthread_cond_broadcast: %d of 4 waiters of cv1 done", nr_done());
	CHECK(!w[W_CLOCK].done, "the waiter on cv2 woke from the broadcast on cv1");

	pthread_mutex_lock(&m);
	tickets2 = 1;
	pthread_cond_signal(&cv2);
	pthread_mutex_unlock(&m);

	for (int i = 0; i < NR_W; i++) {
		int err = thr_join(w[i].t, NULL);

		if (!CHECK(!err, "waiter %d: pthread_join: %s", i, strerror(err)))
			continue;
		CHECK(w[i].ret == 0, "waiter %d: wait returned %s, expected 0", i, strerror(w[i].ret));
		CHECK(w[i].unlock == 0, "waiter %d: did not hold the mutex after its wait (unlock: %s)", i,
		      strerror(w[i].unlock));
		CHECK(w[i].wakeups >= 1, "waiter %d never waited", i);
	}
	CHECK(taken == NR_W && tickets1 == 0 && tickets2 == 0, "tickets taken %d, left %d %d", taken, tickets1,
	      tickets2);
	prog_done();
}
