// SPDX-License-Identifier: MIT
/*
 * mlockall(MCL_CURRENT | MCL_FUTURE): every mapping locked and faulted in,
 * new ones too (VmFlags lo without lf).  After restore a mapping made
 * then is locked and present at once, and the old ones are still locked.
 */
#include <sys/mman.h>

#include "progs/prog.h"

static int flags_are(void *p, int lo, int lf)
{
	char flags[512];

	if (prog_vmflags(p, flags, sizeof(flags)))
		return 0;
	return !strstr(flags, " lo ") == !lo && !strstr(flags, " lf ") == !lf;
}

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *old, *after, vec;

	old = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(old != MAP_FAILED, "mmap");
	old[0] = 1;
	SETUP(!mlockall(MCL_CURRENT | MCL_FUTURE), "mlockall: %s", strerror(errno));
	SETUP(flags_are(old, 1, 0), "VmFlags before the dump");

	prog_ready();
	prog_wait();

	CHECK(flags_are(old, 1, 0), "a mapping locked by mlockall(MCL_CURRENT) lost its lock");
	after = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(after != MAP_FAILED && flags_are(after, 1, 0),
	      "a mapping made after restore is not locked: mlockall(MCL_FUTURE) lost");
	CHECK(after != MAP_FAILED && !mincore(after, page, &vec) && (vec & 1),
	      "a mapping made after restore is not faulted in (MCL_ONFAULT appeared?)");
	CHECK(old[0] == 1, "contents");
	prog_done();
}
