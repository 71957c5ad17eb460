// SPDX-License-Identifier: MIT
/*
 * Alternate signal stacks per thread.  T1 has a 64 KiB altstack, T2 one
 * with SS_AUTODISARM, T3 none; T4 has one and is inside its SIGUSR2
 * handler, running on it, waiting in a futex, when the dump comes.
 *
 * After "go" sigaltstack(2) must report to each thread exactly its own
 * stack and flags.  A SIGUSR1 sent to each by pthread_kill() must run its
 * SA_ONSTACK handler on that thread's own altstack (T3: on its ordinary
 * stack, outside every altstack); inside, T2's stack is disarmed and comes
 * back armed after the handler.  T4's handler, let go, must find itself on
 * its altstack (SS_ONSTACK) with SIGUSR2 blocked, and after it returns T4
 * must be off it again.
 */
#include "progs/thr.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

#define ALT_SIZE (64 << 10)
#define NR_T 4

struct thr {
	bool has_alt;
	int flags;			/* sigaltstack flags set */
	char *alt;
	volatile pid_t tid;
	stack_t got_before;		/* after go, before the signal */
	stack_t in_handler;		/* queried in the handler */
	void *handler_sp;		/* a local of the handler */
	uint64_t handler_mask;
	stack_t got_after;		/* after the handler */
	volatile int handled;
	volatile uint32_t gate, gate2, hold;
	pthread_t t;
};

static struct thr t[NR_T + 1];		/* t[1]..t[4] */
static __thread struct thr *me;
static volatile int held;		/* T4 is in its handler */

static void on_signal(int sig)
{
	struct thr *x = me;
	int local;

	if (!x)
		return;
	x->handler_sp = &local;
	sigaltstack(NULL, &x->in_handler);
	x->handler_mask = thr_blocked_bits();
	if (sig == SIGUSR2) {
		held = 1;
		thr_gate_wait(&x->hold);
		x->handler_sp = &local;
		sigaltstack(NULL, &x->in_handler);
		x->handler_mask = thr_blocked_bits();
	}
	__atomic_store_n(&x->handled, 1, __ATOMIC_RELEASE);
}

static void *thr_main(void *arg)
{
	struct thr *x = arg;

	me = x;
	if (x->has_alt) {
		stack_t ss = { .ss_sp = x->alt, .ss_size = ALT_SIZE, .ss_flags = x->flags };

		SETUP(!sigaltstack(&ss, NULL), "sigaltstack");
	}
	x->tid = gettid();
	thr_gate_wait(&x->gate);
	sigaltstack(NULL, &x->got_before);
	thr_gate_wait(&x->gate2);
	sigaltstack(NULL, &x->got_after);
	return NULL;
}

static bool on_alt(const struct thr *x, void *p)
{
	return x->alt && (char *)p >= x->alt && (char *)p < x->alt + ALT_SIZE;
}

static void check_stack(int i, const char *when, const stack_t *got, void *sp, size_t size, int flags)
{
	CHECK(got->ss_sp == sp && got->ss_size == size && got->ss_flags == flags,
	      "T%d %s: sigaltstack {%p, %zu, 0x%x}, expected {%p, %zu, 0x%x}", i, when, got->ss_sp, got->ss_size,
	      got->ss_flags, sp, size, flags);
}

