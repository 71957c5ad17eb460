// SPDX-License-Identifier: MIT
/*
 * Threads blocked in rt_sigtimedwait(2) at the dump.  W1 waits without
 * timeout for SIGRTMIN+7, W2 with a 30 s timeout for SIGRTMIN+8, W3 for
 * SIGUSR2, which all threads block.  (After a stop the kernel may end such
 * a wait with EINTR, see signal(7): the threads then wait again, as
 * programs must.)
 *
 * After "go" each must be back in rt_sigtimedwait; then the main thread
 * sends rt_tgsigqueueinfo(W1, SIGRTMIN+7, 71), tgkill(W2, SIGRTMIN+8) and
 * kill(getpid(), SIGUSR2), which only W3, waiting for it, may take.  Each
 * must get exactly its own signal with the right si_code, value and pid,
 * not time out, and keep its blocked mask; nothing must be left pending.
 */
#include "progs/thr.h"

#define NR_W 3

struct waiter {
	int sig;
	struct timespec *ts;
	volatile pid_t tid;
	volatile int got, err;
	int code, value, nr_eintr;
	pid_t pid;
	uint64_t mask_before, mask_after, pending_after;
	pthread_t t;
};

static struct waiter w[NR_W];
static volatile uint32_t gate_end;	/* all have their signal: look at what is pending */
static struct timespec thirty = { 30, 0 };

static void *waiter_main(void *arg)
{
	struct waiter *x = arg;
	sigset_t set, pend;
	siginfo_t si;
	int s;

	sigemptyset(&set);
	sigaddset(&set, x->sig);
	x->mask_before = thr_blocked_bits();
	x->tid = gettid();
	while ((s = thr_sigtimedwait(&set, &si, x->ts)) == -EINTR)
		x->nr_eintr++;
	if (s > 0) {
		x->code = si.si_code;
		x->value = si.si_code == SI_QUEUE ? si.si_value.sival_int : 0;
		x->pid = si.si_pid;
		__atomic_store_n(&x->got, s, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(&x->err, -s, __ATOMIC_RELEASE);
	}
	x->mask_after = thr_blocked_bits();
	thr_gate_wait(&gate_end);
	sigpending(&pend);
	x->pending_after = thr_set_bits(&pend);
	return NULL;
}

int main(void)
{
	int rt7 = SIGRTMIN + 7, rt8 = SIGRTMIN + 8;
	uint64_t all = thr_sigbit(rt7) | thr_sigbit(rt8) | thr_sigbit(SIGUSR2);
	int want_code[NR_W] = { SI_QUEUE, SI_TKILL, SI_USER }, want_value[NR_W] = { 71, 0, 0 };

	thr_block_bits(all);	/* inherited */
	w[0].sig = rt7;
	w[1].sig = rt8;
	w[1].ts = &thirty;
	w[2].sig = SIGUSR2;
	for (int i = 0; i < NR_W; i++) {
		thr_create(&w[i].t, waiter_main, &w[i], 0);
		while (!w[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < NR_W; i++)
		THR_SETUP_BLOCKED(w[i].tid, SYS_rt_sigtimedwait, "thread in rt_sigtimedwait");

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR_W; i++) {
		THR_CHECK_BLOCKED(w[i].tid, SYS_rt_sigtimedwait, "thread in rt_sigtimedwait");
		CHECK(!w[i].got && !w[i].err, "waiter %d: returned before go (signal %d, error %d)", i, w[i].got,
		      w[i].err);
	}
	CHECK_EQ(thr_tgsigqueue(w[0].tid, rt7, 71), 0);
	CHECK_EQ(thr_tgkill(w[1].tid, rt8), 0);
	CHECK_EQ(kill(getpid(), SIGUSR2), 0);
	double until = prog_now() + THR_TIMEOUT;

	for (int i = 0; i < NR_W; i++)
		while (!__atomic_load_n(&w[i].got, __ATOMIC_ACQUIRE) && !__atomic_load_n(&w[i].err, __ATOMIC_ACQUIRE) &&
		       prog_now() < until)
			thr_sleep_ms(1);
	thr_gate_open(&gate_end);
	for (int i = 0; i < NR_W; i++) {
		struct waiter *x = &w[i];
		int err = thr_join(x->t, NULL);

		if (!CHECK(!err, "waiter %d: did not return after go: pthread_join: %s", i, strerror(err)))
			continue;
		CHECK(x->got == x->sig && x->code == want_code[i] && x->value == want_value[i] && x->pid == getpid(),
		      "waiter %d: got signal %d code %d value %d pid %d (error %s), expected %d code %d value %d pid %d", i,
		      x->got, x->code, x->value, x->pid, x->err ? strerror(x->err) : "none", x->sig, want_code[i],
		      want_value[i], getpid());
		CHECK(x->mask_after == x->mask_before, "waiter %d: blocked mask %016llx after the wait, expected %016llx",
		      i, (unsigned long long)x->mask_after, (unsigned long long)x->mask_before);
		CHECK(x->pending_after == 0, "waiter %d: %016llx still pending", i, (unsigned long long)x->pending_after);
		if (x->nr_eintr)
			prog_log("waiter %d: %d EINTR (allowed after a stop)", i, x->nr_eintr);
	}
	prog_done();
}
