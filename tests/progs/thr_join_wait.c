// SPDX-License-Identifier: MIT
/*
 * clear_child_tid per thread, and a thread blocked in pthread_join() at
 * the dump.  Thread J waits in pthread_join() for thread T1 (in futex, on
 * T1's TID word, which the kernel clears and wakes when T1 exits: T1's
 * clear_child_tid).  Thread T2 (detached) moved its clear_child_tid to a
 * word of its own with set_tid_address(2).
 *
 * After "go": PR_GET_TID_ADDRESS must give every thread the address it
 * had; J must be back in futex.  When T1 returns, J's pthread_join() must
 * return 0 with T1's value, and J be joinable itself.  When T2 exits, the
 * kernel must clear and wake T2's own word (a FUTEX_WAIT on it returns).
 * Lost clear_child_tid shows as a join or a wait that never ends: both
 * are timed.
 */
#include "progs/thr.h"

#ifndef PR_GET_TID_ADDRESS
#define PR_GET_TID_ADDRESS 40
#endif

struct thr {
	const char *name;
	volatile pid_t tid;
	void *tid_addr, *tid_addr_after;
	volatile uint32_t gate;
	pthread_t t;
};

static struct thr t1 = { .name = "T1" };
static struct thr j = { .name = "J (joins T1)" };
static struct thr t2 = { .name = "T2 (own clear_child_tid)" };
static struct thr mt = { .name = "main" };
static int join_err = -1;
static void *join_val;
static volatile uint32_t t2_word;	/* T2's clear_child_tid */

static void *tid_address(void)
{
	void *p = NULL;

	if (prctl(PR_GET_TID_ADDRESS, &p, 0, 0, 0))
		return (void *)-1L;
	return p;
}

static void *t1_main(void *arg)
{
	(void)arg;
	t1.tid_addr = tid_address();
	t1.tid = gettid();
	thr_gate_wait(&t1.gate);
	t1.tid_addr_after = tid_address();
	return (void *)0xabc;
}

static void *j_main(void *arg)
{
	(void)arg;
	j.tid_addr = tid_address();
	j.tid = gettid();
	join_err = pthread_join(t1.t, &join_val);
	j.tid_addr_after = tid_address();
	return (void *)0xdef;
}

static void *t2_main(void *arg)
{
	(void)arg;
	t2_word = gettid();
	syscall(SYS_set_tid_address, &t2_word);
	t2.tid_addr = tid_address();
	t2.tid = gettid();
	thr_gate_wait(&t2.gate);
	t2.tid_addr_after = tid_address();
	return NULL;	/* the kernel clears t2_word */
}

int main(void)
{
	struct thr *all[] = { &t1, &j, &t2 };
	void *ret = NULL;
	int err;

	mt.tid_addr = tid_address();
	SETUP(mt.tid_addr != (void *)-1L, "PR_GET_TID_ADDRESS");
	thr_create(&t1.t, t1_main, NULL, 0);
	while (!t1.tid)
		thr_sleep_ms(1);
	thr_create(&j.t, j_main, NULL, 0);
	thr_create(&t2.t, t2_main, NULL, 0);
	SETUP(!pthread_detach(t2.t), "pthread_detach");
	while (!j.tid || !t2.tid)
		thr_sleep_ms(1);
	for (int i = 0; i < 3; i++)
		THR_SETUP_BLOCKED(all[i]->tid, SYS_futex, all[i]->name);
	SETUP(t2.tid_addr == (void *)&t2_word, "T2's clear_child_tid is %p, not %p", t2.tid_addr, (void *)&t2_word);
	SETUP(t1.tid_addr && j.tid_addr && t1.tid_addr != j.tid_addr, "clear_child_tid of T1 %p, J %p",
	      t1.tid_addr, j.tid_addr);

	prog_ready();
	prog_wait();

	CHECK(tid_address() == mt.tid_addr, "main: clear_child_tid %p, expected %p", tid_address(), mt.tid_addr);
	for (int i = 0; i < 3; i++)
		THR_CHECK_BLOCKED(all[i]->tid, SYS_futex, all[i]->name);
	CHECK(join_err == -1, "J's pthread_join returned %d before go", join_err);
	CHECK(t2_word == (uint32_t)t2.tid, "T2's word is %u, expected its TID %d", t2_word, t2.tid);

	thr_gate_open(&t1.gate);
	err = thr_join(j.t, &ret);
	if (CHECK(!err, "J did not return after T1 exited (pthread_join(J): %s): T1's clear_child_tid lost?",
		  strerror(err))) {
		CHECK(ret == (void *)0xdef, "J returned %p", ret);
		CHECK(join_err == 0 && join_val == (void *)0xabc,
		      "J's pthread_join(T1) returned %d with %p, expected 0 with 0xabc", join_err, join_val);
	}

	thr_gate_open(&t2.gate);
	double until = prog_now() + THR_TIMEOUT;

	while (__atomic_load_n(&t2_word, __ATOMIC_ACQUIRE) && prog_now() < until) {
		struct timespec ts = { 0, 100 * 1000000L };
		uint32_t v = t2_word;

		if (v)
			thr_futex(&t2_word, FUTEX_WAIT, v, &ts, NULL, 0);
	}
	CHECK(t2_word == 0, "T2 exited (or not) but its clear_child_tid word still holds %u after %.0f s", t2_word,
	      THR_TIMEOUT);

	for (int i = 0; i < 3; i++)
		CHECK(all[i]->tid_addr_after == all[i]->tid_addr, "%s: clear_child_tid %p after restore, expected %p",
		      all[i]->name, all[i]->tid_addr_after, all[i]->tid_addr);
	int n = thr_wait_task_count(1);

	CHECK(n == 1, "%d tasks left, expected 1", n);
	prog_done();
}