static bool wait_flag(volatile int *f)
{
	double until = prog_now() + THR_TIMEOUT;

	while (!__atomic_load_n(f, __ATOMIC_ACQUIRE) && prog_now() < until)
		thr_sleep_ms(1);
	return *f;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_ONSTACK | SA_RESTART };

	SETUP(!sigaction(SIGUSR1, &sa, NULL) && !sigaction(SIGUSR2, &sa, NULL), "sigaction");
	t[1].has_alt = t[2].has_alt = t[4].has_alt = true;
	t[2].flags = (int)SS_AUTODISARM;
	for (int i = 1; i <= NR_T; i++) {
		if (t[i].has_alt) {
			t[i].alt = aligned_alloc(4096, ALT_SIZE);
			SETUP(t[i].alt, "aligned_alloc");
		}
		thr_create(&t[i].t, thr_main, &t[i], 0);
		while (!t[i].tid)
			thr_sleep_ms(1);
	}
	SETUP(!pthread_kill(t[4].t, SIGUSR2), "pthread_kill");
	SETUP(wait_flag(&held), "T4 did not enter its handler");
	for (int i = 1; i <= NR_T; i++)
		THR_SETUP_BLOCKED(t[i].tid, SYS_futex, i == 4 ? "T4 in its handler" : "thread waiting for go");

	prog_ready();
	prog_wait();

	for (int i = 1; i <= NR_T; i++)
		THR_CHECK_BLOCKED(t[i].tid, SYS_futex, i == 4 ? "T4 in its handler" : "thread waiting for go");

	/* T4, held in its handler since before the dump. */
	CHECK(!t[4].handled, "T4's handler returned before go");
	thr_gate_open(&t[4].hold);
	if (CHECK(wait_flag(&t[4].handled), "T4's handler did not finish")) {
		check_stack(4, "in its handler", &t[4].in_handler, t[4].alt, ALT_SIZE, SS_ONSTACK);
		CHECK(on_alt(&t[4], t[4].handler_sp), "T4's handler runs at %p, not on its altstack %p",
		      t[4].handler_sp, t[4].alt);
		CHECK(t[4].handler_mask & thr_sigbit(SIGUSR2), "T4's handler: SIGUSR2 not blocked (mask %016llx)",
		      (unsigned long long)t[4].handler_mask);
	}
	for (int i = 1; i <= NR_T; i++)
		thr_gate_open(&t[i].gate);
	for (int i = 1; i <= NR_T; i++) {
		double until = prog_now() + THR_TIMEOUT;
		char why[256];

		while (thr_wait_blocked(t[i].tid, SYS_futex, why, sizeof(why)) && prog_now() < until)
			;
		if (i < 4) {
			t[i].handled = 0;
			CHECK_EQ(pthread_kill(t[i].t, SIGUSR1), 0);
			CHECK(wait_flag(&t[i].handled), "T%d: SIGUSR1 not handled", i);
		}
	}
	for (int i = 1; i <= NR_T; i++) {
		int err;

		thr_gate_open(&t[i].gate2);
		err = thr_join(t[i].t, NULL);
		if (!CHECK(!err, "T%d: pthread_join: %s", i, strerror(err)))
			continue;
		if (t[i].has_alt) {
			check_stack(i, "after go", &t[i].got_before, t[i].alt, ALT_SIZE, t[i].flags);
			check_stack(i, "after its handler", &t[i].got_after, t[i].alt, ALT_SIZE, t[i].flags);
		} else {
			check_stack(i, "after go", &t[i].got_before, NULL, 0, SS_DISABLE);
		}
		if (i == 4)
			continue;
		if (t[i].has_alt)
			CHECK(on_alt(&t[i], t[i].handler_sp), "T%d's handler runs at %p, not on its altstack %p", i,
			      t[i].handler_sp, t[i].alt);
		for (int k = 1; k <= NR_T; k++)
			if (k != i)
				CHECK(!on_alt(&t[k], t[i].handler_sp), "T%d's handler runs at %p, on T%d's altstack", i,
				      t[i].handler_sp, k);
		if (i == 1)
			check_stack(1, "in its handler", &t[1].in_handler, t[1].alt, ALT_SIZE, SS_ONSTACK);
		if (i == 2)
			check_stack(2, "in its handler (SS_AUTODISARM)", &t[2].in_handler, NULL, 0, SS_DISABLE);
		if (i == 3)
			check_stack(3, "in its handler", &t[3].in_handler, NULL, 0, SS_DISABLE);
	}
	prog_done();
}
