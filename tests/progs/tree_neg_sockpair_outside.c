// SPDX-License-Identifier: MIT
/*
 * Failure path: one end of a socket pair is held by a process that left
 * the tree (a grandchild orphaned to the runner, a subreaper outside it).
 * The pair cannot be made again with that end: the dump must fail with
 * one line naming the socket, and leave the process running, still
 * connected (the orphan answers it, then exits).
 */
// sudcr-test: dump-fails in no process of the tree
#include <sys/socket.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

int main(void)
{
	int sv[2], go[2], st;
	char buf[8] = "";
	pid_t c, k;

	SETUP(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	c = fork();
	SETUP(c >= 0, "fork");
	if (!c) {
		pid_t g = fork();

		if (g < 0)
			_exit(1);
		if (g)
			_exit(0);
		close(sv[0]);
		close(0);
		close(1);
		if (recv(sv[1], buf, 3, MSG_WAITALL) != 3 || send(sv[1], "ok", 2, 0) != 2)
			_exit(1);
		_exit(0);
	}
	close(sv[1]);
	SETUP(waitpid(c, &st, 0) == c && WIFEXITED(st) && !WEXITSTATUS(st), "the child's exit");
	/* A child in the tree, so that it is one. */
	SETUP(!pipe(go), "pipe");
	k = fork();
	SETUP(k >= 0, "fork");
	if (!k) {
		close(go[1]);
		close(sv[0]);
		_exit(tree_wait_byte(go[0]) == 'g' ? 0 : 1);
	}
	close(go[0]);

	prog_ready();
	prog_wait();

	CHECK(send(sv[0], "bye", 3, 0) == 3, "send to the orphan");
	CHECK(recv(sv[0], buf, 2, MSG_WAITALL) == 2 && !memcmp(buf, "ok", 2), "the orphan's answer");
	CHECK(write(go[1], "g", 1) == 1, "go");
	CHECK(waitpid(k, &st, 0) == k && WIFEXITED(st) && !WEXITSTATUS(st), "the child's exit: %#x", st);
	prog_done();
}
