// SPDX-License-Identifier: MIT
/*
 * The PR_SET_THP_DISABLE setting survives, with its
 * PR_THP_DISABLE_EXCEPT_ADVISED flag where the kernel has it (6.18):
 * PR_GET_THP_DISABLE and "THP_enabled" in /proc/self/status agree with
 * what was set (with the flag, THP stays enabled for madvised ranges and
 * the status line says 1).
 */
#include <sys/prctl.h>

#include "progs/prog.h"

#ifndef PR_THP_DISABLE_EXCEPT_ADVISED
#define PR_THP_DISABLE_EXCEPT_ADVISED (1 << 1)
#endif

int main(void)
{
	char val[32];
	int want;

	if (!prctl(PR_SET_THP_DISABLE, 1, PR_THP_DISABLE_EXCEPT_ADVISED, 0, 0)) {
		want = 3;
	} else {
		SETUP(errno == EINVAL && !prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0),
		      "PR_SET_THP_DISABLE");
		want = 1;
	}
	SETUP(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == want, "PR_GET_THP_DISABLE");

	prog_ready();
	prog_wait();

	CHECK_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), want);
	prog_status("THP_enabled", val, sizeof(val));
	CHECK(!strcmp(val, want == 1 ? "0" : "1"), "THP_enabled is \"%s\", expected \"%s\"", val,
	      want == 1 ? "0" : "1");
	prog_done();
}
