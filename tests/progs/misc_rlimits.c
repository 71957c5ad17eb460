// SPDX-License-Identifier: MIT
/*
 * Resource limits: all 16 soft and hard limits set to distinctive values,
 * each different from the one the process started with (which is also
 * what sudcr restore has, so a limit the restore forgot shows), hard
 * limits lowered too (which only the process itself can undo): every one
 * is the same after restore.  Without CAP_SYS_RESOURCE a hard limit cannot
 * be raised: NICE and RTPRIO, whose hard limit is 0 by default, then stay
 * 0/0 and cannot tell a lost limit; the program says so on stderr (run
 * under a raised hard limit, e.g. ulimit -e/-r, they are checked too).
 */
#include <sys/resource.h>

#include "progs/prog.h"

static const struct {
	int res;
	const char *name;
	rlim_t cur, max;
} set[] = {
	{ RLIMIT_CPU, "CPU", 36000, 72000 },
	{ RLIMIT_FSIZE, "FSIZE", 1UL << 33, 1UL << 34 },
	{ RLIMIT_DATA, "DATA", 1UL << 36, (1UL << 37) + 4096 },
	{ RLIMIT_STACK, "STACK", 7 << 20, 1UL << 30 },
	{ RLIMIT_CORE, "CORE", 12345 * 4096, 1UL << 32 },
	{ RLIMIT_RSS, "RSS", 1UL << 35, 3UL << 35 },
	{ RLIMIT_NPROC, "NPROC", 4999, 5003 },
	{ RLIMIT_NOFILE, "NOFILE", 777, 900 },
	{ RLIMIT_MEMLOCK, "MEMLOCK", 3 << 20, 5 << 20 },
	{ RLIMIT_AS, "AS", 1UL << 40, (1UL << 41) + 8192 },
	{ RLIMIT_LOCKS, "LOCKS", 4321, 5432 },
	{ RLIMIT_SIGPENDING, "SIGPENDING", 3001, 4002 },
	{ RLIMIT_MSGQUEUE, "MSGQUEUE", 400000, 500000 },
	{ RLIMIT_NICE, "NICE", 3, 7 },
	{ RLIMIT_RTPRIO, "RTPRIO", 2, 5 },
	{ RLIMIT_RTTIME, "RTTIME", 3000000, 4000000 },
};

#define NR_SET (sizeof(set) / sizeof(set[0]))

int main(void)
{
	struct rlimit start[RLIM_NLIMITS], before[RLIM_NLIMITS], now;
	char same[128] = "";

	SETUP(NR_SET == RLIM_NLIMITS, "%zu limits set, the kernel has %d", NR_SET, RLIM_NLIMITS);
	for (int r = 0; r < RLIM_NLIMITS; r++)
		SETUP(!getrlimit(r, &start[r]), "getrlimit(%d)", r);
	for (unsigned int i = 0; i < NR_SET; i++) {
		struct rlimit rl = { set[i].cur, set[i].max };
		rlim_t hard = start[set[i].res].rlim_max;

		/* Never above the hard limit we have: that needs CAP_SYS_RESOURCE. */
		if (hard != RLIM_INFINITY && rl.rlim_max > hard)
			rl.rlim_max = hard;
		if (rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		SETUP(!setrlimit(set[i].res, &rl), "setrlimit(RLIMIT_%s, %llu/%llu)", set[i].name,
		      (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	}
	for (int r = 0; r < RLIM_NLIMITS; r++)
		SETUP(!getrlimit(r, &before[r]), "getrlimit(%d)", r);
	for (unsigned int i = 0; i < NR_SET; i++) {
		int r = set[i].res;

		if (before[r].rlim_cur != start[r].rlim_cur && before[r].rlim_max != start[r].rlim_max)
			continue;
		/* Only NICE and RTPRIO may be stuck, at a hard limit of 0. */
		SETUP((r == RLIMIT_NICE || r == RLIMIT_RTPRIO) && start[r].rlim_max == 0,
		      "RLIMIT_%s could not be made distinctive (%llu/%llu)", set[i].name,
		      (unsigned long long)before[r].rlim_cur, (unsigned long long)before[r].rlim_max);
		snprintf(same + strlen(same), sizeof(same) - strlen(same), " RLIMIT_%s", set[i].name);
	}
	if (same[0])
		prog_log("not distinctive (hard limit 0, no CAP_SYS_RESOURCE to raise it):%s", same);

	prog_ready();
	prog_wait();

	for (unsigned int i = 0; i < NR_SET; i++) {
		int r = set[i].res;

		CHECK(!getrlimit(r, &now), "getrlimit(%d)", r);
		CHECK(now.rlim_cur == before[r].rlim_cur && now.rlim_max == before[r].rlim_max,
		      "RLIMIT_%s is %llu/%llu, was %llu/%llu", set[i].name, (unsigned long long)now.rlim_cur,
		      (unsigned long long)now.rlim_max, (unsigned long long)before[r].rlim_cur,
		      (unsigned long long)before[r].rlim_max);
	}
	prog_done();
}
