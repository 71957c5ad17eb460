// SPDX-License-Identifier: MIT
/*
 * SUD exclusive mode with an allowed range and a selector, the selector at
 * BLOCK when the dump comes: the program waits in a blocking read(0)
 * issued from the allowed range, so every syscall issued anywhere else
 * (such as one injected at the vDSO without SUD suspended) is dispatched.
 * After restore: the selector byte is still BLOCK, the counts are exact,
 * getppid is still dispatched, and setting the selector to ALLOW lets a
 * getppid through (the selector pointer is the same byte), BLOCK stops it
 * again.
 */
// sudcr-test: wait-syscall 0
// sudcr-test: wait-syscall32 3
#include "progs/sud_prog.h"

int main(void)
{
	struct sud_prog_counts before, after;
	long ppid;

	sud_prog_start(SUD_RANGE_SELECTOR, NULL);
	before = sud_prog_counts();
	sud_prog_write("READY\n");
	sud_prog_read_go(1);

	unsigned char sel_after = *sud_selector;

	for (int i = 0; i < 1000; i++)
		sud_one_call();
	after = sud_prog_counts();
	/* ALLOW: the same call site now runs the real getppid. */
	*sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	ppid = sud_intercepted_getppid();
	*sud_selector = SYSCALL_DISPATCH_FILTER_BLOCK;
	unsigned long hits_allow = sud_hits;

	sud_one_call();
	struct sud_prog_counts last = sud_prog_counts();

	sud_core_disarm();
	CHECK_EQ(sel_after, SYSCALL_DISPATCH_FILTER_BLOCK);
	sud_prog_check_counts("before the dump", before);
	sud_prog_check_counts("after go", after);
	CHECK(after.calls == before.calls + 1000, "calls %lu -> %lu", before.calls, after.calls);
	CHECK(before.calls == SUD_PROG_BEFORE, "%lu calls before the dump", before.calls);
	CHECK(ppid > 0 && ppid < SUD_PID_LIMIT, "getppid with the selector at ALLOW returned %ld: still dispatched",
	      ppid);
	CHECK(hits_allow == after.hits, "getppid with the selector at ALLOW was dispatched");
	CHECK(last.hits == after.hits + 1 && last.bad == 0,
	      "BLOCK again: hits %lu -> %lu, bad %lu: not dispatched", after.hits, last.hits, last.bad);
	prog_done();
}
