// SPDX-License-Identifier: MIT
/*
 * The process name (PR_SET_NAME): the same after restore, through
 * PR_GET_NAME and /proc/self/comm.
 */
#include <sys/prctl.h>

#include "progs/prog.h"

#define NAME "sudcr:comm-15c"

int main(void)
{
	char name[32] = "", comm[64] = "";

	SETUP(!prctl(PR_SET_NAME, NAME, 0, 0, 0), "PR_SET_NAME");

	prog_ready();
	prog_wait();

	CHECK(!prctl(PR_GET_NAME, name, 0, 0, 0) && !strcmp(name, NAME), "PR_GET_NAME: '%s'", name);
	prog_read_file("/proc/self/comm", comm, sizeof(comm));
	CHECK(!strcmp(comm, NAME "\n"), "/proc/self/comm: '%s'", comm);
	prog_done();
}
