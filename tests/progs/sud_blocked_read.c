// SPDX-License-Identifier: MIT
/*
 * A process stopped in a blocking syscall while SUD is on: exclusive mode
 * with an allowed range and no selector, blocked in read(0) issued from
 * the allowed range when the dump comes.  After restore the read must
 * complete with the line the runner writes (restarted from the allowed
 * range, not dispatched), the counts be exact and getppid still be
 * dispatched.
 */
// sudcr-test: wait-syscall 0
#include "progs/sud_prog.h"

int main(void)
{
	struct sud_prog_counts before, after;
	char buf[16];
	long n;

	sud_prog_start(SUD_RANGE, NULL);
	before = sud_prog_counts();
	sud_prog_write("READY\n");
	do
		n = sud_allowed_syscall(__NR_read, 0, (long)buf, sizeof(buf), 0);
	while (n == -EINTR);
	for (int i = 0; i < 1000; i++)
		sud_one_call();
	after = sud_prog_counts();
	sud_core_disarm();

	CHECK(n == 3 && !memcmp(buf, "go\n", 3), "read(0) returned %ld ('%.*s'), expected 3 ('go')", n,
	      n > 0 ? (int)n : 0, buf);
	sud_prog_check_counts("before the dump", before);
	sud_prog_check_counts("after go", after);
	CHECK(after.calls == before.calls + 1000, "calls %lu -> %lu", before.calls, after.calls);
	prog_done();
}
