// SPDX-License-Identifier: MIT
/*
 * Failure path: a socket pair whose other end is in another process (a
 * child, which echoes what it reads).  The dump must fail with one line
 * naming the fd and leave the process as it was: the bytes queued both
 * ways are still there and the pair still connects the two processes.
 */
// sudcr-test: dump-fails
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "progs/prog.h"

int main(void)
{
	int sv[2], st;
	char buf[16];
	pid_t child;

	SETUP(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		long n;

		close(sv[0]);
		while ((n = read(sv[1], buf, sizeof(buf))) > 0)
			if (write(sv[1], buf, n) != n)
				_exit(1);
		_exit(0);
	}
	close(sv[1]);
	SETUP(write(sv[0], "one", 3) == 3 && read(sv[0], buf, sizeof(buf)) == 3, "echo");
	SETUP(write(sv[0], "two", 3) == 3, "queued");

	prog_ready();
	prog_wait();

	CHECK(read(sv[0], buf, sizeof(buf)) == 3 && !memcmp(buf, "two", 3), "the echo of two");
	CHECK(write(sv[0], "three", 5) == 5 && read(sv[0], buf, sizeof(buf)) == 5 && !memcmp(buf, "three", 5),
	      "the pair is cut");
	shutdown(sv[0], SHUT_WR);
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && !WEXITSTATUS(st), "the child");
	prog_done();
}
