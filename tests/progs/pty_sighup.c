// SPDX-License-Identifier: MIT
/*
 * SIGHUP: the child leads a session whose controlling terminal is the
 * slave, its grandchild in the foreground group; both wait.  After the
 * restore, closing the master (the terminal emulator going away) hangs
 * the terminal up: the session leader and the foreground group get
 * SIGHUP and die of it, as they would have (this process, a subreaper,
 * reaps the orphaned job).
 */
#include <sys/prctl.h>

#include "progs/pty_util.h"

int main(void)
{
	char name[64];
	unsigned int index;
	int m, info[2], st;
	pid_t c, g = 0;

	SETUP(!prctl(PR_SET_CHILD_SUBREAPER, 1), "PR_SET_CHILD_SUBREAPER");
	/* Not inherited ignored (a suite run under nohup): the children die of it. */
	SETUP(signal(SIGHUP, SIG_DFL) != SIG_ERR, "signal(SIGHUP)");
	m = pty_open_master(&index, name, sizeof(name));
	SETUP(m >= 0 && !pipe(info), "posix_openpt");
	c = fork();
	SETUP(c >= 0, "fork");
	if (!c) {
		int s;

		close(m);
		close(info[0]);
		if (setsid() < 0 || (s = open(name, O_RDWR)) < 0)
			_exit(10);
		signal(SIGTTOU, SIG_IGN);
		g = fork();
		if (!g) {
			char ch;

			setpgid(0, 0);
			while (tcgetpgrp(s) != getpgrp())
				usleep(1000);
			/*
			 * Blocked reading the terminal: the hang-up ends the
			 * read, the leader's death sends us SIGHUP.
			 */
			if (read(s, &ch, 1) > 0)
				_exit(21);
			sleep(5);
			_exit(20);
		}
		setpgid(g, g);
		if (tcsetpgrp(s, g) || write(info[1], &g, sizeof(g)) != sizeof(g))
			_exit(11);
		for (;;)
			pause();
	}
	close(info[1]);
	SETUP(read(info[0], &g, sizeof(g)) == sizeof(g), "the grandchild");
	SETUP(pty_wait_syscall(g, __NR_read), "the grandchild reads");

	prog_ready();
	prog_wait();

	close(m);
	CHECK(waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGHUP,
	      "the session leader: %#x", st);
	/* We are a subreaper: the orphaned grandchild is ours to reap. */
	CHECK(waitpid(g, &st, 0) == g && WIFSIGNALED(st) && WTERMSIG(st) == SIGHUP,
	      "the foreground job: %#x", st);
	prog_done();
}
