// SPDX-License-Identifier: MIT
/*
 * The dumpable flag, cleared (PR_SET_DUMPABLE 0): still 0 after restore.
 */
#include <sys/prctl.h>

#include "progs/prog.h"

int main(void)
{
	SETUP(!prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "PR_SET_DUMPABLE");

	prog_ready();
	prog_wait();

	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	prog_done();
}
