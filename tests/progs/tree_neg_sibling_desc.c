// SPDX-License-Identifier: MIT
/*
 * Failure path: two children share an open file description that their
 * parent opened before forking them and then closed.  Neither got it from
 * the other, and the parent no longer holds it to hand down: restoring it
 * twice would split the shared offset.  The tree dump must fail with one
 * line naming both children, and leave them running, the offset shared.
 */
// sudcr-test: dump-fails and neither got it from the other by fork
#include <signal.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

int main(void)
{
	int fd, go[2], go_b[2], st;
	pid_t a, b;

	fd = open(prog_path("sib"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	SETUP(fd >= 0, "open");
	SETUP(write(fd, "abcdef", 6) == 6 && lseek(fd, 0, SEEK_SET) == 0, "write");
	SETUP(!pipe(go) && !pipe(go_b), "pipe");
	a = fork();
	SETUP(a >= 0, "fork");
	if (!a) {
		char c;

		close(go[1]);
		tree_wait_byte(go[0]);
		_exit(read(fd, &c, 1) == 1 && c == 'a' ? 0 : 1);
	}
	b = fork();
	SETUP(b >= 0, "fork");
	if (!b) {
		close(go_b[1]);
		tree_wait_byte(go_b[0]);
		_exit(lseek(fd, 0, SEEK_CUR) == 1 ? 0 : 1);
	}
	close(fd);

	prog_ready();
	prog_wait();

	CHECK(write(go[1], "g", 1) == 1, "go a");
	CHECK(waitpid(a, &st, 0) == a && WIFEXITED(st) && !WEXITSTATUS(st), "a's exit: %#x", st);
	CHECK(write(go_b[1], "g", 1) == 1, "go b");
	CHECK(waitpid(b, &st, 0) == b && WIFEXITED(st) && !WEXITSTATUS(st), "b's exit (shared offset): %#x", st);
	prog_done();
}
