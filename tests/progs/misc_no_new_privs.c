// SPDX-License-Identifier: MIT
/*
 * no_new_privs: set before the dump, still set after restore
 * (PR_GET_NO_NEW_PRIVS and /proc/self/status NoNewPrivs).
 */
#include <sys/prctl.h>

#include "progs/prog.h"

int main(void)
{
	char v[32];

	SETUP(!prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS");

	prog_ready();
	prog_wait();

	CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
	CHECK(!strcmp(prog_status("NoNewPrivs", v, sizeof(v)), "1"), "NoNewPrivs: %s", v);
	prog_done();
}
