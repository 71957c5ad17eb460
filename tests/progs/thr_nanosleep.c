// SPDX-License-Identifier: MIT
/*
 * Threads asleep at the dump, one way each: nanosleep(2) (the raw
 * syscall), a relative clock_nanosleep on CLOCK_MONOTONIC, an absolute
 * one on CLOCK_MONOTONIC and an absolute one on CLOCK_REALTIME.  Each
 * sleeps in naps of NAP seconds back to back (the absolute ones on a fixed
 * schedule of deadlines), so whenever the dump comes, every thread is in
 * the middle of a nap.
 *
 * What DESIGN.md ("Restart block") promises, checked exactly, with no
 * upper bound on any time (a loaded machine may be late for anything):
 *  - restored, a sleep cut short with -ERESTART_RESTARTBLOCK is the
 *    original call issued again with its original arguments: after "go"
 *    each thread is back in its own syscall (never restart_syscall, whose
 *    restart block a new process cannot have), with the arguments it
 *    passed (/proc/self/task/TID/syscall), which still say NAP or the
 *    nap's deadline;
 *  - so a relative nap starts over: the nap the dump cut ends at least
 *    NAP after the restored process was created (its start time in
 *    /proc/self/stat, after the dump), not NAP after it first began
 *    (a nap that ended before the restored process existed cannot tell:
 *    with naps back to back, one is always going on);
 *  - an absolute nap is exact: it sleeps until its own deadline, never
 *    wakes before it;
 *  - left running, the kernel's restart block is kept: restart_syscall, or
 *    the thread's own call with its own arguments;
 *  - every nap returns 0 (not EINTR) and none is cut short.
 */
#include <sys/syscall.h>

#include "progs/thr.h"

#define NAP	1.5
#define MAXNAPS	64

enum { S_NANOSLEEP, S_MONO_REL, S_MONO_ABS, S_REAL_ABS, NR_S };

struct nap {
	double start, end;		/* CLOCK_BOOTTIME, the clock of the start time in stat */
	double deadline;		/* absolute ones, on their own clock */
	double end_own;			/* the end on that clock */
	long ret;
};

struct sleeper {
	const char *name;
	long nr;			/* the syscall it sleeps in */
	bool abs;
	clockid_t clk;
	volatile pid_t tid;
	struct nap naps[MAXNAPS];
	volatile int nr_naps;
	struct timespec req, rem, abs_ts;	/* the arguments of its call */
	double cur_deadline;		/* of the nap going on */
	long bad_ret;			/* a nap beyond MAXNAPS that failed */
	pthread_t t;
};

static struct sleeper s[NR_S] = {
	[S_NANOSLEEP] = { .name = "nanosleep", .nr = SYS_nanosleep, .clk = CLOCK_MONOTONIC },
	[S_MONO_REL] = { .name = "clock_nanosleep(CLOCK_MONOTONIC, relative)", .nr = SYS_clock_nanosleep,
			 .clk = CLOCK_MONOTONIC },
	[S_MONO_ABS] = { .name = "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)", .nr = SYS_clock_nanosleep,
			 .abs = true, .clk = CLOCK_MONOTONIC },
	[S_REAL_ABS] = { .name = "clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME)", .nr = SYS_clock_nanosleep,
			 .abs = true, .clk = CLOCK_REALTIME },
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
	double deadline = clock_now(me->clk);

	me->req = ts_of(NAP);
	me->tid = gettid();
	for (int n = 0; !__atomic_load_n(&stop, __ATOMIC_ACQUIRE); n++) {
		struct nap x = { .start = clock_now(CLOCK_BOOTTIME) };

		deadline += NAP;
		x.deadline = deadline;
		me->cur_deadline = deadline;
		me->abs_ts = ts_of(deadline);
		switch (kind) {
		case S_NANOSLEEP:
			x.ret = syscall(SYS_nanosleep, &me->req, &me->rem) ? -errno : 0;
			break;
		/* Raw calls: an ia32 libc would pass a time64 copy of its own. */
		case S_MONO_REL:
			x.ret = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &me->req, &me->rem) ? -errno : 0;
			break;
		case S_MONO_ABS:
		case S_REAL_ABS:
			x.ret = syscall(SYS_clock_nanosleep, me->clk, TIMER_ABSTIME, &me->abs_ts, NULL) ? -errno : 0;
			x.end_own = clock_now(me->clk);
			break;
		}
		x.end = clock_now(CLOCK_BOOTTIME);
		if (n < MAXNAPS) {
			me->naps[n] = x;
			__atomic_store_n(&me->nr_naps, n + 1, __ATOMIC_RELEASE);
		} else if (x.ret && !me->bad_ret) {
			me->bad_ret = x.ret;
		}
	}
	return NULL;
}

/* What /proc/self/task/TID/syscall says: the number and the first three arguments. */
static int task_syscall(pid_t tid, long *nr, unsigned long args[3])
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	if (prog_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return sscanf(buf, "%ld %lx %lx %lx", nr, &args[0], &args[1], &args[2]) == 4 ? 0 : -1;
}

