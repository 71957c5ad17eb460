// SPDX-License-Identifier: MIT
/*
 * Failure path: a child made with clone(CLONE_FILES) shares its parent's
 * fd table.  Restored as two tables, an fd one opens would be missing in
 * the other: the tree dump must fail with one line naming both, and leave
 * them running, the table still shared.
 */
// sudcr-test: dump-fails share their fd table (CLONE_FILES)
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

static int go[2];
static char stack[65536] __attribute__((aligned(16)));

static int child_main(void *arg)
{
	(void)arg;
	tree_wait_byte(go[0]);
	/* Opened here, seen by the parent through the shared table. */
	return dup2(go[0], 100) == 100 ? 0 : 1;
}

int main(void)
{
	pid_t child;
	int st;

	SETUP(!pipe(go), "pipe");
	child = clone(child_main, stack + sizeof(stack), CLONE_FILES | SIGCHLD, NULL);
	SETUP(child > 0, "clone");

	prog_ready();
	prog_wait();

	CHECK(write(go[1], "g", 1) == 1, "write to the child");
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && !WEXITSTATUS(st), "the child's exit: %#x", st);
	CHECK(fcntl(100, F_GETFD) >= 0, "fd 100, opened by the child, is not ours");
	prog_done();
}
