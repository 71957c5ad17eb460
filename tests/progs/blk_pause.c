// SPDX-License-Identifier: MIT
/*
 * A process dumped inside pause(2): after restore it still waits, and the
 * signal the runner sends before "go" runs the handler once and ends the
 * pause with EINTR.
 */
// sudcr-test: wait-syscall 34
// sudcr-test: wait-syscall32 29
// sudcr-test: kick 10
#include <signal.h>

#include "progs/prog.h"

static volatile int handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	long ret;

	SETUP(SIGUSR1 == 10, "SIGUSR1 is not 10 (see the kick tag)");
	SETUP(!sigaction(SIGUSR1, &sa, NULL), "sigaction");
	prog_ready();
	ret = prog_sys3(__NR_pause, 0, 0, 0);
	prog_wait();

	CHECK(ret == -EINTR, "pause returned %ld", ret);
	CHECK(handled == 1, "handler ran %d times", handled);
	prog_done();
}
