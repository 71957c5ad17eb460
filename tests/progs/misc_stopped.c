// SPDX-License-Identifier: MIT
/*
 * A stopped process (it stops itself with SIGSTOP after READY) is dumped
 * stopped and comes back stopped; the runner checks it is in state T, then
 * continues it: its SIGCONT handler runs exactly once.
 */
// sudcr-test: stopped
#include <signal.h>

#include "progs/prog.h"

static volatile int conts;

static void on_cont(int sig)
{
	(void)sig;
	conts++;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_cont, .sa_flags = SA_RESTART };

	SETUP(!sigaction(SIGCONT, &sa, NULL), "sigaction");
	prog_ready();
	raise(SIGSTOP);
	prog_wait();

	CHECK(conts == 1, "SIGCONT handler ran %d times", conts);
	prog_done();
}
