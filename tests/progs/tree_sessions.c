// SPDX-License-Identifier: MIT
/*
 * Sessions and process groups in a tree, this process a child subreaper:
 *   c1  leads a session of its own; its child g1 is in it, in c1's group;
 *   c2  leads a group of its own; c3 is in c2's group;
 *   g4  is in the group of c4, which made it, forked g4 and exited (reaped
 *       here): a group whose leader is gone, and g4, an orphan, is now
 *       our child (we are its subreaper).
 * After the restore each is where it was, relative to us (the root comes
 * back in sudcr restore's session and group): same parents, sessions and
 * groups; the subreaper flag is still set; closing the pipe they all
 * wait on (one description, inherited from us) ends them all, and all
 * five are reaped here.
 */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

static int hold;	/* read end of the pipe everyone waits on (ours too: one description) */
static int sync_fds[2];	/* children tell us their children's PIDs, then close it */

static void __attribute__((noreturn)) wait_end(void)
{
	close(sync_fds[0]);
	close(sync_fds[1]);
	tree_wait_byte(hold);
	_exit(0);
}

static void expect(pid_t pid, pid_t ppid, pid_t pgid, pid_t sid, const char *who)
{
	struct tree_stat ts = { 0 };

	if (!CHECK(!tree_stat(pid, &ts), "%s (%d) is gone", who, pid))
		return;
	CHECK(ts.ppid == ppid && ts.pgid == pgid && ts.sid == sid,
	      "%s (%d): parent %d, group %d, session %d; expected %d, %d, %d", who, pid, ts.ppid,
	      ts.pgid, ts.sid, ppid, pgid, sid);
}

int main(void)
{
	int end[2], sync[2], st, n = 0, sub = 0;
	pid_t me = getpid(), c1, c2, c3, c4, g1 = 0, g4 = 0;

	SETUP(!prctl(PR_SET_CHILD_SUBREAPER, 1), "PR_SET_CHILD_SUBREAPER");
	SETUP(!pipe(end) && !pipe(sync), "pipe");
	hold = end[0];
	sync_fds[0] = sync[0];
	sync_fds[1] = sync[1];
	c1 = fork();
	SETUP(c1 >= 0, "fork");
	if (!c1) {
		close(end[1]);
		if (setsid() < 0)
			_exit(10);
		g1 = fork();
		if (!g1)
			wait_end();
		if (write(sync[1], &g1, sizeof(g1)) != sizeof(g1))
			_exit(11);
		wait_end();
	}
	SETUP(read(sync[0], &g1, sizeof(g1)) == sizeof(g1), "g1");
	c2 = fork();
	SETUP(c2 >= 0, "fork");
	if (!c2) {
		close(end[1]);
		wait_end();
	}
	SETUP(!setpgid(c2, c2), "setpgid c2");
	c3 = fork();
	SETUP(c3 >= 0, "fork");
	if (!c3) {
		close(end[1]);
		wait_end();
	}
	SETUP(!setpgid(c3, c2), "setpgid c3");
	c4 = fork();
	SETUP(c4 >= 0, "fork");
	if (!c4) {
		close(end[1]);
		if (setpgid(0, 0))
			_exit(12);
		g4 = fork();
		if (!g4)
			wait_end();
		if (write(sync[1], &g4, sizeof(g4)) != sizeof(g4))
			_exit(13);
		_exit(0);
	}
	SETUP(read(sync[0], &g4, sizeof(g4)) == sizeof(g4), "g4");
	SETUP(waitpid(c4, &st, 0) == c4 && WIFEXITED(st) && !WEXITSTATUS(st), "c4");
	/* g4 is ours once c4 is gone. */
	for (int i = 0; i < 5000; i++) {
		struct tree_stat ts;

		if (!tree_stat(g4, &ts) && ts.ppid == me)
			break;
		usleep(1000);
	}
	close(sync[0]);
	close(sync[1]);

	prog_ready();
	prog_wait();

	pid_t pg = getpgrp(), sid = getsid(0);

	expect(c1, me, c1, c1, "c1");
	expect(g1, c1, c1, c1, "g1");
	expect(c2, me, c2, sid, "c2");
	expect(c3, me, c2, sid, "c3");
	expect(g4, me, c4, sid, "g4");
	CHECK(pg != c2 && pg != c4 && pg != c1, "our group %d", pg);
	CHECK(!prctl(PR_GET_CHILD_SUBREAPER, &sub) && sub == 1, "subreaper flag %d", sub);
	CHECK(kill(c4, 0) < 0 && errno == ESRCH, "c4's PID is taken");
	close(end[1]);
	while (n < 5 && waitpid(-1, &st, 0) > 0)
		if (CHECK(WIFEXITED(st) && !WEXITSTATUS(st), "a child's exit: %#x", st))
			n++;
	CHECK_EQ(n, 5);
	prog_done();
}
