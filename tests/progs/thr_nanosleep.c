// SPDX-License-Identifier: MIT
/*
 * Threads asleep at the dump, one way each: nanosleep(2) (the raw
 * syscall), a relative clock_nanosleep on CLOCK_MONOTONIC, an absolute
 * one on CLOCK_MONOTONIC and an absolute one on CLOCK_REALTIME.  Each
 * sleeps in naps of NAP seconds back to back (the absolute ones on a fixed
 * schedule of deadlines), so whenever the dump comes, every thread is in
 * the middle of a nap, however long the dump and restore take.
 *
 * After "go" each must still be asleep (in its syscall or the kernel's
 * restart_syscall); then it finishes its nap and stops.  Every nap, and
 * above all the one the dump interrupted, must return 0 (not EINTR), not
 * before its time (a relative nap at least NAP after it began, an absolute
 * one not before its deadline), and not much later either: a nap that was
 * going on between READY and go ends at most NAP after go (a restored
 * relative sleep may start over) plus slack, any other at most NAP plus
 * slack after it began.
 */
#include "progs/thr.h"

#define NAP	0.2
#define SLACK	0.5
#define MAXNAPS	512

enum { S_NANOSLEEP, S_MONO_REL, S_MONO_ABS, S_REAL_ABS, NR_S };

struct nap {
	double start, end;		/* CLOCK_MONOTONIC */
	double deadline;		/* absolute ones, on their own clock */
	double end_own;			/* the end on that clock */
	long ret;
};

struct sleeper {
	const char *name;
	long nr;			/* the syscall it sleeps in */
	volatile pid_t tid;
	struct nap naps[MAXNAPS];
	volatile int nr_naps;
	long bad_ret;			/* a nap beyond MAXNAPS that failed */
	pthread_t t;
};

static struct sleeper s[NR_S] = {
	[S_NANOSLEEP] = { .name = "nanosleep", .nr = SYS_nanosleep },
	[S_MONO_REL] = { .name = "clock_nanosleep(CLOCK_MONOTONIC, relative)", .nr = SYS_clock_nanosleep },
	[S_MONO_ABS] = { .name = "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)", .nr = SYS_clock_nanosleep },
	[S_REAL_ABS] = { .name = "clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME)", .nr = SYS_clock_nanosleep },
};

static volatile int stop;

static struct timespec ts_of(double t)
{
	return (struct timespec){ (time_t)t, (long)((t - (time_t)t) * 1e9) };
}

static double clock_now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *sleeper_main(void *arg)
{
	struct sleeper *me = arg;
	int kind = me - s;
	clockid_t clk = kind == S_REAL_ABS ? CLOCK_REALTIME : CLOCK_MONOTONIC;
	double deadline = clock_now(clk);
	struct timespec req = ts_of(NAP), rem, abs;

	me->tid = gettid();
	for (int n = 0; !__atomic_load_n(&stop, __ATOMIC_ACQUIRE); n++) {
		struct nap x = { .start = prog_now() };

		deadline += NAP;
		x.deadline = deadline;
		switch (kind) {
		case S_NANOSLEEP:
			x.ret = syscall(SYS_nanosleep, &req, &rem) ? -errno : 0;
			break;
		case S_MONO_REL:
			x.ret = -clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
			break;
		case S_MONO_ABS:
		case S_REAL_ABS:
			abs = ts_of(deadline);
			x.ret = -clock_nanosleep(clk, TIMER_ABSTIME, &abs, NULL);
			x.end_own = clock_now(clk);
			break;
		}
		x.end = prog_now();
		if (n < MAXNAPS) {
			me->naps[n] = x;
			__atomic_store_n(&me->nr_naps, n + 1, __ATOMIC_RELEASE);
		} else if (x.ret && !me->bad_ret) {
			me->bad_ret = x.ret;
		}
	}
	return NULL;
}

static void check_nap(struct sleeper *x, int n, double t_ready, double t_go)
{
	struct nap *p = &x->naps[n];
	bool abs = x - s == S_MONO_ABS || x - s == S_REAL_ABS;
	double latest = p->start + NAP + SLACK;

	/* The dump came between READY and go. */
	if (p->end > t_ready && p->start < t_go)
		latest = (p->start + NAP > t_go ? p->start + NAP : t_go) + NAP + SLACK;

	CHECK(p->ret == 0, "%s, nap %d (%s the dump): returned %ld (%s), expected 0", x->name, n + 1,
	      p->start < t_go ? "before or during" : "after", p->ret, strerror(-p->ret));
	if (abs)
		CHECK(p->end_own >= p->deadline, "%s, nap %d: woke %.6f s before its deadline", x->name, n + 1,
		      p->deadline - p->end_own);
	else
		CHECK(p->end - p->start >= NAP, "%s, nap %d: cut short: %.6f s of %.3f", x->name, n + 1,
		      p->end - p->start, NAP);
	CHECK(p->end <= latest, "%s, nap %d: woke %.3f s after go, expected at most %.3f", x->name, n + 1,
	      p->end - t_go, latest - t_go);
}

int main(void)
{
	double t_ready, t_go;
	int at_go[NR_S];

	for (int i = 0; i < NR_S; i++) {
		thr_create(&s[i].t, sleeper_main, &s[i], 0);
		while (!s[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < NR_S; i++)
		THR_SETUP_BLOCKED(s[i].tid, s[i].nr, s[i].name);

	t_ready = prog_now();
	prog_ready();
	prog_wait();
	t_go = prog_now();

	for (int i = 0; i < NR_S; i++) {
		at_go[i] = s[i].nr_naps;
		THR_CHECK_BLOCKED(s[i].tid, s[i].nr, s[i].name);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < NR_S; i++) {
		struct sleeper *x = &s[i];
		int err = thr_join_for(x->t, NULL, 2 * NAP + THR_TIMEOUT);

		if (!CHECK(!err, "%s: pthread_join: %s", x->name, strerror(err)))
			continue;
		CHECK(x->nr_naps > at_go[i] && x->nr_naps <= MAXNAPS,
		      "%s: %d naps, %d of them before go: the nap of the dump never ended", x->name, x->nr_naps,
		      at_go[i]);
		for (int n = 0; n < x->nr_naps; n++)
			check_nap(x, n, t_ready, t_go);
		CHECK(x->bad_ret == 0, "%s: a nap returned %ld", x->name, x->bad_ret);
	}
	prog_done();
}
