// SPDX-License-Identifier: MIT
/*
 * SIGTTOU: the child leads a session on the slave with TOSTOP set; its
 * background job (a group of its own) tried to write to the terminal and
 * was stopped by SIGTTOU.  After the restore the job is still stopped,
 * nothing of it reached the master, and continued it stops again on its
 * write; brought to the foreground (tcsetpgrp by the leader), its write
 * goes through.
 */
#include "progs/pty_util.h"

int main(void)
{
	char name[64], buf[64];
	unsigned int index;
	int m, info[2], go[2], st;
	pid_t l, b = 0;

	m = pty_open_master(&index, name, sizeof(name));
	SETUP(m >= 0 && !pipe(info) && !pipe(go), "posix_openpt");
	l = fork();
	SETUP(l >= 0, "fork");
	if (!l) {
		struct termios t;
		int s;

		close(m);
		close(info[0]);
		close(go[1]);
		if (setsid() < 0 || (s = open(name, O_RDWR)) < 0 || tcgetattr(s, &t))
			_exit(10);
		t.c_lflag |= TOSTOP;
		t.c_lflag &= ~(tcflag_t)ECHO;
		if (tcsetattr(s, TCSANOW, &t))
			_exit(11);
		signal(SIGTTOU, SIG_IGN);
		b = fork();
		if (!b) {
			setpgid(0, 0);
			signal(SIGTTOU, SIG_DFL);
			/* Each try stops us while we are in the background. */
			while (write(s, "bg\n", 3) != 3)
				;
			_exit(0);
		}
		setpgid(b, b);
		if (write(info[1], &b, sizeof(b)) != sizeof(b))
			_exit(12);
		if (tree_wait_byte(go[0]) != 'g')
			_exit(13);
		if (tcsetpgrp(s, b))
			_exit(14);
		kill(b, SIGCONT);
		if (waitpid(b, &st, WUNTRACED) != b || !WIFEXITED(st) || WEXITSTATUS(st))
			_exit(15);
		_exit(0);
	}
	close(info[1]);
	close(go[0]);
	SETUP(read(info[0], &b, sizeof(b)) == sizeof(b), "the job's PID");
	SETUP(pty_wait_state(b, 'T'), "the background job stops on its write");

	prog_ready();
	prog_wait();

	CHECK(pty_wait_state(b, 'T'), "the job is not stopped");
	CHECK(pty_quiet(m, 50), "the background job wrote to the terminal");
	kill(b, SIGCONT);
	usleep(20000);
	CHECK(pty_wait_state(b, 'T') && pty_quiet(m, 50), "continued, the job wrote in the background");
	CHECK(write(go[1], "g", 1) == 1, "go");
	memset(buf, 0, sizeof(buf));
	CHECK(!pty_read_n(m, buf, 4) && !memcmp(buf, "bg\r\n", 4), "in the foreground: '%s'", buf);
	CHECK(waitpid(l, &st, 0) == l && WIFEXITED(st) && !WEXITSTATUS(st), "the leader: %#x", st);
	prog_done();
}
