// SPDX-License-Identifier: MIT
/*
 * Process-directed and thread-directed pending signals side by side.  All
 * threads block SIGUSR1 and SIGRTMIN+4.  The main thread sends to the
 * process kill(SIGUSR1) and two sigqueue(SIGRTMIN+4) with values 77 and 78
 * (the shared queue), and to thread 1 only rt_tgsigqueueinfo(SIGRTMIN+4)
 * with value 11 (its private queue).
 *
 * After "go", /proc must show them where they were: ShdPnd with both
 * signals, SigPnd of thread 1 with SIGRTMIN+4 only, of the others nothing.
 * Thread 1 then takes with rt_sigtimedwait(2), in this order: its own
 * SIGRTMIN+4 (11) (private first), SIGUSR1 (SI_USER), SIGRTMIN+4 77 and
 * 78 (SI_QUEUE); then nothing.  Thread 2, afterwards, must find nothing.
 */
#include "progs/thr.h"

#define MAXSIG 8

struct thr {
	volatile pid_t tid;
	volatile uint32_t gate;
	int got[MAXSIG], code[MAXSIG], value[MAXSIG];
	pid_t pid[MAXSIG];
	int nr_got, last_err;
	pthread_t t;
};

static struct thr t[3];
static int rt4;

static void *thr_main(void *arg)
{
	struct thr *me = arg;
	struct timespec zero = { 0, 0 };
	sigset_t set;
	siginfo_t si;
	int s;

	me->tid = gettid();
	thr_gate_wait(&me->gate);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, rt4);
	while ((s = thr_sigtimedwait(&set, &si, &zero)) > 0 && me->nr_got < MAXSIG) {
		me->got[me->nr_got] = s;
		me->code[me->nr_got] = si.si_code;
		me->value[me->nr_got] = si.si_code == SI_QUEUE ? si.si_value.sival_int : 0;
		me->pid[me->nr_got] = si.si_pid;
		me->nr_got++;
	}
	me->last_err = s < 0 ? -s : 0;
	return NULL;
}

static void check_proc(const char *when)
{
	uint64_t shd = 0, pnd;
	uint64_t want_shd = thr_sigbit(SIGUSR1) | thr_sigbit(rt4);

	CHECK(!thr_status_hex(getpid(), "ShdPnd", &shd) && shd == want_shd, "%s: ShdPnd %016llx, expected %016llx",
	      when, (unsigned long long)shd, (unsigned long long)want_shd);
	for (int i = 0; i < 3; i++) {
		uint64_t want = i == 1 ? thr_sigbit(rt4) : 0;

		pnd = ~0ULL;
		CHECK(!thr_status_hex(t[i].tid, "SigPnd", &pnd) && pnd == want,
		      "%s: thread %d (%d): SigPnd %016llx, expected %016llx", when, i, t[i].tid,
		      (unsigned long long)pnd, (unsigned long long)want);
	}
}

int main(void)
{
	union sigval v;

	rt4 = SIGRTMIN + 4;
	thr_block_bits(thr_sigbit(SIGUSR1) | thr_sigbit(rt4));
	t[0].tid = getpid();
	for (int i = 1; i < 3; i++) {
		thr_create(&t[i].t, thr_main, &t[i], 0);
		while (!t[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 1; i < 3; i++)
		THR_SETUP_BLOCKED(t[i].tid, SYS_futex, "thread waiting for go");
	SETUP(!kill(getpid(), SIGUSR1), "kill");
	v.sival_int = 77;
	SETUP(!sigqueue(getpid(), rt4, v), "sigqueue");
	v.sival_int = 78;
	SETUP(!sigqueue(getpid(), rt4, v), "sigqueue");
	SETUP(!thr_tgsigqueue(t[1].tid, rt4, 11), "rt_tgsigqueueinfo");
	check_proc("before the dump");
	SETUP(!prog_nr_failed, "the kernel's view differs before the dump: %s", prog_why);

	prog_ready();
	prog_wait();

	for (int i = 1; i < 3; i++)
		THR_CHECK_BLOCKED(t[i].tid, SYS_futex, "thread waiting for go");
	check_proc("after go");

	struct {
		int sig, code, value;
	} want[] = {
		{ rt4, SI_QUEUE, 11 },
		{ SIGUSR1, SI_USER, 0 },
		{ rt4, SI_QUEUE, 77 },
		{ rt4, SI_QUEUE, 78 },
	};
	int nr_want = sizeof(want) / sizeof(want[0]);

	for (int i = 1; i < 3; i++) {
		struct thr *x = &t[i];
		int err;

		thr_gate_open(&x->gate);
		err = thr_join(x->t, NULL);
		if (!CHECK(!err, "thread %d: pthread_join: %s", i, strerror(err)))
			continue;
		for (int k = 0; k < x->nr_got || (i == 1 && k < nr_want); k++) {
			int ws = i == 1 && k < nr_want ? want[k].sig : 0;
			int wc = ws ? want[k].code : 0, wv = ws ? want[k].value : 0;
			int gs = k < x->nr_got ? x->got[k] : 0;
			int gc = gs ? x->code[k] : 0, gv = gs ? x->value[k] : 0;

			if (!CHECK(gs == ws && gc == wc && gv == wv,
				   "thread %d, signal #%d: got signo %d code %d value %d, expected signo %d code %d value %d",
				   i, k + 1, gs, gc, gv, ws, wc, wv))
				break;
			CHECK(x->pid[k] == getpid(), "thread %d, signal #%d: si_pid %d, expected %d", i, k + 1, x->pid[k],
			      getpid());
		}
		CHECK(x->last_err == EAGAIN, "thread %d: last sigtimedwait: %s, expected EAGAIN", i,
		      strerror(x->last_err));
	}
	prog_done();
}
