// SPDX-License-Identifier: MIT
/*
 * Per-thread blocked masks and thread-directed pending signals.  Four
 * threads block four different sets of signals; while they wait in a
 * futex, the main thread (which blocks them all) sends each its own
 * signals, all blocked there: tgkill(2) (si_code SI_TKILL), a standard
 * signal sent twice (one instance stays), several instances of one RT
 * signal with values by rt_tgsigqueueinfo(2) (SI_QUEUE, in queue order),
 * and an RT signal sent by tgkill after queued ones.  The fourth thread
 * gets nothing.
 *
 * After "go": /proc/self/task/TID/status must show exactly the same
 * SigBlk and SigPnd per thread, and ShdPnd empty; each thread's own mask
 * and sigpending() are checked, then it takes its signals with
 * rt_sigtimedwait(2) and must get exactly its own list, in order (lowest
 * number first, queue order within a signal), with signo, code, pid, uid
 * and value intact, and nothing more.  A handler catches any signal that
 * is delivered instead (a mask that was not restored): none may run.
 */
#include "progs/thr.h"

#define NR_T	4
#define MAXSIG	16

struct sig {
	int signo, code, value;		/* value: SI_QUEUE only */
};

struct thr {
	uint64_t mask;			/* blocked */
	struct sig want[MAXSIG];
	int nr_want;
	volatile pid_t tid;
	/* Results, checked by the main thread. */
	uint64_t mask_after, pending_after;
	struct sig got[MAXSIG];
	pid_t got_pid[MAXSIG];
	uid_t got_uid[MAXSIG];
	int nr_got, last_err;
	pthread_t t;
};

static struct thr t[NR_T];
static volatile uint32_t gate;
static volatile int stray_sig, stray_tid, nr_strays;

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)si;
	(void)ctx;
	stray_sig = sig;
	stray_tid = gettid();
	__atomic_add_fetch(&nr_strays, 1, __ATOMIC_RELAXED);
}

static void *thr_main(void *arg)
{
	struct thr *me = arg;
	sigset_t set, pend;
	struct timespec zero = { 0, 0 };
	siginfo_t si;

	thr_block_bits(me->mask);
	me->tid = gettid();
	thr_gate_wait(&gate);

	me->mask_after = thr_blocked_bits();
	sigpending(&pend);
	me->pending_after = thr_set_bits(&pend);
	thr_bits_set(me->mask, &set);
	for (;;) {
		int s = thr_sigtimedwait(&set, &si, &zero);

		if (s < 0) {
			me->last_err = -s;
			break;
		}
		if (me->nr_got == MAXSIG)
			break;
		me->got[me->nr_got] = (struct sig){ s, si.si_code, si.si_code == SI_QUEUE ? si.si_value.sival_int : 0 };
		me->got_pid[me->nr_got] = si.si_pid;
		me->got_uid[me->nr_got] = si.si_uid;
		me->nr_got++;
	}
	return NULL;
}

static void want(struct thr *x, int signo, int code, int value)
{
	x->want[x->nr_want++] = (struct sig){ signo, code, value };
}

static void send(struct thr *x, int signo, int code, int value)
{
	if (code == SI_TKILL)
		SETUP(!thr_tgkill(x->tid, signo), "tgkill(%d, %d)", x->tid, signo);
	else
		SETUP(!thr_tgsigqueue(x->tid, signo, value), "rt_tgsigqueueinfo(%d, %d)", x->tid, signo);
}

/* The kernel's view of thread @i: SigBlk and SigPnd; and ShdPnd. */
static void check_proc(int i, const char *when)
{
	uint64_t blk = 0, pnd = 0, shd = 0, want_pnd = 0;

	for (int k = 0; k < t[i].nr_want; k++)
		want_pnd |= thr_sigbit(t[i].want[k].signo);
	if (!CHECK(!thr_status_hex(t[i].tid, "SigBlk", &blk) && !thr_status_hex(t[i].tid, "SigPnd", &pnd) &&
			   !thr_status_hex(t[i].tid, "ShdPnd", &shd),
		   "%s: cannot read /proc/self/task/%d/status", when, t[i].tid))
		return;
	CHECK(blk == t[i].mask, "%s: thread %d (%d): SigBlk %016llx, expected %016llx", when, i, t[i].tid,
	      (unsigned long long)blk, (unsigned long long)t[i].mask);
	CHECK(pnd == want_pnd, "%s: thread %d (%d): SigPnd %016llx, expected %016llx", when, i, t[i].tid,
	      (unsigned long long)pnd, (unsigned long long)want_pnd);
	CHECK(shd == 0, "%s: ShdPnd %016llx, expected 0 (all signals were sent to threads)", when,
	      (unsigned long long)shd);
}

