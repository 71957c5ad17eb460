// SPDX-License-Identifier: MIT
/*
 * The parent-death signal (PR_SET_PDEATHSIG): the same after restore.
 */
#include <signal.h>
#include <sys/prctl.h>

#include "progs/prog.h"

int main(void)
{
	int sig = 0;

	SETUP(!prctl(PR_SET_PDEATHSIG, SIGWINCH, 0, 0, 0), "PR_SET_PDEATHSIG");

	prog_ready();
	prog_wait();

	CHECK(!prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0), "PR_GET_PDEATHSIG");
	CHECK(sig == SIGWINCH, "parent-death signal is %d, expected %d", sig, SIGWINCH);
	prog_done();
}
