// SPDX-License-Identifier: MIT
/*
 * A two-process SUD tree: the parent intercepts in exclusive mode with a
 * selector, its child in inclusive mode (thr_sud.h's setups), each with its
 * own SIGSYS handler state and its own salt, tied by pipes.  Each makes
 * BEFORE dispatched getppid calls before the dump; the child then waits in
 * read on a pipe from the parent.  After the restore each makes AFTER more:
 * every one dispatched exactly once in its own process, with its own answer
 * (exact counts kept by handler and caller), then the probe checks the
 * setup is the one armed.  The child reports its counts through a pipe and
 * its verdict by its exit status, which the parent collects.
 */
#include <sys/wait.h>

#include "progs/thr_sud.h"
#include "progs/tree_util.h"

#define BEFORE	2000
#define AFTER	3000

static struct thr_sud ps = { .mode = TS_SELECTOR, .salt = 1ul << 20 };
static struct thr_sud cs = { .mode = TS_INCLUSIVE, .salt = 2ul << 20 };

int main(void)
{
	int down[2], up[2], st;
	unsigned long counts[3] = { 0 };
	pid_t child;
	long r = thr_sud_install_handler();

	errno = -r;
	SETUP(!r, "rt_sigaction(SIGSYS)");
	SETUP(!pipe(down) && !pipe(up), "pipe");
	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		close(down[1]);
		close(up[0]);
		if (thr_sud_arm(&cs))
			_exit(10);
		for (int i = 0; i < BEFORE; i++)
			thr_sud_call(&cs);
		counts[0] = cs.calls;
		counts[1] = cs.hits;
		counts[2] = cs.bad;
		if (write(up[1], counts, sizeof(counts)) != sizeof(counts))
			_exit(11);
		/* Blocked here at the dump; inclusive mode leaves this read alone. */
		if (tree_wait_byte(down[0]) != 'g')
			_exit(12);
		for (int i = 0; i < AFTER; i++)
			thr_sud_call(&cs);
		thr_sud_probe(&cs);
		counts[0] = cs.calls;
		counts[1] = cs.hits;
		counts[2] = cs.bad;
		if (write(up[1], counts, sizeof(counts)) != sizeof(counts))
			_exit(13);
		thr_sud_check("child", &cs, BEFORE + AFTER);
		_exit(prog_nr_failed ? 1 : 0);
	}
	close(down[0]);
	close(up[1]);
	r = thr_sud_arm(&ps);
	errno = -r;
	SETUP(!r, "PR_SET_SYSCALL_USER_DISPATCH %s", thr_sud_mode_names[ps.mode]);
	for (int i = 0; i < BEFORE; i++)
		thr_sud_call(&ps);
	SETUP(read(up[0], counts, sizeof(counts)) == sizeof(counts), "the child's counts");
	SETUP(counts[0] == BEFORE && counts[1] == BEFORE && !counts[2] && ps.calls == BEFORE &&
	      ps.hits == BEFORE && !ps.bad, "before the dump: child %lu/%lu bad %lu, parent %lu/%lu bad %lu",
	      counts[0], counts[1], counts[2], ps.calls, ps.hits, ps.bad);

	prog_ready();
	prog_wait();

	CHECK(ps.calls == BEFORE && ps.hits == BEFORE && !ps.bad, "parent at go: %lu/%lu bad %lu",
	      ps.calls, ps.hits, ps.bad);
	CHECK(write(down[1], "g", 1) == 1, "write to the child");
	for (int i = 0; i < AFTER; i++)
		thr_sud_call(&ps);
	thr_sud_probe(&ps);
	thr_sud_check("parent", &ps, BEFORE + AFTER);
	CHECK(read(up[0], counts, sizeof(counts)) == sizeof(counts), "the child's counts");
	CHECK(counts[0] == BEFORE + AFTER && counts[1] == BEFORE + AFTER && !counts[2],
	      "child: calls %lu hits %lu bad %lu", counts[0], counts[1], counts[2]);
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && !WEXITSTATUS(st),
	      "the child's verdict: %#x", st);
	CHECK(thr_sud_orphans == 0, "%lu dispatches without SUD state", thr_sud_orphans);
	prog_done();
}
