// SPDX-License-Identifier: MIT
/*
 * New threads after restore.  Before the dump, four threads ran and were
 * joined (their stacks sit in glibc's stack cache, to be reused), and
 * thread R waits in a futex.
 *
 * After "go": the main thread creates N1 (on a cached stack), which
 * creates N2 and joins it; R, a restored thread, creates N3 on a stack of
 * its own (pthread_attr_setstack) and joins it; the main thread creates a
 * detached N4 that reports through a futex, and N5, to which it sends
 * SIGUSR1 with pthread_kill().  Every new thread must get a TID of its
 * own (none of the old ones), getpid() the same PID, its __thread
 * variable at the initial value, its name set by pthread_setname_np();
 * every join must return the thread's value; the handler must run in N5;
 * and at the end only the main thread is left.
 */
#include "progs/thr.h"

#define NR_OLD 4

static __thread int tls_init = 7;
static pid_t old_tids[NR_OLD + 2];
static int nr_old;
static pid_t pid0;

struct rec {
	pid_t tid, pid;
	int tls;
	char name[16];
	int sub_err;			/* N1 and R: creating and joining their child */
	void *sub_ret;
};

static struct rec n[6];			/* n[1]..n[5] */
static volatile uint32_t gate_r, n4_done, n5_gate;
static volatile pid_t r_tid, handler_tid;
static pthread_t r_thread;
static char r_stack_mem[256 << 10] __attribute__((aligned(4096)));

static void record(struct rec *x, const char *name)
{
	x->tid = gettid();
	x->pid = getpid();
	x->tls = tls_init;
	tls_init = -1;
	pthread_setname_np(pthread_self(), name);
	pthread_getname_np(pthread_self(), x->name, sizeof(x->name));
}

static void *old_main(void *arg)
{
	(void)arg;
	old_tids[__atomic_fetch_add(&nr_old, 1, __ATOMIC_RELAXED)] = gettid();
	return NULL;
}

static void *n2_main(void *arg)
{
	(void)arg;
	record(&n[2], "thr-n2");
	return (void *)2;
}

static void *n1_main(void *arg)
{
	pthread_t t;

	(void)arg;
	record(&n[1], "thr-n1");
	n[1].sub_err = pthread_create(&t, NULL, n2_main, NULL);
	if (!n[1].sub_err)
		n[1].sub_err = thr_join(t, &n[1].sub_ret);
	return (void *)1;
}

static void *n3_main(void *arg)
{
	(void)arg;
	record(&n[3], "thr-n3");
	return (void *)3;
}

static void *r_main(void *arg)
{
	pthread_attr_t attr;
	pthread_t t;

	(void)arg;
	r_tid = gettid();
	thr_gate_wait(&gate_r);
	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, r_stack_mem, sizeof(r_stack_mem));
	n[0].sub_err = pthread_create(&t, &attr, n3_main, NULL);
	if (!n[0].sub_err)
		n[0].sub_err = thr_join(t, &n[0].sub_ret);
	return (void *)0x52;
}

static void *n4_main(void *arg)
{
	(void)arg;
	record(&n[4], "thr-n4");
	thr_gate_open(&n4_done);
	return NULL;
}

static void *n5_main(void *arg)
{
	(void)arg;
	record(&n[5], "thr-n5");
	thr_gate_wait(&n5_gate);
	return (void *)5;
}

static void on_usr1(int sig)
{
	(void)sig;
	handler_tid = gettid();
}

static void check_new(int i)
{
	char want[16];

	snprintf(want, sizeof(want), "thr-n%d", i);
	CHECK(n[i].tid > 0 && n[i].tid != pid0 && n[i].tid != r_tid, "N%d: TID %d", i, n[i].tid);
	for (int k = 0; k < nr_old; k++)
		CHECK(n[i].tid != old_tids[k], "N%d has the TID %d of an old thread", i, n[i].tid);
	CHECK(n[i].pid == pid0, "N%d: getpid() %d, expected %d", i, n[i].pid, pid0);
	CHECK(n[i].tls == 7, "N%d: __thread variable %d at start, expected its initial 7", i, n[i].tls);
	CHECK(!strcmp(n[i].name, want), "N%d: name '%s', expected '%s'", i, n[i].name, want);
}

int main(void)
{
	pthread_t t, t1, t5;
	void *ret;
	int err;

	pid0 = getpid();
	SETUP(signal(SIGUSR1, on_usr1) != SIG_ERR, "signal");
	for (int i = 0; i < NR_OLD; i++) {
		thr_create(&t, old_main, NULL, 0);
		SETUP(!pthread_join(t, NULL), "pthread_join");
	}
	thr_create(&r_thread, r_main, NULL, 0);
	while (!r_tid)
		thr_sleep_ms(1);
	THR_SETUP_BLOCKED(r_tid, SYS_futex, "R waiting for go");

	prog_ready();
	prog_wait();

	CHECK(tls_init == 7, "main: __thread variable %d, expected 7", tls_init);
	err = pthread_create(&t1, NULL, n1_main, NULL);
	if (CHECK(!err, "pthread_create(N1) after restore: %s", strerror(err))) {
		err = thr_join(t1, &ret);
		if (CHECK(!err, "N1: pthread_join: %s", strerror(err))) {
			CHECK(ret == (void *)1, "N1 returned %p", ret);
			CHECK(!n[1].sub_err && n[1].sub_ret == (void *)2, "N1 creating and joining N2: %s, %p",
			      strerror(n[1].sub_err), n[1].sub_ret);
			check_new(1);
			check_new(2);
		}
	}

	thr_gate_open(&gate_r);
	err = thr_join(r_thread, &ret);
	if (CHECK(!err, "R: pthread_join: %s", strerror(err))) {
		CHECK(ret == (void *)0x52, "R returned %p", ret);
		CHECK(!n[0].sub_err && n[0].sub_ret == (void *)3, "R creating and joining N3: %s, %p",
		      strerror(n[0].sub_err), n[0].sub_ret);
		check_new(3);
	}

	err = pthread_create(&t, NULL, n4_main, NULL);
	if (CHECK(!err, "pthread_create(N4): %s", strerror(err))) {
		pthread_detach(t);
		double until = prog_now() + THR_TIMEOUT;

		while (!__atomic_load_n(&n4_done, __ATOMIC_ACQUIRE) && prog_now() < until)
			thr_sleep_ms(1);
		if (CHECK(n4_done, "detached N4 did not report"))
			check_new(4);
	}

	err = pthread_create(&t5, NULL, n5_main, NULL);
	if (CHECK(!err, "pthread_create(N5): %s", strerror(err))) {
		double until = prog_now() + THR_TIMEOUT;

		while (!__atomic_load_n(&n[5].tid, __ATOMIC_ACQUIRE) && prog_now() < until)
			thr_sleep_ms(1);
		CHECK_EQ(pthread_kill(t5, SIGUSR1), 0);
		while (!handler_tid && prog_now() < until)
			thr_sleep_ms(1);
		CHECK(handler_tid == n[5].tid, "SIGUSR1 by pthread_kill(N5) handled in thread %d, expected N5 = %d",
		      handler_tid, n[5].tid);
		thr_gate_open(&n5_gate);
		err = thr_join(t5, &ret);
		if (CHECK(!err, "N5: pthread_join: %s", strerror(err)))
			CHECK(ret == (void *)5, "N5 returned %p", ret);
		check_new(5);
	}
	int left = thr_wait_task_count(1);

	CHECK(left == 1, "%d tasks left, expected 1", left);
	prog_done();
}