int main(void)
{
	int usr1 = SIGUSR1, usr2 = SIGUSR2, rt1 = SIGRTMIN + 1, rt2 = SIGRTMIN + 2, rt3 = SIGRTMIN + 3;
	uint64_t all = thr_sigbit(usr1) | thr_sigbit(usr2) | thr_sigbit(rt1) | thr_sigbit(rt2) | thr_sigbit(rt3);
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
	int sigs[] = { usr1, usr2, rt1, rt2, rt3 };

	for (unsigned int k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
		SETUP(!sigaction(sigs[k], &sa, NULL), "sigaction(%d)", sigs[k]);
	thr_block_bits(all);

	t[0].mask = thr_sigbit(usr1) | thr_sigbit(rt1);
	t[1].mask = thr_sigbit(usr2) | thr_sigbit(rt1) | thr_sigbit(rt2);
	t[2].mask = thr_sigbit(usr1) | thr_sigbit(usr2) | thr_sigbit(rt3);
	t[3].mask = all;
	for (int i = 0; i < NR_T; i++) {
		thr_create(&t[i].t, thr_main, &t[i], 0);
		while (!t[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < NR_T; i++)
		THR_SETUP_BLOCKED(t[i].tid, SYS_futex, "thread waiting for go");

	/* Thread 0: USR1 twice (one stays), three RT1 with values. */
	send(&t[0], usr1, SI_TKILL, 0);
	send(&t[0], usr1, SI_TKILL, 0);
	send(&t[0], rt1, SI_QUEUE, 1001);
	send(&t[0], rt1, SI_QUEUE, 1002);
	send(&t[0], rt1, SI_QUEUE, 1003);
	want(&t[0], usr1, SI_TKILL, 0);
	want(&t[0], rt1, SI_QUEUE, 1001);
	want(&t[0], rt1, SI_QUEUE, 1002);
	want(&t[0], rt1, SI_QUEUE, 1003);
	/* Thread 1: RT2 queued twice, then by tgkill; RT1 before; USR2 last. */
	send(&t[1], rt2, SI_QUEUE, 2002);
	send(&t[1], rt1, SI_QUEUE, 2001);
	send(&t[1], rt2, SI_QUEUE, 2003);
	send(&t[1], rt2, SI_TKILL, 0);
	send(&t[1], usr2, SI_TKILL, 0);
	want(&t[1], usr2, SI_TKILL, 0);
	want(&t[1], rt1, SI_QUEUE, 2001);
	want(&t[1], rt2, SI_QUEUE, 2002);
	want(&t[1], rt2, SI_QUEUE, 2003);
	want(&t[1], rt2, SI_TKILL, 0);
	/* Thread 2: a standard signal with a value, RT3 twice by tgkill. */
	send(&t[2], rt3, SI_TKILL, 0);
	send(&t[2], usr1, SI_QUEUE, 3001);
	send(&t[2], rt3, SI_TKILL, 0);
	want(&t[2], usr1, SI_QUEUE, 3001);
	want(&t[2], rt3, SI_TKILL, 0);
	want(&t[2], rt3, SI_TKILL, 0);
	/* Thread 3: nothing. */

	for (int i = 0; i < NR_T; i++)
		check_proc(i, "before the dump");
	SETUP(!prog_nr_failed, "the kernel's view differs before the dump: %s", prog_why);

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR_T; i++) {
		THR_CHECK_BLOCKED(t[i].tid, SYS_futex, "thread waiting for go");
		check_proc(i, "after go");
	}
	thr_gate_open(&gate);
	for (int i = 0; i < NR_T; i++) {
		struct thr *x = &t[i];
		uint64_t want_pnd = 0;
		int err = thr_join(x->t, NULL);

		if (!CHECK(!err, "thread %d: pthread_join: %s", i, strerror(err)))
			continue;
		for (int k = 0; k < x->nr_want; k++)
			want_pnd |= thr_sigbit(x->want[k].signo);
		CHECK(x->mask_after == x->mask, "thread %d: blocked mask %016llx, expected %016llx", i,
		      (unsigned long long)x->mask_after, (unsigned long long)x->mask);
		CHECK(x->pending_after == want_pnd, "thread %d: sigpending() %016llx, expected %016llx", i,
		      (unsigned long long)x->pending_after, (unsigned long long)want_pnd);
		for (int k = 0; k < x->nr_got || k < x->nr_want; k++) {
			struct sig g = k < x->nr_got ? x->got[k] : (struct sig){ 0, 0, 0 };
			struct sig w = k < x->nr_want ? x->want[k] : (struct sig){ 0, 0, 0 };

			if (!CHECK(g.signo == w.signo && g.code == w.code && g.value == w.value,
				   "thread %d, signal #%d: got signo %d code %d value %d, expected signo %d code %d value %d",
				   i, k + 1, g.signo, g.code, g.value, w.signo, w.code, w.value))
				break;
			CHECK(x->got_pid[k] == getpid() && x->got_uid[k] == getuid(),
			      "thread %d, signal #%d: si_pid %d si_uid %d, expected %d %d", i, k + 1, x->got_pid[k],
			      x->got_uid[k], getpid(), getuid());
		}
		CHECK(x->last_err == EAGAIN, "thread %d: last sigtimedwait failed with %s, expected EAGAIN", i,
		      strerror(x->last_err));
	}
	CHECK(nr_strays == 0, "%d signal(s) delivered to a handler instead of staying pending: last %d in thread %d",
	      nr_strays, stray_sig, stray_tid);
	prog_done();
}
