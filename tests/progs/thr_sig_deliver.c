// SPDX-License-Identifier: MIT
/*
 * Thread-directed signals delivered to handlers, in the right thread, after
 * restore.  Three threads block SIGUSR1, SIGUSR2, SIGRTMIN+1 and
 * SIGRTMIN+2 and wait in a futex; each has its own pending signals (sent
 * by pthread_kill, tgkill and rt_tgsigqueueinfo with values), the third
 * none.  The handler logs every delivery in a per-thread log found
 * through a __thread pointer, with the thread's TID taken at its start; it
 * blocks all four signals, so deliveries do not nest.
 *
 * After "go" each thread unblocks everything: its handlers must run for
 * exactly its own pending signals, lowest number first, queue order within
 * an RT signal, with the right si_code and value.  Then pthread_kill() and
 * pthread_sigqueue() from the main thread, after restore, must each run
 * the handler once in the thread they name, and nowhere else.
 */
#include "progs/thr.h"

#define NR_T	3
#define MAXLOG	16

struct ent {
	int signo, code, value;
	pid_t tid;			/* the logging thread's, from its TLS */
};

struct thr {
	struct ent want[MAXLOG];
	int nr_want;
	volatile pid_t tid;
	struct ent log[MAXLOG];
	volatile int nr_log, overflow;
	int nr_pending;			/* of want[], sent before the dump */
	int nr_after_unblock;
	volatile int unblocked;
	pthread_t t;
};

static struct thr t[NR_T];
static __thread struct thr *me;
static __thread pid_t my_tid;
static volatile uint32_t gate, gate2;
static volatile int nr_orphans;		/* deliveries to a thread without a log */

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
	struct thr *x = me;
	int n;

	(void)ctx;
	if (!x) {
		__atomic_add_fetch(&nr_orphans, 1, __ATOMIC_RELAXED);
		return;
	}
	n = x->nr_log;
	if (n == MAXLOG) {
		x->overflow = 1;
		return;
	}
	x->log[n] = (struct ent){ sig, si->si_code, si->si_code == SI_QUEUE ? si->si_value.sival_int : 0, my_tid };
	__atomic_store_n(&x->nr_log, n + 1, __ATOMIC_RELEASE);
}

static void *thr_main(void *arg)
{
	sigset_t none;

	me = arg;
	my_tid = gettid();
	me->tid = my_tid;
	thr_gate_wait(&gate);
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	me->nr_after_unblock = me->nr_log;
	__atomic_store_n(&me->unblocked, 1, __ATOMIC_RELEASE);
	thr_gate_wait(&gate2);
	return NULL;
}

static void want(struct thr *x, int signo, int code, int value)
{
	x->want[x->nr_want++] = (struct ent){ signo, code, value, x->tid };
}

/* Wait until thread @x has logged @n deliveries (at most THR_TIMEOUT). */
static bool wait_log(struct thr *x, int n)
{
	double until = prog_now() + THR_TIMEOUT;

	while (__atomic_load_n(&x->nr_log, __ATOMIC_ACQUIRE) < n && prog_now() < until)
		thr_sleep_ms(1);
	return x->nr_log >= n;
}

