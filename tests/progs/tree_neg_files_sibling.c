// SPDX-License-Identifier: MIT
/*
 * Failure path: a child C makes its sibling S with clone(CLONE_PARENT |
 * CLONE_FILES): S is this process's child sharing C's fd table, which
 * neither got from its parent.  Restored, S's stub would be made by this
 * process, with a table of its own: the dump must fail with one line
 * naming both, and leave them running, the table still shared.
 */
// sudcr-test: dump-fails neither got it from its parent
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

static int go[2], res[2];
static char stack[65536] __attribute__((aligned(16)));

static int sibling(void *arg)
{
	(void)arg;
	tree_wait_byte(go[0]);
	return dup2(go[0], 100) == 100 ? 0 : 1;
}

int main(void)
{
	pid_t c, s = 0;
	int st;

	SETUP(!pipe(go) && !pipe(res), "pipe");
	c = fork();
	SETUP(c >= 0, "fork");
	if (!c) {
		pid_t sib = clone(sibling, stack + sizeof(stack), CLONE_PARENT | CLONE_FILES | SIGCHLD, NULL);

		if (write(res[1], &sib, sizeof(sib)) != sizeof(sib))
			_exit(1);
		/* S opens fd 100 in our table. */
		tree_wait_byte(go[0]);
		for (int i = 0; i < 2000 && fcntl(100, F_GETFD) < 0; i++)
			usleep(1000);
		_exit(fcntl(100, F_GETFD) >= 0 ? 0 : 2);
	}
	SETUP(read(res[0], &s, sizeof(s)) == sizeof(s) && s > 0, "the sibling's PID");

	prog_ready();
	prog_wait();

	CHECK(write(go[1], "gg", 2) == 2, "go");
	CHECK(waitpid(s, &st, 0) == s && WIFEXITED(st) && !WEXITSTATUS(st), "S's exit: %#x", st);
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && !WEXITSTATUS(st), "C's exit (fd 100 not shared): %#x", st);
	prog_done();
}
