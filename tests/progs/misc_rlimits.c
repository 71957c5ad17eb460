// SPDX-License-Identifier: MIT
/*
 * Resource limits: soft and hard limits lowered to distinctive values
 * (hard limits lowered too, which only the process itself can undo): every
 * one of the 16 is the same after restore.
 */
#include <sys/resource.h>

#include "progs/prog.h"

static const struct {
	int res;
	rlim_t cur, max;
} set[] = {
	{ RLIMIT_CPU, 36000, 72000 },
	{ RLIMIT_FSIZE, 1UL << 33, 1UL << 34 },
	{ RLIMIT_DATA, 1UL << 36, RLIM_INFINITY },
	{ RLIMIT_STACK, 7 << 20, 1UL << 30 },
	{ RLIMIT_CORE, 12345 * 4096, 1UL << 32 },
	{ RLIMIT_NOFILE, 777, 900 },
	{ RLIMIT_AS, 1UL << 40, RLIM_INFINITY },
	{ RLIMIT_MSGQUEUE, 400000, 500000 },
	{ RLIMIT_LOCKS, 4321, RLIM_INFINITY },
	{ RLIMIT_RTTIME, 3000000, 4000000 },
};

int main(void)
{
	struct rlimit before[RLIM_NLIMITS], now;

	for (unsigned int i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		struct rlimit rl = { set[i].cur, set[i].max };

		SETUP(!setrlimit(set[i].res, &rl), "setrlimit(%d)", set[i].res);
	}
	for (int r = 0; r < RLIM_NLIMITS; r++)
		SETUP(!getrlimit(r, &before[r]), "getrlimit(%d)", r);

	prog_ready();
	prog_wait();

	for (int r = 0; r < RLIM_NLIMITS; r++) {
		CHECK(!getrlimit(r, &now), "getrlimit(%d)", r);
		CHECK(now.rlim_cur == before[r].rlim_cur && now.rlim_max == before[r].rlim_max,
		      "rlimit %d is %llu/%llu, was %llu/%llu", r, (unsigned long long)now.rlim_cur,
		      (unsigned long long)now.rlim_max, (unsigned long long)before[r].rlim_cur,
		      (unsigned long long)before[r].rlim_max);
	}
	prog_done();
}
