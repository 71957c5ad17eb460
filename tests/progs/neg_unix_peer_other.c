// SPDX-License-Identifier: MIT
/*
 * Failure path: a socket pair whose other end is in another process (not a
 * child: one a child started and left, so that the dump's refusal of
 * process trees does not come first), which echoes what it reads.  The
 * dump must fail with one line naming the fd and leave the process as it
 * was: the bytes queued both ways are still there and the pair still
 * connects the two processes.
 */
// sudcr-test: dump-fails
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "progs/prog.h"

/* The echo process is not ours to reap: wait until it has exited (a zombie, or gone). */
static int gone(pid_t pid)
{
	for (int i = 0; i < 5000; i++) {
		char path[64], buf[512], *p;

		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (prog_read_file(path, buf, sizeof(buf)) <= 0)
			return 1;
		p = strrchr(buf, ')');
		if (p && p[1] && p[2] == 'Z')
			return 1;
		usleep(1000);
	}
	return 0;
}

int main(void)
{
	int sv[2], pfd[2], st;
	char buf[16];
	pid_t child, echo = 0;

	SETUP(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv) && !pipe(pfd), "socketpair");
	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		long n;
		pid_t gc = fork();

		if (gc) {
			_exit(write(pfd[1], &gc, sizeof(gc)) == sizeof(gc) && gc > 0 ? 0 : 1);
		}
		close(sv[0]);
		close(pfd[0]);
		close(pfd[1]);
		while ((n = read(sv[1], buf, sizeof(buf))) > 0)
			if (write(sv[1], buf, n) != n)
				_exit(1);
		_exit(0);
	}
	close(sv[1]);
	close(pfd[1]);
	SETUP(waitpid(child, &st, 0) == child && WIFEXITED(st) && !WEXITSTATUS(st) &&
	      read(pfd[0], &echo, sizeof(echo)) == sizeof(echo), "the echo process");
	close(pfd[0]);
	SETUP(write(sv[0], "one", 3) == 3 && read(sv[0], buf, sizeof(buf)) == 3, "echo");
	SETUP(write(sv[0], "two", 3) == 3, "queued");

	prog_ready();
	prog_wait();

	CHECK(read(sv[0], buf, sizeof(buf)) == 3 && !memcmp(buf, "two", 3), "the echo of two");
	CHECK(write(sv[0], "three", 5) == 5 && read(sv[0], buf, sizeof(buf)) == 5 && !memcmp(buf, "three", 5),
	      "the pair is cut");
	shutdown(sv[0], SHUT_WR);
	CHECK(gone(echo), "the echo process %d did not exit", echo);
	prog_done();
}
