// SPDX-License-Identifier: MIT
/*
 * A process forking all the time during the dump: the child forks short-
 * lived grandchildren and reaps each, counting them, while the tree is
 * frozen around it; a grandchild caught alive or as a zombie is part of
 * the tree.  After the restore the child goes on forking from its count
 * (it counts at least 50 more), and answers with it.
 */
#include <sys/wait.h>

#include "progs/tree_util.h"

int main(void)
{
	int ctl[2], ans[2], st;
	long before = 0, after = 0;
	pid_t child;

	SETUP(!pipe(ctl) && !pipe(ans), "pipe");
	SETUP(fcntl(ctl[0], F_SETFL, O_NONBLOCK) == 0, "fcntl");
	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		long n = 0;
		char c;

		close(ctl[1]);
		close(ans[0]);
		for (;;) {
			pid_t g = fork();

			if (g < 0)
				_exit(10);
			if (!g)
				_exit(7);
			if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
				_exit(11);
			n++;
			if (read(ctl[0], &c, 1) == 1) {
				if (write(ans[1], &n, sizeof(n)) != sizeof(n))
					_exit(12);
				if (c == 'q')
					_exit(0);
			}
		}
	}
	close(ctl[0]);
	close(ans[1]);
	SETUP(write(ctl[1], "c", 1) == 1 && read(ans[0], &before, sizeof(before)) == sizeof(before),
	      "the first count");

	prog_ready();
	prog_wait();

	CHECK(write(ctl[1], "c", 1) == 1 && read(ans[0], &after, sizeof(after)) == sizeof(after),
	      "the count after the restore");
	CHECK(after > before, "count %ld, before the dump %ld", after, before);
	before = after;
	usleep(100000);
	CHECK(write(ctl[1], "q", 1) == 1 && read(ans[0], &after, sizeof(after)) == sizeof(after),
	      "the last count");
	CHECK(after > before, "no fork after the restore: count %ld, then %ld", before, after);
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the child's exit: %#x", st);
	prog_done();
}
