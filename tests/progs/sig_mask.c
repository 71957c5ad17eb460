// SPDX-License-Identifier: MIT
/*
 * The blocked signal mask, standard and real-time signals: the same after
 * restore (rt_sigprocmask and /proc/self/status SigBlk), and in force: a
 * blocked signal sent afterwards stays pending.
 */
#include <signal.h>

#include "progs/prog.h"

int main(void)
{
	const int sigs[] = { SIGUSR1, SIGUSR2, SIGTERM, SIGWINCH, SIGPIPE, SIGALRM, SIGRTMIN, SIGRTMIN + 6,
			     SIGRTMAX, 0 };
	unsigned long want = 0, now = 0;
	char blk0[64], blk1[64];
	sigset_t set, pending;

	sigemptyset(&set);
	for (int i = 0; sigs[i]; i++) {
		sigaddset(&set, sigs[i]);
		want |= 1UL << (sigs[i] - 1);
	}
	SETUP(!sigprocmask(SIG_SETMASK, &set, NULL), "sigprocmask");
	prog_status("SigBlk", blk0, sizeof(blk0));

	prog_ready();
	prog_wait();

	prog_sys4(__NR_rt_sigprocmask, SIG_BLOCK, 0, (long)&now, 8);
	CHECK(now == want, "blocked mask is 0x%lx, expected 0x%lx", now, want);
	prog_status("SigBlk", blk1, sizeof(blk1));
	CHECK(!strcmp(blk0, blk1), "SigBlk is %s, was %s", blk1, blk0);
	kill(getpid(), SIGWINCH);
	sigpending(&pending);
	CHECK(sigismember(&pending, SIGWINCH), "SIGWINCH is not pending");
	prog_done();
}
