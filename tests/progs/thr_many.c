// SPDX-License-Identifier: MIT
/*
 * One hundred threads (128 KiB stacks), each waiting on one shared futex
 * word at the dump, after recording its gettid(), pthread_self() and the
 * address of a local variable.
 *
 * After "go" /proc/self/task must list exactly the main thread and the
 * hundred recorded TIDs, all of them back in futex, so that one
 * FUTEX_WAKE wakes exactly 100.  Each thread then checks its gettid(),
 * getpid(), pthread_self() and stack against what it recorded and returns
 * its own value, which pthread_join() must deliver for every one; at the
 * end only the main thread is left.
 */
#include "progs/thr.h"

#define NR_T 100

struct thr {
	volatile pid_t tid;
	pthread_t self;
	void *stack_var;
	int bad;		/* which check failed, 0: none */
	pid_t seen_tid, seen_pid;
	pthread_t t;
};

static struct thr t[NR_T];
static volatile uint32_t word;
static pid_t pid0;		/* getpid() before the dump */

static void *thr_main(void *arg)
{
	struct thr *me = arg;
	int local = 0;

	me->self = pthread_self();
	me->stack_var = &local;
	__atomic_store_n(&me->tid, gettid(), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&word, __ATOMIC_ACQUIRE))
		thr_futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	me->seen_tid = gettid();
	me->seen_pid = getpid();
	if (me->seen_tid != me->tid)
		me->bad = 1;
	else if (me->seen_pid != pid0)
		me->bad = 2;
	else if (!pthread_equal(pthread_self(), me->self))
		me->bad = 3;
	else if ((void *)&local != me->stack_var)
		me->bad = 4;
	return (void *)(uintptr_t)(0xbeef0000 + (me - t));
}

static int cmp_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

int main(void)
{
	pid_t want[NR_T + 1], got[NR_T + 8];
	int n, blocked = 0;
	long woken;

	pid0 = getpid();
	for (int i = 0; i < NR_T; i++)
		thr_create(&t[i].t, thr_main, &t[i], 128 << 10);
	for (int i = 0; i < NR_T; i++) {
		while (!__atomic_load_n(&t[i].tid, __ATOMIC_ACQUIRE))
			thr_sleep_ms(1);
		want[i] = t[i].tid;
	}
	want[NR_T] = getpid();
	qsort(want, NR_T + 1, sizeof(want[0]), cmp_pid);
	for (int i = 0; i < NR_T; i++) {
		SETUP(t[i].tid != getpid(), "thread %d has the PID as TID", i);
		if (i)
			SETUP(want[i] != want[i - 1], "two threads with TID %d", want[i]);
	}
	for (int i = 0; i < NR_T; i++)
		THR_SETUP_BLOCKED(t[i].tid, SYS_futex, "thread waiting for go");

	prog_ready();
	prog_wait();

	n = thr_list_tasks(got, NR_T + 8);
	if (CHECK(n == NR_T + 1, "/proc/self/task has %d entries, expected %d", n, NR_T + 1)) {
		for (int i = 0; i < n; i++)
			if (!CHECK(got[i] == want[i], "/proc/self/task entry %d is %d, expected %d", i, got[i], want[i]))
				break;
	}
	for (int i = 0; i < NR_T; i++) {
		char why[256];

		if (!thr_wait_blocked(t[i].tid, SYS_futex, why, sizeof(why)))
			blocked++;
		else if (blocked == i)	/* the first one only */
			CHECK(0, "thread %d not back in futex: %s", i, why);
	}
	CHECK(blocked == NR_T, "%d of %d threads back in futex", blocked, NR_T);

	__atomic_store_n(&word, 1, __ATOMIC_RELEASE);
	woken = thr_futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	CHECK(woken == NR_T, "FUTEX_WAKE woke %ld threads, expected %d", woken, NR_T);

	for (int i = 0; i < NR_T; i++) {
		void *ret = NULL;
		int err = thr_join(t[i].t, &ret);

		if (!CHECK(!err, "thread %d (%d): pthread_join: %s", i, t[i].tid, strerror(err)))
			continue;
		CHECK(ret == (void *)(uintptr_t)(0xbeef0000 + i), "thread %d returned %p", i, ret);
		CHECK(!t[i].bad, "thread %d: %s (gettid %d, recorded %d; getpid %d)", i,
		      t[i].bad == 1   ? "gettid() differs"
		      : t[i].bad == 2 ? "getpid() differs"
		      : t[i].bad == 3 ? "pthread_self() differs"
				      : "its stack moved",
		      t[i].seen_tid, t[i].tid, t[i].seen_pid);
	}
	n = thr_wait_task_count(1);
	CHECK(n == 1, "%d tasks left after joining all, expected 1", n);
	prog_done();
}
