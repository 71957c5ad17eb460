// SPDX-License-Identifier: MIT
/*
 * Failure path: a process with children (one running, one exited and not
 * reaped yet).  Process trees are not dumped, and a restore without them
 * would silently lose them: the dump must fail with one line naming them
 * and leave the process as it was, both children still its own (the
 * zombie's exit status still there to collect).
 */
// sudcr-test: dump-fails
#include <signal.h>
#include <sys/wait.h>

#include "progs/prog.h"

int main(void)
{
	pid_t live, dead;
	int st;

	live = fork();
	SETUP(live >= 0, "fork");
	if (!live) {
		for (;;)
			pause();
	}
	dead = fork();
	SETUP(dead >= 0, "fork");
	if (!dead)
		_exit(42);
	/* Exited, not reaped. */
	SETUP(waitid(P_PID, dead, NULL, WEXITED | WNOWAIT) == 0, "waitid");

	prog_ready();
	prog_wait();

	CHECK(waitpid(live, &st, WNOHANG) == 0, "the running child is gone");
	CHECK(waitpid(dead, &st, 0) == dead && WIFEXITED(st) && WEXITSTATUS(st) == 42,
	      "the exited child's status");
	kill(live, SIGKILL);
	CHECK(waitpid(live, &st, 0) == live, "reaping the running child");
	prog_done();
}
