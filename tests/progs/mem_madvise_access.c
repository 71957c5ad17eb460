// SPDX-License-Identifier: MIT
/*
 * madvise state that the restore used to drop: MADV_SEQUENTIAL,
 * MADV_RANDOM and MADV_MERGEABLE (VmFlags sr, rr, mg), and a
 * MAP_DROPPABLE mapping (dp, 6.11+), each on its own mapping, next to a
 * plain one; and MADV_HUGEPAGE / MADV_NOHUGEPAGE (hg, nh), restored
 * before.  After restore each has exactly its flag again, and the
 * droppable mapping is still droppable (a new MAP_DROPPABLE mapping merges
 * with nothing, so the flag is checked, not its effect).
 */
#include <sys/mman.h>

#include "progs/prog.h"

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif

static int has_flag(void *p, const char *flag)
{
	char flags[512], want[8];

	snprintf(want, sizeof(want), " %s ", flag);
	return !prog_vmflags(p, flags, sizeof(flags)) && strstr(flags, want);
}

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *seq, *rnd, *merge, *plain, *drop, *huge, *nohuge;
	const int anon = MAP_PRIVATE | MAP_ANONYMOUS;

	seq = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, anon, -1, 0);
	rnd = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, anon, -1, 0);
	merge = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, anon, -1, 0);
	plain = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, anon, -1, 0);
	huge = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, anon, -1, 0);
	nohuge = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, anon, -1, 0);
	SETUP(seq != MAP_FAILED && rnd != MAP_FAILED && merge != MAP_FAILED && plain != MAP_FAILED &&
	      huge != MAP_FAILED && nohuge != MAP_FAILED, "mmap");
	drop = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0);
	if (drop == MAP_FAILED)
		prog_skip("MAP_DROPPABLE: %s (kernel before 6.11?)", strerror(errno));
	memset(seq, 1, 2 * page);
	memset(rnd, 2, 2 * page);
	memset(merge, 3, 2 * page);
	memset(plain, 4, 2 * page);
	memset(drop, 5, page);
	SETUP(!madvise(seq, 2 * page, MADV_SEQUENTIAL), "MADV_SEQUENTIAL");
	SETUP(!madvise(rnd, 2 * page, MADV_RANDOM), "MADV_RANDOM");
	SETUP(!madvise(huge, 2 * page, MADV_HUGEPAGE) && !madvise(nohuge, 2 * page, MADV_NOHUGEPAGE),
	      "MADV_HUGEPAGE/NOHUGEPAGE: %s", strerror(errno));
	huge[0] = 6;
	if (madvise(merge, 2 * page, MADV_MERGEABLE))
		prog_skip("MADV_MERGEABLE: %s (no KSM?)", strerror(errno));
	SETUP(has_flag(seq, "sr") && has_flag(rnd, "rr") && has_flag(merge, "mg") && has_flag(drop, "dp"),
	      "VmFlags");

	prog_ready();
	prog_wait();

	CHECK(has_flag(seq, "sr") && !has_flag(seq, "rr"), "MADV_SEQUENTIAL mapping lacks sr");
	CHECK(has_flag(rnd, "rr") && !has_flag(rnd, "sr"), "MADV_RANDOM mapping lacks rr");
	CHECK(has_flag(merge, "mg"), "MADV_MERGEABLE mapping lacks mg");
	CHECK(has_flag(drop, "dp"), "MAP_DROPPABLE mapping lacks dp");
	CHECK(has_flag(huge, "hg") && !has_flag(huge, "nh"), "MADV_HUGEPAGE mapping lacks hg");
	CHECK(has_flag(nohuge, "nh") && !has_flag(nohuge, "hg"), "MADV_NOHUGEPAGE mapping lacks nh");
	CHECK(!has_flag(plain, "sr") && !has_flag(plain, "rr") && !has_flag(plain, "mg") &&
	      !has_flag(plain, "dp"), "plain mapping got a flag");
	CHECK(seq[page] == 1 && rnd[page] == 2 && merge[page] == 3 && plain[page] == 4 && huge[0] == 6,
	      "contents");
	prog_done();
}
