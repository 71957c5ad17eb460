// SPDX-License-Identifier: MIT
/*
 * Window size and SIGWINCH: the child leads a session whose controlling
 * terminal is the slave, counts SIGWINCH and waits.  After the restore
 * the window size is the one set before the dump, and a new size set
 * through the master reaches the child as one SIGWINCH (its group is the
 * foreground one), which then reads that size.
 */
#include "progs/pty_util.h"

static volatile sig_atomic_t winch;

static void on_winch(int sig)
{
	(void)sig;
	winch++;
}

int main(void)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 }, ws2 = { .ws_row = 50, .ws_col = 132 };
	char name[64];
	unsigned int index;
	int m, go[2], info[2], st;
	pid_t c;

	m = pty_open_master(&index, name, sizeof(name));
	SETUP(m >= 0 && !ioctl(m, TIOCSWINSZ, &ws), "posix_openpt");
	SETUP(!pipe(go) && !pipe(info), "pipe");
	c = fork();
	SETUP(c >= 0, "fork");
	if (!c) {
		struct winsize w;
		int s, before;

		close(go[1]);
		close(info[0]);
		signal(SIGWINCH, on_winch);
		if (setsid() < 0 || (s = open(name, O_RDWR)) < 0)
			_exit(10);
		if (write(info[1], "r", 1) != 1)
			_exit(11);
		if (tree_wait_byte(go[0]) != 'g')
			_exit(12);
		/* The restored size, then the new one, with its signal. */
		if (ioctl(s, TIOCGWINSZ, &w) || w.ws_row != 24 || w.ws_col != 80)
			_exit(13);
		before = winch;
		if (write(info[1], "s", 1) != 1)
			_exit(14);
		for (int i = 0; i < 2000 && winch == before; i++)
			usleep(1000);
		if (winch != before + 1)
			_exit(15);
		if (ioctl(s, TIOCGWINSZ, &w) || w.ws_row != 50 || w.ws_col != 132)
			_exit(16);
		_exit(0);
	}
	close(go[0]);
	close(info[1]);
	SETUP(tree_wait_byte(info[0]) == 'r', "the child's terminal");

	prog_ready();
	prog_wait();

	CHECK(write(go[1], "g", 1) == 1, "go");
	CHECK(tree_wait_byte(info[0]) == 's', "the child's size");
	CHECK(!ioctl(m, TIOCSWINSZ, &ws2), "TIOCSWINSZ");
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && !WEXITSTATUS(st), "the child: %#x", st);
	prog_done();
}
