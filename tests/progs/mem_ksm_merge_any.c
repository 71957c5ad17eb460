// SPDX-License-Identifier: MIT
/*
 * prctl(PR_SET_MEMORY_MERGE, 1): KSM for every mapping of the process,
 * including those made later ("ksm_merge_any: yes" in ksm_stat, VmFlags
 * mg).  After restore it is still set, and a new mapping gets mg.
 */
#include <sys/mman.h>
#include <sys/prctl.h>

#include "progs/prog.h"

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#define PR_GET_MEMORY_MERGE 68
#endif

static int mergeable(void *p)
{
	char flags[512];

	return !prog_vmflags(p, flags, sizeof(flags)) && strstr(flags, " mg ");
}

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *old, *after;

	if (prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0))
		prog_skip("PR_SET_MEMORY_MERGE: %s (no KSM, or no CAP_SYS_RESOURCE on this kernel)",
			  strerror(errno));
	old = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(old != MAP_FAILED && mergeable(old) && prctl(PR_GET_MEMORY_MERGE, 0, 0, 0, 0) == 1, "setup");
	old[0] = 3;

	prog_ready();
	prog_wait();

	CHECK(prctl(PR_GET_MEMORY_MERGE, 0, 0, 0, 0) == 1, "PR_SET_MEMORY_MERGE was lost");
	CHECK(mergeable(old), "an old mapping lost mg");
	after = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(after != MAP_FAILED && mergeable(after), "a mapping made after restore is not mergeable");
	CHECK(old[0] == 3, "contents");
	prog_done();
}
