// SPDX-License-Identifier: MIT
/*
 * A pthread barrier of five with four threads waiting in
 * pthread_barrier_wait() at the dump.  After "go" all four must be back in
 * futex, still waiting (the barrier still counts them); the main thread's
 * arrival must release them all: exactly one of the five gets
 * PTHREAD_BARRIER_SERIAL_THREAD, the others 0.  The barrier must then work
 * for a second round of the same five.
 */
#include "progs/thr.h"

#define NR_T 4

static pthread_barrier_t b;

struct thr {
	volatile pid_t tid;
	int ret[2];
	volatile int passed;
	pthread_t t;
};

static struct thr t[NR_T];

static void *thr_main(void *arg)
{
	struct thr *x = arg;

	x->tid = gettid();
	x->ret[0] = pthread_barrier_wait(&b);
	__atomic_store_n(&x->passed, 1, __ATOMIC_RELEASE);
	x->ret[1] = pthread_barrier_wait(&b);
	return NULL;
}

int main(void)
{
	int mine[2], serial[2] = { 0, 0 }, zero[2] = { 0, 0 };

	SETUP(!pthread_barrier_init(&b, NULL, NR_T + 1), "pthread_barrier_init");
	for (int i = 0; i < NR_T; i++) {
		thr_create(&t[i].t, thr_main, &t[i], 0);
		while (!t[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < NR_T; i++)
		THR_SETUP_BLOCKED(t[i].tid, SYS_futex, "thread at the barrier");

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR_T; i++) {
		THR_CHECK_BLOCKED(t[i].tid, SYS_futex, "thread at the barrier");
		CHECK(!t[i].passed, "thread %d passed the barrier before go", i);
	}
	mine[0] = pthread_barrier_wait(&b);
	mine[1] = pthread_barrier_wait(&b);
	for (int i = 0; i < NR_T; i++) {
		int err = thr_join(t[i].t, NULL);

		if (!CHECK(!err, "thread %d did not get through the barrier: pthread_join: %s", i, strerror(err)))
			continue;
		for (int k = 0; k < 2; k++) {
			serial[k] += t[i].ret[k] == PTHREAD_BARRIER_SERIAL_THREAD;
			zero[k] += t[i].ret[k] == 0;
		}
	}
	for (int k = 0; k < 2; k++) {
		serial[k] += mine[k] == PTHREAD_BARRIER_SERIAL_THREAD;
		zero[k] += mine[k] == 0;
		CHECK(serial[k] == 1 && zero[k] == NR_T,
		      "round %d: %d threads got PTHREAD_BARRIER_SERIAL_THREAD and %d got 0, expected 1 and %d", k + 1,
		      serial[k], zero[k], NR_T);
	}
	prog_done();
}
