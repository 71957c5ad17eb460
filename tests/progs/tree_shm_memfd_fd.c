// SPDX-License-Identifier: MIT
/*
 * A memfd one process holds only by its fd and another only by a mapping:
 * memfd X the parent keeps an fd of (no mapping) and its child maps (its
 * fd closed); memfd Y the parent maps (its fd closed) and the child keeps
 * an fd of (its mapping gone).  After the restore each is one memfd again:
 * what one writes through its fd the other reads in its mapping, and the
 * bytes written before the dump are there.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

#define LEN (2 * 4096)

int main(void)
{
	int x = memfd_create("tree-x", 0), y = memfd_create("tree-y", 0), go[2], done[2], st;
	volatile char *my;
	pid_t child;
	char c;

	SETUP(x >= 0 && y >= 0 && !ftruncate(x, LEN) && !ftruncate(y, LEN), "memfd");
	SETUP(pwrite(x, "x0", 2, 4096) == 2 && pwrite(y, "y0", 2, 0) == 2, "pwrite");
	my = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, y, 0);
	SETUP(my != MAP_FAILED && !pipe(go) && !pipe(done), "mmap");
	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		volatile char *mx = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, x, 0);
		int bad = 0;

		close(x);
		if (mx == MAP_FAILED || munmap((void *)my, LEN))
			_exit(3);
		if (write(done[1], "r", 1) != 1)
			_exit(3);
		tree_wait_byte(go[0]);
		/* The parent wrote "x1" into X through its fd. */
		if (mx[4096] != 'x' || mx[4097] != '1')
			bad = 1;
		if (pwrite(y, "y1", 2, 2) != 2)
			bad = 1;
		_exit(bad);
	}
	close(y);
	SETUP(read(done[0], &c, 1) == 1, "the child's ready");

	prog_ready();
	prog_wait();

	CHECK(my[0] == 'y' && my[1] == '0', "Y's bytes before the dump: %c%c", my[0], my[1]);
	CHECK(pwrite(x, "x1", 2, 4096) == 2, "pwrite X");
	CHECK(write(go[1], "g", 1) == 1, "write to the child");
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && !WEXITSTATUS(st),
	      "the child's exit (1: X's write not seen in its mapping): %#x", st);
	CHECK(my[2] == 'y' && my[3] == '1', "the child's write through Y's fd, in the mapping: %#x %#x", my[2], my[3]);
	prog_done();
}
