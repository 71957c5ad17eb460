// SPDX-License-Identifier: MIT
/*
 * Memory locks: a MAP_LOCKED mapping, an mlock()ed part of a mapping, an
 * mlock2(MLOCK_ONFAULT) mapping (VmFlags lo, lo lf) and, set last,
 * mlockall(MCL_FUTURE | MCL_ONFAULT), which shows only in mappings made
 * afterwards.  After restore: the same VmFlags on the same ranges, the
 * unlocked mapping still unlocked, and a mapping made after restore is
 * locked on fault, as one made before the dump is.
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
	unsigned char *locked, *part, *onfault, *plain, *before, *after;

	locked = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	part = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	onfault = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	plain = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(locked != MAP_FAILED && part != MAP_FAILED && onfault != MAP_FAILED && plain != MAP_FAILED,
	      "mmap");
	memset(locked, 5, 2 * page);
	memset(part, 6, 4 * page);
	SETUP(!mlock(part + page, 2 * page), "mlock: %s", strerror(errno));
	SETUP(!mlock2(onfault, 3 * page, MLOCK_ONFAULT), "mlock2: %s", strerror(errno));
	onfault[page] = 7;
	SETUP(!mlockall(MCL_FUTURE | MCL_ONFAULT), "mlockall: %s", strerror(errno));
	/* MCL_ONFAULT without MCL_CURRENT unlocks what was locked: lock it again. */
	SETUP(!mlock(locked, 2 * page) && !mlock(part + page, 2 * page) &&
	      !mlock2(onfault, 3 * page, MLOCK_ONFAULT), "mlock again: %s", strerror(errno));
	before = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(before != MAP_FAILED, "mmap after mlockall");
	SETUP(flags_are(locked, 1, 0) && flags_are(part, 0, 0) && flags_are(part + page, 1, 0) &&
	      flags_are(part + 3 * page, 0, 0) && flags_are(onfault, 1, 1) && flags_are(plain, 0, 0) &&
	      flags_are(before, 1, 1), "VmFlags before the dump");

	prog_ready();
	prog_wait();

	CHECK(flags_are(locked, 1, 0), "MAP_LOCKED mapping lost its lock");
	CHECK(flags_are(part, 0, 0) && flags_are(part + 3 * page, 0, 0), "unlocked part got locked");
	CHECK(flags_are(part + page, 1, 0) && flags_are(part + 2 * page, 1, 0), "mlock()ed part lost its lock");
	CHECK(flags_are(onfault, 1, 1), "MLOCK_ONFAULT mapping is not lo lf");
	CHECK(flags_are(plain, 0, 0), "plain mapping got locked");
	CHECK(flags_are(before, 1, 1), "mapping made under MCL_FUTURE is not lo lf");
	after = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(after != MAP_FAILED && flags_are(after, 1, 1),
	      "a mapping made after restore is not locked on fault: mlockall(MCL_FUTURE|MCL_ONFAULT) lost");
	CHECK(locked[page] == 5 && part[2 * page] == 6 && onfault[page] == 7, "contents");
	prog_done();
}
