// SPDX-License-Identifier: MIT
/*
 * A tree tied by pipes with bytes buffered in them: the parent writes to
 * its child through one (the child blocked reading another), the child
 * has written to the parent through a second, not read yet, and a
 * grandchild holds the write end of a third whose read end is the
 * parent's (its parent, the child, closed it), with bytes in it too.
 * After the restore every byte is there once, in order, each end where
 * it was, and each process's getppid() and exit status reach its parent.
 */
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

int main(void)
{
	int go[2], up[2], down[2], deep[2], st;
	pid_t me = getpid(), child, gchild = 0;
	char buf[64];

	SETUP(!pipe(go) && !pipe(up) && !pipe(down) && !pipe(deep), "pipe");
	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		pid_t pp = getppid(), g;
		char msg[32];

		close(go[1]);
		close(up[0]);
		close(down[1]);
		g = fork();
		if (g < 0)
			_exit(10);
		if (!g) {
			close(deep[0]);
			if (write(deep[1], "deep-bytes", 10) != 10)
				_exit(11);
			if (tree_wait_byte(go[0]) != 'g') {
				prog_log("grandchild: no go: %s", strerror(errno));
				_exit(12);
			}
			snprintf(msg, sizeof(msg), "|g%d", (int)getppid());
			if (write(deep[1], msg, strlen(msg)) != (ssize_t)strlen(msg)) {
				prog_log("grandchild: write: %s", strerror(errno));
				_exit(13);
			}
			_exit(0);
		}
		close(deep[0]);
		close(deep[1]);
		if (write(up[1], &g, sizeof(g)) != sizeof(g) || write(up[1], "up-bytes", 8) != 8)
			_exit(14);
		/* Blocked in read on the pipe from the parent until after the restore. */
		if (read(down[0], buf, 10) != 10 || memcmp(buf, "down-bytes", 10))
			_exit(15);
		snprintf(msg, sizeof(msg), "|c%d", (int)getppid());
		if (write(up[1], msg, strlen(msg)) != (ssize_t)strlen(msg))
			_exit(16);
		if (tree_wait_byte(go[0]) != 'g')
			_exit(17);
		if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st)) {
			prog_log("child: the grandchild's exit: %#x (%s)", st, strerror(errno));
			_exit(18);
		}
		_exit(pp == getppid() ? 7 : 19);
	}
	close(go[0]);
	close(up[1]);
	close(down[0]);
	close(deep[1]);
	SETUP(read(up[0], &gchild, sizeof(gchild)) == sizeof(gchild), "the grandchild's PID");
	/* The grandchild's bytes are in: wait until its pipe holds them. */
	for (int i = 0, n = 0; i < 2000 && n < 10; i++) {
		ioctl(deep[0], FIONREAD, &n);
		if (n < 10)
			usleep(1000);
	}

	prog_ready();
	prog_wait();

	CHECK(write(down[1], "down-bytes", 10) == 10, "write to the child");
	memset(buf, 0, sizeof(buf));
	CHECK(read(up[0], buf, 8) == 8 && !memcmp(buf, "up-bytes", 8), "the child's buffered bytes: '%s'", buf);
	CHECK(write(go[1], "gg", 2) == 2, "go");
	close(go[1]);
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 7,
	      "the child's exit: %#x", st);
	memset(buf, 0, sizeof(buf));
	{
		char want[32];
		int n = read(up[0], buf, sizeof(buf) - 1);

		snprintf(want, sizeof(want), "|c%d", (int)me);
		CHECK(n > 0 && !strcmp(buf, want), "the child's getppid: '%s', want '%s'", buf, want);
		memset(buf, 0, sizeof(buf));
		n = read(deep[0], buf, sizeof(buf) - 1);
		snprintf(want, sizeof(want), "deep-bytes|g%d", (int)child);
		CHECK(n > 0 && !strcmp(buf, want), "the grandchild's bytes: '%s', want '%s'", buf, want);
		CHECK(read(deep[0], buf, 1) == 0, "the grandchild's pipe ends");
	}
	prog_done();
}
