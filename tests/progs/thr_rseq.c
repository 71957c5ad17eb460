// SPDX-License-Identifier: MIT
/*
 * rseq registration per thread.  glibc registers a struct rseq for every
 * thread (in its TCB, at __rseq_offset from the thread pointer; 32 bytes,
 * signature RSEQ_SIG).  Three threads and the main thread wait at the dump,
 * each with its registration as glibc made it.
 *
 * After "go", in each thread: registering the same area again must fail
 * with EBUSY (the kernel has exactly this registration; 0 would mean none
 * was restored, EINVAL another area, length or signature); cpu_id in the
 * area must follow the thread to each CPU it is moved to with
 * sched_setaffinity (the kernel updates a registered area only); and
 * unregistering then registering again must work.  A thread created after
 * restore must have its own registration too.
 */
#include <sys/rseq.h>

#include "progs/thr.h"

#define NR_T		3
#define RSEQ_LEN	32	/* what glibc 2.35+ registers */

struct thr {
	volatile pid_t tid;
	struct rseq *area;
	volatile uint32_t gate;
	/* Results. */
	long again, unreg, rereg;
	int again_err;
	int bad_cpu, bad_cpu_want;
	uint32_t bad_cpu_got;
	int done;
	pthread_t t;
};

static struct thr t[NR_T + 2];	/* 0: main, NR_T + 1: created after restore */
static int nr_cpus;

static struct rseq *my_area(void)
{
	return (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
}

static long rseq_call(struct rseq *area, int flags)
{
	return syscall(SYS_rseq, area, RSEQ_LEN, flags, RSEQ_SIG) ? -errno : 0;
}

static void check_mine(struct thr *x)
{
	cpu_set_t old, one;

	x->area = my_area();
	x->again = rseq_call(x->area, 0);
	/* cpu_id must follow the thread. */
	x->bad_cpu = -1;
	sched_getaffinity(0, sizeof(old), &old);
	for (int c = 0; c < nr_cpus; c++) {
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			continue;
		sched_yield();
		if (__atomic_load_n(&x->area->cpu_id, __ATOMIC_RELAXED) != (uint32_t)c && x->bad_cpu < 0) {
			x->bad_cpu = c;
			x->bad_cpu_got = x->area->cpu_id;
		}
	}
	sched_setaffinity(0, sizeof(old), &old);
	if (x->again == -EBUSY) {
		x->unreg = rseq_call(x->area, RSEQ_FLAG_UNREGISTER);
		x->rereg = rseq_call(x->area, 0);
	}
	x->done = 1;
}

static void *thr_main(void *arg)
{
	struct thr *x = arg;

	x->area = my_area();
	x->tid = gettid();
	thr_gate_wait(&x->gate);
	check_mine(x);
	return NULL;
}

static void verdict(int i, const char *who)
{
	struct thr *x = &t[i];

	if (!CHECK(x->done, "%s: did not finish its checks", who))
		return;
	CHECK(x->again == -EBUSY, "%s: registering its rseq area %p again: %s, expected EBUSY (%s)", who,
	      (void *)x->area, x->again ? strerror(-x->again) : "success",
	      x->again ? "registered with other arguments" : "it was not registered");
	CHECK(x->bad_cpu < 0, "%s: on CPU %d, rseq cpu_id says %u", who, x->bad_cpu, x->bad_cpu_got);
	if (x->again == -EBUSY)
		CHECK(!x->unreg && !x->rereg, "%s: unregister %s, register again %s", who, strerror(-x->unreg),
		      strerror(-x->rereg));
}

int main(void)
{
	int err;

	if (!__rseq_size)
		prog_skip("glibc did not register rseq (__rseq_size 0)");
	nr_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	SETUP(rseq_call(my_area(), 0) == -EBUSY, "main thread: rseq not registered as expected");
	for (int i = 1; i <= NR_T; i++) {
		thr_create(&t[i].t, thr_main, &t[i], 0);
		while (!t[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 1; i <= NR_T; i++) {
		THR_SETUP_BLOCKED(t[i].tid, SYS_futex, "thread waiting for go");
		SETUP(t[i].area->cpu_id < (uint32_t)nr_cpus, "thread %d: rseq cpu_id %u", i, t[i].area->cpu_id);
	}

	prog_ready();
	prog_wait();

	check_mine(&t[0]);
	verdict(0, "main thread");
	for (int i = 1; i <= NR_T; i++) {
		char who[32];

		thr_gate_open(&t[i].gate);
		err = thr_join(t[i].t, NULL);
		snprintf(who, sizeof(who), "thread %d", i);
		if (CHECK(!err, "%s: pthread_join: %s", who, strerror(err)))
			verdict(i, who);
	}
	/* A new thread. */
	struct thr *n = &t[NR_T + 1];

	n->gate = 1;
	err = pthread_create(&n->t, NULL, thr_main, n);
	if (CHECK(!err, "pthread_create after restore: %s", strerror(err))) {
		err = thr_join(n->t, NULL);
		if (CHECK(!err, "new thread: pthread_join: %s", strerror(err)))
			verdict(NR_T + 1, "thread created after restore");
	}
	prog_done();
}
