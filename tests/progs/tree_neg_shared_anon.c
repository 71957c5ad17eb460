// SPDX-License-Identifier: MIT
/*
 * Failure path: shared anonymous memory (MAP_SHARED | MAP_ANONYMOUS) mapped
 * in a parent and its child.  Each image would hold its own copy and the
 * restored processes would no longer see each other's writes: the tree
 * dump must fail with one line naming both processes, leave both running,
 * and their memory still shared.
 */
// sudcr-test: dump-fails share memory (/dev/zero (deleted)
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

int main(void)
{
	volatile int *shared;
	int go[2], st;
	pid_t child;

	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	SETUP(shared != MAP_FAILED, "mmap");
	SETUP(!pipe(go), "pipe");
	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		close(go[1]);
		tree_wait_byte(go[0]);
		shared[0] = 42;
		_exit(0);
	}
	close(go[0]);

	prog_ready();
	prog_wait();

	CHECK(write(go[1], "g", 1) == 1, "write to the child");
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && !WEXITSTATUS(st), "the child's exit: %#x", st);
	CHECK_EQ(shared[0], 42);
	prog_done();
}