int main(void)
{
	int usr1 = SIGUSR1, usr2 = SIGUSR2, rt1 = SIGRTMIN + 1, rt2 = SIGRTMIN + 2;
	uint64_t all = thr_sigbit(usr1) | thr_sigbit(usr2) | thr_sigbit(rt1) | thr_sigbit(rt2);
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
	int sigs[] = { usr1, usr2, rt1, rt2 };
	union sigval v;

	/* No nesting: each handler runs to its end before the next signal comes. */
	thr_bits_set(all, &sa.sa_mask);
	for (unsigned int k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
		SETUP(!sigaction(sigs[k], &sa, NULL), "sigaction(%d)", sigs[k]);
	thr_block_bits(all);	/* inherited by the threads */
	for (int i = 0; i < NR_T; i++) {
		thr_create(&t[i].t, thr_main, &t[i], 0);
		while (!t[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < NR_T; i++)
		THR_SETUP_BLOCKED(t[i].tid, SYS_futex, "thread waiting for go");

	SETUP(!thr_tgsigqueue(t[0].tid, rt2, 11), "rt_tgsigqueueinfo");
	SETUP(!pthread_kill(t[0].t, usr1), "pthread_kill");
	SETUP(!thr_tgsigqueue(t[0].tid, rt1, 12), "rt_tgsigqueueinfo");
	SETUP(!thr_tgsigqueue(t[0].tid, rt2, 13), "rt_tgsigqueueinfo");
	want(&t[0], usr1, SI_TKILL, 0);
	want(&t[0], rt1, SI_QUEUE, 12);
	want(&t[0], rt2, SI_QUEUE, 11);
	want(&t[0], rt2, SI_QUEUE, 13);
	SETUP(!thr_tgkill(t[1].tid, rt1), "tgkill");
	SETUP(!thr_tgsigqueue(t[1].tid, usr2, 21), "rt_tgsigqueueinfo");
	SETUP(!thr_tgkill(t[1].tid, rt1), "tgkill");
	want(&t[1], usr2, SI_QUEUE, 21);
	want(&t[1], rt1, SI_TKILL, 0);
	want(&t[1], rt1, SI_TKILL, 0);
	for (int i = 0; i < NR_T; i++)
		t[i].nr_pending = t[i].nr_want;

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR_T; i++)
		THR_CHECK_BLOCKED(t[i].tid, SYS_futex, "thread waiting for go");
	for (int i = 0; i < NR_T; i++)
		CHECK(t[i].nr_log == 0, "thread %d: %d handler(s) ran before go (first: signal %d)", i, t[i].nr_log,
		      t[i].log[0].signo);
	thr_gate_open(&gate);
	for (int i = 0; i < NR_T; i++) {
		double until = prog_now() + THR_TIMEOUT;

		while (!__atomic_load_n(&t[i].unblocked, __ATOMIC_ACQUIRE) && prog_now() < until)
			thr_sleep_ms(1);
		CHECK(t[i].unblocked, "thread %d did not unblock its signals", i);
		CHECK(wait_log(&t[i], t[i].nr_pending), "thread %d: %d of %d pending signals delivered after unblocking",
		      i, t[i].nr_log, t[i].nr_pending);
	}

	/* New signals, sent after restore, while the threads wait in a futex. */
	pthread_kill(t[2].t, usr1);
	want(&t[2], usr1, SI_TKILL, 0);
	v.sival_int = 22;
	pthread_sigqueue(t[1].t, rt2, v);
	want(&t[1], rt2, SI_QUEUE, 22);
	pthread_kill(t[0].t, usr2);
	want(&t[0], usr2, SI_TKILL, 0);
	for (int i = 0; i < NR_T; i++)
		CHECK(wait_log(&t[i], t[i].nr_want), "thread %d: %d of %d signals delivered", i, t[i].nr_log,
		      t[i].nr_want);
	thr_sleep_ms(20);	/* anything extra would come now */
	thr_gate_open(&gate2);

	for (int i = 0; i < NR_T; i++) {
		struct thr *x = &t[i];
		int err = thr_join(x->t, NULL);

		CHECK(!err, "thread %d: pthread_join: %s", i, strerror(err));
		CHECK(!x->overflow, "thread %d: more than %d deliveries", i, MAXLOG);
		for (int k = 0; k < x->nr_log || k < x->nr_want; k++) {
			struct ent g = k < x->nr_log ? x->log[k] : (struct ent){ 0, 0, 0, 0 };
			struct ent w = k < x->nr_want ? x->want[k] : (struct ent){ 0, 0, 0, 0 };

			if (!CHECK(g.signo == w.signo && g.code == w.code && g.value == w.value && g.tid == w.tid,
				   "thread %d, delivery #%d: signal %d code %d value %d in thread %d, expected signal %d code %d value %d in thread %d",
				   i, k + 1, g.signo, g.code, g.value, g.tid, w.signo, w.code, w.value, w.tid))
				break;
		}
		/* All pending ones come before the unblocking sigprocmask returns. */
		CHECK(x->nr_after_unblock == x->nr_pending,
		      "thread %d: %d deliveries when unblocking returned, expected %d", i, x->nr_after_unblock,
		      x->nr_pending);
	}
	CHECK(nr_orphans == 0, "%d signal(s) delivered to the main thread", nr_orphans);
	prog_done();
}
