// SPDX-License-Identifier: MIT
/*
 * Threads blocked in syscalls that install a temporary signal mask:
 * sigsuspend(2), ppoll(2) and pselect6(2) with a mask.  Each thread's own
 * mask blocks SIGUSR1 and SIGRTMIN+6; the temporary one blocks SIGUSR2
 * and SIGRTMIN+6 instead (sigsuspend's lets SIGUSR1 in).  While a thread
 * sleeps there, its blocked mask (SigBlk) is the temporary one and the
 * kernel keeps the real one aside, to put back when the call returns.
 *
 * After "go" each thread must be back in its syscall; then SIGUSR1 ends
 * the sigsuspend (its handler runs once, in that thread; sigsuspend
 * fails with EINTR) and data on their pipes end ppoll and pselect (each
 * returns 1 with its fd ready).  Afterwards every thread's blocked mask
 * must be its own again, not the temporary one: a dump that takes the
 * temporary mask for the thread's mask, or loses the mask the kernel kept
 * aside, shows here.
 */
#include <poll.h>
#include <sys/select.h>

#include "progs/thr.h"

enum { S_SUSPEND, S_PPOLL, S_PSELECT, NR_S };

struct thr {
	const char *name;
	long nr;
	int p[2];
	volatile pid_t tid;
	long ret;
	int err, revents;
	bool fd_set_ok;
	uint64_t mask_after;
	pthread_t t;
};

static struct thr t[NR_S] = {
	[S_SUSPEND] = { .name = "sigsuspend", .nr = SYS_rt_sigsuspend },
	[S_PPOLL] = { .name = "ppoll with a mask", .nr = SYS_ppoll },
	[S_PSELECT] = { .name = "pselect6 with a mask", .nr = SYS_pselect6 },
};

static uint64_t own_mask, temp_mask;
static volatile int nr_handled, handled_sig;
static volatile pid_t handled_tid;

static void on_signal(int sig)
{
	handled_sig = sig;
	handled_tid = gettid();
	__atomic_add_fetch(&nr_handled, 1, __ATOMIC_RELAXED);
}

static void *thr_main(void *arg)
{
	struct thr *x = arg;
	sigset_t temp;
	struct pollfd pfd = { .fd = x->p[0], .events = POLLIN };
	fd_set rfds;

	thr_block_bits(own_mask);
	thr_bits_set(temp_mask, &temp);
	x->tid = gettid();
	switch (x - t) {
	case S_SUSPEND:
		sigdelset(&temp, SIGUSR1);
		x->ret = sigsuspend(&temp);
		break;
	case S_PPOLL:
		x->ret = ppoll(&pfd, 1, NULL, &temp);
		x->revents = pfd.revents;
		break;
	case S_PSELECT:
		FD_ZERO(&rfds);
		FD_SET(x->p[0], &rfds);
		x->ret = pselect(x->p[0] + 1, &rfds, NULL, NULL, NULL, &temp);
		x->fd_set_ok = FD_ISSET(x->p[0], &rfds);
		break;
	}
	x->err = x->ret < 0 ? errno : 0;
	x->mask_after = thr_blocked_bits();
	return NULL;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int rt6 = SIGRTMIN + 6;

	own_mask = thr_sigbit(SIGUSR1) | thr_sigbit(rt6);
	temp_mask = thr_sigbit(SIGUSR2) | thr_sigbit(rt6);
	SETUP(!sigaction(SIGUSR1, &sa, NULL) && !sigaction(SIGUSR2, &sa, NULL) && !sigaction(rt6, &sa, NULL),
	      "sigaction");
	thr_block_bits(own_mask | temp_mask);
	for (int i = 0; i < NR_S; i++) {
		SETUP(!pipe2(t[i].p, O_CLOEXEC), "pipe2");
		thr_create(&t[i].t, thr_main, &t[i], 0);
		while (!t[i].tid)
			thr_sleep_ms(1);
	}
	for (int i = 0; i < NR_S; i++) {
		uint64_t blk = 0, want = i == S_SUSPEND ? temp_mask & ~thr_sigbit(SIGUSR1) : temp_mask;

		THR_SETUP_BLOCKED(t[i].tid, t[i].nr, t[i].name);
		SETUP(!thr_status_hex(t[i].tid, "SigBlk", &blk) && blk == want,
		      "%s: SigBlk %016llx while in the syscall, expected %016llx", t[i].name, (unsigned long long)blk,
		      (unsigned long long)want);
	}

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR_S; i++)
		THR_CHECK_BLOCKED(t[i].tid, t[i].nr, t[i].name);
	CHECK(nr_handled == 0, "%d signal(s) handled before go", nr_handled);
	CHECK_EQ(thr_tgkill(t[S_SUSPEND].tid, SIGUSR1), 0);
	CHECK_EQ(write(t[S_PPOLL].p[1], "x", 1), 1);
	CHECK_EQ(write(t[S_PSELECT].p[1], "x", 1), 1);
	for (int i = 0; i < NR_S; i++) {
		struct thr *x = &t[i];
		int err = thr_join(x->t, NULL);

		if (!CHECK(!err, "%s: did not return after go: pthread_join: %s", x->name, strerror(err)))
			continue;
		if (i == S_SUSPEND) {
			CHECK(x->ret == -1 && x->err == EINTR, "%s returned %ld (%s), expected -1 (EINTR)", x->name,
			      x->ret, strerror(x->err));
			CHECK(nr_handled == 1 && handled_sig == SIGUSR1 && handled_tid == x->tid,
			      "%d handler run(s), last for signal %d in thread %d; expected one for %d in %d", nr_handled,
			      handled_sig, handled_tid, SIGUSR1, x->tid);
		} else {
			CHECK(x->ret == 1, "%s returned %ld (%s), expected 1", x->name, x->ret, strerror(x->err));
			if (i == S_PPOLL)
				CHECK_EQ(x->revents, POLLIN);
			else
				CHECK(x->fd_set_ok, "%s: the pipe is not reported ready", x->name);
		}
		CHECK(x->mask_after == own_mask,
		      "%s: blocked mask %016llx after the call, expected the thread's own %016llx%s", x->name,
		      (unsigned long long)x->mask_after, (unsigned long long)own_mask,
		      x->mask_after == (i == S_SUSPEND ? temp_mask & ~thr_sigbit(SIGUSR1) : temp_mask)
			      ? " (it kept the temporary mask)"
			      : "");
	}
	prog_done();
}
