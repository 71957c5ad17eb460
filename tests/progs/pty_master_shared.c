// SPDX-License-Identifier: MIT
/*
 * A master description shared by fork, as a terminal emulator's helper
 * has it: this process and its child hold the same master, the
 * grandchild (the child's child) opened the slave and waits on it.  After
 * the restore the master is still one description (an O_NONBLOCK set
 * through the child's fd shows in ours), and bytes typed through either
 * reach the grandchild.
 */
#include "progs/pty_util.h"

int main(void)
{
	char name[64], buf[64];
	unsigned int index;
	int m, go[2], st, fl;
	pid_t c;

	m = pty_open_master(&index, name, sizeof(name));
	SETUP(m >= 0 && !pipe(go), "posix_openpt");
	c = fork();
	SETUP(c >= 0, "fork");
	if (!c) {
		pid_t g;

		close(go[1]);
		g = fork();
		if (g < 0)
			_exit(10);
		if (!g) {
			int s = open(name, O_RDWR | O_NOCTTY);
			struct termios t;
			char b[8];

			close(m);
			if (s < 0 || tcgetattr(s, &t))
				_exit(20);
			t.c_lflag &= ~(tcflag_t)ECHO;
			if (tcsetattr(s, TCSANOW, &t))
				_exit(21);
			if (read(s, b, sizeof(b)) != 2 || memcmp(b, "1\n", 2))
				_exit(22);
			if (read(s, b, sizeof(b)) != 2 || memcmp(b, "2\n", 2))
				_exit(23);
			if (write(s, "ok", 2) != 2)
				_exit(24);
			_exit(0);
		}
		if (tree_wait_byte(go[0]) != 'g')
			_exit(11);
		fl = fcntl(m, F_GETFL);
		if (fcntl(m, F_SETFL, fl | O_NONBLOCK) || write(m, "1\n", 2) != 2)
			_exit(12);
		if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
			_exit(13);
		_exit(0);
	}
	close(go[0]);
	/* The grandchild has its slave and waits in read. */
	for (int i = 0; i < 2000; i++) {
		struct termios t;

		if (!tcgetattr(m, &t) && !(t.c_lflag & ECHO))
			break;
		usleep(1000);
	}
	usleep(50000);

	prog_ready();
	prog_wait();

	CHECK(write(go[1], "g", 1) == 1, "go");
	for (int i = 0; i < 2000 && !(fcntl(m, F_GETFL) & O_NONBLOCK); i++)
		usleep(1000);
	CHECK(fcntl(m, F_GETFL) & O_NONBLOCK, "the child's O_NONBLOCK is not on our master");
	usleep(20000);
	CHECK(write(m, "2\n", 2) == 2, "type");
	memset(buf, 0, sizeof(buf));
	CHECK(!pty_read_n(m, buf, 2) && !memcmp(buf, "ok", 2), "the grandchild's answer: '%s'", buf);
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && !WEXITSTATUS(st), "the child: %#x", st);
	prog_done();
}