/* After go, while it still sleeps: in which call, with which arguments. */
static void check_call(struct sleeper *x, bool restored)
{
	unsigned long a[3], want[3];
	long nr = -1;
	int n = x->nr_naps;

	if (!CHECK(!task_syscall(x->tid, &nr, a), "%s: cannot read its syscall", x->name))
		return;
	if (x->nr_naps != n)
		return;		/* a nap ended meanwhile: the next one is a new call */
	if (nr == SYS_restart_syscall) {
		CHECK(!restored, "%s: restored into restart_syscall, which the new process has no restart block for",
		      x->name);
		return;
	}
	CHECK(nr == x->nr, "%s: in syscall %ld, expected %ld", x->name, nr, x->nr);
	switch (x - s) {
	case S_NANOSLEEP:
		want[0] = (unsigned long)&x->req;
		want[1] = (unsigned long)&x->rem;
		want[2] = a[2];
		break;
	case S_MONO_REL:
		want[0] = CLOCK_MONOTONIC;
		want[1] = 0;
		want[2] = (unsigned long)&x->req;
		break;
	default:
		want[0] = x->clk;
		want[1] = TIMER_ABSTIME;
		want[2] = (unsigned long)&x->abs_ts;
		break;
	}
	CHECK(a[0] == want[0] && a[1] == want[1] && a[2] == want[2],
	      "%s: arguments 0x%lx 0x%lx 0x%lx, expected its own 0x%lx 0x%lx 0x%lx", x->name, a[0], a[1], a[2],
	      want[0], want[1], want[2]);
	/* The arguments still say what the thread asked for. */
	if (x->abs) {
		struct timespec d = ts_of(x->cur_deadline);

		CHECK(x->abs_ts.tv_sec == d.tv_sec && x->abs_ts.tv_nsec == d.tv_nsec,
		      "%s: its deadline now says %ld.%09ld, expected %ld.%09ld", x->name, (long)x->abs_ts.tv_sec,
		      x->abs_ts.tv_nsec, (long)d.tv_sec, d.tv_nsec);
	} else {
		CHECK(x->req.tv_sec == (time_t)NAP && x->req.tv_nsec == (long)((NAP - (time_t)NAP) * 1e9),
		      "%s: its request now says %ld.%09ld", x->name, (long)x->req.tv_sec, x->req.tv_nsec);
	}
}

/*
 * The start time is rounded down to a clock tick: the new process was
 * created in [t_created, t_created + tick).  The nap the dump cut began
 * before that (before the freeze) and ends after it (NAP after the
 * resume, if it starts over), so it is the one going on at the end of
 * that interval; no other nap is (the one before ended before the freeze,
 * the one after begins after the cut one ends).
 */
static bool cut_by_dump(const struct nap *p, double t_created)
{
	double upper = t_created + 1.0 / sysconf(_SC_CLK_TCK);

	return p->start < upper && p->end > upper;
}

static void check_nap(struct sleeper *x, int n, bool restored, double t_created)
{
	struct nap *p = &x->naps[n];

	CHECK(p->ret == 0, "%s, nap %d: returned %ld (%s), expected 0", x->name, n + 1, p->ret, strerror(-p->ret));
	if (x->abs)
		CHECK(p->end_own >= p->deadline, "%s, nap %d: woke %.6f s before its deadline", x->name, n + 1,
		      p->deadline - p->end_own);
	else
		CHECK(p->end - p->start >= NAP, "%s, nap %d: cut short: %.6f s of %.3f", x->name, n + 1,
		      p->end - p->start, NAP);
	/* The nap the dump cut: begun before the new process existed, ended after. */
	if (restored && !x->abs && cut_by_dump(p, t_created))
		CHECK(p->end >= t_created + NAP,
		      "%s, nap %d (cut by the dump): ended %.3f s after the restored process was created, so it did not start over (%.3f s)",
		      x->name, n + 1, p->end - t_created, NAP);
}

int main(void)
{
	double t_before, t_after;
	bool restored;

	t_before = prog_start_time();
	SETUP(t_before >= 0, "cannot read the start time in /proc/self/stat");
	for (int i = 0; i < NR_S; i++) {
		thr_create(&s[i].t, sleeper_main, &s[i], 0);
		while (!s[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < NR_S; i++)
		THR_SETUP_BLOCKED(s[i].tid, s[i].nr, s[i].name);

	prog_ready();
	prog_wait();

	t_after = prog_start_time();
	restored = t_after != t_before;
	for (int i = 0; i < NR_S; i++) {
		THR_CHECK_BLOCKED(s[i].tid, s[i].nr, s[i].name);
		check_call(&s[i], restored);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < NR_S; i++) {
		struct sleeper *x = &s[i];
		int err = thr_join_for(x->t, NULL, 2 * NAP + THR_TIMEOUT);
		bool cut = false;

		if (!CHECK(!err, "%s: pthread_join: %s", x->name, strerror(err)))
			continue;
		for (int n = 0; n < x->nr_naps; n++) {
			check_nap(x, n, restored, t_after);
			cut |= cut_by_dump(&x->naps[n], t_after);
		}
		/* The restored process came after the dump, in the middle of a nap. */
		CHECK(!restored || cut, "%s: no nap was going on when the restored process was created", x->name);
		CHECK(x->bad_ret == 0, "%s: a nap returned %ld", x->name, x->bad_ret);
	}
	prog_done();
}
