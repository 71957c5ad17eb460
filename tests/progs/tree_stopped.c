// SPDX-License-Identifier: MIT
/*
 * A stopped child in a tree: it stopped itself with SIGSTOP and its parent
 * has not collected the stop yet.  After the restore it is still stopped,
 * and the parent's waitpid(WUNTRACED) reports the stop (by SIGSTOP); on
 * SIGCONT it goes on and exits with 3, which the parent collects.
 */
#include <signal.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

int main(void)
{
	struct tree_stat ts;
	siginfo_t si;
	pid_t child;
	int st = 0;

	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		raise(SIGSTOP);
		_exit(3);
	}
	/* Stopped, not collected. */
	memset(&si, 0, sizeof(si));
	SETUP(!waitid(P_PID, child, &si, WSTOPPED | WNOWAIT) && si.si_code == CLD_STOPPED, "waitid");

	prog_ready();
	prog_wait();

	CHECK(!tree_stat(child, &ts) && ts.state == 'T', "the child is not stopped: state %c", ts.state);
	CHECK(waitpid(child, &st, WUNTRACED | WNOHANG) == child && WIFSTOPPED(st) &&
	      WSTOPSIG(st) == SIGSTOP, "waitpid(WUNTRACED): %#x", st);
	CHECK(!kill(child, SIGCONT), "SIGCONT");
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 3,
	      "the child's exit: %#x", st);
	prog_done();
}
